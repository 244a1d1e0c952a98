//! The binary end to end: formats, determinism, forced failures, check.

use serde::Deserialize;

use crate::support::*;

/// Spec §6, parsed back into types: a missing or renamed field fails here.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Report {
    dnsim: String,
    model: String,
    scenario: String,
    trials: u64,
    seed: u64,
    exact: bool,
    summary: Summary,
    services: Vec<ServiceRow>,
    providers: Vec<ProviderRow>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Summary {
    services: usize,
    total_weight: f64,
    expected_unreachable: f64,
    expected_impact: f64,
    p_any_unreachable: f64,
    impact_quantiles: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ServiceRow {
    id: String,
    weight: f64,
    p_unreachable: f64,
    ci95: [f64; 2],
    regions: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct ProviderRow {
    id: String,
    p_down: f64,
    single_failure_impact: f64,
}

impl Report {
    fn service(&self, id: &str) -> &ServiceRow {
        self.services
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no service {id}"))
    }

    fn p(&self, id: &str) -> f64 {
        self.service(id).p_unreachable
    }
}

fn quickstart() -> String {
    path_str(&scenario_file("quickstart.toml")).to_string()
}

fn json(args: &[&str]) -> (String, Report) {
    let out = run(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report = serde_json::from_str(&out.stdout).expect("valid JSON report");
    (out.stdout, report)
}

#[test]
fn json_is_byte_identical_for_1_2_and_8_threads() {
    let q = quickstart();
    let base = [
        "run", &q, "--format", "json", "--trials", "50000", "--seed", "9",
    ];
    let outputs: Vec<String> = ["1", "2", "8"]
        .iter()
        .map(|t| {
            let mut args = base.to_vec();
            args.extend(["--threads", t]);
            json(&args).0
        })
        .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    let other = json(&[
        "run", &q, "--format", "json", "--trials", "50000", "--seed", "10",
    ])
    .0;
    assert_ne!(
        outputs[0], other,
        "a different seed gives different numbers"
    );
}

#[test]
fn json_has_the_fields_of_spec_section_6() {
    let q = quickstart();
    let (text, r) = json(&["run", &q, "--format", "json", "--trials", "20000"]);
    assert_eq!(r.model, "snapshot");
    assert_eq!(r.scenario, "Quickstart: a shop on two DNS providers");
    assert!(
        !text.contains("quickstart.toml"),
        "JSON names the scenario, not its path"
    );
    assert_eq!(r.trials, 20000);
    assert_eq!(r.seed, 1);
    assert_eq!(r.summary.services, 5);
    assert_eq!(r.summary.total_weight, 16.0);
    for q in ["p50", "p90", "p99", "p999"] {
        assert!(r.summary.impact_quantiles.contains_key(q));
    }
    for s in &r.services {
        assert_eq!(s.regions.len(), 3);
        assert!(
            s.ci95[0] <= s.p_unreachable && s.p_unreachable <= s.ci95[1],
            "{s:?}"
        );
    }
    let sum: f64 = r.services.iter().map(|s| s.p_unreachable).sum();
    assert!((sum - r.summary.expected_unreachable).abs() < 1e-12);
    // Riskiest first.
    assert!(
        r.services
            .windows(2)
            .all(|w| w[0].p_unreachable >= w[1].p_unreachable)
    );
    // The CDN's DNS alone takes down the shop (weight 10) and the CDN itself.
    let cdn = r.providers.iter().find(|p| p.id == "cdn-dns").unwrap();
    assert_eq!(cdn.single_failure_impact, 10.0);
}

#[test]
fn fail_only_is_exact_and_says_so() {
    let q = quickstart();
    let (_, r) = json(&[
        "run",
        &q,
        "--format",
        "json",
        "--fail",
        "ns1",
        "--fail-only",
    ]);
    assert!(r.exact);
    assert_eq!(r.trials, 1);
    assert_eq!(r.p("pay.example.org"), 1.0);
    assert_eq!(r.p("checkout.example.com"), 1.0);
    assert_eq!(r.p("shop.example.com"), 0.0, "route53 still answers");
    assert_eq!(r.summary.expected_impact, 5.0);
    let table = run(&["run", &q, "--fail", "ns1", "--fail-only"]).stdout;
    assert!(table.contains("exact"), "{table}");
}

#[test]
fn fail_in_one_region_only_takes_that_region_down() {
    let q = quickstart();
    let (_, r) = json(&[
        "run",
        &q,
        "--format",
        "json",
        "--fail",
        "ns1@europe",
        "--fail",
        "route53@europe",
        "--fail-only",
    ]);
    let shop = r.service("checkout.example.com");
    assert_eq!(shop.regions["europe"], 1.0);
    assert_eq!(shop.regions["americas"], 0.0);
    assert!((shop.p_unreachable - 0.3).abs() < 1e-12);
}

#[test]
fn fail_keeps_other_events_random() {
    let q = quickstart();
    let (_, r) = json(&[
        "run", &q, "--format", "json", "--fail", "route53", "--trials", "100000",
    ]);
    assert!(!r.exact);
    let shop = r.service("shop.example.com");
    // Route 53 down: the shop hangs on NS1 (and its regional outage in asia)
    // and on the CDN's DNS.
    assert!(
        shop.p_unreachable > 0.001 && shop.p_unreachable < 0.01,
        "{shop:?}"
    );
    let blog = r.service("blog.example.com");
    assert_eq!(blog.p_unreachable, 1.0);
}

#[test]
fn csv_markdown_and_table() {
    let q = quickstart();
    let csv = run(&["run", &q, "--format", "csv", "--trials", "10000"]).stdout;
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "id,weight,p_unreachable,ci95_low,ci95_high,p_unreachable@americas,p_unreachable@europe,p_unreachable@asia"
    );
    assert_eq!(lines.count(), 5);
    let md = run(&["run", &q, "--format", "markdown", "--trials", "10000"]).stdout;
    assert!(md.starts_with("# dnsim: Quickstart"));
    assert!(md.contains(
        "| service | weight | P(unreachable) | 95% interval | americas | europe | asia |"
    ));
    let table = run(&["run", &q, "--trials", "10000", "--top", "2"]).stdout;
    assert!(table.contains("(2 of 5; --top N for more)"), "{table}");
    for line in table.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than 80 columns: {line:?}"
        );
    }
}

