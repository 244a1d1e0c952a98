//! Shards and merges: any split gives the single run's bytes, and merge
//! refuses parts that do not belong together.

use std::path::{Path, PathBuf};

use crate::support::*;

fn run_ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

/// Runs `scenario` in `n` shards into `dir`, returning the part paths.
fn shards(dir: &Path, scenario: &str, extra: &[&str], n: u64) -> Vec<PathBuf> {
    (1..=n)
        .map(|k| {
            let part = dir.join(format!("part-{k}.json"));
            let shard = format!("{k}/{n}");
            let mut args = vec![
                "run",
                scenario,
                "--shard",
                &shard,
                "--output",
                path_str(&part),
            ];
            args.extend_from_slice(extra);
            run_ok(&args);
            part
        })
        .collect()
}

fn merged(parts: &[PathBuf], format: &str) -> String {
    let mut args = vec!["merge", "--format", format];
    args.extend(parts.iter().map(|p| path_str(p)));
    run_ok(&args)
}

fn check_splits(scenario: &str, extra: &[&str]) {
    let mut single = vec!["run", scenario, "--format", "json"];
    single.extend_from_slice(extra);
    let whole = run_ok(&single);
    for n in [1, 2, 3, 7] {
        let dir = tempfile::tempdir().unwrap();
        let parts = shards(dir.path(), scenario, extra, n);
        assert_eq!(merged(&parts, "json"), whole, "{n} shards of {scenario}");
    }
}

#[test]
fn merged_snapshot_shards_equal_the_single_run_for_1_2_3_and_7() {
    let q = scenario_file("quickstart.toml");
    // 30,000 trials: 8 blocks, so 7 shards get one or two each.
    check_splits(path_str(&q), &["--trials", "30000"]);
}

#[test]
fn merged_timeline_shards_equal_the_single_run_for_1_2_3_and_7() {
    let w = scenario_file("whatif/dyn-wave1.toml");
    check_splits(path_str(&w), &["--trials", "9"]);
}

#[test]
fn merged_output_in_every_format_matches_the_single_run() {
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), q, &["--trials", "9000"], 2);
    for format in ["table", "csv", "markdown"] {
        assert_eq!(
            merged(&parts, format),
            run_ok(&["run", q, "--trials", "9000", "--format", format]),
            "{format}"
        );
    }
}

#[test]
fn shard_auto_reads_the_schedulers_environment() {
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    let dir = tempfile::tempdir().unwrap();
    let explicit = shards(dir.path(), q, &["--trials", "9000"], 3);
    let want = std::fs::read_to_string(&explicit[1]).unwrap();
    for (var, value, extra) in [
        ("JOB_COMPLETION_INDEX", "1", vec!["--shards", "3"]),
        ("PARALLEL_SEQ", "2", vec!["--shards", "3"]),
        ("SLURM_ARRAY_TASK_ID", "2", vec![]),
    ] {
        let out = dnsim()
            .args(["run", q, "--trials", "9000", "--shard", "auto"])
            .args(&extra)
            .env_remove("JOB_COMPLETION_INDEX")
            .env_remove("PARALLEL_SEQ")
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env(var, value)
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{var}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), want, "{var}");
    }
}

