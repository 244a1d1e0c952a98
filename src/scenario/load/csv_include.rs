//! `[[include]] services = "services.csv"`: bulk services from a CSV file.
//!
//! Columns are matched by header name; `id` and `dns` are required, list
//! cells are `;`-separated and empty cells take defaults (spec §1). Errors
//! name the CSV file, its line, and the field number as the column.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::resolve::Pending;
use super::values::{check_id_text, check_non_negative, duration_value, seconds_u32};
use super::written::{CsvFile, Place, Written, cell_names};
use crate::error::{InputError, did_you_mean};
use crate::scenario::Service;

const COLUMNS: &[&str] = &[
    "id",
    "dns",
    "standby",
    "ttl",
    "ns_ttl",
    "delegation_ttl",
    "query_rate",
    "weight",
    "requires",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Id,
    Dns,
    Standby,
    Ttl,
    NsTtl,
    DelegationTtl,
    QueryRate,
    Weight,
    Requires,
}

const COLS: [Col; 9] = [
    Col::Id,
    Col::Dns,
    Col::Standby,
    Col::Ttl,
    Col::NsTtl,
    Col::DelegationTtl,
    Col::QueryRate,
    Col::Weight,
    Col::Requires,
];

/// Rows read before the file's size is turned into room for the rest.
const SAMPLE_ROWS: usize = 4096;

/// Reads the services of the CSV at `path` from `input`, a stream of it
/// (a file of millions of rows is not held whole) of `size` bytes, when
/// known: once the first rows say how long a row is, room for the rest is
/// made at once, so that the lists are not copied each time they double
/// (which for ten million services held the old list and the new one, 2.4
/// GB, at the same time).
pub(super) fn read(
    path: &Path,
    input: impl Read,
    size: Option<u64>,
    provider_index: impl Fn(&str) -> Result<u32, String>,
    out: &mut Pending,
) -> Result<(), InputError> {
    let file = Arc::new(path.to_path_buf());
    // Cells are trimmed as they are read (`str::trim`, what the csv crate's
    // `Trim::All` leaves on a string record), not by the reader, which
    // copies every record to trim it, twice.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(input);
    let headers = reader.headers().map_err(|e| csv_error(path, &e))?.clone();
    let columns = columns(path, &headers)?;
    let id_at = columns.iter().position(|c| *c == Some(Col::Id));
    let at = |col| columns.iter().position(|c| *c == Some(col));
    let column = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    let csv_file = Arc::new(CsvFile {
        path: file.clone(),
        id_column: at(Col::Id).map_or(1, column),
        requires_column: at(Col::Requires).map_or(1, column),
    });
    let mut record = csv::StringRecord::new();
    let mut rows = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(path, &e)),
        }
        rows += 1;
        if rows == SAMPLE_ROWS
            && let Some(size) = size
        {
            out.expect(rows, reader.position().byte(), size);
        }
        // A part's second pass: a row it drops is not read further.
        if id_at.is_some_and(|at| out.keep.drops(record.get(at).unwrap_or("").trim())) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let mut service = Service::new("", Vec::new());
        let mut requires = "";
        for (i, (cell, col)) in record.iter().zip(&columns).enumerate() {
            let cell = cell.trim();
            let column = i + 1;
            let Some(col) = *col else { continue };
            let fail = |m: String| cell_error(path, line, column, col, m);
            if cell.is_empty() && !matches!(col, Col::Id | Col::Dns) {
                continue;
            }
            match col {
                Col::Id => {
                    check_id_text(cell).map_err(fail)?;
                    service.id = cell.into();
                }
                Col::Requires => requires = cell,
                _ => set_cell(&mut service, col, cell, &provider_index).map_err(fail)?,
            }
        }
        // Rows of a large plan keep their `requires` cell until every
        // service is known: the text, not a list of names and places.
        let place = Place::Csv {
            file: csv_file.clone(),
            line,
        };
        out.push((service, Written::row(place, requires)));
    }
    Ok(())
}

fn name_of(col: Col) -> &'static str {
    COLUMNS[COLS.iter().position(|c| *c == col).unwrap_or(0)]
}

