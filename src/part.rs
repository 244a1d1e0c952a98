//! Splitting a plan by services (`run --part K/N`), and putting the parts
//! back together in `merge`.
//!
//! Part K of N counts the services of the K-th contiguous slice of the
//! plan (scenario order) and keeps, beside them, every service that
//! anything requires (named in a `requires`, `requires_any` or `parent`: a
//! set closed under requirements, so whatever the slice requires is there),
//! which it evaluates but does not count. Every event is drawn from its own stream
//! as in a whole run, so each service is down in exactly the trials it
//! would be down in a whole run, and its counts are the whole run's.
//!
//! What sums over services adds up trial by trial: a part keeps, per trial
//! and region, the weights of its services down as integers (units of
//! 2^-shift, the shift fixed by the whole plan's total weight; see
//! [`crate::model::unit_shift`]) and whether any was down. `merge` adds
//! the integers and ORs the bits across parts, then counts them exactly as
//! a whole run counts its own: the merged report is the whole run's, byte
//! for byte. Parts combine with trial shards (`--shard`): each part may be
//! run as M shards, and `merge` takes every (part, shard).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use crate::engine::{self, BlockTrials, Tally};
use crate::error::InputError;
use crate::model::{Model, Slice, unit_shift};
use crate::scenario::{ModelKind, Parent, PartLoad, Scenario};
use crate::shard::{PartSlice, Shard};

/// What a part is, and what the whole plan fixes for it.
#[derive(Debug, Clone)]
pub struct PartPlan {
    pub part: Shard,
    pub slice: Slice,
}

/// The services of part `part` of a plan of `n`: a contiguous slice.
pub fn slice(part: Shard, n: usize) -> Range<usize> {
    let at = |k: u64| (k as u128 * n as u128 / part.count as u128) as usize;
    at(part.index - 1)..at(part.index)
}

/// The part `part` of a plan as the loader gave it
/// ([`crate::scenario::load_part`]).
pub fn from_load(load: PartLoad, part: Shard) -> (Scenario, PartPlan) {
    let plan = PartPlan {
        part,
        slice: Slice {
            counted: load.slice,
            kept: load.kept,
            unit_shift: unit_shift(load.total_weight),
            cold_exact: load.cold_exact,
        },
    };
    (load.scenario, plan)
}

/// The part `part` of a plan already in memory, kept as the loader keeps
/// it: the slice and every service that anything requires (a set closed
/// under requirements), in scenario order, every reference renumbered.
pub fn restrict(mut full: Scenario, part: Shard) -> (Scenario, PartPlan) {
    let n = full.services.len();
    let range = slice(part, n);
    let mut keep = vec![false; n];
    keep[range.clone()].fill(true);
    // The timeline simulates names that requirements connect together
    // (`timeline/components.rs`): a part keeps every service that requires.
    let timeline = full.simulation.model == ModelKind::Timeline;
    for (i, svc) in full.services.iter().enumerate() {
        if timeline && !svc.dependencies().is_empty() {
            keep[i] = true;
        }
        for d in svc.dependencies() {
            keep[d as usize] = true;
        }
        if let Some(Parent::Service(q)) = svc.parent() {
            keep[q as usize] = true;
        }
    }
    let cold_exact = full
        .services
        .iter()
        .filter(|s| s.parent().is_some())
        .all(|s| full.resolvers.cold_ns_certain(s));
    let total_weight = full.total_weight();
    let mut new_index = vec![u32::MAX; n];
    let mut kept = Vec::new();
    for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        new_index[i] = kept.len() as u32;
        kept.push(i as u32);
    }
    let renumber =
        |list: &[u32]| -> Box<[u32]> { list.iter().map(|&x| new_index[x as usize]).collect() };
    let services = std::mem::take(&mut full.services);
    full.services = services
        .into_iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(mut s, _)| {
            s.set_requires(renumber(s.requires()));
            let groups: Vec<Box<[u32]>> = s.requires_any().iter().map(|g| renumber(g)).collect();
            s.set_requires_any(groups);
            if let Some(Parent::Service(q)) = s.parent() {
                s.set_parent(Some(Parent::Service(new_index[q as usize])));
            }
            s
        })
        .collect();
    full.lint_allow.retain_mut(|(s, _)| {
        *s = new_index[*s as usize];
        *s != u32::MAX
    });
    let load = PartLoad {
        scenario: full,
        slice: range,
        kept,
        total_weight,
        cold_exact,
    };
    from_load(load, part)
}

/// A part's slice and its services' nodes in the part's model, for its
/// file.
pub fn part_slice(plan: &PartPlan, model: &Model) -> PartSlice {
    PartSlice {
        part: plan.part,
        service_node: (0..plan.slice.kept.len())
            .filter(|&s| plan.slice.counts(s))
            .map(|s| model.service_node[s])
            .collect(),
    }
}