/// A merge that must fail with exit code 2 and `want` in its message.
fn refused(parts: &[&Path], want: &str) {
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(|p| path_str(p)));
    let out = run(&args);
    assert_eq!(out.code, 2, "{want}: {}", out.stderr);
    assert!(
        out.stderr.contains(want),
        "want {want:?} in {:?}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn merge_refuses_parts_that_do_not_belong_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    let base = ["--trials", "9000"];
    let parts = shards(d, q, &base, 3);
    let (p1, p2, p3) = (parts[0].as_path(), parts[1].as_path(), parts[2].as_path());

    let other_seed = d.join("seed.json");
    run_ok(&[
        "run",
        q,
        "--trials",
        "9000",
        "--seed",
        "5",
        "--shard",
        "2/3",
        "-o",
        path_str(&other_seed),
    ]);
    refused(&[p1, &other_seed, p3], "seed 5 vs 1");

    let timeline = d.join("timeline.json");
    run_ok(&[
        "run",
        q,
        "--trials",
        "9000",
        "--model",
        "timeline",
        "--shard",
        "2/3",
        "-o",
        path_str(&timeline),
    ]);
    refused(&[p1, &timeline, p3], "model timeline vs snapshot");

    // The same plan with one comment more is another scenario.
    let edited = d.join("edited.toml");
    std::fs::write(
        &edited,
        std::fs::read_to_string(q).unwrap() + "\n# edited\n",
    )
    .unwrap();
    let other_plan = d.join("plan.json");
    run_ok(&[
        "run",
        path_str(&edited),
        "--trials",
        "9000",
        "--shard",
        "2/3",
        "-o",
        path_str(&other_plan),
    ]);
    refused(&[p1, &other_plan, p3], "a different scenario");

    let text = std::fs::read_to_string(p2).unwrap();
    let version = d.join("version.json");
    std::fs::write(
        &version,
        text.replace("\"dnsim\":\"0.1.0\"", "\"dnsim\":\"0.0.9\""),
    )
    .unwrap();
    refused(&[&version, p1, p3], "written by dnsim 0.0.9");
    refused(&[p1, &version, p3], "dnsim version 0.0.9 vs 0.1.0");

    refused(&[p1, p2, p2, p3], "shard 2/3 appears twice");
    refused(&[p1, p3], "missing shard 2/3");

    let truncated = d.join("truncated.json");
    std::fs::write(&truncated, &text[..text.len() / 2]).unwrap();
    refused(&[p1, &truncated, p3], "truncated part file");

    let malformed = d.join("malformed.json");
    std::fs::write(&malformed, "{\"hello\": 1}").unwrap();
    refused(&[p1, &malformed, p3], "not a dnsim part file");

    refused(
        &[p1, &d.join("absent.json"), p3],
        "cannot read part: no such file",
    );

    // The scenario changed after the shards ran.
    let moved = d.join("moved.toml");
    std::fs::write(
        &moved,
        std::fs::read_to_string(q).unwrap() + "\n# changed\n",
    )
    .unwrap();
    let out = run(&[
        "merge",
        "--scenario",
        path_str(&moved),
        path_str(p1),
        path_str(p2),
        path_str(p3),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("is not the one the shards ran"),
        "{}",
        out.stderr
    );
}

#[test]
fn gnu_parallel_recipe_gives_the_single_runs_bytes() {
    // The README's recipe, for real: .ci/run installs Debian's parallel.
    if !external_tool("parallel", "--version", "apt-get install parallel") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let q = scenario_file("quickstart.toml");
    let bin = assert_cmd::cargo::cargo_bin("dnsim");
    let cmd = format!(
        "{} run {} --trials 30000 --shard auto --shards 4 --output part-{{}}.json",
        bin.display(),
        q.display()
    );
    let status = std::process::Command::new("parallel")
        .args(["--will-cite", "-j", "2", &cmd, ":::", "1", "2", "3", "4"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let parts: Vec<PathBuf> = (1..=4)
        .map(|k| dir.path().join(format!("part-{k}.json")))
        .collect();
    assert_eq!(
        merged(&parts, "json"),
        run_ok(&["run", path_str(&q), "--trials", "30000", "--format", "json"])
    );
}

/// How many blocks a checkpoint holds: the length of its ranges.
fn finished_blocks(checkpoint: &serde_json::Value) -> usize {
    checkpoint["done"].as_array().map_or(0, |ranges| {
        ranges
            .iter()
            .map(|r| (r[1].as_u64().unwrap() - r[0].as_u64().unwrap()) as usize)
            .sum()
    })
}

/// Whether the binary has the test switch that holds a run: debug builds
/// only, so `cargo test --release` skips the tests that need it, saying so.
fn hold_switch(test: &str) -> bool {
    if cfg!(debug_assertions) {
        return true;
    }
    eprintln!("skipped {test}: DNSIM_TEST_HOLD_AFTER_BLOCKS is in debug builds only");
    false
}

/// Starts a checkpointed run that holds after `k` blocks (the test switch),
/// waits until its checkpoint holds them, and returns the child, which the
/// caller interrupts and waits for.
#[allow(clippy::zombie_processes)]
fn held_run(args: &[&str], checkpoint: &Path, k: usize) -> std::process::Child {
    let bin = assert_cmd::cargo::cargo_bin("dnsim");
    let mut child = std::process::Command::new(bin)
        .env("DNSIM_PROGRESS_EVERY", crate::support::QUIET_PROGRESS)
        .args(args)
        .args(["--checkpoint", path_str(checkpoint)])
        .env("DNSIM_TEST_HOLD_AFTER_BLOCKS", k.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let done = std::fs::read_to_string(checkpoint)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map_or(0, |v| finished_blocks(&v));
        if done >= k {
            return child;
        }
        if start.elapsed().as_secs() >= 60 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run never saved {k} blocks");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_run_interrupted_by_ctrl_c_resumes_to_the_same_bytes() {
    if !hold_switch("a_run_interrupted_by_ctrl_c_resumes_to_the_same_bytes") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.checkpoint");
    let q = scenario_file("quickstart.toml");
    let args = [
        "run",
        path_str(&q),
        "--trials",
        "100000",
        "--format",
        "json",
    ];
    let whole = run_ok(&args);
    let child = held_run(&args, &checkpoint, 5);
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(out.stdout.is_empty(), "an interrupted run writes no result");
    assert!(String::from_utf8_lossy(&out.stderr).contains("run the same command again to resume"));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&checkpoint).unwrap()).unwrap();
    let done = finished_blocks(&saved);
    assert!((5..25).contains(&done), "{done} of 25 blocks saved");
    let mut resume = args.to_vec();
    resume.extend(["--checkpoint", path_str(&checkpoint)]);
    assert_eq!(run_ok(&resume), whole);
}

#[test]
fn a_killed_timeline_run_resumes_from_its_last_save_to_the_same_bytes() {
    if !hold_switch("a_killed_timeline_run_resumes_from_its_last_save_to_the_same_bytes") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.checkpoint");
    let w = scenario_file("whatif/dyn-wave1.toml");
    let args = ["run", path_str(&w), "--trials", "24", "--format", "json"];
    let whole = run_ok(&args);
    let mut child = held_run(&args, &checkpoint, 4);
    child.kill().unwrap(); // SIGKILL: no chance to save
    child.wait().unwrap();
    let mut resume = args.to_vec();
    resume.extend(["--checkpoint", path_str(&checkpoint)]);
    assert_eq!(run_ok(&resume), whole);
    // Resuming a finished checkpoint gives the result again, at no cost.
    assert_eq!(run_ok(&resume), whole);
}

#[test]
fn a_checkpoint_of_another_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let checkpoint = dir.path().join("run.checkpoint");
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    run_ok(&[
        "run",
        q,
        "--trials",
        "5000",
        "--checkpoint",
        path_str(&checkpoint),
    ]);
    let out = run(&[
        "run",
        q,
        "--trials",
        "6000",
        "--checkpoint",
        path_str(&checkpoint),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("this checkpoint is from another run (trials 5000 vs 6000)"),
        "{}",
        out.stderr
    );
    std::fs::write(&checkpoint, "{\"dnsim_checkpoint\": 1, \"done\": [").unwrap();
    let out = run(&[
        "run",
        q,
        "--trials",
        "5000",
        "--checkpoint",
        path_str(&checkpoint),
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a dnsim checkpoint"),
        "{}",
        out.stderr
    );
}

#[test]
fn shards_can_checkpoint_too() {
    let dir = tempfile::tempdir().unwrap();
    let q = scenario_file("quickstart.toml");
    let q = path_str(&q);
    let parts: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let part = dir.path().join(format!("p{k}.json"));
            let ck = dir.path().join(format!("p{k}.checkpoint"));
            let shard = format!("{k}/2");
            run_ok(&[
                "run",
                q,
                "--trials",
                "20000",
                "--shard",
                &shard,
                "--checkpoint",
                path_str(&ck),
                "-o",
                path_str(&part),
            ]);
            part
        })
        .collect();
    assert_eq!(
        merged(&parts, "json"),
        run_ok(&["run", q, "--trials", "20000", "--format", "json"])
    );
}

/// Part files are read as untrusted input: edited counts, a trial count that
/// would wrap, are refused with the file named, not merged into nonsense.
#[test]
fn merge_refuses_edited_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let q = scenario_file("quickstart.toml");
    let parts = shards(d, path_str(&q), &["--trials", "9000"], 2);
    let edit = |name: &str, f: &dyn Fn(&mut serde_json::Value)| -> PathBuf {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&parts[1]).unwrap()).unwrap();
        f(&mut v);
        let path = d.join(name);
        std::fs::write(&path, v.to_string()).unwrap();
        path
    };
    // Shard 2 of 2 holds blocks 1 (4,096 trials) of 0..=2 (9,000 trials).
    let inflated = edit("inflated.json", &|v| {
        v["counts"]["snapshot"]["any"][0] = 99_999.into();
    });
    refused(
        &[&parts[0], &inflated],
        "its counts cannot be a shard's of this run: a count exceeds its 4096 trials",
    );
    let wrapped = edit("wrapped.json", &|v| {
        v["counts"]["snapshot"]["trials"] = u64::MAX.into();
    });
    refused(
        &[&parts[0], &wrapped],
        "it counts 18446744073709551615 trials where 4096 were run",
    );
}

