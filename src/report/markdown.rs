//! Markdown: the summary and the per-service rows, for a pull request or a
//! wiki page.

use std::io::{self, Write};

use super::{Exporter, fmt_small, fmt_weight};
use crate::results::SnapshotReport;

pub struct Markdown {
    pub top: Option<usize>,
}

impl Exporter for Markdown {
    fn write(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "# dnsim: {}\n", r.scenario)?;
        let exact = if r.exact { ", exact" } else { "" };
        writeln!(
            out,
            "Snapshot model, {} trials{exact}, seed {}.",
            r.trials, r.seed
        )?;
        if !r.fail.is_empty() {
            writeln!(out, "Forced down: {}.", r.fail.join(", "))?;
        }
        let s = &r.summary;
        let q = &s.impact_quantiles;
        writeln!(out, "\n| summary | value |\n|---|---:|")?;
        writeln!(out, "| services | {} |", s.services)?;
        writeln!(out, "| total weight | {} |", fmt_weight(s.total_weight))?;
        writeln!(
            out,
            "| expected unreachable services | {} |",
            fmt_small(s.expected_unreachable)
        )?;
        writeln!(
            out,
            "| expected impact | {} |",
            fmt_small(s.expected_impact)
        )?;
        writeln!(
            out,
            "| P(any unreachable) | {} |",
            fmt_small(s.p_any_unreachable)
        )?;
        writeln!(
            out,
            "| impact p50 / p90 / p99 / p99.9 | {} / {} / {} / {} |",
            fmt_weight(q.p50),
            fmt_weight(q.p90),
            fmt_weight(q.p99),
            fmt_weight(q.p999)
        )?;
        let regions: Vec<&str> = r.regions.iter().map(|x| x.id.as_str()).collect();
        write!(
            out,
            "\n| service | weight | P(unreachable) | 95% interval |"
        )?;
        for id in &regions {
            write!(out, " {id} |")?;
        }
        write!(out, "\n|---|---:|---:|---|")?;
        for _ in &regions {
            write!(out, "---:|")?;
        }
        writeln!(out)?;
        let shown = self.top.unwrap_or(r.services.len()).min(r.services.len());
        for row in &r.services[..shown] {
            write!(
                out,
                "| {} | {} | {} | [{}, {}] |",
                row.id.replace('|', "\\|"),
                fmt_weight(row.weight),
                fmt_small(row.p_unreachable),
                fmt_small(row.ci95[0]),
                fmt_small(row.ci95[1])
            )?;
            for v in row.regions.values.iter() {
                write!(out, " {} |", fmt_small(*v))?;
            }
            writeln!(out)?;
        }
        if shown < r.services.len() {
            writeln!(
                out,
                "\n{} more services not shown.",
                r.services.len() - shown
            )?;
        }
        writeln!(
            out,
            "\n| provider | P(down) | alone takes down (impact) | services |\n|---|---:|---:|---:|"
        )?;
        for p in &r.providers {
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                p.id,
                fmt_small(p.p_down),
                fmt_weight(p.single_failure_impact),
                p.single_failure_services
            )?;
        }
        Ok(())
    }
}
