//! The `dnsim` binary: parse flags, load, run, write; map errors to exit
//! codes (0 success, 2 bad input, 3 `check --deny-warnings` with warnings,
//! 1 anything else).

use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::Parser;
use serde::Serialize;

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::checkpoint::Checkpoint;
use dnsim::cli::{
    AnalyzeArgs, AnalyzeFormat, CheckArgs, CheckFormat, Cli, Command, CompareArgs, ExportArgs,
    ExportFormat, GenerateArgs, ImportArgs, ImportKind, MergeArgs, ModelArg, OutputArgs,
    ReportArgs, RunArgs,
};
use dnsim::engine::rare;
use dnsim::error::InputError;
use dnsim::lint;
use dnsim::model::{FailSpec, Forcing};
use dnsim::output::{emit, write_atomic};
use dnsim::progress::Progress;
use dnsim::report::{Format, Html, Report};
use dnsim::results::VERSION;
use dnsim::run::{Job, Prepared, RunOptions, counts_checkpointed};
use dnsim::scenario::{self, ModelKind};
use dnsim::shard::{PARTIAL_FORMAT, Partial, RunId, Shard, check_parts};
use dnsim::timeline::results::TimelineReport;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Check(args) => check(args),
        Command::Merge(args) => merge(args),
        Command::Report(args) => report_cmd(args),
        Command::Analyze(args) => analyze(args),
        Command::Export(args) => export(args),
        Command::Compare(args) => compare(args),
        Command::Import(args) => import(args),
        Command::Generate(args) => generate(args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            if let Some(input) = e.downcast_ref::<InputError>() {
                eprintln!("error: {input}");
                return ExitCode::from(2);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// `--series STEP`: a duration, at least a second.
fn parse_step(text: &str) -> Result<u64, InputError> {
    let d = dnsim::duration::parse(text).map_err(|m| InputError::flag("--series", m))?;
    if d.0 < 1000 {
        return Err(InputError::flag(
            "--series",
            format!("the step must be at least 1s, got {d}"),
        ));
    }
    Ok(d.0 / 1000)
}

fn run(args: RunArgs) -> anyhow::Result<u8> {
    let fail = args
        .fail
        .iter()
        .map(|f| FailSpec::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let scenario = scenario::load(&args.scenario)?;
    let model = match args.model {
        Some(ModelArg::Snapshot) => ModelKind::Snapshot,
        Some(ModelArg::Timeline) => ModelKind::Timeline,
        None => scenario.simulation.model,
    };
    if model == ModelKind::Snapshot {
        if args.out.format == Some(Format::SeriesCsv) {
            return Err(InputError::flag(
                "--format",
                "series-csv is for the timeline model (--model timeline)",
            )
            .into());
        }
        if args.series.is_some() {
            return Err(InputError::flag(
                "--series",
                "a time series is for the timeline model (--model timeline)",
            )
            .into());
        }
    }
    let shard = match &args.shard {
        Some(text) => Some(Shard::parse(text, args.shards, &|k| std::env::var(k).ok())?),
        None if args.shards.is_some() => {
            return Err(InputError::flag("--shards", "goes with --shard auto").into());
        }
        None => None,
    };
    if shard.is_some() && args.out.format.is_some_and(|f| f != Format::Json) {
        return Err(InputError::flag(
            "--format",
            "a shard writes a partial result (JSON); choose the format when you merge",
        )
        .into());
    }
    let series_step = args.series.as_deref().map(parse_step).transpose()?;
    let job = Job {
        model,
        options: RunOptions {
            trials: args.trials,
            seed: args.seed,
            forcing: Forcing {
                fail,
                fail_only: args.fail_only,
            },
        },
        series_step,
    };
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            b = b.num_threads(t as usize);
        }
        b.build().context("cannot start worker threads")?
    };
    if model == ModelKind::Timeline && args.rare {
        return Err(InputError::flag("--rare", "is for the snapshot model").into());
    }
    let prepared = Prepared::new(&scenario, job)?;
    let split = shard.is_some() || args.checkpoint.is_some();
    if args.rare && split {
        return Err(InputError::flag(
            "--rare",
            "does not combine with --shard or --checkpoint (weighted sums are merged in block order in one process)",
        )
        .into());
    }
    let rare = match prepared.snapshot_model() {
        Some(_) if args.rare => Some("--rare"),
        Some(m) if !args.no_rare && !split && rare::worth_it(m, prepared.trials()) => Some("auto"),
        _ => None,
    };
    if let Some(chosen_by) = rare {
        let progress = Progress::new(prepared.trials(), args.quiet);
        let report = pool.install(|| prepared.rare_report(chosen_by, &|n| progress.inc(n)));
        progress.finish();
        let report = report.expect("a snapshot job");
        deliver(&Report::Snapshot(report), &args.out)?;
        return Ok(0);
    }
    let run_id = RunId {
        dnsim: VERSION.to_string(),
        model: model.as_str().to_string(),
        scenario_path: args.scenario.clone(),
        scenario_hash: scenario.content_hash.clone(),
        seed: prepared.seed(),
        trials: prepared.trials(),
        fail: args.fail.clone(),
        fail_only: args.fail_only,
        series_step,
    };
    let owns = |b: u64| shard.is_none_or(|s| s.owns(b));
    let work = (0..prepared.blocks())
        .filter(|&b| owns(b))
        .map(|b| prepared.trials_in(b))
        .sum();
    let counts = match &args.checkpoint {
        None => {
            let progress = Progress::new(work, args.quiet);
            let counts = pool.install(|| prepared.counts(&owns, &|n| progress.inc(n)));
            progress.finish();
            counts
        }
        Some(path) => {
            static STOP: AtomicBool = AtomicBool::new(false);
            // A second handler cannot be set; the first one does the job.
            let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
            let checkpoint =
                Checkpoint::open(path, run_id.clone(), shard, prepared.empty(), &STOP)?;
            let progress = Progress::new(work, args.quiet);
            let done = pool.install(|| {
                counts_checkpointed(&prepared, &owns, &|n| progress.inc(n), &checkpoint)
            });
            progress.finish();
            match done? {
                Some(counts) => counts,
                None => {
                    eprintln!(
                        "interrupted: {} blocks finished and saved in {}; run the same command again to resume",
                        checkpoint.done_count(),
                        path.display()
                    );
                    return Ok(130);
                }
            }
        }
    };
    if let Some(shard) = shard {
        let part = Partial {
            dnsim_partial: PARTIAL_FORMAT,
            run: run_id,
            shard,
            counts,
        };
        emit(args.out.output.as_deref(), |out| {
            serde_json::to_writer(&mut *out, &part)?;
            writeln!(out)
        })?;
        return Ok(0);
    }
    deliver(&prepared.report(&counts)?, &args.out)?;
    Ok(0)
}

/// Writes a report where `--format`, `--output` and `--html` say.
fn deliver(report: &Report, out: &OutputArgs) -> anyhow::Result<()> {
    if matches!(report, Report::Snapshot(_)) && out.format == Some(Format::SeriesCsv) {
        return Err(InputError::flag(
            "--format",
            "series-csv is for the timeline model (--model timeline)",
        )
        .into());
    }
    write_html(report, out.html.as_deref(), out.top)?;
    let exporter = out.format.unwrap_or(Format::Table).exporter(out.top);
    emit(out.output.as_deref(), |w| {
        report.write(exporter.as_ref(), w)
    })
}

/// `--html FILE`: the HTML report beside the main output.
fn write_html(report: &Report, path: Option<&Path>, top: Option<usize>) -> anyhow::Result<()> {
    if let Some(path) = path {
        let html = Html {
            top: top.unwrap_or(Html::DEFAULT_TOP),
        };
        write_atomic(path, "--html", |out| report.write(&html, out))?;
    }
    Ok(())
}

/// `dnsim report RESULT.json --html FILE`.
fn report_cmd(args: ReportArgs) -> anyhow::Result<u8> {
    let path = &args.result;
    let text = scenario::read_input(path, "result")?;
    let bad = |e: serde_json::Error| {
        InputError::new(format!("not a dnsim JSON result: {e}"))
            .in_file(path)
            .at(e.line(), e.column())
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(bad)?;
    let report = match value.get("model").and_then(|m| m.as_str()) {
        // From the text, not the parsed value, so that maps keep their order.
        Some("snapshot") => Report::Snapshot(serde_json::from_str(&text).map_err(bad)?),
        Some("timeline") => {
            let mut r: TimelineReport = serde_json::from_str(&text).map_err(bad)?;
            r.start_unix = r
                .start
                .as_deref()
                .and_then(|s| humantime::parse_rfc3339_weak(s.trim_end_matches('Z')).ok())
                .and_then(|t| {
                    t.duration_since(std::time::UNIX_EPOCH)
                        .ok()
                        .map(|d| d.as_secs() as i64)
                });
            Report::Timeline(r)
        }
        _ => {
            return Err(InputError::new(
                "not a dnsim JSON result: no \"model\" of snapshot or timeline",
            )
            .in_file(path)
            .into());
        }
    };
    write_html(&report, Some(&args.html), args.top)?;
    Ok(0)
}

/// `dnsim analyze SCENARIO`.
fn analyze(args: AnalyzeArgs) -> anyhow::Result<u8> {
    let scenario = scenario::load(&args.scenario)?;
    let options = AnalyzeOptions {
        order: args.order,
        max_bdd_nodes: args.max_bdd_nodes,
        trials: args.trials.unwrap_or(scenario.simulation.trials),
        seed: args.seed.unwrap_or(scenario.simulation.seed),
    };
    let report = analysis::analyze(&scenario, &options);
    deliver_table_json_html(
        &report,
        &args.out,
        |r, top, out| analysis::table::write(r, top, out),
        |r, top, out| dnsim::report::html::analysis(r, top, out),
    )?;
    Ok(0)
}

/// Writes an `analyze` or `compare` report where `--format`, `--output` and
/// `--html` say.
fn deliver_table_json_html<R: Serialize>(
    report: &R,
    flags: &dnsim::cli::TableJsonHtml,
    table: impl FnOnce(&R, usize, &mut dyn io::Write) -> io::Result<()>,
    html: impl FnOnce(&R, usize, &mut dyn io::Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    if let Some(path) = &flags.html {
        write_atomic(path, "--html", |out| html(report, flags.top, out))?;
    }
    emit(flags.output.as_deref(), |out| match flags.format {
        AnalyzeFormat::Table => table(report, flags.top, out),
        AnalyzeFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
    })
}

/// `dnsim import KIND FILE`: the scenario on stdout (or --output), the
/// report of what was mapped on stderr.
fn import(args: ImportArgs) -> anyhow::Result<u8> {
    use dnsim::import::{self, catalog::Catalog};
    let catalog = Catalog::with_file(args.catalog.as_deref())?;
    let plan = match &args.kind {
        ImportKind::NsList { file } => import::ns_list::import(file, &catalog)?,
        ImportKind::Zone { file, origin } => import::zone::import(file, origin, &catalog)?,
        ImportKind::Dnscontrol { ir } => import::dnscontrol::import(ir, &catalog)?,
        ImportKind::Octodns { config } => import::octodns::import(config, &catalog)?,
    };
    for line in &plan.report {
        eprintln!("{line}");
    }
    emit(args.output.as_deref(), |out| plan.write_toml(out))?;
    Ok(0)
}

/// `dnsim generate`.
fn generate(args: GenerateArgs) -> anyhow::Result<u8> {
    use dnsim::generate::{GenerateSpec, generate};
    let spec = GenerateSpec {
        services: args.services,
        providers: args.providers,
        regions: args.regions,
        seed: args.seed,
        self_hosted: args.self_hosted,
        multi: args.multi,
        cdn_share: args.cdn_share,
        cdns: args.cdns,
        self_hosted_providers: args.self_hosted_providers,
        trials: args.trials,
    };
    dnsim::generate::check(&spec)?;
    let progress = Progress::new(args.services, args.quiet);
    let csv = generate(&spec, &args.output, &|n| progress.inc(n))?;
    progress.finish();
    eprintln!(
        "wrote {} and {} ({} services, {} CDN-like services, {} providers)",
        args.output.display(),
        csv.display(),
        args.services,
        args.cdns,
        args.providers
    );
    Ok(0)
}

/// `dnsim compare A B`.
fn compare(args: CompareArgs) -> anyhow::Result<u8> {
    let a = scenario::load(&args.a)?;
    let b = scenario::load(&args.b)?;
    let trials = args.trials.unwrap_or(a.simulation.trials);
    let seed = args.seed.unwrap_or(a.simulation.seed);
    let pool = {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            builder = builder.num_threads(t as usize);
        }
        builder.build().context("cannot start worker threads")?
    };
    let plans = dnsim::compare::Plans { a: &a, b: &b };
    let report = pool.install(|| dnsim::compare::compare(&plans, trials, seed))?;
    deliver_table_json_html(
        &report,
        &args.out,
        |r, top, out| dnsim::compare::write_table(r, top, out),
        |r, top, out| dnsim::report::html::comparison(r, top, out),
    )?;
    Ok(0)
}

/// `dnsim export SCENARIO --format open-psa`.
fn export(args: ExportArgs) -> anyhow::Result<u8> {
    let scenario = scenario::load(&args.scenario)?;
    match args.format {
        ExportFormat::OpenPsa => emit(args.output.as_deref(), |out| {
            dnsim::export::open_psa(&scenario, out)
        })?,
    }
    Ok(0)
}

fn merge(args: MergeArgs) -> anyhow::Result<u8> {
    let parts = args
        .parts
        .iter()
        .map(|p| Partial::read(p).map(|part| (p.clone(), part)))
        .collect::<Result<Vec<_>, _>>()?;
    let parts = check_parts(parts)?;
    let (first_path, first) = &parts[0];
    let scenario_path = args
        .scenario
        .clone()
        .unwrap_or_else(|| first.run.scenario_path.clone());
    let scenario = scenario::load(&scenario_path)?;
    if scenario.content_hash != first.run.scenario_hash {
        return Err(InputError::new(format!(
            "this scenario is not the one the shards ran (its content hash differs from {}'s)",
            first_path.display()
        ))
        .in_file(&scenario_path)
        .into());
    }
    let model = match first.run.model.as_str() {
        "snapshot" => ModelKind::Snapshot,
        "timeline" => ModelKind::Timeline,
        other => {
            return Err(InputError::new(format!("unknown model \"{other}\""))
                .in_file(first_path)
                .into());
        }
    };
    let fail = first
        .run
        .fail
        .iter()
        .map(|f| FailSpec::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    let job = Job {
        model,
        options: RunOptions {
            trials: Some(first.run.trials),
            seed: Some(first.run.seed),
            forcing: Forcing {
                fail,
                fail_only: first.run.fail_only,
            },
        },
        series_step: first.run.series_step,
    };
    let mut total = parts[0].1.counts.clone();
    for (path, p) in &parts[1..] {
        if !total.add(&p.counts) {
            return Err(InputError::new("its counts do not fit the other parts'")
                .in_file(path)
                .into());
        }
    }
    deliver(&Prepared::new(&scenario, job)?.report(&total)?, &args.out)?;
    Ok(0)
}

#[derive(Serialize)]
struct CheckReport<'a> {
    dnsim: &'static str,
    scenario: &'a str,
    ok: bool,
    services: usize,
    providers: usize,
    common_causes: usize,
    regions: usize,
    warnings: &'a [lint::Warning],
}

#[derive(Serialize)]
struct CheckFailure<'a> {
    dnsim: &'static str,
    ok: bool,
    error: ErrorJson<'a>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    key: Option<&'a str>,
    message: &'a str,
}

fn check(args: CheckArgs) -> anyhow::Result<u8> {
    let scenario = match scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            if args.format == CheckFormat::Json {
                let failure = CheckFailure {
                    dnsim: VERSION,
                    ok: false,
                    error: ErrorJson {
                        file: e.file.as_ref().map(|f| f.display().to_string()),
                        line: e.line,
                        column: e.column,
                        key: e.key.as_deref(),
                        message: &e.message,
                    },
                };
                emit(None, |out| {
                    serde_json::to_writer_pretty(&mut *out, &failure)?;
                    writeln!(out)
                })?;
            }
            return Err(e.into());
        }
    };
    let warnings = lint::lint(&scenario, args.max_share);
    match args.format {
        CheckFormat::Json => {
            let r = CheckReport {
                dnsim: VERSION,
                scenario: &scenario.name,
                ok: true,
                services: scenario.services.len(),
                providers: scenario.providers.len(),
                common_causes: scenario.common_causes.len(),
                regions: scenario.regions.len(),
                warnings: &warnings,
            };
            emit(None, |out| {
                serde_json::to_writer_pretty(&mut *out, &r)?;
                writeln!(out)
            })?;
        }
        CheckFormat::Table => emit(None, |out| {
            writeln!(
                out,
                "{}: ok ({} services, {} providers, {} common causes, {} regions)",
                args.scenario.display(),
                scenario.services.len(),
                scenario.providers.len(),
                scenario.common_causes.len(),
                scenario.regions.len()
            )?;
            // At most --top of each kind: a generated or imported plan can
            // hold millions of single-provider services.
            let mut shown: std::collections::BTreeMap<&str, usize> = Default::default();
            for w in &warnings {
                let n = shown.entry(w.kind).or_insert(0);
                *n += 1;
                if *n <= args.top {
                    writeln!(out, "warning[{}]: {}", w.kind, w.message)?;
                }
            }
            for (kind, n) in &shown {
                if *n > args.top {
                    writeln!(
                        out,
                        "… and {} more {kind} warnings (--top N shows more; --format json lists them all)",
                        n - args.top
                    )?;
                }
            }
            if !warnings.is_empty() {
                writeln!(
                    out,
                    "{} warning{}",
                    warnings.len(),
                    if warnings.len() == 1 { "" } else { "s" }
                )?;
            }
            Ok(())
        })?,
    }
    Ok(if args.deny_warnings && !warnings.is_empty() {
        3
    } else {
        0
    })
}
