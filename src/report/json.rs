//! JSON: the report struct serialised as is (spec §6).

use std::io::{self, Write};

use super::Exporter;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct Json;

/// Pretty JSON and a newline.
pub fn write_json(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes token by token: into a buffer of a known type, so
    // that each small write is a copy rather than a call through `out`.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

/// Compact JSON on one line (partial results, checkpoints), buffered as
/// [`write_json`] is.
pub fn write_json_line(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    out.flush()
}

impl Exporter for Json {
    fn snapshot(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        write_json(report, out)
    }

    fn timeline(&self, report: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        write_json(report, out)
    }
}
