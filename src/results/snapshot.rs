//! Snapshot results (spec §6): who is unreachable, how likely, and the
//! impact. The structs derive `Serialize` and are the JSON schema; the other
//! formats read the same structs. `engine::summary` fills them from counts.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{ModelKind, RegionRow, RegionValues};

/// `S` is the service rows: a list, or (`engine::summary::Rows`) rows a
/// run makes as they are written, so that a plan of millions never holds
/// them all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotReport<S = Vec<ServiceRow>> {
    pub dnsim: String,
    pub model: ModelKind,
    pub scenario: String,
    /// The scenario's `description` and `sources`, carried so that a
    /// shared report keeps its provenance (absent when the file has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub trials: u64,
    pub seed: u64,
    /// True when every event was certain (`--fail-only`): one trial is exact.
    pub exact: bool,
    /// The `--fail` options, as given.
    pub fail: Vec<String>,
    /// Present when the run used importance sampling (`--rare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    pub regions: Vec<RegionRow>,
    pub summary: Summary,
    /// The per-trial impact's distribution: [impact, trials] pairs,
    /// ascending, zero included. Empty under importance sampling, where
    /// trials are weighted.
    pub impact_distribution: Vec<(f64, u64)>,
    /// Riskiest first; ties in scenario order.
    pub services: S,
    /// Largest single-failure impact first; ties in scenario order.
    pub providers: Vec<ProviderRow>,
}

impl<S> SnapshotReport<S> {
    /// The report without its rows (an empty list), and the rows.
    pub fn without_services(self) -> (SnapshotReport, S) {
        let mut rows = None;
        let report = self.map_services(|s| {
            rows = Some(s);
            Vec::new()
        });
        (report, rows.expect("map_services maps the rows"))
    }

    /// The same report with its rows made into others (or dropped).
    pub fn map_services<T>(self, rows: impl FnOnce(S) -> T) -> SnapshotReport<T> {
        SnapshotReport {
            dnsim: self.dnsim,
            model: self.model,
            scenario: self.scenario,
            description: self.description,
            sources: self.sources,
            trials: self.trials,
            seed: self.seed,
            exact: self.exact,
            fail: self.fail,
            sampling: self.sampling,
            regions: self.regions,
            summary: self.summary,
            impact_distribution: self.impact_distribution,
            services: rows(self.services),
            providers: self.providers,
        }
    }
}

impl SnapshotReport {
    /// How the numbers were made, when it is not plain sampling: "exact:
    /// every event certain" or "importance sampling, …".
    pub fn method_note(&self) -> Option<String> {
        if self.exact {
            Some("exact: every event certain".to_string())
        } else {
            self.sampling.as_ref().map(|s| match s.chosen_by {
                ChosenBy::Auto => "importance sampling, chosen automatically".to_string(),
                ChosenBy::Flag => "importance sampling, by --rare".to_string(),
            })
        }
    }
}

impl SnapshotReport {
    /// Every probability the report holds, named, for checks.
    /// That the impact distribution is one: ascending finite impacts, not
    /// negative, whose counts add up to the trials (the HTML chart walks
    /// its tail down from the trials).
    pub(super) fn check_shape(&self) -> Result<(), String> {
        let dist = &self.impact_distribution;
        if dist.is_empty() {
            return Ok(());
        }
        if dist.iter().any(|&(v, _)| !(v.is_finite() && v >= 0.0))
            || dist.windows(2).any(|w| w[0].0 >= w[1].0)
        {
            return Err("an impact distribution whose impacts are not ascending and finite".into());
        }
        let total = dist
            .iter()
            .try_fold(0u64, |sum, &(_, c)| sum.checked_add(c));
        if total != Some(self.trials) {
            return Err(format!(
                "an impact distribution of {} trials in a result of {}",
                total.map_or("more than 2^64".to_string(), |t| t.to_string()),
                self.trials
            ));
        }
        Ok(())
    }

    /// Each service's per-region values in the report's region order, as
    /// the exporters read them (a file edited by a JSON tool may hold them
    /// in another: the keys of an object have no order).
    pub(super) fn regions_in_order(&mut self) {
        let ids: Vec<String> = self.regions.iter().map(|r| r.id.clone()).collect();
        let names = std::sync::Arc::new(ids.clone());
        for s in &mut self.services {
            if **s.regions.names() == ids {
                continue;
            }
            let values: Vec<f64> = ids
                .iter()
                .map(|id| {
                    let at = s.regions.names().iter().position(|n| n == id);
                    at.map_or(0.0, |i| s.regions.values()[i])
                })
                .collect();
            s.regions = RegionValues::new(names.clone(), values);
        }
    }