#[test]
fn output_file_holds_the_same_bytes_as_stdout() {
    let q = quickstart();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let stdout = run(&["run", &q, "--format", "json", "--trials", "5000"]).stdout;
    let out = run(&[
        "run",
        &q,
        "--format",
        "json",
        "--trials",
        "5000",
        "--output",
        path_str(&path),
    ]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), stdout);
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let out = run(&["run", &quickstart(), "--trials", "50000"]);
    assert_eq!(out.code, 0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn check_warns_and_deny_warnings_exits_3() {
    let q = quickstart();
    let out = run(&["check", &q]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("warning[single_provider]: service \"blog.example.com\" is delegated to a single provider, \"route53\""));
    assert!(out.stdout.contains("warning[hidden_single_provider]: service \"shop.example.com\" (2 DNS providers) is taken down by \"cdn-dns\" alone"));
    assert!(out.stdout.contains(
        "warning[provider_share]: provider \"cdn-dns\" alone takes down 62.5% of the weight"
    ));
    assert_eq!(run(&["check", &q, "--deny-warnings"]).code, 3);
    assert_eq!(
        run(&["check", &q, "--max-share", "0.7"])
            .stdout
            .matches("provider_share")
            .count(),
        0
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["check", &q, "--format", "json"]).stdout).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 6);
}

#[test]
fn a_clean_plan_passes_deny_warnings() {
    let (_dir, path) = temp_scenario(
        "[[provider]]\nid = \"a\"\np_outage = 0.1\n[[provider]]\nid = \"b\"\np_outage = 0.1\n[[service]]\nid = \"x\"\ndns = [\"a\", \"b\"]\n",
    );
    let out = run(&["check", path_str(&path), "--deny-warnings"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

#[test]
fn a_requirement_chain_20000_long_is_valid_input() {
    let mut text = String::from("[[provider]]\nid = \"p\"\np_outage = 0.01\n");
    for i in 0..20_000 {
        text.push_str(&format!("[[service]]\nid = \"s{i}\"\ndns = [\"p\"]\n"));
        if i > 0 {
            text.push_str(&format!("requires = [\"s{}\"]\n", i - 1));
        }
    }
    let (_dir, path) = temp_scenario(&text);
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (_, r) = json(&[
        "run",
        path_str(&path),
        "--format",
        "json",
        "--trials",
        "5000",
    ]);
    assert_eq!(r.services.len(), 20_000);
    // Every service hangs on p alone, through the chain.
    assert!(
        r.services
            .iter()
            .all(|s| s.p_unreachable == r.services[0].p_unreachable)
    );
}

#[test]
fn a_long_requirement_cycle_is_named_without_overflowing_the_stack() {
    let n = 20_000;
    let mut text = String::from("[[provider]]\nid = \"p\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "[[service]]\nid = \"s{i}\"\ndns = [\"p\"]\nrequires = [\"s{}\"]\n",
            (i + 1) % n
        ));
    }
    let (_dir, path) = temp_scenario(&text);
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("requirement cycle: s0 → s1 → s2 →"),
        "{}",
        &out.stderr[..200.min(out.stderr.len())]
    );
}

