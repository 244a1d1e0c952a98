//! An analysis's service rows, riskiest first, made when they are read:
//! all at once, the first few (for a table), or, written as JSON, a chunk
//! at a time on every core, so that a plan of millions of services never
//! holds them all (a row is about 130 bytes beside the scenario's own).
//! A node's importance and cut sets are kept as event indices and named
//! when rows are made, once for all the rows made together.

use std::sync::Arc;

use rayon::prelude::*;

use super::NodeRow;
use crate::model::EventDef;
use crate::results::{
    AnalysisService, Importance, MadeRows, ServiceMethod, round12, rounded_importance,
};
use crate::scenario::Scenario;

/// A node's importance and cut sets, as rows show them.
type Named = (Arc<[Importance]>, Arc<[Vec<String>]>);

pub struct ServiceRows<'a> {
    scenario: &'a Scenario,
    /// The model's events, which the nodes' rows name by index.
    events: Vec<EventDef>,
    /// Per service, its node.
    node_of: Vec<u32>,
    /// Service indices in the rows' order.
    order: Vec<u32>,
    /// Per node, its figures rounded.
    nodes: Vec<NodeRow>,
}

impl<'a> ServiceRows<'a> {
    pub(super) fn new(
        scenario: &'a Scenario,
        events: Vec<EventDef>,
        node_of: Vec<u32>,
        order: Vec<u32>,
        mut nodes: Vec<NodeRow>,
    ) -> ServiceRows<'a> {
        nodes.par_iter_mut().for_each(|n| n.figures.tidy());
        ServiceRows {
            scenario,
            events,
            node_of,
            order,
            nodes,
        }
    }

    /// How many rows there are: one per service.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// A node's importance measures and cut sets, named.
    fn named(&self, node: &NodeRow) -> Named {
        let importance = node
            .birnbaum
            .iter()
            .map(|&(e, b)| {
                let ev = &self.events[e as usize];
                rounded_importance(super::importance(ev.id.clone(), ev.p, node.total, b))
            })
            .collect();
        let mut cut_sets = Vec::new();
        let mut rest = &node.cut_sets[..];
        while let Some((&len, tail)) = rest.split_first() {
            let (set, tail) = tail.split_at(len as usize);
            cut_sets.push(
                set.iter()
                    .map(|&e| self.events[e as usize].id.clone())
                    .collect(),
            );
            rest = tail;
        }
        (importance, cut_sets.into())
    }

    fn node(&self, i: u32) -> &NodeRow {
        &self.nodes[self.node_of[i as usize] as usize]
    }

    fn row(&self, i: u32, (importance, cut_sets): Named) -> AnalysisService {
        let s = &self.scenario.services[i as usize];
        let f = &self.node(i).figures;
        AnalysisService {
            id: s.id.to_string(),
            weight: round12(s.weight),
            method: if f.ci.is_some() {
                ServiceMethod::MonteCarlo
            } else {
                ServiceMethod::Exact
            },
            p_unreachable: f.p,
            ci95: f.ci,
            regions: f.regions.clone(),
            importance,
            cut_sets,
        }
    }

    /// Every row, made on both cores in order.
    pub fn collect(&self) -> Vec<AnalysisService> {
        self.make(&self.order)
    }

    /// The first `n` rows (all when there are fewer).
    pub fn first(&self, n: usize) -> Vec<AnalysisService> {
        self.make(&self.order[..n.min(self.len())])
    }
}

impl MadeRows for ServiceRows<'_> {
    type Row = AnalysisService;

    fn order(&self) -> &[u32] {
        &self.order
    }

    /// The rows of `services`, made on every core; the services of a node
    /// share its importance and cut sets, named once.
    fn make(&self, services: &[u32]) -> Vec<AnalysisService> {
        let node = |i: u32| self.node_of[i as usize];
        let mut nodes: Vec<u32> = services.iter().map(|&i| node(i)).collect();
        nodes.par_sort_unstable();
        nodes.dedup();
        let named: Vec<Named> = nodes
            .par_iter()
            .map(|&n| self.named(&self.nodes[n as usize]))
            .collect();
        services
            .par_iter()
            .map(|&i| {
                let k = nodes.binary_search(&node(i)).expect("every node named");
                self.row(i, named[k].clone())
            })
            .collect()
    }
}

impl serde::Serialize for ServiceRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::results::serialize_rows(self, s)
    }
}
