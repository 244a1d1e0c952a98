//! CSV includes read while the scenario's TOML is parsed. A large plan's
//! rows are in its includes, and its providers in the TOML, which takes
//! the toml crate about 15 ms for 2,000 providers: the rows had waited for
//! it, since a row's providers are looked up as it is read.
//!
//! The include paths are guessed from the text (each `[[include]]` table's
//! `services = "…"`, [`guess`]) before it is parsed, and their rows read on
//! another thread, each provider name numbered as it first appears. Once
//! the TOML is parsed, what was read is taken only if it is exactly what
//! loading in order would have read: the same include paths, no services
//! in the TOML (they come first), every file read without a problem and
//! every name a provider, then renumbered as the plan's providers. Any
//! other case (a guess gone wrong, an error to report) loads in order, as
//! before, and gives the same errors: nothing read ahead is ever reported.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{Scope, ScopedJoinHandle};

use foldhash::HashMap;
use sha2::Sha256;

use super::resolve::Pending;
use super::{hash_start, include_path, read_include};
use crate::files::open_unremembered;
use crate::scenario::source::Source;

/// The includes being read ahead.
pub(super) struct Ahead<'scope> {
    /// The include paths guessed, in file order.
    includes: Vec<String>,
    stop: &'scope AtomicBool,
    reader: Option<ScopedJoinHandle<'scope, Option<Read>>>,
}

/// What was read ahead: the rows, with providers numbered by first
/// appearance, and the content hash up to the end of the includes.
pub(super) struct Read {
    pub pending: Pending,
    /// Each provider name read, by its provisional number.
    pub names: Vec<Box<str>>,
    pub hasher: Sha256,
}

/// Starts reading the includes of `src` ahead, when its text names any.
pub(super) fn start<'scope, 'env>(
    scope: &'scope Scope<'scope, 'env>,
    src: &'env Source<'env>,
    stop: &'env AtomicBool,
) -> Option<Ahead<'scope>> {
    let includes = guess(src.text)?;
    let paths = includes.clone();
    let reader = scope.spawn(move || read(src, &paths, stop));
    Some(Ahead {
        includes,
        stop,
        reader: Some(reader),
    })
}

impl Ahead<'_> {
    /// What was read, if `includes` (the parsed file's, in order) are the
    /// ones guessed and every one was read without a problem.
    pub(super) fn finish(mut self, includes: &[&str]) -> Option<Read> {
        if self.includes.iter().ne(includes.iter().copied()) {
            return None;
        }
        let reader = self.reader.take().expect("finished once");
        reader
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

impl Drop for Ahead<'_> {
    /// Not taken: the reader stops at its next row.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Reads the `includes` of `src` in order into one list, as loading does,
/// each provider name numbered as it first appears; `None` at the first
/// problem, or when told to stop.
fn read(src: &Source, includes: &[String], stop: &AtomicBool) -> Option<Read> {
    let names = RefCell::new(Numbering::default());
    let number = |name: &str| -> Result<u32, String> {
        if stop.load(Ordering::Relaxed) {
            return Err(String::new());
        }
        Ok(names.borrow_mut().number(name))
    };
    let mut hasher = hash_start(src.text);
    let mut pending = Pending::default();
    for rel in includes {
        let path = include_path(src, rel);
        let file = open_unremembered(&path).ok()?;
        read_include(file, &path, rel, &mut hasher, number, &mut pending).ok()?;
    }
    let names = names.into_inner().names;
    Some(Read {
        pending,
        names,
        hasher,
    })
}

/// Names numbered as they first appear.
#[derive(Default)]
struct Numbering {
    numbers: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Numbering {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&k) = self.numbers.get(name) {
            return k;
        }
        // At most one name a cell of a file under 4 GiB.
        let k = self.names.len() as u32;
        self.numbers.insert(name.into(), k);
        self.names.push(name.into());
        k
    }
}

/// The include paths that `text` gives, as written in order: each
/// `[[include]]` table's `services`, a string without escapes. `None` when
/// there is none, or a table says anything else (then the file is left to
/// the parser). A guess only: a multi-line string may hold what looks like
/// a table, and `finish` compares the guess with the parsed file.
fn guess(text: &str) -> Option<Vec<String>> {
    let mut paths = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let header = line.split('#').next().unwrap_or("").replace(' ', "");
            inside = header.trim() == "[[include]]";
            continue;
        }
        if !inside {
            continue;
        }
        let (key, value) = line.split_once('=')?;
        if key.trim() != "services" {
            return None;
        }
        paths.push(string(value.trim())?);
    }
    (!paths.is_empty()).then_some(paths)
}

