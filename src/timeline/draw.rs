//! One trial's draws: every outage per (region, provider), the time each
//! service's standby joins its delegation, and the trouble windows that the
//! resolvers then simulate.

use rayon::prelude::*;

use super::components::Activity;
use super::intervals::{Interval, intersect, normalise};
use super::record::Record;
use super::resolver::{ResolverSim, TrialDraws};
use super::{Outage, Outages, TimelineModel, TimelineTally};
use crate::random::{Stream, exponential, lognormal, resolver_stream, stream, uniform};
use crate::scenario::{OutageDuration, Z95};

/// Components of a trial and region simulated at once, at most: their
/// records are held until added to the tally.
const COMPONENTS_IN_FLIGHT: usize = 256;

/// Components this large split their resolvers across threads: one such
/// component can outweigh all the others of a trial (a wide `requires_any`
/// group, a long chain), and its resolvers are independent.
const SPLIT_COMPONENT: usize = 32;

fn draw_duration(rng: &mut Stream, d: OutageDuration) -> f64 {
    match d {
        OutageDuration::Fixed(m) => m.as_secs_f64(),
        OutageDuration::LogNormal { median, p95 } => {
            let m = median.as_secs_f64();
            if m == 0.0 {
                return 0.0;
            }
            lognormal(rng, m, libm::log(p95.as_secs_f64() / m) / Z95)
        }
    }
}

