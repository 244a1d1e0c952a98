//! Importance sampling for rare outages (`run --rare`).
//!
//! With outage probabilities near 1e-6, plain sampling sees no failure in
//! 100,000 trials. Here each uncertain event is drawn with a biased
//! probability q ≥ p instead, from its own stream as usual (spec §5), and
//! every trial carries its likelihood ratio
//!
//! L = Π_e (p_e / q_e)^x_e · ((1 − p_e) / (1 − q_e))^(1 − x_e),
//!
//! so that E_q[L · f] = E_p[f] for anything counted: estimates are unbiased.
//! A service's state depends only on the events that can reach it (its
//! providers' events, and those of what it requires): its support S. Its
//! indicator is weighted with the ratio over S alone, L_S, which is just as
//! unbiased (the other events' ratios average to 1 independently) and far
//! less noisy. The plan-wide figures (P(anything down), impact quantiles)
//! use the full L.
//! The bias raises every rarer event to q = min(1/2, K / n), where n is the
//! number of uncertain events and K = [`TARGET_FAILURES`]: about K events
//! fail per trial, which makes a single failure and a pair of failures
//! (the cut sets of a one- or two-provider service) common, while keeping
//! the factor from the events that stay up, about e^K, small. For a cut set
//! of order k among n events the relative variance per trial is about
//! 1 / (q^k (1 − q)^(n − k)) − 1; so the method is for plans with tens of
//! events, not thousands (see the README).
//!
//! Sums are floats, added in trial order within a block and in block order
//! across blocks, so results do not depend on the thread count.

use std::collections::BTreeMap;

use super::{BLOCK_WORDS, RunConfig, block_count, draw_block_with, eval, trials_in_block};
use crate::model::{Csr, Model};

/// Events expected to fail per trial under the bias.
pub const TARGET_FAILURES: f64 = 2.0;

/// Auto mode picks importance sampling when plain sampling would expect
/// fewer trials than this in which anything fails at all.
pub const AUTO_BELOW: f64 = 10.0;

/// The biased probabilities and what each fired event adds to log L.
#[derive(Debug, Clone)]
pub struct Bias {
    pub q: Vec<f64>,
    /// Σ_e log((1 − p) / (1 − q)): log L of a trial where nothing fails.
    base: f64,
    /// Per event: log(p / q) − log((1 − p) / (1 − q)).
    delta: Vec<f64>,
    /// Per node: its biased support events, and their Σ log((1 − p)/(1 − q)).
    support: Csr,
    support_base: Vec<f64>,
}

impl Bias {
    pub fn new(model: &Model) -> Bias {
        let uncertain = model
            .events
            .iter()
            .filter(|e| e.p > 0.0 && e.p < 1.0)
            .count();
        let target = (TARGET_FAILURES / uncertain.max(1) as f64).min(0.5);
        let mut q = Vec::with_capacity(model.events.len());
        let (mut base, mut delta) = (0.0, Vec::with_capacity(model.events.len()));
        for e in &model.events {
            if e.p > 0.0 && e.p < target {
                let stay = libm::log1p(-e.p) - libm::log1p(-target);
                base += stay;
                delta.push(libm::log(e.p / target) - stay);
                q.push(target);
            } else {
                delta.push(0.0);
                q.push(e.p);
            }
        }
        // Supports in topological order: a node's providers' events, plus
        // the supports of what it requires.
        let (pc, rc) = (model.provider_count, model.region_count());
        let mut sets: Vec<Vec<u32>> = Vec::with_capacity(model.node_count());
        let mut support = Csr::default();
        support.starts.push(0);
        let mut support_base = Vec::with_capacity(model.node_count());
        for n in 0..model.node_count() {
            let mut set: Vec<u32> = Vec::new();
            for &p in model.node_dns.row(n) {
                for r in 0..rc {
                    set.extend(model.down_events.row(r * pc + p as usize));
                }
            }
            for &m in model.node_requires.row(n) {
                set.extend(&sets[m as usize]);
            }
            for &g in model.node_groups.row(n) {
                for &m in model.groups.row(g as usize) {
                    set.extend(&sets[m as usize]);
                }
            }
            set.sort_unstable();
            set.dedup();
            let biased: Vec<u32> = set
                .iter()
                .copied()
                .filter(|&e| delta[e as usize] != 0.0)
                .collect();
            support_base.push(
                biased
                    .iter()
                    .map(|&e| {
                        let p = model.events[e as usize].p;
                        libm::log1p(-p) - libm::log1p(-q[e as usize])
                    })
                    .sum(),
            );
            support.items.extend(&biased);
            support.starts.push(support.items.len() as u32);
            sets.push(set);
        }
        Bias {
            q,
            base,
            delta,
            support,
            support_base,
        }
    }

    /// The largest biased probability: 0 when nothing is biased.
    pub fn level(&self, model: &Model) -> f64 {
        self.q
            .iter()
            .zip(&model.events)
            .filter(|(q, e)| **q != e.p)
            .map(|(q, _)| *q)
            .fold(0.0, f64::max)
    }
}

/// Whether plain sampling would expect fewer than [`AUTO_BELOW`] trials in
/// which some event happens.
pub fn worth_it(model: &Model, trials: u64) -> bool {
    let quiet: f64 = model.events.iter().map(|e| 1.0 - e.p).product();
    model.events.iter().any(|e| e.p > 0.0 && e.p < 1.0)
        && trials as f64 * (1.0 - quiet) < AUTO_BELOW
}