/// A TOML string without escapes, and nothing but a comment after it.
fn string(value: &str) -> Option<String> {
    let quote = value.chars().next().filter(|q| matches!(q, '"' | '\''))?;
    let body = &value[1..];
    let end = body.find(quote)?;
    let (inner, rest) = (&body[..end], body[end + 1..].trim());
    let plain = !inner.contains('\\') && !inner.is_empty();
    (plain && (rest.is_empty() || rest.starts_with('#'))).then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::{Keep, parse_with};
    use super::guess;

    const PROVIDERS: &str = "[[provider]]\nid = \"p1\"\np_outage = 0.1\n[[provider]]\nid = \"p2\"\np_outage = 0.2\n[[provider]]\nid = \"p3\"\np_outage = 0.3\n[[common_cause]]\nid = \"cc\"\np = 0.01\nproviders = [\"p1\"]\n";

    /// Loads `toml` (beside the CSV `files`) read ahead and in order:
    /// the same scenario, hash included, or the same error; whether what
    /// was read ahead was taken.
    fn both(toml: &str, files: &[(&str, &str)]) -> Result<bool, String> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("written");
        }
        let path = dir.path().join("plan.toml");
        let load = |ahead| {
            parse_with(&path, toml, Keep::All, ahead)
                .map(|(s, _, taken)| (format!("{s:?}"), taken))
                .map_err(|e| e.to_string())
        };
        match (load(true), load(false)) {
            (Ok((a, taken)), Ok((b, false))) => {
                assert_eq!(a, b, "{toml}");
                Ok(taken)
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "{toml}");
                Err(a)
            }
            (a, b) => panic!("read ahead {a:?}, in order {b:?}: {toml}"),
        }
    }

    /// Rows whose providers first appear in another order than the plan's,
    /// with standbys and requirements, read ahead: taken, and the same plan
    /// as in order; with services in the TOML, or an include the guess did
    /// not see, read in order, the same.
    #[test]
    fn rows_read_ahead_are_the_rows_read_in_order() {
        let a = (
            "a.csv",
            "id,dns,standby,requires,ttl,weight\nx,p3;p1,p2,,60,2\ny,p2,,x,,1\n",
        );
        let b = ("b.csv", "id,dns\nz,p1\nw,p3;p2\n");
        let include = |f: &str| format!("[[include]]\nservices = \"{f}\"\n");
        let one = format!("{PROVIDERS}{}", include("a.csv"));
        assert_eq!(both(&one, &[a]), Ok(true));
        let two = format!("{one}{}", include("b.csv"));
        assert_eq!(both(&two, &[a, b]), Ok(true));
        let service = "[[service]]\nid = \"s\"\ndns = [\"p2\"]\n";
        assert_eq!(both(&format!("{service}{two}"), &[a, b]), Ok(false));
        // A table that a multi-line string only looks like, and an inline
        // include that the guess cannot see.
        let fake = format!(
            "description = \"\"\"\n{}[x]\"\"\"\n{PROVIDERS}{}",
            include("b.csv"),
            include("a.csv")
        );
        assert_eq!(both(&fake, &[a, b]), Ok(false));
        let inline = format!("include = [{{ services = \"b.csv\" }}]\n{PROVIDERS}");
        assert_eq!(both(&inline, &[b]), Ok(false));
    }

    /// What cannot be taken is read again in order, for its error: a name
    /// that is no provider (a common cause, a typo), a bad row, a missing
    /// file, a bad TOML value after the includes were started.
    #[test]
    fn errors_are_those_of_reading_in_order() {
        let plan = format!("{PROVIDERS}[[include]]\nservices = \"a.csv\"\n");
        for (csv, says) in [
            ("id,dns\nx,p1\ny,cc\n", "cc"),
            ("id,dns\nx,p1\ny,p4\n", "p4"),
            ("id,dns\nx,p1;p1\n", "twice"),
            ("id,dns\nx,p1\ny,p2,p3\n", "fields"),
        ] {
            let err = both(&plan, &[("a.csv", csv)]).expect_err(csv);
            assert!(err.contains(says), "{csv}: {err}");
        }
        let err = both(&plan, &[]).expect_err("no file");
        assert!(err.contains("cannot read included file"), "{err}");
        let bad = plan.replace("p_outage = 0.2", "p_outage = 2.0");
        let err = both(&bad, &[("a.csv", "id,dns\nx,p1\n")]).expect_err("p_outage");
        assert!(err.contains("p_outage"), "{err}");
    }

    /// What a service names of providers is renumbered, all of it: the
    /// NS set, the standby and a parent that is a provider.
    #[test]
    fn renumbering_reaches_every_provider_a_service_names() {
        use crate::scenario::{Parent, Service};
        let mut s = Service::new("x", vec![0, 2]);
        s.set_standby(vec![1]);
        s.set_parent(Some(Parent::Provider(2)));
        s.renumber_providers(|p| 10 + p);
        assert_eq!((&*s.dns, s.standby()), (&[10, 12][..], &[11][..]));
        assert_eq!(s.parent(), Some(Parent::Provider(12)));
    }

    #[test]
    fn the_guess_takes_plain_include_tables_only() {
        let two = "name = \"x\"\n[[include]]\nservices = \"a.csv\"\n\n[[ include ]] # more\n  services = 'b c.csv' # note\n[[provider]]\nid = \"p\"\n";
        assert_eq!(guess(two), Some(vec!["a.csv".into(), "b c.csv".into()]));
        // None at all; an escape, another key, a quote left open, or a
        // triple quote: left to the parser.
        for text in [
            "[[provider]]\nid = \"p\"\n",
            "[[include]]\nservices = \"a\\u0041.csv\"\n",
            "[[include]]\nservices = \"a.csv\"\nextra = 1\n",
            "[[include]]\nservices = \"a.csv\n",
            "[[include]]\nservices = \"\"\"a.csv\"\"\"\n",
            "[[include]]\nservices = \"a.csv\" x\n",
        ] {
            assert_eq!(guess(text), None, "{text}");
        }
        // Inline or dotted: no table to see, nothing guessed.
        assert_eq!(guess("include = [{ services = \"a.csv\" }]\n"), None);
    }
}
