//! JSON: the report struct serialised as is (spec §6).

use std::io::{self, Write};

use super::Exporter;
use crate::results::SnapshotReport;

pub struct Json;

impl Exporter for Json {
    fn write(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        writeln!(out)
    }
}
