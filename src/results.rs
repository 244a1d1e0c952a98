//! Snapshot results: the counts of a [`Tally`] turned into probabilities,
//! intervals and impacts. The structs here derive `Serialize`, and they are
//! the JSON schema of spec §6; the other formats read the same structs.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::engine::Tally;
use crate::engine::eval::SingleFailures;
use crate::engine::rare::{Bias, RareTally};
use crate::model::{FailSpec, Model};
use crate::scenario::Scenario;
use crate::stats;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SnapshotReport {
    pub dnsim: String,
    pub model: String,
    pub scenario: String,
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
    pub services: Vec<ServiceRow>,
    /// Largest single-failure impact first; ties in scenario order.
    pub providers: Vec<ProviderRow>,
}

impl SnapshotReport {
    /// How the numbers were made, when it is not plain sampling: "exact:
    /// every event certain" or "importance sampling, …".
    pub fn method_note(&self) -> Option<String> {
        if self.exact {
            Some("exact: every event certain".to_string())
        } else {
            self.sampling.as_ref().map(|s| match s.chosen_by.as_str() {
                "auto" => "importance sampling, chosen automatically".to_string(),
                by => format!("importance sampling, by {by}"),
            })
        }
    }
}

/// How an importance-sampled run drew its events (`run --rare`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Sampling {
    /// "importance_sampling".
    pub method: String,
    /// Why: "--rare", or "auto" (plain sampling would see almost nothing).
    pub chosen_by: String,
    /// The probability rarer events were drawn with.
    pub biased_p: f64,
    /// Mean likelihood ratio over the trials: near 1 when all is well.
    pub mean_weight: f64,
    /// (Σ L)² / Σ L²: how many plain trials the weighted ones are worth
    /// for the event "anything at all".
    pub effective_trials: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegionRow {
    pub id: String,
    pub weight: f64,
}

impl RegionRow {
    /// The scenario's regions with their normalised client shares.
    pub fn all(scenario: &Scenario) -> Vec<RegionRow> {
        scenario
            .regions
            .iter()
            .map(|r| RegionRow {
                id: r.id.clone(),
                weight: r.weight,
            })
            .collect()
    }
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
    fn from_permille(q: impl Fn(u64) -> f64) -> Quantiles {
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
    pub id: String,
    /// Its delegated providers (the NS set); services with the same set
    /// share one list.
    pub dns: Arc<[String]>,
    pub weight: f64,
    pub p_unreachable: f64,
    pub ci95: [f64; 2],
    pub regions: RegionValues,
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

/// Per-region values, serialised as a map in region order. Services that
/// share a node share one allocation of values.
#[derive(Debug, Clone)]
pub struct RegionValues {
    pub names: Arc<Vec<String>>,
    pub values: Arc<[f64]>,
}

impl<'de> Deserialize<'de> for RegionValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RegionValues, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RegionValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from region to value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RegionValues, A::Error> {
                let (mut names, mut values) = (Vec::new(), Vec::new());
                while let Some((k, v)) = map.next_entry::<String, f64>()? {
                    names.push(k);
                    values.push(v);
                }
                Ok(RegionValues {
                    names: Arc::new(names),
                    values: values.into(),
                })
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl Serialize for RegionValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values.len()))?;
        for (k, v) in self.names.iter().zip(self.values.iter()) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Run parameters that the report states.
pub struct RunInfo<'a> {
    pub seed: u64,
    pub fail: &'a [FailSpec],
}

pub fn snapshot(
    scenario: &Scenario,
    model: &Model,
    tally: &Tally,
    single: &SingleFailures,
    info: &RunInfo,
) -> SnapshotReport {
    let nf = tally.trials.max(1) as f64;
    let positive: u64 = tally.impact.values().sum();
    let zeros = tally.trials - positive;
    let q = |permille| stats::lower_quantile(zeros, &tally.impact, tally.trials, permille);
    let estimates = Estimates {
        trials: tally.trials,
        exact: model.exact,
        nodes: node_estimates(model, tally),
        p_any: tally
            .any
            .iter()
            .zip(&model.region_weights)
            .map(|(&c, w)| c as f64 / nf * w)
            .sum(),
        quantiles: Quantiles::from_permille(q),
        impact_distribution: std::iter::once((0.0, zeros))
            .filter(|&(_, n)| n > 0)
            .chain(tally.impact.iter().map(|(&b, &n)| (f64::from_bits(b), n)))
            .collect(),
        sampling: None,
    };
    build(scenario, model, single, info, estimates)
}

