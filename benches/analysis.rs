//! Exact analysis at scale, and SCRAM on the same fault trees.
//!
//!     cargo bench --bench analysis
//!
//! 1. `dnsim analyze` (BDDs, importance, cut sets up to order 2) of every
//!    service of a generated 100,000-service plan (100 providers, 3 regions,
//!    CDN-style requirements).
//! 2. A sample of its services (every 500th, with what they require) is
//!    analysed by dnsim and exported as Open-PSA fault trees, and SCRAM
//!    (`scram --bdd --probability true --importance true`, if installed)
//!    analyses the same sample: both times are printed from this one run.
//!
//! The plan is built in memory; `DNSIM_ANALYSIS_SERVICES` changes its size.

use std::collections::HashMap;
use std::time::Instant;

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::scenario::Scenario;
use dnsim::synth::{PlanSpec, plan};

/// The services at `picks`, with everything they require, renumbered.
fn sample(scenario: &Scenario, picks: &[usize]) -> Scenario {
    let mut keep: Vec<usize> = Vec::new();
    let mut seen = vec![false; scenario.services.len()];
    let mut stack: Vec<usize> = picks.to_vec();
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut seen[s], true) {
            continue;
        }
        keep.push(s);
        stack.extend(
            scenario.services[s]
                .dependencies()
                .into_iter()
                .map(|d| d as usize),
        );
    }
    keep.sort_unstable();
    let new_index: HashMap<usize, u32> = keep
        .iter()
        .enumerate()
        .map(|(i, &s)| (s, i as u32))
        .collect();
    let mut out = scenario.clone();
    out.services = keep
        .iter()
        .map(|&s| {
            let mut svc = scenario.services[s].clone();
            let requires: Vec<u32> = svc
                .requires()
                .iter()
                .map(|r| new_index[&(*r as usize)])
                .collect();
            let groups: Vec<Box<[u32]>> = svc
                .requires_any()
                .iter()
                .map(|g| g.iter().map(|r| new_index[&(*r as usize)]).collect())
                .collect();
            svc.set_requires(requires);
            svc.set_requires_any(groups);
            svc
        })
        .collect();
    out.name = format!("{} (sample of {})", scenario.name, out.services.len());
    out
}

fn main() {
    let services = std::env::var("DNSIM_ANALYSIS_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000usize);
    let scenario = plan(PlanSpec {
        services,
        providers: 100,
        regions: 3,
        seed: 1,
    });
    let options = AnalyzeOptions {
        order: 2,
        max_bdd_nodes: analysis::DEFAULT_MAX_BDD_NODES,
        trials: 10_000,
        seed: 1,
    };
    let t = Instant::now();
    let report = analysis::analyze(&scenario, &options);
    let whole = t.elapsed().as_secs_f64();
    println!(
        "dnsim analyze, whole plan: {} services, {} regions: {:.2} s ({:.1} µs per service), method {}, largest BDD {} nodes, {} plan-wide cut sets",
        services,
        scenario.regions.len(),
        whole,
        whole * 1e6 / services as f64,
        report.method.as_str(),
        report.summary.largest_bdd,
        report.cut_sets.len()
    );

    let picks: Vec<usize> = (0..services).step_by(500).collect();
    let small = sample(&scenario, &picks);
    let tops = small.services.len() * small.regions.len();
    let t = Instant::now();
    let _ = analysis::analyze(&small, &options);
    let ours = t.elapsed().as_secs_f64();
    println!(
        "dnsim analyze, sample: {} services ({tops} service-region top events): {:.4} s",
        small.services.len(),
        ours
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("sample.xml");
    let mut xml = Vec::new();
    dnsim::export::open_psa(&small, &mut xml).expect("export");
    std::fs::write(&input, &xml).expect("write");
    let t = Instant::now();
    let status = std::process::Command::new("scram")
        .args([
            "--bdd",
            "--probability",
            "true",
            "--importance",
            "true",
            "-o",
        ])
        .arg(dir.path().join("report.xml"))
        .arg(&input)
        .status();
    let theirs = t.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => println!(
            "SCRAM 0.16 --bdd, same sample: {:.2} s ({:.2} ms per top event); dnsim is {:.0}x faster on it",
            theirs,
            theirs * 1e3 / tops as f64,
            theirs / ours
        ),
        Ok(s) => println!("SCRAM failed ({s}) on {}", input.display()),
        Err(e) => println!("SCRAM not run ({e}): apt-get install scram"),
    }
}
