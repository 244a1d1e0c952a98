//! `--event PROVIDER[@REGION]=START-END[:LOSS]`: an incident from the command
//! line, added to the scenario's `[[event]]`s (timeline model). Each flag is
//! written as an `[[event]]` table after the file's text and the whole is
//! validated as a file would be, so an ad hoc event meets the same checks
//! and messages as a written one; a problem in it is reported against the
//! flag, not against a line that is not in the file.
//!
//! START and END are instants as in the file: "HH:MM" on
//! `simulation.start`'s day, a duration from t = 0 ("1d2h"), or RFC 3339.
//! LOSS, after the last `:`, is written 0, 1, a decimal (0.75) or a
//! percentage (75%): so "13:00" stays a clock time, and "13:00:0.5" is one
//! with loss 0.5. Without it, every query is lost.

use std::path::Path;

use super::Scenario;
use super::load::parse_str;
use crate::error::InputError;
use crate::files::read_input;

/// One `--event` flag, read.
#[derive(Debug, Clone, PartialEq)]
pub struct AdHocEvent {
    pub target: String,
    pub region: Option<String>,
    pub start: String,
    pub end: String,
    pub loss: Option<f64>,
    /// The flag as given, for messages.
    pub written: String,
}

const FLAG: &str = "--event";

fn flag_error(written: &str, why: impl std::fmt::Display) -> InputError {
    let shown: String = written.chars().take(80).collect();
    InputError::flag(FLAG, format!("\"{shown}\": {why}"))
}

/// A loss written after the last `:` (0, 1, a decimal, a percentage).
fn loss_of(text: &str) -> Option<f64> {
    if let Some(percent) = text.strip_suffix('%') {
        let p: f64 = percent.parse().ok()?;
        return (0.0..=100.0).contains(&p).then_some(p / 100.0);
    }
    let plain = text == "0" || text == "1" || text.contains('.');
    let v: f64 = text.parse().ok()?;
    (plain && (0.0..=1.0).contains(&v)).then_some(v)
}

/// Whether `text` can be an instant: "HH:MM", a duration, RFC 3339.
fn instant_like(text: &str) -> bool {
    let clock = text.split_once(':').is_some_and(|(h, m)| {
        (1..=2).contains(&h.len())
            && m.len() == 2
            && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
    });
    clock || crate::duration::parse(text).is_ok() || humantime::parse_rfc3339_weak(text).is_ok()
}

impl AdHocEvent {
    pub fn parse(written: &str) -> Result<AdHocEvent, InputError> {
        let form = "expected PROVIDER[@REGION]=START-END[:LOSS], e.g. dyn@us-east=11:10-13:20:0.75";
        let (who, when) = written
            .split_once('=')
            .ok_or_else(|| flag_error(written, form))?;
        let (target, region) = match who.split_once('@') {
            Some((t, r)) => (t.trim(), Some(r.trim().to_string())),
            None => (who.trim(), None),
        };
        if target.is_empty() || region.as_deref() == Some("") {
            return Err(flag_error(written, form));
        }
        let (window, loss) = match when.rsplit_once(':') {
            Some((rest, l)) => match loss_of(l.trim()) {
                Some(v) => (rest, Some(v)),
                None => (when, None),
            },
            None => (when, None),
        };
        // RFC 3339 instants hold '-' of their own: split where both sides
        // read as instants.
        let split = window
            .char_indices()
            .filter(|&(_, c)| c == '-')
            .map(|(i, _)| (window[..i].trim(), window[i + 1..].trim()))
            .find(|(a, b)| instant_like(a) && instant_like(b));
        let Some((start, end)) = split else {
            return Err(flag_error(
                written,
                format!(
                    "no START-END window in \"{window}\" (instants: \"HH:MM\", a duration such as \"1d2h\", or RFC 3339); {form}"
                ),
            ));
        };
        Ok(AdHocEvent {
            target: target.to_string(),
            region,
            start: start.to_string(),
            end: end.to_string(),
            loss,
            written: written.to_string(),
        })
    }

    /// The `[[event]]` table, naming a provider or, where `target` is one, a
    /// common cause.
    fn toml(&self, common_cause: bool) -> String {
        let s = |v: &str| toml::Value::String(v.to_string()).to_string();
        let mut t = format!(
            "\n[[event]]\n{} = {}\n",
            if common_cause {
                "common_cause"
            } else {
                "provider"
            },
            s(&self.target)
        );
        if let Some(r) = &self.region {
            t.push_str(&format!("regions = [{}]\n", s(r)));
        }
        t.push_str(&format!(
            "start = {}\nend = {}\n",
            s(&self.start),
            s(&self.end)
        ));
        if let Some(l) = self.loss {
            t.push_str(&format!("loss = {l:?}\n"));
        }
        t
    }
}

