//! What a trial will cost, estimated before any of it runs, so that a run
//! on course to take hours says so first (issue: resource bounds).
//!
//! Names that requirements connect are simulated together on shared
//! caches (`components.rs`), each name's own lookups once, while the name
//! or any service that requires it (directly or not) is in trouble. Each
//! lookup steps through what the name requires, at most (a walk stops at
//! quiet names, `walk.rs`, which the steps' pace in the binary allows
//! for; the next lookup is found in a heap, at a cost that the estimate
//! leaves out). So one trial costs about
//!
//!   Σ over regions and services: resolvers × W × λ × m
//!
//! lookup steps, where W is the expected trouble time of the providers of
//! the service's closure and of every dependent's closure (their expected
//! outage time, added up and capped at the horizon), λ the service's
//! lookup rate and m the size of its closure; plus, per resolver and
//! window, the walk of the name's cache to the window's start. The
//! closures' providers and sizes come from one pass in topological order,
//! the dependents' providers from one pass back, as upper bounds where
//! requirements share members (sizes capped at the plan's, provider lists
//! at 64, beyond which W is the horizon), so the passes stay linear in the
//! plan. (Until 2026-12-05 every service simulated its own copy of what it
//! requires, and the estimate summed the closure's rates per service.)
//!
//! A walk into a requirement line (`lines.rs`) does not step through its
//! names: it finds those a lookup changes in a tree, and a resolver
//! without a cache takes them from sums (`sums.rs`). Such a walk is
//! counted as `LINE_STEPS` × √(the line's length) steps at a resolver
//! whose cache helps and `SUM_STEPS` × √(the line's length) at one whose
//! cache does not, weighted by `cache_share`, fitted on measured chains
//! (one trial, one provider with 12 outages a year, 365 days, 100
//! resolvers, at 2edb946): with the default share of 0.7, 100, 800,
//! 1,600, 3,200 and 20,000 names took 0.35, 5.24, 12.40, 34.7 and 638 s,
//! and are estimated at 0.43, 6.87, 18.1, 48.4 and 693 s of one core's
//! time (a walk's cost grows faster than the tree's depth: longer chains
//! run shorter certain stretches, and miss the processor's caches more);
//! a trial of a chain keeps both cores busy, so the run's estimate says
//! half that (`Prepared::timeline_work`; at b0122e8 the 1,600, 3,200 and
//! 20,000 chains took 10.2, 27.0 and 352.5 s). Without caches the
//! chains' lines cost about 1/35 as much in CPU time (a8c69e7: 1,600
//! names 0.88 s against 32.97 s with a share of 1 and 21.80 s with 0.7;
//! 800 names 0.37, 12.78 and 9.49 s); with a share of 0, 800, 1,600 and
//! 20,000 names are estimated at 0.44, 1.0 and 32 s (they took 0.37,
//! 0.93 and 31.4 s of CPU time), and with a share of 1, 1,600 names at
//! 26 s (26.9 s). What the estimate said before (8 hours for the
//! 20,000-name chain, then 12 minutes and 67 s for it without caches):
//! docs/performance.md, "Wide requirements and long chains".

use super::TimelineModel;
use super::lines::each_line;

/// A service's closure, as far as the estimate needs it.
#[derive(Clone, Default)]
struct Reach {
    /// Providers of the closure, sorted; `None` once there are more than
    /// [`MAX_TRACKED`] (the trouble time is then taken as the horizon's).
    providers: Option<Vec<u32>>,
    /// Closure size (an upper bound).
    size: f64,
}

const MAX_TRACKED: usize = 64;

/// What one closure member's walk to a window's start costs at a resolver
/// whose cache helps, in lookup steps (fitted, with the steps' pace in the
/// binary, on a 100-name requirement chain and a generated 10,000-service
/// plan, where lookups and walks dominate in turn, at the default
/// `cache_share` of 0.7: 750 steps a member and resolver, 1,070 at each
/// resolver that walks). A resolver whose cache does not help has no cache
/// to walk (`quiet.rs`: its next lookup is drawn after the window's start).
const WALK_STEPS: f64 = 1070.0;

