//! `dnsim compare` for people: the paired difference in expected impact
//! beside the unpaired interval, and the services that changed.

use std::io::{self, Write};

use crate::report::trials;
use crate::report::{fit, fmt_small, shown_of};
use crate::results::{Change, CompareReport, ServiceChange};

/// The comparison for people. Fits 80 columns.
pub fn write(r: &CompareReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "A: {}", fit(&r.a, 77))?;
    writeln!(out, "B: {}", fit(&r.b, 77))?;
    writeln!(
        out,
        "snapshot model · {} · seed {} · same random draws for both",
        trials(r.trials),
        r.seed
    )?;
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
    writeln!(
        out,
        "\nServices: {} better, {} worse, {} unchanged, {} unclear (interval holds 0)",
        s.services_better, s.services_worse, s.services_unchanged, s.services_unclear
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
    for (label, list) in [("only in A", &r.only_in_a), ("only in B", &r.only_in_b)] {
        if !list.is_empty() {
            let shown: Vec<&str> = list.iter().take(top).map(String::as_str).collect();
            writeln!(
                out,
                "\nServices {label} (not compared): {}{}",
                shown.join(", "),
                if list.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            )?;
        }
    }
    Ok(())
}