/// The scenario at `path` with the `--set` flags `sets` applied and the
/// `--event` flags `events` added.
/// A scenario file as dnsim reads it: composed with what it `extends`,
/// then edited by `--set` flags; errors in the result are located back in
/// the files and flags.
struct Edit {
    path: std::path::PathBuf,
    composed: Option<super::extends::Composed>,
    edited: super::set::Edited,
}

impl Edit {
    fn read(path: &Path, sets: &[String]) -> Result<Edit, InputError> {
        let text = read_input(path, "scenario")?;
        let composed = super::extends::compose(path, &text)?;
        let (path, text) = match &composed {
            Some(c) => (c.path.clone(), c.text.clone()),
            None => (path.to_path_buf(), text),
        };
        let edited = super::set::apply(&text, sets)?;
        Ok(Edit {
            path,
            composed,
            edited,
        })
    }

    fn locate(&self, err: InputError, sets: &[String]) -> InputError {
        let err = self.edited.locate(err, sets);
        match (&self.composed, err.file.is_some()) {
            (Some(c), true) => c.locate(err),
            _ => err,
        }
    }
}

/// A part of the plan at `path` (`run --part`, see
/// [`super::load::parse_part`]), with its `--set` flags applied.
pub fn load_part(
    path: &Path,
    sets: &[String],
    slice: &dyn Fn(usize) -> std::ops::Range<usize>,
) -> Result<super::load::PartLoad, InputError> {
    let edit = Edit::read(path, sets)?;
    super::load::parse_part(&edit.path, &edit.edited.text, slice).map_err(|e| edit.locate(e, sets))
}

pub fn load_with(path: &Path, sets: &[String], events: &[String]) -> Result<Scenario, InputError> {
    let edit = Edit::read(path, sets)?;
    let (path, edited) = (edit.path.as_path(), &edit.edited);
    let locate = |err: InputError| edit.locate(err, sets);
    let base = parse_str(path, &edited.text).map_err(locate)?;
    if events.is_empty() {
        return Ok(base);
    }
    let events = events
        .iter()
        .map(|w| AdHocEvent::parse(w))
        .collect::<Result<Vec<_>, _>>()?;
    let lines = edited.text.lines().count();
    let mut full = edited.text.clone();
    if !full.ends_with('\n') {
        full.push('\n');
    }
    // Where each flag's table starts in the combined text.
    let mut starts = Vec::new();
    for e in &events {
        starts.push(full.lines().count() + 1);
        let cause = base.common_causes.iter().any(|c| c.id == e.target);
        full.push_str(&e.toml(cause));
    }
    // Each error of the pass is said where it was written: an event's at
    // its flag, the file's in the file.
    parse_str(path, &full).map_err(|err| {
        err.map_all(|err| match err.line {
            Some(line) if line > lines => {
                let at = starts.iter().rposition(|&s| s <= line).unwrap_or(0);
                flag_error(&events[at].written, err.message)
            }
            _ => locate(err),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(w: &str) -> (String, Option<String>, String, String, Option<f64>) {
        let e = AdHocEvent::parse(w).unwrap();
        (e.target, e.region, e.start, e.end, e.loss)
    }

    #[test]
    fn forms() {
        assert_eq!(
            parsed("dyn@us-east=11:10-13:20:0.75"),
            (
                "dyn".into(),
                Some("us-east".into()),
                "11:10".into(),
                "13:20".into(),
                Some(0.75)
            )
        );
        assert_eq!(parsed("dyn=11:10-13:00").4, None);
        assert_eq!(parsed("dyn=11:10-13:00").3, "13:00");
        assert_eq!(parsed("dyn=11:10-13:00:1").4, Some(1.0));
        assert_eq!(parsed("dyn=1d-1d2h:50%").4, Some(0.5));
        assert_eq!(
            parsed("dyn=2016-10-21T11:10:00Z-2016-10-21T13:20:00Z:0.5"),
            (
                "dyn".into(),
                None,
                "2016-10-21T11:10:00Z".into(),
                "2016-10-21T13:20:00Z".into(),
                Some(0.5)
            )
        );
        for bad in ["dyn", "=1h-2h", "dyn@=1h-2h", "dyn=soon-later", "dyn=1h"] {
            assert!(AdHocEvent::parse(bad).is_err(), "{bad}");
        }
    }
}
