//! `dnsim analyze` and `dnsim export` against their oracles: brute-force
//! enumeration of random small plans (to the 12 digits reported), Monte
//! Carlo (within its intervals), and SCRAM on the exported fault trees (to
//! its printed precision).

use std::collections::{BTreeSet, HashMap};

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::engine::scalar;
use dnsim::model::Model;
use dnsim::results::{AnalysisMethod, AnalysisReport, Importance, ServiceMethod};
use dnsim::run::{RunOptions, snapshot};
use dnsim::scenario::Scenario;

use super::plans::{exact_with, random_plan, small_plans, weighted, with_parents};
use super::support::{external_tool, path_str, run, scenario_file};

/// `[service][region]` probabilities.
type PerRegion = Vec<Vec<f64>>;

fn options() -> AnalyzeOptions {
    AnalyzeOptions {
        order: 2,
        max_bdd_nodes: analysis::DEFAULT_MAX_BDD_NODES,
        trials: 10_000,
        seed: 1,
    }
}

/// The agreement of figures a report keeps to 12 significant digits:
/// rounding moves one by at most 5 parts in 10^12.
const REPORTED: f64 = 1e-11;

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!(
        (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} vs {b}"
    );
}

/// Ratios agree to the 12 significant digits the report keeps (rounding
/// moves a figure by at most 5 parts in 10^12).
fn close_opt(a: Option<f64>, b: Option<f64>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => assert!(
            (a - b).abs() <= REPORTED * a.abs().max(b.abs()),
            "{what}: {a} vs {b}"
        ),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what}: {a:?} vs {b:?}"),
    }
}

/// The importance that brute force gives, from P, P(· | e) and P(· | not e).
fn brute_importance(event: &str, p: f64, total: f64, given: f64, without: f64) -> Importance {
    let ratio = |x: f64| (total > 0.0).then(|| x / total);
    Importance {
        event: event.to_string(),
        p,
        birnbaum: given - without,
        fussell_vesely: ratio(p * given),
        criticality: ratio((given - without) * p),
        raw: ratio(given),
        rrw: (total > 0.0 && without > 0.0).then(|| total / without),
        removes: total - without,
    }
}

fn check_importance(got: &Importance, want: &Importance, what: &str) {
    close(
        got.birnbaum,
        want.birnbaum,
        REPORTED,
        &format!("{what} birnbaum"),
    );
    close(
        got.removes,
        want.removes,
        REPORTED,
        &format!("{what} removes"),
    );
    close_opt(
        got.fussell_vesely,
        want.fussell_vesely,
        &format!("{what} FV"),
    );
    close_opt(
        got.criticality,
        want.criticality,
        &format!("{what} criticality"),
    );
    close_opt(got.raw, want.raw, &format!("{what} RAW"));
    // RRW divides by P(D | not e), which can be a difference of nearly equal
    // numbers; compare its inverse, which is not.
    match (got.rrw, want.rrw) {
        (Some(a), Some(b)) => close(1.0 / a, 1.0 / b, REPORTED, &format!("{what} 1/RRW")),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what} RRW: {a:?} vs {b:?}"),
    }
}

/// Minimal cut sets of order ≤ 2 by brute force: event sets that take the
/// service down in some region with every other event up, and hold no
/// smaller such set.
fn brute_cut_sets(scenario: &Scenario, model: &Model, s: usize) -> BTreeSet<Vec<String>> {
    let e = model.events.len();
    let down = |set: &[usize]| {
        let mut fired = vec![false; e];
        for &i in set {
            fired[i] = true;
        }
        scalar::eval_trial(scenario, model, &fired)
            .iter()
            .any(|row| row[s])
    };
    let mut out = BTreeSet::new();
    for a in 0..e {
        if down(&[a]) {
            out.insert(vec![model.events[a].id.clone()]);
        }
    }
    for a in 0..e {
        for b in a + 1..e {
            if down(&[a, b]) && !down(&[a]) && !down(&[b]) {
                out.insert(vec![model.events[a].id.clone(), model.events[b].id.clone()]);
            }
        }
    }
    out
}

