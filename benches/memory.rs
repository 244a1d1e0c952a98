//! Peak memory of a snapshot run on a generated 1,000,000-service plan:
//! build the plan, compile it, run the trials, build the report, and print
//! the process's peak resident set size (VmHWM) after each step.
//!
//!     cargo bench --bench memory
//!
//! The plan is built in memory (no TOML or CSV parsing), so this measures
//! the engine's own footprint: the scenario, the model, the tallies and the
//! report rows.

use std::time::Instant;

use dnsim::forcing::Forcing;
use dnsim::model::Model;
use dnsim::run::{RunOptions, snapshot_compiled};
use dnsim::synth::{PlanSpec, plan};

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn main() {
    let services = std::env::var("DNSIM_MEMORY_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000usize);
    let trials = 40_960;
    let report = |step: &str, t: Instant| match peak_rss_bytes() {
        Some(b) => println!(
            "{step:<10} peak RSS {:>7.1} MiB  {:>6.1} bytes/service  ({:.2} s)",
            b as f64 / 1048576.0,
            b as f64 / services as f64,
            t.elapsed().as_secs_f64()
        ),
        None => println!("{step:<10} peak RSS unavailable (no /proc/self/status)"),
    };
    let t = Instant::now();
    report("start", t);
    let scenario = plan(PlanSpec {
        services,
        providers: 100,
        regions: 3,
        seed: 1,
    });
    report("plan", t);
    let model = Model::compile(&scenario, &Forcing::default()).expect("generated plans compile");
    report("compile", t);
    println!(
        "           {} distinct nodes, {} events",
        model.node_count(),
        model.events.len()
    );
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(1),
        ..RunOptions::default()
    };
    let result = snapshot_compiled(&scenario, &model, &options, &|_| {});
    report("run+report", t);
    println!(
        "{services} services, {trials} trials: expected unreachable {:.3}, P(any) {:.4}",
        result.summary.expected_unreachable, result.summary.p_any_unreachable
    );
}