/// What a lookup's walk into a requirement line costs (`lines.rs`), in
/// lookup steps times the square root of the line's length (see the
/// module comment): at a resolver whose cache helps, and at one whose
/// cache does not, which takes the line from its sums (`sums.rs`).
const LINE_STEPS: f64 = 2.26;
const SUM_STEPS: f64 = 0.063;

impl TimelineModel<'_> {
    /// Expected lookup steps of one trial (see the module comment).
    pub fn work_per_trial(&self) -> f64 {
        let sc = self.scenario;
        let (rc, pc) = (sc.regions.len(), sc.providers.len());
        // Per (region, provider): expected outage seconds, and outages.
        let mut down = vec![0.0; rc * pc];
        let mut count = vec![0.0; rc * pc];
        for s in &self.sources {
            let each = s.rate * self.horizon * s.duration.mean_secs();
            for &(p, r) in &s.cover {
                down[r as usize * pc + p as usize] += each;
                count[r as usize * pc + p as usize] += s.rate * self.horizon;
            }
        }
        for s in &self.scheduled {
            for &(p, r) in &s.cover {
                down[r as usize * pc + p as usize] += s.end - s.start;
                count[r as usize * pc + p as usize] += 1.0;
            }
        }
        // Closures are bounded by the whole plan: its size (the sums below
        // overcount shared members, and a ladder of diamonds would
        // otherwise double them at every rung).
        let n = sc.services.len() as f64;
        let inner = self.line_names();
        let c = sc.resolvers.cache_share;
        let line_steps = c * LINE_STEPS + (1.0 - c) * SUM_STEPS;
        let mut reach: Vec<Reach> = vec![Reach::default(); sc.services.len()];
        for &s in &self.order {
            let svc = &sc.services[s as usize];
            let mut providers: Option<Vec<u32>> = Some(
                svc.dns
                    .iter()
                    .chain(svc.standby().iter())
                    .copied()
                    .collect(),
            );
            let mut size = 1.0;
            for &d in self.deps.row(s as usize) {
                let r = &reach[d as usize];
                size += r.size;
                providers = union(providers, &r.providers);
            }
            if let ([q], true) = (svc.requires(), svc.requires_any().is_empty())
                && let Some((len, last)) = inner[*q as usize]
            {
                // Into a line: its names a lookup changes found in a tree,
                // the rest taken together, then what its last name needs.
                size = 1.0 + line_steps * f64::from(len).sqrt() + reach[last as usize].size;
            }
            reach[s as usize] = Reach {
                providers,
                size: size.min(n),
            };
        }
        // A name is simulated while it or any service that requires it,
        // directly or not, is in trouble: the providers of its closure and
        // of every dependent's, from the dependents down.
        let mut up: Vec<Option<Vec<u32>>> = vec![Some(Vec::new()); sc.services.len()];
        let (mut lookups, mut walks) = (0.0, 0.0);
        for &s in self.order.iter().rev() {
            let mine = union(up[s as usize].take(), &reach[s as usize].providers);
            for &d in self.deps.row(s as usize) {
                up[d as usize] = union(up[d as usize].take(), &mine);
            }
            let steps = self.svc[s as usize].lambda * reach[s as usize].size;
            for r in 0..rc {
                let (trouble, windows) = match &mine {
                    Some(ps) => ps.iter().fold((0.0, 0.0), |(t, w), &p| {
                        let x = r * pc + p as usize;
                        (t + down[x], w + count[x])
                    }),
                    None => (self.horizon, f64::INFINITY),
                };
                lookups += trouble.min(self.horizon) * steps;
                // A window's start walks the name's cache through the
                // quiet time before it (at most 64 cycles), at the
                // resolvers that have one.
                if trouble > 0.0 {
                    walks += windows.min(self.horizon / 60.0).max(1.0);
                }
            }
        }
        (lookups + walks * c * WALK_STEPS) * f64::from(sc.resolvers.per_region)
    }
}

