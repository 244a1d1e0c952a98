//! The scenario file's reference: `docs/scenario.md` and
//! `docs/scenario.schema.json` are what dnsim generates from its key list
//! (`DNSIM_BLESS=1 cargo test --test it reference` rewrites them); the
//! schema accepts every bundled scenario and rejects the bad-input fixtures
//! a schema can express; `dnsim init`, `explain` and `schema` work.

use std::path::{Path, PathBuf};

use crate::support::{fixture, path_str, root, run};

fn bless() -> bool {
    std::env::var_os("DNSIM_BLESS").is_some_and(|v| v == "1")
}

/// `path` holds `text`, or is rewritten to when blessing.
fn generated(path: &Path, text: &str) {
    if bless() {
        std::fs::write(path, text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == text,
        "{} is not what dnsim generates (DNSIM_BLESS=1 cargo test --test it reference rewrites it)",
        path.display()
    );
}

#[test]
fn docs_scenario_md_is_generated_from_the_key_list() {
    generated(
        &root().join("docs/scenario.md"),
        &dnsim::reference::markdown(),
    );
}

#[test]
fn the_committed_schema_is_what_dnsim_schema_prints() {
    let out = run(&["schema"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    generated(&root().join("docs/scenario.schema.json"), &out.stdout);
}

fn tomls(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tomls(&path, into);
        } else if path.extension().is_some_and(|e| e == "toml") {
            into.push(path);
        }
    }
}

fn as_json(path: &Path) -> Option<serde_json::Value> {
    toml::from_str(&std::fs::read_to_string(path).ok()?).ok()
}

/// The bad-input fixtures (tests/fixtures/bad) that need more than a schema
/// can say: ids that exist and are unique, cycles, the horizon, weights
/// that add up to nothing, files, limits between keys.
const BEYOND_A_SCHEMA: &[&str] = &[
    "common-cause-unknown-provider",
    "csv-bad-weight",
    "csv-duplicate-id",
    "csv-missing-column",
    "csv-ragged-row",
    "csv-unclosed-quote",
    "csv-unknown-column",
    "csv-unknown-provider",
    "duplicate-across-kinds",
    "parent-common-cause",
    "parent-cycle",
    "parent-self",
    "parent-unknown",
    "duplicate-region",
    "duplicate-service",
    "event-bad-clock",
    "event-ends-before-start",
    "event-instant-without-start",
    "event-outside-horizon",
    "event-two-targets",
    "event-unknown-provider",
    "event-unknown-region",
    "lognormal-p95-below-median",
    "missing-include",
    "no-services",
    "provider-as-requirement",
    "region-weights-zero",
    "requirement-cycle",
    "resolvers-failure-ttl-above-rfc",
    "resolvers-max-queries-below-attempts",
    "self-requirement",
    "self-requirement-any",
    "standby-unknown-provider",
    "unknown-provider",
    "unknown-region",
    "unknown-service",
    // A start that is not RFC 3339 (a schema string cannot say that), and a
    // TTL in milliseconds that are not whole seconds ("90000ms" is fine).
    "bad-simulation-start",
    "fractional-ttl",
];

#[test]
fn the_schema_accepts_every_bundled_scenario_and_rejects_the_bad_fixtures_it_can() {
    let schema = dnsim::reference::schema();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut good = Vec::new();
    tomls(&root().join("scenarios"), &mut good);
    tomls(&root().join("testbed/experiments"), &mut good);
    assert!(good.len() > 20);
    for path in &good {
        let doc = as_json(path).unwrap_or_else(|| panic!("{} is TOML", path.display()));
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
    let mut bad = Vec::new();
    tomls(&fixture("bad"), &mut bad);
    let mut passed = Vec::new();
    for path in &bad {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        // A file that is not TOML is refused before any schema applies.
        let Some(doc) = as_json(path) else { continue };
        if validator.is_valid(&doc) {
            passed.push(stem);
        }
    }
    passed.sort();
    let mut expected: Vec<String> = BEYOND_A_SCHEMA.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        passed, expected,
        "bad fixtures the schema accepts (all others it must reject)"
    );
}

#[test]
fn init_writes_a_plan_that_checks_and_runs_in_both_models() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.toml");
    let out = run(&["init", path_str(&plan)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(run(&["check", path_str(&plan)]).code, 0);
    for model in ["snapshot", "timeline"] {
        let out = run(&[
            "run",
            path_str(&plan),
            "--model",
            model,
            "--trials",
            "4",
            "--format",
            "json",
        ]);
        assert_eq!(out.code, 0, "{model}: {}", out.stderr);
    }
    // Not over an existing file.
    let again = run(&["init", path_str(&plan)]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("does not replace"),
        "{}",
        again.stderr
    );
    // The same text on stdout.
    let stdout = run(&["init"]);
    assert_eq!(stdout.stdout, std::fs::read_to_string(&plan).unwrap());
}

#[test]
fn explain_says_what_a_key_is() {
    let out = run(&["explain", "serve_stale"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout
            .starts_with("resolvers.serve_stale  ([resolvers])")
            && out.stdout.contains("default  false")
            && out.stdout.contains("models   timeline"),
        "{}",
        out.stdout
    );
    assert_eq!(
        run(&["explain", "resolvers"])
            .stdout
            .matches("models")
            .count(),
        13
    );
    let all = run(&["explain"]);
    assert!(all.stdout.contains("[[service]]") && all.stdout.contains("requires_any"));
    let typo = run(&["explain", "delegaton_ttl"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean service.delegation_ttl?"),
        "{}",
        typo.stderr
    );
    let long = "x".repeat(10_000);
    let out = run(&["explain", &long]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.len() < 300,
        "a long key is shortened: {}",
        out.stderr.len()
    );
}
