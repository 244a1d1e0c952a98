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
    let rows = r.services.iter().map(|c| Changed {
        id: &c.id,
        a: c.p_unreachable_a,
        b: c.p_unreachable_b,
        diff: c.difference,
        ci: c.difference_ci95,
        change: c.change,
    });
    changes_section(
        s,
        [
            sm.services_better,
            sm.services_worse,
            sm.services_unchanged,
            sm.services_unclear,
        ],
        ["P(unreachable)", "P(unreachable)", "P(A)", "P(B)"],
        &|x| fmt_small(x),
        rows.filter(|c| c.change != Change::Unchanged).take(top),
    );
    s.push_str("</section>\n");
}

/// One service of a comparison: its figure in A and B, B − A and the
/// paired interval, and what that says.
struct Changed<'a> {
    id: &'a str,
    a: f64,
    b: f64,
    diff: f64,
    ci: [f64; 2],
    change: Change,
}

/// The "services that changed" section of a comparison page, but its
/// closing tag: the counts (better, worse, unchanged, unclear), what the
/// figure is (`names`: as the text says it, as the chart says it, and the
/// columns of A and B), written by `fmt`.
fn changes_section<'a>(
    s: &mut String,
    counts: [usize; 4],
    names: [&str; 4],
    fmt: &dyn Fn(f64) -> String,
    changed: impl Iterator<Item = Changed<'a>>,
) {
    let [better, worse, unchanged, unclear] = counts;
    let [text, chart, col_a, col_b] = names;
    let changed: Vec<Changed> = changed.collect();
    let _ = writeln!(
        s,
        "<section id=\"changes\">\n<h2>Services that changed</h2>\n<p class=\"meta\">{better} better, {worse} worse, {unchanged} unchanged, {unclear} unclear (the interval holds 0). {text} in B minus A, with 95% paired intervals.</p>"
    );
    let whiskers: Vec<(String, f64, [f64; 2])> = changed
        .iter()
        .map(|c| (c.id.to_string(), c.diff, c.ci))
        .collect();
    intervals(
        s,
        "service-differences",
        &format!("per-service change in {chart}"),
        &whiskers,
    );
    let rows: Vec<Vec<String>> = changed
        .iter()
        .map(|c| {
            vec![
                c.id.to_string(),
                fmt(c.a),
                fmt(c.b),
                fmt(c.diff),
                format!("[{}, {}]", fmt(c.ci[0]), fmt(c.ci[1])),
                c.change.as_str().to_string(),
            ]
        })
        .collect();
    table(
        s,
        &["service", col_a, col_b, "B − A", "95% interval", "change"],
        &rows,
    );
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
    let rows = r.services.iter().map(|c| Changed {
        id: &c.id,
        a: c.downtime_minutes_a,
        b: c.downtime_minutes_b,
        diff: c.downtime_difference,
        ci: c.downtime_difference_ci95,
        change: c.change,
    });
    changes_section(
        &mut s,
        [
            sm.services_better,
            sm.services_worse,
            sm.services_unchanged,
            sm.services_unclear,
        ],
        [
            "Downtime minutes",
            "downtime minutes",
            "minutes A",
            "minutes B",
        ],
        &minutes,
        rows.filter(|c| c.change != Change::Unchanged).take(top),
    );
    s.push_str("</section>\n</body>\n</html>\n");
    let s = s.replacen("</style>", &format!("{EXTRA_STYLE}</style>"), 1);
    out.write_all(s.as_bytes())
}
