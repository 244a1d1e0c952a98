//! `--set KEY=VALUE`: a what-if without copying the file. Each flag edits
//! the scenario's text before it is validated, so a set value meets the
//! same checks and messages as a written one:
//!
//! - `simulation.trials=500`, `resolvers.serve_stale=true`, `name="…"`: a
//!   key of the top level or of a single table;
//! - `service.www.example.com.ttl=1h`, `provider.dyn.loss=0.5`,
//!   `region.europe.weight=2`, `common_cause.botnet.p=0.01`: a key of the
//!   `[[service]]` (provider, region, common cause) with that id (ids may
//!   hold dots: the key is the last part);
//! - `event.2.loss=0.9`: a key of the second `[[event]]` of the file.
//!
//! VALUE is TOML (`true`, `0.5`, `["dyn", "ns1"]`, `"5m"`); a bare word that
//! is not TOML is taken as text, so `ttl=5m` and `profile=ideal` need no
//! quotes. An existing value is replaced where it stands; a new key goes
//! on a line of its own under its table's header (a table that is missing
//! is added at the end). The lines each flag wrote are remembered, so that
//! an error there names the flag, and an error elsewhere keeps the line it
//! has in the file.

use toml::de::{DeTable, DeValue};

use crate::error::InputError;

const FLAG: &str = "--set";

/// The text after the `--set` flags, and where they wrote.
#[derive(Debug, Clone)]
pub struct Edited {
    pub text: String,
    /// 1-based lines of the edited text that a flag wrote, and which flag.
    written: Vec<(usize, usize)>,
    /// 1-based lines inserted (not in the file), ascending.
    inserted: Vec<usize>,
}

impl Edited {
    /// The flag that wrote 1-based line `line` of the edited text, if any.
    pub fn flag_at(&self, line: usize) -> Option<usize> {
        self.written
            .iter()
            .find(|&&(l, _)| l == line)
            .map(|&(_, k)| k)
    }

    /// `err` as the user should see it: against the flag that wrote its
    /// line, or at its line in the file.
    pub fn locate(&self, err: InputError, flags: &[String]) -> InputError {
        err.map_all(|e| self.locate_one(e, flags))
    }

    pub(super) fn locate_one(&self, err: InputError, flags: &[String]) -> InputError {
        let Some(line) = err.line else { return err };
        if let Some(&(_, k)) = self.written.iter().find(|&&(l, _)| l == line) {
            return flag_error(&flags[k], err.message);
        }
        let shift = self.inserted.iter().filter(|&&l| l < line).count();
        InputError {
            line: Some(line - shift),
            ..err
        }
    }
}

fn flag_error(written: &str, why: impl std::fmt::Display) -> InputError {
    let shown: String = written.chars().take(80).collect();
    InputError::flag(FLAG, format!("\"{shown}\": {why}"))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// VALUE as TOML text: itself when it is TOML, else a quoted string.
fn toml_text(value: &str) -> String {
    let v = value.trim();
    if toml::from_str::<toml::Table>(&format!("v = {v}")).is_ok() {
        v.to_string()
    } else {
        toml::Value::String(v.to_string()).to_string()
    }
}

/// Where a flag writes: the table it names (None: the top level), the
/// entry of an array of tables, and the key.
struct Target<'a> {
    table: Option<&'a str>,
    entry: Option<&'a str>,
    key: &'a str,
}

const SINGLE: &[&str] = &["simulation", "resolvers"];
const BY_ID: &[&str] = &["service", "provider", "region", "common_cause"];

fn target<'a>(path: &'a str, written: &str) -> Result<Target<'a>, InputError> {
    let form = "expected KEY=VALUE with KEY as TABLE.KEY (simulation.trials, resolvers.serve_stale), TABLE.ID.KEY (service.www.example.com.ttl), event.N.KEY, or a top-level key";
    let Some((head, rest)) = path.split_once('.') else {
        return Ok(Target {
            table: None,
            entry: None,
            key: path,
        });
    };
    if SINGLE.contains(&head) {
        return Ok(Target {
            table: Some(head),
            entry: None,
            key: rest,
        });
    }
    if BY_ID.contains(&head) || head == "event" {
        if let Some((entry, key)) = rest.rsplit_once('.') {
            return Ok(Target {
                table: Some(head),
                entry: Some(entry),
                key,
            });
        }
    }
    Err(flag_error(written, form))
}

/// Applies `flags` to `text`, in order.
pub fn apply(text: &str, flags: &[String]) -> Result<Edited, InputError> {
    let mut edited = Edited {
        text: text.to_string(),
        written: Vec::new(),
        inserted: Vec::new(),
    };
    for (k, written) in flags.iter().enumerate() {
        let (path, value) = written
            .split_once('=')
            .ok_or_else(|| flag_error(written, "expected KEY=VALUE"))?;
        let t = target(path.trim(), written)?;
        if t.key.is_empty() || t.key.contains(['.', ' ']) {
            return Err(flag_error(written, format!("\"{}\" is not a key", t.key)));
        }
        let line = format!("{} = {}", t.key, toml_text(value));
        set_one(&mut edited, &t, &line, k, written)?;
    }
    Ok(edited)
}

