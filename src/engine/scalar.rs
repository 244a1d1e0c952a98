//! The reference evaluator: one trial, one region, one service at a time.
//!
//! Obviously right rather than fast. It reads the scenario's services
//! directly (not the collapsed nodes) and each event's coverage list (not the
//! compiled per-provider rows), and it evaluates the same sampled states as
//! the fast engine, so the two must agree exactly. Tests use it as an oracle
//! and the benchmark measures the fast engine against it.

use std::collections::HashSet;

use crate::model::{Model, cold_ns_event};
use crate::scenario::{Parent, Scenario, Service};

use super::{BLOCK_WORDS, RunConfig, block_count, draw_block, stream_keys, trials_in_block};

/// Which services are down in each region (`[region][service]`), given which
/// events fired in this trial.
///
/// A service with a `parent` is also down where its NS set is cold (its
/// `cold_ns_event` fired there) and every provider of its parent is down.
pub fn eval_trial(scenario: &Scenario, model: &Model, fired: &[bool]) -> Vec<Vec<bool>> {
    let regions = scenario.regions.len();
    let mut provider_down = vec![vec![false; scenario.providers.len()]; regions];
    let mut fired_ids = HashSet::new();
    for (e, event) in model.events.iter().enumerate() {
        if fired[e] {
            fired_ids.insert(event.id.as_str());
            for &(p, r) in &event.cover {
                if let Some(down) = provider_down[r as usize].get_mut(p as usize) {
                    *down = true;
                }
            }
        }
    }
    let mut out = vec![vec![false; scenario.services.len()]; regions];
    for r in 0..regions {
        for &s in &model.service_order {
            let svc = &scenario.services[s as usize];
            let all_dns_down = svc.dns.iter().all(|&p| provider_down[r][p as usize]);
            let required_down = svc.requires().iter().any(|&q| out[r][q as usize]);
            let group_down = svc
                .requires_any()
                .iter()
                .any(|g| g.iter().all(|&q| out[r][q as usize]));
            let referral_down = referral_down(
                scenario,
                svc,
                &|id| fired_ids.contains(cold_ns_event(id, &scenario.regions[r].id).as_str()),
                &provider_down[r],
            );
            out[r][s as usize] = all_dns_down || required_down || group_down || referral_down;
        }
    }
    out
}

/// Whether a lookup of `svc` fails for want of a referral: its NS set is
/// cold and its parent's providers are all down, or they are not but the
/// parent (a service) fails for want of its own referral.
fn referral_down(
    scenario: &Scenario,
    svc: &Service,
    cold: &dyn Fn(&str) -> bool,
    provider_down: &[bool],
) -> bool {
    if svc.parent().is_none() || !cold(&svc.id) {
        return false;
    }
    let parent_down = scenario
        .parent_providers(svc)
        .iter()
        .all(|&p| provider_down[p as usize]);
    parent_down
        || match svc.parent() {
            Some(Parent::Service(q)) => referral_down(
                scenario,
                &scenario.services[q as usize],
                cold,
                provider_down,
            ),
            _ => false,
        }
}

/// Plain counts from the reference evaluator over the same draws as
/// [`super::run`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarCounts {
    /// `service × region`: trials in which the service was down there.
    pub down: Vec<u64>,
    /// Per region: trials with any service down.
    pub any: Vec<u64>,
    /// Per trial with positive impact: that impact (services summed in
    /// scenario order, so equal to the engine's only up to rounding).
    pub impacts: Vec<f64>,
}

pub fn run(scenario: &Scenario, model: &Model, config: RunConfig) -> ScalarCounts {
    let keys = stream_keys(model, config.seed);
    let (regions, services) = (scenario.regions.len(), scenario.services.len());
    let mut counts = ScalarCounts {
        down: vec![0; services * regions],
        any: vec![0; regions],
        impacts: Vec::new(),
    };
    let mut words = vec![[0u64; BLOCK_WORDS]; model.events.len()];
    let mut fired = vec![false; model.events.len()];
    for block in 0..block_count(config.trials) {
        draw_block(model, &keys, block, &mut words);
        for t in 0..trials_in_block(config.trials, block) as usize {
            for (e, w) in words.iter().enumerate() {
                fired[e] = w[t / 64] >> (t % 64) & 1 == 1;
            }
            let down = eval_trial(scenario, model, &fired);
            let mut impact = 0.0;
            for (r, row) in down.iter().enumerate() {
                for (s, &d) in row.iter().enumerate() {
                    if d {
                        counts.down[s * regions + r] += 1;
                        impact += scenario.services[s].weight * scenario.regions[r].weight;
                    }
                }
                counts.any[r] += row.iter().any(|&d| d) as u64;
            }
            if impact > 0.0 {
                counts.impacts.push(impact);
            }
        }
    }
    counts
}