    pub fn probabilities(&self) -> Vec<(&'static str, f64)> {
        let mut v = vec![("summary.p_any_unreachable", self.summary.p_any_unreachable)];
        for s in &self.services {
            v.push(("services.p_unreachable", s.p_unreachable));
            v.extend(s.ci95.iter().map(|&x| ("services.ci95", x)));
            v.extend(s.regions.values().iter().map(|&x| ("services.regions", x)));
        }
        v.extend(
            self.providers
                .iter()
                .map(|p| ("providers.p_down", p.p_down)),
        );
        v
    }
}

/// How an importance-sampled run drew its events (`run --rare`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sampling {
    pub method: SamplingMethod,
    pub chosen_by: ChosenBy,
    /// The probability rarer events were drawn with.
    pub biased_p: f64,
    /// Mean likelihood ratio over the trials: near 1 when all is well.
    pub mean_weight: f64,
    /// (Σ L)² / Σ L²: how many plain trials the weighted ones are worth
    /// for the event "anything at all".
    pub effective_trials: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub services: usize,
    pub total_weight: f64,
    pub expected_unreachable: f64,
    pub expected_impact: f64,
    pub p_any_unreachable: f64,
    pub impact_quantiles: Quantiles,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Quantiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
}

impl Quantiles {
    /// From the lower quantile at q = permille / 1000.
    pub fn from_permille(q: impl Fn(u64) -> f64) -> Quantiles {
        Quantiles {
            p50: q(500),
            p90: q(900),
            p99: q(990),
            p999: q(999),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: Box<str>,
    /// Its delegated providers (the NS set); services with the same set
    /// share one list.
    pub dns: Arc<Vec<String>>,
    pub weight: f64,
    pub p_unreachable: f64,
    pub ci95: [f64; 2],
    pub regions: RegionValues,
    /// What it requires, when it requires anything (for the HTML graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Arc<Requires>>,
}

/// A service's `requires` and `requires_any`, by id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Requires {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Vec<String>>,
}

impl Requires {
    /// Service `s`'s requirements by id, `None` when it has none.
    pub fn of(
        scenario: &crate::scenario::Scenario,
        s: &crate::scenario::Service,
    ) -> Option<Arc<Requires>> {
        if s.requires().is_empty() && s.requires_any().is_empty() {
            return None;
        }
        let id = |&q: &u32| scenario.services[q as usize].id.to_string();
        Some(Arc::new(Requires {
            all: s.requires().iter().map(id).collect(),
            any: s
                .requires_any()
                .iter()
                .map(|g| g.iter().map(id).collect())
                .collect(),
        }))
    }

    /// Every service's requirements by id, services that require the same
    /// sharing one list (most plans repeat a few: sites and their CDN).
    pub fn shared(scenario: &crate::scenario::Scenario) -> SharedRequires<'_> {
        let mut lists: foldhash::HashMap<RequiresKey, Arc<Requires>> = foldhash::HashMapExt::new();
        for s in &scenario.services {
            if let Some(key) = requires_key(s) {
                lists
                    .entry(key)
                    .or_insert_with(|| Requires::of(scenario, s).expect("it requires something"));
            }
        }
        SharedRequires(lists)
    }
}

type RequiresKey<'a> = (&'a [u32], &'a [Box<[u32]>]);

fn requires_key(s: &crate::scenario::Service) -> Option<RequiresKey<'_>> {
    (!s.requires().is_empty() || !s.requires_any().is_empty())
        .then(|| (s.requires(), s.requires_any()))
}

/// [`Requires::shared`]: one list per distinct set of requirements.
pub struct SharedRequires<'a>(foldhash::HashMap<RequiresKey<'a>, Arc<Requires>>);

impl SharedRequires<'_> {
    /// Service `s`'s requirements, `None` when it has none.
    pub fn of(&self, s: &crate::scenario::Service) -> Option<Arc<Requires>> {
        requires_key(s).map(|key| self.0[&key].clone())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProviderRow {
    pub id: String,
    /// Exact P(down), weighted over regions.
    pub p_down: f64,
    /// Impact when this provider alone is down everywhere, all else up.
    pub single_failure_impact: f64,
    /// Services unreachable in that case.
    pub single_failure_services: usize,
}

/// How a run drew its events, when not plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamplingMethod {
    /// Biased draws, weighted trials (`run --rare`).
    ImportanceSampling,
}

/// Why a run sampled by importance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChosenBy {
    /// The user asked for it.
    #[serde(rename = "--rare")]
    Flag,
    /// Plain sampling would have seen almost nothing.
    #[serde(rename = "auto")]
    Auto,
}