impl TimelineModel<'_> {
    /// Per service that is an inner name of a requirement line
    /// (`lines.rs`: names each requiring, in `requires`, one name that only
    /// they require; `MIN_LINE` or more): the line's length and its last
    /// name.
    fn line_names(&self) -> Vec<Option<(u32, u32)>> {
        let sc = self.scenario;
        let n = sc.services.len();
        let mut parents = vec![0u32; n];
        for s in 0..n {
            for &d in self.deps.row(s) {
                parents[d as usize] += 1;
            }
        }
        let link = |s: usize| {
            let svc = &sc.services[s];
            match (svc.requires(), svc.requires_any().is_empty()) {
                ([q], true) if parents[*q as usize] == 1 => Some(*q as usize),
                _ => None,
            }
        };
        let mut inner = vec![None; n];
        each_line(n, link, |line| {
            if let [_, names @ .., last] = line {
                for &s in names {
                    inner[s as usize] = Some((line.len() as u32, *last));
                }
            }
        });
        inner
    }
}

/// The union of two sorted provider lists; `None` (too many to track) once
/// either is or the union is longer than [`MAX_TRACKED`].
fn union(mine: Option<Vec<u32>>, theirs: &Option<Vec<u32>>) -> Option<Vec<u32>> {
    match (mine, theirs) {
        (Some(mut mine), Some(theirs)) => {
            mine.extend(theirs);
            mine.sort_unstable();
            mine.dedup();
            (mine.len() <= MAX_TRACKED).then_some(mine)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// One trial's estimate for `n` names at a `cache_share`, each
    /// requiring the one before it (a chain) or none of them.
    fn work(share: f64, n: usize, chain: bool) -> f64 {
        let mut plan = format!(
            "[simulation]\nmodel = \"timeline\"\nhorizon = \"365d\"\n\
             [resolvers]\ncache_share = {share}\n\
             [[provider]]\nid = \"p\"\noutages_per_year = 12\n"
        );
        for i in 0..n {
            plan.push_str(&format!("[[service]]\nid = \"s{i}\"\ndns = [\"p\"]\n"));
            if chain && i > 0 {
                plan.push_str(&format!("requires = [\"s{}\"]\n", i - 1));
            }
        }
        let scenario = crate::scenario::parse_str(std::path::Path::new("plan.toml"), &plan)
            .expect("a valid plan");
        super::super::TimelineModel::compile(&scenario, 1, &Default::default(), None)
            .expect("compiles")
            .work_per_trial()
    }

    /// Names that nothing requires: at a resolver without a cache their
    /// lookups cost what they cost at one with, but no cache is walked
    /// to a window's start.
    #[test]
    fn resolvers_without_caches_walk_no_cache() {
        let work = |share| work(share, 100, false);
        let (none, half, all) = (work(0.0), work(0.5), work(1.0));
        // Lookups alone without caches; half the walks at half the share.
        assert!(none > 0.0 && none < all / 2.0, "{none} against {all}");
        let mid = (none + all) / 2.0;
        assert!((half - mid).abs() < 1e-9 * mid, "{half} against {mid}");
    }

    /// A chain's lines cost a resolver without a cache a small part of what
    /// they cost one with (its sums), and the estimate says so: the default
    /// share in between.
    #[test]
    fn resolvers_without_caches_are_estimated_cheaper() {
        let work = |share| work(share, 2000, true);
        let (none, default, all) = (work(0.0), work(0.7), work(1.0));
        assert!(none < all / 3.0, "{none} against {all}");
        assert!(none < default && default < all, "{none}, {default}, {all}");
    }
}