/// Where a table (or an entry of an array of tables) starts: its header's
/// span, and its keys.
fn find_table<'t>(
    root: &'t DeTable<'t>,
    t: &Target,
    written: &str,
) -> Result<Option<(std::ops::Range<usize>, &'t DeTable<'t>)>, InputError> {
    let Some(table) = t.table else {
        return Ok(None);
    };
    let Some(value) = root.get(table) else {
        return match t.entry {
            // An entry of an array of tables must exist to be set.
            Some(entry) => Err(flag_error(
                written,
                format!(
                    "no [[{table}]] \"{entry}\" in the file (entries from an [[include]] CSV cannot be set)"
                ),
            )),
            None => Ok(None),
        };
    };
    match (value.get_ref(), t.entry) {
        (DeValue::Table(tt), None) => Ok(Some((value.span(), tt))),
        (DeValue::Array(list), Some(entry)) => {
            let tables = list.iter().filter_map(|e| match e.get_ref() {
                DeValue::Table(tt) => Some((e.span(), tt)),
                _ => None,
            });
            let found = if table == "event" {
                let n: usize = entry.parse().map_err(|_| {
                    flag_error(
                        written,
                        format!("events are numbered from 1 in file order, not \"{entry}\""),
                    )
                })?;
                tables.into_iter().nth(n.wrapping_sub(1))
            } else {
                tables
                    .into_iter()
                    .find(|(_, tt)| tt.get("id").and_then(|v| v.get_ref().as_str()) == Some(entry))
            };
            match found {
                Some(f) => Ok(Some(f)),
                None => Err(flag_error(
                    written,
                    format!(
                        "no [[{table}]] \"{entry}\" in the file (entries from an [[include]] CSV cannot be set)"
                    ),
                )),
            }
        }
        _ => Err(flag_error(
            written,
            format!("\"{table}\" is not a table of this kind here"),
        )),
    }
}

fn set_one(
    edited: &mut Edited,
    t: &Target,
    line: &str,
    k: usize,
    written: &str,
) -> Result<(), InputError> {
    let text = edited.text.clone();
    let root = DeTable::parse(&text)
        .map_err(|e| flag_error(written, format!("the file is not TOML: {e}")))?;
    let root = root.get_ref();
    let found = find_table(root, t, written)?;
    let keys = match &found {
        Some((_, tt)) => Some(*tt),
        None if t.table.is_none() => Some(root),
        None => None,
    };
    // An existing key: replace the value where it stands.
    if let Some(keys) = keys {
        if let Some((key, value)) = keys.get_key_value(t.key) {
            let span = value.span();
            let at = line_of(&text, key.span().start);
            edited.text = format!("{}{}{}", &text[..key.span().start], line, &text[span.end..]);
            edited.written.push((at, k));
            return Ok(());
        }
    }
    // A new key: on its own line after the header (or at the very top).
    let (offset, header) = match (&found, t.table) {
        (Some((span, _)), _) => {
            let end = text[span.end..]
                .find('\n')
                .map_or(text.len(), |i| span.end + i + 1);
            (end, None)
        }
        (None, None) => (0, None),
        (None, Some(table)) => (text.len(), Some(table)),
    };
    let mut insert = String::new();
    if offset == text.len() && !text.ends_with('\n') && !text.is_empty() {
        insert.push('\n');
    }
    if let Some(table) = header {
        insert.push_str(&format!("[{table}]\n"));
    }
    insert.push_str(line);
    insert.push('\n');
    let first = line_of(&text, offset) + usize::from(insert.starts_with('\n'));
    let count = insert.matches('\n').count() - usize::from(insert.starts_with('\n'));
    // Lines at or after the insertion point move down.
    for (l, _) in edited.written.iter_mut() {
        if *l >= first {
            *l += count;
        }
    }
    for l in edited.inserted.iter_mut() {
        if *l >= first {
            *l += count;
        }
    }
    for i in 0..count {
        edited.inserted.push(first + i);
        edited.written.push((first + i, k));
    }
    edited.inserted.sort_unstable();
    edited.text = format!("{}{}{}", &text[..offset], insert, &text[offset..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "name = \"x\"\n\n[simulation]\ntrials = 5\n\n[[service]]\nid = \"a.example\"\ndns = [\"p\"]\n\n[[service]]\nid = \"b\"\nttl = 3\n";

    fn set(flags: &[&str]) -> Edited {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        apply(FILE, &flags).unwrap()
    }

    #[test]
    fn replaces_in_place_and_inserts_under_the_header() {
        let e = set(&[
            "simulation.trials=9",
            "service.a.example.ttl=5m",
            "service.b.ttl=\"1h\"",
        ]);
        assert!(e.text.contains("[simulation]\ntrials = 9\n"), "{}", e.text);
        assert!(
            e.text
                .contains("[[service]]\nttl = \"5m\"\nid = \"a.example\""),
            "{}",
            e.text
        );
        assert!(e.text.contains("id = \"b\"\nttl = \"1h\"\n"), "{}", e.text);
        // One line inserted (the a.example ttl, line 7).
        assert_eq!(e.inserted, vec![7]);
        let err = InputError::new("bad")
            .in_file(std::path::Path::new("f"))
            .at(12, 1);
        assert_eq!(e.locate(err, &[]).line, Some(11));
    }

    #[test]
    fn a_missing_table_goes_at_the_end_and_top_level_keys_at_the_top() {
        let e = set(&["resolvers.serve_stale=true", "description=a what-if"]);
        assert!(
            e.text.ends_with("[resolvers]\nserve_stale = true\n"),
            "{}",
            e.text
        );
        assert!(
            e.text.starts_with("description = \"a what-if\"\nname"),
            "{}",
            e.text
        );
    }

    #[test]
    fn refuses_what_it_cannot_place() {
        for bad in [
            "trials",
            "service.ttl=1",
            "service.zzz.ttl=1",
            "event.x.loss=1",
            "simulation.=1",
        ] {
            assert!(apply(FILE, &[bad.to_string()]).is_err(), "{bad}");
        }
    }
}
