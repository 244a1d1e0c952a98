//! Reading and validating a scenario file into a [`Scenario`].
//!
//! Validation happens once, here, in file order, and stops at the first
//! problem: one precise message beats a page of consequences. Services are
//! gathered from the file and its CSV includes first and resolved second,
//! since a requirement may name a service that appears later.
//!
//! `diagnostics` turns parser errors into ours; `sections` validates each
//! table of the file; `values` checks single values (probabilities,
//! durations, instants); `csv_include` reads `[[include]]` CSVs (`ahead`
//! starts on them while the TOML is parsed); `resolve` turns names into
//! indices and refuses requirement cycles.

mod ahead;
mod csv_include;
mod cycles;
mod diagnostics;
mod flat;
mod id_index;
mod keep;
mod read_ahead;
mod resolve;
mod sections;
mod values;
mod written;

pub use self::values::{check_id_text as check_id, shown};

use foldhash::{HashMap, HashMapExt};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use sha2::{Digest, Sha256};

use self::diagnostics::{Loc, check_nesting, toml_error};
use self::keep::{Filter, Keep, Survey};
use self::read_ahead::read_ahead;
use self::resolve::Pending;
use super::raw::{RawInclude, RawScenario};
use super::source::Source;
use super::*;
use crate::error::InputError;
use crate::files::{open_input, read_input, read_text, remember};

/// Reads, parses and validates the scenario at `path` and its includes.
pub fn load(path: &Path) -> Result<Scenario, InputError> {
    let text = read_input(path, "scenario")?;
    match super::extends::compose(path, &text)? {
        None => parse_str(path, &text),
        Some(c) => parse_str(&c.path, &c.text).map_err(|e| c.locate(e)),
    }
}

/// Parses and validates scenario text; `path` names it in errors and anchors
/// relative include paths.
pub fn parse_str(path: &Path, text: &str) -> Result<Scenario, InputError> {
    parse_keeping(path, text, Keep::All).map(|(s, _)| s)
}

fn parse_keeping(path: &Path, text: &str, keep: Keep) -> Result<(Scenario, Keep), InputError> {
    // A part's passes keep some rows only: its includes are read in order.
    let ahead = matches!(keep, Keep::All);
    parse_with(path, text, keep, ahead).map(|(s, keep, _)| (s, keep))
}

/// [`parse_keeping`], reading the includes ahead (`ahead.rs`) or not; says
/// whether what was read ahead was taken.
fn parse_with(
    path: &Path,
    text: &str,
    keep: Keep,
    ahead: bool,
) -> Result<(Scenario, Keep, bool), InputError> {
    let src = Source::new(path, text);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let ahead = ahead.then(|| ahead::start(scope, &src, &stop)).flatten();
        check_nesting(&src)?;
        let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(&src, &e))?;
        Loader {
            src: &src,
            ids: HashMap::new(),
            regions: Vec::new(),
        }
        .scenario(raw, keep, ahead)
    })
}

/// The content hash covers the file and its includes, so that shards of
/// one run can prove they ran the same plan: the file's text first, then
/// each include's path as written and its bytes ([`read_include`]).
fn hash_start(text: &str) -> Sha256 {
    let mut hasher = Sha256::new();
    hasher.update(b"dnsim/scenario/v1\0");
    hasher.update(text.as_bytes());
    hasher
}

/// Where the include written `rel` in the scenario `src` is: beside it.
fn include_path(src: &Source, rel: &str) -> std::path::PathBuf {
    src.path.parent().unwrap_or(Path::new(".")).join(rel)
}

/// Reads the rows of the include written `rel`, opened as `file` from
/// `path`, into `pending` (providers looked up by `index`); its path and
/// bytes go into the content hash.
fn read_include(
    file: std::fs::File,
    path: &Path,
    rel: &str,
    hasher: &mut Sha256,
    index: impl Fn(&str) -> Result<u32, String>,
    pending: &mut Pending,
) -> Result<(), InputError> {
    let size = file.metadata().ok().map(|m| m.len());
    hasher.update(b"\0include\0");
    hasher.update(rel.as_bytes());
    hasher.update(b"\0");
    read_ahead(file, hasher, |input| {
        csv_include::read(path, input, size, index, pending)
    })
}

