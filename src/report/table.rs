//! The terminal table: summary, riskiest services, providers. Fits 80
//! columns.

use std::io::{self, Write};

use super::{Exporter, event_heading, fit, fmt_clock, fmt_small, fmt_weight, pct, shown_of};
use crate::report::trials;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct Table {
    pub top: usize,
    /// The terminal's width, at least 80 ([`WIDTH`]): service and provider
    /// ids get what is beyond 80 columns.
    pub width: usize,
}

impl Table {
    pub const DEFAULT_TOP: usize = 20;

    /// Columns beyond 80, given to the id columns.
    fn extra(&self) -> usize {
        self.width.saturating_sub(WIDTH)
    }
}

/// The width the table fits when the terminal's is not known.
pub const WIDTH: usize = 80;

const SPARK_WIDTH: usize = 48;
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

impl Table {
    /// Downtime minutes per region for the shown services, when the regions
    /// fit the width (JSON and CSV always have them).
    fn by_region(&self, r: &TimelineReport, shown: usize, out: &mut dyn Write) -> io::Result<()> {
        const MAX: usize = 5;
        if r.regions.len() < 2 || shown == 0 {
            return Ok(());
        }
        let regions = &r.regions[..r.regions.len().min(MAX)];
        let more = if r.regions.len() > MAX {
            format!(" (first {MAX} of {}; see --format json)", r.regions.len())
        } else {
            String::new()
        };
        writeln!(out, "\nDowntime minutes by region{more}")?;
        write!(out, "  {:<w$}", "service", w = 26 + self.extra())?;
        for reg in regions {
            write!(out, " {:>9}", fit(&reg.id, 9))?;
        }
        writeln!(out)?;
        for row in &r.services[..shown] {
            write!(
                out,
                "  {:<w$}",
                fit(&row.id, 26 + self.extra()),
                w = 26 + self.extra()
            )?;
            for reg in regions {
                write!(out, " {:>9.1}", row.regions[&reg.id].downtime_minutes)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    /// One sparkline per shown service, in the region where it failed most:
    /// the failed share of lookups over time, each column the worst step it
    /// covers, with the scheduled events marked underneath.
    fn sparklines(&self, r: &TimelineReport, shown: usize, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<_> = r.services[..shown]
            .iter()
            .filter(|s| s.failed_share > 0.0)
            .filter_map(|s| s.series.as_ref().map(|series| (s, series)))
            .collect();
        let Some((_, first)) = rows.first() else {
            return Ok(());
        };
        let steps = first.failed_share.values().next().map_or(0, Vec::len);
        if steps == 0 {
            return Ok(());
        }
        let cols = SPARK_WIDTH.min(steps);
        let per_col = r.horizon_seconds / cols as f64;
        let column_of = |k: usize| k * cols / steps;
        writeln!(
            out,
            "\nFailed lookups over time, worst region (a column is {}; █ = all failed)",
            fmt_clock(per_col, None).trim_start_matches('+')
        )?;
        for (s, series) in rows {
            let (region, values) = series
                .failed_share
                .iter()
                .max_by(|a, b| a.1.iter().sum::<f64>().total_cmp(&b.1.iter().sum::<f64>()))
                .expect("a series has regions");
            let mut col = vec![0.0f64; cols];
            for (k, v) in values.iter().enumerate() {
                let c = column_of(k);
                col[c] = col[c].max(*v);
            }
            let line: String = col
                .iter()
                .map(|&v| {
                    if v <= 0.0 {
                        ' '
                    } else {
                        BARS[((v * 8.0).ceil() as usize).clamp(1, 8) - 1]
                    }
                })
                .collect();
            writeln!(
                out,
                "  {:<18} {:<10} {line}",
                fit(&s.id, 18),
                fit(region, 10)
            )?;
        }
        if !r.events.is_empty() {
            let marks: String = (0..cols)
                .map(|c| {
                    let (a, b) = (c as f64 * per_col, (c + 1) as f64 * per_col);
                    if r.events
                        .iter()
                        .any(|e| e.start_seconds < b && a < e.end_seconds)
                    {
                        '^'
                    } else {
                        ' '
                    }
                })
                .collect();
            writeln!(out, "  {:<18} {:<10} {marks}", "", "events")?;
        }
        Ok(())
    }
}

impl Exporter for Table {
    fn timeline(&self, r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "{}", fit(&r.scenario, self.width))?;
        let horizon = fmt_clock(r.horizon_seconds, None);
        writeln!(
            out,
            "{}",
            fit(
                &format!(
                    "timeline model · {} · seed {} · horizon {} · {} resolvers/region",
                    trials(r.trials),
                    r.seed,
                    horizon.trim_start_matches('+'),
                    r.resolvers_per_region
                ),
                WIDTH
            )
        )?;
        if !r.fail.is_empty() {
            writeln!(
                out,
                "{}",
                fit(
                    &format!("forced down all along: {}", r.fail.join(", ")),
                    WIDTH
                )
            )?;
        }
        let s = &r.summary;
        writeln!(out, "\nSummary (weight-averaged over services)")?;
        writeln!(
            out,
            "  failed lookups           {:>12}",
            pct(s.failed_share)
        )?;
        writeln!(
            out,
            "  downtime                 {:>12}  over {}",
            format!("{:.2} min", s.downtime_minutes),
            horizon.trim_start_matches('+')
        )?;
        writeln!(
            out,
            "  added latency            {:>12}  per lookup",
            format!("{:.2} ms", s.added_latency_ms)
        )?;
        timeline_events(r, out)?;
        self.timeline_services(r, out)?;
        Ok(())
    }

    fn snapshot(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let exact = r.method_note().map_or(String::new(), |n| format!(" ({n})"));
        writeln!(out, "{}", fit(&r.scenario, self.width))?;
        writeln!(
            out,
            "snapshot model · {}{exact} · seed {}",
            trials(r.trials),
            r.seed
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
            "  P(a user finds anything down)   {:>10}",
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
        self.snapshot_services(r, out)?;
        self.snapshot_providers(r, out)?;
        Ok(())
    }
}

/// `authoritative_load` as a multiple of normal.
pub(super) fn load(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |l| format!("{l:.1}x"))
}

fn timeline_events(r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
    for e in &r.events {
        let head = format!("\n{}", event_heading(e, r.start_unix));
        writeln!(out, "{}", fit(&head, WIDTH + 1))?;
        writeln!(
            out,
            "  {:<16} {:>14} {:>16} {:>16} {:>8}",
            "region", "failed lookups", "weight >10% lost", "weight >50% lost", "load"
        )?;
        for (region, x) in &e.by_region {
            writeln!(
                out,
                "  {:<16} {:>14} {:>16} {:>16} {:>8}",
                fit(region, 16),
                pct(x.failed_share),
                pct(x.weight_over_10pct_failed),
                pct(x.weight_mostly_failed),
                load(x.authoritative_load)
            )?;
        }
    }
    Ok(())
}

impl Table {
    fn timeline_services(&self, r: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        let (shown, more) = shown_of(self.top, r.services.len());
        writeln!(out, "\nServices, worst first{more}")?;
        writeln!(
            out,
            "  {:<w$} {:>9}  {:<19} {:>6} {:>7} {:>7}",
            "service",
            "down min",
            "95% interval",
            "nines",
            "failed",
            "+ms",
            w = 26 + self.extra()
        )?;
        for row in &r.services[..shown] {
            let ci = format!(
                "[{:.1}, {:.1}]",
                row.downtime_minutes_ci95[0], row.downtime_minutes_ci95[1]
            );
            writeln!(
                out,
                "  {:<w$} {:>9.1}  {:<19} {:>6} {:>7} {:>7.1}",
                fit(&row.id, 26 + self.extra()),
                row.downtime_minutes,
                fit(&ci, 19),
                row.nines.map_or("∞".to_string(), |n| format!("{n:.2}")),
                pct(row.failed_share),
                row.added_latency_ms,
                w = 26 + self.extra()
            )?;
        }
        self.by_region(r, shown, out)?;
        self.wall_clock(r, shown, out)?;
        self.sparklines(r, shown, out)
    }

    /// Wall-clock minutes beside the lookup-weighted downtime, for the
    /// shown services that failed at all (when the run kept a series).
    fn wall_clock(&self, r: &TimelineReport, shown: usize, out: &mut dyn Write) -> io::Result<()> {
        let rows: Vec<_> = r.services[..shown]
            .iter()
            .filter(|s| s.failed_share > 0.0)
            .filter_map(|s| s.wall_clock.as_ref().map(|w| (s, w)))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "\nWall-clock minutes a trial (regions by share): lookups failing"
        )?;
        writeln!(
            out,
            "  {:<w$} {:>10} {:>10} {:>18}",
            "service",
            "over 10%",
            "over 50%",
            "longest over 50%",
            w = 26 + self.extra()
        )?;
        for (s, w) in rows {
            writeln!(
                out,
                "  {:<x$} {:>10.1} {:>10.1} {:>18.1}",
                fit(&s.id, 26 + self.extra()),
                w.minutes_over_10pct,
                w.minutes_over_50pct,
                w.longest_over_50pct_minutes,
                x = 26 + self.extra()
            )?;
        }
        Ok(())
    }

    fn snapshot_services(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        // The report may hold only the rows shown (`run`); the summary
        // counts them all.
        let (shown, more) = shown_of(self.top, r.summary.services);
        writeln!(out, "\nServices, riskiest first{more}")?;
        writeln!(
            out,
            "  {:<w$} {:>10}  {:<23} {:>9}",
            "service",
            "P(unreach)",
            "95% interval",
            "weight",
            w = 30 + self.extra()
        )?;
        for row in r.services.iter().take(shown) {
            let ci = format!("[{}, {}]", fmt_small(row.ci95[0]), fmt_small(row.ci95[1]));
            writeln!(
                out,
                "  {:<w$} {:>10}  {:<23} {:>9}",
                fit(&row.id, 30 + self.extra()),
                fmt_small(row.p_unreachable),
                ci,
                fit(&fmt_weight(row.weight), 9),
                w = 30 + self.extra()
            )?;
        }
        Ok(())
    }

    fn snapshot_providers(&self, r: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
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
            "  {:<w$} {:>10}  {:>16} {:>15}",
            "provider",
            "P(down)",
            "impact alone",
            "services alone",
            w = 30 + self.extra()
        )?;
        let total = r.summary.total_weight;
        for p in &r.providers[..shown_p] {
            let share = if total > 0.0 {
                format!(" ({:.0}%)", 100.0 * p.single_failure_impact / total)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {:<w$} {:>10}  {:>16} {:>15}",
                fit(&p.id, 30 + self.extra()),
                fmt_small(p.p_down),
                fit(
                    &format!("{}{share}", fmt_weight(p.single_failure_impact)),
                    16
                ),
                p.single_failure_services,
                w = 30 + self.extra()
            )?;
        }
        Ok(())
    }
}
