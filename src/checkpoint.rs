//! `--checkpoint FILE`: long runs that survive interruption.
//!
//! Finished blocks of trials are kept apart from the ones still to run: the
//! file holds the indices of the finished blocks and the sum of their
//! counts, and is rewritten atomically every few seconds and when the run
//! stops. A rerun with the same file skips the finished blocks; since counts
//! are integers that add up in any order, the result is byte for byte that
//! of an uninterrupted run. Ctrl-C asks the run to stop: blocks in flight
//! finish, the file is saved, and dnsim exits with code 130.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::shard::{Counts, RunId, Shard};

pub const CHECKPOINT_FORMAT: u32 = 1;

/// How often a running checkpoint is saved.
const SAVE_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    dnsim_checkpoint: u32,
    #[serde(flatten)]
    run: RunId,
    shard: Option<Shard>,
    /// Finished blocks (in the timeline model, trials).
    done: Vec<u64>,
    counts: Counts,
}

struct State {
    done: BTreeSet<u64>,
    counts: Counts,
    last_save: Instant,
}

pub struct Checkpoint {
    path: PathBuf,
    run: RunId,
    shard: Option<Shard>,
    state: Mutex<State>,
    /// Set by Ctrl-C (or the test switch): start no new block.
    pub stop: &'static AtomicBool,
    finished_here: AtomicU64,
    /// For tests: after this many blocks in this process, save after each
    /// block and start no new one until stopped, so that a test can
    /// interrupt the run at a known point.
    hold_after: Option<u64>,
}

/// The run a checkpoint belongs to, for [`Checkpoint::open`].
pub struct Resumable<'a> {
    pub run: RunId,
    pub shard: Option<Shard>,
    /// Counts of no block, shaped for the plan.
    pub empty: Counts,
    /// The trials of block `b` when the run (or its shard) has it.
    pub trials_in: &'a dyn Fn(u64) -> Option<u64>,
}

impl Checkpoint {
    /// Opens `path`: resumes it when it exists, else starts from `empty`
    /// counts. A checkpoint of another run, or whose counts cannot be its
    /// finished blocks', is an input error. `hold_after` is for tests (see
    /// the field); runs pass `None`.
    pub fn open(
        path: &Path,
        of: Resumable,
        stop: &'static AtomicBool,
        hold_after: Option<u64>,
    ) -> Result<Checkpoint, InputError> {
        let Resumable {
            run,
            shard,
            empty,
            trials_in,
        } = of;
        let mut state = State {
            done: BTreeSet::new(),
            counts: empty,
            last_save: Instant::now(),
        };
        if path.exists() {
            let text = crate::files::read_state(path, "checkpoint")?;
            let file: File = serde_json::from_str(&text).map_err(|e| {
                InputError::new(format!("not a dnsim checkpoint (or a damaged one): {e}"))
                    .in_file(path)
                    .at(e.line(), e.column())
            })?;
            if file.dnsim_checkpoint != CHECKPOINT_FORMAT {
                return Err(InputError::new(format!(
                    "checkpoint format {} is not the {CHECKPOINT_FORMAT} this dnsim reads",
                    file.dnsim_checkpoint
                ))
                .in_file(path));
            }
            let other = |what: String| {
                InputError::new(format!("this checkpoint is from another run ({what}); remove it or give another --checkpoint file")).in_file(path)
            };
            if let Some(what) = file.run.difference(&run) {
                return Err(other(what));
            }
            if file.shard != shard {
                return Err(other("another shard".into()));
            }
            let mut trials = 0u64;
            for &b in &file.done {
                let n = trials_in(b)
                    .ok_or_else(|| other(format!("block {b} is not one of this run's")))?;
                trials = trials.saturating_add(n);
            }
            if let Err(why) = file.counts.check(trials) {
                return Err(InputError::new(format!(
                    "this checkpoint's counts cannot be its finished blocks': {why}; remove it to start again"
                ))
                .in_file(path));
            }
            if !state.counts.add(&file.counts) {
                return Err(other("its counts do not fit this plan".into()));
            }
            state.done = file.done.into_iter().collect();
        }
        Ok(Checkpoint {
            path: path.to_path_buf(),
            run,
            shard,
            state: Mutex::new(state),
            stop,
            finished_here: AtomicU64::new(0),
            hold_after,
        })
    }

    pub fn is_done(&self, block: u64) -> bool {
        self.lock().done.contains(&block)
    }

    pub fn done_count(&self) -> usize {
        self.lock().done.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a worker may start another block; waits while the test
    /// switch holds the run.
    pub fn may_start(&self) -> bool {
        while self
            .hold_after
            .is_some_and(|k| self.finished_here.load(Ordering::SeqCst) >= k)
            && !self.stop.load(Ordering::SeqCst)
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        !self.stop.load(Ordering::SeqCst)
    }

    /// Adds a finished block's counts; saves when it is time.
    pub fn record(&self, block: u64, counts: &Counts) -> crate::error::Result<()> {
        let mut state = self.lock();
        if !state.counts.add(counts) {
            return Err(crate::error::Error::Internal(
                "a block's counts do not fit the run's",
            ));
        }
        state.done.insert(block);
        self.finished_here.fetch_add(1, Ordering::SeqCst);
        if self.hold_after.is_some() || state.last_save.elapsed() >= SAVE_EVERY {
            self.save_locked(&mut state)?;
        }
        Ok(())
    }

    pub fn save(&self) -> crate::error::Result<()> {
        let mut state = self.lock();
        self.save_locked(&mut state)
    }

    fn save_locked(&self, state: &mut State) -> crate::error::Result<()> {
        let file = File {
            dnsim_checkpoint: CHECKPOINT_FORMAT,
            run: self.run.clone(),
            shard: self.shard,
            done: state.done.iter().copied().collect(),
            counts: state.counts.clone(),
        };
        crate::output::write_atomic(&self.path, "--checkpoint", |out| {
            serde_json::to_writer(&mut *out, &file)?;
            writeln!(out)
        })?;
        state.last_save = Instant::now();
        Ok(())
    }

    /// The counts of every finished block.
    pub fn counts(&self) -> Counts {
        self.lock().counts.clone()
    }
}
