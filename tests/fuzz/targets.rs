//! What the harness fuzzes: each reader as the binary calls it (from a
//! file, so that file checks run too), and the engines on the fuzzed plans
//! that pass validation. An input error is the expected answer to most
//! inputs; a panic, a hang or a blow-up is a failure. Two oracles besides:
//! an imported plan must be a valid scenario, and a result file that reads
//! back must render in every format.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use dnsim::checkpoint::{Checkpoint, Resumable};
use dnsim::import::catalog::Catalog;
use dnsim::report::Format;
use dnsim::report::html::Html;
use dnsim::results::Report;
use dnsim::run::{Job, Prepared, RunOptions, counts_checkpointed};
use dnsim::scenario::{ModelKind, Scenario, load};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Scenario,
    Csv,
    Zone,
    OctodnsConfig,
    OctodnsZone,
    Dnscontrol,
    NsList,
    Part,
    /// A part file of `run --part` (a slice of the services).
    Slice,
    Checkpoint,
    Result,
}

pub enum Outcome {
    /// Read and accepted (nothing else to run).
    Accepted,
    /// Refused with an input error, as most fuzzed inputs are.
    Refused,
    /// Accepted, and the engines ran on it.
    Ran,
    Panicked,
}

const ALL: [Target; 11] = [
    Target::Scenario,
    Target::Csv,
    Target::Zone,
    Target::OctodnsConfig,
    Target::OctodnsZone,
    Target::Dnscontrol,
    Target::NsList,
    Target::Part,
    Target::Slice,
    Target::Checkpoint,
    Target::Result,
];

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Scenario => "scenario",
            Target::Csv => "csv-include",
            Target::Zone => "zone",
            Target::OctodnsConfig => "octodns-config",
            Target::OctodnsZone => "octodns-zone",
            Target::Dnscontrol => "dnscontrol",
            Target::NsList => "ns-list",
            Target::Part => "part",
            Target::Slice => "part-slice",
            Target::Checkpoint => "checkpoint",
            Target::Result => "result",
        }
    }

    pub fn run(self, input: &[u8], dir: &Path) -> Outcome {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let fixtures = root.join("tests/fixtures/import");
        let catalog = Catalog::builtin();
        match self {
            Target::Scenario => scenario(&write(dir, "fuzzed.toml", input)),
            Target::Csv => {
                // The what-if plan, its include swapped for the input.
                let text = std::fs::read_to_string(root.join("scenarios/whatif/dyn-wave1.toml"))
                    .expect("the what-if plan")
                    .replace("\"sites.csv\"", "\"fuzzed.csv\"");
                write(dir, "fuzzed.csv", input);
                scenario(&write(dir, "with-csv.toml", text.as_bytes()))
            }
            Target::Zone => {
                let path = write(dir, "fuzzed.zone", input);
                imported(
                    dnsim::import::zone::import(&path, Some("example.com"), &catalog),
                    dir,
                )
            }
            Target::OctodnsConfig | Target::OctodnsZone => {
                let config = dir.join("octodns");
                std::fs::create_dir_all(config.join("config")).expect("a directory");
                let zone = std::fs::read(fixtures.join("octodns/config/example.com.yaml"))
                    .expect("the octoDNS zone fixture");
                let main = std::fs::read(fixtures.join("octodns/octodns.yaml"))
                    .expect("the octoDNS config fixture");
                let (main, zone) = match self {
                    Target::OctodnsConfig => (input.to_vec(), zone),
                    _ => (main, input.to_vec()),
                };
                std::fs::write(config.join("config/example.com.yaml"), zone).expect("written");
                let _ = std::fs::remove_file(config.join("config/example.org.yaml"));
                let path = write(&config, "octodns.yaml", &main);
                imported(dnsim::import::octodns::import(&path, &catalog), dir)
            }
            Target::Dnscontrol => {
                let path = write(dir, "fuzzed.json", input);
                imported(dnsim::import::dnscontrol::import(&path, &catalog), dir)
            }
            Target::NsList => {
                let path = write(dir, "fuzzed.txt", input);
                imported(dnsim::import::ns_list::import(&path, &catalog), dir)
            }
            // Merged with the true other half of the same run (split by
            // trials, or by services).
            Target::Part => merged_with(dir, input, "part", root),
            Target::Slice => merged_with(dir, input, "slice", root),
            Target::Checkpoint => checkpoint(&write(dir, "run.checkpoint", input), root),
            Target::Result => {
                let Ok(text) = std::str::from_utf8(input) else {
                    return Outcome::Refused;
                };
                match Report::from_json(text, Path::new("fuzzed.json")) {
                    Ok(report) => render(&report),
                    Err(_) => Outcome::Refused,
                }
            }
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("the fuzzed input written");
    path
}

/// Loads a plan as `check` and `run` do and lints it; when it is small
/// enough to run in a moment, runs the snapshot model, `analyze` and one
/// timeline trial on it.
fn scenario(path: &Path) -> Outcome {
    let Ok(scenario) = load(path) else {
        return Outcome::Refused;
    };
    let _ = dnsim::lint::lint(&scenario, 0.5);
    if !small(&scenario) {
        return Outcome::Accepted;
    }
    let options = RunOptions {
        trials: Some(256),
        ..RunOptions::default()
    };
    let _ = dnsim::run::snapshot(&scenario, &options, &|_| {});
    if scenario.services.len() <= 500 {
        let analyze = dnsim::analysis::AnalyzeOptions {
            order: dnsim::analysis::DEFAULT_ORDER,
            max_bdd_nodes: dnsim::analysis::DEFAULT_MAX_BDD_NODES,
            trials: 256,
            seed: 1,
        };
        let _ = dnsim::analysis::analyze(&scenario, &analyze);
    }
    let r = &scenario.resolvers;
    let resolvers = scenario.services.len() * scenario.regions.len().max(1) * r.per_region as usize;
    // The engine's own estimate of a trial's work bounds what runs here
    // (the seed campaigns were stopped by a plan with `query_rate = 1e9`,
    // which `run` said would take over an hour, and took it).
    let work = dnsim::timeline::TimelineModel::compile(&scenario, 1, &Default::default(), None)
        .map_or(f64::INFINITY, |m| m.work_per_trial());
    if resolvers <= 20_000 && work <= MAX_TRIAL_WORK {
        let one = RunOptions {
            trials: Some(1),
            ..RunOptions::default()
        };
        let _ = dnsim::run::timeline(&scenario, &one, None, &|_| {});
    }
    Outcome::Ran
}

/// The most lookup steps a timeline trial may be estimated at to run in
/// the campaign: about a second in the test profile.
const MAX_TRIAL_WORK: f64 = 2e8;

/// Plans the engines run in the campaign: what the bundled scenarios are,
/// give or take. (Larger ones are validated and linted only; their cost is
/// measured by the benchmarks.)
fn small(s: &Scenario) -> bool {
    let services = s.services.len();
    let r = &s.resolvers;
    let outages: f64 = s.providers.iter().map(|p| p.outages_per_year).sum::<f64>()
        + s.common_causes.iter().map(|c| c.per_year).sum::<f64>();
    let years = s.simulation.horizon.as_secs_f64() / (365.0 * 86400.0);
    let closure: usize = s
        .services
        .iter()
        .map(|x| x.requires().len() + x.requires_any().len())
        .sum();
    services <= 2_000
        && closure <= 4 * services + 16
        && r.per_region <= 200
        && s.regions.len() <= 8
        && years <= 2.0
        && outages * years <= 1_000.0
        && s.events.len() <= 64
}

/// An importer's answer: a plan, which must be a valid scenario.
fn imported(plan: Result<dnsim::import::Plan, dnsim::error::InputError>, dir: &Path) -> Outcome {
    let Ok(plan) = plan else {
        return Outcome::Refused;
    };
    let mut text = Vec::new();
    plan.write_toml(&mut text).expect("a plan writes");
    let path = write(dir, "imported.toml", &text);
    if let Err(e) = load(&path) {
        panic!("an imported plan is not a valid scenario: {e}");
    }
    Outcome::Accepted
}

/// A report that reads back renders in every format.
fn render(report: &Report) -> Outcome {
    let mut formats = vec![Format::Table, Format::Json, Format::Csv, Format::Markdown];
    if report.model() == ModelKind::Timeline {
        formats.push(Format::SeriesCsv);
    }
    for f in formats {
        let mut out = Vec::new();
        report
            .write(&*f.exporter(Some(10)), &mut out)
            .expect("renders");
    }
    let mut out = Vec::new();
    report
        .write(&Html { top: 10 }, &mut out)
        .expect("renders as HTML");
    Outcome::Accepted
}

/// Resumes the quickstart run (9,000 trials) from the fuzzed checkpoint.
fn checkpoint(path: &Path, root: &Path) -> Outcome {
    static STOP: AtomicBool = AtomicBool::new(false);
    let quickstart = root.join("scenarios/quickstart.toml");
    let scenario = load(&quickstart).expect("the quickstart plan");
    let job = Job {
        model: ModelKind::Snapshot,
        options: RunOptions {
            trials: Some(9_000),
            ..RunOptions::default()
        },
        series_step: None,
    };
    let prepared = Prepared::new(&scenario, job).expect("prepares");
    let blocks = prepared.blocks();
    let trials_in = |b: u64| (b < blocks).then(|| prepared.trials_in(b));
    let of = Resumable {
        run: prepared.run_id(&quickstart, &[], &[]),
        shard: None,
        empty: prepared.empty(),
        trials_in: &trials_in,
    };
    let Ok(checkpoint) = Checkpoint::open(path, of, &STOP, None) else {
        return Outcome::Refused;
    };
    let counts = counts_checkpointed(&prepared, &|_| true, &|_| {}, &checkpoint)
        .expect("runs")
        .expect("not stopped");
    let report = prepared.report(&counts).expect("reports");
    render(&report);
    Outcome::Ran
}

/// A worker's directory: the CSV files the scenarios include, beside them.
pub fn prepare(root: &Path, dir: &Path) {
    for d in ["scenarios", "scenarios/whatif", "tests/fixtures/bad"] {
        for f in files(&root.join(d)) {
            if f.extension().is_some_and(|e| e == "csv") {
                let name = f.file_name().expect("a file name");
                std::fs::copy(&f, dir.join(name)).expect("copied");
            }
        }
    }
}

/// `input` as the first of two part files named `stem-1.json` and
/// `stem-2.json`, merged with the true second one.
fn merged_with(dir: &Path, input: &[u8], stem: &str, root: &Path) -> Outcome {
    let fuzzed = write(dir, &format!("{stem}-1.json"), input);
    let parts = [fuzzed, seeds_dir().join(format!("{stem}-2.json"))];
    let quickstart = root.join("scenarios/quickstart.toml");
    match dnsim::merge::merge(&parts, Some(&quickstart)) {
        Ok(report) => render(&report),
        Err(_) => Outcome::Refused,
    }
}

/// Seeds made by the binary at the start of the campaign: parts, a
/// checkpoint and result files of real runs.
pub fn seeds_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-seeds")
}

