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
    let mut s = page_top(&r.a, &r.b, &r.dnsim, "snapshot", r.trials, r.seed, "");
    let sm = &r.summary;
    s.push_str("<section id=\"summary\">\n<h2>Expected impact</h2>\n");
    difference_summary(
        &mut s,
        "value",
        &|x| fmt_small(x),
        Difference {
            a: sm.expected_impact_a,
            b: sm.expected_impact_b,
            diff: sm.impact_difference,
            paired: sm.impact_difference_ci95,
            unpaired: sm.unpaired_ci95,
            better: sm.trials_b_better,
            worse: sm.trials_b_worse,
        },
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

/// A comparison page's head, title and run line (`extra` after the seed).
fn page_top(a: &str, b: &str, dnsim: &str, model: &str, n: u64, seed: u64, extra: &str) -> String {
    let mut s = String::new();
    head(&mut s, &format!("{a} vs {b}"));
    let _ = writeln!(
        s,
        "<h1>A: {}<br/>B: {}</h1>\n<p class=\"meta\">dnsim {} · comparison · {model} model · {} · seed {seed}{extra} · the same random draws for both plans</p>",
        esc(a),
        esc(b),
        esc(dnsim),
        trials(n),
    );
    s
}

/// A comparison's headline figure: A, B, and B − A with its paired
/// interval beside that of two independent runs, and the trials each way.
struct Difference {
    a: f64,
    b: f64,
    diff: f64,
    paired: [f64; 2],
    unpaired: [f64; 2],
    better: u64,
    worse: u64,
}

/// The summary table of a [`Difference`] (figures written by `fmt`, in a
/// column named `unit`) and its interval whiskers.
fn difference_summary(s: &mut String, unit: &str, fmt: &dyn Fn(f64) -> String, d: Difference) {
    let ci = |c: [f64; 2]| format!("[{}, {}]", fmt(c[0]), fmt(c[1]));
    table(
        s,
        &["", unit, "95% interval"],
        &[
            vec!["A".into(), fmt(d.a), String::new()],
            vec!["B".into(), fmt(d.b), String::new()],
            vec!["B − A, paired".into(), fmt(d.diff), ci(d.paired)],
            vec![
                "B − A, two independent runs".into(),
                fmt(d.diff),
                ci(d.unpaired),
            ],
            vec![
                "trials where B is better / worse".into(),
                format!("{} / {}", d.better, d.worse),
                String::new(),
            ],
        ],
    );
    intervals(
        s,
        "difference-intervals",
        "the paired interval of B minus A beside the interval of two independent runs",
        &[
            ("paired".into(), d.diff, d.paired),
            ("independent runs".into(), d.diff, d.unpaired),
        ],
    );
}

/// `dnsim compare --html` in the timeline model: downtime (lookup-weighted
/// minutes over the horizon) of A and B on the same draws, the paired
/// difference beside two independent runs, and the services that changed.
pub fn timeline_comparison(
    r: &TimelineCompareReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let horizon = format!(" · horizon {:.0} minutes", r.horizon_minutes);
    let mut s = page_top(&r.a, &r.b, &r.dnsim, "timeline", r.trials, r.seed, &horizon);
    let sm = &r.summary;
    let minutes = |x: f64| format!("{x:.2}");
    let ci = |c: [f64; 2]| format!("[{:.2}, {:.2}]", c[0], c[1]);
    s.push_str("<section id=\"summary\">\n<h2>Downtime, weight-averaged over the services in both plans</h2>\n<p class=\"meta\">Minutes over the horizon, lookup-weighted (failed lookups over the expected ones).</p>\n");
    difference_summary(
        &mut s,
        "minutes",
        &minutes,
        Difference {
            a: sm.downtime_minutes_a,
            b: sm.downtime_minutes_b,
            diff: sm.downtime_difference,
            paired: sm.downtime_difference_ci95,
            unpaired: sm.unpaired_ci95,
            better: sm.trials_b_better,
            worse: sm.trials_b_worse,
        },
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