#[test]
fn the_dyn_scenario_runs_and_dyn_alone_takes_down_its_sole_customers() {
    let dyn_path = scenario_file("dyn-2016.toml");
    let d = path_str(&dyn_path);
    assert_eq!(run(&["check", d]).code, 0);
    let (_, r) = json(&[
        "run",
        d,
        "--model",
        "snapshot",
        "--format",
        "json",
        "--fail",
        "dyn",
        "--fail-only",
    ]);
    assert_eq!(r.p("twitter.com"), 1.0);
    assert_eq!(r.p("github.com"), 1.0);
    assert_eq!(r.p("sumologic.com"), 0.0, "Dyn plus UltraDNS stayed up");
    assert_eq!(r.p("fastly.net"), 0.0);
    // 16 named sites on Dyn alone and 39 more of the top 1000.
    let dyn_only = r.services.iter().filter(|s| s.p_unreachable == 1.0).count();
    assert_eq!(dyn_only, 16 + 39);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("dnsim");
    let dyn_path = scenario_file("dyn-2016.toml");
    let mut child = Command::new(bin)
        .env("DNSIM_PROGRESS_EVERY", crate::support::QUIET_PROGRESS)
        .args([
            "run",
            path_str(&dyn_path),
            "--model",
            "snapshot",
            "--format",
            "csv",
            "--trials",
            "4096",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id,weight"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_shows_at_most_top_warnings_of_each_kind() {
    let path = scenario_file("dyn-2016.toml");
    let p = path_str(&path);
    let count = |text: &str| text.matches("warning[single_provider]").count();
    let out = run(&["check", p]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(count(&out.stdout), 20);
    assert!(
        out.stdout
            .contains("… and 935 more single_provider warnings"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("955 warnings"), "{}", out.stdout);
    let all = run(&["check", p, "--top", "5000"]);
    assert_eq!(count(&all.stdout), 955);
    assert!(!all.stdout.contains("more single_provider"));
    let json = run(&["check", p, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 955);
    // --deny-warnings still counts them all.
    assert_eq!(run(&["check", p, "--deny-warnings"]).code, 3);
}

/// `--fail` is resolved once, against the scenario, for both models: the
/// same option is refused by both with the same message. (The timeline
/// model used to accept a common cause in a region it does not reach.)
#[test]
fn both_models_refuse_the_same_bad_fail_options() {
    let q = quickstart();
    for (fail, says) in [
        (
            "botnet@europe",
            "--fail: common cause \"botnet\" does not reach region \"europe\"",
        ),
        ("route53@mars", "--fail: unknown region \"mars\""),
        (
            "routе53x",
            "--fail: unknown provider or common cause \"routе53x\"",
        ),
        (
            "shop.example.com",
            "\"shop.example.com\" is a service, and --fail takes providers and common causes",
        ),
        ("@asia", "--fail: expected ID or ID@REGION, got \"@asia\""),
    ] {
        for model in ["snapshot", "timeline"] {
            let out = run(&["run", &q, "--model", model, "--trials", "1", "--fail", fail]);
            assert_eq!(out.code, 2, "{model} {fail}: {}", out.stderr);
            assert!(out.stderr.contains(says), "{model} {fail}: {}", out.stderr);
        }
    }
}

/// A common cause forced without a region takes its providers down in its
/// own regions only, in both models.
#[test]
fn a_forced_common_cause_stays_in_its_regions_in_both_models() {
    let q = quickstart();
    let args = ["--fail", "botnet", "--fail-only", "--format", "json"];
    let snap = run(&[&["run", &q, "--model", "snapshot"][..], &args].concat());
    let time = run(&[
        &["run", &q, "--model", "timeline", "--trials", "1"][..],
        &args,
    ]
    .concat());
    for out in [&snap, &time] {
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let snap: serde_json::Value = serde_json::from_str(&snap.stdout).unwrap();
    let time: serde_json::Value = serde_json::from_str(&time.stdout).unwrap();
    let row = |v: &serde_json::Value, key: &str| -> Vec<(String, f64)> {
        let shop = v["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "shop.example.com")
            .unwrap()
            .clone();
        ["americas", "europe", "asia"]
            .iter()
            .map(|r| {
                let x = &shop["regions"][r];
                let x = if key.is_empty() {
                    x.clone()
                } else {
                    x[key].clone()
                };
                (r.to_string(), x.as_f64().unwrap())
            })
            .collect()
    };
    // Down in the Americas only, whichever model.
    let expect = vec![
        ("americas".to_string(), 1.0),
        ("europe".to_string(), 0.0),
        ("asia".to_string(), 0.0),
    ];
    assert_eq!(row(&snap, ""), expect);
    // The timeline's shares divide by the expected lookups, so a region
    // that fails throughout sits within sampling noise of 1.
    for ((r, got), (_, want)) in row(&time, "failed_share").iter().zip(&expect) {
        assert!((got - want).abs() < 0.01, "{r}: {got} vs {want}");
    }
}

/// A run on course to take long says so, with the estimate and how to
/// shorten it, once it has a pace (a few seconds), even when stderr is
/// not a terminal; then it is stopped.
/// The first line `dnsim ARGS…` prints on stderr, within a minute; the
/// process is killed after it.
fn first_stderr_line(args: &[&str]) -> String {
    use std::io::BufRead;
    let bin = assert_cmd::cargo::cargo_bin("dnsim");
    let mut child = std::process::Command::new(bin)
        .env("DNSIM_PROGRESS_EVERY", crate::support::QUIET_PROGRESS)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(60));
    let _ = child.kill();
    let _ = child.wait();
    line.expect("a warning within a minute")
}

#[test]
fn a_long_run_says_how_long_it_will_take() {
    // No estimate before the snapshot model: it says so from its pace.
    let line = first_stderr_line(&[
        "run",
        path_str(&scenario_file("dyn-2016.toml")),
        "--model",
        "snapshot",
        "--trials",
        "10000000000000",
        "--format",
        "json",
    ]);
    assert!(
        line.starts_with("dnsim: at this pace the run's 10000000000000 trials take about ")
            && line.contains("--trials"),
        "{line}"
    );
}

/// A one-trial timeline plan over `horizon`: one provider with monthly
/// outages, and each (service, what it requires) on it.
fn timeline_plan(horizon: &str, services: impl Iterator<Item = (String, Vec<String>)>) -> String {
    let mut plan = format!(
        "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"{horizon}\"\n\
         [[region]]\nid = \"r\"\n[[provider]]\nid = \"p\"\noutages_per_year = 12\n"
    );
    for (id, requires) in services {
        plan.push_str(&format!("[[service]]\nid = \"{id}\"\ndns = [\"p\"]\n"));
        if !requires.is_empty() {
            let list: Vec<String> = requires.iter().map(|r| format!("\"{r}\"")).collect();
            plan.push_str(&format!("requires = [{}]\n", list.join(", ")));
        }
    }
    plan
}

#[test]
fn a_timeline_run_estimated_to_take_long_says_so_before_it_starts() {
    let line = first_stderr_line(&[
        "run",
        path_str(&scenario_file("dyn-2016.toml")),
        "--trials",
        "100000",
        "--format",
        "json",
    ]);
    assert!(
        line.starts_with("dnsim: this timeline run is estimated at ") && line.contains("--trials"),
        "{line}"
    );
    // Ten trials of a 20,000-name requirement chain (issue: cost
    // blow-ups). Each lookup once stepped through everything its name
    // requires; now a walk takes a chain's names from a tree or from sums
    // (`timeline/lines.rs`, `sums.rs`), and one trial takes minutes (352.5
    // s at b0122e8 on two cores; estimated at 347 s there, ten trials at
    // about an hour), so the test does not hang on the fit of one trial.
    let dir = tempfile::tempdir().unwrap();
    let chain = (0..20_000).map(|i| {
        let requires = if i > 0 {
            vec![format!("s{}.test", i - 1)]
        } else {
            vec![]
        };
        (format!("s{i}.test"), requires)
    });
    let plan = timeline_plan("365d", chain);
    let path = dir.path().join("chain.toml");
    std::fs::write(&path, plan).unwrap();
    let line = first_stderr_line(&["run", path_str(&path), "--trials", "10", "--format", "json"]);
    assert!(
        line.starts_with("dnsim: this timeline run is estimated at ")
            && line.contains("requirement chains"),
        "{line}"
    );
    // A ladder of 300 diamonds (two names a rung, each requiring both of
    // the rung below): bounds that add up shared members would double at
    // every rung, to infinity; the estimate stays a number (of enough
    // trials to be worth a warning).
    let ladder = (0..300).flat_map(|i| {
        ["a", "b"].map(|side| {
            let requires = if i > 0 {
                vec![format!("a{}.test", i - 1), format!("b{}.test", i - 1)]
            } else {
                vec![]
            };
            (format!("{side}{i}.test"), requires)
        })
    });
    let plan = timeline_plan("30d", ladder);
    let path = dir.path().join("ladder.toml");
    std::fs::write(&path, plan).unwrap();
    let line = first_stderr_line(&[
        "run",
        path_str(&path),
        "--trials",
        "100000",
        "--format",
        "json",
    ]);
    assert!(
        line.starts_with("dnsim: this timeline run is estimated at ")
            && !line.contains("inf")
            && !line.contains("century"),
        "{line}"
    );
}

/// `run --max-impact`, `--max-downtime`, `--min-nines`: the report is
/// written as always, each broken gate is said with its figure and
/// threshold, and the run ends with code 3; gates that hold end with 0.
#[test]
fn gates_for_ci_break_with_exit_code_3_after_writing_the_report() {
    let snapshot = scenario_file("quickstart.toml");
    let out = run(&[
        "run",
        path_str(&snapshot),
        "--max-impact",
        "0.001",
        "--format",
        "json",
    ]);
    assert_eq!(Some(out.code), Some(3));
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("the report");
    let impact = report["summary"]["expected_impact"].as_f64().unwrap();
    let stderr = out.stderr.clone();
    assert!(
        stderr.contains(&format!(
            "dnsim: gate broken: expected impact {impact:.4} is above --max-impact 0.001"
        )),
        "{stderr}"
    );
    let out = run(&[
        "run",
        path_str(&snapshot),
        "--max-impact",
        "10",
        "--min-nines",
        "1",
    ]);
    assert_eq!(Some(out.code), Some(0), "{}", out.stderr);
    // With JSON out, whose rows are written as they are made, the gate on
    // the services' nines still reads every row.
    for format in ["table", "json"] {
        let args = ["run", path_str(&snapshot), "--min-nines", "3", "-q"];
        let out = run(&[&args[..], &["--format", format]].concat());
        assert_eq!(Some(out.code), Some(3), "{format}");
        let stderr = out.stderr.clone();
        assert!(
            stderr.contains("pay.example.org: 2.7") && stderr.contains("fewer than --min-nines 3"),
            "{format}: {stderr}"
        );
    }

    let timeline = scenario_file("calibration/moura-loss90-ttl60s.toml");
    let out = run(&["run", path_str(&timeline), "--max-downtime", "10m", "-q"]);
    assert_eq!(Some(out.code), Some(3));
    let stderr = out.stderr.clone();
    assert!(
        stderr.contains("dnsim: gate broken: name.test: down ")
            && stderr.contains("min over the horizon, more than --max-downtime 10m"),
        "{stderr}"
    );
    let out = run(&["run", path_str(&timeline), "--max-downtime", "3h", "-q"]);
    assert_eq!(Some(out.code), Some(0), "{}", out.stderr);
}

#[test]
fn a_gate_the_model_does_not_report_is_refused_before_the_run() {
    let snapshot = scenario_file("quickstart.toml");
    let out = run(&["run", path_str(&snapshot), "--max-downtime", "5m"]);
    assert_eq!(Some(out.code), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = out.stderr.clone();
    assert!(
        stderr.contains("--max-downtime: the snapshot model reports no downtime"),
        "{stderr}"
    );
    let timeline = scenario_file("calibration/moura-loss90-ttl60s.toml");
    let out = run(&["run", path_str(&timeline), "--max-impact", "1"]);
    assert_eq!(Some(out.code), Some(2));
    assert!(
        out.stderr
            .clone()
            .contains("--max-impact: the timeline model reports no expected impact"),
        "{}",
        out.stderr
    );
    let out = run(&["run", path_str(&snapshot), "--max-downtime", "soon"]);
    assert_eq!(Some(out.code), Some(2));
    assert!(out.stderr.clone().contains("--max-downtime"));
}

/// `--series off`: no series even where the scenario's events would record
/// one (the Dyn file's JSON goes from 27 MB to 2 MB); harmless with the
/// snapshot model, where there is none anyway.
#[test]
fn the_series_can_be_turned_off() {
    let timeline = scenario_file("calibration/moura-loss90-ttl60s.toml");
    let with = run(&["run", path_str(&timeline), "--format", "json", "-q"]);
    assert_eq!(with.code, 0, "{}", with.stderr);
    assert!(with.stdout.contains("\"series\""));
    let without = run(&[
        "run",
        path_str(&timeline),
        "--format",
        "json",
        "-q",
        "--series",
        "off",
    ]);
    assert_eq!(without.code, 0, "{}", without.stderr);
    assert!(!without.stdout.contains("\"series\""));
    // The same law: counts in bulk are drawn per series step, so the
    // figures move within their noise, not further.
    let share = |json: &str| {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let s = &v["services"][0];
        let ci = s["failed_share_ci95"].as_array().unwrap().clone();
        (
            s["failed_share"].as_f64().unwrap(),
            ci[0].as_f64().unwrap(),
            ci[1].as_f64().unwrap(),
        )
    };
    let (_, lo, hi) = share(&with.stdout);
    let (b, _, _) = share(&without.stdout);
    assert!((lo..=hi).contains(&b), "{b} outside [{lo}, {hi}]");
    let snapshot = scenario_file("quickstart.toml");
    let out = run(&["run", path_str(&snapshot), "--series", "off", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// Counts and durations read as a person writes them: "1 trial", "365d"
/// (not "1 trials", "11months 30days 3h 50m 24s").
#[test]
fn headers_say_one_trial_and_whole_days() {
    let out = run(&[
        "run",
        path_str(&scenario_file("quickstart.toml")),
        "--fail-only",
    ]);
    assert!(
        out.stdout.contains("snapshot model · 1 trial (exact"),
        "{}",
        out.stdout
    );
    let (_dir, path) = temp_scenario(
        "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"365d\"\n\
         [[region]]\nid = \"r\"\n[[provider]]\nid = \"p\"\n\
         [[service]]\nid = \"a.test\"\ndns = [\"p\"]\n",
    );
    let out = run(&["run", path_str(&path), "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("timeline model · 1 trial · seed 0 · horizon 365d ·"),
        "{}",
        out.stdout
    );
}

#[test]
fn top_zero_shows_every_row() {
    let q = scenario_file("quickstart.toml");
    let all = run(&["run", path_str(&q), "--top", "0", "--trials", "2000"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert!(
        !all.stdout.contains("--top N for more")
            && all.stdout.contains("Services, riskiest first\n"),
        "{}",
        all.stdout
    );
    let two = run(&["run", path_str(&q), "--top", "2", "--trials", "2000"]);
    assert!(
        two.stdout.contains("(2 of 5; --top N for more)"),
        "{}",
        two.stdout
    );
    let bad = run(&["run", path_str(&q), "--top", "-1"]);
    assert_eq!(bad.code, 2);
}

/// Where stderr is not a terminal (a CI log), a run says how far it has
/// come every so often (here: at every trial), and stdout is unchanged.
#[test]
fn a_run_without_a_terminal_writes_progress_lines() {
    let plan = scenario_file("whatif/dyn-wave1.toml");
    let args = ["run", path_str(&plan), "--trials", "3", "--format", "json"];
    let out = dnsim()
        .args(args)
        .env("DNSIM_PROGRESS_EVERY", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dnsim: 3 of 3 trials (100%)"), "{stderr}");
    let quiet = dnsim()
        .args(args)
        .arg("--quiet")
        .env("DNSIM_PROGRESS_EVERY", "0")
        .output()
        .unwrap();
    assert!(quiet.stderr.is_empty());
    assert_eq!(out.stdout, quiet.stdout);
}

/// A file's trials are for its own model: `--model` with the other model
/// runs that model's default, and says so.
#[test]
fn another_model_runs_its_own_default_trials() {
    let q = scenario_file("quickstart.toml");
    let out = run(&[
        "run",
        path_str(&q),
        "--model",
        "timeline",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["trials"], 100);
    assert!(
        out.stderr.contains("note: the file's trials (200000) are for its snapshot model; the timeline model runs 100"),
        "{}",
        out.stderr
    );
    let given = run(&[
        "run",
        path_str(&q),
        "--model",
        "timeline",
        "--trials",
        "3",
        "--format",
        "json",
    ]);
    assert!(given.stderr.is_empty(), "{}", given.stderr);
    let same = run(&[
        "run",
        path_str(&q),
        "--model",
        "snapshot",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&same.stdout).unwrap();
    assert_eq!(v["trials"], 200_000);
}

/// `check` in CI: known warnings accepted by kind (and id) or by a
/// baseline, so that only new ones fail `--deny-warnings`; SARIF for
/// code-scanning dashboards.
#[test]
fn check_accepts_known_warnings_and_speaks_sarif() {
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    let json = |extra: &[&str]| -> serde_json::Value {
        let out = run(&[&["check", q, "--format", "json"][..], extra].concat());
        serde_json::from_str(&out.stdout).unwrap()
    };
    let all = json(&[]);
    assert_eq!(all["warnings"].as_array().unwrap().len(), 6);
    let some = json(&["--allow", "single_provider"]);
    assert_eq!(some["warnings"].as_array().unwrap().len(), 3);
    assert_eq!(some["allowed"], 3);
    let one = json(&["--allow", "single_provider:pay.example.org"]);
    assert_eq!(one["allowed"], 1);
    // A baseline of today's warnings: nothing new, --deny-warnings passes.
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    std::fs::write(&base, serde_json::to_string(&all).unwrap()).unwrap();
    let out = run(&["check", q, "--baseline", path_str(&base), "--deny-warnings"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("6 accepted"), "{}", out.stdout);
    // A warning the baseline does not hold still fails.
    let (_d, plan) = crate::support::temp_scenario(
        &(std::fs::read_to_string(q).unwrap()
            + "\n[[service]]\nid = \"new.example.org\"\ndns = [\"ns1\"]\n"),
    );
    let out = run(&[
        "check",
        path_str(&plan),
        "--baseline",
        path_str(&base),
        "--deny-warnings",
    ]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("\"new.example.org\" is delegated to a single provider"),
        "{}",
        out.stdout
    );
    // Bad flags and files.
    let out = run(&["check", q, "--allow", "single"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--allow: no warning kind \"single\""),
        "{}",
        out.stderr
    );
    std::fs::write(&base, "not json").unwrap();
    let out = run(&["check", q, "--baseline", path_str(&base)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--baseline: not JSON"),
        "{}",
        out.stderr
    );
    // JSON, but not what check writes: no list, or a list of something else.
    for (text, said) in [
        ("{\"ok\": true}", "no \"warnings\" list"),
        (
            "{\"warnings\": 3}",
            "not a baseline (invalid type: integer `3`, expected a sequence",
        ),
        (
            "{\"warnings\": [{\"kind\": 1}]}",
            "not a baseline (invalid type: integer `1`, expected a string",
        ),
    ] {
        std::fs::write(&base, text).unwrap();
        let out = run(&["check", q, "--baseline", path_str(&base)]);
        assert_eq!(out.code, 2, "{text}");
        assert!(out.stderr.contains(said), "{text}: {}", out.stderr);
    }
    // Strings with escapes are read as well as plain ones.
    let escaped = serde_json::to_string(&all)
        .unwrap()
        .replace("single_provider", "single\\u005fprovider");
    std::fs::write(&base, escaped).unwrap();
    let out = run(&["check", q, "--baseline", path_str(&base), "--deny-warnings"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    // SARIF: one result per warning, rules by kind.
    let out = run(&["check", q, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 6);
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

/// A service's own `allow` list accepts its known warnings in `check`; a
/// kind it cannot allow is an error at its position.
#[test]
fn a_service_allows_its_known_warnings() {
    let text = "[[provider]]\nid = \"p\"\n[[provider]]\nid = \"q\"\n[[service]]\nid = \"cdn\"\ndns = [\"p\"]\nallow = [\"single_provider\"]\n[[service]]\nid = \"site\"\ndns = [\"p\", \"q\"]\nrequires = [\"cdn\"]\n";
    let (_d, plan) = crate::support::temp_scenario(text);
    let out = run(&["check", path_str(&plan), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let kinds: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"single_provider"), "{kinds:?}");
    assert!(kinds.contains(&"hidden_single_provider"), "{kinds:?}");
    assert_eq!(v["allowed"], 1);
    let (_d, bad) = crate::support::temp_scenario(
        &text.replace("[\"single_provider\"]", "[\"provider_share\"]"),
    );
    let out = run(&["check", path_str(&bad)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            ":8:10: service.allow: a service may allow single_provider or hidden_single_provider"
        ),
        "{}",
        out.stderr
    );
}

/// Defaults per model: a timeline file without `trials` runs 100, and a
/// timeline `--fail-only` run 10 (saying so); a snapshot one stays one
/// exact trial. A service down all the time has 0 nines, not "-0.00", and
/// services with the same figures are listed by id, not by noise.
#[test]
fn trials_default_per_model_and_rows_that_tie_are_listed_by_id() {
    let text = "[simulation]\nmodel = \"timeline\"\nhorizon = \"1h\"\n\
                [resolvers]\nper_region = 100\ninitial_cache = \"empty\"\n\
                [[provider]]\nid = \"p\"\n[[provider]]\nid = \"q\"\n\
                [[service]]\nid = \"zulu\"\ndns = [\"p\"]\nttl = \"1s\"\nquery_rate = 3600\n\
                [[service]]\nid = \"alpha\"\ndns = [\"p\"]\nttl = \"1s\"\nquery_rate = 3600\n\
                [[service]]\nid = \"mike\"\ndns = [\"q\"]\n";
    let (_dir, path) = temp_scenario(text);
    let scenario = dnsim::scenario::load(&path).unwrap();
    assert_eq!(scenario.simulation.trials, 100);
    let timeline = |args: &[&str]| {
        let mut all = vec!["run", path_str(&path), "--format", "json"];
        all.extend(args);
        let out = run(&all);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let report: dnsim::results::TimelineReport = serde_json::from_str(&out.stdout).unwrap();
        (out.stderr, report)
    };
    // Nothing fails: three ties at 0, by id.
    let (_, quiet) = timeline(&["--trials", "2"]);
    let ids: Vec<&str> = quiet.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["alpha", "mike", "zulu"]);
    let (stderr, failing) = timeline(&["--fail", "p", "--fail-only"]);
    assert!(stderr.contains("runs 10 trials"), "{stderr}");
    assert_eq!(failing.trials, 10);
    // Dyn's customers without a second provider fail every lookup: their
    // nines are 0.00 (they printed "-0.00").
    let dyn_file = scenario_file("dyn-2016.toml");
    let table = run(&[
        "run",
        path_str(&dyn_file),
        "--fail",
        "dyn",
        "--fail-only",
        "--trials",
        "1",
        "--top",
        "3",
    ]);
    assert!(table.stdout.contains(" 0.00 100.00%"), "{}", table.stdout);
    assert!(!table.stdout.contains("-0.00"), "{}", table.stdout);
    let snapshot = run(&[
        "run",
        path_str(&path),
        "--model",
        "snapshot",
        "--fail",
        "p",
        "--fail-only",
        "--format",
        "json",
    ]);
    assert!(snapshot.stderr.is_empty(), "{}", snapshot.stderr);
    let r: Report = serde_json::from_str(&snapshot.stdout).unwrap();
    assert_eq!(r.trials, 1);
    let ids: Vec<&str> = r.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["alpha", "zulu", "mike"]);
}

/// A plan that is slow to load says so (here made "slow" by
/// `DNSIM_LOADING_AFTER=0`); a quick one says nothing, `--quiet` nothing.
#[test]
fn a_slow_load_says_it_is_loading() {
    let q = scenario_file("quickstart.toml");
    let with = |after: &str, quiet: bool| {
        let mut cmd = dnsim();
        cmd.env("DNSIM_LOADING_AFTER", after)
            .args(["run", path_str(&q), "--format", "json"]);
        if quiet {
            cmd.arg("--quiet");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let slow = with("0", false);
    assert!(
        slow.starts_with("dnsim: loading ") && slow.contains("quickstart.toml"),
        "{slow}"
    );
    assert_eq!(with("60000", false), "");
    assert_eq!(with("0", true), "");
}

/// On a terminal wider than 80 columns the table gives its ids the room
/// (they were cut at 26 characters whatever the width); piped, or in a
/// file, it keeps to 80.
#[test]
fn a_wide_terminal_shows_whole_ids() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        skipped("script (util-linux) is not installed: no terminal to test with");
        return;
    }
    let long = "a-service-with-a-rather-long-name.example.com";
    let (_dir, plan) = temp_scenario(&format!(
        "[[provider]]\nid = \"p\"\np_outage = 0.1\n[[service]]\nid = \"{long}\"\ndns = [\"p\"]\n"
    ));
    let exe = assert_cmd::cargo::cargo_bin("dnsim");
    let shown = |columns: &str| {
        let command = format!(
            "{} run {} --trials 100 --quiet",
            exe.display(),
            plan.display()
        );
        let out = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wide = shown("120");
    assert!(wide.contains(&format!("  {long}  ")), "{wide}");
    let narrow = shown("80");
    assert!(!narrow.contains(long), "{narrow}");
    let piped = run(&["run", path_str(&plan), "--trials", "100"]);
    assert!(!piped.stdout.contains(long), "{}", piped.stdout);
    assert!(
        piped.stdout.lines().all(|l| l.chars().count() <= 81),
        "{}",
        piped.stdout
    );
}

/// `--only PATTERN` shows just the named services in what people read;
/// the summary and the machine formats keep every service.
#[test]
fn only_shows_the_named_services() {
    let dyn_file = scenario_file("dyn-2016.toml");
    let base = [
        "run",
        path_str(&dyn_file),
        "--model",
        "snapshot",
        "--fail",
        "dyn",
        "--fail-only",
        "--top",
        "0",
        "--only",
        "twitter.com",
        "--only",
        "*.net",
    ];
    let table = run(&base);
    assert_eq!(table.code, 0, "{}", table.stderr);
    let rows: Vec<&str> = table
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("Services"))
        .skip(2)
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.trim_start().starts_with("twitter.com ")),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.trim_start().starts_with("playstation.net ")),
        "{rows:?}"
    );
    assert!(!rows.iter().any(|r| r.contains("top-site-")), "{rows:?}");
    // The summary is the plan's.
    assert!(
        table
            .stdout
            .contains("services                              1001"),
        "{}",
        table.stdout
    );
    let mut json = base.to_vec();
    json.extend(["--format", "json"]);
    let (_, r) = json_of(&json);
    assert_eq!(r.services.len(), 1001);
}

fn json_of(args: &[&str]) -> (String, Report) {
    let out = run(args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    (
        out.stdout.clone(),
        serde_json::from_str(&out.stdout).unwrap(),
    )
}

/// A weight-0 back-end on one provider, in a redundant `requires_any`
/// group, is no single point of failure: `check` does not flag it (it did,
/// so `--deny-warnings` failed on well-built plans); one that something of
/// weight needs alone still is.
#[test]
fn redundant_back_ends_of_weight_zero_are_not_flagged() {
    let (_dir, path) = temp_scenario(
        "[[provider]]\nid = \"a\"\np_outage = 0.01\n[[provider]]\nid = \"b\"\np_outage = 0.01\n\
         [[provider]]\nid = \"x\"\np_outage = 0.01\n[[provider]]\nid = \"y\"\np_outage = 0.01\n\
         [[service]]\nid = \"cdn-a\"\ndns = [\"a\"]\nweight = 0\n\
         [[service]]\nid = \"cdn-b\"\ndns = [\"b\"]\nweight = 0\n\
         [[service]]\nid = \"www\"\ndns = [\"x\", \"y\"]\nrequires_any = [[\"cdn-a\", \"cdn-b\"]]\n",
    );
    let out = run(&["check", path_str(&path), "--deny-warnings"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let lone = std::fs::read_to_string(&path).unwrap().replace(
        "requires_any = [[\"cdn-a\", \"cdn-b\"]]",
        "requires = [\"cdn-a\"]",
    );
    std::fs::write(&path, lone).unwrap();
    let out = run(&["check", path_str(&path), "--deny-warnings"]);
    assert_eq!(out.code, 3, "{}", out.stdout);
    assert!(
        out.stdout
            .contains("\"cdn-a\" is delegated to a single provider"),
        "{}",
        out.stdout
    );
}

/// `run`'s table (the default output) makes only the rows it shows when
/// nothing else reads the others; `--only '*'` keeps every row, takes the
/// path that makes them all, and must print the same table.
#[test]
fn a_table_of_the_first_rows_is_the_table_of_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    let out = run(&[
        "generate",
        "--services",
        "20000",
        "--providers",
        "200",
        "--quiet",
        "-o",
        path_str(&plan),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for top in ["20", "0"] {
        let args = [
            "run",
            path_str(&plan),
            "--trials",
            "640",
            "--top",
            top,
            "-q",
        ];
        let first = run(&args);
        assert_eq!(first.code, 0, "{}", first.stderr);
        let every = run(&[&args[..], &["--only", "*"]].concat());
        assert_eq!(first.stdout, every.stdout, "--top {top}");
    }
    assert!(
        run(&["run", path_str(&plan), "--trials", "640", "-q"])
            .stdout
            .contains("(20 of 20020; --top N for more)")
    );
}
