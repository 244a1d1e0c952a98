//! `dnsim analyze` for people: the summary, what to fix first, the cut sets
//! that take down the most, and the riskiest services. Fits 80 columns.

use std::io::{self, Write};

use crate::report::trials;
use crate::report::{fit, fmt_small, fmt_weight, pct, shown_of};
use crate::results::{AnalysisReport, Importance, ServiceMethod};

fn ratio(x: Option<f64>) -> String {
    match x {
        None => "∞".into(),
        Some(x) if x >= 1000.0 => format!("{x:.3e}"),
        Some(x) => format!("{x:.3}"),
    }
}

pub fn write(r: &AnalysisReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", fit(&r.scenario, 80))?;
    let method = match &r.fallback {
        None => "exact (binary decision diagrams)".to_string(),
        Some(_) => "exact where possible, Monte Carlo for the rest".to_string(),
    };
    writeln!(out, "snapshot model · {method}")?;
    if let Some(f) = &r.fallback {
        writeln!(
            out,
            "{}",
            fit(
                &format!(
                    "note: {} services estimated from {} (seed {}): {}",
                    f.services,
                    trials(f.trials),
                    f.seed,
                    f.reason
                ),
                80
            )
        )?;
    }
    let s = &r.summary;
    writeln!(out, "\nSummary")?;
    writeln!(
        out,
        "  services                 {:>12}",
        s.services.to_string()
    )?;
    writeln!(
        out,
        "  expected unreachable     {:>12}  services",
        fmt_small(s.expected_unreachable)
    )?;
    writeln!(
        out,
        "  expected impact          {:>12}  of {} weight ({})",
        fmt_small(s.expected_impact),
        fmt_weight(s.total_weight),
        pct(if s.total_weight > 0.0 {
            s.expected_impact / s.total_weight
        } else {
            0.0
        })
    )?;
    write_importance(r, top, out)?;
    write_cut_sets(r, top, out)?;
    write_services(r, top, out)?;
    Ok(())
}

fn importance_row(i: &Importance, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "  {:<18} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
        fit(&i.event, 18),
        fmt_small(i.p),
        fmt_small(i.removes),
        fmt_small(i.birnbaum),
        ratio(i.raw),
        ratio(i.rrw),
        i.fussell_vesely
            .map_or("-".to_string(), |x| format!("{x:.3}"))
    )
}

fn write_importance(r: &AnalysisReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    let shown = top.min(r.importance.len());
    writeln!(
        out,
        "\nWhat to fix first: expected impact removed if the event never happened{}",
        if shown < r.importance.len() {
            format!(" ({shown} of {})", r.importance.len())
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "  {:<18} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "event", "P(event)", "removes", "Birnbaum", "RAW", "RRW", "FV"
    )?;
    for i in &r.importance[..shown] {
        importance_row(i, out)?;
    }
    if r.fallback.is_some() {
        writeln!(out, "  (over the services analysed exactly)")?;
    }
    Ok(())
}

fn write_cut_sets(r: &AnalysisReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    let shown = top.min(r.cut_sets.len());
    writeln!(
        out,
        "\nCut sets up to order {}: what exactly these events take down{}",
        r.cut_set_order,
        if shown < r.cut_sets.len() {
            format!(" ({shown} of {})", r.cut_sets.len())
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "  {:<34} {:>9} {:>9} {:>8} {:>9}",
        "events", "P(all)", "impact", "share", "services"
    )?;
    for c in &r.cut_sets[..shown] {
        writeln!(
            out,
            "  {:<34} {:>9} {:>9} {:>8} {:>9}",
            fit(&c.events.join(" + "), 34),
            fmt_small(c.probability),
            fmt_weight(c.impact),
            pct(c.share),
            c.services
        )?;
    }
    Ok(())
}

fn write_services(r: &AnalysisReport, top: usize, out: &mut dyn Write) -> io::Result<()> {
    // The report may hold only the rows shown (`analyze`); the summary
    // counts them all.
    let (shown, more) = shown_of(top, r.summary.services);
    writeln!(out, "\nRiskiest services{more}")?;
    writeln!(
        out,
        "  {:<26} {:>12} {:>7}  riskiest event",
        "service", "P(unreach.)", "method"
    )?;
    for svc in r.services.iter().take(shown) {
        let lead = svc
            .importance
            .first()
            .map_or(String::new(), |i| i.event.clone());
        writeln!(
            out,
            "  {:<26} {:>12} {:>7}  {}",
            fit(&svc.id, 26),
            fmt_small(svc.p_unreachable),
            match svc.method {
                ServiceMethod::Exact => "exact",
                ServiceMethod::MonteCarlo => "MC",
            },
            fit(&lead, 26)
        )?;
    }
    Ok(())
}
