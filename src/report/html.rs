//! A self-contained HTML report: inline CSS and SVG, nothing fetched, light
//! and dark mode from the reader's preference. Charts are hand-written SVG:
//! a handful of lines, bars and polylines did not justify a plotting crate.
//! The markup is well-formed XML (checked by a test) so any parser reads it.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Exporter, fmt_clock, fmt_small, fmt_weight};
use crate::results::SnapshotReport;
use crate::timeline::results::TimelineReport;

pub struct Html {
    /// Services in the tables and the dependency graph.
    pub top: usize,
}

impl Html {
    pub const DEFAULT_TOP: usize = 25;
}

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #ffffff; --muted: #5f6368; --grid: #e3e3e3;
  --line: #2563eb; --bad: #d93025; --ok: #188038; --shade: rgba(217, 48, 37, 0.13); --card: #f6f7f9; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8eaed; --bg: #16181b; --muted: #9aa0a6; --grid: #34373b;
    --line: #8ab4f8; --bad: #f28b82; --ok: #81c995; --shade: rgba(242, 139, 130, 0.2); --card: #202327; } }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  max-width: 64rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
p.meta { color: var(--muted); margin-top: 0; }
section { background: var(--card); border-radius: 8px; padding: 0.6rem 1rem 1rem; margin: 1rem 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 0.15rem 0.7rem; text-align: right; border-bottom: 1px solid var(--grid); }
th:first-child, td:first-child { text-align: left; }
svg { width: 100%; height: auto; display: block; }
svg text { fill: var(--fg); font-size: 12px; font-family: inherit; }
svg .muted { fill: var(--muted); } svg .axis { stroke: var(--muted); } svg .grid { stroke: var(--grid); }
svg .edge { stroke: var(--muted); stroke-opacity: 0.5; } svg .standby { stroke-dasharray: 4 3; }
svg .bar { fill: var(--line); } svg .step { fill: none; stroke: var(--line); stroke-width: 2; }
svg .shade { fill: var(--shade); } svg .series { fill: none; stroke-width: 1.6; }
"#;

/// Colours for series lines (readable on both backgrounds).
const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#9c755f",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>dnsim: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table>\n<tr>");
    for h in header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Red for the riskiest, green for none, by share of `max`.
fn risk_colour(x: f64, max: f64) -> String {
    let t = if max > 0.0 {
        (x / max).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (r, g, b) = (
        lerp(24.0, 217.0, t),
        lerp(128.0, 48.0, t),
        lerp(56.0, 37.0, t),
    );
    format!("rgb({r:.0},{g:.0},{b:.0})")
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// Services on the left, their providers on the right, an edge per
/// delegation (dashed for standby). Nodes coloured by risk.
fn graph(
    out: &mut String,
    services: &[(&str, f64, &[String], &[String])],
    provider_risk: &dyn Fn(&str) -> f64,
) {
    let mut providers: Vec<&str> = Vec::new();
    for (_, _, dns, standby) in services {
        for p in dns.iter().chain(standby.iter()) {
            if !providers.contains(&p.as_str()) {
                providers.push(p);
            }
        }
    }
    let rows = services.len().max(providers.len()).max(1);
    let (w, row_h, top) = (760.0, 22.0, 20.0);
    let h = top * 2.0 + rows as f64 * row_h;
    let y_of =
        |i: usize, n: usize| top + (i as f64 + 0.5) * (rows as f64 / n.max(1) as f64) * row_h;
    let max_risk = services.iter().map(|s| s.1).fold(0.0, f64::max);
    let max_prov = providers
        .iter()
        .map(|p| provider_risk(p))
        .fold(0.0, f64::max);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"dependency-graph\" viewBox=\"0 0 {w} {h:.0}\" role=\"img\" aria-label=\"services and the DNS providers they are delegated to\">"
    );
    for (i, (_, _, dns, standby)) in services.iter().enumerate() {
        for (list, class) in [(dns, "edge"), (standby, "edge standby")] {
            for p in list.iter() {
                let j = providers.iter().position(|x| *x == p.as_str()).unwrap_or(0);
                let _ = writeln!(
                    out,
                    "<line class=\"{class}\" x1=\"260\" y1=\"{:.1}\" x2=\"540\" y2=\"{:.1}\"/>",
                    y_of(i, services.len()),
                    y_of(j, providers.len())
                );
            }
        }
    }
    for (i, (id, risk, _, _)) in services.iter().enumerate() {
        let y = y_of(i, services.len());
        let _ = writeln!(
            out,
            "<circle cx=\"260\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\"/><text x=\"250\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            risk_colour(*risk, max_risk),
            y + 4.0,
            esc(id)
        );
    }
    for (j, p) in providers.iter().enumerate() {
        let y = y_of(j, providers.len());
        let _ = writeln!(
            out,
            "<rect x=\"534\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"556\" y=\"{:.1}\">{}</text>",
            y - 6.0,
            risk_colour(provider_risk(p), max_prov),
            y + 4.0,
            esc(p)
        );
    }
    out.push_str("</svg>\n");
}

/// A few round tick values from 0 to `max`.
fn ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 {
        return vec![0.0];
    }
    let raw = max / 5.0;
    let mag = libm::pow(10.0, libm::floor(libm::log10(raw)));
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| max / s <= 6.0)
        .unwrap_or(10.0 * mag);
    (0..=((max / step).floor() as usize))
        .map(|k| k as f64 * step)
        .collect()
}