/// The report of an importance-sampled run: the same shape, from weighted
/// sums.
pub fn snapshot_rare(
    scenario: &Scenario,
    model: &Model,
    tally: &RareTally,
    bias: &Bias,
    chosen_by: &str,
    single: &SingleFailures,
    info: &RunInfo,
) -> SnapshotReport {
    let n = tally.trials.max(1);
    let nf = n as f64;
    let rc = model.region_count();
    let nodes = (0..model.node_count())
        .map(|node| {
            let per_region: Arc<[f64]> = tally.down[node * rc..(node + 1) * rc]
                .iter()
                .map(|x| x / nf)
                .collect();
            let p = tally.node_sum[node] / nf;
            let ci = if tally.hits[node] == 0 {
                [0.0, stats::wilson(0, n)[1]]
            } else {
                stats::normal(p, tally.node_sq[node] / nf, n)
            };
            (p.min(1.0), ci, per_region)
        })
        .collect();
    // P(impact ≤ x) = 1 − Σ_{v > x} W_v / n, from the weighted histogram.
    let above: f64 = tally.impact.values().sum::<f64>() / nf;
    let q = |permille: u64| {
        let want = permille as f64 / 1000.0;
        let mut rest = above;
        if 1.0 - rest >= want {
            return 0.0;
        }
        for (&bits, &w) in &tally.impact {
            rest -= w / nf;
            if 1.0 - rest >= want {
                return f64::from_bits(bits);
            }
        }
        tally
            .impact
            .keys()
            .next_back()
            .map_or(0.0, |&b| f64::from_bits(b))
    };
    let estimates = Estimates {
        trials: tally.trials,
        exact: false,
        nodes,
        p_any: tally
            .any
            .iter()
            .zip(&model.region_weights)
            .map(|(x, w)| x / nf * w)
            .sum(),
        quantiles: Quantiles::from_permille(q),
        impact_distribution: Vec::new(),
        sampling: Some(Sampling {
            method: "importance_sampling".to_string(),
            chosen_by: chosen_by.to_string(),
            biased_p: bias.level(model),
            mean_weight: tally.weight_sum / nf,
            effective_trials: if tally.weight_sq > 0.0 {
                tally.weight_sum * tally.weight_sum / tally.weight_sq
            } else {
                0.0
            },
        }),
    };
    build(scenario, model, single, info, estimates)
}

/// What a run estimated, however it sampled.
struct Estimates {
    trials: u64,
    exact: bool,
    nodes: Vec<(f64, [f64; 2], Arc<[f64]>)>,
    p_any: f64,
    quantiles: Quantiles,
    impact_distribution: Vec<(f64, u64)>,
    sampling: Option<Sampling>,
}

