//! `dnsim compare` for people: the paired difference in expected impact
//! beside the unpaired interval, and the services that changed.

use std::io::{self, Write};

use crate::report::trials;
use crate::report::{fit, fmt_small, shown_of};
use crate::results::{
    Change, CompareReport, ServiceChange, TimelineCompareReport, TimelineServiceChange,
};

/// The comparison for people. Fits 80 columns.
pub fn write(r: &CompareReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    header(&r.a, &r.b, "snapshot", r.trials, r.seed, out)?;
    let s = &r.summary;
    let ci = |c: [f64; 2]| format!("[{}, {}]", fmt_small(c[0]), fmt_small(c[1]));
    writeln!(out, "\nExpected impact")?;
    writeln!(
        out,
        "  A                        {:>12}",
        fmt_small(s.expected_impact_a)
    )?;
    writeln!(
        out,
        "  B                        {:>12}",
        fmt_small(s.expected_impact_b)
    )?;
    writeln!(
        out,
        "  B − A                    {:>12}  95% {} (paired)",
        fmt_small(s.impact_difference),
        ci(s.impact_difference_ci95)
    )?;
    writeln!(
        out,
        "  {:<24} {:>12}  95% {}",
        "two independent runs",
        "",
        ci(s.unpaired_ci95)
    )?;
    writeln!(
        out,
        "  trials where B is better {:>12}, worse {}",
        s.trials_b_better, s.trials_b_worse
    )?;
    verdicts(
        [
            s.services_better,
            s.services_worse,
            s.services_unchanged,
            s.services_unclear,
        ],
        out,
    )?;
    let changed: Vec<&ServiceChange> = r
        .services
        .iter()
        .filter(|c| c.change != Change::Unchanged)
        .collect();
    let (shown, more) = shown_of(top, changed.len());
    if shown > 0 {
        writeln!(out, "\nChanged services, largest change first{more}")?;
        writeln!(
            out,
            "  {:<24} {:>9} {:>9} {:>10}  change",
            "service", "P(A)", "P(B)", "B − A"
        )?;
        for c in &changed[..shown] {
            writeln!(
                out,
                "  {:<24} {:>9} {:>9} {:>10}  {}",
                fit(&c.id, 24),
                fmt_small(c.p_unreachable_a),
                fmt_small(c.p_unreachable_b),
                fmt_small(c.difference),
                c.change.as_str()
            )?;
        }
    }
    only_in(&r.only_in_a, &r.only_in_b, top, out)
}

/// A timeline comparison for people: downtime A, B and B − A (paired and
/// as two independent runs would give it), and the services that changed.
pub fn write_timeline(
    r: &TimelineCompareReport,
    top: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    header(&r.a, &r.b, "timeline", r.trials, r.seed, out)?;
    let s = &r.summary;
    let ci = |c: [f64; 2]| format!("[{:.1}, {:.1}]", c[0], c[1]);
    writeln!(
        out,
        "\nDowntime (minutes over the horizon, weight-averaged over services in both)"
    )?;
    writeln!(
        out,
        "  A                        {:>10.2}",
        s.downtime_minutes_a
    )?;
    writeln!(
        out,
        "  B                        {:>10.2}",
        s.downtime_minutes_b
    )?;
    writeln!(
        out,
        "  B − A                    {:>10.2}  95% {} (paired)",
        s.downtime_difference,
        ci(s.downtime_difference_ci95)
    )?;
    writeln!(
        out,
        "  {:<24} {:>10}  95% {}",
        "two independent runs",
        "",
        ci(s.unpaired_ci95)
    )?;
    writeln!(
        out,
        "  trials where B is better {:>10}, worse {}",
        s.trials_b_better, s.trials_b_worse
    )?;
    verdicts(
        [
            s.services_better,
            s.services_worse,
            s.services_unchanged,
            s.services_unclear,
        ],
        out,
    )?;
    let changed: Vec<&TimelineServiceChange> = r
        .services
        .iter()
        .filter(|c| c.change != Change::Unchanged)
        .collect();
    let (shown, more) = shown_of(top, changed.len());
    if shown > 0 {
        writeln!(out, "\nChanged services, largest change first{more}")?;
        writeln!(
            out,
            "  {:<24} {:>8} {:>8} {:>8}  {:<16} change",
            "service", "down A", "down B", "B − A", "95% interval"
        )?;
        for c in &changed[..shown] {
            writeln!(
                out,
                "  {:<24} {:>8.1} {:>8.1} {:>8.1}  {:<16} {}",
                fit(&c.id, 24),
                c.downtime_minutes_a,
                c.downtime_minutes_b,
                c.downtime_difference,
                ci(c.downtime_difference_ci95),
                c.change.as_str()
            )?;
        }
    }
    only_in(&r.only_in_a, &r.only_in_b, top, out)
}

/// The services in one plan only: listed, not compared.
fn only_in(a: &[String], b: &[String], top: usize, out: &mut dyn Write) -> io::Result<()> {
    for (label, list) in [("only in A", a), ("only in B", b)] {
        if !list.is_empty() {
            let shown: Vec<&str> = list.iter().take(top).map(String::as_str).collect();
            let rest = if list.len() > shown.len() {
                ", …"
            } else {
                ""
            };
            writeln!(
                out,
                "\nServices {label} (not compared): {}{rest}",
                shown.join(", ")
            )?;
        }
    }
    Ok(())
}

/// The two plans, the model, the draws.
fn header(a: &str, b: &str, model: &str, n: u64, seed: u64, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "A: {}", fit(a, 77))?;
    writeln!(out, "B: {}", fit(b, 77))?;
    writeln!(
        out,
        "{model} model · {} · seed {seed} · same random draws for both",
        trials(n)
    )
}

/// How many services got better, worse, stayed or are unclear.
fn verdicts(counts: [usize; 4], out: &mut dyn Write) -> io::Result<()> {
    let [better, worse, unchanged, unclear] = counts;
    writeln!(
        out,
        "\nServices: {better} better, {worse} worse, {unchanged} unchanged, {unclear} unclear (interval holds 0)"
    )
}
