//! The engine against its oracles: the scalar evaluator on the same draws,
//! exact enumeration of small plans, and the common-random-numbers contract.

use proptest::prelude::*;

use dnsim::engine::{self, BLOCK_WORDS, RunConfig, Tally, scalar};
use dnsim::forcing::Forcing;
use dnsim::model::Model;
use dnsim::run::{RunOptions, snapshot};
use dnsim::scenario::*;

use super::plans::{random_plan, service_index, small_plans, weighted};

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// The fast engine and the scalar evaluator on the same draws.
    #[test]
    fn fast_engine_matches_scalar_evaluator(
        seed in 0u64..10_000,
        providers in 1usize..6,
        regions in 1usize..4,
        services in 1usize..12,
        trials in 1u64..9000,
    ) {
        let scenario = random_plan(seed, providers, regions, services, (0.0, 0.4));
        engine_matches_scalar(&scenario, RunConfig { trials, seed })?;
    }
}

/// The fast engine (collapsed nodes, 64 trials a word, quiet-word
/// skipping) and the scalar evaluator agree exactly on the same draws:
/// per service and region, anything down, and every trial's impact.
pub fn engine_matches_scalar(scenario: &Scenario, config: RunConfig) -> Result<(), TestCaseError> {
    let model = Model::compile(scenario, &Forcing::default()).unwrap();
    let tally = on_threads(2, || engine::run(&model, config, &|_| {}));
    let reference = scalar::run(scenario, &model, config);
    let rc = scenario.regions.len();
    for (s, &node) in model.service_node.iter().enumerate() {
        for r in 0..rc {
            prop_assert_eq!(
                tally.down[node as usize * rc + r],
                reference.down[s * rc + r],
                "service {} region {}",
                s,
                r
            );
        }
    }
    prop_assert_eq!(&tally.any, &reference.any);
    let mut fast: Vec<f64> = tally
        .impact
        .iter()
        .flat_map(|(&b, &c)| std::iter::repeat_n(f64::from_bits(b), c as usize))
        .collect();
    let mut slow = reference.impacts.clone();
    fast.sort_by(f64::total_cmp);
    slow.sort_by(f64::total_cmp);
    prop_assert_eq!(fast.len(), slow.len());
    for (a, b) in fast.iter().zip(&slow) {
        prop_assert!((a - b).abs() < 1e-9, "{} vs {}", a, b);
    }
    Ok(())
}