/// `dnsim report` reads a result file as untrusted input too.
#[test]
fn report_refuses_results_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let q = scenario_file("quickstart.toml");
    let json = d.join("r.json");
    run_ok(&[
        "run",
        path_str(&q),
        "--trials",
        "5000",
        "--format",
        "json",
        "-o",
        path_str(&json),
    ]);
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let html = d.join("r.html");
    for (edit, want) in [
        (
            ("dnsim", serde_json::json!("9.9.9")),
            "written by dnsim 9.9.9",
        ),
        (
            ("p_unreachable", serde_json::json!(-5.0)),
            "services.p_unreachable is -5.0, not a probability in [0, 1]",
        ),
        (
            ("p_unreachable", serde_json::json!(1e308)),
            "services.p_unreachable is 1e308, not a probability in [0, 1]",
        ),
        // Found by the fuzzing harness: parts of a report that disagree.
        (
            (
                "impact_distribution",
                serde_json::json!([[0.0, 4990], [1.0, 20]]),
            ),
            "an impact distribution of 5010 trials in a result of 5000",
        ),
        (
            ("regions", serde_json::json!({"americas": 0.1, "mars": 0.2})),
            "has figures for the regions [\"americas\", \"mars\"], and the report's regions are",
        ),
    ] {
        let mut v = original.clone();
        match edit.0 {
            "dnsim" => v["dnsim"] = edit.1,
            "regions" => v["services"][0]["regions"] = edit.1,
            "impact_distribution" => v["impact_distribution"] = edit.1,
            _ => v["services"][0]["p_unreachable"] = edit.1,
        }
        std::fs::write(&json, v.to_string()).unwrap();
        let out = run(&["report", path_str(&json), "--html", path_str(&html)]);
        assert_eq!(out.code, 2, "{want}: {}", out.stderr);
        assert!(out.stderr.contains(want), "want {want:?} in {}", out.stderr);
        assert!(!html.exists(), "no report written");
    }
}

