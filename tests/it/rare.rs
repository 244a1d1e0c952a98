//! Importance sampling (`run --rare`): unbiased against exact answers, and
//! precise where plain sampling sees nothing.

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::results::{ChosenBy, SnapshotReport};
use dnsim::run::{Job, Prepared, RunOptions};
use dnsim::scenario::{self, ModelKind};

use super::plans::{service_index, small_plans, weighted};
use super::support::{path_str, run, scenario_file};

fn json_run(args: &[&str]) -> SnapshotReport {
    let out = run(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn one_in_a_million_outages_are_estimated_within_ten_percent() {
    let path = scenario_file("rare-outages.toml");
    let r = json_run(&["run", path_str(&path), "--format", "json", "-q"]);
    assert_eq!(r.trials, 100_000);
    let sampling = r.sampling.as_ref().expect("chosen automatically");
    assert_eq!(sampling.chosen_by, ChosenBy::Auto);
    let truth = analysis::analyze(
        &scenario::load(&path).unwrap(),
        &AnalyzeOptions {
            order: 1,
            max_bdd_nodes: 1000,
            trials: 1,
            seed: 0,
        },
    );
    let mut inside = 0;
    for row in &r.services {
        let want = truth
            .services
            .iter()
            .find(|s| *s.id == *row.id)
            .unwrap()
            .p_unreachable;
        assert!(want > 0.0 && want < 1e-5, "{}: {want}", row.id);
        let rel = (row.p_unreachable - want).abs() / want;
        assert!(
            rel <= 0.10,
            "{}: {} vs exact {want} ({:.1}% off)",
            row.id,
            row.p_unreachable,
            100.0 * rel
        );
        let se = (row.ci95[1] - row.ci95[0]) / (2.0 * 1.96);
        assert!(
            (row.p_unreachable - want).abs() <= 4.0 * se,
            "{}: beyond 4 SE",
            row.id
        );
        assert!(se / want <= 0.05, "{}: relative SE {}", row.id, se / want);
        inside += (row.ci95[0] <= want && want <= row.ci95[1]) as usize;
    }
    assert!(
        inside + 1 >= r.services.len(),
        "only {inside} intervals hold the exact value"
    );
    let rel = (r.summary.expected_impact - truth.summary.expected_impact).abs()
        / truth.summary.expected_impact;
    assert!(rel <= 0.10, "expected impact {rel:.3} off");

    // Plain sampling of the same trials sees nothing at all.
    let plain = json_run(&[
        "run",
        path_str(&path),
        "--format",
        "json",
        "-q",
        "--no-rare",
    ]);
    assert!(plain.sampling.is_none());
    assert_eq!(plain.summary.expected_impact, 0.0);
}

#[test]
fn importance_sampling_is_unbiased_on_random_plans() {
    let (mut inside, mut total) = (0, 0);
    for (seed, scenario, _, truth) in small_plans(9000, 30, (0.0005, 0.05), 16) {
        let prepared = Prepared::new(
            &scenario,
            Job {
                model: ModelKind::Snapshot,
                options: RunOptions {
                    trials: Some(20_000),
                    seed: Some(seed),
                    ..RunOptions::default()
                },
                series_step: None,
            },
        )
        .unwrap();
        let report = prepared.rare_report(ChosenBy::Flag, &|_| {}).unwrap();
        for row in &report.services {
            let s = service_index(&scenario, &row.id);
            let p = weighted(&truth[s], &scenario);
            total += 1;
            inside += (row.ci95[0] <= p && p <= row.ci95[1]) as usize;
            let se = ((row.ci95[1] - row.ci95[0]) / (2.0 * 1.96)).max(1e-15);
            assert!(
                (row.p_unreachable - p).abs() <= 5.0 * se,
                "plan {seed} {}: {} vs exact {p}",
                row.id,
                row.p_unreachable
            );
        }
    }
    assert!(total >= 150, "only {total} services");
    let coverage = inside as f64 / total as f64;
    assert!(coverage >= 0.90, "coverage {coverage}");
}

#[test]
fn rare_runs_do_not_depend_on_threads() {
    let path = scenario_file("rare-outages.toml");
    let p = path_str(&path);
    let one = run(&[
        "run",
        p,
        "--format",
        "json",
        "--threads",
        "1",
        "--trials",
        "20000",
    ]);
    let three = run(&[
        "run",
        p,
        "--format",
        "json",
        "--threads",
        "3",
        "--trials",
        "20000",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.stdout, three.stdout);
    assert!(one.stdout.contains("importance_sampling"));
}

#[test]
fn rare_refuses_what_it_cannot_do() {
    let path = scenario_file("rare-outages.toml");
    let p = path_str(&path);
    for (args, says) in [
        (vec!["run", p, "--rare", "--shard", "1/2"], "--shard"),
        (vec!["run", p, "--rare", "--model", "timeline"], "snapshot"),
        (vec!["run", p, "--rare", "--no-rare"], "cannot be used"),
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty());
    }
    // Shards of a rare plan sample plainly (auto is off), so they still merge.
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("p.json");
    let out = run(&["run", p, "--shard", "1/2", "--output", path_str(&part)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
