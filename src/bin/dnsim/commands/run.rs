//! `dnsim run SCENARIO`: the flags become a [`RunPlan`] (every combination
//! checked once), then the job runs whole, as a shard, under a checkpoint,
//! or with importance sampling.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use dnsim::checkpoint::{Checkpoint, Resumable};
use dnsim::error::InputError;
use dnsim::forcing::{FailSpec, Forcing};
use dnsim::output::emit;
use dnsim::report::{Format, Table};
use dnsim::results::{ModelKind, Report};
use dnsim::run::{Job, Prepared, RunOptions, Sampler, counts_checkpointed};
use dnsim::scenario::Scenario;
use dnsim::shard::{Counts, PARTIAL_FORMAT, Partial, Shard};

use super::gates::Gates;
use super::{Outcome, Output, check_format, deliver, thread_pool};
use crate::Exit;
use crate::cli::{ModelArg, RunArgs};
use crate::progress::{self, Progress};

/// `dnsim run`'s flags, typed and checked against each other.
struct RunPlan {
    scenario: PathBuf,
    /// `--set` flags, applied to the file, and `--event` flags, added to
    /// its events.
    sets: Vec<String>,
    events: Vec<String>,
    model: Option<ModelKind>,
    options: RunOptions,
    series_step: Option<u64>,
    shard: Option<Shard>,
    /// `--part K/N`: a slice of the plan's services.
    part: Option<Shard>,
    checkpoint: Option<PathBuf>,
    sampler: Sampler,
    threads: Option<u32>,
    quiet: bool,
    out: Output,
}

impl RunPlan {
    /// The checks that need no scenario.
    fn new(args: RunArgs) -> Result<RunPlan, InputError> {
        let fail = args
            .fail
            .iter()
            .map(|f| FailSpec::parse(f))
            .collect::<Result<Vec<_>, _>>()?;
        let shard = match &args.shard {
            Some(text) => Some(Shard::parse(text, args.shards, &|k| std::env::var(k).ok())?),
            None if args.shards.is_some() => {
                return Err(InputError::flag("--shards", "goes with --shard auto"));
            }
            None => None,
        };
        let part = args.part.as_deref().map(Shard::parse_part).transpose()?;
        let out = Output::from(args.out);
        let partial = match (part, shard) {
            (Some(_), _) => Some(("--part", "a part")),
            (None, Some(_)) => Some(("--shard", "a shard")),
            (None, None) => None,
        };
        if let Some((flag, what)) = partial {
            if out.format.is_some_and(|f| f != Format::Json) {
                return Err(InputError::flag(
                    "--format",
                    format!(
                        "{what} writes a partial result (JSON); choose the format when you merge"
                    ),
                ));
            }
            // A partial result is JSON for `dnsim merge`, not for a person:
            // on a terminal it would scroll megabytes past.
            if out.path.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(InputError::flag(
                    flag,
                    format!(
                        "{what} writes a partial result (JSON) for dnsim merge: write it to a file (-o FILE) or pipe it"
                    ),
                ));
            }
        }
        let split = partial.is_some() || args.checkpoint.is_some();
        if args.rare && split {
            return Err(InputError::flag(
                "--rare",
                "does not combine with --shard, --part or --checkpoint (weighted sums are merged in block order in one process)",
            ));
        }
        Ok(RunPlan {
            scenario: args.scenario,
            sets: args.set,
            events: args.event,
            model: args.model.map(|m| match m {
                ModelArg::Snapshot => ModelKind::Snapshot,
                ModelArg::Timeline => ModelKind::Timeline,
            }),
            options: RunOptions {
                trials: args.sampling.trials,
                seed: args.sampling.seed,
                forcing: Forcing {
                    fail,
                    fail_only: args.fail_only,
                },
            },
            series_step: args.series.as_deref().map(parse_step).transpose()?,
            shard,
            part,
            checkpoint: args.checkpoint,
            sampler: match (args.rare, args.no_rare) {
                (true, _) => Sampler::Rare,
                (_, true) => Sampler::Plain,
                _ => Sampler::Auto,
            },
            threads: args.sampling.threads,
            quiet: args.quiet,
            out,
        })
    }

    /// The job, once the scenario says which model runs; refuses the flags
    /// that the model does not take.
    fn job(&self, scenario: &Scenario) -> Result<Job, InputError> {
        let model = self.model.unwrap_or(scenario.simulation.model);
        check_format(model, self.out.format)?;
        if model == ModelKind::Snapshot && self.series_step.is_some_and(|s| s > 0) {
            return Err(InputError::flag(
                "--series",
                "a time series is for the timeline model (--model timeline)",
            ));
        }
        if model == ModelKind::Timeline && self.sampler == Sampler::Rare {
            return Err(InputError::flag("--rare", "is for the snapshot model"));
        }
        let mut options = self.options.clone();
        // A file's trials are for its own model: a timeline file's 200
        // would be a thin snapshot run, a snapshot file's 200,000 a
        // timeline run of hours. Another model runs its own default.
        if model != scenario.simulation.model && options.trials.is_none() {
            let trials = model.default_trials();
            // (A snapshot `--fail-only` run is one exact trial anyway.)
            let exact = model == ModelKind::Snapshot && options.forcing.fail_only;
            if !self.quiet && !exact {
                eprintln!(
                    "note: the file's trials ({}) are for its {} model; the {} model runs {trials} (--trials N to choose)",
                    scenario.simulation.trials,
                    scenario.simulation.model.as_str(),
                    model.as_str()
                );
            }
            options.trials = Some(trials);
        }
        // The outages of a `--fail-only` timeline run are fixed: a few
        // trials (each with every resolver of every region) give the
        // figures and an interval in seconds.
        if model == ModelKind::Timeline && options.forcing.fail_only && options.trials.is_none() {
            if !self.quiet {
                eprintln!(
                    "note: --fail-only fixes the outages; the timeline model runs {FAIL_ONLY_TRIALS} trials (--trials N to choose)"
                );
            }
            options.trials = Some(FAIL_ONLY_TRIALS);
        }
        Ok(Job {
            model,
            options,
            series_step: self.series_step,
        })
    }

    fn split(&self) -> bool {
        self.shard.is_some() || self.part.is_some() || self.checkpoint.is_some()
    }

    fn owns(&self, block: u64) -> bool {
        self.shard.is_none_or(|s| s.owns(block))
    }
}

