//! The snapshot Monte Carlo engine (spec §2, §5).
//!
//! Trials run in fixed blocks of [`BLOCK_TRIALS`]. For each block every
//! event's states are drawn from its own stream (`sample`), then evaluated
//! 64 trials a word (`eval`), and counted into a [`Tally`] of integers. Blocks
//! run in parallel on rayon's pool; tallies merge by addition, so the result
//! is the same whatever the thread count or the order blocks finish in.
//!
//! The engine does no I/O and knows nothing of flags or formats: it reports
//! progress through a callback.

pub mod eval;
pub mod rare;
pub mod sample;
pub mod scalar;
pub mod summary;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::model::Model;
pub use sample::{BLOCK_TRIALS, BLOCK_WORDS};

/// Counts from a run of trials. Everything is an integer, so tallies from
/// blocks, threads or machines merge by addition, in any order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    pub trials: u64,
    pub regions: usize,
    /// `node × region`: trials in which the node was down in the region.
    pub down: Vec<u64>,
    /// `node × pair`: trials in which the node was down in both regions of
    /// the pair (r < s, in lexicographic order). Empty with one region.
    pub joint: Vec<u64>,
    /// Per region: trials in which some node was down there.
    pub any: Vec<u64>,
    /// Per-trial impact → trials with exactly that impact (the f64's bits),
    /// for trials with a positive impact. The rest had impact zero.
    pub impact: BTreeMap<u64, u64>,
    /// A part's run (`--part`) only: each block's per-trial sums, which
    /// `merge` adds across parts before counting `any` and `impact` (left
    /// empty in a part's tally).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<BlockTrials>,
}

/// One block's trials as a part saw them: what adds across parts trial by
/// trial.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BlockTrials {
    pub block: u64,
    /// `trial × region`: the weight units (2^-`unit_shift`) of the part's
    /// services down; in a file, two words each (high, low).
    #[serde(with = "u128_pairs")]
    pub units: Vec<u128>,
    /// `word × region`: bit t set when some service of the part was down
    /// in trial 64·word + t of the block.
    pub any: Vec<u64>,
}

/// u128s as pairs of u64s (JSON numbers stay within what every reader
/// takes).
mod u128_pairs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[u128], s: S) -> Result<S::Ok, S::Error> {
        let words: Vec<u64> = v
            .iter()
            .flat_map(|&x| [(x >> 64) as u64, x as u64])
            .collect();
        words.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u128>, D::Error> {
        let words = Vec::<u64>::deserialize(d)?;
        if words.len() % 2 != 0 {
            return Err(serde::de::Error::custom("an odd number of words"));
        }
        Ok(words
            .chunks(2)
            .map(|w| (u128::from(w[0]) << 64) | u128::from(w[1]))
            .collect())
    }
}

impl Tally {
    pub fn new(model: &Model) -> Tally {
        let (n, r) = (model.node_count(), model.region_count());
        Tally {
            trials: 0,
            regions: r,
            down: vec![0; n * r],
            joint: vec![0; n * pairs(r)],
            any: vec![0; r],
            impact: BTreeMap::new(),
            blocks: Vec::new(),
        }
    }

    /// Whether `other` counts the same nodes and regions.
    pub fn fits(&self, other: &Tally) -> bool {
        self.regions == other.regions
            && self.down.len() == other.down.len()
            && self.joint.len() == other.joint.len()
            && self.any.len() == other.any.len()
    }

    pub fn merge(&mut self, other: &Tally) {
        self.trials += other.trials;
        add(&mut self.down, &other.down);
        add(&mut self.joint, &other.joint);
        add(&mut self.any, &other.any);
        for (k, v) in &other.impact {
            *self.impact.entry(*k).or_insert(0) += v;
        }
        self.blocks.extend(other.blocks.iter().cloned());
    }
}

impl Tally {
    /// Adds counts read from a file: `false`, and `self` unusable, when a
    /// sum would overflow.
    pub fn checked_merge(&mut self, other: &Tally) -> bool {
        let Some(trials) = self.trials.checked_add(other.trials) else {
            return false;
        };
        self.trials = trials;
        let vectors = [
            (&mut self.down, &other.down),
            (&mut self.joint, &other.joint),
            (&mut self.any, &other.any),
        ];
        if !vectors
            .into_iter()
            .all(|(a, b)| crate::stats::add_checked(a, b, u64::checked_add))
        {
            return false;
        }
        for (k, v) in &other.impact {
            let e = self.impact.entry(*k).or_insert(0);
            match e.checked_add(*v) {
                Some(s) => *e = s,
                None => return false,
            }
        }
        self.blocks.extend(other.blocks.iter().cloned());
        true
    }