fn cell_error(path: &Path, line: u64, column: usize, col: Col, msg: String) -> InputError {
    InputError::new(msg)
        .in_file(path)
        .at(line as usize, column)
        .with_key(name_of(col))
}

/// The header's columns, each known and present once, `id` and `dns`
/// among them.
fn columns(path: &Path, headers: &csv::StringRecord) -> Result<Vec<Option<Col>>, InputError> {
    let err = |column: usize, key: &str, msg: String| {
        InputError::new(msg)
            .in_file(path)
            .at(1, column)
            .with_key(key)
    };
    let mut columns = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim();
        match COLUMNS.iter().position(|c| *c == h) {
            Some(k) if columns.contains(&Some(COLS[k])) => {
                return Err(err(
                    i + 1,
                    h,
                    format!("column \"{h}\" appears twice in the header"),
                ));
            }
            Some(k) => columns.push(Some(COLS[k])),
            None => {
                let hint = did_you_mean(h, COLUMNS.iter().copied()).map_or_else(
                    || format!(" (expected: {})", COLUMNS.join(", ")),
                    |s| format!(" (did you mean \"{s}\"?)"),
                );
                return Err(err(i + 1, h, format!("unknown column \"{h}\"{hint}")));
            }
        }
    }
    for required in [Col::Id, Col::Dns] {
        if !columns.contains(&Some(required)) {
            let name = name_of(required);
            return Err(err(
                1,
                name,
                format!("the header has no \"{name}\" column; \"id\" and \"dns\" are required"),
            ));
        }
    }
    Ok(columns)
}

/// Sets the value of a cell (not `id`, not `requires`) on `service`.
fn set_cell(
    service: &mut Service,
    col: Col,
    cell: &str,
    provider_index: &impl Fn(&str) -> Result<u32, String>,
) -> Result<(), String> {
    match col {
        Col::Dns | Col::Standby => {
            let mut set = Vec::new();
            for name in cell_names(cell) {
                let p = provider_index(name)?;
                if set.contains(&p) {
                    return Err(format!("provider \"{name}\" is listed twice"));
                }
                set.push(p);
            }
            if col == Col::Dns {
                if set.is_empty() {
                    return Err(
                        "empty dns cell: delegate the service to at least one provider".into(),
                    );
                }
                service.dns = set.into();
            } else {
                service.set_standby(set);
            }
        }
        Col::Ttl | Col::NsTtl | Col::DelegationTtl => {
            let value = match cell.parse::<i64>() {
                Ok(n) => toml::Value::Integer(n),
                Err(_) => toml::Value::String(cell.to_string()),
            };
            let secs = duration_value(&value).and_then(seconds_u32)?;
            match col {
                Col::Ttl => service.ttl = secs,
                Col::NsTtl => service.ns_ttl = secs,
                _ => service.delegation_ttl = secs,
            }
        }
        Col::QueryRate | Col::Weight => {
            let x: f64 = cell
                .parse()
                .map_err(|_| format!("expected a number, got \"{cell}\""))?;
            let x = check_non_negative(x)?;
            if col == Col::Weight {
                service.weight = x;
            } else {
                service.query_rate = x;
            }
        }
        // `read` handles these two itself.
        Col::Id | Col::Requires => {}
    }
    Ok(())
}

fn csv_error(path: &Path, e: &csv::Error) -> InputError {
    // Errors only: the file again, whole, to see where a quote opened.
    let text = crate::files::read_text(path).unwrap_or_default();
    let line = e.position().map_or(1, |p| p.line() as usize);
    let byte = e.position().map_or(0, |p| p.byte() as usize);
    let message = match e.kind() {
        // The csv crate reads an unclosed quote to the end of the file: the
        // record then comes up short. An odd number of quotes from its start
        // on says what really happened.
        csv::ErrorKind::UnequalLengths { .. }
            if text
                .get(byte..)
                .is_some_and(|rest| rest.matches('"').count() % 2 == 1) =>
        {
            "a quoted field here has no closing quote (\"), so it runs to the end of the file"
                .to_string()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => format!("malformed CSV: {e}"),
    };
    InputError::new(message).in_file(path).at_line(line)
}