#[test]
fn monte_carlo_agrees_with_exact_enumeration() {
    let (mut inside, mut total) = (0, 0);
    for (seed, scenario, _, truth) in small_plans(1000, 40, (0.01, 0.3), 16) {
        let trials = 20_000;
        let report = snapshot(
            &scenario,
            &RunOptions {
                trials: Some(trials),
                seed: Some(seed),
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap();
        for row in &report.services {
            let s = service_index(&scenario, &row.id);
            let p = weighted(&truth[s], &scenario);
            total += 1;
            if row.ci95[0] <= p && p <= row.ci95[1] {
                inside += 1;
            }
            // A standard error from the interval's half-width; never below
            // the binomial one at the exact value.
            let se = ((row.ci95[1] - row.ci95[0]) / (2.0 * 1.96))
                .max((p * (1.0 - p) / trials as f64).sqrt());
            assert!(
                (row.p_unreachable - p).abs() <= 5.0 * se + 1e-12,
                "plan {seed} {}: estimate {} exact {p} se {se}",
                row.id,
                row.p_unreachable
            );
            // Per region too.
            for (r, &est) in row.regions.values().iter().enumerate() {
                let pr = truth[s][r];
                let se_r = (pr * (1.0 - pr) / trials as f64).sqrt().max(1e-9);
                assert!(
                    (est - pr).abs() <= 5.0 * se_r + 1e-12,
                    "plan {seed} {} region {r}: {est} vs {pr}",
                    row.id
                );
            }
        }
    }
    assert!(total >= 200, "only {total} services checked");
    let coverage = inside as f64 / total as f64;
    assert!(
        coverage >= 0.90,
        "95% intervals held the exact value for only {:.1}% of {total} services",
        100.0 * coverage
    );
}

#[test]
fn fail_only_reports_the_exact_single_failure_impact() {
    let scenario = random_plan(77, 4, 2, 10, (0.01, 0.2));
    let model = Model::compile(&scenario, &Forcing::default()).unwrap();
    let single = engine::eval::single_failures(&model);
    for (i, p) in scenario.providers.iter().enumerate() {
        let forcing = Forcing {
            fail: vec![dnsim::forcing::FailSpec {
                id: p.id.clone(),
                region: None,
            }],
            fail_only: true,
        };
        let report = snapshot(
            &scenario,
            &RunOptions {
                forcing,
                ..RunOptions::default()
            },
            &|_| {},
        )
        .unwrap();
        assert!(report.exact);
        assert!(
            (report.summary.expected_impact - single.impact[i]).abs() < 1e-9,
            "provider {}",
            p.id
        );
    }
}

#[test]
fn adding_a_provider_leaves_every_other_events_draws_unchanged() {
    let a = random_plan(5, 4, 2, 6, (0.05, 0.5));
    let mut b = a.clone();
    // A new provider at the front shifts every index; a new service uses it.
    b.providers.insert(
        0,
        Provider {
            id: "newcomer".into(),
            p_outage: 0.3,
            ..a.providers[0].clone()
        },
    );
    for s in &mut b.services {
        s.dns = s.dns.iter().map(|p| p + 1).collect();
    }
    for c in &mut b.common_causes {
        c.providers = c.providers.iter().map(|p| p + 1).collect();
    }
    b.services.push(Service::new("uses-newcomer", vec![0]));
    let (ma, mb) = (
        Model::compile(&a, &Forcing::default()).unwrap(),
        Model::compile(&b, &Forcing::default()).unwrap(),
    );
    let (ka, kb) = (engine::stream_keys(&ma, 11), engine::stream_keys(&mb, 11));
    for block in 0..3 {
        let mut wa = vec![[0u64; BLOCK_WORDS]; ma.events.len()];
        let mut wb = vec![[0u64; BLOCK_WORDS]; mb.events.len()];
        engine::draw_block(&ma, &ka, block, &mut wa);
        engine::draw_block(&mb, &kb, block, &mut wb);
        for (i, e) in ma.events.iter().enumerate() {
            let j = mb.events.iter().position(|f| f.id == e.id).unwrap();
            assert_eq!(wa[i], wb[j], "event {} block {block}", e.id);
        }
    }
}

#[test]
fn tallies_do_not_depend_on_the_thread_count() {
    let scenario = dnsim::synth::plan(dnsim::synth::PlanSpec {
        services: 3000,
        providers: 40,
        regions: 3,
        seed: 4,
    });
    let model = Model::compile(&scenario, &Forcing::default()).unwrap();
    // Three whole blocks and a partial one: enough for threads to finish in
    // any order.
    let config = RunConfig {
        trials: 3 * dnsim::engine::BLOCK_TRIALS + 100,
        seed: 3,
    };
    let one: Tally = on_threads(1, || engine::run(&model, config, &|_| {}));
    let three: Tally = on_threads(3, || engine::run(&model, config, &|_| {}));
    assert_eq!(one, three);
}

#[test]
fn value_stability_of_the_quickstart_plan() {
    // Pinned outputs for a fixed seed: a change here changes every user's
    // numbers and belongs in the changelog.
    let scenario = load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/quickstart.toml"
    )))
    .unwrap();
    let report = snapshot(
        &scenario,
        &RunOptions {
            trials: Some(100_000),
            seed: Some(42),
            ..RunOptions::default()
        },
        &|_| {},
    )
    .unwrap();
    let got: Vec<(String, f64)> = report
        .services
        .iter()
        .map(|s| (s.id.to_string(), s.p_unreachable))
        .collect();
    // Pins as the engine printed them; a report keeps 12 digits of each.
    let pinned: Vec<(String, f64)> = PINNED
        .iter()
        .map(|(id, p)| (id.to_string(), dnsim::results::round12(*p)))
        .collect();
    assert_eq!(got, pinned);
}

const PINNED: &[(&str, f64)] = &[
    // Equal figures, listed by id (results::rank_rows).
    ("checkout.example.com", 0.0020570000000000002),
    ("pay.example.org", 0.0020570000000000002),
    ("shop.example.com", 0.0010350000000000001),
    ("cdn.example.net", 0.0009),
    ("blog.example.com", 0.000505),
];

/// Runs a timeline what-if (4 trials, seed 42) and checks its worst
/// services' failed shares and downtimes against `pinned`.
fn assert_timeline_pins(scenario: &dnsim::scenario::Scenario, pinned: &[(&str, f64, f64)]) {
    let options = RunOptions {
        trials: Some(4),
        seed: Some(42),
        ..RunOptions::default()
    };
    let report = dnsim::run::timeline(scenario, &options, None, &|_| {}).unwrap();
    let got: Vec<(String, f64, f64)> = report
        .services
        .iter()
        .take(pinned.len())
        .map(|s| (s.id.clone(), s.failed_share, s.downtime_minutes))
        .collect();
    // Pins as the engine printed them; a report keeps 12 digits of each.
    let twelve = dnsim::results::round12;
    let pinned: Vec<(String, f64, f64)> = pinned
        .iter()
        .map(|&(id, f, d)| (id.to_string(), twelve(f), twelve(d)))
        .collect();
    assert_eq!(got, pinned);
}