/// Complementary CDF of the per-trial impact, log scale.
fn ccdf(out: &mut String, dist: &[(f64, u64)], trials: u64) {
    let (w, h, l, r, t, b) = (760.0, 300.0, 70.0, 20.0, 15.0, 45.0);
    let n = trials.max(1) as f64;
    let max_x = dist.last().map_or(1.0, |d| d.0).max(1e-9);
    let decades = libm::ceil(libm::log10(n)).max(1.0);
    let x = |v: f64| l + (w - l - r) * v / max_x;
    let floor = libm::pow(10.0, -decades);
    let y = |p: f64| t + (h - t - b) * (-libm::log10(p.max(floor))) / decades;
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"impact-ccdf\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"probability that a trial's impact is at least x\">"
    );
    for d in 0..=(decades as i32) {
        let p = libm::pow(10.0, -(d as f64));
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{l}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"muted\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - r,
            y(p),
            y(p),
            l - 6.0,
            y(p) + 4.0,
            fmt_small(p)
        );
    }
    for v in ticks(max_x) {
        let _ = writeln!(
            out,
            "<text class=\"muted\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x(v),
            h - b + 16.0,
            fmt_weight(v)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.0}\" y=\"{}\" text-anchor=\"middle\">impact of a trial (weight units)</text>",
        (l + w - r) / 2.0,
        h - 6.0
    );
    let _ = writeln!(
        out,
        "<text x=\"14\" y=\"{:.0}\" transform=\"rotate(-90 14 {:.0})\" text-anchor=\"middle\">P(impact ≥ x), log scale</text>",
        (t + h - b) / 2.0,
        (t + h - b) / 2.0
    );
    // P(I ≥ v) as a staircase over the distinct values.
    let mut tail = trials;
    let mut points = Vec::new();
    let mut prev_x = x(0.0);
    for &(v, c) in dist {
        let p = tail as f64 / n;
        points.push(format!("{prev_x:.1},{:.1}", y(p)));
        points.push(format!("{:.1},{:.1}", x(v), y(p)));
        prev_x = x(v);
        tail -= c;
    }
    if tail == 0 {
        points.push(format!("{prev_x:.1},{:.1}", y(floor)));
    }
    let _ = writeln!(
        out,
        "<polyline class=\"step\" points=\"{}\"/>",
        points.join(" ")
    );
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{l}\" x2=\"{l}\" y1=\"{t}\" y2=\"{}\"/><line class=\"axis\" x1=\"{l}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
        h - b,
        w - r,
        h - b,
        h - b
    );
    out.push_str("</svg>\n");
}

/// Horizontal bars (label, value, note), longest first as given.
fn bars(out: &mut String, id: &str, aria: &str, items: &[(String, f64, String)]) {
    let (w, row_h, l) = (760.0, 24.0, 200.0);
    let h = 10.0 + items.len() as f64 * row_h;
    let max = items.iter().map(|i| i.1).fold(0.0, f64::max).max(1e-12);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" viewBox=\"0 0 {w} {h:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(aria)
    );
    for (i, (label, v, note)) in items.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let len = (w - l - 300.0) * v / max;
        let _ = writeln!(
            out,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{l}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\"/><text class=\"muted\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            l - 8.0,
            y + 16.0,
            esc(label),
            y + 3.0,
            row_h - 8.0,
            l + len + 6.0,
            y + 16.0,
            esc(note)
        );
    }
    out.push_str("</svg>\n");
}