    /// Checks counts read from a file that claim `trials` trials: no count
    /// above them, and every recorded impact a finite positive number.
    pub fn check(&self, trials: u64) -> Result<(), String> {
        if self.trials != trials {
            return Err(format!(
                "it counts {} trials where {trials} were run",
                self.trials
            ));
        }
        let over = |v: &[u64]| v.iter().any(|&c| c > trials);
        if over(&self.down) || over(&self.joint) || over(&self.any) {
            return Err(format!("a count exceeds its {trials} trials"));
        }
        let mut positive = 0u64;
        for (&bits, &n) in &self.impact {
            let x = f64::from_bits(bits);
            if !(x.is_finite() && x > 0.0) {
                return Err(format!("an impact of {x} is not a finite positive number"));
            }
            positive = positive.saturating_add(n);
        }
        if positive > trials {
            return Err(format!("its impacts count more than its {trials} trials"));
        }
        Ok(())
    }
}

fn add(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Number of unordered region pairs.
pub fn pairs(regions: usize) -> usize {
    regions * regions.saturating_sub(1) / 2
}

/// What to run: how many trials, from which seed.
#[derive(Debug, Clone, Copy)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
}

/// Per-thread buffers, reused across blocks.
pub struct Scratch {
    events: Vec<[u64; BLOCK_WORDS]>,
    provider_down: Vec<u64>,
    node_down: Vec<u64>,
    /// `region × trial bit`: one word's weight units down.
    units: Vec<u128>,
    /// Per region: one word's trials with something visible down.
    any: Vec<u64>,
}

impl Scratch {
    pub fn new(model: &Model) -> Scratch {
        Scratch {
            events: vec![[0; BLOCK_WORDS]; model.events.len()],
            provider_down: vec![0; model.region_count() * model.provider_count],
            node_down: vec![0; model.region_count() * model.node_count()],
            units: vec![0; model.region_count() * 64],
            any: vec![0; model.region_count()],
        }
    }
}

/// Each event's stream key, in model order.
pub fn stream_keys(model: &Model, seed: u64) -> Vec<[u8; 32]> {
    model
        .events
        .iter()
        .map(|e| sample::stream_key(seed, &e.id))
        .collect()
}

/// Draws every event's states for one block: `events[e][word]`.
pub fn draw_block(model: &Model, keys: &[[u8; 32]], block: u64, out: &mut [[u64; BLOCK_WORDS]]) {
    for ((e, key), words) in model.events.iter().zip(keys).zip(out.iter_mut()) {
        sample::fill(words, e.p, key, block);
    }
}

/// [`draw_block`] with other probabilities (importance sampling's bias),
/// from the same streams.
pub fn draw_block_with(
    model: &Model,
    p: &[f64],
    keys: &[[u8; 32]],
    block: u64,
    out: &mut [[u64; BLOCK_WORDS]],
) {
    debug_assert_eq!(p.len(), model.events.len());
    for ((&p, key), words) in p.iter().zip(keys).zip(out.iter_mut()) {
        sample::fill(words, p, key, block);
    }
}

/// Trials that block `block` holds out of `trials`.
pub fn trials_in_block(trials: u64, block: u64) -> u64 {
    trials
        .saturating_sub(block * BLOCK_TRIALS)
        .min(BLOCK_TRIALS)
}

pub fn block_count(trials: u64) -> u64 {
    trials.div_ceil(BLOCK_TRIALS)
}

/// The tally of block `block` alone (for checkpoints, which keep finished
/// blocks apart).
pub fn block_tally(model: &Model, keys: &[[u8; 32]], block: u64, trials: u64) -> Tally {
    let mut tally = Tally::new(model);
    run_block(
        model,
        keys,
        block,
        trials_in_block(trials, block),
        &mut tally,
        &mut Scratch::new(model),
    );
    tally
}

/// Runs one block into `tally`.
pub fn run_block(
    model: &Model,
    keys: &[[u8; 32]],
    block: u64,
    n_trials: u64,
    tally: &mut Tally,
    scratch: &mut Scratch,
) {
    draw_block(model, keys, block, &mut scratch.events);
    tally.trials += n_trials;
    let active: Vec<usize> = (0..model.events.len())
        .filter(|&e| model.events[e].p > 0.0)
        .collect();
    let words = n_trials.div_ceil(64) as usize;
    let rc = model.region_count();
    let mut kept = model.keep_trials.then(|| BlockTrials {
        block,
        units: vec![0; n_trials as usize * rc],
        any: vec![0; words * rc],
    });
    for w in 0..words {
        let mask = eval::low_bits((n_trials - 64 * w as u64).min(64) as u32);
        // Quiet trials: with no event firing, nothing is down.
        if active.iter().all(|&e| scratch.events[e][w] & mask == 0) {
            continue;
        }
        provider_words(model, &scratch.events, w, &mut scratch.provider_down);
        eval::eval_word(model, &scratch.provider_down, &mut scratch.node_down, mask);
        accumulate(model, tally, scratch);
        let (any, units) = (&scratch.any, &scratch.units);
        let bits = (n_trials - 64 * w as u64).min(64) as usize;
        match &mut kept {
            // A part: the word's sums and bits wait for the other parts'.
            Some(k) => {
                k.any[w * rc..(w + 1) * rc].copy_from_slice(any);
                for t in 0..bits {
                    for r in 0..rc {
                        k.units[(w * 64 + t) * rc + r] = units[r * 64 + t];
                    }
                }
            }
            None => {
                for (r, word) in any.iter().enumerate() {
                    tally.any[r] += u64::from(word.count_ones());
                }
                for t in 0..bits {
                    let x = model.trial_impact((0..rc).map(|r| units[r * 64 + t]));
                    if x > 0.0 {
                        *tally.impact.entry(x.to_bits()).or_insert(0) += 1;
                    }
                }
            }
        }
    }
    tally.blocks.extend(kept);
}

