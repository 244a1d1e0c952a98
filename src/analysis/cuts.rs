//! Minimal cut sets up to a given order.
//!
//! The structure is monotone (more failures never bring a service back), so
//! the minimal cut sets of an OR are the minimal sets of the union of its
//! inputs' sets, and those of an AND the minimal sets among the pairwise
//! unions. Sets larger than the order can only grow under AND and OR, so
//! dropping them at every step loses no smaller set: the truncated result is
//! exactly the minimal cut sets of order ≤ k.

use foldhash::{HashMap, HashMapExt};

use crate::engine::eval;
use crate::model::{Csr, Model};

/// Event indices, ascending.
pub type Cut = Vec<u32>;

/// The minimal cut sets of order at most `order` of every node in every
/// region. Each distinct set is kept once: at a million services, a list
/// of sets per node and region was the largest thing analyze made.
pub struct NodeCuts {
    /// Every distinct set met, events ascending.
    sets: Vec<Cut>,
    /// Row `node × regions + region`: indices into `sets`, smallest set
    /// first, then by events.
    rows: Csr,
    regions: usize,
}

impl NodeCuts {
    fn row(&self, node: usize, region: usize) -> impl Iterator<Item = &Cut> + '_ {
        let row = self.rows.row(node * self.regions + region);
        row.iter().map(|&i| &self.sets[i as usize])
    }

    /// A node's sets in every region, region by region (a set minimal in
    /// two regions comes twice).
    pub fn of(&self, node: usize) -> impl Iterator<Item = &Cut> + '_ {
        (0..self.regions).flat_map(move |r| self.row(node, r))
    }

    /// Every set that is minimal for some node in some region, by events.
    pub fn distinct(&self) -> Vec<&Cut> {
        let mut used = vec![false; self.sets.len()];
        for &i in &self.rows.items {
            used[i as usize] = true;
        }
        let mut sets: Vec<&Cut> = self
            .sets
            .iter()
            .zip(used)
            .filter_map(|(s, used)| used.then_some(s))
            .collect();
        sets.sort_unstable();
        sets
    }
}

/// Every node's minimal cut sets of order at most `order`, as events of
/// the model.
pub fn node_cut_sets(model: &Model, order: usize) -> NodeCuts {
    let (rc, pc, nc) = (
        model.region_count(),
        model.provider_count,
        model.node_count(),
    );
    let mut provider: Vec<Vec<Cut>> = vec![Vec::new(); rc * pc];
    for (e, event) in model.events.iter().enumerate() {
        for &(p, r) in &event.cover {
            provider[r as usize * pc + p as usize].push(vec![e as u32]);
        }
    }
    for row in &mut provider {
        minimise(row);
    }
    let mut out = NodeCuts {
        sets: Vec::new(),
        rows: Csr::new(),
        regions: rc,
    };
    let mut index: HashMap<Cut, u32> = HashMap::new();
    for n in 0..nc {
        for r in 0..rc {
            let mut down: Vec<Cut> = vec![Vec::new()];
            for &p in model.node_dns.row(n) {
                down = and(&down, &provider[r * pc + p as usize], order);
            }
            for &m in model.node_requires.row(n) {
                down.extend(out.row(m as usize, r).cloned());
                minimise(&mut down);
            }
            for &g in model.node_groups.row(n) {
                let mut all: Vec<Cut> = vec![Vec::new()];
                for &m in model.groups.row(g as usize) {
                    let member: Vec<Cut> = out.row(m as usize, r).cloned().collect();
                    all = and(&all, &member, order);
                }
                down.extend(all);
                minimise(&mut down);
            }
            let row: Vec<u32> = down
                .into_iter()
                .map(|set| {
                    *index.entry(set).or_insert_with_key(|set| {
                        out.sets.push(set.clone());
                        out.sets.len() as u32 - 1
                    })
                })
                .collect();
            out.rows.push_row(row);
        }
    }
    out
}

fn and(a: &[Cut], b: &[Cut], order: usize) -> Vec<Cut> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let mut u: Cut = x.iter().chain(y).copied().collect();
            u.sort_unstable();
            u.dedup();
            if u.len() <= order {
                out.push(u);
            }
        }
    }
    minimise(&mut out);
    out
}

/// Sorts (smallest first, then by events) and keeps only the sets that hold
/// no other set.
pub fn minimise(sets: &mut Vec<Cut>) {
    sets.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    sets.dedup();
    let mut kept: Vec<Cut> = Vec::with_capacity(sets.len());
    for s in sets.drain(..) {
        if !kept.iter().any(|k| is_subset(k, &s)) {
            kept.push(s);
        }
    }
    *sets = kept;
}

/// Whether sorted `a` ⊆ sorted `b`.
fn is_subset(a: &[u32], b: &[u32]) -> bool {
    let mut it = b.iter();
    a.iter().all(|x| it.any(|y| y == x))
}

/// What each set of events does alone (those events down, every other event
/// up): per set, the impact and the number of services down somewhere.
/// `per_node` is the number of services each node stands for. Sets are
/// evaluated 64 at a time, one per bit.
pub fn impacts(model: &Model, sets: &[&Cut], per_node: &[usize]) -> Vec<(f64, usize)> {
    let (rc, pc, nc) = (
        model.region_count(),
        model.provider_count,
        model.node_count(),
    );
    let mut out = Vec::with_capacity(sets.len());
    let mut provider_down = vec![0u64; rc * pc];
    let mut node_down = vec![0u64; rc * nc];
    for chunk in sets.chunks(64) {
        provider_down.fill(0);
        for (bit, set) in chunk.iter().enumerate() {
            for &e in set.iter() {
                for &(p, r) in &model.events[e as usize].cover {
                    provider_down[r as usize * pc + p as usize] |= 1 << bit;
                }
            }
        }
        eval::eval_word(
            model,
            &provider_down,
            &mut node_down,
            eval::low_bits(chunk.len() as u32),
        );
        let mut sums = [0.0f64; 64];
        for r in 0..rc {
            eval::add_impacts(model, r, &node_down[r * nc..(r + 1) * nc], &mut sums);
        }
        let mut services = [0usize; 64];
        for (n, &count) in per_node.iter().enumerate() {
            let mut bits = (0..rc).fold(0, |acc, r| acc | node_down[r * nc + n]);
            while bits != 0 {
                services[bits.trailing_zeros() as usize] += count;
                bits &= bits - 1;
            }
        }
        out.extend((0..chunk.len()).map(|bit| (sums[bit], services[bit])));
    }
    out
}