#[test]
fn exact_analysis_matches_brute_force_enumeration() {
    let mut checked = 0;
    for (seed, scenario, model, truth) in small_plans(5000, 60, (0.01, 0.3), 14) {
        let report = analysis::analyze(&scenario, &options());
        assert_eq!(report.method, AnalysisMethod::Exact);
        let p: Vec<f64> = model.events.iter().map(|e| e.p).collect();
        let conditioned: Vec<(PerRegion, PerRegion)> = (0..p.len())
            .map(|e| {
                let (mut on, mut off) = (p.clone(), p.clone());
                on[e] = 1.0;
                off[e] = 0.0;
                (
                    exact_with(&scenario, &model, &on),
                    exact_with(&scenario, &model, &off),
                )
            })
            .collect();
        let index: HashMap<&str, usize> = scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (&*s.id, i))
            .collect();

        let mut total = 0.0;
        for row in &report.services {
            let s = index[row.id.as_str()];
            let want = weighted(&truth[s], &scenario);
            total += scenario.services[s].weight * want;
            close(
                row.p_unreachable,
                want,
                REPORTED,
                &format!("plan {seed} {}", row.id),
            );
            for (r, &got) in row.regions.values().iter().enumerate() {
                close(
                    got,
                    truth[s][r],
                    REPORTED,
                    &format!("plan {seed} {} r{r}", row.id),
                );
            }
            // Every event with a Birnbaum importance is listed, and only those.
            for (e, ev) in model.events.iter().enumerate() {
                let given = weighted(&conditioned[e].0[s], &scenario);
                let without = weighted(&conditioned[e].1[s], &scenario);
                let listed = row.importance.iter().find(|i| i.event == ev.id);
                match listed {
                    Some(got) => check_importance(
                        got,
                        &brute_importance(&ev.id, ev.p, want, given, without),
                        &format!("plan {seed} {} {}", row.id, ev.id),
                    ),
                    None => assert!(
                        (given - without).abs() < 1e-15,
                        "plan {seed} {}: {} matters but is not listed",
                        row.id,
                        ev.id
                    ),
                }
            }
            let got: BTreeSet<Vec<String>> = row.cut_sets.iter().cloned().collect();
            assert_eq!(
                got,
                brute_cut_sets(&scenario, &model, s),
                "plan {seed} {} cut sets",
                row.id
            );
            checked += 1;
        }
        close(
            report.summary.expected_impact,
            total,
            REPORTED,
            &format!("plan {seed} expected impact"),
        );
        // Importance for the plan: the same definitions on expected impact.
        for (e, ev) in model.events.iter().enumerate() {
            let sum = |which: &dyn Fn(usize) -> f64| -> f64 {
                (0..scenario.services.len())
                    .map(|s| scenario.services[s].weight * which(s))
                    .sum()
            };
            let given = sum(&|s| weighted(&conditioned[e].0[s], &scenario));
            let without = sum(&|s| weighted(&conditioned[e].1[s], &scenario));
            if let Some(got) = report.importance.iter().find(|i| i.event == ev.id) {
                check_importance(
                    got,
                    &brute_importance(&ev.id, ev.p, total, given, without),
                    &format!("plan {seed} total {}", ev.id),
                );
            } else {
                assert!(
                    (given - without).abs() < 1e-12,
                    "plan {seed}: {} unlisted",
                    ev.id
                );
            }
        }
        // Each plan-wide cut set's impact is what the scalar evaluator says.
        for c in &report.cut_sets {
            let fired: Vec<bool> = model
                .events
                .iter()
                .map(|e| c.events.contains(&e.id))
                .collect();
            let down = scalar::eval_trial(&scenario, &model, &fired);
            let impact: f64 = down
                .iter()
                .enumerate()
                .flat_map(|(r, row)| {
                    let scenario = &scenario;
                    row.iter()
                        .enumerate()
                        .filter(|&(_, &d)| d)
                        .map(move |(s, _)| scenario.services[s].weight * scenario.regions[r].weight)
                })
                .sum();
            close(
                c.impact,
                impact,
                REPORTED,
                &format!("plan {seed} cut {:?}", c.events),
            );
        }
    }
    assert!(checked >= 300, "only {checked} services checked");
}

