//! A run from a loaded scenario to its report, for either model, whole or
//! in shards: compile, count (all blocks, or a shard's), turn counts into a
//! report. A single run and a merge of shards go through the same
//! [`report`], so they give the same bytes.

use rayon::prelude::*;

use crate::checkpoint::Checkpoint;
use crate::engine::{self, RunConfig, Tally};
use crate::error::InputError;
use crate::model::{Forcing, Model};
use crate::report::Report;
use crate::results::{self, RunInfo, SnapshotReport};
use crate::scenario::{ModelKind, Scenario};
use crate::shard::Counts;
use crate::timeline::results::TimelineReport;
use crate::timeline::{TimelineModel, TimelineTally};

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `simulation.trials`.
    pub trials: Option<u64>,
    /// Overrides `simulation.seed`.
    pub seed: Option<u64>,
    pub forcing: Forcing,
}

/// Everything that decides a run's numbers, besides the scenario.
#[derive(Debug, Clone)]
pub struct Job {
    pub model: ModelKind,
    pub options: RunOptions,
    /// Timeline: `--series` step in seconds.
    pub series_step: Option<u64>,
}

impl Job {
    pub fn seed(&self, scenario: &Scenario) -> u64 {
        self.options.seed.unwrap_or(scenario.simulation.seed)
    }

    /// The trials the run will hold: one in a snapshot where every event is
    /// certain (`--fail-only`), which is then exact.
    pub fn trials(&self, scenario: &Scenario) -> Result<u64, InputError> {
        let asked = self.options.trials.unwrap_or(scenario.simulation.trials);
        Ok(match self.model {
            ModelKind::Snapshot if Model::compile(scenario, &self.options.forcing)?.exact => 1,
            _ => asked,
        })
    }
}

/// The trial count a snapshot run will use: one when every event is certain.
pub fn planned_trials(scenario: &Scenario, model: &Model, options: &RunOptions) -> u64 {
    if model.exact {
        1
    } else {
        options.trials.unwrap_or(scenario.simulation.trials)
    }
}

/// Runs the blocks of trials that `owns` selects (all, for a whole run).
pub fn counts(
    scenario: &Scenario,
    job: &Job,
    owns: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Counts, InputError> {
    let seed = job.seed(scenario);
    let trials = job.trials(scenario)?;
    Ok(match job.model {
        ModelKind::Snapshot => {
            let model = Model::compile(scenario, &job.options.forcing)?;
            Counts::Snapshot(engine::run_blocks(
                &model,
                RunConfig { trials, seed },
                owns,
                progress,
            ))
        }
        ModelKind::Timeline => {
            let model = timeline_model(scenario, job)?;
            Counts::Timeline(model.run_trials(trials, owns, progress).counts())
        }
    })
}

fn timeline_model<'a>(scenario: &'a Scenario, job: &Job) -> Result<TimelineModel<'a>, InputError> {
    let f = &job.options.forcing;
    TimelineModel::compile(
        scenario,
        job.seed(scenario),
        &f.fail,
        f.fail_only,
        job.series_step,
    )
}

/// Turns counts (a whole run's, or the sum of its shards') into the report.
pub fn report(scenario: &Scenario, job: &Job, counts: &Counts) -> Result<Report, InputError> {
    let seed = job.seed(scenario);
    let mismatch =
        || InputError::new("the counts do not fit this scenario (a part file from another plan?)");
    match (job.model, counts) {
        (ModelKind::Snapshot, Counts::Snapshot(tally)) => {
            let model = Model::compile(scenario, &job.options.forcing)?;
            if !tally_fits(tally, &model) {
                return Err(mismatch());
            }
            Ok(Report::Snapshot(snapshot_report(
                scenario, &model, job, seed, tally,
            )))
        }
        (ModelKind::Timeline, Counts::Timeline(c)) => {
            let model = timeline_model(scenario, job)?;
            let mut tally = TimelineTally::new(&model);
            tally.add_counts(c).ok_or_else(mismatch)?;
            Ok(Report::Timeline(crate::timeline::results::timeline(
                &model,
                &tally,
                seed,
                &job.options.forcing.fail,
            )))
        }
        _ => Err(mismatch()),
    }
}

