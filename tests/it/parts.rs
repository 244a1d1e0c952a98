//! `run --part K/N`: a plan split by services, alone or with trial shards,
//! merges to the single run's bytes; merge refuses parts that do not make
//! a whole.

use std::path::{Path, PathBuf};

use dnsim::forcing::Forcing;
use dnsim::part::{PartCounts, restrict};
use dnsim::results::{ModelKind, Report};
use dnsim::run::{Job, Prepared, RunOptions};
use dnsim::scenario::Scenario;
use dnsim::shard::{Counts, Shard};

use super::plans::{random_plan, with_parents};
use crate::support::*;

/// Requirements that cross every split (the first service requires the
/// last, the last a middle one), a `requires_any` group, parents (a
/// provider, and a service in another slice), services that share a
/// signature across slices, fractional and zero weights, three regions of
/// uneven shares, regional outages and a common cause.
const PLAN: &str = r#"
name = "parts"
[simulation]
model = "snapshot"
trials = 9000
seed = 7
[[region]]
id = "a"
weight = 0.5
[[region]]
id = "b"
weight = 0.3
[[region]]
id = "c"
weight = 0.2
[[provider]]
id = "p"
p_outage = 0.02
regional_p_outage = { b = 0.05 }
[[provider]]
id = "q"
p_outage = 0.03
[[provider]]
id = "r"
p_outage = 0.01
regional_p_outage = { c = 0.1 }
[[provider]]
id = "tld"
p_outage = 0.2
[[common_cause]]
id = "botnet"
providers = ["p", "q"]
regions = ["a"]
p = 0.01
[[service]]
id = "www"
dns = ["p", "q"]
weight = 10.1
requires = ["api"]
[[service]]
id = "shop"
dns = ["p"]
weight = 3.7
requires_any = [["cdn-a", "cdn-b"]]
[[service]]
id = "blog"
dns = ["p"]
weight = 0.001
[[service]]
id = "cdn-a"
dns = ["q"]
weight = 0
[[service]]
id = "cdn-b"
dns = ["r"]
weight = 0
parent = "tld"
query_rate = 1
[[service]]
id = "mail"
dns = ["r"]
weight = 1e-9
parent = "zone"
[[service]]
id = "docs"
dns = ["p"]
weight = 0.001
[[service]]
id = "zone"
dns = ["q", "r"]
weight = 2
requires = ["cdn-b"]
[[service]]
id = "status"
dns = ["r"]
weight = 1
[[service]]
id = "api"
dns = ["p", "r"]
weight = 5.5
requires = ["zone"]
"#;

fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

/// Runs every (part, shard) of `scenario` into `dir`.
fn split(dir: &Path, scenario: &str, extra: &[&str], parts: u64, shards: u64) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for k in 1..=parts {
        for j in 1..=shards {
            let file = dir.join(format!("part-{k}-{j}.json"));
            let (part, shard) = (format!("{k}/{parts}"), format!("{j}/{shards}"));
            let mut args = vec!["run", scenario, "--part", &part, "-o", path_str(&file)];
            args.extend_from_slice(extra);
            if shards > 1 {
                args.extend(["--shard", &shard]);
            }
            run_ok(&args);
            files.push(file);
        }
    }
    files
}

fn merge_args<'a>(files: &'a [PathBuf], format: &'a str) -> Vec<&'a str> {
    let mut args = vec!["merge", "--format", format];
    args.extend(files.iter().map(|p| path_str(p)));
    args
}

#[test]
fn parts_and_shards_merge_to_the_single_runs_bytes_in_every_format() {
    let (_dir, file) = temp_scenario(PLAN);
    let file = path_str(&file);
    let whole: Vec<(&str, String)> = ["json", "table", "csv", "markdown"]
        .into_iter()
        .map(|f| (f, run_ok(&["run", file, "--format", f])))
        .collect();
    // With the plan edited by --set, which the merge applies too.
    let set = [
        "--set",
        "provider.q.p_outage=0.3",
        "--set",
        "service.www.weight=2.5",
    ];
    let mut single = vec!["run", file, "--format", "json"];
    single.extend(set);
    let dir = tempfile::tempdir().unwrap();
    let files = split(dir.path(), file, &set, 3, 2);
    assert_eq!(
        run_ok(&merge_args(&files, "json")),
        run_ok(&single),
        "--set"
    );
    // One part, parts that split shared signatures and requirements, more
    // parts than services (some count nothing), each with trial shards.
    for (parts, shards) in [(1, 2), (2, 1), (3, 2), (4, 3), (13, 1)] {
        let dir = tempfile::tempdir().unwrap();
        let files = split(dir.path(), file, &[], parts, shards);
        for (format, bytes) in &whole {
            assert_eq!(
                &run_ok(&merge_args(&files, format)),
                bytes,
                "{parts} parts × {shards} shards, {format}"
            );
        }
    }
}

