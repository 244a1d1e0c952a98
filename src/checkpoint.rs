//! `--checkpoint FILE`: long runs that survive interruption.
//!
//! Finished blocks of trials are kept apart from the ones still to run: the
//! file holds the finished blocks, as ranges of the run's (or the shard's)
//! own block numbers, and the sum of their counts, and is rewritten
//! atomically every few seconds and when the run stops. Blocks finish
//! nearly in order, so the ranges stay few however long the run. A rerun with the same file skips the finished blocks; since counts
//! are integers that add up in any order, the result is byte for byte that
//! of an uninterrupted run. Ctrl-C asks the run to stop: blocks in flight
//! finish, the file is saved, and dnsim exits with code 130.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::shard::{Counts, RunId, Shard};

pub const CHECKPOINT_FORMAT: u32 = 2;

/// How often a running checkpoint is saved.
const SAVE_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    dnsim_checkpoint: u32,
    #[serde(flatten)]
    run: RunId,
    shard: Option<Shard>,
    /// Finished blocks (in the timeline model, trials): half-open ranges
    /// `[from, to)` of the run's own block numbers (a shard's i-th block
    /// is its number i), in order.
    done: Vec<[u64; 2]>,
    counts: Counts,
}

struct State {
    done: Ranges,
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
            done: Ranges::default(),
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
            let mut after = 0;
            for &[from, to] in &file.done {
                if from < after || to <= from {
                    return Err(InputError::new(format!(
                        "its finished blocks are not ranges in order ([{from}, {to}) after block {after}); remove it to start again"
                    ))
                    .in_file(path));
                }
                after = to;
                // Every block has the same trials but the run's last.
                let trials_of = |i: u64| {
                    let b = block_of(shard, i);
                    trials_in(b).ok_or_else(|| other(format!("block {b} is not one of this run's")))
                };
                let (first, last) = (trials_of(from)?, trials_of(to - 1)?);
                let n = (to - from - 1).saturating_mul(first).saturating_add(last);
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
            for [from, to] in file.done {
                state.done.insert_range(from, to);
            }
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
        self.lock().done.contains(own_number(self.shard, block))
    }

    /// How many blocks are finished.
    pub fn done_count(&self) -> u64 {
        self.lock().done.len
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
        state.done.insert_range(
            own_number(self.shard, block),
            own_number(self.shard, block) + 1,
        );
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
            done: state.done.ranges(),
            counts: state.counts.clone(),
        };
        crate::output::write_atomic(&self.path, "--checkpoint", |out| {
            crate::report::write_json_line(&file, out)
        })?;
        state.last_save = Instant::now();
        Ok(())
    }

    /// The counts of every finished block.
    pub fn counts(&self) -> Counts {
        self.lock().counts.clone()
    }
}

/// Block `b`'s number among the run's (or the shard's) own blocks.
fn own_number(shard: Option<Shard>, b: u64) -> u64 {
    shard.map_or(b, |s| b / s.count)
}

/// The block whose own number is `i`.
fn block_of(shard: Option<Shard>, i: u64) -> u64 {
    shard.map_or(i, |s| {
        (s.index - 1).saturating_add(i.saturating_mul(s.count))
    })
}

/// A set of block numbers as disjoint, non-adjacent half-open ranges.
#[derive(Default)]
struct Ranges {
    /// Start → end.
    map: BTreeMap<u64, u64>,
    /// How many numbers the ranges hold.
    len: u64,
}

impl Ranges {
    fn contains(&self, i: u64) -> bool {
        self.map
            .range(..=i)
            .next_back()
            .is_some_and(|(_, &end)| i < end)
    }

    /// Adds `[from, to)`, which the caller guarantees holds none of the
    /// set's numbers, merging it with the ranges it touches.
    fn insert_range(&mut self, from: u64, to: u64) {
        if from >= to || self.contains(from) {
            return;
        }
        let (mut start, mut end) = (from, to);
        if let Some((&s, &e)) = self.map.range(..from).next_back()
            && e == from
        {
            start = s;
        }
        if let Some(e) = self.map.remove(&to) {
            end = e;
        }
        self.map.insert(start, end);
        self.len += to - from;
    }

    fn ranges(&self) -> Vec<[u64; 2]> {
        self.map.iter().map(|(&s, &e)| [s, e]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_as_blocks_finish_in_any_order() {
        let mut r = Ranges::default();
        for i in [3, 0, 1, 7, 2, 5, 6] {
            r.insert_range(i, i + 1);
        }
        assert_eq!(r.ranges(), [[0, 4], [5, 8]]);
        assert_eq!(r.len, 7);
        assert!(r.contains(3) && r.contains(5) && !r.contains(4) && !r.contains(8));
        r.insert_range(4, 5);
        assert_eq!(r.ranges(), [[0, 8]]);
        r.insert_range(2, 3);
        assert_eq!(r.len, 8, "a number already held is not counted twice");
    }

    #[test]
    fn own_numbers_and_blocks_are_inverse() {
        let shard = Some(Shard { index: 3, count: 4 });
        for i in 0..10 {
            assert_eq!(own_number(shard, block_of(shard, i)), i);
            assert_eq!(own_number(None, block_of(None, i)), i);
        }
    }
}
