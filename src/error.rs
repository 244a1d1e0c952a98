//! The library's errors: [`Error`], and within it [`InputError`], everything
//! a user can get wrong, with where and what.
//!
//! Every problem with a scenario file, an included CSV or a command-line flag
//! becomes an [`InputError`] that names the file, the line and column, the key
//! and what was meant. The binary maps it to exit code 2; anything else is a
//! bug or an I/O failure and exits 1.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Everything a library call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input is wrong: the binary exits with code 2.
    #[error(transparent)]
    Input(#[from] InputError),
    /// Reading or writing failed: a full disk, a closed pipe.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// An invariant did not hold: a bug.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// A library result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A write to a closed pipe (`dnsim run … | head`): not worth a message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }
}

/// A problem with the user's input, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file at fault; `None` for command-line flags.
    pub file: Option<PathBuf>,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column (in characters), where known.
    pub column: Option<usize>,
    /// The key (or flag, or CSV column) at fault, e.g. `provider.p_outage`.
    pub key: Option<String>,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
    /// Other errors found in the same pass over the file (its other bad
    /// entries), in file order; shown after this one.
    pub more: Box<[InputError]>,
}

impl InputError {
    pub fn new(message: impl Into<String>) -> InputError {
        InputError {
            file: None,
            line: None,
            column: None,
            key: None,
            message: message.into(),
            more: Box::new([]),
        }
    }

    /// `f` applied to this error and to each of [`Self::more`] (to move
    /// them all to where the user wrote them).
    pub fn map_all(mut self, f: impl Fn(InputError) -> InputError) -> InputError {
        let more = std::mem::take(&mut self.more);
        let mut first = f(self);
        first.more = more.into_vec().into_iter().map(&f).collect();
        first
    }

    /// The errors of one pass as one: the first in file order, the others
    /// after it (at most [`MAX_REPORTED`], then how many more); `None` when
    /// there are none.
    pub fn all(mut errors: Vec<InputError>) -> Option<InputError> {
        errors.sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column.unwrap_or(0)));
        let mut it = errors.into_iter();
        let mut first = it.next()?;
        let rest: Vec<InputError> = it.collect();
        let hidden = rest.len().saturating_sub(MAX_REPORTED);
        let mut more: Vec<InputError> = rest.into_iter().take(MAX_REPORTED).collect();
        if hidden > 0 {
            more.push(InputError::new(format!(
                "… and {hidden} more in the same file"
            )));
        }
        first.more = more.into();
        Some(first)
    }

    pub fn flag(flag: &str, message: impl Into<String>) -> InputError {
        InputError::new(message).with_key(flag)
    }

    pub fn in_file(mut self, file: &Path) -> InputError {
        self.file = Some(file.to_path_buf());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> InputError {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_line(mut self, line: usize) -> InputError {
        self.line = Some(line);
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> InputError {
        self.key = Some(key.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
            write!(f, ": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)?;
        for other in &self.more {
            write!(f, "\nerror: {other}")?;
        }
        Ok(())
    }
}

/// Errors of one file reported together, at most.
pub const MAX_REPORTED: usize = 20;

impl std::error::Error for InputError {}

/// The closest of `candidates` to `wrong`, if any is close enough to be what
/// the user meant.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // A close edit (a typo, a swapped pair) wins; failing that, a name that
    // shares most of its letters in order. Both cost the product of the
    // lengths per candidate: a name longer than any id anyone types gets no
    // suggestion, so a 1 MB mistake costs nothing.
    if wrong.chars().count() > MAX_SUGGESTED_CHARS {
        return None;
    }
    let budget = (wrong.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &'a str)> = None;
    for c in candidates {
        let edits = strsim::damerau_levenshtein(wrong, c);
        let jw = strsim::jaro_winkler(wrong, c);
        if edits > budget && jw <= 0.85 {
            continue;
        }
        let better = match best {
            None => true,
            // Ties go to the first name in byte order: candidates often
            // come from a hash map, whose order changes from run to run.
            Some((e, j, name)) => (edits, -jw, c) < (e, -j, name),
        };
        if better {
            best = Some((edits, jw, c));
        }
    }
    best.map(|(_, _, c)| c)
}

/// Names longer than this get no "did you mean".
const MAX_SUGGESTED_CHARS: usize = 256;

/// `unknown provider "dyn2" (did you mean "dyn"?)`, or without the hint.
/// A long name is shortened in the message.
pub fn unknown<'a>(
    what: &str,
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    let shown = shorten(wrong, 80);
    match did_you_mean(wrong, candidates) {
        Some(hint) => format!("unknown {what} \"{shown}\" (did you mean \"{hint}\"?)"),
        None => format!("unknown {what} \"{shown}\""),
    }
}

/// `text` cut to `n` characters, with what was left out counted.
pub fn shorten(text: &str, n: usize) -> String {
    let len = text.chars().count();
    if len <= n {
        return text.to_string();
    }
    let head: String = text.chars().take(n).collect();
    format!("{head}… ({} more characters)", len - n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column_and_key() {
        let e = InputError::new("must be in [0, 1], got 1.5")
            .in_file(Path::new("a.toml"))
            .at(3, 12)
            .with_key("provider.p_outage");
        assert_eq!(
            e.to_string(),
            "a.toml:3:12: provider.p_outage: must be in [0, 1], got 1.5"
        );
    }

    #[test]
    fn long_names_are_shortened_and_get_no_suggestion() {
        let long = "x".repeat(1_000_000);
        let msg = unknown("provider", &long, ["dyn", &"x".repeat(300)]);
        assert_eq!(
            msg,
            format!(
                "unknown provider \"{}… (999920 more characters)\"",
                "x".repeat(80)
            )
        );
        assert_eq!(did_you_mean(&long, ["x"]), None);
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(did_you_mean("dyn2", ["dyn", "route53"]), Some("dyn"));
        assert_eq!(did_you_mean("zzz", ["dyn", "route53"]), None);
        assert_eq!(did_you_mean("dny", ["dyn", "ns1"]), Some("dyn"));
        assert_eq!(
            did_you_mean("p_outge", ["p_outage", "loss"]),
            Some("p_outage")
        );
    }

    /// Equally close names: the same one whatever the candidates' order
    /// (ids come from a hash map, whose order changes from run to run;
    /// "p4" got "p1" or "p3" before).
    #[test]
    fn ties_do_not_hang_on_the_order() {
        for order in [["p1", "p2", "p3"], ["p3", "p2", "p1"], ["p2", "p3", "p1"]] {
            assert_eq!(did_you_mean("p4", order), Some("p1"), "{order:?}");
        }
    }
}