/// One part's counts over every trial (its shards' tallies added), read
/// from `path`.
pub struct PartCounts {
    pub path: PathBuf,
    pub slice: PartSlice,
    pub tally: Tally,
}

/// The whole run's tally from its parts' (in part order, each part's
/// shards already added), against the whole plan's `model`: each service's
/// counts from the part that counted it, each trial's sums added and its
/// bits OR'ed across parts, then counted as a whole run counts them.
pub fn assemble(model: &Model, trials: u64, parts: &[PartCounts]) -> Result<Tally, InputError> {
    let (rc, np) = (model.region_count(), engine::pairs(model.region_count()));
    let services = model.service_node.len();
    let mut tally = Tally::new(model);
    tally.trials = trials;
    let mut filled = vec![false; model.node_count()];
    for pc in parts {
        let bad = |what: String| {
            Err(
                InputError::new(format!("its counts cannot be this part's: {what}"))
                    .in_file(&pc.path),
            )
        };
        let range = slice(pc.slice.part, services);
        if pc.slice.service_node.len() != range.len() {
            return bad(format!(
                "it lists {} services where part {}/{} has {}",
                pc.slice.service_node.len(),
                pc.slice.part.index,
                pc.slice.part.count,
                range.len()
            ));
        }
        let t = &pc.tally;
        if t.regions != rc || t.down.len() % rc != 0 || t.joint.len() != t.down.len() / rc * np {
            return bad("its shape is not this plan's".to_string());
        }
        let part_nodes = t.down.len() / rc;
        for (s, &pn) in range.zip(&pc.slice.service_node) {
            let pn = pn as usize;
            if pn >= part_nodes {
                return bad(format!("service {s}'s node {pn} does not exist"));
            }
            let node = model.service_node[s] as usize;
            let down = &t.down[pn * rc..(pn + 1) * rc];
            let joint = &t.joint[pn * np..(pn + 1) * np];
            if filled[node] {
                // Services of one signature were down in the same trials.
                if tally.down[node * rc..(node + 1) * rc] != *down
                    || tally.joint[node * np..(node + 1) * np] != *joint
                {
                    return bad(format!(
                        "service {s} was counted differently from a service with the same providers and requirements"
                    ));
                }
                continue;
            }
            filled[node] = true;
            tally.down[node * rc..(node + 1) * rc].copy_from_slice(down);
            tally.joint[node * np..(node + 1) * np].copy_from_slice(joint);
        }
    }
    let blocks = engine::block_count(trials);
    let mut sums: BTreeMap<u64, BlockTrials> = BTreeMap::new();
    for pc in parts {
        let bad = |what: String| {
            Err(
                InputError::new(format!("its per-trial sums cannot be this part's: {what}"))
                    .in_file(&pc.path),
            )
        };
        if pc.tally.blocks.len() as u64 != blocks {
            return bad(format!(
                "{} blocks where the run has {blocks}",
                pc.tally.blocks.len()
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for b in &pc.tally.blocks {
            let n = engine::trials_in_block(trials, b.block);
            if b.block >= blocks || !seen.insert(b.block) {
                return bad(format!(
                    "block {} is not one of the run's, or is there twice",
                    b.block
                ));
            }
            if b.units.len() as u64 != n * rc as u64
                || b.any.len() as u64 != n.div_ceil(64) * rc as u64
            {
                return bad(format!("block {} does not hold its {n} trials", b.block));
            }
            match sums.get_mut(&b.block) {
                None => {
                    sums.insert(b.block, b.clone());
                }
                Some(total) => {
                    for (x, y) in total.units.iter_mut().zip(&b.units) {
                        let Some(s) = x.checked_add(*y) else {
                            return bad(format!("block {}'s sums overflow", b.block));
                        };
                        *x = s;
                    }
                    for (x, y) in total.any.iter_mut().zip(&b.any) {
                        *x |= y;
                    }
                }
            }
        }
    }
    for b in sums.values() {
        let n = engine::trials_in_block(trials, b.block) as usize;
        for (w, any) in b.any.chunks(rc).enumerate() {
            let mask = engine::eval::low_bits((n - 64 * w).min(64) as u32);
            for (r, word) in any.iter().enumerate() {
                tally.any[r] += u64::from((word & mask).count_ones());
            }
        }
        for units in b.units.chunks(rc) {
            let x = model.trial_impact(units.iter().copied());
            if x > 0.0 {
                *tally.impact.entry(x.to_bits()).or_insert(0) += 1;
            }
        }
    }
    tally
        .check(trials)
        .map_err(|why| InputError::new(format!("the parts' counts add up to no run: {why}")))?;
    Ok(tally)
}