/// Fills `provider_down` (`region × provider`) for word `w`: a provider is
/// down in a region where any event covering it there fired.
pub fn provider_words(
    model: &Model,
    events: &[[u64; BLOCK_WORDS]],
    w: usize,
    provider_down: &mut [u64],
) {
    let pc = model.provider_count;
    for (row, slot) in provider_down
        .iter_mut()
        .enumerate()
        .take(model.region_count() * pc)
    {
        let mut down = 0;
        for &e in model.down_events.row(row) {
            down |= events[e as usize][w];
        }
        *slot = down;
    }
}

/// Counts one word's nodes down (`scratch.node_down`) into `tally`, and
/// fills `scratch.units` (`region × trial bit`) with the weight units down
/// and `scratch.any` with the trials in which something visible was down.
fn accumulate(model: &Model, tally: &mut Tally, scratch: &mut Scratch) {
    let (nc, rc) = (model.node_count(), model.region_count());
    let Scratch {
        node_down,
        units,
        any: anys,
        ..
    } = scratch;
    units.fill(0);
    for r in 0..rc {
        let nd = &node_down[r * nc..(r + 1) * nc];
        let mut any = 0;
        for (n, &word) in nd.iter().enumerate() {
            tally.down[n * rc + r] += word.count_ones() as u64;
            if model.node_visible[n] {
                any |= word;
            }
        }
        anys[r] = any;
        eval::add_units(model, nd, &mut units[r * 64..(r + 1) * 64]);
    }
    if rc > 1 {
        let np = pairs(rc);
        for n in 0..nc {
            let mut k = 0;
            for r in 0..rc {
                let a = node_down[r * nc + n];
                for s in r + 1..rc {
                    if a != 0 {
                        tally.joint[n * np + k] += (a & node_down[s * nc + n]).count_ones() as u64;
                    }
                    k += 1;
                }
            }
        }
    }
}

/// Blocks worked on in parallel but handed over in block order, at most
/// this many at a time, so that results kept per block (float sums) are
/// added in a fixed order without holding every block's result at once.
pub const ORDERED_CHUNK: u64 = 64;

/// Runs `work` on every block `0..blocks` on the rayon pool (with per-thread
/// state from `init`) and passes the results to `add` in block order.
pub fn ordered_blocks<S, T: Send>(
    blocks: u64,
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, u64) -> T + Sync + Send,
    mut add: impl FnMut(T),
) {
    let mut start = 0;
    while start < blocks {
        let end = (start + ORDERED_CHUNK).min(blocks);
        let done: Vec<T> = (start..end)
            .into_par_iter()
            .map_init(&init, |state, b| work(state, b))
            .collect();
        done.into_iter().for_each(&mut add);
        start = end;
    }
}

/// Runs `config.trials` trials on the current rayon pool. `progress` is
/// called with the number of trials each finished block held.
pub fn run(model: &Model, config: RunConfig, progress: &(dyn Fn(u64) + Sync)) -> Tally {
    run_blocks(model, config, &|_| true, progress)
}

/// Runs only the blocks for which `owns` is true (a shard's share): the
/// tallies of disjoint sets of blocks add up to the tally of their union.
pub fn run_blocks(
    model: &Model,
    config: RunConfig,
    owns: &(dyn Fn(u64) -> bool + Sync),
    progress: &(dyn Fn(u64) + Sync),
) -> Tally {
    let keys = stream_keys(model, config.seed);
    (0..block_count(config.trials))
        .into_par_iter()
        .filter(|&b| owns(b))
        .fold(
            || (Tally::new(model), Scratch::new(model)),
            |(mut tally, mut scratch), block| {
                let n = trials_in_block(config.trials, block);
                run_block(model, &keys, block, n, &mut tally, &mut scratch);
                progress(n);
                (tally, scratch)
            },
        )
        .map(|(tally, _)| tally)
        .reduce(
            || Tally::new(model),
            |mut a, b| {
                a.merge(&b);
                a
            },
        )
}
