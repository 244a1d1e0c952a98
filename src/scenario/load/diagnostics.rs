//! Where a problem is, and what the parser's messages mean to a user:
//! positions for values found after parsing, a bound on nesting, and
//! serde's TOML errors rewritten into ours.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{InputError, did_you_mean};
use crate::scenario::raw;
use crate::scenario::source::Source;

/// The deepest nesting of arrays and inline tables we hand to the TOML parser.
/// Real scenarios nest three deep; this bound keeps a hostile file from
/// exhausting the stack.
pub(super) const MAX_NESTING: usize = 64;

pub(super) fn check_nesting(src: &Source) -> Result<(), InputError> {
    // Counting brackets outside strings and comments is enough for a bound.
    let (mut depth, mut in_str, mut in_comment, mut prev) = (0usize, None::<char>, false, '\0');
    for (i, c) in src.text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if let Some(q) = in_str {
            if c == q && !(q == '"' && prev == '\\') {
                in_str = None;
            }
        } else {
            match c {
                '"' | '\'' => in_str = Some(c),
                '#' => in_comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(src.error(
                            i..i + 1,
                            "document",
                            format!(
                                "arrays and inline tables nest deeper than {MAX_NESTING} levels"
                            ),
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = if prev == '\\' && c == '\\' { '\0' } else { c };
    }
    Ok(())
}

/// Rewrites serde's messages into ours: unknown keys get a suggestion, type
/// errors say what kind of value was meant.
pub(super) fn toml_error(src: &Source, e: &toml::de::Error) -> InputError {
    let span = e.span().unwrap_or(0..0);
    let msg = e.message().trim();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = did_you_mean(
            field,
            expected
                .iter()
                .copied()
                .chain(raw::KNOWN_KEYS.iter().copied())
                .filter(|k| expected.is_empty() || expected.contains(k)),
        );
        let mut message = format!("unknown key \"{field}\"");
        if let Some(h) = hint {
            message.push_str(&format!(" (did you mean \"{h}\"?)"));
        } else if !expected.is_empty() {
            message.push_str(&format!(" (expected one of: {})", expected.join(", ")));
        }
        let mut err = src.error_guessing_key(span, message);
        err.key = Some(match err.key.take() {
            Some(table) if !table.is_empty() && table != field => format!("{table}.{field}"),
            _ => field.to_string(),
        });
        return err;
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return src.error_guessing_key(span, format!("missing required key \"{field}\""));
    }
    let friendly = msg
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a boolean", "expected true or false");
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return src.error_guessing_key(span, friendly);
    }
    let (line, column) = src.line_col(span.start);
    InputError::new(format!("TOML syntax error: {friendly}"))
        .in_file(&src.path)
        .at(line, column)
}

/// Where a value came from, for errors found after parsing.
#[derive(Clone, Debug)]
pub(in crate::scenario) enum Loc {
    Toml(Range<usize>),
    Csv {
        /// Shared by every row of the file: one allocation, not one a row
        /// (and a thin pointer: a plan's rows keep a place each until
        /// their requirements are resolved).
        file: Arc<PathBuf>,
        line: u64,
        column: u32,
    },
}
