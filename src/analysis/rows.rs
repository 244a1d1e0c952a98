//! An analysis's service rows, riskiest first, made when they are read:
//! all at once, the first few (for a table), or, written as JSON, a chunk
//! at a time on every core, so that a plan of millions of services never
//! holds them all (a row is about 130 bytes beside the scenario's own).

use rayon::prelude::*;

use super::NodeRow;
use crate::results::{AnalysisService, ServiceMethod, round12};
use crate::scenario::Scenario;

pub struct ServiceRows<'a> {
    scenario: &'a Scenario,
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
        node_of: Vec<u32>,
        order: Vec<u32>,
        mut nodes: Vec<NodeRow>,
    ) -> ServiceRows<'a> {
        nodes.par_iter_mut().for_each(|n| n.figures.tidy());
        ServiceRows {
            scenario,
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

    fn row(&self, i: u32) -> AnalysisService {
        let s = &self.scenario.services[i as usize];
        let node = &self.nodes[self.node_of[i as usize] as usize];
        let f = &node.figures;
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
            importance: f.importance.clone(),
            cut_sets: node.cut_sets.clone(),
        }
    }

    /// Every row, made on both cores in order.
    pub fn collect(&self) -> Vec<AnalysisService> {
        self.first(self.len())
    }

    /// The first `n` rows (all when there are fewer).
    pub fn first(&self, n: usize) -> Vec<AnalysisService> {
        let shown = &self.order[..n.min(self.len())];
        shown.par_iter().map(|&i| self.row(i)).collect()
    }
}

impl serde::Serialize for ServiceRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::results::serialize_rows(&self.order, |i| self.row(i), s)
    }
}