/// A snapshot report as its JSON.
fn json(report: Report) -> String {
    match report {
        Report::Snapshot(r) => serde_json::to_string(&r).unwrap(),
        Report::Timeline(_) => panic!("a snapshot job"),
    }
}

/// What `run --part` and `merge` do, in the library, for random plans.
fn merged_report(scenario: &Scenario, job: &Job, parts: u64) -> String {
    let whole = Prepared::new(scenario, job.clone()).unwrap();
    let mut counts = Vec::new();
    for k in 1..=parts {
        let part = Shard {
            index: k,
            count: parts,
        };
        let (sub, plan) = restrict(scenario.clone(), part);
        let prepared = Prepared::new_part(&sub, job.clone(), Some(plan)).unwrap();
        let Counts::Snapshot(tally) = prepared.counts(&|_| true, &|_| {}) else {
            panic!("a part runs the snapshot model");
        };
        counts.push(PartCounts {
            path: PathBuf::from(format!("part-{k}")),
            slice: prepared.part_slice().unwrap(),
            tally,
        });
    }
    let model = whole.snapshot_model().unwrap();
    let tally = dnsim::part::assemble(model, whole.trials(), &counts).unwrap();
    json(whole.report(&Counts::Snapshot(tally)).unwrap())
}

#[test]
fn random_plans_with_parents_merge_to_the_single_run_for_any_split() {
    for seed in 0..24u64 {
        let mut scenario = with_parents(
            random_plan(
                seed,
                2 + seed as usize % 4,
                1 + seed as usize % 3,
                14,
                (0.02, 0.3),
            ),
            seed,
        );
        let weights = [0.0, 0.1, 1.0, 3.7, 1e-9, 12_345.678, 0.3];
        for (i, s) in scenario.services.iter_mut().enumerate() {
            s.weight = weights[(i + seed as usize) % weights.len()];
        }
        let job = Job {
            model: ModelKind::Snapshot,
            options: RunOptions {
                trials: Some(5000),
                seed: Some(seed),
                forcing: Forcing::default(),
            },
            series_step: None,
        };
        let whole = Prepared::new(&scenario, job.clone()).unwrap();
        let single = json(whole.report(&whole.counts(&|_| true, &|_| {})).unwrap());
        for parts in [2, 3, 5] {
            assert_eq!(
                merged_report(&scenario, &job, parts),
                single,
                "plan {seed}, {parts} parts"
            );
        }
    }
}

/// A timeline plan whose requirements cross every split (a chain from the
/// first service to the last, a `requires_any` group, a parent in another
/// slice), random and scheduled outages and a series.
const TIMELINE_PLAN: &str = r#"
name = "timeline parts"
[simulation]
model = "timeline"
horizon = "20d"
trials = 3
seed = 11
[resolvers]
per_region = 12
[[region]]
id = "a"
weight = 0.7
[[region]]
id = "b"
weight = 0.3
[[provider]]
id = "p"
outages_per_year = 40
loss = 0.9
[[provider]]
id = "q"
outages_per_year = 30
[[provider]]
id = "tld"
outages_per_year = 20
[[service]]
id = "www"
dns = ["p"]
ttl = "5m"
requires = ["api"]
[[service]]
id = "shop"
dns = ["q"]
ttl = "1m"
requires_any = [["cdn-a", "cdn-b"]]
[[service]]
id = "cdn-a"
dns = ["p"]
weight = 0
[[service]]
id = "cdn-b"
dns = ["q"]
weight = 0
parent = "tld"
[[service]]
id = "mail"
dns = ["p", "q"]
parent = "zone"
[[service]]
id = "zone"
dns = ["q"]
requires = ["cdn-b"]
[[service]]
id = "api"
dns = ["p", "q"]
ttl = "30s"
requires = ["zone"]
[[event]]
provider = "q"
start = "2d"
end = "2d3h"
loss = 0.7
"#;

