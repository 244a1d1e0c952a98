//! `extends = "base.toml"`: a scenario written as changes to another.
//!
//! The file's keys are applied to the base as `--set` would apply them:
//! a key of `[simulation]`, `[resolvers]` or the top level replaces the
//! base's; a `[[service]]`, `[[provider]]`, `[[region]]` or
//! `[[common_cause]]` whose `id` the base has replaces that entry's keys
//! one by one (the others stay), and one the base lacks is added whole;
//! every `[[event]]` and `[[include]]` is added. One level: a base that
//! extends another is refused. Relative paths (the base, an added
//! include) are read from the extending file's directory.
//!
//! The result is validated as one file. An error on a line the extending
//! file wrote is reported at that line of that file; any other at its
//! line of the base.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::set::{self, Edited};
use crate::error::InputError;
use crate::files::read_input;

/// A scenario composed from a base and the file that extends it.
pub struct Composed {
    /// The text to validate, and the path it is validated as (the base's,
    /// so that its includes resolve beside it).
    pub text: String,
    pub path: PathBuf,
    child: PathBuf,
    /// The `--set`-style edits, and per edit the line of the extending
    /// file that made it.
    edited: Edited,
    edit_lines: Vec<usize>,
    /// Lines of `text` appended from the extending file: (first line in
    /// `text`, its line in the file, how many).
    appended: Vec<(usize, usize, usize)>,
}

const SINGLE: &[&str] = &["simulation", "resolvers"];
const BY_ID: &[&str] = &["service", "provider", "region", "common_cause"];
const ADDED: &[&str] = &["event", "include"];

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn err_at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> InputError {
    InputError::new(message)
        .in_file(path)
        .at(line_of(text, offset), 1)
        .with_key("extends")
}

/// The base the file at `path` (holding `text`) extends, composed; `None`
/// when it extends nothing.
pub fn compose(path: &Path, text: &str) -> Result<Option<Composed>, InputError> {
    // Most files extend nothing: a key `extends` is spelt out, or written
    // with escapes in quotes, so without either the text is not parsed
    // twice (a large plan's TOML takes a sixth of a run to parse).
    if !text.contains("extends") && !text.contains("\\u") && !text.contains("\\U") {
        return Ok(None);
    }
    // A file that is not TOML is left to the loader's own messages.
    let Ok(root) = DeTable::parse(text) else {
        return Ok(None);
    };
    let root = root.get_ref();
    let Some(base_name) = root.get("extends") else {
        return Ok(None);
    };
    let Some(name) = base_name.get_ref().as_str() else {
        return Err(err_at(
            path,
            text,
            base_name.span().start,
            "extends names a file: extends = \"base.toml\"",
        ));
    };
    let dir = path.parent().unwrap_or(Path::new(""));
    let base_path = dir.join(name);
    let base_text = read_input(&base_path, "base scenario (extends)").map_err(|e| InputError {
        key: Some("extends".into()),
        ..e
    })?;
    let base_root = DeTable::parse(&base_text).map_err(|e| {
        InputError::new(format!("the base is not TOML: {e}"))
            .in_file(&base_path)
            .with_key("extends")
    })?;
    let base_root = base_root.get_ref();
    if base_root.contains_key("extends") {
        return Err(err_at(
            path,
            text,
            base_name.span().start,
            format!("{name} extends another file: extends goes one level deep"),
        ));
    }
    let value_text = |v: &toml::Spanned<DeValue>| text[v.span()].to_string();
    let mut flags: Vec<String> = Vec::new();
    let mut edit_lines = Vec::new();
    let mut added = String::new();
    let mut added_from: Vec<(usize, usize)> = Vec::new(); // (line in `added`, line in file)
    for (key, value) in root.iter() {
        let k = key.get_ref().as_ref();
        match (k, value.get_ref()) {
            ("extends", _) => {}
            (table, DeValue::Table(t)) if SINGLE.contains(&table) => {
                for (kk, vv) in t.iter() {
                    flags.push(format!("{table}.{}={}", kk.get_ref(), value_text(vv)));
                    edit_lines.push(line_of(text, kk.span().start));
                }
            }
            (table, DeValue::Array(list)) if BY_ID.contains(&table) || ADDED.contains(&table) => {
                for entry in list.iter() {
                    let DeValue::Table(t) = entry.get_ref() else {
                        continue;
                    };
                    let id = t.get("id").and_then(|v| v.get_ref().as_str());
                    let in_base = id.is_some_and(|id| has_entry(base_root, table, id));
                    if BY_ID.contains(&table) && in_base {
                        for (kk, vv) in t.iter().filter(|(kk, _)| kk.get_ref() != "id") {
                            flags.push(format!(
                                "{table}.{}.{}={}",
                                id.expect("an id"),
                                kk.get_ref(),
                                value_text(vv)
                            ));
                            edit_lines.push(line_of(text, kk.span().start));
                        }
                        continue;
                    }
                    added.push_str(&format!("\n[[{table}]]\n"));
                    // The header: where the entry starts in the file.
                    added_from.push((
                        added.matches('\n').count(),
                        line_of(text, entry.span().start),
                    ));
                    for (kk, vv) in t.iter() {
                        let mut v = value_text(vv);
                        if table == "include" {
                            v = anchored(&v, dir);
                        }
                        added_from.push((
                            added.matches('\n').count() + 1,
                            line_of(text, kk.span().start),
                        ));
                        added.push_str(&format!("{} = {v}\n", kk.get_ref()));
                    }
                }
            }
            (top, v) if !matches!(v, DeValue::Table(_) | DeValue::Array(_)) || top == "sources" => {
                flags.push(format!("{top}={}", value_text(value)));
                edit_lines.push(line_of(text, key.span().start));
            }
            (other, _) => {
                return Err(err_at(
                    path,
                    text,
                    key.span().start,
                    format!(
                        "\"{other}\" cannot be merged into the base: a table of the base's kind, or an [[entry]]"
                    ),
                ));
            }
        }
    }
    // A file without a name of its own is named after itself, not the base.
    if !root.contains_key("name") && !base_root.contains_key("name") {
        let stem = path
            .file_stem()
            .map_or(String::new(), |s| s.to_string_lossy().into_owned());
        flags.push(format!("name={}", toml::Value::String(stem)));
        edit_lines.push(1);
    }
    let edited = set::apply(&base_text, &flags).map_err(|e| InputError {
        file: Some(path.to_path_buf()),
        key: Some("extends".into()),
        ..e
    })?;
    let mut full = edited.text.clone();
    if !full.ends_with('\n') {
        full.push('\n');
    }
    let first = full.matches('\n').count() + 1;
    full.push_str(&added);
    let appended = added_from
        .iter()
        .map(|&(at, line)| (first + at - 1, line, 1))
        .collect();
    Ok(Some(Composed {
        text: full,
        path: base_path,
        child: path.to_path_buf(),
        edited,
        edit_lines,
        appended,
    }))
}

