//! A run from a loaded scenario to its report, for either model, whole or
//! in shards: compile, count (all blocks, or a shard's), turn counts into a
//! report. A single run and a merge of shards go through the same
//! [`report`], so they give the same bytes.

use std::path::Path;

use rayon::prelude::*;

use crate::checkpoint::Checkpoint;
use crate::engine::rare::{self, Bias};
use crate::engine::summary::{self, RunInfo};
use crate::engine::{self, RunConfig, Tally};
use crate::error::InputError;
use crate::forcing::{FailSpec, Forcing};
use crate::model::Model;
use crate::part::{PartPlan, part_slice};
use crate::results::{ChosenBy, Report, SnapshotReport, TimelineReport, VERSION};
use crate::scenario::{ModelKind, Scenario};
use crate::shard::{Counts, PartSlice, RunId, Shard};
use crate::timeline::{TimelineCounts, TimelineModel, TimelineTally};

/// What the flags ask of a snapshot run's sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sampler {
    /// Importance sampling where plain sampling would see almost nothing.
    #[default]
    Auto,
    /// Importance sampling (`--rare`).
    Rare,
    /// Plain sampling (`--no-rare`).
    Plain,
}

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
}

/// The trial count a snapshot run will use: one when every event is certain.
pub fn planned_trials(scenario: &Scenario, model: &Model, options: &RunOptions) -> u64 {
    if model.exact {
        1
    } else {
        options.trials.unwrap_or(scenario.simulation.trials)
    }
}

enum Compiled<'a> {
    Snapshot { model: Model, keys: Vec<[u8; 32]> },
    Timeline(TimelineModel<'a>),
}

/// A job compiled against its scenario, once: what a whole run, a shard, a
/// checkpointed run and a merge all start from.
pub struct Prepared<'a> {
    scenario: &'a Scenario,
    job: Job,
    seed: u64,
    trials: u64,
    compiled: Compiled<'a>,
    part: Option<PartPlan>,
}

impl<'a> Prepared<'a> {
    pub fn new(scenario: &'a Scenario, job: Job) -> Result<Prepared<'a>, InputError> {
        Prepared::new_part(scenario, job, None)
    }

    /// A part's job (`--part`): `scenario` is the part's (see
    /// [`crate::part::restrict`]).
    pub fn new_part(
        scenario: &'a Scenario,
        job: Job,
        part: Option<PartPlan>,
    ) -> Result<Prepared<'a>, InputError> {
        let seed = job.seed(scenario);
        let (compiled, trials) = match job.model {
            ModelKind::Snapshot => {
                let model = Model::compile_part(
                    scenario,
                    &job.options.forcing,
                    part.as_ref().map(|p| &p.slice),
                )?;
                let trials = planned_trials(scenario, &model, &job.options);
                let keys = engine::stream_keys(&model, seed);
                (Compiled::Snapshot { model, keys }, trials)
            }
            ModelKind::Timeline => {
                let mut model =
                    TimelineModel::compile(scenario, seed, &job.options.forcing, job.series_step)?;
                if let Some(p) = &part {
                    let n = scenario.services.len();
                    model.count_only((0..n).map(|s| p.slice.counts(s)).collect());
                }
                (
                    Compiled::Timeline(model),
                    job.options.trials.unwrap_or(scenario.simulation.trials),
                )
            }
        };
        Ok(Prepared {
            scenario,
            job,
            seed,
            trials,
            compiled,
            part,
        })
    }

    /// A part's slice and its services' nodes (a snapshot's), for its file.
    pub fn part_slice(&self) -> Option<PartSlice> {
        let part = self.part.as_ref()?;
        Some(match self.snapshot_model() {
            Some(model) => part_slice(part, model),
            None => PartSlice {
                part: part.part,
                service_node: Vec::new(),
            },
        })
    }

