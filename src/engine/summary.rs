//! Snapshot counts → [`SnapshotReport`]: probabilities, intervals, impact
//! quantiles and the exact single-failure impacts, for plain and
//! importance-sampled runs alike.

use std::sync::Arc;

use rayon::prelude::*;

use super::Tally;
use super::eval::SingleTotals;
use super::rare::{Bias, RareTally};
use crate::forcing::FailSpec;
use crate::model::Model;
use crate::results::{
    ChosenBy, MadeRows, ModelKind, ProviderRow, Quantiles, RegionRow, RegionValues, Sampling,
    SamplingMethod, ServiceRow, SnapshotReport, Summary, VERSION, round12,
};
use crate::scenario::Scenario;
use crate::stats;

/// Run parameters that the report states.
pub struct RunInfo<'a> {
    pub seed: u64,
    pub fail: &'a [FailSpec],
}

/// The report of a plain run; its rows are made as they are read.
pub fn snapshot<'a>(
    scenario: &'a Scenario,
    model: &'a Model,
    tally: &Tally,
    single: SingleTotals,
    info: &RunInfo,
) -> SnapshotReport<Rows<'a>> {
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
    chosen_by: ChosenBy,
    single: SingleTotals,
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
            method: SamplingMethod::ImportanceSampling,
            chosen_by,
            biased_p: bias.level(model),
            mean_weight: tally.weight_sum / nf,
            effective_trials: if tally.weight_sq > 0.0 {
                tally.weight_sum * tally.weight_sum / tally.weight_sq
            } else {
                0.0
            },
        }),
    };
    build(scenario, model, single, info, estimates).collected()
}

/// What a run estimated, however it sampled.
struct Estimates {
    trials: u64,
    exact: bool,
    nodes: Vec<NodeEstimate>,
    p_any: f64,
    quantiles: Quantiles,
    impact_distribution: Vec<(f64, u64)>,
    sampling: Option<Sampling>,
}

fn build<'a>(
    scenario: &'a Scenario,
    model: &'a Model,
    single: SingleTotals,
    info: &RunInfo,
    estimates: Estimates,
) -> SnapshotReport<Rows<'a>> {
    let providers = provider_rows(scenario, model, &single);
    let mut report = SnapshotReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Snapshot,
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        sources: scenario.sources.clone(),
        trials: estimates.trials,
        seed: info.seed,
        exact: estimates.exact,
        fail: info.fail.iter().map(|f| f.to_string()).collect(),
        sampling: estimates.sampling,
        regions: region_rows(scenario),
        summary: Summary {
            services: scenario.services.len(),
            total_weight: scenario.total_weight(),
            expected_unreachable: 0.0,
            expected_impact: 0.0,
            p_any_unreachable: estimates.p_any,
            impact_quantiles: estimates.quantiles,
        },
        impact_distribution: estimates.impact_distribution,
        services: (),
        providers,
    };
    let services = &scenario.services;
    let nodes = estimates.nodes;
    let node_of = |i: usize| model.service_node[i] as usize;
    // The sums and the ranking read the figures as estimated; the rows
    // show them to 12 digits (`results::tidy`), rounded once per node.
    report.summary.expected_unreachable = (0..services.len()).map(|i| nodes[node_of(i)].0).sum();
    report.summary.expected_impact = (0..services.len())
        .map(|i| services[i].weight * nodes[node_of(i)].0)
        .sum();
    let order =
        crate::results::rank_order(services.len(), |i| nodes[node_of(i)].0, |i| &services[i].id);
    report.tidy();
    report.map_services(|()| Rows::new(scenario, model, order, nodes))
}

/// A run's service rows, riskiest first, made when they are read: all at
/// once ([`Rows::collect`]) or, written as JSON, a chunk at a time on
/// every core, so that a plan of millions of services never holds them all
/// (a row is about 80 bytes beside the scenario's own).
pub struct Rows<'a> {
    scenario: &'a Scenario,
    node_of: &'a [u32],
    /// Service indices in the rows' order.
    order: Vec<u32>,
    /// Per node, rounded: P(down) and its interval, and per region.
    figures: Vec<(f64, [f64; 2])>,
    regions: Vec<RegionValues>,
    /// Services with the same NS set share one list of names.
    dns_lists: foldhash::HashMap<&'a [u32], Arc<Vec<String>>>,
    requires: crate::results::SharedRequires<'a>,
}