fn make_seeds(root: &Path) -> PathBuf {
    let dir = seeds_dir();
    std::fs::create_dir_all(&dir).expect("a seeds directory");
    let bin = env!("CARGO_BIN_EXE_dnsim");
    let quickstart = root.join("scenarios/quickstart.toml");
    let wave1 = root.join("scenarios/whatif/dyn-wave1.toml");
    let run = |args: &[&str]| {
        let ok = std::process::Command::new(bin)
            .args(args)
            .current_dir(root)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "dnsim {args:?}");
    };
    let q = quickstart.to_str().expect("a UTF-8 path");
    let w = wave1.to_str().expect("a UTF-8 path");
    let out = |name: &str| dir.join(name).to_str().expect("a UTF-8 path").to_string();
    run(&["run", q, "--shard", "1/2", "-o", &out("part-1.json")]);
    run(&["run", q, "--shard", "2/2", "-o", &out("part-2.json")]);
    for k in ["1", "2"] {
        let part = format!("{k}/2");
        let file = out(&format!("slice-{k}.json"));
        run(&["run", q, "--trials", "4096", "--part", &part, "-o", &file]);
    }
    run(&["run", q, "--format", "json", "-o", &out("snapshot.json")]);
    run(&[
        "run",
        w,
        "--trials",
        "2",
        "--format",
        "json",
        "-o",
        &out("timeline.json"),
    ]);
    let ck = out("run.checkpoint");
    let _ = std::fs::remove_file(&ck);
    run(&[
        "run",
        q,
        "--trials",
        "9000",
        "--checkpoint",
        &ck,
        "-o",
        &out("resumed.txt"),
    ]);
    dir
}

