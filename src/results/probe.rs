//! The few fields of a saved result that say what it is and who wrote it.

use serde::Deserialize;
use serde::de::IgnoredAny;

use std::path::Path;

use super::{Report, SnapshotReport};
use crate::error::InputError;

/// The fields of a result that say what it is and who wrote it, read
/// without building the rest: a run's JSON of a million services is
/// hundreds of megabytes, and a tree of it would take ten times that.
#[derive(Debug, Default, Deserialize)]
pub struct Probe {
    pub points: Option<IgnoredAny>,
    pub axes: Option<IgnoredAny>,
    pub a: Option<IgnoredAny>,
    pub b: Option<IgnoredAny>,
    pub method: Option<IgnoredAny>,
    pub cut_set_order: Option<IgnoredAny>,
    pub model: Option<serde_json::Value>,
    pub dnsim: Option<serde_json::Value>,
}

impl Probe {
    /// `text`'s probe. A file that is not one JSON object with each of
    /// these keys at most once is read as a tree instead, so that its
    /// kind and its errors are what they always were.
    pub fn read(text: &str, path: &std::path::Path) -> Result<Probe, InputError> {
        if text.trim_start().starts_with('{')
            && let Ok(probe) = serde_json::from_str(text)
        {
            return Ok(probe);
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            InputError::new(format!("not a dnsim JSON result: {e}"))
                .in_file(path)
                .at(e.line(), e.column())
        })?;
        // An object's last value of a key wins, as in the tree; anything
        // else (a list, a number) holds none of these keys.
        Ok(match value {
            serde_json::Value::Object(_) => serde_json::from_value(value).unwrap_or_default(),
            _ => Probe::default(),
        })
    }
}

/// A saved result probed (its kind, model and version: [`Probe`]) while
/// it is parsed as a snapshot run's, the result `report` reads most, on
/// another thread: the two skims of a large file at once, not one after
/// the other. The parse is taken only if the probe says the file is a
/// snapshot run's ([`Probed::report`]).
pub struct Probed<'t> {
    pub probe: Probe,
    text: &'t str,
    snapshot: Result<SnapshotReport, serde_json::Error>,
}

impl<'t> Probed<'t> {
    pub fn read(text: &'t str, path: &Path) -> Result<Probed<'t>, InputError> {
        std::thread::scope(|scope| {
            let snapshot = scope.spawn(|| serde_json::from_str(text));
            let probe = Probe::read(text, path);
            let snapshot = snapshot
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            Ok(Probed {
                probe: probe?,
                text,
                snapshot,
            })
        })
    }

    /// The run's report that the file probed holds, as
    /// [`Report::from_json`] reads it; `path` names it in errors.
    pub fn report(self, path: &Path) -> Result<Report, InputError> {
        Report::from_probed(self.text, path, &self.probe, Some(self.snapshot))
    }
}

#[cfg(test)]
mod tests {
    use super::Probe;
    use std::path::Path;

    fn probe(text: &str) -> Result<Probe, String> {
        Probe::read(text, Path::new("r.json")).map_err(|e| e.to_string())
    }

    /// A file the quick read takes and one it leaves to the tree agree on
    /// what they hold; a duplicated key (which only the tree accepts, the
    /// last one winning) and a file that is not JSON are read as before.
    #[test]
    fn the_quick_read_and_the_tree_agree() {
        let quick = probe(r#"{"dnsim": "0.1.0", "a": {"x": [1, 2]}, "b": 3, "model": "timeline"}"#)
            .unwrap();
        assert_eq!(quick.dnsim.unwrap(), "0.1.0");
        assert_eq!(quick.model.unwrap(), "timeline");
        assert!(quick.a.is_some() && quick.b.is_some() && quick.points.is_none());

        let twice = probe(r#"{"model": "snapshot", "model": "timeline", "dnsim": 7}"#).unwrap();
        assert_eq!(twice.model.unwrap(), "timeline");
        assert_eq!(twice.dnsim.unwrap(), 7);

        let list = probe("[1, 2]").unwrap();
        assert!(list.model.is_none() && list.dnsim.is_none() && list.a.is_none());

        let broken = probe("{\"model\": ").unwrap_err();
        assert!(broken.contains("not a dnsim JSON result"), "{broken}");
        assert!(broken.contains("r.json:1:"), "{broken}");
    }
}