/// Weighted sums from a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RareTally {
    pub trials: u64,
    pub regions: usize,
    /// `node × region`: Σ L_S · [down], S the node's support.
    pub down: Vec<f64>,
    /// Per node: Σ y and Σ y², y = L_S · Σ_r w_r [down in r].
    pub node_sum: Vec<f64>,
    pub node_sq: Vec<f64>,
    /// Per node: trials in which it was down somewhere (unweighted).
    pub hits: Vec<u64>,
    /// Per region: Σ L · [something down there].
    pub any: Vec<f64>,
    /// Per-trial impact (f64 bits) → Σ L, for positive impacts.
    pub impact: BTreeMap<u64, f64>,
    /// Σ L, Σ L²: how far the weights are from averaging 1.
    pub weight_sum: f64,
    pub weight_sq: f64,
}

impl RareTally {
    fn new(model: &Model) -> RareTally {
        let (n, r) = (model.node_count(), model.region_count());
        RareTally {
            trials: 0,
            regions: r,
            down: vec![0.0; n * r],
            node_sum: vec![0.0; n],
            node_sq: vec![0.0; n],
            hits: vec![0; n],
            any: vec![0.0; r],
            impact: BTreeMap::new(),
            weight_sum: 0.0,
            weight_sq: 0.0,
        }
    }

    /// Adds `o` (callers add blocks in block order).
    fn add(&mut self, o: &RareTally) {
        self.trials += o.trials;
        for (a, b) in [
            (&mut self.down, &o.down),
            (&mut self.node_sum, &o.node_sum),
            (&mut self.node_sq, &o.node_sq),
            (&mut self.any, &o.any),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (x, y) in self.hits.iter_mut().zip(&o.hits) {
            *x += y;
        }
        for (k, v) in &o.impact {
            *self.impact.entry(*k).or_insert(0.0) += v;
        }
        self.weight_sum += o.weight_sum;
        self.weight_sq += o.weight_sq;
    }
}

fn run_block(
    model: &Model,
    bias: &Bias,
    keys: &[[u8; 32]],
    block: u64,
    n_trials: u64,
) -> RareTally {
    let (pc, rc, nc) = (
        model.provider_count,
        model.region_count(),
        model.node_count(),
    );
    let mut t = RareTally::new(model);
    t.trials = n_trials;
    let mut events = vec![[0u64; BLOCK_WORDS]; model.events.len()];
    draw_block_with(model, &bias.q, keys, block, &mut events);
    let mut provider_down = vec![0u64; rc * pc];
    let mut node_down = vec![0u64; rc * nc];
    for w in 0..n_trials.div_ceil(64) as usize {
        let width = (n_trials - 64 * w as u64).min(64) as usize;
        let mask = eval::low_bits(width as u32);
        let mut log_l = [bias.base; 64];
        for (e, words) in events.iter().enumerate() {
            let mut bits = words[w] & mask;
            if bias.delta[e] == 0.0 {
                continue;
            }
            while bits != 0 {
                log_l[bits.trailing_zeros() as usize] += bias.delta[e];
                bits &= bits - 1;
            }
        }
        let mut l = [0.0f64; 64];
        for k in 0..width {
            l[k] = libm::exp(log_l[k]);
            t.weight_sum += l[k];
            t.weight_sq += l[k] * l[k];
        }
        super::provider_words(model, &events, w, &mut provider_down);
        eval::eval_word(model, &provider_down, &mut node_down, mask);
        let mut impacts = [0.0f64; 64];
        for r in 0..rc {
            let nd = &node_down[r * nc..(r + 1) * nc];
            eval::add_impacts(model, r, nd, &mut impacts);
            let any = nd
                .iter()
                .zip(&model.node_visible)
                .fold(0, |a, (&x, &v)| if v { a | x } else { a });
            t.any[r] += weighted_bits(any, &l);
        }
        for n in 0..nc {
            let some = (0..rc).fold(0, |acc, r| acc | node_down[r * nc + n]);
            if some == 0 {
                continue;
            }
            t.hits[n] += some.count_ones() as u64;
            let mut bits = some;
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                let mut log_ls = bias.support_base[n];
                for &e in bias.support.row(n) {
                    if events[e as usize][w] >> k & 1 == 1 {
                        log_ls += bias.delta[e as usize];
                    }
                }
                let ls = libm::exp(log_ls);
                let mut y = 0.0;
                for r in 0..rc {
                    if node_down[r * nc + n] >> k & 1 == 1 {
                        t.down[n * rc + r] += ls;
                        y += ls * model.region_weights[r];
                    }
                }
                t.node_sum[n] += y;
                t.node_sq[n] += y * y;
                bits &= bits - 1;
            }
        }
        for k in 0..width {
            if impacts[k] > 0.0 {
                *t.impact.entry(impacts[k].to_bits()).or_insert(0.0) += l[k];
            }
        }
    }
    t
}

/// Σ L over the set bits of `word`, in bit order.
fn weighted_bits(word: u64, l: &[f64; 64]) -> f64 {
    let (mut sum, mut bits) = (0.0, word);
    while bits != 0 {
        sum += l[bits.trailing_zeros() as usize];
        bits &= bits - 1;
    }
    sum
}

/// Runs `config.trials` biased trials on the current rayon pool.
pub fn run(
    model: &Model,
    bias: &Bias,
    config: RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> RareTally {
    let keys = super::stream_keys(model, config.seed);
    let mut total = RareTally::new(model);
    super::ordered_blocks(
        block_count(config.trials),
        || (),
        |_, b| {
            let n = trials_in_block(config.trials, b);
            let t = run_block(model, bias, &keys, b, n);
            progress(n);
            t
        },
        |t| total.add(&t),
    );
    total
}