impl<'a> Rows<'a> {
    fn new(
        scenario: &'a Scenario,
        model: &'a Model,
        order: Vec<u32>,
        nodes: Vec<NodeEstimate>,
    ) -> Rows<'a> {
        let names = Arc::new(model.region_ids.clone());
        let (figures, regions) = nodes
            .into_par_iter()
            .map(|(p, ci, per_region)| {
                let values: Box<[f64]> = per_region.iter().map(|&x| round12(x)).collect();
                (
                    (round12(p), ci.map(round12)),
                    RegionValues::new(names.clone(), values),
                )
            })
            .unzip();
        let mut dns_lists: foldhash::HashMap<&[u32], Arc<Vec<String>>> =
            foldhash::HashMapExt::new();
        for s in &scenario.services {
            dns_lists.entry(&s.dns).or_insert_with(|| {
                Arc::new(
                    s.dns
                        .iter()
                        .map(|&p| scenario.providers[p as usize].id.clone())
                        .collect(),
                )
            });
        }
        Rows {
            scenario,
            node_of: &model.service_node,
            order,
            figures,
            regions,
            dns_lists,
            requires: crate::results::Requires::shared(scenario),
        }
    }

    fn row(&self, i: u32) -> ServiceRow {
        let s = &self.scenario.services[i as usize];
        let node = self.node_of[i as usize] as usize;
        let (p, ci) = self.figures[node];
        ServiceRow {
            id: s.id.clone(),
            dns: self.dns_lists[&*s.dns].clone(),
            weight: round12(s.weight),
            requires: self.requires.of(s),
            p_unreachable: p,
            ci95: ci,
            regions: self.regions[node].clone(),
        }
    }

    /// Every row, made on both cores in order.
    pub fn collect(&self) -> Vec<ServiceRow> {
        self.first(self.order.len())
    }

    /// The first `n` rows (all when there are fewer), for a table.
    pub fn first(&self, n: usize) -> Vec<ServiceRow> {
        self.make(&self.order[..n.min(self.order.len())])
    }
}

impl MadeRows for Rows<'_> {
    type Row = ServiceRow;

    fn order(&self) -> &[u32] {
        &self.order
    }

    /// The rows of `services`, made on every core.
    fn make(&self, services: &[u32]) -> Vec<ServiceRow> {
        services.par_iter().map(|&i| self.row(i)).collect()
    }
}

impl serde::Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::results::serialize_rows(self, s)
    }
}

impl SnapshotReport<Rows<'_>> {
    /// The report with every row made.
    pub fn collected(self) -> SnapshotReport {
        self.map_services(|rows| rows.collect())
    }
}

/// A node's P(down) weighted over regions, its 95% interval, and P(down)
/// per region.
pub type NodeEstimate = (f64, [f64; 2], Arc<[f64]>);

/// Per node: P(down) weighted over regions, its 95% interval, and P(down)
/// per region, from a tally's counts.
pub fn node_estimates(model: &Model, tally: &Tally) -> Vec<NodeEstimate> {
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

/// The scenario's regions with their normalised client shares.
pub fn region_rows(scenario: &Scenario) -> Vec<RegionRow> {
    scenario
        .regions
        .iter()
        .map(|r| RegionRow {
            id: r.id.clone(),
            weight: r.weight,
        })
        .collect()
}

/// Each provider's P(down) and what its failure alone takes down, largest
/// impact first.
fn provider_rows(scenario: &Scenario, model: &Model, single: &SingleTotals) -> Vec<ProviderRow> {
    let w = &model.region_weights;
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
            single_failure_services: single.services[i],
        })
        .collect();
    providers.sort_by(|a, b| b.single_failure_impact.total_cmp(&a.single_failure_impact));
    providers
}
