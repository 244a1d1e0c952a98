//! Random small plans and their exact answers by brute-force enumeration:
//! the oracles of the engine and analysis tests.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use dnsim::duration::Millis;
use dnsim::engine::scalar;
use dnsim::forcing::Forcing;
use dnsim::model::Model;
use dnsim::scenario::*;

/// A random plan: providers with global and regional outages, common causes,
/// and services whose requirements point at earlier services (so no cycles).
pub fn random_plan(
    seed: u64,
    providers: usize,
    regions: usize,
    services: usize,
    p_range: (f64, f64),
) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let prob = |u: &mut dyn FnMut() -> f64| p_range.0 + (p_range.1 - p_range.0) * u();
    let region_list: Vec<Region> = (0..regions)
        .map(|i| Region {
            id: format!("r{i}"),
            weight: 1.0 / regions as f64,
        })
        .collect();
    let mut provider_list = Vec::new();
    for i in 0..providers {
        let regional = if regions > 1 && u() < 0.5 {
            vec![((i % regions) as u32, prob(&mut u))]
        } else {
            Vec::new()
        };
        provider_list.push(Provider {
            id: format!("p{i}"),
            name: String::new(),
            ns: Vec::new(),
            p_outage: prob(&mut u),
            regional_p_outage: regional,
            regional_outages_per_year: Vec::new(),
            outages_per_year: 0.0,
            outage_duration: OutageDuration::DEFAULT,
            loss: 1.0,
            loss_by: LossBy::Query,
        });
    }
    let mut causes = Vec::new();
    if providers >= 2 && u() < 0.7 {
        causes.push(CommonCause {
            id: "cc".into(),
            providers: vec![0, (providers - 1) as u32],
            regions: vec![0],
            p: prob(&mut u),
            per_year: 0.0,
            duration: OutageDuration::Fixed(Millis(0)),
            loss: 1.0,
            loss_by: LossBy::Query,
        });
    }
    let mut list: Vec<Service> = Vec::new();
    for i in 0..services {
        let k = 1 + (u() * 2.0) as usize;
        let mut dns: Vec<u32> = Vec::new();
        while dns.len() < k.min(providers) {
            let p = (u() * providers as f64) as u32 % providers as u32;
            if !dns.contains(&p) {
                dns.push(p);
            }
        }
        let mut s = Service::new(&format!("s{i}"), dns);
        s.weight = (u() * 4.0).floor();
        if i > 0 && u() < 0.4 {
            s.set_requires(vec![(u() * i as f64) as u32]);
        }
        if i > 1 && u() < 0.3 {
            let a = (u() * i as f64) as u32;
            let b = (u() * i as f64) as u32;
            s.set_requires_any(vec![vec![a, b].into_boxed_slice()]);
        }
        list.push(s);
    }
    // Reverse so that requirements point forwards too: the engine must not
    // rely on file order.
    let n = list.len() as u32;
    list.reverse();
    for s in &mut list {
        let requires: Vec<u32> = s.requires().iter().map(|&r| n - 1 - r).collect();
        let groups: Vec<Box<[u32]>> = s
            .requires_any()
            .iter()
            .map(|g| g.iter().map(|&r| n - 1 - r).collect())
            .collect();
        s.set_requires(requires);
        s.set_requires_any(groups);
    }
    Scenario {
        content_hash: String::new(),
        name: format!("random {seed}"),
        description: String::new(),
        sources: Vec::new(),
        simulation: Simulation {
            model: ModelKind::Snapshot,
            trials: 1000,
            seed,
            horizon: Millis(1),
            start: None,
            start_unix: None,
        },
        regions: region_list,
        providers: provider_list,
        common_causes: causes,
        services: list,
        resolvers: Resolvers::default(),
        events: Vec::new(),
        lint_allow: Vec::new(),
    }
}

/// Exact P(service down in region) (`[service][region]`) by enumerating
/// every state of every event, with the scalar evaluator.
pub fn exact(scenario: &Scenario, model: &Model) -> Vec<Vec<f64>> {
    let p: Vec<f64> = model.events.iter().map(|e| e.p).collect();
    exact_with(scenario, model, &p)
}

/// [`exact`] with the events' probabilities given: 1 or 0 conditions on an
/// event.
pub fn exact_with(scenario: &Scenario, model: &Model, p: &[f64]) -> Vec<Vec<f64>> {
    let e = model.events.len();
    assert!(e <= 16);
    let mut out = vec![vec![0.0; scenario.regions.len()]; scenario.services.len()];
    for state in 0u32..(1 << e) {
        let fired: Vec<bool> = (0..e).map(|i| state >> i & 1 == 1).collect();
        let weight: f64 = p
            .iter()
            .zip(&fired)
            .map(|(&p, &f)| if f { p } else { 1.0 - p })
            .product();
        if weight == 0.0 {
            continue;
        }
        let down = scalar::eval_trial(scenario, model, &fired);
        for (r, row) in down.iter().enumerate() {
            for (s, &d) in row.iter().enumerate() {
                if d {
                    out[s][r] += weight;
                }
            }
        }
    }
    out
}

/// Random small plans (2 to 5 providers, 1 to 3 regions, 8 services) seeded
/// `base + i` for i in `0..count`, those with at most `max_events` events,
/// with their exact answers: (i, plan, model, [`exact`]).
pub fn small_plans(
    base: u64,
    count: u64,
    p_range: (f64, f64),
    max_events: usize,
) -> impl Iterator<Item = (u64, Scenario, Model, Vec<Vec<f64>>)> {
    (0..count).filter_map(move |i| {
        let scenario = random_plan(
            base + i,
            2 + (i as usize % 4),
            1 + (i as usize % 3),
            8,
            p_range,
        );
        let model = Model::compile(&scenario, &Forcing::default()).unwrap();
        if model.events.len() > max_events {
            return None;
        }
        let truth = exact(&scenario, &model);
        Some((i, scenario, model, truth))
    })
}

/// A service's per-region probabilities weighted by the regions' shares.
pub fn weighted(per_region: &[f64], scenario: &Scenario) -> f64 {
    per_region
        .iter()
        .zip(&scenario.regions)
        .map(|(p, r)| p * r.weight)
        .sum()
}

/// The index of the service `id` in the scenario.
pub fn service_index(scenario: &Scenario, id: &str) -> usize {
    scenario
        .services
        .iter()
        .position(|x| *x.id == *id)
        .unwrap_or_else(|| panic!("no service {id}"))
}

/// `scenario` with a `parent` for some services (from a stream of its
/// own, so the rest of the plan is [`random_plan`]'s): a provider, or a
/// later service (so parents never form a cycle).
pub fn with_parents(mut scenario: Scenario, seed: u64) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x009a_7e47);
    let mut u = move || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let (n, pc) = (scenario.services.len(), scenario.providers.len());
    for i in 0..n {
        if u() < 0.5 {
            continue;
        }
        let later = n - i - 1;
        scenario.services[i].set_parent(Some(if later > 0 && u() < 0.5 {
            Parent::Service((i + 1 + (u() * later as f64) as usize).min(n - 1) as u32)
        } else {
            Parent::Provider((u() * pc as f64) as u32 % pc as u32)
        }));
        scenario.services[i].query_rate = [0.0, 1.0, 60.0][(u() * 3.0) as usize % 3];
    }
    scenario
}
