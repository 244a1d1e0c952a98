//! Golden files: every output of every subcommand, on the bundled scenarios
//! and fixtures, compared byte for byte with `tests/golden/`.
//!
//! A refactor must leave them alone; a change that means to alter an output
//! regenerates them with `DNSIM_BLESS=1 cargo test golden`, and the diff of
//! `tests/golden/` in the commit shows exactly what changed. Outputs larger
//! than [`INLINE_LIMIT`] (the Dyn replay's JSON with its series) are pinned
//! by their SHA-256 and length instead of their text, which keeps the
//! repository small and still catches any changed byte.
//!
//! Commands run from the repository root with relative paths, so that no
//! output depends on where the checkout lives.

use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::support::*;

/// Outputs up to this size are stored as text; larger ones as a hash.
const INLINE_LIMIT: usize = 256 * 1024;

fn golden_dir() -> PathBuf {
    root().join("tests/golden")
}

fn bless() -> bool {
    std::env::var_os("DNSIM_BLESS").is_some_and(|v| v == "1")
}

/// Compares `actual` with the golden file `name` (or its `.sha256` stand-in),
/// or writes it when blessing. Returns a description of the mismatch.
fn check(name: &str, actual: &[u8]) -> Option<String> {
    let dir = golden_dir();
    let text = dir.join(name);
    let hashed = dir.join(format!("{name}.sha256"));
    let hex: String = Sha256::digest(actual)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let digest = format!("{hex} {}\n", actual.len());
    if bless() {
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(&text);
        let _ = std::fs::remove_file(&hashed);
        if actual.len() > INLINE_LIMIT {
            std::fs::write(&hashed, &digest).unwrap();
        } else {
            std::fs::write(&text, actual).unwrap();
        }
        return None;
    }
    if let Ok(expected) = std::fs::read(&text) {
        return (expected != actual).then(|| {
            let line = expected
                .split(|&b| b == b'\n')
                .zip(actual.split(|&b| b == b'\n'))
                .position(|(a, b)| a != b)
                .map_or("a missing or extra line".to_string(), |i| {
                    format!("line {}", i + 1)
                });
            format!("{name}: differs from tests/golden/{name} at {line}")
        });
    }
    match std::fs::read_to_string(&hashed) {
        Ok(expected) => (expected != digest).then(|| {
            format!("{name}: hash and length {digest:?} differ from tests/golden/{name}.sha256")
        }),
        Err(_) => Some(format!(
            "{name}: no golden file (DNSIM_BLESS=1 cargo test golden writes it)"
        )),
    }
}

/// One command and the golden files of what it prints and writes.
struct Case {
    name: String,
    args: Vec<String>,
    /// Files the command writes (relative to its working directory), pinned
    /// as `NAME.SUFFIX`, with the suffix given here.
    files: Vec<(String, String)>,
    /// Runs in a fresh temporary directory instead of the repository root
    /// (for commands that write beside their output, like `generate`).
    in_temp: bool,
}

impl Case {
    fn new(name: impl Into<String>, args: &[&str]) -> Case {
        Case {
            name: name.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            files: Vec::new(),
            in_temp: false,
        }
    }

    /// Adds `--html FILE` and pins the file.
    fn with_html(mut self) -> Case {
        let file = format!("{}.html", self.name);
        self.args.push("--html".into());
        self.args.push(file.clone());
        self.files.push((file, "html".into()));
        self
    }
}

