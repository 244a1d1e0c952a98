//! The comparison: dnsim's figures beside each real resolver's, the
//! tolerances the testbed holds dnsim to, and the Markdown table
//! docs/testbed.md carries.

use std::fmt::Write as _;

use crate::bed::Figures;
use crate::daemon::Resolver;
use crate::experiment::Experiment;

/// dnsim's answered share must be within this of a real resolver's.
pub const ANSWERED_TOLERANCE: f64 = 0.1;
/// dnsim's load must be within this factor of a real resolver's.
pub const LOAD_FACTOR: f64 = 2.0;

pub struct Row {
    pub experiment: Experiment,
    pub dnsim: Figures,
    pub real: Vec<(Resolver, Result<Figures, String>)>,
}

/// Whether dnsim's figures are within tolerance of a real resolver's; the
/// reasons when they are not.
pub fn verdict(dnsim: &Figures, real: &Figures) -> Result<(), String> {
    let mut gaps = Vec::new();
    if (dnsim.answered - real.answered).abs() > ANSWERED_TOLERANCE {
        gaps.push(format!(
            "answered {:.2} vs {:.2}",
            dnsim.answered, real.answered
        ));
    }
    let within = |a: f64, b: f64| a <= b * LOAD_FACTOR && b <= a * LOAD_FACTOR;
    if !within(dnsim.load, real.load) {
        gaps.push(format!("load {:.1}x vs {:.1}x", dnsim.load, real.load));
    }
    if gaps.is_empty() {
        Ok(())
    } else {
        Err(gaps.join(", "))
    }
}

/// The Markdown table: one row per experiment, answered share, load and
/// added latency for dnsim and each resolver, and whether each resolver's
/// row is within tolerance.
pub fn markdown(rows: &[Row]) -> String {
    let resolvers: Vec<Resolver> = rows
        .first()
        .map(|r| r.real.iter().map(|(k, _)| *k).collect())
        .unwrap_or_default();
    let mut out = String::from("| experiment | answered: dnsim");
    let names: Vec<&str> = resolvers.iter().map(|r| r.label()).collect();
    for n in &names {
        write!(out, " | {n}").unwrap();
    }
    out.push_str(" | load: dnsim");
    for n in &names {
        write!(out, " | {n}").unwrap();
    }
    out.push_str(" | latency ms: dnsim");
    for n in &names {
        write!(out, " | {n}").unwrap();
    }
    out.push_str(" | within tolerance |\n|---");
    for _ in 0..3 * (1 + names.len()) + 1 {
        out.push_str("|---");
    }
    out.push_str("|\n");
    for row in rows {
        write!(out, "| {} | {:.2}", row.experiment.name, row.dnsim.answered).unwrap();
        let cell = |f: &dyn Fn(&Figures) -> String, out: &mut String| {
            for (_, r) in &row.real {
                match r {
                    Ok(fig) => write!(out, " | {}", f(fig)).unwrap(),
                    Err(_) => out.push_str(" | —"),
                }
            }
        };
        cell(&|f| format!("{:.2}", f.answered), &mut out);
        write!(out, " | {:.1}x", row.dnsim.load).unwrap();
        cell(&|f| format!("{:.1}x", f.load), &mut out);
        write!(out, " | {:.0}", row.dnsim.latency_ms).unwrap();
        cell(&|f| format!("{:.0}", f.latency_ms), &mut out);
        let verdicts: Vec<String> = row
            .real
            .iter()
            .map(|(k, r)| match r {
                Ok(fig) => match verdict(&row.dnsim, fig) {
                    Ok(()) => format!("{}: yes", k.label()),
                    Err(why) => format!("{}: no ({why})", k.label()),
                },
                Err(e) => format!("{}: not run ({e})", k.label()),
            })
            .collect();
        writeln!(out, " | {} |", verdicts.join("; ")).unwrap();
    }
    out
}