/// A timeline result to edit: two trials of the Dyn wave-1 what-if.
fn wave1_result() -> serde_json::Value {
    let w = scenario_file("whatif/dyn-wave1.toml");
    let args = ["run", path_str(&w), "--trials", "2", "--format", "json"];
    serde_json::from_str(&run_ok(&args)).unwrap()
}

/// A timeline result whose series disagree (found by the fuzzing harness:
/// it made the table's chart index past a series' end).
#[test]
fn report_refuses_a_timeline_result_whose_series_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let mut v = wave1_result();
    let series = v["services"][0]["series"]["failed_share"]["us-east"]
        .as_array_mut()
        .unwrap();
    series.pop();
    std::fs::write(&json, v.to_string()).unwrap();
    let html = dir.path().join("r.html");
    let out = run(&["report", path_str(&json), "--html", path_str(&html)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("series of 287 and 288 steps in one report"),
        "{}",
        out.stderr
    );
}

/// A timeline result whose horizon or events a scenario cannot give (found
/// by the fuzzing harness: an event ending 4.8e24 seconds in overflowed the
/// tables' clock time).
#[test]
fn report_refuses_a_timeline_event_outside_its_horizon() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let original = wave1_result();
    for (key, value, want) in [
        (
            "end_seconds",
            4.8e24,
            "an event from 40200.0 to 4.8e24 seconds, not inside the horizon of 86400.0",
        ),
        (
            "start_seconds",
            -1.0,
            "an event from -1.0 to 48000.0 seconds, not inside the horizon of 86400.0",
        ),
        ("loss", 1.5, "an event's loss of 1.5, not in [0, 1]"),
        ("horizon_seconds", 1e300, "a horizon of 1e300 seconds"),
        ("horizon_seconds", 0.0, "a horizon of 0.0 seconds"),
    ] {
        let mut v = original.clone();
        if key == "horizon_seconds" {
            v[key] = serde_json::json!(value);
        } else {
            v["events"][0][key] = serde_json::json!(value);
        }
        std::fs::write(&json, v.to_string()).unwrap();
        let out = run(&["report", path_str(&json)]);
        assert_eq!(out.code, 2, "{want}: {}", out.stderr);
        assert!(out.stderr.contains(want), "want {want:?} in {}", out.stderr);
    }
}