/// `--series STEP`: a duration, at least a second; `off` (0 here) for no
/// series even where the scenario's events would record one.
fn parse_step(text: &str) -> Result<u64, InputError> {
    if text == "off" {
        return Ok(0);
    }
    let d = dnsim::duration::parse(text).map_err(|m| InputError::flag("--series", m))?;
    if d.0 < 1000 {
        return Err(InputError::flag(
            "--series",
            format!("the step must be at least 1s, got {d}"),
        ));
    }
    Ok(d.0 / 1000)
}

/// Timeline trials of a `--fail-only` run without `--trials`: two are the
/// fewest an interval needs; ten make it a useful one.
const FAIL_ONLY_TRIALS: u64 = 10;

/// Set by Ctrl-C in a checkpointed run: no new block starts.
static STOP: AtomicBool = AtomicBool::new(false);

pub fn run(args: RunArgs) -> Outcome {
    let gates = Gates::new(&args)?;
    let plan = RunPlan::new(args)?;
    if plan.checkpoint.is_some() {
        // Before any long work, so that Ctrl-C always saves and stops.
        let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst));
    }
    // A part reads only its slice of the services and what they require.
    let (scenario, part) =
        crate::progress::loading(&plan.scenario, plan.quiet, || match plan.part {
            None => dnsim::scenario::load_with(&plan.scenario, &plan.sets, &plan.events)
                .map(|s| (s, None)),
            Some(part) => {
                let slice = |n| dnsim::part::slice(part, n);
                dnsim::scenario::load_part(&plan.scenario, &plan.sets, &slice)
                    .map(|load| dnsim::part::from_load(load, part))
                    .map(|(s, p)| (s, Some(p)))
            }
        })?;
    super::release_freed_memory();
    let job = plan.job(&scenario)?;
    if !plan.events.is_empty() && job.model != ModelKind::Timeline {
        return Err(InputError::flag(
            "--event",
            "an incident in time is for the timeline model (--model timeline); the snapshot model's what-if is --fail ID[@REGION]",
        )
        .into());
    }
    gates.check_model(job.model)?;
    let pool = thread_pool(plan.threads)?;
    let prepared = Prepared::new_part(&scenario, job, part)?;
    // And what compiling the model freed.
    super::release_freed_memory();
    if let Some(chosen_by) = prepared.importance_sampling(plan.sampler, plan.split()) {
        let progress = Progress::trials(prepared.trials(), plan.quiet);
        let report = pool.install(|| prepared.rare_report(chosen_by, &|n| progress.inc(n)));
        progress.finish();
        let report = report.expect("importance sampling is chosen for snapshot jobs only");
        let report = Report::Snapshot(report);
        deliver(&report, &plan.out)?;
        return Ok(gates.verdict(&report));
    }
    let owns = |b: u64| plan.owns(b);
    let trials = prepared.trials_owned(plan.shard);
    // Before any work: a timeline run on course to take long says so.
    let said_long = match (prepared.timeline_work(plan.shard), plan.quiet) {
        (Some((work, pieces)), false) => {
            let cores = (pool.current_num_threads() as u64).min(pieces.max(1));
            progress::estimate_timeline(work, cores)
        }
        _ => false,
    };
    let mut progress = Progress::trials(trials, plan.quiet);
    if said_long {
        progress = progress.warned();
    }
    let counts = match &plan.checkpoint {
        None => pool.install(|| prepared.counts(&owns, &|n| progress.inc(n))),
        Some(path) => {
            let trials_in =
                |b: u64| (b < prepared.blocks() && plan.owns(b)).then(|| prepared.trials_in(b));
            let of = Resumable {
                run: prepared.run_id(&plan.scenario, &plan.sets, &plan.events),
                shard: plan.shard,
                empty: prepared.empty(),
                trials_in: &trials_in,
            };
            let checkpoint = Checkpoint::open(path, of, &STOP, hold_after())?;
            let done = pool.install(|| {
                counts_checkpointed(&prepared, &owns, &|n| progress.inc(n), &checkpoint)
            })?;
            let Some(counts) = done else {
                progress.finish();
                eprintln!(
                    "interrupted: {} blocks finished and saved in {}; run the same command again to resume",
                    checkpoint.done_count(),
                    path.display()
                );
                return Ok(Exit::Interrupted);
            };
            counts
        }
    };
    progress.finish();
    super::release_freed_memory();
    match (plan.shard, plan.part) {
        (Some(_), _) | (_, Some(_)) => {
            let whole = Shard { index: 1, count: 1 };
            write_partial(&plan, &prepared, plan.shard.unwrap_or(whole), counts)?;
            Ok(Exit::Success)
        }
        (None, None) => {
            // A snapshot run's rows are made only as far as they are read:
            // JSON writes them as it makes them, a table (the default) makes
            // the `--top` it shows, so that a plan of millions never holds
            // them all. Pages, `--only` and `--min-nines` read every row.
            if plan.out.html.is_none()
                && !gates.reads_rows()
                && let Some(report) = prepared.snapshot_report(&counts)?
            {
                let report = match plan.out.format {
                    Some(Format::Json) => {
                        let (summary, rows) = report.without_services();
                        emit(plan.out.path.as_deref(), |w| {
                            dnsim::report::write_json_rows(&summary, &rows, w)
                        })?;
                        return Ok(gates.verdict(&Report::Snapshot(summary)));
                    }
                    None | Some(Format::Table) if plan.out.only.is_empty() => {
                        let top = plan.out.top.unwrap_or(Table::DEFAULT_TOP);
                        report.map_services(|rows| rows.first(top))
                    }
                    _ => report.collected(),
                };
                let report = Report::Snapshot(report);
                deliver(&report, &plan.out)?;
                return Ok(gates.verdict(&report));
            }
            let report = prepared.report(&counts)?;
            deliver(&report, &plan.out)?;
            Ok(gates.verdict(&report))
        }
    }
}

/// The test suite's switch `DNSIM_TEST_HOLD_AFTER_BLOCKS=K`: hold a
/// checkpointed run after K blocks so that a test can interrupt it at a known
/// point. Only in debug builds (the ones `cargo test` runs); a release build
/// ignores the variable.
fn hold_after() -> Option<u64> {
    if cfg!(debug_assertions) {
        std::env::var("DNSIM_TEST_HOLD_AFTER_BLOCKS")
            .ok()
            .and_then(|v| v.parse().ok())
    } else {
        None
    }
}

/// A shard's result: its counts and what identifies the run, for `merge`.
fn write_partial(
    plan: &RunPlan,
    prepared: &Prepared,
    shard: Shard,
    counts: Counts,
) -> anyhow::Result<()> {
    let part = Partial {
        dnsim_partial: PARTIAL_FORMAT,
        run: prepared.run_id(&plan.scenario, &plan.sets, &plan.events),
        shard,
        part: prepared.part_slice(),
        counts,
    };
    emit(plan.out.path.as_deref(), |out| {
        dnsim::report::write_json_line(&part, out)
    })?;
    Ok(())
}
