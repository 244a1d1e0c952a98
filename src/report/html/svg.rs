//! Hand-written SVG charts: the dependency graph, the impact CCDF, bars and
//! interval whiskers.

use std::fmt::Write as _;

use super::esc;
use crate::report::{fmt_small, fmt_weight};
use crate::results::Requires;

/// Red for the riskiest, green for none, by share of `max`.
pub(super) fn risk_colour(x: f64, max: f64) -> String {
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

pub(super) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// A service in the dependency graph: its id, its risk (for its colour),
/// its delegation, its standby providers and what it requires.
pub(super) struct GraphNode<'a> {
    pub id: &'a str,
    pub risk: f64,
    pub dns: &'a [String],
    pub standby: &'a [String],
    pub requires: Option<&'a Requires>,
}

/// Services on the left, their providers on the right, an edge per
/// delegation (dashed for standby), an arc per requirement between shown
/// services (dotted for a `requires_any` member), and a legend. Services
/// are coloured by their risk, providers by `provider_risk`, each from
/// green (none) to red (the most of those shown); `provider_key` says what
/// the providers' colour means.
pub(super) fn graph(
    out: &mut String,
    services: &[GraphNode],
    provider_risk: &dyn Fn(&str) -> f64,
    provider_key: &str,
) {
    let mut providers: Vec<&str> = Vec::new();
    for n in services {
        for p in n.dns.iter().chain(n.standby.iter()) {
            if !providers.contains(&p.as_str()) {
                providers.push(p);
            }
        }
    }
    let rows = services.len().max(providers.len()).max(1);
    let (w, row_h, top, legend) = (760.0, 22.0, 20.0, 64.0);
    let h = top * 2.0 + rows as f64 * row_h + legend;
    let y_of =
        |i: usize, n: usize| top + (i as f64 + 0.5) * (rows as f64 / n.max(1) as f64) * row_h;
    let max_risk = services.iter().map(|s| s.risk).fold(0.0, f64::max);
    let max_prov = providers
        .iter()
        .map(|p| provider_risk(p))
        .fold(0.0, f64::max);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"dependency-graph\" viewBox=\"0 0 {w} {h:.0}\" role=\"img\" aria-label=\"services, what they require and the DNS providers they are delegated to\">"
    );
    for (i, n) in services.iter().enumerate() {
        for (list, class) in [(n.dns, "edge"), (n.standby, "edge standby")] {
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
    // Requirements between shown services: an arc to the right of the
    // service column, bulging with the distance it spans.
    let index = |id: &str| services.iter().position(|n| n.id == id);
    for (i, n) in services.iter().enumerate() {
        let Some(req) = n.requires else { continue };
        let all = req.all.iter().map(|q| (q, "requires"));
        let any = req.any.iter().flatten().map(|q| (q, "requires any"));
        for (q, class) in all.chain(any) {
            let Some(j) = index(q) else { continue };
            let (y1, y2) = (y_of(i, services.len()), y_of(j, services.len()));
            let bulge = 268.0 + 12.0 * (i.abs_diff(j) as f64).sqrt() * 3.0;
            let _ = writeln!(
                out,
                "<path class=\"{class}\" d=\"M266,{y1:.1} Q{bulge:.1},{:.1} 266,{y2:.1}\"/>",
                (y1 + y2) / 2.0
            );
        }
    }
    for (i, n) in services.iter().enumerate() {
        let y = y_of(i, services.len());
        let _ = writeln!(
            out,
            "<circle cx=\"260\" cy=\"{y:.1}\" r=\"6\" fill=\"{}\"/><text x=\"250\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            risk_colour(n.risk, max_risk),
            y + 4.0,
            esc(n.id)
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
    legend_key(out, h - legend + 8.0, provider_key);
    out.push_str("</svg>\n");
}

/// The graph's legend at `y`: what lines, arcs and colours mean.
fn legend_key(out: &mut String, y: f64, provider_key: &str) {
    let row = |i: f64| y + i * 18.0;
    let _ = writeln!(
        out,
        "<g id=\"graph-legend\"><line class=\"edge\" x1=\"20\" y1=\"{a:.1}\" x2=\"60\" y2=\"{a:.1}\"/><text x=\"66\" y=\"{at:.1}\">delegated to</text>\
         <line class=\"edge standby\" x1=\"170\" y1=\"{a:.1}\" x2=\"210\" y2=\"{a:.1}\"/><text x=\"216\" y=\"{at:.1}\">standby</text>\
         <path class=\"requires\" d=\"M290,{a:.1} q20,-10 40,0\"/><text x=\"336\" y=\"{at:.1}\">requires</text>\
         <path class=\"requires any\" d=\"M420,{a:.1} q20,-10 40,0\"/><text x=\"466\" y=\"{at:.1}\">requires one of</text>\
         <circle cx=\"26\" cy=\"{b:.1}\" r=\"6\" fill=\"{green}\"/><circle cx=\"42\" cy=\"{b:.1}\" r=\"6\" fill=\"{red}\"/><text x=\"54\" y=\"{bt:.1}\">services: green none, red the riskiest shown; providers ({}): the same scale</text></g>",
        esc(provider_key),
        a = row(0.0),
        at = row(0.0) + 4.0,
        b = row(1.0),
        bt = row(1.0) + 4.0,
        green = risk_colour(0.0, 1.0),
        red = risk_colour(1.0, 1.0),
    );
}

/// A few round tick values from 0 to `max`.
pub(super) fn ticks(max: f64) -> Vec<f64> {
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
pub(super) fn ccdf(out: &mut String, dist: &[(f64, u64)], trials: u64) {
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
pub(super) fn bars(out: &mut String, id: &str, aria: &str, items: &[(String, f64, String)]) {
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

/// Differences with their intervals, one row each, around a zero line:
/// (label, difference, interval).
pub(super) fn intervals(out: &mut String, id: &str, aria: &str, rows: &[(String, f64, [f64; 2])]) {
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