fn tally_fits(tally: &Tally, model: &Model) -> bool {
    let empty = Tally::new(model);
    tally.regions == empty.regions
        && tally.down.len() == empty.down.len()
        && tally.joint.len() == empty.joint.len()
        && tally.any.len() == empty.any.len()
}

fn snapshot_report(
    scenario: &Scenario,
    model: &Model,
    job: &Job,
    seed: u64,
    tally: &Tally,
) -> SnapshotReport {
    let single = engine::eval::single_failures(model);
    results::snapshot(
        scenario,
        model,
        tally,
        &single,
        &RunInfo {
            seed,
            fail: &job.options.forcing.fail,
        },
    )
}

/// A whole snapshot run (the library's shortcut, for tests and benches).
pub fn snapshot(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SnapshotReport, InputError> {
    let model = Model::compile(scenario, &options.forcing)?;
    Ok(snapshot_compiled(scenario, &model, options, progress))
}

pub fn snapshot_compiled(
    scenario: &Scenario,
    model: &Model,
    options: &RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> SnapshotReport {
    let job = Job {
        model: ModelKind::Snapshot,
        options: options.clone(),
        series_step: None,
    };
    let seed = job.seed(scenario);
    let trials = planned_trials(scenario, model, options);
    let tally = engine::run(model, RunConfig { trials, seed }, progress);
    snapshot_report(scenario, model, &job, seed, &tally)
}

/// A whole timeline run (the library's shortcut, for tests and benches).
pub fn timeline(
    scenario: &Scenario,
    options: &RunOptions,
    series_step: Option<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TimelineReport, InputError> {
    let job = Job {
        model: ModelKind::Timeline,
        options: options.clone(),
        series_step,
    };
    match report(
        scenario,
        &job,
        &counts(scenario, &job, &|_| true, progress)?,
    )? {
        Report::Timeline(r) => Ok(r),
        Report::Snapshot(_) => unreachable!("a timeline job reports a timeline"),
    }
}

/// Runs the blocks that `owns` selects and the checkpoint does not hold yet,
/// recording each as it finishes. Returns every owned block's counts, or
/// `None` when the run was stopped first (the checkpoint is saved either
/// way).
pub fn counts_checkpointed(
    scenario: &Scenario,
    job: &Job,
    owns: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
    checkpoint: &Checkpoint,
) -> anyhow::Result<Option<Counts>> {
    let seed = job.seed(scenario);
    let trials = job.trials(scenario)?;
    let blocks = match job.model {
        ModelKind::Snapshot => engine::block_count(trials),
        ModelKind::Timeline => trials,
    };
    let todo: Vec<u64> = (0..blocks)
        .filter(|&b| owns(b) && !checkpoint.is_done(b))
        .collect();
    let each = |run_block: &(dyn Fn(u64) -> (Counts, u64) + Sync)| {
        todo.par_iter().try_for_each(|&b| -> anyhow::Result<()> {
            if checkpoint.may_start() {
                let (counts, n) = run_block(b);
                checkpoint.record(b, &counts)?;
                progress(n);
            }
            Ok(())
        })
    };
    match job.model {
        ModelKind::Snapshot => {
            let model = Model::compile(scenario, &job.options.forcing)?;
            let keys = engine::stream_keys(&model, seed);
            each(&|b| {
                (
                    Counts::Snapshot(engine::block_tally(&model, &keys, b, trials)),
                    engine::trials_in_block(trials, b),
                )
            })?;
        }
        ModelKind::Timeline => {
            let model = timeline_model(scenario, job)?;
            each(&|b| (Counts::Timeline(model.trial_counts(b)), 1))?;
        }
    }
    checkpoint.save()?;
    Ok(todo
        .iter()
        .all(|&b| checkpoint.is_done(b))
        .then(|| checkpoint.counts()))
}