#[test]
fn value_stability_of_a_timeline_run() {
    // The timeline's pinned outputs, beside the snapshot's: the Dyn wave-1
    // what-if, a fixed seed and trial count. Every draw (outages, resolver
    // caches, retries) feeds these figures.
    let scenario = load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/whatif/dyn-wave1.toml"
    )))
    .unwrap();
    assert_timeline_pins(&scenario, PINNED_TIMELINE);
}

const PINNED_TIMELINE: &[(&str, f64, f64)] = &[
    ("as-in-2016", 0.06582725694444445, 94.79125000000002),
    (
        "standby-default-ns-ttl",
        0.06402864583333334,
        92.20125000000002,
    ),
    ("ttl-1h", 0.05726215277777778, 82.45750000000001),
    ("ttl-1d", 0.02120138888888889, 30.530000000000005),
];

#[test]
fn the_ideal_profile_gives_the_figures_it_gave_before_the_measured_one() {
    // The Dyn wave-1 what-if as it was before resolvers as measured (spec
    // §3.1): per-query loss 0.91, and now `profile = "ideal"`. These pins
    // were printed by the engine before the measured profile existed, so
    // the ideal resolver is the same to the last bit.
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/whatif/dyn-wave1.toml"
    ));
    let text = std::fs::read_to_string(path)
        .unwrap()
        .replace("loss = 0.75\nloss_by = \"resolver\"", "loss = 0.91")
        .replace("[resolvers]\n", "[resolvers]\nprofile = \"ideal\"\n");
    assert!(text.contains("loss = 0.91") && text.contains("profile = \"ideal\""));
    let scenario = dnsim::scenario::parse_str(path, &text).unwrap();
    assert_timeline_pins(
        &scenario,
        &[
            ("as-in-2016", 0.03039670138888889, 43.77125),
            ("standby-default-ns-ttl", 0.03009982638888889, 43.34375),
            (
                "standby-short-ns-ttl",
                0.009631944444444445,
                13.870000000000001,
            ),
            ("ttl-1h", 0.0042578125, 6.1312500000000005),
        ],
    );
}

/// `run --format json` writes a report's rows as they are made, a chunk at
/// a time on every core: the same bytes as the rows made all at once, over
/// several chunks (16,384 rows each), whether serialised (`Rows`) or made
/// and written on every core (`write_json_rows`, what `run` does).
#[test]
fn rows_written_as_they_are_made_are_the_rows_made_at_once() {
    use dnsim::results::{ModelKind, Report};
    use dnsim::run::{Job, Prepared};
    let scenario = dnsim::synth::plan(dnsim::synth::PlanSpec {
        services: 40_000,
        providers: 60,
        regions: 2,
        seed: 6,
    });
    let job = Job {
        model: ModelKind::Snapshot,
        options: RunOptions {
            trials: Some(640),
            seed: Some(1),
            forcing: Forcing::default(),
        },
        series_step: None,
    };
    let prepared = Prepared::new(&scenario, job).unwrap();
    let counts = prepared.counts(&|_| true, &|_| {});
    let streamed = on_threads(3, || {
        let report = prepared.snapshot_report(&counts).unwrap().unwrap();
        serde_json::to_string_pretty(&report).unwrap()
    });
    let Report::Snapshot(whole) = prepared.report(&counts).unwrap() else {
        panic!("a snapshot job");
    };
    assert!(whole.services.iter().any(|s| s.requires.is_some()));
    assert_eq!(streamed, serde_json::to_string_pretty(&whole).unwrap());
    let written = on_threads(3, || {
        let report = prepared.snapshot_report(&counts).unwrap().unwrap();
        let (summary, rows) = report.without_services();
        let mut out = Vec::new();
        dnsim::report::write_json_rows(&summary, &rows, &mut out).unwrap();
        out
    });
    let mut out = Vec::new();
    dnsim::report::write_json(&whole, &mut out).unwrap();
    assert!(written == out, "write_json_rows differs from write_json");
}

/// A run's report counts each provider's single failure chunk by chunk; the
/// lint reads the same failures node by node: the same services.
#[test]
fn single_failure_totals_count_what_the_node_lists_hold() {
    let scenario = dnsim::synth::plan(dnsim::synth::PlanSpec {
        services: 3000,
        providers: 150,
        regions: 2,
        seed: 9,
    });
    let model = Model::compile(&scenario, &Forcing::default()).unwrap();
    let single = dnsim::engine::eval::single_failures(&model);
    let totals = dnsim::engine::eval::single_failure_totals(&model);
    let by_node = single.by_node();
    let mut services = vec![0usize; model.provider_count];
    for &node in &model.service_node {
        for &p in by_node.of(node) {
            services[p as usize] += 1;
        }
    }
    assert!(services.iter().filter(|&&n| n > 0).count() > 64);
    assert_eq!(totals.services, services);
    assert_eq!(totals.impact, single.impact);
}
