//! Analysis results (spec §8): exact probabilities, importance measures and
//! cut sets, as `dnsim analyze` reports them.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{ModelKind, RegionRow, RegionValues};

/// `S` is the service rows: a list, or (`analysis::ServiceRows`) rows made
/// as they are written, so that a plan of millions never holds them all.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisReport<S = Vec<AnalysisService>> {
    pub dnsim: String,
    pub model: ModelKind,
    pub method: AnalysisMethod,
    pub scenario: String,
    /// The scenario's `description` and `sources`, carried so that a
    /// shared report keeps its provenance (absent when the file has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub max_bdd_nodes: usize,
    pub cut_set_order: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    pub regions: Vec<RegionRow>,
    pub summary: AnalysisSummary,
    /// Riskiest first; ties in scenario order.
    pub services: S,
    /// Against the expected impact; most impact removed first.
    pub importance: Vec<Importance>,
    /// Every set that is a minimal cut set of some service, with what it
    /// does alone; largest impact first.
    pub cut_sets: Vec<PlanCutSet>,
}

impl<S> AnalysisReport<S> {
    /// The same report with its rows made into others.
    pub fn map_services<T>(self, rows: impl FnOnce(S) -> T) -> AnalysisReport<T> {
        AnalysisReport {
            dnsim: self.dnsim,
            model: self.model,
            method: self.method,
            scenario: self.scenario,
            description: self.description,
            sources: self.sources,
            max_bdd_nodes: self.max_bdd_nodes,
            cut_set_order: self.cut_set_order,
            fallback: self.fallback,
            regions: self.regions,
            summary: self.summary,
            services: rows(self.services),
            importance: self.importance,
            cut_sets: self.cut_sets,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fallback {
    /// Services estimated by Monte Carlo.
    pub services: usize,
    pub trials: u64,
    pub seed: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AnalysisSummary {
    pub services: usize,
    pub total_weight: f64,
    pub expected_unreachable: f64,
    pub expected_impact: f64,
    /// The largest diagram built, in BDD nodes.
    pub largest_bdd: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisService {
    pub id: String,
    pub weight: f64,
    pub method: ServiceMethod,
    pub p_unreachable: f64,
    /// Monte Carlo only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<[f64; 2]>,
    pub regions: RegionValues,
    /// Exact only; most risk removed first. Services of one node share it.
    pub importance: Arc<[Importance]>,
    /// Minimal cut sets (in some region) up to the order, likeliest first.
    pub cut_sets: Arc<[Vec<String>]>,
}

/// Importance of one event (spec §8). Ratios are `null` where they divide
/// by zero.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Importance {
    pub event: String,
    /// P(event).
    pub p: f64,
    pub birnbaum: f64,
    pub fussell_vesely: Option<f64>,
    pub criticality: Option<f64>,
    pub raw: Option<f64>,
    pub rrw: Option<f64>,
    /// What never having the event removes: P(D) − P(D | not e) (for the
    /// plan, expected impact).
    pub removes: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanCutSet {
    pub events: Vec<String>,
    /// Π P(event): the chance that all of them happen.
    pub probability: f64,
    /// The impact when exactly these events happen.
    pub impact: f64,
    /// `impact` over the total weight.
    pub share: f64,
    /// Services unreachable somewhere when exactly these events happen.
    pub services: usize,
}

/// How `analyze` computed the plan's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnalysisMethod {
    /// Every service by its decision diagram.
    #[serde(rename = "exact")]
    Exact,
    /// Some services fell back to Monte Carlo.
    #[serde(rename = "exact+monte_carlo")]
    ExactAndMonteCarlo,
}

impl AnalysisMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisMethod::Exact => "exact",
            AnalysisMethod::ExactAndMonteCarlo => "exact+monte_carlo",
        }
    }
}

/// How `analyze` computed one service's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceMethod {
    Exact,
    MonteCarlo,
}

impl ServiceMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceMethod::Exact => "exact",
            ServiceMethod::MonteCarlo => "monte_carlo",
        }
    }
}
