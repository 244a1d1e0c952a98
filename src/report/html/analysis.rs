//! `dnsim analyze --html`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::svg::bars;
use super::{EXTRA_STYLE, esc, head, table};
use crate::report::trials;
use crate::report::{fmt_small, fmt_weight};

fn ratio(x: Option<f64>) -> String {
    x.map_or("∞".to_string(), |v| format!("{v:.4}"))
}

/// `dnsim analyze --html`: what to fix first, cut sets, riskiest services.
pub fn analysis(
    r: &crate::results::AnalysisReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &r.scenario);
    let method = match &r.fallback {
        None => "exact (binary decision diagrams)".to_string(),
        Some(f) => format!(
            "exact, and Monte Carlo for {} services ({}, seed {}): {}",
            f.services,
            trials(f.trials),
            f.seed,
            f.reason
        ),
    };
    let _ = writeln!(
        s,
        "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · analysis · snapshot model · {}</p>",
        esc(&r.scenario),
        esc(&r.dnsim),
        esc(&method)
    );
    super::provenance(&mut s, &r.description, &r.sources);
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
    analysis_importance(&mut s, r, top);
    analysis_cut_sets(&mut s, r, top);
    analysis_services(&mut s, r, top);
    s.push_str("</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}

fn analysis_importance(s: &mut String, r: &crate::results::AnalysisReport, top: usize) {
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
        s,
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
        s,
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
}

fn analysis_cut_sets(s: &mut String, r: &crate::results::AnalysisReport, top: usize) {
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
        s,
        "cut-set-chart",
        "cut sets ranked by the weight they take down",
        &items,
    );
    s.push_str("</section>\n");
}

fn analysis_services(s: &mut String, r: &crate::results::AnalysisReport, top: usize) {
    let shown = &r.services[..top.min(r.services.len())];
    s.push_str("<section id=\"services\">\n<h2>Riskiest services</h2>\n");
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|v| {
            vec![
                v.id.clone(),
                fmt_small(v.p_unreachable),
                v.method.as_str().to_string(),
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
        s,
        &[
            "service",
            "P(unreachable)",
            "method",
            "riskiest event",
            "smallest cut sets",
        ],
        &rows,
    );
    s.push_str("</section>\n");
}
