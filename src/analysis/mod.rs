//! `dnsim analyze`: exact answers for the snapshot model (spec §8).
//!
//! Per service, the exact probability of being unreachable (binary decision
//! diagrams, [`exact`]), importance measures for every event it depends on,
//! and minimal cut sets up to an order ([`cuts`]); for the plan, the exact
//! expected impact, importance against it (the "what to fix first" ranking)
//! and the cut sets that take down the most weight. Where a diagram would
//! exceed `max_bdd_nodes`, that service (and whatever requires it) falls
//! back to Monte Carlo with the scenario's trials and seed, and says so.

pub mod cuts;
pub mod exact;

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::engine::summary::{node_estimates, region_rows};
use crate::engine::{self, RunConfig};
use crate::forcing::Forcing;
use crate::model::Model;
use crate::results::{
    AnalysisMethod, AnalysisReport, AnalysisService, AnalysisSummary, Fallback, Importance,
    ModelKind, PlanCutSet, RegionValues, ServiceMethod, VERSION,
};
use crate::scenario::Scenario;

pub const DEFAULT_ORDER: usize = 2;
/// The largest diagram (in BDD nodes) built for one service in one region
/// before falling back to Monte Carlo.
pub const DEFAULT_MAX_BDD_NODES: usize = 1_000_000;

#[derive(Debug, Clone, Copy)]
pub struct AnalyzeOptions {
    /// Largest cut sets listed.
    pub order: usize,
    pub max_bdd_nodes: usize,
    /// For the Monte Carlo fallback.
    pub trials: u64,
    pub seed: u64,
}

/// An event's importance measures, from the measure `total` (P(D), or expected impact), the event's
/// probability and its Birnbaum importance ∂total/∂p.
pub fn importance(event: String, p: f64, total: f64, birnbaum: f64) -> Importance {
    let given = total + (1.0 - p) * birnbaum;
    // P(D | not e) as a difference: a few ulps of `total` where it is
    // truly zero (e is in every cut set), so treat that as zero.
    let without = total - p * birnbaum;
    let without = if without <= total * 1e-13 {
        0.0
    } else {
        without
    };
    let ratio = |x: f64| (total > 0.0).then(|| x / total);
    Importance {
        event,
        p,
        birnbaum,
        fussell_vesely: ratio(p * given),
        criticality: ratio(birnbaum * p),
        raw: ratio(given),
        rrw: (total > 0.0 && without > 0.0).then(|| total / without),
        removes: p * birnbaum,
    }
}

/// Most removed first, then largest Birnbaum, then model order.
fn rank(list: &mut [(usize, Importance)]) {
    list.sort_by(|a, b| {
        b.1.removes
            .total_cmp(&a.1.removes)
            .then(b.1.birnbaum.total_cmp(&a.1.birnbaum))
            .then(a.0.cmp(&b.0))
    });
}

