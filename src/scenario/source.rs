//! Turning byte offsets into line, column and key for error messages.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// A TOML source text and the path it came from.
pub struct Source<'a> {
    pub path: PathBuf,
    pub text: &'a str,
}

impl<'a> Source<'a> {
    pub fn new(path: &Path, text: &'a str) -> Source<'a> {
        Source {
            path: path.to_path_buf(),
            text,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(self.text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    /// An error located at `span`, with the given key.
    pub fn error(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> InputError {
        let (line, column) = self.line_col(span.start);
        InputError::new(message)
            .in_file(&self.path)
            .at(line, column)
            .with_key(key)
    }

    /// An error located at `span` whose key we infer from the text: the
    /// enclosing `[table]` header and the `key =` before the value. Used for
    /// serde's own errors, which carry a span but not the key.
    pub fn error_guessing_key(&self, span: Range<usize>, message: impl Into<String>) -> InputError {
        let (line, column) = self.line_col(span.start);
        let mut e = InputError::new(message)
            .in_file(&self.path)
            .at(line, column);
        if let Some(key) = self.key_at(span.start) {
            e = e.with_key(key);
        }
        e
    }

    fn key_at(&self, offset: usize) -> Option<String> {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let at_line_start = self.text[line_start..offset].trim().is_empty();
        // A span on a table header (serde's "missing field") names that table.
        if at_line_start && self.text[offset..].starts_with('[') {
            let header = self.text[offset..].lines().next().unwrap_or("");
            let name = header.trim().trim_matches(|c| c == '[' || c == ']').trim();
            return (!name.is_empty()).then(|| name.to_string());
        }
        let before = &self.text[..offset];
        // Inside a header line itself: a top-level key.
        if before
            .rsplit('\n')
            .next()
            .is_some_and(|l| l.trim_start().starts_with('['))
        {
            return None;
        }
        let table = before
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('[') && l.len() > 2 && l.ends_with(']'))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
        // The value starts at `offset`: walk back over blanks to an `=`, then
        // take the key token before it. A value nested in an array (`["b",
        // ["c"]]`) belongs to the key at the start of its line.
        let mut trimmed = before.trim_end_matches([' ', '\t']);
        if !trimmed.ends_with('=') {
            let line = &self.text[line_start..offset];
            if let Some(eq) = line.find('=') {
                trimmed = self.text[..line_start + eq + 1].trim_end_matches([' ', '\t']);
            }
        }
        let key = trimmed.strip_suffix('=').map(|k| {
            let k = k.trim_end_matches([' ', '\t']);
            let start = k
                .rfind(|c: char| {
                    !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '"')
                })
                .map_or(0, |i| i + 1);
            k[start..].trim_matches('"').to_string()
        });
        match (table, key) {
            (Some(t), Some(k)) if !k.is_empty() => Some(format!("{t}.{k}")),
            (None, Some(k)) if !k.is_empty() => Some(k),
            (Some(t), _) => Some(t),
            _ => None,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let s = Source::new(Path::new("x.toml"), "a = 1\nbb = \"é\"\n");
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(6), (2, 1));
        assert_eq!(s.line_col(11), (2, 6));
    }

    #[test]
    fn key_from_text() {
        let text = "[[provider]]\nid = \"dyn\"\np_outage = \"x\"\n";
        let s = Source::new(Path::new("x.toml"), text);
        let at = text.find("\"x\"").unwrap();
        assert_eq!(s.key_at(at).as_deref(), Some("provider.p_outage"));
    }
}
