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
mod rows;

use std::sync::Arc;

use crate::engine::summary::{NodeEstimate, node_estimates, region_rows};
use crate::engine::{self, RunConfig};
use crate::forcing::Forcing;
use crate::model::Model;
use crate::results::{
    AnalysisMethod, AnalysisReport, AnalysisRowFigures, AnalysisSummary, Fallback, Importance,
    ModelKind, PlanCutSet, RegionValues, VERSION,
};
use crate::scenario::Scenario;

pub use self::rows::ServiceRows;

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

/// Most removed first, then largest Birnbaum, then model order: `key`
/// gives an entry's (removes, Birnbaum, event).
fn rank<T>(list: &mut [T], key: impl Fn(&T) -> (f64, f64, u32)) {
    list.sort_by(|a, b| {
        let (ra, ba, ea) = key(a);
        let (rb, bb, eb) = key(b);
        rb.total_cmp(&ra).then(bb.total_cmp(&ba)).then(ea.cmp(&eb))
    });
}

/// Exact analysis of a scenario (spec §8), with the Monte Carlo fallback
/// where a diagram would be too large: every row made.
pub fn analyze(scenario: &Scenario, options: &AnalyzeOptions) -> AnalysisReport {
    analyze_rows(scenario, options).map_services(|rows| rows.collect())
}

/// [`analyze`], with the services' rows made when they are read.
pub fn analyze_rows<'a>(
    scenario: &'a Scenario,
    options: &AnalyzeOptions,
) -> AnalysisReport<ServiceRows<'a>> {
    let mut model = Model::compile(scenario, &Forcing::default())
        .expect("no --fail: compiling a loaded scenario cannot fail");
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
    // The plan's cut sets first, then the nodes' rows: the largest
    // transient (each cut set's impact) comes before the rows are made.
    let total_weight = scenario.total_weight();
    let cut_sets = plan_cut_sets(&model, &cuts, total_weight);
    let largest_bdd = exact
        .iter()
        .flatten()
        .map(|x| x.bdd_nodes)
        .max()
        .unwrap_or(0);
    let fallback = (inexact > 0).then(|| fallback(&model, &exact, options));
    let nodes = node_rows(&model, exact, estimates.as_deref(), &cuts);
    drop(cuts);
    let services = &scenario.services;
    let node_of = &model.service_node;
    let p = |i: usize| nodes.rows[node_of[i] as usize].figures.p;
    let expected_unreachable = (0..services.len()).map(p).sum();
    let expected_impact = (0..services.len()).map(|i| services[i].weight * p(i)).sum();
    // Riskiest first, ties in scenario order.
    let order = crate::results::order_by(services.len(), |a, b| p(b).total_cmp(&p(a)));
    let mut report = AnalysisReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Snapshot,
        method: if fallback.is_some() {
            AnalysisMethod::ExactAndMonteCarlo
        } else {
            AnalysisMethod::Exact
        },
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        sources: scenario.sources.clone(),
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
        services: (),
        importance: plan_importance(&model, &nodes.plan_birnbaum, nodes.exact_impact),
        cut_sets,
    };
    report.tidy();
    let node_of = std::mem::take(&mut model.service_node);
    let events = std::mem::take(&mut model.events);
    drop(model);
    report.map_services(|()| ServiceRows::new(scenario, events, node_of, order, nodes.rows))
}

/// One node's figures, shared by the services of that node. Importance
/// and cut sets are kept as the model's events and named when rows are
/// made (`rows.rs`, once a node for the rows made together): at a million
/// services, made up front (an event's name and seven figures per entry),
/// they were a fifth of analyze's peak.
struct NodeRow {
    figures: AnalysisRowFigures,
    /// P(unreachable) as computed, before `figures` are rounded: what the
    /// importance measures are computed from.
    total: f64,
    /// Exact only: (event, Birnbaum importance), most removed first.
    birnbaum: Box<[(u32, f64)]>,
    /// The minimal cut sets, likeliest first, each as its length and then
    /// its events.
    cut_sets: Box<[u32]>,
}

