//! The report of a run: the snapshot page and the timeline page.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::svg::{GraphNode, bars, ccdf, graph};
use super::{Html, PALETTE, esc, head, provenance, table};
use crate::report::trials;
use crate::report::{Exporter, fmt_clock, fmt_small, fmt_weight};
use crate::results::{SnapshotReport, TimelineReport};

impl Exporter for Html {
    fn snapshot(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::new();
        head(&mut s, &r.scenario);
        let exact = r.method_note().map_or(String::new(), |n| format!(" ({n})"));
        let _ = writeln!(
            s,
            "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · snapshot model · {}{exact} · seed {}{}</p>",
            esc(&r.scenario),
            esc(&r.dnsim),
            trials(r.trials),
            r.seed,
            if r.fail.is_empty() {
                String::new()
            } else {
                format!(" · forced down: {}", esc(&r.fail.join(", ")))
            }
        );
        provenance(&mut s, &r.description, &r.sources);
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
                    "P(a user finds anything down): regions by share".into(),
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
        snapshot_graph(&mut s, r, self);
        snapshot_impact(&mut s, r);
        snapshot_providers(&mut s, r, self);
        snapshot_services(&mut s, r, self);
        s.push_str("</body>\n</html>\n");
        out.write_all(s.as_bytes())
    }

    fn timeline(&self, r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        let mut s = String::new();
        head(&mut s, &r.scenario);
        let horizon = fmt_clock(r.horizon_seconds, None);
        let _ = writeln!(
            s,
            "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · timeline model · {} · seed {} · horizon {} · {} resolvers per region</p>",
            esc(&r.scenario),
            esc(&r.dnsim),
            trials(r.trials),
            r.seed,
            esc(horizon.trim_start_matches('+')),
            r.resolvers_per_region
        );
        provenance(&mut s, &r.description, &r.sources);
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
        timeline_events(&mut s, r);
        timeline_series(&mut s, r, self);
        timeline_graph(&mut s, r, self);
        timeline_services(&mut s, r, self);
        s.push_str("</body>\n</html>\n");
        out.write_all(s.as_bytes())
    }
}

impl Html {
    fn series_chart(&self, s: &mut String, r: &TimelineReport, series: &crate::results::Series) {
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
                esc(&axis_time(secs, r.start_unix, hz))
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
            // Regions that fail alike draw the same line: a dash pattern
            // of its own keeps each one visible under the others.
            let dash = DASHES[i % DASHES.len()];
            let _ = writeln!(
                s,
                "<polyline class=\"series\" stroke=\"{colour}\" stroke-dasharray=\"{dash}\" points=\"{}\"/>",
                points.join(" ")
            );
            let ly = t + 9.0 + 16.0 * i as f64;
            let _ = writeln!(
                s,
                "<line x1=\"{}\" x2=\"{}\" y1=\"{ly:.1}\" y2=\"{ly:.1}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"{dash}\"/><text x=\"{}\" y=\"{:.1}\">{}</text>",
                w - rm + 6.0,
                w - rm + 28.0,
                w - rm + 32.0,
                ly + 4.0,
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

fn snapshot_graph(s: &mut String, r: &SnapshotReport, html: &Html) {
    let shown = &r.services[..html.top.min(r.services.len())];
    s.push_str("<section id=\"graph\">\n<h2>Dependency graph</h2>\n<p class=\"meta\">The riskiest services, what they require (arcs) and the providers they are delegated to; redder is riskier (services by P(unreachable), providers by P(down) × the impact of their failure alone).</p>\n");
    let nodes: Vec<GraphNode> = shown
        .iter()
        .map(|x| GraphNode {
            id: &x.id,
            risk: x.p_unreachable,
            dns: &x.dns,
            standby: &[],
            requires: x.requires.as_deref(),
        })
        .collect();
    // A provider's risk: the impact its failure alone takes, times how
    // likely that is (a provider forced down is certain).
    graph(
        s,
        &nodes,
        &|p| {
            r.providers
                .iter()
                .find(|x| x.id == p)
                .map_or(0.0, |x| x.p_down * x.single_failure_impact)
        },
        "P(down) × impact alone",
    );
    s.push_str("</section>\n");
}

fn snapshot_impact(s: &mut String, r: &SnapshotReport) {
    s.push_str("<section id=\"impact\">\n<h2>Impact per trial</h2>\n<p class=\"meta\">How often a trial's impact reaches at least x: the tail that the expected value hides.</p>\n");
    if r.impact_distribution.is_empty() {
        s.push_str("<p>Not drawn: under importance sampling trials carry weights, so there is no count of trials per impact. The summary's quantiles are weighted.</p>\n");
    } else {
        ccdf(s, &r.impact_distribution, r.trials);
    }
    s.push_str("</section>\n");
}

fn snapshot_providers(s: &mut String, r: &SnapshotReport, html: &Html) {
    let sm = &r.summary;
    s.push_str("<section id=\"providers\">\n<h2>Providers by single-failure impact</h2>\n<p class=\"meta\">What each provider's failure alone takes down, everything else up (exact).</p>\n");
    let total = sm.total_weight.max(1e-12);
    let items: Vec<(String, f64, String)> = r
        .providers
        .iter()
        .take(html.top)
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
        s,
        "provider-impact",
        "providers ranked by single-failure impact",
        &items,
    );
    s.push_str("</section>\n");
}

fn snapshot_services(s: &mut String, r: &SnapshotReport, html: &Html) {
    let shown = &r.services[..html.top.min(r.services.len())];
    s.push_str("<section id=\"services\">\n<h2>Services, riskiest first</h2>\n");
    let mut header = vec!["service", "P(unreachable)", "95% interval", "weight"];
    let region_ids: Vec<&str> = r.regions.iter().map(|x| x.id.as_str()).collect();
    header.extend(region_ids.iter());
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|x| {
            let mut row = vec![
                x.id.to_string(),
                fmt_small(x.p_unreachable),
                format!("[{}, {}]", fmt_small(x.ci95[0]), fmt_small(x.ci95[1])),
                fmt_weight(x.weight),
            ];
            row.extend(x.regions.values().iter().map(|v| fmt_small(*v)));
            row
        })
        .collect();
    table(s, &header, &rows);
    s.push_str("</section>\n");
}

fn timeline_events(s: &mut String, r: &TimelineReport) {
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
                        crate::report::table::load(x.authoritative_load),
                    ]
                })
                .collect();
            table(
                s,
                &[
                    "region",
                    "failed lookups",
                    "weight with >10% lost",
                    "weight with >50% lost",
                    "authoritative load",
                ],
                &rows,
            );
        }
        s.push_str("</section>\n");
    }
}

