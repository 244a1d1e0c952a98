//! Bit-parallel evaluation: 64 trials per machine word.
//!
//! A provider's word holds its down bits in one region; a node's word is the
//! AND of its providers' words, OR'ed with the words of what it requires and,
//! for each `requires_any` group, with the AND of the group's words. One pass
//! over the nodes in topological order evaluates 64 trials.

use crate::model::Model;

/// Fills `node_down` (`region × node`) from `provider_down`
/// (`region × provider`). Bits outside `mask` are cleared.
pub fn eval_word(model: &Model, provider_down: &[u64], node_down: &mut [u64], mask: u64) {
    let (p_count, n_count) = (model.provider_count, model.node_count());
    for r in 0..model.region_count() {
        let pd = &provider_down[r * p_count..(r + 1) * p_count];
        let nd = &mut node_down[r * n_count..(r + 1) * n_count];
        eval_region(model, pd, nd, mask);
    }
}

/// [`eval_word`] for one region: `node_down` (per node) from
/// `provider_down` (per provider).
#[inline]
fn eval_region(model: &Model, provider_down: &[u64], node_down: &mut [u64], mask: u64) {
    for n in 0..node_down.len() {
        let mut down = u64::MAX;
        for &p in model.node_dns.row(n) {
            down &= provider_down[p as usize];
        }
        for &m in model.node_requires.row(n) {
            down |= node_down[m as usize];
        }
        for &g in model.node_groups.row(n) {
            let mut all = u64::MAX;
            for &m in model.groups.row(g as usize) {
                all &= node_down[m as usize];
            }
            down |= all;
        }
        node_down[n] = down & mask;
    }
}

/// What each provider's failure alone does: everything else up.
pub struct SingleFailures {
    /// Per provider: the impact (Σ weight · region share) it takes down.
    pub impact: Vec<f64>,
    /// Per chunk of 64 providers: per node, bit `p % 64` set when provider
    /// `p`'s failure alone takes the node down (in every region alike).
    pub node_down: Vec<Vec<u64>>,
}

impl SingleFailures {
    /// For every node, the providers whose failure alone takes it down, in
    /// order: the set bits of its words, gathered chunk by chunk (each
    /// chunk's words read in order), so linear in the plan, not in nodes ×
    /// providers, and without a stride through every chunk per node.
    pub fn by_node(&self) -> NodeProviders {
        let nc = self.node_down.first().map_or(0, Vec::len);
        let mut start = vec![0u32; nc + 1];
        for words in &self.node_down {
            for (n, w) in words.iter().enumerate() {
                start[n + 1] += w.count_ones();
            }
        }
        for n in 0..nc {
            start[n + 1] += start[n];
        }
        let mut providers = vec![0u32; start[nc] as usize];
        let mut next = start[..nc].to_vec();
        for (c, words) in self.node_down.iter().enumerate() {
            for (n, &word) in words.iter().enumerate() {
                let mut w = word;
                while w != 0 {
                    providers[next[n] as usize] = (c * 64) as u32 + w.trailing_zeros();
                    next[n] += 1;
                    w &= w - 1;
                }
            }
        }
        NodeProviders { start, providers }
    }
}

/// Per node, the providers whose failure alone takes it down
/// ([`SingleFailures::by_node`]).
pub struct NodeProviders {
    start: Vec<u32>,
    providers: Vec<u32>,
}

impl NodeProviders {
    /// The providers taking `node` down alone, in index order.
    pub fn of(&self, node: u32) -> &[u32] {
        let n = node as usize;
        &self.providers[self.start[n] as usize..self.start[n + 1] as usize]
    }
}

/// Evaluates every single-provider failure exactly, 64 providers per word:
/// bit j of the word is "provider 64·chunk + j alone is down".
pub fn single_failures(model: &Model) -> SingleFailures {
    let mut node_down = Vec::new();
    let impact = each_single_failure(model, |_, words| node_down.push(words.to_vec()));
    SingleFailures { impact, node_down }
}

/// What a run's report needs of the single failures: per provider, the
/// impact its failure alone takes and how many services it takes down.
pub struct SingleTotals {
    pub impact: Vec<f64>,
    pub services: Vec<usize>,
}

/// [`SingleTotals`], counted chunk by chunk: no word per node and 64
/// providers is kept (22 MB for a million services, at the report's peak).
pub fn single_failure_totals(model: &Model) -> SingleTotals {
    let mut per_node = vec![0usize; model.node_count()];
    for &node in &model.service_node {
        per_node[node as usize] += 1;
    }
    let mut services = vec![0usize; model.provider_count];
    let impact = each_single_failure(model, |base, words| {
        for (&count, &word) in per_node.iter().zip(words) {
            let mut w = if count > 0 { word } else { 0 };
            while w != 0 {
                services[base + w.trailing_zeros() as usize] += count;
                w &= w - 1;
            }
        }
    });
    SingleTotals { impact, services }
}

/// Evaluates every single-provider failure exactly, 64 providers a word,
/// and hands each chunk's node words to `chunk(first provider, words)`
/// (one set for every region: a failure alone takes a node down in every
/// region alike); returns the impact per provider.
fn each_single_failure(model: &Model, mut chunk: impl FnMut(usize, &[u64])) -> Vec<f64> {
    let (pc, nc, rc) = (
        model.provider_count,
        model.node_count(),
        model.region_count(),
    );
    let mut impact = vec![0.0; pc];
    // A failure alone is the same in every region, so one region's pass
    // serves them all: each region's impact adds up the same words.
    let mut provider_down = vec![0u64; pc];
    let mut nodes = vec![0u64; nc];
    for base in (0..pc).step_by(64) {
        let width = (pc - base).min(64);
        for (p, down) in provider_down.iter_mut().enumerate() {
            *down = if (base..base + width).contains(&p) {
                1 << (p - base)
            } else {
                0
            };
        }
        eval_region(model, &provider_down, &mut nodes, low_bits(width as u32));
        let mut sums = [0.0f64; 64];
        for r in 0..rc {
            add_impacts(model, r, &nodes, &mut sums);
        }
        impact[base..base + width].copy_from_slice(&sums[..width]);
        chunk(base, &nodes);
    }
    impact
}

/// Adds, for each trial bit, the impact of the nodes down in region `r`.
/// The order of additions is fixed (nodes in index order), so each trial's
/// total is the same bits whatever thread computes it.
#[inline]
pub fn add_impacts(model: &Model, r: usize, node_down: &[u64], sums: &mut [f64; 64]) {
    let share = model.region_weights[r];
    for (n, &word) in node_down.iter().enumerate() {
        if word == 0 {
            continue;
        }
        let w = model.node_weight[n] * share;
        let mut bits = word;
        while bits != 0 {
            sums[bits.trailing_zeros() as usize] += w;
            bits &= bits - 1;
        }
    }
}

/// Adds, for each trial bit, the weight units of the nodes down (one
/// region's words): integers, so the order of additions does not matter.
#[inline]
pub fn add_units(model: &Model, node_down: &[u64], units: &mut [u128]) {
    for (n, &word) in node_down.iter().enumerate() {
        if word == 0 {
            continue;
        }
        let u = model.node_units[n];
        let mut bits = word;
        while bits != 0 {
            units[bits.trailing_zeros() as usize] += u;
            bits &= bits - 1;
        }
    }
}

/// A word with the low `n` bits set.
#[inline]
pub fn low_bits(n: u32) -> u64 {
    if n >= 64 { u64::MAX } else { (1u64 << n) - 1 }
}
