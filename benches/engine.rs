//! The snapshot engine against the scalar reference evaluator on generated
//! plans of 1,000 and 100,000 services. Throughput is in service-trials: one
//! service evaluated in one trial (in every region).
//!
//!     cargo bench --bench engine
//!
//! The ratio of the two throughputs on the same plan is the figure to quote;
//! absolute times drift on a shared machine.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

use dnsim::engine::{self, RunConfig, scalar};
use dnsim::forcing::Forcing;
use dnsim::model::Model;
use dnsim::synth::{PlanSpec, plan};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    for &(services, providers, fast_trials, scalar_trials) in &[
        (1_000usize, 50usize, 409_600u64, 4_096u64),
        (100_000, 100, 40_960, 256),
    ] {
        let scenario = plan(PlanSpec {
            services,
            providers,
            regions: 3,
            seed: 1,
        });
        let model =
            Model::compile(&scenario, &Forcing::default()).expect("generated plans compile");
        eprintln!(
            "plan: {services} services, {providers} providers, 3 regions, {} events, {} distinct nodes",
            model.events.len(),
            model.node_count()
        );
        group.throughput(Throughput::Elements(services as u64 * fast_trials));
        group.bench_with_input(BenchmarkId::new("engine", services), &model, |b, m| {
            b.iter(|| {
                engine::run(
                    m,
                    RunConfig {
                        trials: fast_trials,
                        seed: 7,
                    },
                    &|_| {},
                )
            })
        });
        group.throughput(Throughput::Elements(services as u64 * scalar_trials));
        group.bench_with_input(BenchmarkId::new("scalar", services), &model, |b, m| {
            b.iter(|| {
                scalar::run(
                    &scenario,
                    m,
                    RunConfig {
                        trials: scalar_trials,
                        seed: 7,
                    },
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
