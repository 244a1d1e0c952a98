//! What a trial will cost, estimated before any of it runs, so that a run
//! on course to take hours says so first (issue: resource bounds).
//!
//! A resolver simulates a service's trouble windows: the outages of every
//! provider of the service and of what it requires. In them, each name of
//! the service's requirement closure is looked up at its own rate, and each
//! lookup steps through what that name requires (the next lookup is found
//! in a heap, at a cost that the estimate leaves out). So one
//! trial costs about
//!
//!   Σ over regions and services: resolvers × W × Σ over the closure of λ × m
//!
//! lookup steps, where W is the expected trouble time (the providers'
//! expected outage time, added up and capped at the horizon), λ a member's
//! lookup rate and m the size of its own closure; plus, per resolver and
//! window, the walk of each closure member's cache to the window's start.
//! W, the sums and the sizes are computed in one pass in topological
//! order, as upper bounds where requirements share members (capped at the
//! plan's size and summed rate), so the pass stays linear in the plan.
//! Since names that requirements connect share one simulation
//! (`components.rs`), a required name's own lookups run once, not once per
//! dependent: the estimate counts them per dependent, an upper bound.

use super::TimelineModel;

/// A service's closure, as far as the estimate needs it.
#[derive(Clone, Default)]
struct Reach {
    /// Providers of the closure, sorted; `None` once there are more than
    /// [`MAX_TRACKED`] (the trouble time is then taken as the horizon's).
    providers: Option<Vec<u32>>,
    /// Closure size (an upper bound).
    size: f64,
    /// Σ over the closure of a member's rate times its closure's size (an
    /// upper bound): the steps of the closure's lookups per second.
    steps: f64,
}

const MAX_TRACKED: usize = 64;

/// What one closure member's walk to a window's start costs, in lookup
/// steps (fitted, with the steps' pace in the binary, on a 100-name
/// requirement chain and a generated 10,000-service plan, where lookups
/// and walks dominate in turn).
const WALK_STEPS: f64 = 750.0;

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
        // Closures are bounded by the whole plan: its size and its summed
        // rates (the sums below overcount shared members, and a ladder of
        // diamonds would otherwise double them at every rung).
        let n = sc.services.len() as f64;
        let all_rates: f64 = self.svc.iter().map(|v| v.lambda).sum();
        let mut reach: Vec<Reach> = vec![Reach::default(); sc.services.len()];
        let (mut lookups, mut walks) = (0.0, 0.0);
        for &s in &self.order {
            let svc = &sc.services[s as usize];
            let mut providers: Option<Vec<u32>> = Some(
                svc.dns
                    .iter()
                    .chain(svc.standby().iter())
                    .copied()
                    .collect(),
            );
            let lambda = self.svc[s as usize].lambda;
            let (mut size, mut steps) = (1.0, 0.0);
            for &d in self.deps.row(s as usize) {
                let r = &reach[d as usize];
                size += r.size;
                steps += r.steps;
                providers = match (providers, &r.providers) {
                    (Some(mut mine), Some(theirs)) => {
                        mine.extend(theirs);
                        mine.sort_unstable();
                        mine.dedup();
                        (mine.len() <= MAX_TRACKED).then_some(mine)
                    }
                    _ => None,
                };
            }
            let size = size.min(n);
            let steps = (steps + lambda * size).min(all_rates * n);
            for r in 0..rc {
                let (trouble, windows) = match &providers {
                    Some(ps) => ps.iter().fold((0.0, 0.0), |(t, w), &p| {
                        let x = r * pc + p as usize;
                        (t + down[x], w + count[x])
                    }),
                    None => (self.horizon, f64::INFINITY),
                };
                if !self.counts(s as usize) {
                    // Simulated only inside the closures that need it.
                    continue;
                }
                lookups += trouble.min(self.horizon) * steps;
                // A window's start walks each closure member's cache through
                // the quiet time before it (at most 64 cycles).
                if trouble > 0.0 {
                    walks += windows.min(self.horizon / 60.0).max(1.0) * size;
                }
            }
            reach[s as usize] = Reach {
                providers,
                size,
                steps,
            };
        }
        (lookups + walks * WALK_STEPS) * f64::from(sc.resolvers.per_region)
    }
}