/// A checkpoint is read back as untrusted input: counts that its finished
/// blocks cannot have produced, or a block the run does not have, are
/// refused instead of resumed.
#[test]
fn a_tampered_checkpoint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let q = scenario_file("quickstart.toml");
    let ck = dir.path().join("ck.json");
    let args = [
        "run",
        path_str(&q),
        "--trials",
        "9000",
        "--format",
        "json",
        "--checkpoint",
        path_str(&ck),
    ];
    run_ok(&args);
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&ck).unwrap()).unwrap();
    for (edit, want) in [
        (
            ("any", serde_json::json!([999_999, 0, 0])),
            "this checkpoint's counts cannot be its finished blocks': a count exceeds its 9000 trials",
        ),
        (
            ("done", serde_json::json!([[0, 2], [7, 8]])),
            "block 7 is not one of this run's",
        ),
        (
            ("done", serde_json::json!([[1, 2], [0, 1]])),
            "its finished blocks are not ranges in order",
        ),
        (
            ("done", serde_json::json!([0, 1, 2])),
            "not a dnsim checkpoint (or a damaged one)",
        ),
    ] {
        let mut v = original.clone();
        match edit.0 {
            "done" => v["done"] = edit.1,
            _ => v["counts"]["snapshot"]["any"] = edit.1,
        }
        std::fs::write(&ck, v.to_string()).unwrap();
        let out = run(&args);
        assert_eq!(out.code, 2, "{want}: {}", out.stderr);
        assert!(out.stderr.contains(want), "want {want:?} in {}", out.stderr);
    }
}

/// A shard's share of the progress bar is counted, not summed block by
/// block: it must equal the block-by-block sum, and the shares of 1 to 7
/// shards add up to the run's trials.
#[test]
fn each_shards_trials_are_its_blocks_trials() {
    use dnsim::run::{Job, Prepared, RunOptions};
    use dnsim::scenario::{ModelKind, load};
    use dnsim::shard::Shard;
    let scenario = load(&scenario_file("quickstart.toml")).unwrap();
    for trials in [1, 4095, 4096, 4097, 100_000] {
        let job = Job {
            model: ModelKind::Snapshot,
            options: RunOptions {
                trials: Some(trials),
                ..RunOptions::default()
            },
            series_step: None,
        };
        let prepared = Prepared::new(&scenario, job).unwrap();
        assert_eq!(prepared.trials_owned(None), trials);
        for count in 1..=7 {
            let mut sum = 0;
            for index in 1..=count {
                let shard = Shard { index, count };
                let by_block: u64 = (0..prepared.blocks())
                    .filter(|&b| shard.owns(b))
                    .map(|b| prepared.trials_in(b))
                    .sum();
                assert_eq!(
                    prepared.trials_owned(Some(shard)),
                    by_block,
                    "{trials} trials, {index}/{count}"
                );
                sum += by_block;
            }
            assert_eq!(sum, trials);
        }
    }
}

