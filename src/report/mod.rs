//! Writing results: one file per format behind one small trait.

pub mod analysis;
pub mod check;
pub mod compare;
mod csv;
pub mod html;
mod json;
mod markdown;
mod series_csv;
pub mod sweep;
mod table;

use std::io::{self, Write};

use crate::results::{EventRow, Report, SnapshotReport, TimelineReport};

pub use self::csv::Csv;
pub use self::html::Html;
pub use self::json::{Json, write_json, write_json_line, write_json_rows};
pub use self::markdown::Markdown;
pub use self::series_csv::SeriesCsv;
pub use self::table::Table;

impl Report {
    /// Writes the report in the exporter's format.
    pub fn write(&self, exporter: &dyn Exporter, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Report::Snapshot(r) => exporter.snapshot(r, out),
            Report::Timeline(r) => exporter.timeline(r, out),
        }
    }
}

/// An output format.
pub trait Exporter {
    fn snapshot(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()>;
    fn timeline(&self, report: &TimelineReport, out: &mut dyn Write) -> io::Result<()>;
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
    /// Timeline only: the failed-share series, one row per service, region
    /// and step.
    SeriesCsv,
}

impl Format {
    /// The exporter for this format; `top` limits the rows of the formats
    /// people read (table and markdown).
    pub fn exporter(self, top: Option<usize>) -> Box<dyn Exporter> {
        self.exporter_for(top, None)
    }

    /// [`Self::exporter`] for a terminal `width` columns wide: the table
    /// gives its id columns what is beyond 80.
    pub fn exporter_for(self, top: Option<usize>, width: Option<usize>) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(Table {
                top: top.unwrap_or(Table::DEFAULT_TOP),
                width: width.unwrap_or(table::WIDTH).max(table::WIDTH),
            }),
            Format::Json => Box::new(Json),
            Format::Csv => Box::new(Csv),
            Format::Markdown => Box::new(Markdown { top }),
            Format::SeriesCsv => Box::new(SeriesCsv),
        }
    }
}

/// A probability or small number for people: four decimals where that shows
/// it, three significant digits in scientific notation below that.
/// "1 trial", "200000 trials".
pub fn trials(n: u64) -> String {
    if n == 1 {
        "1 trial".to_string()
    } else {
        format!("{n} trials")
    }
}

pub fn fmt_small(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() >= 0.001 {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let s = format!("{x:.2e}");
        // 2.30e-4 → 2.3e-4
        match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.')),
            None => s,
        }
    }
}

/// Shortens `s` to `n` characters, marking the cut.
pub fn fit(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// A share as a percentage with sensible precision.
pub fn pct(x: f64) -> String {
    if x == 0.0 {
        "0%".into()
    } else if x < 0.0001 {
        format!("{}%", fmt_small(100.0 * x))
    } else {
        format!("{:.2}%", 100.0 * x)
    }
}

/// How many of `len` rows `top` shows, and the note saying so.
pub fn shown_of(top: usize, len: usize) -> (usize, String) {
    let shown = top.min(len);
    let note = if shown < len {
        format!(" ({shown} of {len}; --top N for more)")
    } else {
        String::new()
    };
    (shown, note)
}

/// "Event: dyn 11:10–13:20, loss 0.91, in us-east": a scheduled event's
/// heading in the tables.
pub fn event_heading(e: &EventRow, start_unix: Option<i64>) -> String {
    format!(
        "Event: {} {}–{}, loss {}, in {}",
        e.target,
        fmt_clock(e.start_seconds, start_unix),
        fmt_clock(e.end_seconds, start_unix),
        e.loss,
        e.regions.join(", ")
    )
}

/// A weight or impact: up to three decimals, trailing zeros dropped.
pub fn fmt_weight(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.001 {
        return fmt_small(x);
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An offset from t = 0 for people: a UTC clock time when the scenario
/// gives `simulation.start`, else "+1h10m".
pub fn fmt_clock(offset_secs: f64, start_unix: Option<i64>) -> String {
    match start_unix {
        Some(start) => {
            let t = start.saturating_add(offset_secs.round() as i64);
            let day = t.rem_euclid(86400);
            format!("{:02}:{:02}", day / 3600, day % 3600 / 60)
        }
        None => format!(
            "+{}",
            crate::duration::Millis((offset_secs * 1000.0).round() as u64)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_numbers_read_well() {
        assert_eq!(fmt_small(0.0), "0");
        assert_eq!(fmt_small(0.0213), "0.0213");
        assert_eq!(fmt_small(0.5), "0.5");
        assert_eq!(fmt_small(0.000231), "2.31e-4");
        assert_eq!(fmt_small(0.0002), "2e-4");
        assert_eq!(fmt_weight(14.0), "14");
        assert_eq!(fmt_weight(3.25), "3.25");
    }
}
