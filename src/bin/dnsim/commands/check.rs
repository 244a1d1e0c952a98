//! `dnsim check SCENARIO`: validation and lint, no simulation; warnings
//! accepted by a service's `allow`, `--allow` or a `--baseline` are
//! counted, not reported.

use std::borrow::Cow;
use std::path::Path;

use foldhash::HashSet;
use serde::Deserialize;

use dnsim::error::InputError;
use dnsim::lint;
use dnsim::output::emit;
use dnsim::results::{CheckFailure, CheckReport, VERSION, Warning, WarningKind};

use super::{Outcome, write_json};
use crate::Exit;
use crate::cli::{CheckArgs, CheckFormat};

const KINDS: [WarningKind; 3] = [
    WarningKind::SingleProvider,
    WarningKind::HiddenSingleProvider,
    WarningKind::ProviderShare,
];

/// `--allow KIND[:ID]`.
fn parse_allow(text: &str) -> Result<(WarningKind, Option<String>), InputError> {
    let (kind, id) = match text.split_once(':') {
        Some((k, i)) => (k, Some(i.to_string())),
        None => (text, None),
    };
    let names: Vec<&str> = KINDS.iter().map(|k| k.as_str()).collect();
    let kind = KINDS.iter().find(|k| k.as_str() == kind).ok_or_else(|| {
        let shown: String = kind.chars().take(60).collect();
        InputError::flag(
            "--allow",
            format!(
                "no warning kind \"{shown}\": expected one of {}, then :ID or nothing",
                names.join(", ")
            ),
        )
    })?;
    Ok((*kind, id))
}

/// A baseline as `check --format json` writes it: its warnings' kind,
/// service (none for a provider's share) and provider, read in place
/// (strings with escapes aside), not as a tree of JSON values.
#[derive(Deserialize)]
struct BaselineFile<'t> {
    #[serde(borrow)]
    warnings: Option<Vec<BaselineWarning<'t>>>,
}

#[derive(Deserialize)]
struct BaselineWarning<'t> {
    #[serde(borrow, default)]
    kind: Cow<'t, str>,
    #[serde(borrow)]
    service: Option<Cow<'t, str>>,
    #[serde(borrow, default)]
    provider: Cow<'t, str>,
}

/// The warnings of the baseline `text`, read from `path`.
fn read_baseline<'t>(path: &Path, text: &'t str) -> Result<Vec<BaselineWarning<'t>>, InputError> {
    let bad = |why: String| InputError::new(why).in_file(path).with_key("--baseline");
    let file: BaselineFile = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_data() {
            "not a baseline"
        } else {
            "not JSON"
        };
        bad(format!(
            "{what} ({e}); a baseline is what check --format json writes"
        ))
    })?;
    file.warnings.ok_or_else(|| {
        bad("no \"warnings\" list: a baseline is what check --format json writes".into())
    })
}

/// A baseline's warnings as (kind, service or "", provider).
type Baseline<'t> = HashSet<(&'t str, &'t str, &'t str)>;

/// What `--allow`, the file's `allow` lists and a baseline accept, as sets:
/// a plan of a million services with a baseline of as many warnings is
/// checked in one pass, not one scan of the baseline per warning.
struct Accepted<'t> {
    /// Kinds accepted everywhere (`--allow KIND`).
    kinds: HashSet<WarningKind>,
    /// (kind, service or provider id) (`--allow KIND:ID`, `allow`).
    ids: HashSet<(WarningKind, String)>,
    baseline: Baseline<'t>,
}

impl Accepted<'_> {
    /// Whether `w` is accepted by an `--allow`, an `allow` or the baseline.
    fn accepts(&self, w: &Warning) -> bool {
        let about = w.service.unwrap_or(w.provider);
        // The sets are keyed by owned strings; a lookup builds its key once
        // per warning, only when the set has anything to find.
        self.kinds.contains(&w.kind)
            || (!self.ids.is_empty() && self.ids.contains(&(w.kind, about.to_string())))
            || (!self.baseline.is_empty()
                && self.baseline.contains(&(
                    w.kind.as_str(),
                    w.service.unwrap_or_default(),
                    w.provider,
                )))
    }
}

pub fn check(args: CheckArgs) -> Outcome {
    let allow = args
        .allow
        .iter()
        .map(|a| parse_allow(a))
        .collect::<Result<Vec<_>, _>>()?;
    let baseline = match &args.baseline {
        Some(path) => Some((path, dnsim::files::read_input(path, "baseline")?)),
        None => None,
    };
    // The baseline is read while the plan loads: neither needs the other.
    let quiet = args.format != CheckFormat::Table;
    let (loaded, baseline_list) = std::thread::scope(|scope| {
        let list =
            (baseline.as_ref()).map(|(path, text)| scope.spawn(|| read_baseline(path, text)));
        let loaded = crate::progress::loading(&args.scenario, quiet, || {
            dnsim::scenario::load(&args.scenario)
        });
        let list = list.map(|read| read.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (loaded, list.transpose())
    });
    let baseline_list = baseline_list?.unwrap_or_default();
    let baseline: Baseline = baseline_list
        .iter()
        .map(|w| {
            let service = w.service.as_deref().unwrap_or_default();
            (&*w.kind, service, &*w.provider)
        })
        .collect();
    let scenario = match loaded {
        Ok(s) => s,
        Err(e) => {
            if args.format == CheckFormat::Json {
                let failure = CheckFailure {
                    dnsim: VERSION,
                    ok: false,
                    error: (&e).into(),
                };
                emit(None, |out| write_json(&failure, out))?;
            }
            return Err(e.into());
        }
    };
    // The file's own `allow` lists, as --allow KIND:SERVICE.
    let mut allow = allow;
    for (i, kinds) in &scenario.lint_allow {
        let id = scenario.services[*i as usize].id.to_string();
        for k in kinds {
            if let Some(kind) = KINDS.iter().find(|x| x.as_str() == k) {
                allow.push((*kind, Some(id.clone())));
            }
        }
    }
    let mut accepted = Accepted {
        kinds: HashSet::default(),
        ids: HashSet::default(),
        baseline,
    };
    for (kind, id) in allow {
        match id {
            Some(id) => accepted.ids.insert((kind, id)),
            None => accepted.kinds.insert(kind),
        };
    }
    let all = lint::lint(&scenario, args.max_share);
    let total = all.len();
    let warnings: Vec<Warning> = all.into_iter().filter(|w| !accepted.accepts(w)).collect();
    let report = CheckReport {
        dnsim: VERSION,
        scenario: scenario.name.clone(),
        ok: true,
        services: scenario.services.len(),
        providers: scenario.providers.len(),
        common_causes: scenario.common_causes.len(),
        regions: scenario.regions.len(),
        allowed: total - warnings.len(),
        warnings,
    };
    let path = args.scenario.display().to_string();
    emit(None, |out| match args.format {
        CheckFormat::Json => write_json(&report, out),
        CheckFormat::Sarif => write_json(&dnsim::report::check::sarif(&report, &path), out),
        CheckFormat::Table => dnsim::report::check::write(&report, &path, args.top, out),
    })?;
    Ok(if args.deny_warnings && !report.warnings.is_empty() {
        Exit::Refused
    } else {
        Exit::Success
    })
}