impl Exporter for Html {
    fn snapshot(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::new();
        head(&mut s, &r.scenario);
        let exact = r.method_note().map_or(String::new(), |n| format!(" ({n})"));
        let _ = writeln!(
            s,
            "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · snapshot model · {} trials{exact} · seed {}{}</p>",
            esc(&r.scenario),
            esc(&r.dnsim),
            r.trials,
            r.seed,
            if r.fail.is_empty() {
                String::new()
            } else {
                format!(" · forced down: {}", esc(&r.fail.join(", ")))
            }
        );
        let sm = &r.summary;
        let q = &sm.impact_quantiles;
        s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
        table(
            &mut s,
            &["figure", "value"],
            &[
                vec!["services".into(), sm.services.to_string()],
                vec!["total weight".into(), fmt_weight(sm.total_weight)],
                vec![
                    "expected unreachable services".into(),
                    fmt_small(sm.expected_unreachable),
                ],
                vec![
                    "expected impact (weight)".into(),
                    fmt_small(sm.expected_impact),
                ],
                vec![
                    "P(anything unreachable)".into(),
                    fmt_small(sm.p_any_unreachable),
                ],
                vec![
                    "impact per trial p50 / p90 / p99 / p99.9".into(),
                    format!(
                        "{} / {} / {} / {}",
                        fmt_weight(q.p50),
                        fmt_weight(q.p90),
                        fmt_weight(q.p99),
                        fmt_weight(q.p999)
                    ),
                ],
            ],
        );
        s.push_str("</section>\n");

        let shown = &r.services[..self.top.min(r.services.len())];
        s.push_str("<section id=\"graph\">\n<h2>Dependency graph</h2>\n<p class=\"meta\">The riskiest services and the providers they are delegated to; redder is riskier (services by P(unreachable), providers by single-failure impact).</p>\n");
        let nodes: Vec<(&str, f64, &[String], &[String])> = shown
            .iter()
            .map(|x| (x.id.as_str(), x.p_unreachable, &x.dns[..], &[][..]))
            .collect();
        graph(&mut s, &nodes, &|p| {
            r.providers
                .iter()
                .find(|x| x.id == p)
                .map_or(0.0, |x| x.single_failure_impact)
        });
        s.push_str("</section>\n");

        s.push_str("<section id=\"impact\">\n<h2>Impact per trial</h2>\n<p class=\"meta\">How often a trial's impact reaches at least x: the tail that the expected value hides.</p>\n");
        if r.impact_distribution.is_empty() {
            s.push_str("<p>Not drawn: under importance sampling trials carry weights, so there is no count of trials per impact. The summary's quantiles are weighted.</p>\n");
        } else {
            ccdf(&mut s, &r.impact_distribution, r.trials);
        }
        s.push_str("</section>\n");

        s.push_str("<section id=\"providers\">\n<h2>Providers by single-failure impact</h2>\n<p class=\"meta\">What each provider's failure alone takes down, everything else up (exact).</p>\n");
        let total = sm.total_weight.max(1e-12);
        let items: Vec<(String, f64, String)> = r
            .providers
            .iter()
            .take(self.top)
            .map(|p| {
                (
                    p.id.clone(),
                    p.single_failure_impact,
                    format!(
                        "{} ({:.0}%), {} services, P(down) {}",
                        fmt_weight(p.single_failure_impact),
                        100.0 * p.single_failure_impact / total,
                        p.single_failure_services,
                        fmt_small(p.p_down)
                    ),
                )
            })
            .collect();
        bars(
            &mut s,
            "provider-impact",
            "providers ranked by single-failure impact",
            &items,
        );
        s.push_str("</section>\n");

        s.push_str("<section id=\"services\">\n<h2>Services, riskiest first</h2>\n");
        let mut header = vec!["service", "P(unreachable)", "95% interval", "weight"];
        let region_ids: Vec<&str> = r.regions.iter().map(|x| x.id.as_str()).collect();
        header.extend(region_ids.iter());
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|x| {
                let mut row = vec![
                    x.id.clone(),
                    fmt_small(x.p_unreachable),
                    format!("[{}, {}]", fmt_small(x.ci95[0]), fmt_small(x.ci95[1])),
                    fmt_weight(x.weight),
                ];
                row.extend(x.regions.values.iter().map(|v| fmt_small(*v)));
                row
            })
            .collect();
        table(&mut s, &header, &rows);
        s.push_str("</section>\n</body>\n</html>\n");
        out.write_all(s.as_bytes())
    }

    fn timeline(&self, r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::new();
        head(&mut s, &r.scenario);
        let horizon = fmt_clock(r.horizon_seconds, None);
        let _ = writeln!(
            s,
            "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · timeline model · {} trials · seed {} · horizon {} · {} resolvers per region</p>",
            esc(&r.scenario),
            esc(&r.dnsim),
            r.trials,
            r.seed,
            esc(horizon.trim_start_matches('+')),
            r.resolvers_per_region
        );
        let sm = &r.summary;
        s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
        table(
            &mut s,
            &["figure (weight-averaged over services)", "value"],
            &[
                vec![
                    "failed lookups".into(),
                    format!("{:.3}%", 100.0 * sm.failed_share),
                ],
                vec![
                    "downtime (minutes over the horizon)".into(),
                    format!("{:.2}", sm.downtime_minutes),
                ],
                vec![
                    "added latency (ms per lookup)".into(),
                    format!("{:.2}", sm.added_latency_ms),
                ],
            ],
        );
        s.push_str("</section>\n");

        if !r.events.is_empty() {
            s.push_str("<section id=\"events\">\n<h2>Scheduled events</h2>\n");
            for e in &r.events {
                let _ = writeln!(
                    s,
                    "<h3>{} {}–{}, loss {}, in {}</h3>",
                    esc(&e.target),
                    fmt_clock(e.start_seconds, r.start_unix),
                    fmt_clock(e.end_seconds, r.start_unix),
                    e.loss,
                    esc(&e.regions.join(", "))
                );
                let rows: Vec<Vec<String>> = e
                    .by_region
                    .iter()
                    .map(|(reg, x)| {
                        vec![
                            reg.clone(),
                            format!("{:.2}%", 100.0 * x.failed_share),
                            format!("{:.2}%", 100.0 * x.weight_over_10pct_failed),
                            format!("{:.2}%", 100.0 * x.weight_mostly_failed),
                        ]
                    })
                    .collect();
                table(
                    &mut s,
                    &[
                        "region",
                        "failed lookups",
                        "weight with >10% lost",
                        "weight with >50% lost",
                    ],
                    &rows,
                );
            }
            s.push_str("</section>\n");
        }

        // One chart per distinct delegation among the worst services:
        // services delegated alike fail alike.
        let mut seen: Vec<(&[String], &[String])> = Vec::new();
        let with_series: Vec<_> = r
            .services
            .iter()
            .filter(|x| x.failed_share > 0.0)
            .filter(|x| {
                let key = (x.dns.as_slice(), x.standby.as_slice());
                let new = !seen.contains(&key);
                seen.push(key);
                new
            })
            .filter_map(|x| x.series.as_ref().map(|se| (x, se)))
            .take(6)
            .collect();
        if !with_series.is_empty() {
            s.push_str("<section id=\"series\">\n<h2>Failed lookups over time</h2>\n<p class=\"meta\">The share of lookups that failed in each step, per region; shaded: scheduled events. One chart per distinct delegation among the worst services.</p>\n");
            for (svc, series) in with_series {
                let _ = writeln!(
                    s,
                    "<h3>{} (delegated to {})</h3>",
                    esc(&svc.id),
                    esc(&svc.dns.join(", "))
                );
                self.series_chart(&mut s, r, series);
            }
            s.push_str("</section>\n");
        }

        let shown = &r.services[..self.top.min(r.services.len())];
        s.push_str("<section id=\"graph\">\n<h2>Dependency graph</h2>\n<p class=\"meta\">The worst services and their providers (dashed: standby); redder services lost more lookups.</p>\n");
        let nodes: Vec<(&str, f64, &[String], &[String])> = shown
            .iter()
            .map(|x| {
                (
                    x.id.as_str(),
                    x.failed_share,
                    x.dns.as_slice(),
                    x.standby.as_slice(),
                )
            })
            .collect();
        graph(&mut s, &nodes, &|_| 0.0);
        s.push_str("</section>\n");

        s.push_str("<section id=\"services\">\n<h2>Services, worst first</h2>\n");
        let rows: Vec<Vec<String>> = shown
            .iter()
            .map(|x| {
                vec![
                    x.id.clone(),
                    format!("{:.2}", x.downtime_minutes),
                    format!(
                        "[{:.2}, {:.2}]",
                        x.downtime_minutes_ci95[0], x.downtime_minutes_ci95[1]
                    ),
                    x.nines.map_or("∞".to_string(), |n| format!("{n:.2}")),
                    format!("{:.3}%", 100.0 * x.failed_share),
                    format!("{:.2}", x.added_latency_ms),
                ]
            })
            .collect();
        table(
            &mut s,
            &[
                "service",
                "downtime (min)",
                "95% interval",
                "nines",
                "failed lookups",
                "added latency (ms)",
            ],
            &rows,
        );
        s.push_str("</section>\n</body>\n</html>\n");
        out.write_all(s.as_bytes())
    }
}

