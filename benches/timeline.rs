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
//! `requirements/any-N`: one trial of a service whose `requires_any` group
//! has N members (one provider with 12 outages a year, a year's horizon):
//! five times the width should cost about five times as much (issue 16: it
//! cost 25 times, a scan of the closure per lookup). `requirements/chain-N`:
//! an N-long `requires` chain: one simulation of the chain's shared caches
//! (its names' lookups each run once). A lookup looks up only the names of
//! the chain it would change, found in a tree (`timeline/lines.rs`), so
//! the cost grows more slowly than the square of N, though still faster
//! than N (docs/performance.md: about 3× for twice the length at 1,600
//! names; it grew with the square of N while each lookup walked down to the
//! first change, and with the cube while each name simulated its own copy
//! of what it requires).
//!
//!     cargo bench --bench timeline

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// The binary's allocator (`src/bin/dnsim/main.rs`), so that the figures
/// are those of `dnsim run`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use dnsim::duration::Millis;
use dnsim::forcing::Forcing;
use dnsim::scenario::{
    Event, EventTarget, LossBy, ModelKind, OutageDuration, Profile, Resolvers, Scenario, parse_str,
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

/// A year with one provider out 12 times, and `services` (id, requires,
/// requires_any) on it.
fn requirement_plan(services: impl Iterator<Item = (String, String)>) -> Scenario {
    let mut text = String::from(
        "[simulation]\nmodel = \"timeline\"\nhorizon = \"365d\"\n\
         [[region]]\nid = \"r\"\n[[provider]]\nid = \"p\"\noutages_per_year = 12\n",
    );
    for (id, rest) in services {
        text.push_str(&format!(
            "[[service]]\nid = \"{id}\"\ndns = [\"p\"]\n{rest}\n"
        ));
    }
    parse_str(std::path::Path::new("bench.toml"), &text).expect("a valid plan")
}

fn requirements(c: &mut Criterion) {
    let mut group = c.benchmark_group("requirements");
    group.sample_size(10);
    let quote = |i: usize| format!("\"m{i}\"");
    for width in [400usize, 2000] {
        let members = (0..width).map(|i| (format!("m{i}"), String::new()));
        let list: Vec<String> = (0..width).map(quote).collect();
        let top = (
            "top".to_string(),
            format!("requires_any = [[{}]]", list.join(", ")),
        );
        let scenario = requirement_plan(members.chain([top]));
        let model =
            TimelineModel::compile(&scenario, 1, &Forcing::default(), None).expect("compiles");
        group.bench_with_input(BenchmarkId::new("any", width), &model, |b, m| {
            b.iter(|| m.run(1, &|_| {}))
        });
    }
    for length in [10usize, 20] {
        let chain = (0..length).map(|i| {
            let rest = if i == 0 {
                String::new()
            } else {
                format!("requires = [{}]", quote(i - 1))
            };
            (format!("m{i}"), rest)
        });
        let scenario = requirement_plan(chain);
        let model =
            TimelineModel::compile(&scenario, 1, &Forcing::default(), None).expect("compiles");
        group.bench_with_input(BenchmarkId::new("chain", length), &model, |b, m| {
            b.iter(|| m.run(1, &|_| {}))
        });
    }
    group.finish();
}

criterion_group!(benches, bench, requirements);
criterion_main!(benches);