/// Dash patterns of the series lines, region by region (the first solid).
const DASHES: [&str; 4] = ["none", "7 3", "2 3", "9 3 2 3"];

/// An axis label: the clock time, with the date when the horizon spans
/// more than a day and the run has a start (`10-22 06:00`).
fn axis_time(secs: f64, start_unix: Option<i64>, horizon: f64) -> String {
    match start_unix {
        Some(start) if horizon > 86400.0 => {
            let t = start + secs.round() as i64;
            let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(t.max(0) as u64);
            let text = humantime::format_rfc3339_seconds(at).to_string();
            // "2016-10-21T11:10:00Z" → "10-21 11:10"
            text.get(5..16)
                .map_or(text.clone(), |d| d.replace('T', " "))
        }
        _ => fmt_clock(secs, start_unix),
    }
}

fn timeline_series(s: &mut String, r: &TimelineReport, html: &Html) {
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
            html.series_chart(s, r, series);
        }
        s.push_str("</section>\n");
    }
}

fn timeline_graph(s: &mut String, r: &TimelineReport, html: &Html) {
    let shown = &r.services[..html.top.min(r.services.len())];
    s.push_str("<section id=\"graph\">\n<h2>Dependency graph</h2>\n<p class=\"meta\">The worst services, what they require (arcs) and their providers (dashed: standby); redder services lost more lookups, red providers are out in this run (a scheduled event or --fail).</p>\n");
    let nodes: Vec<GraphNode> = shown
        .iter()
        .map(|x| GraphNode {
            id: &x.id,
            risk: x.failed_share,
            dns: &x.dns,
            standby: &x.standby,
            requires: x.requires.as_deref(),
        })
        .collect();
    // Providers out in this run (a scheduled event's or --fail's) in red.
    let out_in_run = |p: &str| {
        let failed = r
            .fail
            .iter()
            .any(|f| f == p || f.split_once('@').is_some_and(|(id, _)| id == p));
        let in_event = r.events.iter().any(|e| e.target == p);
        f64::from(u8::from(failed || in_event))
    };
    graph(s, &nodes, &out_in_run, "red: out in this run");
    s.push_str("</section>\n");
}

fn timeline_services(s: &mut String, r: &TimelineReport, html: &Html) {
    let shown = &r.services[..html.top.min(r.services.len())];
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
        s,
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
    s.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn axis_labels_carry_the_date_past_a_day() {
        // 2016-10-21 00:00 UTC.
        let start = Some(1_477_008_000);
        assert_eq!(super::axis_time(11.0 * 3600.0, start, 86400.0), "11:00");
        assert_eq!(
            super::axis_time(30.0 * 3600.0, start, 3.0 * 86400.0),
            "10-22 06:00"
        );
        assert_eq!(super::axis_time(3600.0, None, 3.0 * 86400.0), "+1h");
    }
}
