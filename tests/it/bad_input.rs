//! Every class of bad input: exit code 2, a message that names the file,
//! line, column and key, and no panic.
//!
//! Each fixture in `tests/fixtures/bad/` states what it expects in its first
//! lines: `# error: <text the message contains>` and, where the error has a
//! position in the TOML file, `# at: LINE:COLUMN`.

use crate::support::*;

fn expectations(text: &str) -> (String, Option<String>) {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::to_string)
    };
    (
        field("# error: ").expect("fixture states its error"),
        field("# at: "),
    )
}

#[test]
fn every_bad_fixture_fails_with_its_message_and_exit_code_2() {
    let dir = root().join("tests/fixtures/bad");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 25, "only {} fixtures", fixtures.len());
    for path in &fixtures {
        let (error, at) = expectations(&std::fs::read_to_string(path).unwrap());
        for cmd in ["check", "run"] {
            let args = if cmd == "run" {
                vec![cmd, path_str(path), "--quiet"]
            } else {
                vec![cmd, path_str(path)]
            };
            let out = run(&args);
            let name = path.file_name().unwrap().to_str().unwrap();
            assert_eq!(
                out.code, 2,
                "{name} ({cmd}): exit code; stderr: {}",
                out.stderr
            );
            assert!(
                out.stderr.contains(&error),
                "{name} ({cmd}): want {error:?} in {:?}",
                out.stderr
            );
            assert!(!out.stderr.contains("panicked"), "{name}: panicked");
            assert!(
                out.stdout.is_empty(),
                "{name} ({cmd}): wrote to stdout: {}",
                out.stdout
            );
            if let Some(at) = &at {
                let located = format!("{name}:{at}: ");
                assert!(
                    out.stderr.contains(&located),
                    "{name}: want {located:?} in {:?}",
                    out.stderr
                );
            }
        }
    }
}

#[test]
fn check_json_reports_the_error_with_its_location() {
    let path = fixture("bad/unknown-provider.toml");
    let out = run(&["check", path_str(&path), "--format", "json"]);
    assert_eq!(out.code, 2);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["line"], 9);
    assert_eq!(v["error"]["column"], 8);
    assert_eq!(v["error"]["key"], "service.dns");
    assert_eq!(
        v["error"]["message"],
        "unknown provider \"dyn2\" (did you mean \"dyn\"?)"
    );
}

const PLAN: &str = "[[region]]\nid = \"us-east\"\n\n[[provider]]\nid = \"dyn\"\np_outage = 0.1\n\n[[service]]\nid = \"a.com\"\ndns = [\"dyn\"]\n";

