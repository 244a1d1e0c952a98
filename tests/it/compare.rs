//! `dnsim compare`: common random numbers make the paired difference tight,
//! and only what a change touches changes.

use dnsim::results::{Change, CompareReport};

use super::support::{path_str, run};

const PLAN: &str = r#"
name = "NAME"
[simulation]
trials = 200_000
seed = 9
[[region]]
id = "us"
weight = 0.6
[[region]]
id = "eu"
weight = 0.4
[[provider]]
id = "a"
p_outage = 0.02
regional_p_outage = { eu = 0.01 }
[[provider]]
id = "b"
p_outage = 0.03
[[provider]]
id = "c"
p_outage = 0.05
[[common_cause]]
id = "bgp"
providers = ["a", "c"]
regions = ["us"]
p = 0.005
[[service]]
id = "web"
dns = [WEB]
weight = 5
[[service]]
id = "api"
dns = ["b"]
requires = ["web"]
weight = 3
[[service]]
id = "shop"
dns = ["a", "c"]
weight = 100
[[service]]
id = "blog"
dns = ["b"]
[[service]]
id = "cdn"
dns = ["c"]
weight = 40
"#;

fn plans(dir: &std::path::Path, b_dns: &str) -> (String, String) {
    let a = dir.join("a.toml");
    let b = dir.join("b.toml");
    std::fs::write(&a, PLAN.replace("NAME", "plan A").replace("WEB", r#""a""#)).unwrap();
    std::fs::write(&b, PLAN.replace("NAME", "plan B").replace("WEB", b_dns)).unwrap();
    (path_str(&a).to_string(), path_str(&b).to_string())
}

fn compare(a: &str, b: &str, extra: &[&str]) -> CompareReport {
    let mut args = vec!["compare", a, b, "--format", "json"];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn a_second_provider_improves_only_that_service_and_what_requires_it() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = plans(dir.path(), r#""a", "b""#);
    let r = compare(&a, &b, &[]);
    let change = |id: &str| r.services.iter().find(|s| s.id == id).unwrap();
    for id in ["web", "api"] {
        let c = change(id);
        assert_eq!(c.change, Change::Better, "{id}: {c:?}");
        assert!(c.difference_ci95[1] < 0.0);
        assert!(c.p_unreachable_b < c.p_unreachable_a);
    }
    for id in ["shop", "blog", "cdn"] {
        let c = change(id);
        assert_eq!(c.change, Change::Unchanged, "{id}: {c:?}");
        assert_eq!(c.difference, 0.0);
        assert_eq!(c.p_unreachable_a, c.p_unreachable_b);
    }
    let s = &r.summary;
    assert_eq!(s.trials_b_worse, 0);
    assert!(s.trials_b_better > 0);
    assert!(s.impact_difference < 0.0);
    assert!(s.impact_difference_ci95[1] < 0.0);
    // The exact difference: web's P(down) falls from P(a down) to P(a and
    // b down), and api's with it (api also falls with b, which is common).
    let paired = s.impact_difference_ci95[1] - s.impact_difference_ci95[0];
    let unpaired = s.unpaired_ci95[1] - s.unpaired_ci95[0];
    assert!(
        paired * 5.0 < unpaired,
        "paired width {paired} is not far tighter than unpaired {unpaired}"
    );
    // The exact difference (from `analyze`) lies in the paired interval.
    let exact = |path: &str| {
        let scenario = dnsim::scenario::load(std::path::Path::new(path)).unwrap();
        let options = dnsim::analysis::AnalyzeOptions {
            order: 1,
            max_bdd_nodes: 1000,
            trials: 1,
            seed: 0,
        };
        dnsim::analysis::analyze(&scenario, &options)
            .summary
            .expected_impact
    };
    let truth = exact(&b) - exact(&a);
    let ci = s.impact_difference_ci95;
    assert!(ci[0] <= truth && truth <= ci[1], "{ci:?} misses {truth}");
    eprintln!(
        "paired width {paired}, unpaired {unpaired}: {:.1}x",
        unpaired / paired
    );
    // The difference is what the two plans' own runs give, on the same draws.
    let impact = |path: &str| -> f64 {
        let out = run(&["run", path, "--format", "json", "-q"]);
        let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["summary"]["expected_impact"].as_f64().unwrap()
    };
    let (ia, ib) = (impact(&a), impact(&b));
    assert!(
        (s.expected_impact_a - ia).abs() < 1e-9 * ia.max(1.0),
        "{} vs {ia}",
        s.expected_impact_a
    );
    assert!(
        (s.expected_impact_b - ib).abs() < 1e-9 * ib.max(1.0),
        "{} vs {ib}",
        s.expected_impact_b
    );
}

#[test]
fn a_plan_compared_with_itself_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = plans(dir.path(), r#""a""#);
    let r = compare(&a, &a, &["--trials", "50000"]);
    assert_eq!(r.summary.impact_difference, 0.0);
    assert_eq!(r.summary.impact_difference_ci95, [0.0, 0.0]);
    assert_eq!(r.summary.services_unchanged, 5);
}

#[test]
fn comparison_bytes_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = plans(dir.path(), r#""b", "c""#);
    let one = run(&[
        "compare",
        &a,
        &b,
        "--format",
        "json",
        "--threads",
        "1",
        "--trials",
        "30000",
    ]);
    let three = run(&[
        "compare",
        &a,
        &b,
        "--format",
        "json",
        "--threads",
        "3",
        "--trials",
        "30000",
    ]);
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(one.stdout, three.stdout);
    let r: CompareReport = serde_json::from_str(&one.stdout).unwrap();
    // Moving web off provider a entirely: better on some draws, worse on others.
    assert!(r.summary.trials_b_better > 0 && r.summary.trials_b_worse > 0);
}

#[test]
fn plans_with_different_regions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = plans(dir.path(), r#""a""#);
    let other = dir.path().join("other.toml");
    std::fs::write(
        &other,
        "name = \"x\"\n[[provider]]\nid = \"a\"\n[[service]]\nid = \"web\"\ndns = [\"a\"]\n",
    )
    .unwrap();
    let out = run(&["compare", &a, path_str(&other)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("same regions"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

fn timeline_compare(a: &str, b: &str, extra: &[&str]) -> dnsim::results::TimelineCompareReport {
    let out = run(&[&["compare", a, b, "--format", "json"][..], extra].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

/// The timeline comparison's A and B are what `run` gives each plan with
/// the same trials and seed (the same trials, trial by trial), and a plan
/// compared with itself changes nothing, exactly.
#[test]
fn a_timeline_comparison_pairs_the_runs_of_both_plans() {
    let a = crate::support::scenario_file("whatif/dyn-wave1.toml");
    let b = crate::support::scenario_file("whatif/dyn-wave1-serve-stale.toml");
    let (a, b) = (path_str(&a), path_str(&b));
    let r = timeline_compare(a, b, &["--trials", "6"]);
    assert_eq!(r.model, dnsim::results::ModelKind::Timeline);
    for (plan, side_b) in [(a, false), (b, true)] {
        // (`--series off` takes another path through the counts: same law,
        // other draws; a comparison records the default series.)
        let out = run(&["run", plan, "--format", "json", "--trials", "6"]);
        let ran: dnsim::results::TimelineReport = serde_json::from_str(&out.stdout).unwrap();
        for row in &ran.services {
            let c = r.services.iter().find(|c| c.id == row.id).unwrap();
            let got = if side_b {
                c.downtime_minutes_b
            } else {
                c.downtime_minutes_a
            };
            assert!(
                (got - row.downtime_minutes).abs() < 1e-9 * row.downtime_minutes.max(1.0),
                "{}: compare {got}, run {}",
                row.id,
                row.downtime_minutes
            );
        }
    }
    // Serve-stale helps every Dyn-only site, and the second provider had
    // nothing to lose.
    let by = |id: &str| r.services.iter().find(|c| c.id == id).unwrap();
    assert_eq!(by("as-in-2016").change, Change::Better);
    assert_eq!(by("second-provider").change, Change::Unchanged);
    let same = timeline_compare(a, a, &["--trials", "3"]);
    assert_eq!(same.summary.services_unchanged, same.services.len());
    assert_eq!(same.summary.downtime_difference, 0.0);
}

#[test]
fn timeline_comparison_bytes_do_not_depend_on_threads() {
    let a = crate::support::scenario_file("whatif/dyn-wave1.toml");
    let b = crate::support::scenario_file("whatif/dyn-wave1-serve-stale.toml");
    let json = |threads: &str| {
        run(&[
            "compare",
            path_str(&a),
            path_str(&b),
            "--format",
            "json",
            "--trials",
            "5",
            "--threads",
            threads,
        ])
        .stdout
    };
    assert_eq!(json("1"), json("2"));
}

#[test]
fn plans_of_two_models_need_model_said() {
    let a = crate::support::scenario_file("whatif/dyn-wave1.toml");
    let q = crate::support::scenario_file("quickstart.toml");
    let out = run(&["compare", path_str(&q), path_str(&a)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--model"), "{}", out.stderr);
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("c.html");
    let out = run(&[
        "compare",
        path_str(&a),
        path_str(&a),
        "--trials",
        "2",
        "--html",
        path_str(&html),
    ]);
    // A timeline comparison writes its page too (it was refused).
    assert_eq!(out.code, 0, "{}", out.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("timeline model") && page.contains("id=\"changes\""));
}

#[test]
fn analyze_says_it_is_the_snapshot_model_on_a_timeline_plan() {
    let a = crate::support::scenario_file("whatif/dyn-wave1.toml");
    let out = run(&["analyze", path_str(&a)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("note: dnsim analyze is exact analysis of the snapshot model"),
        "{}",
        out.stderr
    );
    let q = crate::support::scenario_file("quickstart.toml");
    assert!(run(&["analyze", path_str(&q)]).stderr.is_empty());
}
