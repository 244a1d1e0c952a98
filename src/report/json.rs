//! JSON: the report struct serialised as is (spec §6).

use std::io::{self, Write};

use super::Exporter;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct Json;

fn write_json(value: &impl serde::Serialize, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

impl Exporter for Json {
    fn snapshot(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        write_json(report, out)
    }

    fn timeline(&self, report: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        write_json(report, out)
    }
}