/// The timeline's services run on their own streams and closures, so a
/// part that simulates its slice counts what the whole run counts for it:
/// parts and trial shards merge to the single run's bytes.
#[test]
fn timeline_parts_and_shards_merge_to_the_single_runs_bytes() {
    let (dir, file) = temp_scenario(TIMELINE_PLAN);
    let file = path_str(&file);
    for format in ["json", "table"] {
        let whole = run_ok(&["run", file, "--format", format]);
        for (parts, shards) in [(3, 2), (7, 1)] {
            let sub = tempfile::tempdir_in(dir.path()).unwrap();
            let files = split(sub.path(), file, &[], parts, shards);
            let merged = run_ok(&merge_args(&files, format));
            assert_eq!(merged, whole, "{parts} parts x {shards} shards, {format}");
        }
    }
    // A part file whose rows do not fit its part is refused.
    let files = split(dir.path(), file, &[], 3, 1);
    let edited = dir.path().join("edited.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&files[1]).unwrap()).unwrap();
    value["counts"]["timeline"]["failed"]
        .as_array_mut()
        .unwrap()
        .push(0.into());
    std::fs::write(&edited, value.to_string()).unwrap();
    let mut bad = files.clone();
    bad[1] = edited;
    refused(
        &merge_args(&bad, "json"),
        "cannot be part 2/3's of this timeline run",
    );
}

fn refused(args: &[&str], want: &str) {
    let out = run(args);
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert!(out.stderr.contains(want), "{args:?}: {}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

#[test]
fn merge_refuses_parts_that_do_not_make_a_whole() {
    let (dir, file) = temp_scenario(PLAN);
    let file = path_str(&file);
    let three = split(dir.path(), file, &[], 3, 2);
    // A missing (part, shard).
    let mut args = merge_args(&three[1..], "json");
    refused(&args, "missing: part 1/3 shard 1/2");
    // The same one twice.
    args.push(path_str(&three[1]));
    refused(&args, "part 1/3, shard 2/2 appears twice");
    // A part of another split.
    let other = tempfile::tempdir().unwrap();
    let two = split(other.path(), file, &[], 2, 2);
    let mut mixed = three.clone();
    mixed[0] = two[0].clone();
    refused(&merge_args(&mixed, "json"), "3 parts vs 2 parts");
    // A part without --part among parts.
    let whole = dir.path().join("shard.json");
    run_ok(&["run", file, "--shard", "1/2", "-o", path_str(&whole)]);
    mixed[0] = whole;
    refused(&merge_args(&mixed, "json"), "3 parts vs no --part");
    // A part file whose services do not fit its part.
    let edited = dir.path().join("edited.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&three[0]).unwrap()).unwrap();
    value["part"]["service_node"].as_array_mut().unwrap().pop();
    std::fs::write(&edited, value.to_string()).unwrap();
    let mut bad = three.clone();
    bad[0] = edited.clone();
    refused(&merge_args(&bad, "json"), "services where part 1/3 has");
    // A part or shard that cannot exist.
    for (key, value, want) in [
        ("part", 0, "its part 0/3 does not exist"),
        ("part", 9, "its part 9/3 does not exist"),
        ("shard", 0, "its shard 0/2 does not exist"),
    ] {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&three[0]).unwrap()).unwrap();
        match key {
            "part" => v["part"]["part"]["index"] = value.into(),
            _ => v["shard"]["index"] = value.into(),
        }
        std::fs::write(&edited, v.to_string()).unwrap();
        let mut bad = three.clone();
        bad[0] = edited.clone();
        refused(&merge_args(&bad, "json"), want);
    }
    // A part file that lost a block's trials.
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&three[2]).unwrap()).unwrap();
    value["counts"]["snapshot"]["blocks"]
        .as_array_mut()
        .unwrap()
        .pop();
    std::fs::write(&edited, value.to_string()).unwrap();
    bad = three.clone();
    bad[2] = edited;
    refused(&merge_args(&bad, "json"), "blocks where the run has");
}

