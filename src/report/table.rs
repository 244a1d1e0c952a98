//! The terminal table: summary, riskiest services, providers. Fits 80
//! columns.

use std::io::{self, Write};

use super::{Exporter, fmt_small, fmt_weight};
use crate::results::SnapshotReport;

pub struct Table {
    pub top: usize,
}

impl Table {
    pub const DEFAULT_TOP: usize = 20;
}

const WIDTH: usize = 80;

/// Shortens `s` to `n` characters, marking the cut.
fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

impl Exporter for Table {
    fn write(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let exact = if r.exact {
            " (exact: every event certain)"
        } else {
            ""
        };
        writeln!(out, "{}", fit(&r.scenario, WIDTH))?;
        writeln!(
            out,
            "snapshot model · {} trials{exact} · seed {}",
            r.trials, r.seed
        )?;
        if !r.fail.is_empty() {
            writeln!(
                out,
                "{}",
                fit(&format!("forced down: {}", r.fail.join(", ")), WIDTH)
            )?;
        }
        let s = &r.summary;
        let q = &s.impact_quantiles;
        writeln!(out, "\nSummary")?;
        writeln!(out, "  services                        {:>10}", s.services)?;
        writeln!(
            out,
            "  total weight                    {:>10}",
            fmt_weight(s.total_weight)
        )?;
        writeln!(
            out,
            "  expected unreachable services   {:>10}",
            fmt_small(s.expected_unreachable)
        )?;
        writeln!(
            out,
            "  expected impact (weight)        {:>10}",
            fmt_small(s.expected_impact)
        )?;
        writeln!(
            out,
            "  P(anything unreachable)         {:>10}",
            fmt_small(s.p_any_unreachable)
        )?;
        writeln!(
            out,
            "  impact per trial   p50 {}  p90 {}  p99 {}  p99.9 {}",
            fmt_weight(q.p50),
            fmt_weight(q.p90),
            fmt_weight(q.p99),
            fmt_weight(q.p999)
        )?;

        let shown = self.top.min(r.services.len());
        let more = if shown < r.services.len() {
            format!(" ({shown} of {}; --top N for more)", r.services.len())
        } else {
            String::new()
        };
        writeln!(out, "\nServices, riskiest first{more}")?;
        writeln!(
            out,
            "  {:<30} {:>10}  {:<23} {:>9}",
            "service", "P(unreach)", "95% interval", "weight"
        )?;
        for row in &r.services[..shown] {
            let ci = format!("[{}, {}]", fmt_small(row.ci95[0]), fmt_small(row.ci95[1]));
            writeln!(
                out,
                "  {:<30} {:>10}  {:<23} {:>9}",
                fit(&row.id, 30),
                fmt_small(row.p_unreachable),
                ci,
                fit(&fmt_weight(row.weight), 9)
            )?;
        }

        let shown_p = self.top.min(r.providers.len());
        let more_p = if shown_p < r.providers.len() {
            format!(" ({shown_p} of {})", r.providers.len())
        } else {
            String::new()
        };
        writeln!(
            out,
            "\nProviders, by what their failure alone takes down{more_p}"
        )?;
        writeln!(
            out,
            "  {:<30} {:>10}  {:>16} {:>15}",
            "provider", "P(down)", "impact alone", "services alone"
        )?;
        let total = s.total_weight;
        for p in &r.providers[..shown_p] {
            let share = if total > 0.0 {
                format!(" ({:.0}%)", 100.0 * p.single_failure_impact / total)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {:<30} {:>10}  {:>16} {:>15}",
                fit(&p.id, 30),
                fmt_small(p.p_down),
                fit(
                    &format!("{}{share}", fmt_weight(p.single_failure_impact)),
                    16
                ),
                p.single_failure_services
            )?;
        }
        Ok(())
    }
}
