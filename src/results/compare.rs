//! Comparison results (spec §8): two plans on common random numbers, the
//! paired difference per service and in total impact.

use serde::{Deserialize, Serialize};

use super::ModelKind;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompareReport {
    pub dnsim: String,
    pub model: ModelKind,
    pub a: String,
    pub b: String,
    pub trials: u64,
    pub seed: u64,
    pub summary: CompareSummary,
    /// Services in both plans, largest change first; ties in A's order.
    pub services: Vec<ServiceChange>,
    /// Services only in A.
    pub only_in_a: Vec<String>,
    /// Services only in B.
    pub only_in_b: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompareSummary {
    pub expected_impact_a: f64,
    pub expected_impact_b: f64,
    /// B − A, per trial, averaged.
    pub impact_difference: f64,
    /// From the paired per-trial differences.
    pub impact_difference_ci95: [f64; 2],
    /// What two independent runs of this many trials would give.
    pub unpaired_ci95: [f64; 2],
    /// Trials in which B's impact was lower, higher.
    pub trials_b_better: u64,
    pub trials_b_worse: u64,
    pub services_better: usize,
    pub services_worse: usize,
    pub services_unchanged: usize,
    pub services_unclear: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServiceChange {
    pub id: String,
    pub weight_a: f64,
    pub weight_b: f64,
    pub p_unreachable_a: f64,
    pub p_unreachable_b: f64,
    /// B − A.
    pub difference: f64,
    pub difference_ci95: [f64; 2],
    pub change: Change,
}

/// What happened to a service from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The interval of B − A lies below 0.
    Better,
    /// The interval of B − A lies above 0.
    Worse,
    /// No trial differs.
    Unchanged,
    /// Trials differ, and the interval holds 0.
    Unclear,
}

impl Change {
    /// The verdict on a difference: whether any trial differed, and its
    /// 95% interval.
    pub fn of(differs: bool, ci95: [f64; 2]) -> Change {
        if !differs {
            Change::Unchanged
        } else if ci95[1] < 0.0 {
            Change::Better
        } else if ci95[0] > 0.0 {
            Change::Worse
        } else {
            Change::Unclear
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Unchanged => "unchanged",
            Change::Unclear => "unclear",
        }
    }
}

/// A timeline comparison (spec §8's comparison, for the timeline model):
/// downtime per service on common random numbers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineCompareReport {
    pub dnsim: String,
    pub model: ModelKind,
    pub a: String,
    pub b: String,
    pub trials: u64,
    pub seed: u64,
    pub horizon_minutes: f64,
    pub summary: TimelineCompareSummary,
    /// Services in both plans, largest change in downtime first.
    pub services: Vec<TimelineServiceChange>,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimelineCompareSummary {
    /// Weight-averaged over the services in both plans, minutes over the
    /// horizon (lookup-weighted: failed lookups ÷ lookup rate).
    pub downtime_minutes_a: f64,
    pub downtime_minutes_b: f64,
    /// B − A, from the paired per-trial differences.
    pub downtime_difference: f64,
    pub downtime_difference_ci95: [f64; 2],
    /// What two independent runs of this many trials would give.
    pub unpaired_ci95: [f64; 2],
    pub trials_b_better: u64,
    pub trials_b_worse: u64,
    pub services_better: usize,
    pub services_worse: usize,
    pub services_unchanged: usize,
    pub services_unclear: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TimelineServiceChange {
    pub id: String,
    pub weight_a: f64,
    pub weight_b: f64,
    pub failed_share_a: f64,
    pub failed_share_b: f64,
    pub downtime_minutes_a: f64,
    pub downtime_minutes_b: f64,
    /// B − A, minutes over the horizon.
    pub downtime_difference: f64,
    pub downtime_difference_ci95: [f64; 2],
    pub change: Change,
}
