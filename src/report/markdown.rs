//! Markdown: the summary and the per-service rows, for a pull request or a
//! wiki page.

use std::io::{self, Write};

use super::{Exporter, event_heading, fmt_clock, fmt_small, fmt_weight, pct};
use crate::report::trials;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct Markdown {
    pub top: Option<usize>,
}

impl Markdown {
    /// How many of `len` service rows to show: `--top`, or all.
    fn shown(&self, len: usize) -> usize {
        self.top.unwrap_or(len).min(len)
    }
}

/// The note under a cut table.
fn not_shown(out: &mut dyn Write, hidden: usize) -> io::Result<()> {
    if hidden > 0 {
        writeln!(out, "\n{hidden} more services not shown.")?;
    }
    Ok(())
}

impl Exporter for Markdown {
    fn timeline(&self, r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "# dnsim: {}\n", r.scenario)?;
        provenance(&r.description, &r.sources, out)?;
        writeln!(
            out,
            "Timeline model, {}, seed {}, horizon {}, {} resolvers per region.",
            trials(r.trials),
            r.seed,
            fmt_clock(r.horizon_seconds, None).trim_start_matches('+'),
            r.resolvers_per_region
        )?;
        if !r.fail.is_empty() {
            writeln!(
                out,
                "Forced down for the whole horizon: {}.",
                r.fail.join(", ")
            )?;
        }
        let s = &r.summary;
        writeln!(out, "\n| summary (weight-averaged) | value |\n|---|---:|")?;
        writeln!(out, "| failed lookups | {} |", pct(s.failed_share))?;
        writeln!(out, "| downtime (minutes) | {:.2} |", s.downtime_minutes)?;
        writeln!(
            out,
            "| added latency (ms per lookup) | {:.2} |",
            s.added_latency_ms
        )?;
        for e in &r.events {
            writeln!(out, "\n**{}**\n", event_heading(e, r.start_unix))?;
            writeln!(
                out,
                "| region | failed lookups | weight with >10% lost | weight with >50% lost | authoritative load |\n|---|---:|---:|---:|---:|"
            )?;
            for (region, x) in &e.by_region {
                let (a, b, c, d) = (
                    pct(x.failed_share),
                    pct(x.weight_over_10pct_failed),
                    pct(x.weight_mostly_failed),
                    super::table::load(x.authoritative_load),
                );
                writeln!(out, "| {region} | {a} | {b} | {c} | {d} |")?;
            }
        }
        writeln!(
            out,
            "\n| service | weight | downtime (min) | 95% interval | nines | failed lookups | added latency (ms) |"
        )?;
        writeln!(out, "|---|---:|---:|---|---:|---:|---:|")?;
        let shown = self.shown(r.services.len());
        for row in &r.services[..shown] {
            writeln!(
                out,
                "| {} | {} | {:.2} | [{:.2}, {:.2}] | {} | {} | {:.2} |",
                row.id.replace('|', "\\|"),
                fmt_weight(row.weight),
                row.downtime_minutes,
                row.downtime_minutes_ci95[0],
                row.downtime_minutes_ci95[1],
                row.nines.map_or("∞".to_string(), |n| format!("{n:.2}")),
                pct(row.failed_share),
                row.added_latency_ms
            )?;
        }
        not_shown(out, r.services.len() - shown)?;
        let walls: Vec<_> = r.services[..shown]
            .iter()
            .filter(|s| s.failed_share > 0.0)
            .filter_map(|s| s.wall_clock.as_ref().map(|w| (s, w)))
            .collect();
        if !walls.is_empty() {
            writeln!(
                out,
                "\nWall-clock minutes a trial (regions by share) with more than 10% and 50% of lookups failing, and the longest stretch over 50%:\n"
            )?;
            writeln!(out, "| service | over 10% | over 50% | longest over 50% |")?;
            writeln!(out, "|---|---:|---:|---:|")?;
            for (s, w) in walls {
                writeln!(
                    out,
                    "| {} | {:.1} | {:.1} | {:.1} |",
                    s.id.replace('|', "\\|"),
                    w.minutes_over_10pct,
                    w.minutes_over_50pct,
                    w.longest_over_50pct_minutes
                )?;
            }
        }
        Ok(())
    }

    fn snapshot(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "# dnsim: {}\n", r.scenario)?;
        provenance(&r.description, &r.sources, out)?;
        let exact = r.method_note().map_or(String::new(), |n| format!(", {n}"));
        writeln!(
            out,
            "Snapshot model, {}{exact}, seed {}.",
            trials(r.trials),
            r.seed
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
            "| P(a user finds anything down), regions by share | {} |",
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
        let shown = self.shown(r.services.len());
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
            for v in row.regions.values().iter() {
                write!(out, " {} |", fmt_small(*v))?;
            }
            writeln!(out)?;
        }
        not_shown(out, r.services.len() - shown)?;
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

/// The scenario's description and its sources, under the title.
fn provenance(description: &str, sources: &[String], out: &mut dyn Write) -> io::Result<()> {
    if !description.is_empty() {
        writeln!(out, "{description}\n")?;
    }
    if !sources.is_empty() {
        writeln!(out, "Sources: {}\n", sources.join(" · "))?;
    }
    Ok(())
}
