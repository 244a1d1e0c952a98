//! One snapshot run from a loaded scenario to its report: compile, sample,
//! evaluate single failures, summarise.

use crate::engine::{self, RunConfig};
use crate::error::InputError;
use crate::model::{Forcing, Model};
use crate::results::{self, RunInfo, SnapshotReport};
use crate::scenario::Scenario;
use crate::timeline::TimelineModel;
use crate::timeline::results::TimelineReport;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Overrides `simulation.trials`.
    pub trials: Option<u64>,
    /// Overrides `simulation.seed`.
    pub seed: Option<u64>,
    pub forcing: Forcing,
}

/// The trial count a run will use: one when every event is certain.
pub fn planned_trials(scenario: &Scenario, model: &Model, options: &RunOptions) -> u64 {
    if model.exact {
        1
    } else {
        options.trials.unwrap_or(scenario.simulation.trials)
    }
}

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
    let trials = planned_trials(scenario, model, options);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let tally = engine::run(model, RunConfig { trials, seed }, progress);
    let single = engine::eval::single_failures(model);
    results::snapshot(
        scenario,
        model,
        &tally,
        &single,
        &RunInfo {
            seed,
            fail: &options.forcing.fail,
        },
    )
}

/// A timeline run: compile, simulate the trials, summarise.
pub fn timeline(
    scenario: &Scenario,
    options: &RunOptions,
    series_step: Option<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TimelineReport, InputError> {
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let trials = options.trials.unwrap_or(scenario.simulation.trials);
    let model = TimelineModel::compile(
        scenario,
        seed,
        &options.forcing.fail,
        options.forcing.fail_only,
        series_step,
    )?;
    let tally = model.run(trials, progress);
    Ok(crate::timeline::results::timeline(
        &model,
        &tally,
        seed,
        &options.forcing.fail,
    ))
}