/// Whether the base holds a `[[table]]` entry with this id.
fn has_entry(root: &DeTable, table: &str, id: &str) -> bool {
    match root.get(table).map(|v| v.get_ref()) {
        Some(DeValue::Array(list)) => list.iter().any(|e| match e.get_ref() {
            DeValue::Table(t) => t.get("id").and_then(|v| v.get_ref().as_str()) == Some(id),
            _ => false,
        }),
        _ => false,
    }
}

/// An include path written in the extending file, made to resolve from
/// that file's directory although the text is read as the base's.
fn anchored(value: &str, dir: &Path) -> String {
    match toml::from_str::<toml::Table>(&format!("v = {value}")) {
        Ok(t) => match t.get("v").and_then(|v| v.as_str()) {
            Some(p) if Path::new(p).is_relative() => {
                toml::Value::String(dir.join(p).display().to_string()).to_string()
            }
            _ => value.to_string(),
        },
        Err(_) => value.to_string(),
    }
}

impl Composed {
    /// `err` (from validating `text`) where the user wrote it: a line of
    /// the extending file, or of the base.
    pub fn locate(&self, err: InputError) -> InputError {
        err.map_all(|e| self.locate_one(e))
    }

    fn locate_one(&self, err: InputError) -> InputError {
        let Some(line) = err.line else { return err };
        if let Some(&(_, l, _)) = self
            .appended
            .iter()
            .find(|&&(at, _, n)| at <= line && line < at + n)
        {
            return InputError {
                file: Some(self.child.clone()),
                line: Some(l),
                ..err
            };
        }
        match self.edited.flag_at(line) {
            Some(k) => InputError {
                file: Some(self.child.clone()),
                line: Some(self.edit_lines[k]),
                ..err
            },
            None => self.edited.locate_one(err, &[]),
        }
    }
}