#[test]
fn monte_carlo_estimates_hold_the_exact_values() {
    let scenario = dnsim::scenario::load(&scenario_file("quickstart.toml")).unwrap();
    let exact = analysis::analyze(&scenario, &options());
    let trials = 400_000;
    let mc = snapshot(
        &scenario,
        &RunOptions {
            trials: Some(trials),
            seed: Some(3),
            ..RunOptions::default()
        },
        &|_| {},
    )
    .unwrap();
    for row in &mc.services {
        let want = exact.services.iter().find(|s| *s.id == *row.id).unwrap();
        let se = (want.p_unreachable / trials as f64).sqrt();
        assert!(
            (row.p_unreachable - want.p_unreachable).abs() <= 4.0 * se,
            "{}: Monte Carlo {} vs exact {}",
            row.id,
            row.p_unreachable,
            want.p_unreachable
        );
    }
    close(
        mc.summary.expected_impact,
        exact.summary.expected_impact,
        0.05,
        "expected impact",
    );
}

#[test]
fn too_large_diagrams_fall_back_to_monte_carlo_and_say_so() {
    let path = scenario_file("quickstart.toml");
    let out = run(&[
        "analyze",
        path_str(&path),
        "--max-bdd-nodes",
        "3",
        "--trials",
        "100000",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r: AnalysisReport = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(r.method, AnalysisMethod::ExactAndMonteCarlo);
    let f = r.fallback.as_ref().expect("a fallback note");
    assert!(f.reason.contains("--max-bdd-nodes"), "{}", f.reason);
    assert_eq!(f.trials, 100_000);
    let shop = r
        .services
        .iter()
        .find(|s| s.id == "shop.example.com")
        .unwrap();
    assert_eq!(shop.method, ServiceMethod::MonteCarlo);
    let ci = shop.ci95.expect("an interval");
    let exact = analysis::analyze(&dnsim::scenario::load(&path).unwrap(), &options());
    let want = exact
        .services
        .iter()
        .find(|s| s.id == "shop.example.com")
        .unwrap()
        .p_unreachable;
    assert!(ci[0] <= want && want <= ci[1], "{ci:?} misses {want}");
    // A one-provider service's diagram is small: still exact.
    let cdn = r
        .services
        .iter()
        .find(|s| s.id == "cdn.example.net")
        .unwrap();
    assert_eq!(cdn.method, ServiceMethod::Exact);
    let table = run(&["analyze", path_str(&path), "--max-bdd-nodes", "3"]);
    assert!(table.stdout.contains("Monte Carlo"), "{}", table.stdout);
}

/// Runs SCRAM (`--bdd`, probability and importance) on `xml`; returns its
/// report. CI installs SCRAM (`.ci/run`); without it this test fails and
/// says how to get it.
fn scram(dir: &std::path::Path, xml: &str) -> String {
    let input = dir.join("plan.xml");
    let output = dir.join("report.xml");
    std::fs::write(&input, xml).unwrap();
    let status = std::process::Command::new("scram")
        .args([
            "--bdd",
            "--probability",
            "true",
            "--importance",
            "true",
            "-o",
        ])
        .arg(&output)
        .arg(&input)
        .status()
        .unwrap_or_else(|e| {
            panic!("cannot run scram ({e}): install it with `apt-get install scram` (.ci/run does)")
        });
    assert!(status.success(), "scram failed on {}", input.display());
    std::fs::read_to_string(&output).unwrap()
}

/// Element name → its `<label>` in the exported model.
fn labels(xml: &str) -> HashMap<String, String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("define-gate") || n.has_tag_name("define-basic-event"))
        .map(|n| {
            let label = n
                .children()
                .find(|c| c.has_tag_name("label"))
                .and_then(|c| c.text())
                .unwrap();
            (n.attribute("name").unwrap().to_string(), label.to_string())
        })
        .collect()
}

