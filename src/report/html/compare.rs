//! `dnsim compare --html`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::svg::intervals;
use super::{EXTRA_STYLE, esc, head, table};
use crate::report::fmt_small;
use crate::report::trials;
use crate::results::{Change, TimelineCompareReport};

/// `dnsim compare --html`: the paired difference against two independent
/// runs, and the services that changed.
pub fn comparison(
    r: &crate::results::CompareReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &format!("{} vs {}", r.a, r.b));
    let _ = writeln!(
        s,
        "<h1>A: {}<br/>B: {}</h1>\n<p class=\"meta\">dnsim {} · comparison · snapshot model · {} · seed {} · the same random draws for both plans</p>",
        esc(&r.a),
        esc(&r.b),
        esc(&r.dnsim),
        trials(r.trials),
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
    comparison_changes(&mut s, r, top);
    s.push_str("</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}

fn comparison_changes(s: &mut String, r: &crate::results::CompareReport, top: usize) {
    let sm = &r.summary;
    let ci = |c: [f64; 2]| format!("[{}, {}]", fmt_small(c[0]), fmt_small(c[1]));
    let changed: Vec<&crate::results::ServiceChange> = r
        .services
        .iter()
        .filter(|c| c.change != Change::Unchanged)
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
        s,
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
                c.change.as_str().to_string(),
            ]
        })
        .collect();
    table(
        s,
        &["service", "P(A)", "P(B)", "B − A", "95% interval", "change"],
        &rows,
    );
    s.push_str("</section>\n");
}

/// `dnsim compare --html` in the timeline model: downtime (lookup-weighted
/// minutes over the horizon) of A and B on the same draws, the paired
/// difference beside two independent runs, and the services that changed.
pub fn timeline_comparison(
    r: &TimelineCompareReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &format!("{} vs {}", r.a, r.b));
    let _ = writeln!(
        s,
        "<h1>A: {}<br/>B: {}</h1>\n<p class=\"meta\">dnsim {} · comparison · timeline model · {} · seed {} · horizon {:.0} minutes · the same random draws for both plans</p>",
        esc(&r.a),
        esc(&r.b),
        esc(&r.dnsim),
        trials(r.trials),
        r.seed,
        r.horizon_minutes
    );
    let sm = &r.summary;
    let minutes = |x: f64| format!("{x:.2}");
    let ci = |c: [f64; 2]| format!("[{:.2}, {:.2}]", c[0], c[1]);
    s.push_str("<section id=\"summary\">\n<h2>Downtime, weight-averaged over the services in both plans</h2>\n<p class=\"meta\">Minutes over the horizon, lookup-weighted (failed lookups over the expected ones).</p>\n");
    table(
        &mut s,
        &["", "minutes", "95% interval"],
        &[
            vec!["A".into(), minutes(sm.downtime_minutes_a), String::new()],
            vec!["B".into(), minutes(sm.downtime_minutes_b), String::new()],
            vec![
                "B − A, paired".into(),
                minutes(sm.downtime_difference),
                ci(sm.downtime_difference_ci95),
            ],
            vec![
                "B − A, two independent runs".into(),
                minutes(sm.downtime_difference),
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
                sm.downtime_difference,
                sm.downtime_difference_ci95,
            ),
            (
                "independent runs".into(),
                sm.downtime_difference,
                sm.unpaired_ci95,
            ),
        ],
    );
    s.push_str("</section>\n");
    let changed: Vec<_> = r
        .services
        .iter()
        .filter(|c| c.change != Change::Unchanged)
        .take(top)
        .collect();
    let _ = writeln!(
        s,
        "<section id=\"changes\">\n<h2>Services that changed</h2>\n<p class=\"meta\">{} better, {} worse, {} unchanged, {} unclear (the interval holds 0). Downtime minutes in B minus A, with 95% paired intervals.</p>",
        sm.services_better, sm.services_worse, sm.services_unchanged, sm.services_unclear
    );
    let rows: Vec<(String, f64, [f64; 2])> = changed
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                c.downtime_difference,
                c.downtime_difference_ci95,
            )
        })
        .collect();
    intervals(
        &mut s,
        "service-differences",
        "per-service change in downtime minutes",
        &rows,
    );
    let rows: Vec<Vec<String>> = changed
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                minutes(c.downtime_minutes_a),
                minutes(c.downtime_minutes_b),
                minutes(c.downtime_difference),
                ci(c.downtime_difference_ci95),
                c.change.as_str().to_string(),
            ]
        })
        .collect();
    table(
        &mut s,
        &[
            "service",
            "minutes A",
            "minutes B",
            "B − A",
            "95% interval",
            "change",
        ],
        &rows,
    );
    s.push_str("</section>\n</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}
