//! Snapshot results: the counts of a [`Tally`] turned into probabilities,
//! intervals and impacts. The structs here derive `Serialize`, and they are
//! the JSON schema of spec §6; the other formats read the same structs.

use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::engine::Tally;
use crate::engine::eval::SingleFailures;
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
    pub regions: Vec<RegionRow>,
    pub summary: Summary,
    /// The per-trial impact's distribution: [impact, trials] pairs,
    /// ascending, zero included.
    pub impact_distribution: Vec<(f64, u64)>,
    /// Riskiest first; ties in scenario order.
    pub services: Vec<ServiceRow>,
    /// Largest single-failure impact first; ties in scenario order.
    pub providers: Vec<ProviderRow>,
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
    let n = tally.trials.max(1);
    let nf = n as f64;
    let w = &model.region_weights;
    let names = Arc::new(model.region_ids.clone());

    let node_stats = node_estimates(model, tally);

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

    let positive: u64 = tally.impact.values().sum();
    let zeros = tally.trials - positive;
    let q = |permille| stats::lower_quantile(zeros, &tally.impact, tally.trials, permille);
    SnapshotReport {
        dnsim: VERSION.to_string(),
        model: "snapshot".to_string(),
        scenario: scenario.name.clone(),
        trials: tally.trials,
        seed: info.seed,
        exact: model.exact,
        fail: info.fail.iter().map(|f| f.to_string()).collect(),
        regions: RegionRow::all(scenario),
        summary: Summary {
            services: scenario.services.len(),
            total_weight: scenario.total_weight(),
            expected_unreachable,
            expected_impact,
            p_any_unreachable: tally
                .any
                .iter()
                .zip(w)
                .map(|(&c, w)| c as f64 / nf * w)
                .sum(),
            impact_quantiles: Quantiles {
                p50: q(500),
                p90: q(900),
                p99: q(990),
                p999: q(999),
            },
        },
        impact_distribution: std::iter::once((0.0, zeros))
            .filter(|&(_, n)| n > 0)
            .chain(tally.impact.iter().map(|(&b, &n)| (f64::from_bits(b), n)))
            .collect(),
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