    /// A timeline part's counts as its file holds them: its counted
    /// services' rows alone (`timeline::parts`).
    fn timeline_part(&self, counts: TimelineCounts) -> TimelineCounts {
        match &self.part {
            None => counts,
            Some(p) => {
                let counted: Vec<usize> = (0..self.scenario.services.len())
                    .filter(|&s| p.slice.counts(s))
                    .collect();
                counts.of_services(&counted, self.scenario.regions.len())
            }
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The compiled snapshot model (`None` for a timeline job).
    pub fn snapshot_model(&self) -> Option<&Model> {
        match &self.compiled {
            Compiled::Snapshot { model, .. } => Some(model),
            Compiled::Timeline(_) => None,
        }
    }

    /// Whether this run samples by importance, and why. `split` runs
    /// (shards, checkpoints) never choose it automatically: their parts add
    /// integer counts, and weighted sums would be added in another order.
    pub fn importance_sampling(&self, asked: Sampler, split: bool) -> Option<ChosenBy> {
        let model = self.snapshot_model()?;
        match asked {
            Sampler::Rare => Some(ChosenBy::Flag),
            Sampler::Auto if !split && rare::worth_it(model, self.trials) => Some(ChosenBy::Auto),
            _ => None,
        }
    }

    /// What identifies this run, for shards and checkpoints; `fail` as the
    /// user typed it.
    pub fn run_id(&self, scenario_path: &Path, set: &[String], event: &[String]) -> RunId {
        let forcing = &self.job.options.forcing;
        RunId {
            dnsim: VERSION.to_string(),
            model: self.job.model,
            scenario_path: scenario_path.to_path_buf(),
            scenario_hash: self.scenario.content_hash.clone(),
            seed: self.seed,
            trials: self.trials,
            fail: forcing.fail.iter().map(|f| f.to_string()).collect(),
            fail_only: forcing.fail_only,
            series_step: self.job.series_step,
            set: set.to_vec(),
            event: event.to_vec(),
        }
    }

    /// Trials in the blocks of `shard` (all, for a whole run): a shard's
    /// share of the progress bar. Counted, not summed block by block (a
    /// run of 10¹⁵ trials has 10¹¹ blocks).
    pub fn trials_owned(&self, shard: Option<Shard>) -> u64 {
        let Some(s) = shard else {
            return self.trials;
        };
        let blocks = self.blocks();
        let first = s.index - 1;
        if blocks <= first {
            return 0;
        }
        // Blocks first, first + N, …: every one full but perhaps the run's
        // last.
        let owned = (blocks - first).div_ceil(s.count);
        let last = first + (owned - 1) * s.count;
        (owned - 1) * self.trials_in(first) + self.trials_in(last)
    }

    /// A whole snapshot run with importance sampling (`--rare`); `chosen_by`
    /// says why, in the report. `None` for a timeline job.
    pub fn rare_report(
        &self,
        chosen_by: ChosenBy,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Option<SnapshotReport> {
        let model = self.snapshot_model()?;
        let bias = Bias::new(model);
        let tally = rare::run(
            model,
            &bias,
            RunConfig {
                trials: self.trials,
                seed: self.seed,
            },
            progress,
        );
        Some(summary::snapshot_rare(
            self.scenario,
            model,
            &tally,
            &bias,
            chosen_by,
            engine::eval::single_failure_totals(model),
            &RunInfo {
                seed: self.seed,
                fail: &self.job.options.forcing.fail,
            },
        ))
    }

    /// The trials the run holds: one in a snapshot where every event is
    /// certain (`--fail-only`), which is then exact.
    /// Timeline runs: the expected lookup steps of the trials `shard` runs,
    /// estimated before any of them (`timeline::cost`), and how many
    /// threads those trials can keep busy at most (a trial's components,
    /// and a large one's resolvers, run in parallel).
    pub fn timeline_work(&self, shard: Option<Shard>) -> Option<(f64, u64)> {
        match &self.compiled {
            Compiled::Timeline(m) => {
                let trials = self.trials_owned(shard);
                let pieces = m.pieces_per_trial().saturating_mul(trials);
                Some((m.work_per_trial() * trials as f64, pieces))
            }
            Compiled::Snapshot { .. } => None,
        }
    }

    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Blocks of trials: the unit that shards and checkpoints deal in.
    pub fn blocks(&self) -> u64 {
        match self.compiled {
            Compiled::Snapshot { .. } => engine::block_count(self.trials),
            Compiled::Timeline(_) => self.trials,
        }
    }

    /// Trials in block `b` (the progress bar's unit).
    pub fn trials_in(&self, b: u64) -> u64 {
        match self.compiled {
            Compiled::Snapshot { .. } => engine::trials_in_block(self.trials, b),
            Compiled::Timeline(_) => 1,
        }
    }

    /// Runs the blocks that `owns` selects (all, for a whole run).
    pub fn counts(
        &self,
        owns: &(dyn Fn(u64) -> bool + Sync),
        progress: &(dyn Fn(u64) + Sync),
    ) -> Counts {
        match &self.compiled {
            Compiled::Snapshot { model, .. } => Counts::Snapshot(engine::run_blocks(
                model,
                RunConfig {
                    trials: self.trials,
                    seed: self.seed,
                },
                owns,
                progress,
            )),
            Compiled::Timeline(model) => Counts::Timeline(
                self.timeline_part(model.run_trials(self.trials, owns, progress).counts),
            ),
        }
    }

    /// Counts of no block at all, shaped for this plan.
    pub fn empty(&self) -> Counts {
        self.counts(&|_| false, &|_| {})
    }

    /// The counts of block `b` alone.
    pub fn block_counts(&self, b: u64) -> Counts {
        match &self.compiled {
            Compiled::Snapshot { model, keys } => {
                Counts::Snapshot(engine::block_tally(model, keys, b, self.trials))
            }
            Compiled::Timeline(model) => {
                Counts::Timeline(self.timeline_part(model.trial_counts(b)))
            }
        }
    }

    /// Turns counts (a whole run's, or the sum of its shards') into the
    /// report.
    pub fn report(&self, counts: &Counts) -> Result<Report, InputError> {
        if let Some(report) = self.snapshot_report(counts)? {
            return Ok(Report::Snapshot(report.collected()));
        }
        match (&self.compiled, counts) {
            (Compiled::Timeline(model), Counts::Timeline(c)) => {
                let mut tally = TimelineTally::new(model);
                if !tally.counts.add(c) {
                    return Err(counts_mismatch());
                }
                Ok(Report::Timeline(crate::timeline::summary::timeline(
                    model,
                    &tally,
                    self.seed,
                    &self.job.options.forcing.fail,
                )))
            }
            _ => Err(counts_mismatch()),
        }
    }

    /// A snapshot run's report with its rows made as they are written
    /// ([`summary::Rows`]); `None` for a timeline run.
    pub fn snapshot_report(
        &self,
        counts: &Counts,
    ) -> Result<Option<SnapshotReport<summary::Rows<'_>>>, InputError> {
        let Compiled::Snapshot { model, .. } = &self.compiled else {
            return Ok(None);
        };
        match counts {
            Counts::Snapshot(tally) if tally_fits(tally, model) => Ok(Some(snapshot_report(
                self.scenario,
                model,
                &self.job,
                self.seed,
                tally,
            ))),
            _ => Err(counts_mismatch()),
        }
    }
}

fn counts_mismatch() -> InputError {
    InputError::new("the counts do not fit this scenario (a part file from another plan?)")
}

fn tally_fits(tally: &Tally, model: &Model) -> bool {
    let empty = Tally::new(model);
    tally.regions == empty.regions
        && tally.down.len() == empty.down.len()
        && tally.joint.len() == empty.joint.len()
        && tally.any.len() == empty.any.len()
}

fn snapshot_report<'a>(
    scenario: &'a Scenario,
    model: &'a Model,
    job: &Job,
    seed: u64,
    tally: &Tally,
) -> SnapshotReport<summary::Rows<'a>> {
    let single = engine::eval::single_failure_totals(model);
    summary::snapshot(
        scenario,
        model,
        tally,
        single,
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
    snapshot_report(scenario, model, &job, seed, &tally).collected()
}

/// A whole timeline run (the library's shortcut, for tests and benches).
pub fn timeline(
    scenario: &Scenario,
    options: &RunOptions,
    series_step: Option<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<TimelineReport, InputError> {
    let prepared = Prepared::new(
        scenario,
        Job {
            model: ModelKind::Timeline,
            options: options.clone(),
            series_step,
        },
    )?;
    match prepared.report(&prepared.counts(&|_| true, progress))? {
        Report::Timeline(r) => Ok(r),
        Report::Snapshot(_) => unreachable!("a timeline job reports a timeline"),
    }
}

/// Runs the blocks that `owns` selects and the checkpoint does not hold yet,
/// recording each as it finishes. Returns every owned block's counts, or
/// `None` when the run was stopped first (the checkpoint is saved either
/// way).
pub fn counts_checkpointed(
    prepared: &Prepared,
    owns: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
    checkpoint: &Checkpoint,
) -> crate::error::Result<Option<Counts>> {
    // No list of blocks: a run of 4·10¹² trials has 10⁹ of them.
    (0..prepared.blocks())
        .into_par_iter()
        .filter(|&b| owns(b) && !checkpoint.is_done(b))
        .try_for_each(|b| -> crate::error::Result<()> {
            if checkpoint.may_start() {
                checkpoint.record(b, &prepared.block_counts(b))?;
                progress(prepared.trials_in(b));
            }
            Ok(())
        })?;
    checkpoint.save()?;
    // The checkpoint holds only owned blocks (checked when it was opened).
    let owned = (0..prepared.blocks()).filter(|&b| owns(b)).count() as u64;
    Ok((checkpoint.done_count() == owned).then(|| checkpoint.counts()))
}

/// The job a recorded run was.
pub(crate) fn job_of(run: &RunId) -> Result<Job, InputError> {
    let fail = run
        .fail
        .iter()
        .map(|f| FailSpec::parse(f))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Job {
        model: run.model,
        options: RunOptions {
            trials: Some(run.trials),
            seed: Some(run.seed),
            forcing: Forcing {
                fail,
                fail_only: run.fail_only,
            },
        },
        series_step: run.series_step,
    })
}