impl Html {
    fn series_chart(
        &self,
        s: &mut String,
        r: &TimelineReport,
        series: &crate::timeline::results::Series,
    ) {
        let (w, h, l, rm, t, b) = (760.0, 200.0, 60.0, 130.0, 10.0, 40.0);
        let hz = r.horizon_seconds.max(1.0);
        let x = |secs: f64| l + (w - l - rm) * secs / hz;
        let y = |v: f64| t + (h - t - b) * (1.0 - v.clamp(0.0, 1.0));
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"series-chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"failed share of lookups over time\">"
        );
        for e in &r.events {
            let _ = writeln!(
                s,
                "<rect class=\"shade\" x=\"{:.1}\" y=\"{t}\" width=\"{:.1}\" height=\"{}\"/>",
                x(e.start_seconds),
                (x(e.end_seconds) - x(e.start_seconds)).max(1.0),
                h - t - b
            );
        }
        for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let _ = writeln!(
                s,
                "<line class=\"grid\" x1=\"{l}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/><text class=\"muted\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>",
                w - rm,
                y(v),
                y(v),
                l - 6.0,
                y(v) + 4.0,
                100.0 * v
            );
        }
        for k in 0..=4 {
            let secs = hz * k as f64 / 4.0;
            let _ = writeln!(
                s,
                "<text class=\"muted\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(secs),
                h - b + 16.0,
                esc(&fmt_clock(secs, r.start_unix))
            );
        }
        let label = if r.start_unix.is_some() {
            "time (UTC)"
        } else {
            "time after t = 0"
        };
        let _ = writeln!(
            s,
            "<text x=\"{:.0}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            (l + w - rm) / 2.0,
            h - 4.0
        );
        for (i, (region, values)) in series.failed_share.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(k, v)| {
                    format!(
                        "{:.1},{:.1}",
                        x((k as f64 + 0.5) * series.step_seconds),
                        y(*v)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "<polyline class=\"series\" stroke=\"{colour}\" points=\"{}\"/>",
                points.join(" ")
            );
            let _ = writeln!(
                s,
                "<rect x=\"{}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>",
                w - rm + 10.0,
                t + 4.0 + 16.0 * i as f64,
                w - rm + 26.0,
                t + 13.0 + 16.0 * i as f64,
                esc(region)
            );
        }
        let _ = writeln!(
            s,
            "<line class=\"axis\" x1=\"{l}\" x2=\"{}\" y1=\"{}\" y2=\"{}\"/>",
            w - rm,
            h - b,
            h - b
        );
        s.push_str("</svg>\n");
    }
}

