//! JSON: the report struct serialised as is (spec §6).

use std::io::{self, Write};

use rayon::prelude::*;

use super::Exporter;
use crate::results::{MadeRows, SnapshotReport, TimelineReport};

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

/// [`write_json`] of a run's `report`, whose `services` are `rows` (the
/// report given has none: its `services` is an empty list, written as
/// `[]`, which is where the rows go; a snapshot report is the one whose
/// layout this knows):
/// the rows are made a few thousand at a time, written as JSON a few
/// hundred at a time by each core, and put in place in order. The same
/// bytes as [`write_json`] of the report with its rows (a test in
/// `engine.rs` holds them so). serde_json writes one row at a time on
/// one thread: for the 100K plan's `run`, the JSON took 145-153 ms of the
/// run's 270-310 ms that way, and takes 120-127 ms this way
/// (docs/performance.md).
/// `analyze` keeps [`write_json`]: its rows, over a kilobyte each, held
/// 10-30 MB more this way at a million services (docs/performance.md).
pub fn write_json_rows(
    report: &SnapshotReport,
    rows: &impl MadeRows,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = serde_json::to_string_pretty(report)?;
    // A top-level key is indented once, and the report has one `services`.
    const EMPTY: &str = "\n  \"services\": []";
    let Some(at) = text.find(EMPTY) else {
        return Err(io::Error::other(
            "a report without its service rows has no empty list of them",
        ));
    };
    let open = at + EMPTY.len() - 1;
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let order = rows.order();
    if order.is_empty() {
        out.write_all(text.as_bytes())?;
    } else {
        out.write_all(&text.as_bytes()[..open])?;
        // Rows are made a group at a time, then written by a few tasks on
        // every core.
        for (k, group) in order.chunks(MADE_ROWS).enumerate() {
            let made = rows.make(group);
            let written: Vec<Vec<u8>> = made
                .par_chunks(ROWS_A_TASK)
                .enumerate()
                .map(|(i, rows)| rows_text(rows, k == 0 && i == 0))
                .collect::<io::Result<_>>()?;
            for text in &written {
                out.write_all(text)?;
            }
        }
        out.write_all(b"\n  ]")?;
        out.write_all(&text.as_bytes()[open + 1..])?;
    }
    writeln!(out)?;
    out.flush()
}

/// Rows made together.
const MADE_ROWS: usize = 4096;
/// Rows written together by one task.
const ROWS_A_TASK: usize = 256;

/// `rows` as elements of the report's `services` list, as `write_json`
/// writes them: each on a new line, indented twice, after a comma but for
/// the list's first. A row's own pretty JSON gets the indent at each of
/// its line ends (JSON text holds a line end only between tokens: one in
/// a string is written `\n`).
fn rows_text(rows: &[impl serde::Serialize], first: bool) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    let mut row_text = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        row_text.clear();
        serde_json::to_writer_pretty(&mut row_text, row)?;
        let start: &[u8] = if first && i == 0 { b"\n" } else { b",\n" };
        text.extend_from_slice(start);
        text.extend_from_slice(ROW_INDENT);
        let mut from = 0;
        for end in memchr::memchr_iter(b'\n', &row_text) {
            text.extend_from_slice(&row_text[from..=end]);
            text.extend_from_slice(ROW_INDENT);
            from = end + 1;
        }
        text.extend_from_slice(&row_text[from..]);
    }
    Ok(text)
}

/// The indent of a row of the report's `services` list, two levels.
const ROW_INDENT: &[u8] = b"    ";

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