fn agree(ours: f64, scram: f64, what: &str) {
    // SCRAM prints six significant digits.
    assert!(
        (ours - scram).abs() <= 1e-5 * ours.abs().max(scram.abs()) + 1e-300,
        "{what}: dnsim {ours} vs SCRAM {scram}"
    );
}

/// Returns how many top events and importance rows were compared.
fn compare_with_scram(scenario: &Scenario, dir: &std::path::Path) -> (usize, usize) {
    let mut xml = Vec::new();
    dnsim::export::open_psa(scenario, &mut xml).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    let names = labels(&xml);
    let ours = analysis::analyze(scenario, &options());
    let report = scram(dir, &xml);
    let doc = roxmltree::Document::parse(&report).unwrap();
    let (mut tops, mut measures) = (0, 0);
    for sop in doc
        .descendants()
        .filter(|n| n.has_tag_name("sum-of-products"))
    {
        let label = &names[sop.attribute("name").unwrap()];
        let (id, region) = label.rsplit_once('@').unwrap();
        let row = ours.services.iter().find(|s| s.id == id).unwrap();
        let r = scenario
            .regions
            .iter()
            .position(|x| x.id == region)
            .unwrap();
        let p: f64 = sop.attribute("probability").unwrap().parse().unwrap();
        agree(row.regions.values()[r], p, &format!("P({label})"));
        tops += 1;
    }
    assert_eq!(tops, scenario.services.len() * scenario.regions.len());
    if scenario.regions.len() == 1 {
        // One region: a service is its one top event, so its importance
        // measures are SCRAM's.
        let results = doc
            .descendants()
            .find(|n| n.has_tag_name("results"))
            .unwrap();
        for imp in results.children().filter(|n| n.has_tag_name("importance")) {
            let label = &names[imp.attribute("name").unwrap()];
            let id = label.rsplit_once('@').unwrap().0;
            let row = ours.services.iter().find(|s| s.id == id).unwrap();
            let events: Vec<_> = imp
                .children()
                .filter(|n| n.has_tag_name("basic-event"))
                .collect();
            // SCRAM also lists events in the tree that cannot matter (a
            // referral whose parent shares the service's own provider, say),
            // with importance 0; dnsim lists the diagram's variables.
            assert!(events.len() >= row.importance.len(), "{label}: events");
            let mut matched = 0;
            for e in events {
                let event = &names[e.attribute("name").unwrap()];
                let x = |a: &str| e.attribute(a).unwrap().parse::<f64>().unwrap();
                let Some(i) = row.importance.iter().find(|i| &i.event == event) else {
                    assert_eq!(x("MIF"), 0.0, "{event} for {label}: SCRAM finds it matters");
                    continue;
                };
                matched += 1;
                let what = |m: &str| format!("{m}({event}) for {label}");
                agree(i.birnbaum, x("MIF"), &what("MIF"));
                agree(i.criticality.unwrap(), x("CIF"), &what("CIF"));
                agree(i.fussell_vesely.unwrap(), x("DIF"), &what("DIF"));
                agree(i.raw.unwrap(), x("RAW"), &what("RAW"));
                // SCRAM prints RRW = 0 where it is infinite.
                agree(i.rrw.unwrap_or(0.0), x("RRW"), &what("RRW"));
                measures += 1;
            }
            assert_eq!(
                matched,
                row.importance.len(),
                "{label}: every event dnsim lists"
            );
        }
    }
    (tops, measures)
}