pub fn analyze(scenario: &Scenario, options: &AnalyzeOptions) -> AnalysisReport {
    let model = Model::compile(scenario, &Forcing::default())
        .expect("no --fail: compiling a loaded scenario cannot fail");
    let nc = model.node_count();
    let w = &model.region_weights;
    let exact = exact::analyze(&model, options.max_bdd_nodes);
    let inexact = exact.iter().filter(|x| x.is_none()).count();
    let estimates = (inexact > 0).then(|| {
        let tally = engine::run(
            &model,
            RunConfig {
                trials: options.trials,
                seed: options.seed,
            },
            &|_| {},
        );
        node_estimates(&model, &tally)
    });
    let cuts = cuts::node_cut_sets(&model, options.order);
    let event_p: Vec<f64> = model.events.iter().map(|e| e.p).collect();
    let names = Arc::new(model.region_ids.clone());

    // Per node: (p, ci, per region, importance, cut sets).
    struct NodeRow {
        p: f64,
        ci: Option<[f64; 2]>,
        regions: Arc<[f64]>,
        importance: Arc<[Importance]>,
        cut_sets: Arc<[Vec<String>]>,
    }
    let mut plan_b = vec![0.0f64; model.events.len()];
    let mut exact_impact = 0.0;
    let rows: Vec<NodeRow> = (0..nc)
        .map(|n| {
            let mut sets: Vec<cuts::Cut> = cuts[n].iter().flatten().cloned().collect();
            cuts::minimise(&mut sets);
            let prob = |s: &cuts::Cut| s.iter().map(|&e| event_p[e as usize]).product::<f64>();
            sets.sort_by(|a, b| prob(b).total_cmp(&prob(a)));
            let cut_sets = sets
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|&e| model.events[e as usize].id.clone())
                        .collect()
                })
                .collect();
            match &exact[n] {
                Some(x) => {
                    let p = weighted(&x.p, w);
                    for &(e, b) in &x.birnbaum {
                        plan_b[e as usize] += model.node_weight[n] * b;
                    }
                    exact_impact += model.node_weight[n] * p;
                    let mut importance: Vec<(usize, Importance)> = x
                        .birnbaum
                        .iter()
                        .map(|&(e, b)| {
                            let ev = &model.events[e as usize];
                            (e as usize, importance(ev.id.clone(), ev.p, p, b))
                        })
                        .collect();
                    rank(&mut importance);
                    NodeRow {
                        p,
                        ci: None,
                        regions: x.p.iter().copied().collect(),
                        importance: importance.into_iter().map(|(_, i)| i).collect(),
                        cut_sets,
                    }
                }
                None => {
                    let (p, ci, regions) =
                        &estimates.as_ref().expect("estimates exist when needed")[n];
                    NodeRow {
                        p: *p,
                        ci: Some(*ci),
                        regions: regions.clone(),
                        importance: Arc::from([]),
                        cut_sets,
                    }
                }
            }
        })
        .collect();

    let mut services: Vec<AnalysisService> = scenario
        .services
        .iter()
        .zip(&model.service_node)
        .map(|(s, &n)| {
            let row = &rows[n as usize];
            AnalysisService {
                id: s.id.to_string(),
                weight: s.weight,
                method: if row.ci.is_some() {
                    ServiceMethod::MonteCarlo
                } else {
                    ServiceMethod::Exact
                },
                p_unreachable: row.p,
                ci95: row.ci,
                regions: RegionValues {
                    names: names.clone(),
                    values: row.regions.clone(),
                },
                importance: row.importance.clone(),
                cut_sets: row.cut_sets.clone(),
            }
        })
        .collect();
    let expected_unreachable = services.iter().map(|s| s.p_unreachable).sum();
    let expected_impact = services.iter().map(|s| s.weight * s.p_unreachable).sum();
    services.sort_by(|a, b| b.p_unreachable.total_cmp(&a.p_unreachable));

    let mut importance: Vec<(usize, Importance)> = plan_b
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b != 0.0)
        .map(|(e, &b)| {
            let ev = &model.events[e];
            (e, importance(ev.id.clone(), ev.p, exact_impact, b))
        })
        .collect();
    rank(&mut importance);

    let total_weight = scenario.total_weight();
    let mut per_node = vec![0usize; nc];
    for &n in &model.service_node {
        per_node[n as usize] += 1;
    }
    let distinct: Vec<cuts::Cut> = cuts
        .iter()
        .flatten()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut cut_sets: Vec<PlanCutSet> = cuts::impacts(&model, &distinct, &per_node)
        .into_iter()
        .zip(&distinct)
        .map(|((impact, services), set)| PlanCutSet {
            events: set
                .iter()
                .map(|&e| model.events[e as usize].id.clone())
                .collect(),
            probability: set.iter().map(|&e| event_p[e as usize]).product(),
            impact,
            share: if total_weight > 0.0 {
                impact / total_weight
            } else {
                0.0
            },
            services,
        })
        .collect();
    cut_sets.sort_by(|a, b| {
        b.impact
            .total_cmp(&a.impact)
            .then(b.probability.total_cmp(&a.probability))
    });

    let largest_bdd = exact
        .iter()
        .flatten()
        .map(|x| x.bdd_nodes)
        .max()
        .unwrap_or(0);
    let fallback = (inexact > 0).then(|| Fallback {
        services: model
            .service_node
            .iter()
            .filter(|&&n| exact[n as usize].is_none())
            .count(),
        trials: options.trials,
        seed: options.seed,
        reason: if model.events.len() > exact::MAX_EVENTS {
            format!(
                "the plan has {} events; exact analysis takes at most {}",
                model.events.len(),
                exact::MAX_EVENTS
            )
        } else {
            format!(
                "their decision diagrams would exceed {} nodes (--max-bdd-nodes)",
                options.max_bdd_nodes
            )
        },
    });
    AnalysisReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Snapshot,
        method: if fallback.is_some() {
            AnalysisMethod::ExactAndMonteCarlo
        } else {
            AnalysisMethod::Exact
        },
        scenario: scenario.name.clone(),
        max_bdd_nodes: options.max_bdd_nodes,
        cut_set_order: options.order,
        fallback,
        regions: region_rows(scenario),
        summary: AnalysisSummary {
            services: scenario.services.len(),
            total_weight,
            expected_unreachable,
            expected_impact,
            largest_bdd,
        },
        services,
        importance: importance.into_iter().map(|(_, i)| i).collect(),
        cut_sets,
    }
}

fn weighted(per_region: &[f64], w: &[f64]) -> f64 {
    per_region
        .iter()
        .zip(w)
        .map(|(x, w)| x * w)
        .sum::<f64>()
        .min(1.0)
}