/// A part of a plan (`run --part`), as loaded: the services of its slice
/// and every service that anything requires (so what the slice requires is
/// there), and what the whole plan fixes.
pub struct PartLoad {
    pub scenario: Scenario,
    /// The slice, in the whole plan's services.
    pub slice: Range<usize>,
    /// Per kept service: its index in the whole plan.
    pub kept: Vec<u32>,
    /// The whole plan's total weight, summed in scenario order.
    pub total_weight: f64,
    /// Whether every cold-NS share of the whole plan is 0 or 1.
    pub cold_exact: bool,
}

/// [`parse_str`] for a part: the plan is read twice (includes too), first
/// to count its services and note what is required, then keeping only the
/// slice that `slice` gives for the count, and what is required. Rows
/// outside it are checked as rows, but not against each other (duplicate
/// ids, requirement cycles): `merge` loads the whole plan.
pub fn parse_part(
    path: &Path,
    text: &str,
    slice: &dyn Fn(usize) -> Range<usize>,
) -> Result<PartLoad, InputError> {
    let (first, survey) = parse_keeping(path, text, Keep::Survey(Survey::default()))?;
    let Keep::Survey(survey) = survey else {
        unreachable!("a survey stays one")
    };
    let cold_exact = survey.cold_exact(&first.resolvers);
    // The timeline simulates names that requirements connect together
    // (`timeline/components.rs`): a part keeps every service that requires.
    let also = if first.simulation.model == ModelKind::Timeline {
        survey.requiring
    } else {
        Vec::new()
    };
    drop(first);
    let range = slice(survey.count);
    let filter = Filter::new(range.clone(), survey.required, also);
    let (scenario, keep) = parse_keeping(path, text, Keep::Slice(filter))?;
    let Keep::Slice(filter) = keep else {
        unreachable!("a filter stays one")
    };
    Ok(PartLoad {
        scenario,
        slice: range,
        kept: filter.kept,
        total_weight: survey.total_weight,
        cold_exact,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum IdKind {
    Provider,
    CommonCause,
}

struct Loader<'a> {
    src: &'a Source<'a>,
    /// Provider and common-cause ids; services are checked against these.
    ids: HashMap<String, (IdKind, u32, Range<usize>)>,
    regions: Vec<Region>,
}

impl Loader<'_> {
    /// `[[service]] allow`: lint kinds a service accepts.
    fn allow(&self, list: &[toml::Spanned<String>]) -> Result<Vec<String>, InputError> {
        list.iter()
            .map(|k| {
                if SERVICE_LINTS.contains(&k.get_ref().as_str()) {
                    Ok(k.get_ref().clone())
                } else {
                    Err(self.err(
                        k.span(),
                        "service.allow",
                        format!(
                            "a service may allow {}, not \"{}\"",
                            SERVICE_LINTS.join(" or "),
                            shown(k.get_ref())
                        ),
                    ))
                }
            })
            .collect()
    }

    pub(super) fn err(
        &self,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> InputError {
        self.src.error(span, key, message)
    }

    pub(super) fn loc_err(&self, loc: &Loc, key: &str, message: impl Into<String>) -> InputError {
        match loc {
            Loc::Toml(span) => self.err(span.clone(), key, message),
            Loc::Csv { file, line, column } => InputError::new(message)
                .in_file(file)
                .at(*line as usize, *column as usize)
                .with_key(key),
        }
    }

    fn scenario(
        mut self,
        raw: RawScenario,
        keep: Keep,
        ahead: Option<ahead::Ahead>,
    ) -> Result<(Scenario, Keep, bool), InputError> {
        // Entries are checked one by one and every bad one is reported;
        // what needs them all (requirements, includes) only once they are
        // good. Regions come first: everything else may name them.
        let mut errors: Vec<InputError> = Vec::new();
        let simulation = self.simulation(raw.simulation);
        self.regions(raw.region)?;
        let mut providers = Vec::with_capacity(raw.provider.len());
        for (i, p) in raw.provider.into_iter().enumerate() {
            match self.provider(i, p) {
                Ok(p) => providers.push(p),
                Err(e) => errors.push(e),
            }
        }
        let mut common_causes = Vec::with_capacity(raw.common_cause.len());
        for (i, c) in raw.common_cause.into_iter().enumerate() {
            match self.common_cause(i, c) {
                Ok(c) => common_causes.push(c),
                Err(e) => errors.push(e),
            }
        }

        let mut pending = Pending {
            keep,
            ..Default::default()
        };
        let mut lint_allow = Vec::new();
        for s in raw.service {
            let allow = match s.allow.as_ref().map(|list| self.allow(list)) {
                Some(Err(e)) => {
                    errors.push(e);
                    None
                }
                other => other.and_then(Result::ok),
            };
            let at = pending.len();
            match self.service(s) {
                Ok(p) => pending.push(p),
                Err(e) => errors.push(e),
            }
            // Where it was kept (a part keeps some services only).
            if let Some(kinds) = allow.filter(|_| pending.len() > at) {
                lint_allow.push((at as u32, kinds));
            }
        }
        let resolvers = match raw.resolvers {
            Some(r) => self.resolvers(r).map_err(|e| errors.push(e)).ok(),
            None => Some(Resolvers::default()),
        };
        let mut events = Vec::with_capacity(raw.event.len());
        match &simulation {
            Ok(sim) => {
                for e in raw.event {
                    match self.event(e, sim) {
                        Ok(e) => events.push(e),
                        Err(e) => errors.push(e),
                    }
                }
            }
            Err(e) => errors.push(e.clone()),
        }
        if let Some(all) = InputError::all(errors) {
            return Err(all);
        }
        let (simulation, resolvers) = (simulation?, resolvers.expect("no errors"));
        let includes: Vec<&str> = raw
            .include
            .iter()
            .map(|i| &**i.services.get_ref())
            .collect();
        // Services of the TOML come before the rows: read ahead, the rows
        // would come first.
        let read = ahead
            .filter(|_| pending.is_empty())
            .and_then(|a| a.finish(&includes))
            .and_then(|read| self.take(read, &includes));
        let taken = read.is_some();
        let hasher = match read {
            Some((rows, hasher)) => {
                pending = rows;
                hasher
            }
            None => self.includes(&raw.include, &mut pending)?,
        };
        if pending.is_empty() {
            return Err(InputError::new(
                "the scenario has no services: add a [[service]] or an [[include]]",
            )
            .in_file(&self.src.path));
        }
        let keep = std::mem::take(&mut pending.keep);
        let services = self.resolve(pending)?;

        let name = match raw.name {
            Some(n) => n.into_inner(),
            None => self.src.path.file_stem().map_or_else(
                || "scenario".to_string(),
                |s| s.to_string_lossy().into_owned(),
            ),
        };
        let content_hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok((
            Scenario {
                content_hash,
                name,
                description: raw.description.unwrap_or_default(),
                sources: raw.sources.unwrap_or_default(),
                simulation,
                regions: self.regions,
                providers,
                common_causes,
                services,
                resolvers,
                events,
                lint_allow,
            },
            keep,
            taken,
        ))
    }

    /// Reads the `includes` in order into `pending`; the content hash.
    fn includes(
        &self,
        includes: &[RawInclude],
        pending: &mut Pending,
    ) -> Result<Sha256, InputError> {
        let mut hasher = hash_start(self.src.text);
        for inc in includes {
            let rel = inc.services.get_ref();
            let path = include_path(self.src, rel);
            let unreadable = |why: String| {
                self.err(
                    inc.services.span(),
                    "include.services",
                    format!("cannot read included file \"{}\": {why}", path.display()),
                )
            };
            let file = open_input(&path).map_err(unreadable)?;
            let index = |p: &str| self.provider_index(p);
            if let Err(e) = read_include(file, &path, rel, &mut hasher, index, pending) {
                // Said as when the file was read whole before its rows: a
                // file that is not UTF-8 (or cannot be read) says so first.
                return Err(read_text(&path).err().map_or(e, unreadable));
            }
        }
        Ok(hasher)
    }

    /// The rows read ahead from `includes`, their providers renumbered as
    /// the plan's, and the content hash; `None` when a name read is not a
    /// provider (the includes are then read in order, for the error).
    fn take(&self, read: ahead::Read, includes: &[&str]) -> Option<(Pending, Sha256)> {
        let ahead::Read {
            mut pending,
            names,
            hasher,
        } = read;
        let plan: Vec<u32> = names
            .iter()
            .map(|n| self.provider_index(n).ok())
            .collect::<Option<_>>()?;
        for s in &mut pending.services {
            s.renumber_providers(|p| plan[p as usize]);
        }
        // Inputs now, as when opened in order: no output may replace them.
        for rel in includes {
            remember(&include_path(self.src, rel));
        }
        Some((pending, hasher))
    }
}