impl TimelineModel<'_> {
    /// Every outage of one trial, per (region, provider).
    pub(super) fn outages(&self, trial: u64) -> Outages {
        let (rc, pc) = (self.scenario.regions.len(), self.scenario.providers.len());
        let mut out: Outages = vec![Vec::new(); rc * pc];
        for src in &self.sources {
            let mut rng = stream(&src.key, trial);
            let mut t = exponential(&mut rng, src.rate);
            while t < self.horizon {
                let end = (t + draw_duration(&mut rng, src.duration)).min(self.horizon);
                for &(p, r) in &src.cover {
                    out[r as usize * pc + p as usize].push(Outage {
                        start: t,
                        end,
                        loss: src.loss,
                        by_resolver: src.by_resolver,
                    });
                }
                t += exponential(&mut rng, src.rate);
            }
        }
        for s in &self.scheduled {
            for &(p, r) in &s.cover {
                out[r as usize * pc + p as usize].push(Outage {
                    start: s.start,
                    end: s.end,
                    loss: s.loss,
                    by_resolver: s.by_resolver,
                });
            }
        }
        for list in &mut out {
            list.sort_by(|a, b| a.start.total_cmp(&b.start));
        }
        out
    }

    pub(super) fn run_trial(&self, trial: u64, tally: &mut TimelineTally) {
        let sc = self.scenario;
        let (rc, pc, sc_n) = (sc.regions.len(), sc.providers.len(), sc.services.len());
        let outages = self.outages(trial);
        if outages.iter().all(Vec::is_empty) {
            tally.fold_trial();
            return;
        }
        // Per (region, provider): when it is out (only where it loses
        // queries, or at all).
        let intervals = |lossy: bool| -> Vec<Vec<Interval>> {
            (outages.iter())
                .map(|l| {
                    let mut v: Vec<Interval> = (l.iter())
                        .filter(|o| !lossy || o.loss > 0.0)
                        .map(|o| (o.start, o.end))
                        .collect();
                    normalise(&mut v);
                    v
                })
                .collect()
        };
        // Manual failover: the time each service's standby joins its
        // delegation (every delegated provider out in some region, plus the
        // operator's delay), if it does within the horizon.
        let down = intervals(true);
        // Every outage is simulated, one that loses nothing too: what the
        // lookups send during an event with `loss = 0` is its load.
        let troubled = intervals(false);
        let change: Vec<f64> = sc
            .services
            .iter()
            .zip(&self.svc)
            .map(|(s, v)| {
                if s.standby().is_empty() {
                    return f64::INFINITY;
                }
                (0..rc)
                    .filter_map(|r| {
                        let mut all: Option<Vec<Interval>> = None;
                        for &p in s.dns.iter() {
                            let d = &down[r * pc + p as usize];
                            all = Some(match all {
                                None => d.clone(),
                                Some(a) => intersect(&a, d),
                            });
                        }
                        all.and_then(|a| a.first().map(|x| x.0))
                    })
                    .fold(f64::INFINITY, f64::min)
                    + v.failover_after
            })
            .collect();

        let hits = self.resolver_hits(trial, &outages);
        let draws = TrialDraws {
            outages,
            hits,
            change,
        };
        let mut windows: Vec<Vec<Interval>> = vec![Vec::new(); sc_n];
        for r in 0..rc {
            // Trouble windows in topological order: a service's own
            // providers' outages plus its requirements' windows.
            for &s in &self.order {
                let svc = &sc.services[s as usize];
                let mut w: Vec<Interval> = Vec::new();
                let referral = self.referral.row(s as usize);
                for &p in svc.dns.iter().chain(svc.standby().iter()).chain(referral) {
                    w.extend(&troubled[r * pc + p as usize]);
                }
                for &d in self.deps.row(s as usize) {
                    w.extend(&windows[d as usize]);
                }
                normalise(&mut w);
                windows[s as usize] = w;
            }
            // Each component on its own streams, in parallel (a trial with
            // fewer trials than threads still uses them all), a chunk at a
            // time so that records in flight stay few; their integer
            // counts are added in component order. Whether a component is
            // simulated does not hang on which services a part counts, so
            // a part's counts are the whole run's.
            let busy: Vec<usize> = (0..self.component_count())
                .filter(|&c| {
                    let members = self.components.row(c);
                    members.iter().any(|&s| self.counts(s as usize))
                        && members.iter().any(|&s| {
                            !windows[s as usize].is_empty() && self.svc[s as usize].lambda > 0.0
                        })
                })
                .collect();
            for chunk in busy.chunks(COMPONENTS_IN_FLIGHT) {
                let records: Vec<Vec<Record>> = chunk
                    .par_iter()
                    .map(|&c| self.simulate(trial, c, r, &windows, &draws))
                    .collect();
                for (&c, recs) in chunk.iter().zip(&records) {
                    for (&s, rec) in self.components.row(c).iter().zip(recs) {
                        if self.counts(s as usize) {
                            tally.apply(s as usize, r, rec);
                        }
                    }
                }
            }
        }
        tally.fold_trial();
    }

    /// How many pieces a trial's simulation splits into in each region, at
    /// most: one a component, and one a resolver for a component that
    /// splits its resolvers (`simulate`). A run of `trials` keeps at most
    /// `trials` × this many threads busy (for the estimate before a run).
    pub fn pieces_per_trial(&self) -> u64 {
        (0..self.component_count())
            .map(|c| self.resolver_chunks(self.components.row(c).len(), usize::MAX) as u64)
            .sum()
    }

    /// How many chunks a component of `members` names splits its resolvers
    /// into on `threads` threads: one, unless it is large enough to split.
    fn resolver_chunks(&self, members: usize, threads: usize) -> usize {
        let resolvers = self.scenario.resolvers.per_region as usize;
        if members >= SPLIT_COMPONENT {
            threads.min(resolvers).max(1)
        } else {
            1
        }
    }

    /// Component `c`'s resolvers in region `r` through its trouble
    /// windows (`windows`: per service): a record per member.
    fn simulate(
        &self,
        trial: u64,
        c: usize,
        r: usize,
        windows: &[Vec<Interval>],
        draws: &TrialDraws,
    ) -> Vec<Record<'_>> {
        let pc = self.scenario.providers.len();
        let members = self.components.row(c);
        let children = self.children(members);
        let activity = Activity::new(members, &children, windows);
        // The streams of the component's first service in plan order: a
        // service alone keeps its own.
        let first = members.iter().min().expect("a component has a member");
        let key = &self.svc[*first as usize].key;
        let resolvers = self.scenario.resolvers.per_region as usize;
        // Each resolver on its own stream, into integer counts: any split
        // of them across threads gives the same sums.
        let run = |range: std::ops::Range<usize>| {
            let mut sim = ResolverSim::new(self, members, &children, draws, r, pc);
            let mut recs: Vec<Record> = members.iter().map(|_| Record::new(self)).collect();
            for i in range {
                let mut rng = stream(key, resolver_stream(trial, r, i));
                sim.reset(&mut rng, i);
                for (u, &(a, b)) in activity.windows.iter().enumerate() {
                    sim.window(&mut rng, a, b, activity.active.row(u), &mut recs, r);
                }
            }
            recs
        };
        let chunks = self.resolver_chunks(members.len(), rayon::current_num_threads());
        if chunks == 1 {
            return run(0..resolvers);
        }
        (0..chunks)
            .into_par_iter()
            .map(|c| run(c * resolvers / chunks..(c + 1) * resolvers / chunks))
            .reduce_with(|mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.absorb(y);
                }
                a
            })
            .expect("at least one chunk")
    }

    /// `loss_by = "resolver"`: per (region, provider) list that has such an
    /// outage, whether each resolver (rows) loses every query in each
    /// interval (columns). A resolver's draws come from the provider's own
    /// stream, so one resolver is hit or spared alike for every name it
    /// looks up; lists without such outages draw nothing.
    fn resolver_hits(&self, trial: u64, outages: &Outages) -> Vec<Option<Vec<bool>>> {
        let (rc, pc) = (self.scenario.regions.len(), self.scenario.providers.len());
        let resolvers = self.scenario.resolvers.per_region as usize;
        (0..rc * pc)
            .map(|x| {
                let list = &outages[x];
                if !list.iter().any(|o| o.by_resolver) {
                    return None;
                }
                let (r, p) = (x / pc, x % pc);
                let mut hits = Vec::with_capacity(resolvers * list.len());
                for i in 0..resolvers {
                    let mut rng = stream(&self.loss_keys[p], resolver_stream(trial, r, i));
                    hits.extend(list.iter().map(|o| uniform(&mut rng) < o.loss));
                }
                Some(hits)
            })
            .collect()
    }
}
