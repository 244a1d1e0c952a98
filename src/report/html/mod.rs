//! A self-contained HTML report: inline CSS and SVG, nothing fetched, light
//! and dark mode from the reader's preference. Charts are hand-written SVG:
//! a handful of lines, bars and polylines did not justify a plotting crate.
//! The markup is well-formed XML (checked by a test) so any parser reads it.
//!
//! `mod.rs` holds the page scaffold (style, head, tables); `svg` the charts;
//! `run` the snapshot and timeline pages; `analysis` and `compare` the pages
//! of `dnsim analyze` and `dnsim compare`.

mod analysis;
mod compare;
mod run;
mod svg;
mod sweep;

use std::fmt::Write as _;

pub use self::analysis::analysis;
pub use self::compare::{comparison, timeline_comparison};
pub use self::sweep::sweep;

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
svg .requires { fill: none; stroke: #7b4fa0; stroke-width: 1.5; } svg .requires.any { stroke-dasharray: 2 3; }
svg .bar { fill: var(--line); } svg .step { fill: none; stroke: var(--line); stroke-width: 2; }
svg .shade { fill: var(--shade); } svg .series { fill: none; stroke-width: 1.6; }
"#;

/// Colours for series lines (readable on both backgrounds).
pub(super) const PALETTE: [&str; 6] = [
    "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#9c755f",
];

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn head(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>dnsim: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

/// The scenario's description and sources under the title, links where a
/// source is a web address: a shared report keeps its provenance.
pub(super) fn provenance(out: &mut String, description: &str, sources: &[String]) {
    if !description.is_empty() {
        let _ = writeln!(out, "<p class=\"description\">{}</p>", esc(description));
    }
    if !sources.is_empty() {
        let links: Vec<String> = sources
            .iter()
            .map(|u| {
                if u.starts_with("https://") || u.starts_with("http://") {
                    format!("<a href=\"{0}\">{0}</a>", esc(u))
                } else {
                    esc(u)
                }
            })
            .collect();
        let _ = writeln!(out, "<p class=\"meta\">Sources: {}</p>", links.join(" · "));
    }
}

pub(super) fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
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

pub(super) const EXTRA_STYLE: &str = "svg .whisker { stroke-width: 3; stroke: currentColor; } \
svg .ok { color: var(--ok); fill: var(--ok); } svg .bad { color: var(--bad); fill: var(--bad); } \
svg line.muted { color: var(--muted); } svg circle.muted { fill: var(--muted); }";
