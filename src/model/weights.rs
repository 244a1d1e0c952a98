//! Weights as integers, so that a trial's impact is one exact sum however
//! services are grouped (into nodes, threads, or parts of a plan), and
//! what a part of a plan counts.

use super::Model;
use crate::scenario::Scenario;

/// The weight unit's exponent for a plan of total weight `total`: the
/// largest that keeps every sum of weights below 2^125 (a u128 with room
/// for rounding), so that weights are integers of 2^-shift. Exact for every
/// weight whose last binary digit is at or above 2^-shift: all of them
/// unless the plan's weights span more than about 2^72 (README, "Plans
/// larger than one machine: parts").
pub fn unit_shift(total: f64) -> i32 {
    if total > 0.0 && total.is_finite() {
        125 - (libm::ilogb(total) + 1)
    } else {
        0
    }
}

/// A weight in units of 2^-`shift`, rounded to the nearest.
pub fn weight_units(weight: f64, shift: i32) -> u128 {
    libm::round(libm::ldexp(weight, shift)) as u128
}

impl Model {
    /// A trial's impact from its sums of weight units per region: each
    /// sum turned to a weight (one rounding) and shared out by the region's
    /// clients, regions in order.
    pub fn trial_impact(&self, units: impl Iterator<Item = u128>) -> f64 {
        units
            .zip(&self.region_weights)
            .map(|(u, &w)| libm::ldexp(u as f64, -self.unit_shift) * w)
            .fold(0.0, |a, x| a + x)
    }
}

/// A part of a plan (`--part`, see `crate::part`), as the model sees it:
/// which of the part's services count in its figures (the others are there
/// because counted ones require them), and what the whole plan fixes.
#[derive(Debug, Clone)]
pub struct Slice {
    /// The whole plan's services that the part counts.
    pub counted: std::ops::Range<usize>,
    /// Per service of the part's scenario: its index in the whole plan.
    pub kept: Vec<u32>,
    /// The whole plan's weight unit.
    pub unit_shift: i32,
    /// Whether every cold-NS event of the whole plan is certain or
    /// impossible (with every event certain, one trial is exact).
    pub cold_exact: bool,
}

impl Slice {
    /// Whether service `s` of the part's scenario counts in its figures.
    pub fn counts(&self, s: usize) -> bool {
        self.counted.contains(&(self.kept[s] as usize))
    }
}

/// Per node: what its services that count weigh, and whether any counts
/// (the others are parents' referrals, or in a part, services that only
/// its counted ones require).
pub(super) struct NodeWeights {
    pub weight: Vec<f64>,
    pub units: Vec<u128>,
    pub visible: Vec<bool>,
}

impl NodeWeights {
    /// Summed in scenario order, so a node's weight does not depend on the
    /// topological order chosen.
    pub fn of(
        scenario: &Scenario,
        service_node: &[u32],
        nodes: usize,
        part: Option<&Slice>,
        shift: i32,
    ) -> NodeWeights {
        let mut w = NodeWeights {
            weight: vec![0.0; nodes],
            units: vec![0; nodes],
            visible: vec![false; nodes],
        };
        for (s, (svc, &n)) in scenario.services.iter().zip(service_node).enumerate() {
            if part.is_none_or(|p| p.counts(s)) {
                let n = n as usize;
                w.weight[n] += svc.weight;
                w.units[n] += weight_units(svc.weight, shift);
                w.visible[n] = true;
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_exact_for_weights_the_plan_can_hold() {
        let shift = unit_shift(100_000.0);
        assert_eq!(shift, 125 - 17);
        for w in [0.1, 1.0, 3.7, 1e-9, 12_345.678] {
            let u = weight_units(w, shift);
            assert_eq!(libm::ldexp(u as f64, -shift), w, "{w}");
        }
        // The plan's total stays below 2^125: sums of its weights, and of
        // up to 2^31 roundings, cannot overflow a u128.
        let total = weight_units(100_000.0, shift);
        assert!((1 << 124..1 << 125).contains(&total));
        assert_eq!(unit_shift(0.0), 0);
    }
}
