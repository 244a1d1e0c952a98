//! `dnsim sweep` results: one headline figure per point of a grid of
//! `--set` values.

use serde::{Deserialize, Serialize};

use super::ModelKind;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepReport {
    pub dnsim: String,
    pub model: ModelKind,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub trials: u64,
    pub seed: u64,
    /// What `figure` is: "downtime_minutes" (timeline: weight-averaged
    /// over services, over the horizon) or "expected_impact" (snapshot).
    pub measure: String,
    /// `--set` flags applied at every point.
    pub fixed: Vec<String>,
    pub axes: Vec<SweepAxis>,
    /// Every point, the last axis varying fastest.
    pub points: Vec<SweepPoint>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepAxis {
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepPoint {
    /// One value per axis.
    pub values: Vec<String>,
    pub figure: f64,
    /// The service with the largest figure of its own at this point.
    pub worst_service: String,
    pub worst_figure: f64,
}

/// Every combination of one value of each axis, as indices into their
/// values, the last axis varying fastest.
pub fn combinations(axes: &[SweepAxis]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..axis.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}
