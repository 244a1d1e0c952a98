//! Writing results: one file per format behind one small trait.

mod csv;
mod json;
mod markdown;
mod table;

use std::io::{self, Write};

use crate::results::SnapshotReport;

pub use self::csv::Csv;
pub use self::json::Json;
pub use self::markdown::Markdown;
pub use self::table::Table;

/// An output format for snapshot results.
pub trait Exporter {
    fn write(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()>;
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
}

impl Format {
    /// The exporter for this format; `top` limits the rows of the formats
    /// people read (table and markdown).
    pub fn exporter(self, top: Option<usize>) -> Box<dyn Exporter> {
        match self {
            Format::Table => Box::new(Table {
                top: top.unwrap_or(Table::DEFAULT_TOP),
            }),
            Format::Json => Box::new(Json),
            Format::Csv => Box::new(Csv),
            Format::Markdown => Box::new(Markdown { top }),
        }
    }
}

/// A probability or small number for people: four decimals where that shows
/// it, three significant digits in scientific notation below that.
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

/// A weight or impact: up to three decimals, trailing zeros dropped.
pub fn fmt_weight(x: f64) -> String {
    if x != 0.0 && x.abs() < 0.001 {
        return fmt_small(x);
    }
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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