fn bad_flag(args: &[&str], want: &str) {
    let (_dir, path) = temp_scenario(PLAN);
    let mut all = vec!["run", path_str(&path)];
    all.extend_from_slice(args);
    let out = run(&all);
    assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
    assert!(
        out.stderr.contains(want),
        "{args:?}: want {want:?} in {:?}",
        out.stderr
    );
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn zero_threads_is_refused() {
    bad_flag(&["--threads", "0"], "--threads");
}

#[test]
fn zero_trials_is_refused() {
    bad_flag(&["--trials", "0"], "--trials");
}

#[test]
fn unknown_fail_id_suggests_the_provider() {
    bad_flag(
        &["--fail", "dyn2"],
        "--fail: unknown provider or common cause \"dyn2\" (did you mean \"dyn\"?)",
    );
}

#[test]
fn fail_naming_a_service_says_so() {
    bad_flag(&["--fail", "a.com"], "\"a.com\" is a service");
}

#[test]
fn unknown_fail_region_suggests_the_region() {
    bad_flag(
        &["--fail", "dyn@us-eats"],
        "--fail: unknown region \"us-eats\" (did you mean \"us-east\"?)",
    );
}

#[test]
fn malformed_fail_is_refused() {
    bad_flag(&["--fail", "dyn@"], "--fail: expected ID or ID@REGION");
}

#[test]
fn unknown_format_is_refused() {
    bad_flag(&["--format", "xml"], "--format");
}

#[test]
fn output_into_a_missing_directory_is_refused() {
    bad_flag(
        &["--output", "/nonexistent-dir/x.json"],
        "--output: directory \"/nonexistent-dir\" does not exist",
    );
}

#[test]
fn missing_scenario_file() {
    let out = run(&["run", "/no/such/plan.toml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("/no/such/plan.toml: cannot read scenario: no such file"),
        "{}",
        out.stderr
    );
}

#[test]
fn deeply_nested_arrays_are_refused_without_overflowing_the_stack() {
    let text = format!("x = {}{}\n{PLAN}", "[".repeat(100_000), "]".repeat(100_000));
    let (_dir, path) = temp_scenario(&text);
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("nest deeper than 64 levels"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_failed_run_leaves_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("result.json");
    let bad = fixture("bad/unknown-provider.toml");
    let out = run(&["run", path_str(&bad), "--output", path_str(&out_path)]);
    assert_eq!(out.code, 2);
    assert!(!out_path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file left behind"
    );
}

/// A small valid plan in a fresh directory.
fn small_plan() -> (tempfile::TempDir, std::path::PathBuf) {
    temp_scenario(
        "[simulation]\ntrials = 10\n[[provider]]\nid = \"dyn\"\np_outage = 0.01\n[[service]]\nid = \"a\"\ndns = [\"dyn\"]\n",
    )
}

#[test]
fn an_output_that_is_an_input_is_refused_and_the_input_kept() {
    let (_dir, plan) = small_plan();
    let before = std::fs::read(&plan).unwrap();
    let p = path_str(&plan);
    let out = run(&["run", p, "-o", p]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("is an input of this command"),
        "{}",
        out.stderr
    );
    assert_eq!(
        std::fs::read(&plan).unwrap(),
        before,
        "the scenario survives"
    );
    // The same for an import's own input, and for --html.
    let list = plan.with_file_name("list.txt");
    std::fs::write(&list, "example.com ns1.example.net\n").unwrap();
    let l = path_str(&list);
    let out = run(&["import", "ns-list", l, "-o", l]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is an input"), "{}", out.stderr);
    let out = run(&["run", p, "--html", p]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(std::fs::read(&plan).unwrap(), before);
}

#[test]
fn outputs_to_directories_and_devices_are_refused() {
    let (dir, plan) = small_plan();
    let p = path_str(&plan);
    let d = path_str(dir.path());
    let out = run(&["run", p, "-o", d]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
    let out = run(&["run", p, "-o", "/dev/null"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    use std::os::unix::fs::FileTypeExt;
    let null = std::fs::metadata("/dev/null").unwrap().file_type();
    assert!(null.is_char_device(), "/dev/null is left a device");
}

/// `-o LINK` replaces the file the link points to, and the link stays.
#[test]
fn an_output_through_a_symlink_keeps_the_link() {
    let (dir, plan) = small_plan();
    let real = dir.path().join("real.json");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = run(&[
        "run",
        path_str(&plan),
        "--format",
        "json",
        "-o",
        path_str(&link),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(&real).unwrap();
    assert!(written.starts_with('{'), "{written}");
    // A link to nothing is refused, and stays as it was.
    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(dir.path().join("nowhere/x"), &dangling).unwrap();
    let out = run(&["run", path_str(&plan), "-o", path_str(&dangling)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("symbolic link to nothing"),
        "{}",
        out.stderr
    );
}

#[test]
fn special_files_are_refused_as_scenarios_and_includes() {
    let (dir, plan) = small_plan();
    // An include of /dev/zero would read until memory ran out.
    std::fs::write(
        &plan,
        "[[provider]]\nid = \"dyn\"\n[[include]]\nservices = \"/dev/zero\"\n",
    )
    .unwrap();
    let out = run(&["check", path_str(&plan)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("cannot read included file \"/dev/zero\": not a regular file"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(":4:12: include.services"),
        "{}",
        out.stderr
    );
    // A FIFO as the scenario would block forever.
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = run(&["check", path_str(&fifo)]);
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("not a regular file"), "{}", out.stderr);
    }
    // A directory.
    let out = run(&["check", path_str(dir.path())]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("it is a directory"), "{}", out.stderr);
}

#[test]
fn invalid_utf8_is_located() {
    let (_dir, plan) = small_plan();
    let mut bytes = b"[simulation]\ntrials = 10\n# caf".to_vec();
    bytes.extend_from_slice(&[0xe9, b'\n']);
    std::fs::write(&plan, bytes).unwrap();
    let out = run(&["check", path_str(&plan)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("not valid UTF-8 (line 3, byte offset 30)"),
        "{}",
        out.stderr
    );
    // In a CSV include, read as a stream: still said first, before a bad
    // row that comes earlier in the file, and located.
    let dir = plan.parent().unwrap();
    let mut csv = b"id,dns\nb,nope\nc,dyn\nd,caf".to_vec();
    csv.extend_from_slice(&[0xe9, b'\n']);
    std::fs::write(dir.join("more.csv"), csv).unwrap();
    std::fs::write(
        &plan,
        "[[provider]]\nid = \"dyn\"\n[[include]]\nservices = \"more.csv\"\n",
    )
    .unwrap();
    let out = run(&["check", path_str(&plan)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("cannot read included file")
            && out
                .stderr
                .contains("not valid UTF-8 (line 4, byte offset 25)"),
        "{}",
        out.stderr
    );
}

/// Valid but extreme values that would make the timeline allocate more than
/// the machine has are refused before any work, with the key to change.
#[test]
fn timeline_values_too_large_to_run_are_refused() {
    let plan = |provider: &str, horizon: &str| {
        format!(
            "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"{horizon}\"\n[[provider]]\nid = \"dyn\"\n{provider}\n[[provider]]\nid = \"unused\"\noutages_per_year = 1e9\n[[service]]\nid = \"a\"\ndns = [\"dyn\"]\n"
        )
    };
    for (provider, horizon) in [
        ("", "365d"),
        ("outages_per_year = 4294967295", "1d"),
        ("outages_per_year = 1e308", "1d"),
    ] {
        let (_dir, path) = temp_scenario(&plan(provider, horizon));
        let out = run(&["run", path_str(&path)]);
        assert_eq!(out.code, 2, "{provider}: {}", out.stderr);
        assert!(
            out.stderr.contains("outages_per_year")
                && out.stderr.contains("outages per trial")
                && out.stderr.contains("lower the rate or the horizon"),
            "{provider}: {}",
            out.stderr
        );
    }
    // A horizon so long that even a modest rate draws too much.
    let text = "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"100000000y\"\n[[provider]]\nid = \"dyn\"\noutages_per_year = 1\n[[service]]\nid = \"a\"\ndns = [\"dyn\"]\n";
    let (_dir, path) = temp_scenario(text);
    let out = run(&["run", path_str(&path)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("provider.outages_per_year (\"dyn\")"),
        "{}",
        out.stderr
    );
    // A series of one-second steps over 100,000 years.
    let text = "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"100000y\"\n[[provider]]\nid = \"dyn\"\n[[service]]\nid = \"a\"\ndns = [\"dyn\"]\n";
    let (_dir, path) = temp_scenario(text);
    let out = run(&["run", path_str(&path), "--series", "1s"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("--series: a series of") && out.stderr.contains("choose a longer step"),
        "{}",
        out.stderr
    );
}

/// Every bad entry of a file is reported in one run, in file order (it
/// stopped at the first); `check --format json` lists them too.
#[test]
fn all_the_bad_entries_of_a_file_are_reported_at_once() {
    let (_dir, path) = crate::support::temp_scenario(
        "[[provider]]\nid = \"a\"\np_outage = 2\n[[provider]]\nid = \"b\"\np_outage = -1\n\
         [[service]]\nid = \"s\"\ndns = [\"zz\"]\n[[service]]\nid = \"t\"\ndns = []\n",
    );
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stderr);
    for (line, at) in lines.iter().zip([":3:", ":6:", ":9:", ":12:"]) {
        assert!(line.starts_with("error: ") && line.contains(at), "{line}");
    }
    let json = run(&["check", path_str(&path), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        v["error"]["more"].as_array().map(Vec::len),
        Some(3),
        "{}",
        json.stdout
    );
    // An error that others hang on (an unknown region) still stops at once.
    let (_dir2, one) = crate::support::temp_scenario(
        "[[region]]\nid = \"eu\"\nweight = -1\n[[provider]]\nid = \"a\"\np_outage = 2\n",
    );
    let out = run(&["check", path_str(&one)]);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
}

/// A CSV include's headers and cells are trimmed of surrounding whitespace,
/// Unicode's included (a no-break space from a spreadsheet): the plan is
/// the one a clean file gives; a cell that is still wrong is named at its
/// line and column.
#[test]
fn csv_cells_and_headers_are_trimmed_of_any_whitespace() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "[[provider]]\nid = \"p\"\np_outage = 0.01\n[[provider]]\nid = \"q\"\np_outage = 0.02\n[[include]]\nservices = \"s.csv\"\n";
    let load = |csv: &str| load_with_csv(dir.path(), scenario, csv);
    let clean =
        load("id,dns,weight,requires\na.example,p;q,2,\nb.example,q,1,a.example\n").unwrap();
    let padded = load(
        " id ,\tdns , weight\u{a0},requires\n  a.example , p ; q ,\t2 ,\n\u{a0}b.example\u{a0}, q\u{a0}, 1 , a.example \n",
    )
    .unwrap();
    assert_eq!(padded.services, clean.services);
    let err = load("id,dns\nb.example , zz\u{a0}\n").unwrap_err();
    assert!(
        err.contains("s.csv:2:2: dns: unknown provider \"zz\""),
        "{err}"
    );
}

/// What a CSV include's rows name is resolved after every row is read (the
/// rows keep their `requires` cell as text until then): each error still
/// names the file, line and column, and the key.
#[test]
fn csv_requirements_are_located_at_their_cell() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "[[provider]]\nid = \"p\"\np_outage = 0.01\n[[include]]\nservices = \"s.csv\"\n";
    let load = |csv: &str| load_with_csv(dir.path(), scenario, csv).unwrap_err();
    for (csv, want) in [
        (
            "id,dns,requires\na,p,\nb,p,a;zzz\n",
            "s.csv:3:3: service.requires: unknown service \"zzz\"",
        ),
        (
            "weight,id,dns,requires\n1,a,p,\n1,b,p,\n1,a,p,\n",
            "s.csv:4:2: service.id: duplicate service id \"a\" (first defined at ",
        ),
        (
            "id,dns,requires\na,p,b\nb,p,\n c ,p, x ; c\nx,p,\n",
            "s.csv:4:3: service.requires: requirement cycle: c → c",
        ),
        (
            "id,requires,dns\na,b,p\nb,a,p\n",
            "s.csv:2:2: service.requires: requirement cycle: a → b → a",
        ),
    ] {
        let err = load(csv);
        assert!(err.contains(want), "{csv:?}: {err}");
    }
}

/// Loads `scenario` (written in `dir`) with `csv` as its include `s.csv`.
fn load_with_csv(
    dir: &std::path::Path,
    scenario: &str,
    csv: &str,
) -> Result<dnsim::scenario::Scenario, String> {
    std::fs::write(dir.join("s.csv"), csv).unwrap();
    let path = dir.join("t.toml");
    std::fs::write(&path, scenario).unwrap();
    dnsim::scenario::load(&path).map_err(|e| e.to_string())
}
