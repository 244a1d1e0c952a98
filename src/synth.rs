//! Seeded synthetic plans for benchmarks and tests.
//!
//! A stand-in until the public `generate` command lands: provider shares
//! follow a Zipf law (a few providers serve most names, as in every published
//! survey), most services have one provider, some two or three, and a share
//! require a CDN-like service. Same spec, same plan.

use crate::duration::Millis;
use crate::random::{self, Stream, uniform};
use crate::scenario::*;

#[derive(Debug, Clone, Copy)]
pub struct PlanSpec {
    pub services: usize,
    pub providers: usize,
    pub regions: usize,
    pub seed: u64,
}

/// Index drawn from cumulative weights.
pub fn pick(rng: &mut Stream, cumulative: &[f64]) -> usize {
    let x = uniform(rng) * cumulative[cumulative.len() - 1];
    cumulative
        .partition_point(|&c| c <= x)
        .min(cumulative.len() - 1)
}

pub fn zipf(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    (1..=n)
        .map(|k| {
            acc += 1.0 / libm::pow(k as f64, s);
            acc
        })
        .collect()
}

/// The plan of `spec`. One function, over the usual length, on purpose: its
/// parts draw from one seeded generator in order, and the benchmarks' plans
/// stay the same only while that order does.
pub fn plan(spec: PlanSpec) -> Scenario {
    let mut rng = random::seeded(spec.seed);
    let regions: Vec<Region> = (0..spec.regions.max(1))
        .map(|i| Region {
            id: format!("region{i}"),
            weight: 1.0 / spec.regions.max(1) as f64,
        })
        .collect();
    let providers: Vec<Provider> = (0..spec.providers.max(1))
        .map(|i| {
            // Log-uniform between 1e-4 and 1e-2.
            let p = libm::pow(10.0, -4.0 + 2.0 * uniform(&mut rng));
            let regional = if i % 3 == 0 {
                vec![((i % regions.len()) as u32, p / 2.0)]
            } else {
                Vec::new()
            };
            Provider {
                id: format!("prov{i}"),
                name: format!("Provider {i}"),
                ns: Vec::new(),
                p_outage: p,
                regional_p_outage: regional,
                regional_outages_per_year: Vec::new(),
                outages_per_year: 0.0,
                outage_duration: OutageDuration::DEFAULT,
                loss: 1.0,
                loss_by: LossBy::Query,
            }
        })
        .collect();
    let pc = providers.len();
    let common_causes = if pc >= 2 {
        vec![CommonCause {
            id: "botnet".into(),
            providers: vec![0, 1],
            regions: vec![0],
            p: 1e-3,
            per_year: 0.0,
            duration: OutageDuration::Fixed(Millis::from_secs(3600)),
            loss: 1.0,
            loss_by: LossBy::Query,
        }]
    } else {
        Vec::new()
    };
    let shares = zipf(pc, 1.1);
    let cdns = (spec.services / 1000).clamp(1, 50).min(spec.services);
    let cdn_shares = zipf(cdns, 1.0);
    let mut services = Vec::with_capacity(spec.services);
    for i in 0..spec.services {
        let x = uniform(&mut rng);
        let k = if i < cdns {
            2
        } else if x < 0.85 {
            1
        } else if x < 0.98 {
            2
        } else {
            3
        };
        let mut dns: Vec<u32> = Vec::with_capacity(k);
        while dns.len() < k.min(pc) {
            let p = pick(&mut rng, &shares) as u32;
            if !dns.contains(&p) {
                dns.push(p);
            }
        }
        let mut s = Service::new(&format!("svc{i:07}"), dns);
        if i >= cdns {
            let y = uniform(&mut rng);
            if y < 0.3 {
                s.set_requires(vec![pick(&mut rng, &cdn_shares) as u32]);
            } else if y < 0.35 && cdns >= 2 {
                let a = pick(&mut rng, &cdn_shares) as u32;
                let b = (a + 1) % cdns as u32;
                s.set_requires_any(vec![vec![a, b].into_boxed_slice()]);
            }
        }
        services.push(s);
    }
    Scenario {
        content_hash: String::new(),
        name: format!(
            "synthetic plan: {} services, {} providers, seed {}",
            spec.services, pc, spec.seed
        ),
        description: String::new(),
        sources: Vec::new(),
        simulation: Simulation {
            model: ModelKind::Snapshot,
            trials: 10_000,
            seed: spec.seed,
            horizon: Millis::from_secs(365 * 86400),
            start: None,
            start_unix: None,
        },
        regions,
        providers,
        common_causes,
        services,
        resolvers: Resolvers::default(),
        events: Vec::new(),
        lint_allow: Vec::new(),
    }
}