/// Differences with their intervals, one row each, around a zero line:
/// (label, difference, interval).
fn intervals(out: &mut String, id: &str, aria: &str, rows: &[(String, f64, [f64; 2])]) {
    let (w, row_h, l, r) = (760.0, 26.0, 220.0, 30.0);
    let h = 40.0 + rows.len() as f64 * row_h;
    let reach = rows
        .iter()
        .flat_map(|(_, d, ci)| [d.abs(), ci[0].abs(), ci[1].abs()])
        .fold(0.0, f64::max)
        .max(1e-300);
    let x = |v: f64| l + (w - l - r) * (0.5 + 0.5 * v / reach);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" viewBox=\"0 0 {w} {h:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(aria)
    );
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"5\" y2=\"{1:.0}\"/><text class=\"muted\" x=\"{0:.1}\" y=\"{2:.0}\" text-anchor=\"middle\">0 (no change)</text><text class=\"muted\" x=\"{3:.1}\" y=\"{2:.0}\">better ←</text><text class=\"muted\" x=\"{4:.1}\" y=\"{2:.0}\" text-anchor=\"end\">→ worse</text>",
        x(0.0),
        h - 25.0,
        h - 8.0,
        l,
        w - r
    );
    for (i, (label, d, ci)) in rows.iter().enumerate() {
        let y = 12.0 + i as f64 * row_h;
        let class = if ci[1] < 0.0 {
            "ok"
        } else if ci[0] > 0.0 {
            "bad"
        } else {
            "muted"
        };
        let _ = writeln!(
            out,
            "<text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><line class=\"whisker {class}\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/><circle class=\"point {class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"/>",
            l - 8.0,
            y + 5.0,
            esc(label),
            x(ci[0]),
            x(ci[1]),
            y,
            y,
            x(*d),
            y
        );
    }
    out.push_str("</svg>\n");
}

