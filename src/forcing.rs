//! Forced failures: `--fail ID[@REGION]` and `--fail-only`, parsed from the
//! flags and resolved once against the scenario into what they take down.
//! Both models read the resolved form, so they accept and refuse the same
//! options with the same messages.

use crate::error::{InputError, unknown};
use crate::scenario::{EventTarget, Scenario};

/// `--fail ID[@REGION]`, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailSpec {
    pub id: String,
    pub region: Option<String>,
}

impl FailSpec {
    pub fn parse(text: &str) -> Result<FailSpec, InputError> {
        let (id, region) = match text.split_once('@') {
            Some((id, region)) => (id, Some(region.to_string())),
            None => (text, None),
        };
        if id.is_empty() || region.as_deref() == Some("") {
            return Err(InputError::flag(
                "--fail",
                format!("expected ID or ID@REGION, got \"{text}\""),
            ));
        }
        Ok(FailSpec {
            id: id.to_string(),
            region,
        })
    }
}

impl std::fmt::Display for FailSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.region {
            Some(r) => write!(f, "{}@{r}", self.id),
            None => write!(f, "{}", self.id),
        }
    }
}

/// Which failures a run forces, and whether everything else stays up.
#[derive(Debug, Clone, Default)]
pub struct Forcing {
    pub fail: Vec<FailSpec>,
    pub fail_only: bool,
}

/// A `--fail` option resolved against a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedFail {
    /// The event it forces: `dyn`, `dyn@us-east`, a common cause's id, or
    /// `cause@region`.
    pub id: String,
    /// The (provider, region) pairs it takes down: a provider in every
    /// region or in one, a common cause's providers in its regions or in
    /// one of them.
    pub cover: Vec<(u32, u32)>,
}

impl Forcing {
    /// Every `--fail` option resolved against `scenario`, in order.
    pub fn resolve(&self, scenario: &Scenario) -> Result<Vec<ResolvedFail>, InputError> {
        self.fail.iter().map(|f| f.resolve(scenario)).collect()
    }
}

impl FailSpec {
    /// What this option takes down in `scenario`: an unknown id or region,
    /// a service given where a provider was meant, or a common cause named in
    /// a region it does not reach, is an input error.
    pub fn resolve(&self, scenario: &Scenario) -> Result<ResolvedFail, InputError> {
        let provider = scenario.providers.iter().position(|p| p.id == self.id);
        let cause = scenario.common_causes.iter().position(|c| c.id == self.id);
        let region = match &self.region {
            None => None,
            Some(name) => Some(
                scenario
                    .regions
                    .iter()
                    .position(|x| x.id == *name)
                    .ok_or_else(|| {
                        InputError::flag(
                            "--fail",
                            unknown(
                                "region",
                                name,
                                scenario.regions.iter().map(|x| x.id.as_str()),
                            ),
                        )
                    })? as u32,
            ),
        };
        let all_regions: Vec<u32> = (0..scenario.regions.len() as u32).collect();
        let (target, regions) = match (provider, cause) {
            (Some(p), _) => (
                EventTarget::Provider(p as u32),
                region.map_or(all_regions, |r| vec![r]),
            ),
            (None, Some(c)) => {
                let cc = &scenario.common_causes[c];
                let regions = match region {
                    None => cc.regions.clone(),
                    Some(r) if cc.regions.contains(&r) => vec![r],
                    Some(_) => {
                        return Err(InputError::flag(
                            "--fail",
                            format!(
                                "common cause \"{}\" does not reach region \"{}\"",
                                cc.id,
                                self.region.as_deref().unwrap_or_default()
                            ),
                        ));
                    }
                };
                (EventTarget::CommonCause(c as u32), regions)
            }
            (None, None) => return Err(self.unknown_target(scenario)),
        };
        Ok(ResolvedFail {
            id: self.to_string(),
            cover: scenario.cover(target, &regions),
        })
    }

    fn unknown_target(&self, scenario: &Scenario) -> InputError {
        let names = scenario
            .providers
            .iter()
            .map(|p| p.id.as_str())
            .chain(scenario.common_causes.iter().map(|c| c.id.as_str()));
        let mut msg = unknown("provider or common cause", &self.id, names);
        if scenario.services.iter().any(|s| *s.id == self.id) {
            msg.push_str(&format!(
                "; \"{}\" is a service, and --fail takes providers and common causes",
                self.id
            ));
        }
        InputError::flag("--fail", msg)
    }
}