/// Every node's row, and the plan's Birnbaum importance per event and
/// expected impact over the nodes analysed exactly.
struct NodeRows {
    rows: Vec<NodeRow>,
    plan_birnbaum: Vec<f64>,
    exact_impact: f64,
}

fn node_rows(
    model: &Model,
    exact: Vec<Option<exact::NodeExact>>,
    estimates: Option<&[NodeEstimate]>,
    cuts: &cuts::NodeCuts,
) -> NodeRows {
    let w = &model.region_weights;
    let names = Arc::new(model.region_ids.clone());
    let event_p: Vec<f64> = model.events.iter().map(|e| e.p).collect();
    let mut plan_birnbaum = vec![0.0f64; model.events.len()];
    let mut exact_impact = 0.0;
    let rows = exact
        .into_iter()
        .enumerate()
        .map(|(n, exact)| {
            let mut sets: Vec<cuts::Cut> = cuts.of(n).cloned().collect();
            cuts::minimise(&mut sets);
            let prob = |s: &cuts::Cut| s.iter().map(|&e| event_p[e as usize]).product::<f64>();
            sets.sort_by(|a, b| prob(b).total_cmp(&prob(a)));
            let cut_sets = sets
                .iter()
                .flat_map(|s| std::iter::once(s.len() as u32).chain(s.iter().copied()))
                .collect();
            let Some(x) = exact else {
                let (p, ci, regions) = &estimates.expect("estimates exist when needed")[n];
                return NodeRow {
                    figures: AnalysisRowFigures {
                        p: *p,
                        ci: Some(*ci),
                        regions: RegionValues::new(names.clone(), &regions[..]),
                    },
                    total: *p,
                    birnbaum: Box::new([]),
                    cut_sets,
                };
            };
            let p = weighted(&x.p, w);
            for &(e, b) in &x.birnbaum {
                plan_birnbaum[e as usize] += model.node_weight[n] * b;
            }
            exact_impact += model.node_weight[n] * p;
            let mut birnbaum = x.birnbaum;
            rank(&mut birnbaum, |&(e, b)| (event_p[e as usize] * b, b, e));
            NodeRow {
                figures: AnalysisRowFigures {
                    p,
                    ci: None,
                    regions: RegionValues::new(names.clone(), x.p),
                },
                total: p,
                birnbaum: birnbaum.into(),
                cut_sets,
            }
        })
        .collect();
    NodeRows {
        rows,
        plan_birnbaum,
        exact_impact,
    }
}

fn event_names(model: &Model, set: &cuts::Cut) -> Vec<String> {
    set.iter()
        .map(|&e| model.events[e as usize].id.clone())
        .collect()
}

/// Importance against the plan's expected impact, most removed first.
fn plan_importance(model: &Model, plan_birnbaum: &[f64], exact_impact: f64) -> Vec<Importance> {
    let mut list: Vec<(u32, Importance)> = plan_birnbaum
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b != 0.0)
        .map(|(e, &b)| {
            let ev = &model.events[e];
            (e as u32, importance(ev.id.clone(), ev.p, exact_impact, b))
        })
        .collect();
    rank(&mut list, |(e, i)| (i.removes, i.birnbaum, *e));
    list.into_iter().map(|(_, i)| i).collect()
}

/// Every set that is a minimal cut set of some node, with what it does
/// alone; largest impact first.
fn plan_cut_sets(model: &Model, cuts: &cuts::NodeCuts, total_weight: f64) -> Vec<PlanCutSet> {
    let mut per_node = vec![0usize; model.node_count()];
    for &n in &model.service_node {
        per_node[n as usize] += 1;
    }
    let distinct = cuts.distinct();
    let mut cut_sets: Vec<PlanCutSet> = cuts::impacts(model, &distinct, &per_node)
        .into_iter()
        .zip(&distinct)
        .map(|((impact, services), set)| PlanCutSet {
            events: event_names(model, set),
            probability: set.iter().map(|&e| model.events[e as usize].p).product(),
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
    cut_sets
}

/// Which services fell back to Monte Carlo, and why.
fn fallback(
    model: &Model,
    exact: &[Option<exact::NodeExact>],
    options: &AnalyzeOptions,
) -> Fallback {
    Fallback {
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