#[test]
fn part_flags_are_checked() {
    let (dir, file) = temp_scenario(PLAN);
    let file = path_str(&file);
    let out = dir.path().join("out.json");
    let out = path_str(&out);
    refused(
        &["run", file, "--part", "0/3", "-o", out],
        "part 0 of 3 does not exist",
    );
    refused(&["run", file, "--part", "three", "-o", out], "expected K/N");
    refused(
        &["run", file, "--part", "1/2", "--format", "csv", "-o", out],
        "a part writes a partial result (JSON)",
    );
    refused(
        &["run", file, "--part", "1/2", "--rare", "-o", out],
        "--rare",
    );
    let checkpoint = dir.path().join("ck.json");
    refused(
        &[
            "run",
            file,
            "--part",
            "1/2",
            "--checkpoint",
            path_str(&checkpoint),
            "-o",
            out,
        ],
        "--checkpoint",
    );
}

#[test]
fn a_part_loads_only_its_slice_and_what_is_required_as_restrict_keeps_it() {
    for text in [PLAN, TIMELINE_PLAN] {
        a_part_loads_as_restrict_keeps(text);
    }
}

/// A part's services: its slice and every service that anything requires;
/// in the timeline model also every service that requires something (names
/// that requirements connect are simulated together on shared caches).
fn a_part_loads_as_restrict_keeps(text: &str) {
    let (_dir, file) = temp_scenario(text);
    let whole = dnsim::scenario::load(&file).unwrap();
    let timeline = whole.simulation.model == dnsim::scenario::ModelKind::Timeline;
    for (k, n) in [(1, 3), (2, 3), (3, 3), (4, 5)] {
        let part = Shard { index: k, count: n };
        let loaded = dnsim::scenario::load_part(&file, &[], &|n| dnsim::part::slice(part, n))
            .map(|l| dnsim::part::from_load(l, part))
            .unwrap();
        let kept = restrict(whole.clone(), part);
        let ids = |s: &Scenario| {
            s.services
                .iter()
                .map(|x| x.id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&loaded.0), ids(&kept.0), "part {k}/{n}");
        assert_eq!(loaded.0.services, kept.0.services, "part {k}/{n}");
        assert_eq!(loaded.1.slice.kept, kept.1.slice.kept);
        assert_eq!(loaded.1.slice.unit_shift, kept.1.slice.unit_shift);
        assert_eq!(loaded.0.content_hash, whole.content_hash);
        if !timeline {
            // Fewer services than the whole plan: the slice and what is
            // required.
            assert!(loaded.0.services.len() < whole.services.len());
        } else {
            let kept = ids(&loaded.0);
            for s in whole
                .services
                .iter()
                .filter(|s| !s.dependencies().is_empty())
            {
                assert!(kept.contains(&s.id.to_string()), "{} in part {k}/{n}", s.id);
            }
        }
    }
}

#[test]
fn a_part_still_refuses_a_bad_row_outside_its_slice() {
    let bad = PLAN.replace(
        "weight = 0.001\n[[service]]\nid = \"cdn-a\"",
        "weight = -1\n[[service]]\nid = \"cdn-a\"",
    );
    assert_ne!(bad, PLAN);
    let (dir, file) = temp_scenario(&bad);
    let out = dir.path().join("out.json");
    refused(
        &[
            "run",
            path_str(&file),
            "--part",
            "3/3",
            "-o",
            path_str(&out),
        ],
        "service.weight",
    );
    assert!(!out.exists());
}

#[test]
fn a_generated_plan_with_a_csv_include_merges_from_parts_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    let plan = path_str(&plan);
    run_ok(&[
        "generate",
        "--services",
        "3000",
        "--providers",
        "40",
        "--seed",
        "3",
        "--trials",
        "5000",
        "-o",
        plan,
        "-q",
    ]);
    let whole = run_ok(&["run", plan, "--format", "json"]);
    let files = split(dir.path(), plan, &[], 3, 2);
    assert_eq!(run_ok(&merge_args(&files, "json")), whole);
}