/// Runs every case and reports every mismatch at once.
fn verify(cases: Vec<Case>) {
    let mut problems = Vec::new();
    for case in cases {
        let temp = tempfile::tempdir().unwrap();
        let cwd: PathBuf = if case.in_temp {
            temp.path().to_path_buf()
        } else {
            root()
        };
        // Written files go to the temporary directory even when the
        // command runs from the root.
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| match case.files.iter().find(|(f, _)| f == a) {
                Some(_) if !case.in_temp => path_str(&temp.path().join(a)).to_string(),
                _ => a.clone(),
            })
            .collect();
        let out = dnsim()
            .current_dir(&cwd)
            .args(&args)
            .output()
            .expect("run dnsim");
        let code = out.status.code().unwrap_or(-1);
        let mut status = format!("exit {code}\n").into_bytes();
        status.extend_from_slice(&out.stderr);
        problems.extend(check(&format!("{}.stdout", case.name), &out.stdout));
        problems.extend(check(&format!("{}.stderr", case.name), &status));
        for (file, suffix) in &case.files {
            let written = std::fs::read(temp.path().join(file)).unwrap_or_default();
            problems.extend(check(&format!("{}.{suffix}", case.name), &written));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

const SNAPSHOT_FORMATS: [&str; 4] = ["table", "json", "csv", "markdown"];
const TIMELINE_FORMATS: [&str; 5] = ["table", "json", "csv", "markdown", "series-csv"];

/// `run` in every format, with the HTML report beside the table.
fn run_cases(name: &str, scenario: &str, extra: &[&str], formats: &[&str]) -> Vec<Case> {
    formats
        .iter()
        .map(|format| {
            let mut args = vec!["run", scenario, "--format", format];
            args.extend_from_slice(extra);
            let case = Case::new(format!("run-{name}-{format}"), &args);
            if *format == "table" {
                case.with_html()
            } else {
                case
            }
        })
        .collect()
}

#[test]
fn golden_run_snapshot() {
    let mut cases = Vec::new();
    for (name, scenario) in [
        ("quickstart", "scenarios/quickstart.toml"),
        (
            "quickstart-pay-second-provider",
            "scenarios/quickstart-pay-second-provider.toml",
        ),
        ("dyn-2016-snapshot", "scenarios/dyn-2016.toml"),
    ] {
        let extra = ["--model", "snapshot", "--trials", "20000", "--seed", "7"];
        cases.extend(run_cases(name, scenario, &extra, &SNAPSHOT_FORMATS));
    }
    // Importance sampling, chosen automatically, and forced failures.
    cases.extend(run_cases(
        "rare-outages",
        "scenarios/rare-outages.toml",
        &["--trials", "20000"],
        &SNAPSHOT_FORMATS,
    ));
    for (name, fail) in [("fail-only", "route53"), ("fail-unknown", "dyn")] {
        cases.push(Case::new(
            format!("run-quickstart-{name}"),
            &[
                "run",
                "scenarios/quickstart.toml",
                "--fail",
                fail,
                "--fail-only",
                "--format",
                "json",
            ],
        ));
    }
    verify(cases);
}

#[test]
fn golden_run_timeline() {
    let mut cases = Vec::new();
    for (name, scenario, trials) in [
        ("dyn-2016", "scenarios/dyn-2016.toml", "3"),
        ("dyn-wave1", "scenarios/whatif/dyn-wave1.toml", "3"),
        (
            "dyn-wave1-serve-stale",
            "scenarios/whatif/dyn-wave1-serve-stale.toml",
            "3",
        ),
        ("quickstart-timeline", "scenarios/quickstart.toml", "2"),
    ] {
        let extra = ["--model", "timeline", "--trials", trials];
        cases.extend(run_cases(name, scenario, &extra, &TIMELINE_FORMATS));
    }
    cases.push(Case::new(
        "run-dyn-wave1-fail",
        &[
            "run",
            "scenarios/whatif/dyn-wave1.toml",
            "--trials",
            "2",
            "--fail",
            "dyn@us-east",
            "--series",
            "2h",
            "--format",
            "json",
        ],
    ));
    verify(cases);
}

#[test]
fn golden_check_analyze_compare_export() {
    let mut cases = Vec::new();
    for (name, scenario) in [
        ("quickstart", "scenarios/quickstart.toml"),
        (
            "quickstart-pay-second-provider",
            "scenarios/quickstart-pay-second-provider.toml",
        ),
        ("rare-outages", "scenarios/rare-outages.toml"),
        ("dyn-2016", "scenarios/dyn-2016.toml"),
        ("dyn-wave1", "scenarios/whatif/dyn-wave1.toml"),
        (
            "dyn-wave1-serve-stale",
            "scenarios/whatif/dyn-wave1-serve-stale.toml",
        ),
    ] {
        for format in ["table", "json"] {
            cases.push(Case::new(
                format!("check-{name}-{format}"),
                &["check", scenario, "--format", format],
            ));
        }
    }
    cases.push(Case::new(
        "check-bad-json",
        &[
            "check",
            "tests/fixtures/bad/unknown-provider.toml",
            "--format",
            "json",
        ],
    ));
    for (name, scenario) in [
        ("quickstart", "scenarios/quickstart.toml"),
        ("rare-outages", "scenarios/rare-outages.toml"),
        ("dyn-2016", "scenarios/dyn-2016.toml"),
    ] {
        cases.push(Case::new(format!("analyze-{name}-table"), &["analyze", scenario]).with_html());
        cases.push(Case::new(
            format!("analyze-{name}-json"),
            &["analyze", scenario, "--format", "json"],
        ));
    }
    cases.push(Case::new(
        "analyze-quickstart-fallback",
        &[
            "analyze",
            "scenarios/quickstart.toml",
            "--max-bdd-nodes",
            "3",
            "--trials",
            "20000",
            "--format",
            "json",
        ],
    ));
    let pair = [
        "compare",
        "scenarios/quickstart.toml",
        "scenarios/quickstart-pay-second-provider.toml",
        "--trials",
        "20000",
    ];
    cases.push(Case::new("compare-quickstart-table", &pair).with_html());
    let mut json = pair.to_vec();
    json.extend_from_slice(&["--format", "json"]);
    cases.push(Case::new("compare-quickstart-json", &json));
    for (name, scenario) in [
        ("quickstart", "scenarios/quickstart.toml"),
        ("dyn-2016", "scenarios/dyn-2016.toml"),
    ] {
        cases.push(Case::new(
            format!("export-{name}"),
            &["export", scenario, "--format", "open-psa"],
        ));
    }
    verify(cases);
}

#[test]
fn golden_import_generate() {
    let f = "tests/fixtures/import";
    let mut cases = vec![
        Case::new(
            "import-ns-list-txt",
            &["import", "ns-list", &format!("{f}/ns-list.txt")],
        ),
        Case::new(
            "import-ns-list-csv",
            &["import", "ns-list", &format!("{f}/ns-list.csv")],
        ),
        Case::new(
            "import-zone",
            &[
                "import",
                "zone",
                &format!("{f}/example.com.zone"),
                "--origin",
                "example.com",
            ],
        ),
        Case::new(
            "import-zone-include",
            &[
                "import",
                "zone",
                &format!("{f}/include/main.zone"),
                "--origin",
                "example.com",
            ],
        ),
        Case::new(
            "import-octodns",
            &["import", "octodns", &format!("{f}/octodns/octodns.yaml")],
        ),
        Case::new(
            "import-dnscontrol",
            &["import", "dnscontrol", &format!("{f}/dnscontrol-ir.json")],
        ),
    ];
    let mut generate = Case::new(
        "generate",
        &[
            "generate",
            "--services",
            "300",
            "--seed",
            "3",
            "--output",
            "plan.toml",
            "--quiet",
        ],
    );
    generate.in_temp = true;
    generate.files = vec![
        ("plan.toml".into(), "toml".into()),
        ("plan-services.csv".into(), "csv".into()),
    ];
    cases.push(generate);
    verify(cases);
}

#[test]
fn golden_report_from_saved_json() {
    // `dnsim report` reads what `run --format json` wrote.
    let dir = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (name, scenario, extra) in [
        (
            "quickstart",
            "scenarios/quickstart.toml",
            vec!["--trials", "20000"],
        ),
        (
            "dyn-wave1",
            "scenarios/whatif/dyn-wave1.toml",
            vec!["--trials", "2"],
        ),
    ] {
        let json = dir.path().join(format!("{name}.json"));
        let html = dir.path().join(format!("{name}.html"));
        let mut args = vec!["run", scenario, "--format", "json", "-o", path_str(&json)];
        args.extend_from_slice(&extra);
        let out = dnsim().current_dir(root()).args(&args).output().unwrap();
        assert!(out.status.success());
        let out = dnsim()
            .current_dir(root())
            .args(["report", path_str(&json), "--html", path_str(&html)])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        problems.extend(check(
            &format!("report-{name}.html"),
            &std::fs::read(&html).unwrap(),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