/// A result edited by a JSON tool may hold a service's regions in another
/// order (an object's keys have none): read back, each value stays with
/// its region.
#[test]
fn a_result_with_regions_in_another_order_reads_back_region_by_region() {
    use dnsim::results::Report;
    let q = scenario_file("quickstart.toml");
    let text = run_ok(&["run", path_str(&q), "--trials", "5000", "--format", "json"]);
    let original = match Report::from_json(&text, std::path::Path::new("r.json")).unwrap() {
        Report::Snapshot(r) => r,
        Report::Timeline(_) => unreachable!(),
    };
    // serde_json's map sorts the keys: americas, asia, europe.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sorted = match Report::from_json(&v.to_string(), std::path::Path::new("r.json")).unwrap() {
        Report::Snapshot(r) => r,
        Report::Timeline(_) => unreachable!(),
    };
    for (a, b) in original.services.iter().zip(&sorted.services) {
        assert_eq!(a.regions.names(), b.regions.names());
        assert_eq!(a.regions.values(), b.regions.values(), "{}", a.id);
    }
}

/// On a terminal, a shard without -o is refused rather than scrolling its
/// JSON past; piped, it is written (`script` gives the command a terminal).
#[test]
fn a_shard_on_a_terminal_asks_for_a_file() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        crate::support::skipped("script (util-linux) is not installed: no terminal to test with");
        return;
    }
    let exe = assert_cmd::cargo::cargo_bin("dnsim");
    let q = crate::support::scenario_file("quickstart.toml");
    let command = format!("{} run {} --shard 1/2", exe.display(), q.display());
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("--shard: a shard writes a partial result")
    );
    let piped = crate::support::run(&[
        "run",
        crate::support::path_str(&q),
        "--shard",
        "1/2",
        "--trials",
        "1000",
    ]);
    assert_eq!(piped.code, 0, "{}", piped.stderr);
}

/// `--set` and `--event` edit the plan a run sees: merge applies them too,
/// and refuses shards that ran with other edits.
#[test]
fn shards_run_with_set_or_event_flags_merge_to_the_single_run() {
    let q = scenario_file("quickstart.toml");
    let set = ["--trials", "9000", "--set", "provider.ns1.p_outage=0.2"];
    check_one_split(path_str(&q), &set, 2);
    let w = scenario_file("whatif/dyn-wave1.toml");
    let event = ["--trials", "4", "--event", "dyn@us-east=11:10-13:20:0.5"];
    check_one_split(path_str(&w), &event, 2);
    let dir = tempfile::tempdir().unwrap();
    let mut parts = shards(dir.path(), path_str(&q), &set, 2);
    let other = tempfile::tempdir().unwrap();
    parts[1] = shards(other.path(), path_str(&q), &["--trials", "9000"], 2).remove(1);
    let out = run(&["merge", path_str(&parts[0]), path_str(&parts[1])]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("different --set or --event flags"),
        "{}",
        out.stderr
    );
}

fn check_one_split(scenario: &str, extra: &[&str], n: u64) {
    let mut single = vec!["run", scenario, "--format", "json"];
    single.extend_from_slice(extra);
    let whole = run_ok(&single);
    let dir = tempfile::tempdir().unwrap();
    let parts = shards(dir.path(), scenario, extra, n);
    assert_eq!(
        merged(&parts, "json"),
        whole,
        "{n} shards of {scenario} {extra:?}"
    );
}