/// Every seed input, by target: the fixtures, the bundled scenarios and the
/// files of real runs.
pub fn corpus(root: &Path) -> Vec<(Target, Vec<u8>)> {
    let seeds = make_seeds(root);
    let mut corpus = Vec::new();
    let mut add = |target: Target, path: &Path| {
        corpus.push((target, std::fs::read(path).expect("a seed file")));
    };
    for dir in [
        "scenarios",
        "scenarios/whatif",
        "scenarios/calibration",
        "tests/fixtures/bad",
    ] {
        for entry in files(&root.join(dir)) {
            match entry.extension().and_then(|e| e.to_str()) {
                Some("toml") => add(Target::Scenario, &entry),
                Some("csv") => add(Target::Csv, &entry),
                _ => {}
            }
        }
    }
    let import = root.join("tests/fixtures/import");
    for entry in files(&import).into_iter().chain(files(&import.join("bad"))) {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match entry.extension().and_then(|e| e.to_str()) {
            Some("zone") => add(Target::Zone, &entry),
            Some("json") => add(Target::Dnscontrol, &entry),
            Some("txt" | "csv") if name.starts_with("ns-list") => add(Target::NsList, &entry),
            _ => {}
        }
    }
    add(Target::OctodnsConfig, &import.join("octodns/octodns.yaml"));
    add(
        Target::OctodnsZone,
        &import.join("octodns/config/example.com.yaml"),
    );
    add(
        Target::OctodnsZone,
        &import.join("octodns/config/example.org.yaml"),
    );
    for entry in files(&import.join("bad/octodns")) {
        add(Target::OctodnsConfig, &entry);
    }
    add(Target::Part, &seeds.join("part-1.json"));
    add(Target::Slice, &seeds.join("slice-1.json"));
    add(Target::Checkpoint, &seeds.join("run.checkpoint"));
    add(Target::Result, &seeds.join("snapshot.json"));
    add(Target::Result, &seeds.join("timeline.json"));
    corpus
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Inputs that once failed, kept as files named after their target's
/// directory: `regressions/TARGET/ANY-NAME`.
pub fn regressions(dir: &Path) -> Vec<(Target, Vec<u8>)> {
    let mut out = Vec::new();
    for target in ALL {
        for path in files(&dir.join(target.name())) {
            out.push((target, std::fs::read(&path).expect("a regression input")));
        }
    }
    out
}