fn build(
    scenario: &Scenario,
    model: &Model,
    single: &SingleFailures,
    info: &RunInfo,
    estimates: Estimates,
) -> SnapshotReport {
    let w = &model.region_weights;
    let names = Arc::new(model.region_ids.clone());
    let node_stats = &estimates.nodes;
    let mut dns_lists: std::collections::HashMap<&[u32], Arc<[String]>> =
        std::collections::HashMap::new();
    let mut services: Vec<ServiceRow> = scenario
        .services
        .iter()
        .zip(&model.service_node)
        .map(|(s, &node)| {
            let (p, ci, per_region) = &node_stats[node as usize];
            ServiceRow {
                id: s.id.to_string(),
                dns: dns_lists
                    .entry(&s.dns)
                    .or_insert_with(|| {
                        s.dns
                            .iter()
                            .map(|&p| scenario.providers[p as usize].id.clone())
                            .collect()
                    })
                    .clone(),
                weight: s.weight,
                p_unreachable: *p,
                ci95: *ci,
                regions: RegionValues {
                    names: names.clone(),
                    values: per_region.clone(),
                },
            }
        })
        .collect();
    let expected_unreachable = services.iter().map(|s| s.p_unreachable).sum();
    let expected_impact = services.iter().map(|s| s.weight * s.p_unreachable).sum();
    services.sort_by(|a, b| b.p_unreachable.total_cmp(&a.p_unreachable));

    let mut per_node = vec![0usize; model.node_count()];
    for &node in &model.service_node {
        per_node[node as usize] += 1;
    }
    let services_down: Vec<usize> = (0..model.provider_count)
        .map(|p| {
            (0..model.node_count())
                .filter(|&n| single.takes_down(p, n as u32))
                .map(|n| per_node[n])
                .sum()
        })
        .collect();
    let mut providers: Vec<ProviderRow> = scenario
        .providers
        .iter()
        .enumerate()
        .map(|(i, p)| ProviderRow {
            id: p.id.clone(),
            p_down: model
                .provider_p_down(i)
                .iter()
                .zip(w)
                .map(|(x, w)| x * w)
                .sum(),
            single_failure_impact: single.impact[i],
            single_failure_services: services_down[i],
        })
        .collect();
    providers.sort_by(|a, b| b.single_failure_impact.total_cmp(&a.single_failure_impact));

    SnapshotReport {
        dnsim: VERSION.to_string(),
        model: "snapshot".to_string(),
        scenario: scenario.name.clone(),
        trials: estimates.trials,
        seed: info.seed,
        exact: estimates.exact,
        fail: info.fail.iter().map(|f| f.to_string()).collect(),
        sampling: estimates.sampling,
        regions: RegionRow::all(scenario),
        summary: Summary {
            services: scenario.services.len(),
            total_weight: scenario.total_weight(),
            expected_unreachable,
            expected_impact,
            p_any_unreachable: estimates.p_any,
            impact_quantiles: estimates.quantiles,
        },
        impact_distribution: estimates.impact_distribution,
        services,
        providers,
    }
}

/// Per node: P(down) weighted over regions, its 95% interval, and P(down)
/// per region, from a tally's counts.
pub fn node_estimates(model: &Model, tally: &Tally) -> Vec<(f64, [f64; 2], Arc<[f64]>)> {
    let n = tally.trials.max(1);
    let nf = n as f64;
    let rc = model.region_count();
    let np = crate::engine::pairs(rc);
    let w = &model.region_weights;
    (0..model.node_count())
        .map(|node| {
            let down = &tally.down[node * rc..(node + 1) * rc];
            let per_region: Arc<[f64]> = down.iter().map(|&c| c as f64 / nf).collect();
            // Normalised weights can sum to 1 + 1 ulp: keep probabilities in [0, 1].
            let p: f64 = per_region
                .iter()
                .zip(w)
                .map(|(x, w)| x * w)
                .sum::<f64>()
                .min(1.0);
            let ci = if model.exact {
                [p, p]
            } else if rc == 1 {
                stats::wilson(down[0], n)
            } else if down.iter().all(|&c| c == 0) {
                // No trial saw it down: the normal interval would collapse to
                // [0, 0], so give Wilson's interval for zero events instead.
                stats::wilson(0, n)
            } else {
                let joint = &tally.joint[node * np..(node + 1) * np];
                let mut second: f64 = down
                    .iter()
                    .zip(w)
                    .map(|(&c, w)| w * w * c as f64 / nf)
                    .sum();
                let mut k = 0;
                for r in 0..rc {
                    for s in r + 1..rc {
                        second += 2.0 * w[r] * w[s] * joint[k] as f64 / nf;
                        k += 1;
                    }
                }
                stats::normal(p, second, n)
            };
            (p, ci, per_region)
        })
        .collect()
}