const EXTRA_STYLE: &str = "svg .whisker { stroke-width: 3; stroke: currentColor; } \
svg .ok { color: var(--ok); fill: var(--ok); } svg .bad { color: var(--bad); fill: var(--bad); } \
svg line.muted { color: var(--muted); } svg circle.muted { fill: var(--muted); }";

fn ratio(x: Option<f64>) -> String {
    x.map_or("∞".to_string(), |v| format!("{v:.4}"))
}

/// `dnsim analyze --html`: what to fix first, cut sets, riskiest services.
pub fn analysis(
    r: &crate::analysis::AnalysisReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &r.scenario);
    let method = match &r.fallback {
        None => "exact (binary decision diagrams)".to_string(),
        Some(f) => format!(
            "exact, and Monte Carlo for {} services ({} trials, seed {}): {}",
            f.services, f.trials, f.seed, f.reason
        ),
    };
    let _ = writeln!(
        s,
        "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · analysis · snapshot model · {}</p>",
        esc(&r.scenario),
        esc(&r.dnsim),
        esc(&method)
    );
    let sm = &r.summary;
    s.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    table(
        &mut s,
        &["", "value"],
        &[
            vec!["services".into(), sm.services.to_string()],
            vec![
                "expected unreachable services".into(),
                fmt_small(sm.expected_unreachable),
            ],
            vec![
                "expected impact".into(),
                format!(
                    "{} of {}",
                    fmt_small(sm.expected_impact),
                    fmt_weight(sm.total_weight)
                ),
            ],
            vec![
                "largest decision diagram".into(),
                format!("{} nodes", sm.largest_bdd),
            ],
        ],
    );
    s.push_str("</section>\n");

    let shown = &r.importance[..top.min(r.importance.len())];
    s.push_str("<section id=\"importance\">\n<h2>What to fix first</h2>\n<p class=\"meta\">Expected impact that would go away if the event never happened (P(event) × Birnbaum), with the other measures of spec §8.</p>\n");
    let items: Vec<(String, f64, String)> = shown
        .iter()
        .map(|i| {
            (
                i.event.clone(),
                i.removes,
                format!("removes {} · RAW {}", fmt_small(i.removes), ratio(i.raw)),
            )
        })
        .collect();
    bars(
        &mut s,
        "importance-chart",
        "events ranked by expected impact removed",
        &items,
    );
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|i| {
            vec![
                i.event.clone(),
                fmt_small(i.p),
                fmt_small(i.removes),
                fmt_small(i.birnbaum),
                i.fussell_vesely.map_or("-".into(), |v| format!("{v:.4}")),
                i.criticality.map_or("-".into(), |v| format!("{v:.4}")),
                ratio(i.raw),
                ratio(i.rrw),
            ]
        })
        .collect();
    table(
        &mut s,
        &[
            "event",
            "P(event)",
            "removes",
            "Birnbaum",
            "Fussell–Vesely",
            "criticality",
            "RAW",
            "RRW",
        ],
        &rows,
    );
    s.push_str("</section>\n");

    let shown = &r.cut_sets[..top.min(r.cut_sets.len())];
    let _ = writeln!(
        s,
        "<section id=\"cut-sets\">\n<h2>Cut sets up to order {}</h2>\n<p class=\"meta\">What exactly these events take down together, everything else up: share of the total weight.</p>",
        r.cut_set_order
    );
    let items: Vec<(String, f64, String)> = shown
        .iter()
        .map(|c| {
            (
                c.events.join(" + "),
                c.share,
                format!(
                    "{:.2}% · {} services · P {}",
                    100.0 * c.share,
                    c.services,
                    fmt_small(c.probability)
                ),
            )
        })
        .collect();
    bars(
        &mut s,
        "cut-set-chart",
        "cut sets ranked by the weight they take down",
        &items,
    );
    s.push_str("</section>\n");

    let shown = &r.services[..top.min(r.services.len())];
    s.push_str("<section id=\"services\">\n<h2>Riskiest services</h2>\n");
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                fmt_small(v.p_unreachable),
                v.method.clone(),
                v.importance
                    .first()
                    .map_or(String::new(), |i| i.event.clone()),
                v.cut_sets
                    .iter()
                    .take(3)
                    .map(|c| c.join(" + "))
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    table(
        &mut s,
        &[
            "service",
            "P(unreachable)",
            "method",
            "riskiest event",
            "smallest cut sets",
        ],
        &rows,
    );
    s.push_str("</section>\n</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}

/// `dnsim compare --html`: the paired difference against two independent
/// runs, and the services that changed.
pub fn comparison(
    r: &crate::compare::CompareReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &format!("{} vs {}", r.a, r.b));
    let _ = writeln!(
        s,
        "<h1>A: {}<br/>B: {}</h1>\n<p class=\"meta\">dnsim {} · comparison · snapshot model · {} trials · seed {} · the same random draws for both plans</p>",
        esc(&r.a),
        esc(&r.b),
        esc(&r.dnsim),
        r.trials,
        r.seed
    );
    let sm = &r.summary;
    s.push_str("<section id=\"summary\">\n<h2>Expected impact</h2>\n");
    let ci = |c: [f64; 2]| format!("[{}, {}]", fmt_small(c[0]), fmt_small(c[1]));
    table(
        &mut s,
        &["", "value", "95% interval"],
        &[
            vec!["A".into(), fmt_small(sm.expected_impact_a), String::new()],
            vec!["B".into(), fmt_small(sm.expected_impact_b), String::new()],
            vec![
                "B − A, paired".into(),
                fmt_small(sm.impact_difference),
                ci(sm.impact_difference_ci95),
            ],
            vec![
                "B − A, two independent runs".into(),
                fmt_small(sm.impact_difference),
                ci(sm.unpaired_ci95),
            ],
            vec![
                "trials where B is better / worse".into(),
                format!("{} / {}", sm.trials_b_better, sm.trials_b_worse),
                String::new(),
            ],
        ],
    );
    intervals(
        &mut s,
        "difference-intervals",
        "the paired interval of B minus A beside the interval of two independent runs",
        &[
            (
                "paired".into(),
                sm.impact_difference,
                sm.impact_difference_ci95,
            ),
            (
                "independent runs".into(),
                sm.impact_difference,
                sm.unpaired_ci95,
            ),
        ],
    );
    s.push_str("</section>\n");

    let changed: Vec<&crate::compare::ServiceChange> = r
        .services
        .iter()
        .filter(|c| c.change != "unchanged")
        .take(top)
        .collect();
    let _ = writeln!(
        s,
        "<section id=\"changes\">\n<h2>Services that changed</h2>\n<p class=\"meta\">{} better, {} worse, {} unchanged, {} unclear (the interval holds 0). P(unreachable) in B minus A, with 95% paired intervals.</p>",
        sm.services_better, sm.services_worse, sm.services_unchanged, sm.services_unclear
    );
    let rows: Vec<(String, f64, [f64; 2])> = changed
        .iter()
        .map(|c| (c.id.clone(), c.difference, c.difference_ci95))
        .collect();
    intervals(
        &mut s,
        "service-differences",
        "per-service change in P(unreachable)",
        &rows,
    );
    let rows: Vec<Vec<String>> = changed
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                fmt_small(c.p_unreachable_a),
                fmt_small(c.p_unreachable_b),
                fmt_small(c.difference),
                ci(c.difference_ci95),
                c.change.clone(),
            ]
        })
        .collect();
    table(
        &mut s,
        &["service", "P(A)", "P(B)", "B − A", "95% interval", "change"],
        &rows,
    );
    s.push_str("</section>\n</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}
