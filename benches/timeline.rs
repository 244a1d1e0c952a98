//! The timeline engine on a generated plan: 10,000 services, 100 providers,
//! 3 regions, 50 resolvers per region.
//!
//! - `random/365d` and `random/730d`: every provider has two outages a year
//!   (lognormal durations, median 30 minutes, p95 4 hours: illustrative
//!   rates). Twice the horizon holds twice the outages, so twice the work.
//! - `scheduled/365d` and `scheduled/730d`: no random outages, one scheduled
//!   two-hour outage of the largest provider. Twice the horizon, the same
//!   outage: the cost should barely move, since only outage time costs work.
//!
//!
//! Each with the measured resolvers (the default, spec §3.1) and the ideal
//! ones (spec §3): the measured profile should cost at most twice as much.
//!
//!     cargo bench --bench timeline

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use dnsim::duration::Millis;
use dnsim::forcing::Forcing;
use dnsim::scenario::{
    Event, EventTarget, LossBy, ModelKind, OutageDuration, Profile, Resolvers, Scenario,
};
use dnsim::synth::{PlanSpec, plan};
use dnsim::timeline::TimelineModel;

fn timeline_plan(days: u64, random: bool, profile: Profile) -> Scenario {
    let mut s = plan(PlanSpec {
        services: 10_000,
        providers: 100,
        regions: 3,
        seed: 1,
    });
    s.simulation.model = ModelKind::Timeline;
    s.simulation.horizon = Millis::from_secs(days * 86400);
    s.resolvers = Resolvers {
        per_region: 50,
        ..Resolvers::of_profile(profile)
    };
    if random {
        for p in &mut s.providers {
            p.outages_per_year = 2.0;
            p.outage_duration = OutageDuration::LogNormal {
                median: Millis::from_secs(1800),
                p95: Millis::from_secs(4 * 3600),
            };
        }
    } else {
        s.events.push(Event {
            target: EventTarget::Provider(0),
            regions: vec![0, 1, 2],
            start: Millis::from_secs(100 * 86400),
            end: Millis::from_secs(100 * 86400 + 7200),
            loss: 1.0,
            loss_by: LossBy::Query,
        });
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("timeline");
    group.sample_size(10);
    for (kind, random, trials) in [("random", true, 2u64), ("scheduled", false, 16)] {
        for (days, profile) in [
            (365u64, Profile::Measured),
            (730, Profile::Measured),
            (365, Profile::Ideal),
        ] {
            let scenario = timeline_plan(days, random, profile);
            let name = match profile {
                Profile::Measured => format!("{days}d"),
                Profile::Ideal => format!("{days}d-ideal"),
            };
            let model =
                TimelineModel::compile(&scenario, 1, &Forcing::default(), None).expect("compiles");
            group.throughput(Throughput::Elements(trials));
            group.bench_with_input(BenchmarkId::new(kind, name), &model, |b, m| {
                b.iter(|| m.run(trials, &|_| {}))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
