//! The `dnsim` binary: parse flags, load, run, write; map errors to exit
//! codes (0 success, 2 bad input, 3 `check --deny-warnings` with warnings,
//! 1 anything else).

use std::io;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use serde::Serialize;

use dnsim::cli::{CheckArgs, CheckFormat, Cli, Command, ModelArg, RunArgs};
use dnsim::error::InputError;
use dnsim::lint;
use dnsim::model::{FailSpec, Forcing, Model};
use dnsim::output::emit;
use dnsim::progress::Progress;
use dnsim::report::{Format, Report};
use dnsim::results::VERSION;
use dnsim::run::{RunOptions, planned_trials, snapshot_compiled, timeline};
use dnsim::scenario::{self, ModelKind};

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
    let model_kind = match args.model {
        Some(ModelArg::Snapshot) => ModelKind::Snapshot,
        Some(ModelArg::Timeline) => ModelKind::Timeline,
        None => scenario.simulation.model,
    };
    let options = RunOptions {
        trials: args.trials,
        seed: args.seed,
        forcing: Forcing {
            fail,
            fail_only: args.fail_only,
        },
    };
    let pool = {
        let mut b = rayon::ThreadPoolBuilder::new();
        if let Some(t) = args.threads {
            b = b.num_threads(t as usize);
        }
        b.build().context("cannot start worker threads")?
    };
    let report = match model_kind {
        ModelKind::Snapshot => {
            if args.format == Format::SeriesCsv {
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
            let model = Model::compile(&scenario, &options.forcing)?;
            let progress = Progress::new(planned_trials(&scenario, &model, &options), args.quiet);
            let report = pool
                .install(|| snapshot_compiled(&scenario, &model, &options, &|n| progress.inc(n)));
            progress.finish();
            Report::Snapshot(report)
        }
        ModelKind::Timeline => {
            let series = args.series.as_deref().map(parse_step).transpose()?;
            let progress = Progress::new(
                options.trials.unwrap_or(scenario.simulation.trials),
                args.quiet,
            );
            let report =
                pool.install(|| timeline(&scenario, &options, series, &|n| progress.inc(n)));
            progress.finish();
            Report::Timeline(report?)
        }
    };
    let exporter = args.format.exporter(args.top);
    emit(args.output.as_deref(), |out| {
        report.write(exporter.as_ref(), out)
    })?;
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
            for w in &warnings {
                writeln!(out, "warning[{}]: {}", w.kind, w.message)?;
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