#[test]
fn scram_agrees_on_exported_fault_trees() {
    if !external_tool("scram", "--version", "apt-get install scram") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (mut tops, mut measures) = (0, 0);
    for seed in 0..8u64 {
        let regions = if seed < 5 { 1 } else { 3 };
        let scenario = random_plan(
            7000 + seed,
            3 + seed as usize % 3,
            regions,
            10,
            (0.001, 0.2),
        );
        let (t, m) = compare_with_scram(&scenario, dir.path());
        tops += t;
        measures += m;
    }
    // The delegation chain: cold NS sets and parents' providers.
    for seed in 0..4u64 {
        let regions = if seed < 2 { 1 } else { 2 };
        let plan = random_plan(7100 + seed, 3, regions, 8, (0.01, 0.3));
        let (t, m) = compare_with_scram(&with_parents(plan, seed), dir.path());
        tops += t;
        measures += m;
    }
    let quickstart = dnsim::scenario::load(&scenario_file("quickstart.toml")).unwrap();
    tops += compare_with_scram(&quickstart, dir.path()).0;
    assert!(tops >= 100, "only {tops} top events compared");
    assert!(measures >= 100, "only {measures} importance rows compared");
}

#[test]
fn analyze_export_and_compare_refuse_bad_input() {
    let bad = super::support::fixture("bad/unknown-provider.toml");
    let good = scenario_file("quickstart.toml");
    let (bad, good) = (path_str(&bad), path_str(&good));
    for args in [
        vec!["analyze", bad],
        vec!["export", bad, "--format", "open-psa"],
        vec!["compare", good, bad],
        vec!["compare", bad, good],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("unknown-provider.toml:"),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    for args in [
        vec!["analyze", good, "--order", "0"],
        vec!["analyze", good, "--max-bdd-nodes", "1"],
        vec!["analyze", good, "--format", "csv"],
        vec!["export", good],
        vec!["export", good, "--format", "dot"],
        vec!["analyze", "no-such-file.toml"],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn analysis_and_export_bytes_are_stable() {
    let path = scenario_file("dyn-2016.toml");
    let p = path_str(&path);
    let a = run(&["analyze", p, "--format", "json"]);
    let b = run(&["analyze", p, "--format", "json"]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(a.stdout, b.stdout);
    let r: AnalysisReport = serde_json::from_str(&a.stdout).unwrap();
    assert_eq!(r.method, AnalysisMethod::Exact);
    // Dyn-only sites: P = P(dyn down in the client's region).
    let github = r.services.iter().find(|s| s.id == "github.com").unwrap();
    assert_eq!(github.importance[0].event, "dyn");
    assert!(github.cut_sets.contains(&vec!["dyn".to_string()]));
    let x = run(&["export", p, "--format", "open-psa"]);
    assert_eq!(x.code, 0, "{}", x.stderr);
    roxmltree::Document::parse(&x.stdout).expect("well-formed XML");
}

/// `analyze` makes its service rows when they are read: written as JSON a
/// chunk at a time (more rows than a chunk here), or only the first few
/// for a table. Both must give what the report with every row gives, and
/// the rows come riskiest first.
#[test]
fn rows_made_as_they_are_read_are_the_rows_of_the_whole_report() {
    let scenario = dnsim::synth::plan(dnsim::synth::PlanSpec {
        services: 40_000,
        providers: 60,
        regions: 2,
        seed: 9,
    });
    let rows = analysis::analyze_rows(&scenario, &options());
    let streamed = serde_json::to_string_pretty(&rows).unwrap();
    let whole = analysis::analyze(&scenario, &options());
    assert_eq!(streamed, serde_json::to_string_pretty(&whole).unwrap());
    // (Ties are in scenario order by the figures as computed, which the
    // rows show to 12 digits: equal there, they may be apart here.)
    for pair in whole.services.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(
            a.p_unreachable >= b.p_unreachable,
            "{} before {}",
            a.id,
            b.id
        );
    }
    let table = |r: &AnalysisReport| {
        let mut out = Vec::new();
        dnsim::report::analysis::write(r, 20, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let first = rows.map_services(|rows| rows.first(20));
    assert_eq!(first.services.len(), 20);
    assert_eq!(table(&first), table(&whole));
    assert!(table(&whole).contains("(20 of 40000; --top N for more)"));
}
