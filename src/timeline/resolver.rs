//! One resolver's view of a component's names (`components.rs`: services
//! that requirements connect) through its trouble windows: caches
//! (answers, failures, NS sets at the child and the parent), server choice
//! and holddown, retries under loss, serve-stale,
//! simulated lookup by lookup where the outcome is uncertain; the jump over
//! fresh stretches here, the other shortcuts in `certain.rs`, `bulk.rs`,
//! `failures.rs` and `independent.rs` (spec §3, §3.1).

use super::argmin::ArgMin;
use super::bulk::{Bulk, Cost, Pending};
use super::record::Record;
use super::sums::LineSums;
use super::walk::{Children, Step, WalkState};
use super::{Outages, Svc, TimelineModel, Zone};
use crate::random::{Stream, exponential, exponential_fast, uniform};

/// What one trial drew, shared by every resolver of the trial.
pub(super) struct TrialDraws {
    pub outages: Outages,
    /// Per (region, provider): which resolvers a `loss_by = "resolver"`
    /// outage hits (see `TimelineModel::resolver_hits`).
    pub hits: Vec<Option<Vec<bool>>>,
    /// Per service: when its standby joins the delegation.
    pub change: Vec<f64>,
}

/// One member's state at a resolver, kept together: a component's event
/// loop goes from member to member, and a large component's members are
/// far apart in the plan's tables (one cache line a member, not one an
/// array).
#[derive(Clone, Copy)]
pub(super) struct Name {
    /// When the cached answer expires (stays expired, for serve-stale).
    pub expiry: f64,
    /// When the remembered failure ends, and how many failed in a row.
    pub failed_until: f64,
    pub fail_streak: u32,
    /// When the resolver sees the standby.
    pub seen: f64,
    /// Its own next lookup.
    pub next: f64,
    /// Until when its cache's state is known (the end of the last window
    /// it was simulated in), and whether it has been set at t = 0 (caches
    /// carried over the horizon).
    pub since: f64,
    pub begun: bool,
    /// Its lookup rate and cache lifetime.
    pub lambda: f64,
    pub ttl: f64,
}

impl Name {
    fn new(svc: &Svc) -> Name {
        Name {
            expiry: f64::NEG_INFINITY,
            failed_until: f64::NEG_INFINITY,
            fail_streak: 0,
            seen: f64::INFINITY,
            next: f64::INFINITY,
            since: 0.0,
            begun: false,
            lambda: svc.lambda,
            ttl: svc.ttl,
        }
    }
}

/// One resolver's view of a component's names, on one shared cache.
pub(super) struct ResolverSim<'m> {
    pub(super) model: &'m TimelineModel<'m>,
    pub(super) members: &'m [u32],
    pub(super) draws: &'m TrialDraws,
    pub(super) region: usize,
    pub(super) pc: usize,
    /// The resolver simulated now.
    pub(super) resolver: usize,
    /// Whether its cache helps this resolver's lookups (`cache_share`),
    /// and whether it serves stale answers (`serve_stale`).
    pub(super) caching: bool,
    pub(super) stale_ok: bool,
    /// Per member, its state at this resolver.
    pub(super) names: Vec<Name>,
    /// The active members' `next` as a heap, inside a window's event loop.
    first: ArgMin,
    /// Providers in holddown, and until when.
    pub(super) held: Vec<(u32, f64)>,
    /// Scratch: the providers a resolution tries, in order, and what a
    /// lookup costs.
    pub(super) order: Vec<u32>,
    pub(super) cost: Cost,
    pub(super) rest: Cost,
    /// Scratch: the members whose failure a certain lookup remembers.
    pub(super) remembered: Vec<usize>,
    /// Per member: whether its last lookup's name succeeded (`walk.rs`),
    /// and whether another member's lookups look it up.
    pub(super) ok: Vec<bool>,
    required: Vec<bool>,
    /// Per member, what its lookup walks, in order (`walk.rs`).
    pub(super) children: &'m Children,
    pub(super) walk_state: WalkState,
    initialised: bool,
    /// Caches carried over the horizon: whether this resolver's NS sets
    /// have been set at t = 0.
    pub(super) started: bool,
    /// Scratch: `next` of the window's active members, in their order.
    live: Vec<f64>,
    /// Per member: its failing lookups kept for a Poisson draw (`bulk.rs`).
    pending: Vec<Pending>,
    /// NS sets of the zones that members' resolutions may need (members
    /// with a `parent`, and up the chain), and each member's zone.
    pub(super) zones: Vec<Zone>,
    pub(super) zone_of: Vec<Option<usize>>,
    /// Until when the NS sets' state is known (the last window's end).
    pub(super) zones_until: f64,
    /// For a resolver whose cache does not help: each line's certain
    /// parts, summed (`sums.rs`).
    pub(super) sums: LineSums,
}

impl<'m> ResolverSim<'m> {
    pub(super) fn new(
        model: &'m TimelineModel<'m>,
        members: &'m [u32],
        children: &'m Children,
        draws: &'m TrialDraws,
        region: usize,
        pc: usize,
    ) -> ResolverSim<'m> {
        let n = members.len();
        let (zones, zone_of) = model.zones_of(members);
        ResolverSim {
            model,
            members,
            draws,
            region,
            pc,
            resolver: 0,
            caching: true,
            stale_ok: false,
            names: (members.iter())
                .map(|&x| Name::new(&model.svc[x as usize]))
                .collect(),
            first: ArgMin::default(),
            held: Vec::new(),
            order: Vec::new(),
            cost: Cost::default(),
            rest: Cost::default(),
            remembered: Vec::new(),
            ok: vec![false; n],
            required: {
                let mut required = vec![false; n];
                for &(q, _) in children.iter().flatten() {
                    required[q] = true;
                }
                required
            },
            children,
            walk_state: WalkState::new(children),
            initialised: false,
            started: false,
            live: Vec::new(),
            pending: (0..n).map(|_| Pending::default()).collect(),
            zones,
            zone_of,
            zones_until: 0.0,
            sums: LineSums::default(),
        }
    }

    /// Ready for resolver `i`: no view of any delegation change yet, no
    /// memory of failures, and its traits drawn (only where the profile
    /// leaves a choice, so the ideal profile draws nothing here).
    pub(super) fn reset(&mut self, rng: &mut Stream, i: usize) {
        let res = &self.model.scenario.resolvers;
        self.resolver = i;
        for name in &mut self.names {
            name.seen = f64::INFINITY;
            name.failed_until = f64::NEG_INFINITY;
            name.fail_streak = 0;
            name.begun = false;
        }
        self.held.clear();
        self.sums.changed();
        self.walk_state.forget();
        self.initialised = false;
        self.started = false;
        self.caching = share_draw(rng, res.cache_share);
        self.stale_ok = share_draw(rng, res.serve_stale);
        self.reset_zones(rng);
    }

    /// The wait until the next of a Poisson stream of lookups at `rate`.
    pub(super) fn wait(&self, rng: &mut Stream, rate: f64) -> f64 {
        if self.model.fast_waits {
            exponential_fast(rng, rate)
        } else {
            exponential(rng, rate)
        }
    }

    /// Whether a lookup of member `j` at `t` that gets no answer is served
    /// a stale one, and until when that holds (`None`: not stale).
    pub(super) fn stale_until(&self, j: usize, t: f64) -> Option<f64> {
        let end = self.names[j].expiry + self.model.max_stale;
        (self.stale_ok && self.names[j].expiry.is_finite() && t < end).then_some(end)
    }

    /// Simulates this resolver's lookups of the `active` members (indices,
    /// ascending) through the trouble window [a, b), recording each
    /// lookup's failures, lost tries and queries in region `r` in the
    /// record of the member it came from.
    pub(super) fn window(
        &mut self,
        rng: &mut Stream,
        a: f64,
        b: f64,
        active: &[u32],
        recs: &mut [Record],
        r: usize,
    ) {
        if !self.initialised {
            self.draw_delegation_views(rng);
            self.initialised = true;
        }
        let first = !self.started;
        if self.model.scenario.resolvers.evolve {
            self.advance(rng, a, active);
        } else {
            self.draw_window_start(rng, a, active);
        }
        self.zones_at_window(rng, a, b, first);
        self.sums.changed();
        let mut cost = std::mem::take(&mut self.cost);
        let mut rest = std::mem::take(&mut self.rest);
        let mut pending = std::mem::take(&mut self.pending);
        let mut first = std::mem::take(&mut self.first);
        // The heap holds the active members' next lookups only, by
        // their place in `active` (ascending, so ties go to the lower
        // member as before).
        let mut live = std::mem::take(&mut self.live);
        live.clear();
        live.extend(active.iter().map(|&k| self.names[k as usize].next));
        first.build(&live);
        self.live = live;
        loop {
            let (at, t) = first.min();
            if t >= b {
                break;
            }
            let k = active[at] as usize;
            let lambda = self.names[k].lambda;
            // While the lookup and all it requires are fresh in cache, every
            // lookup is answered and nothing changes: jump to the first
            // lookup after the earliest expiry (the process is memoryless).
            let fresh_until = self.fresh_until(k, t);
            if t < fresh_until {
                self.names[k].next = fresh_until + self.wait(rng, lambda);
                first.set_min(self.names[k].next);
                continue;
            }
            let rec = &mut recs[k];
            // A resolver without a cache under partial loss, where each
            // lookup is a fresh draw from one law: counted in bulk.
            if let Some(next) = self.independent_run(rng, k, t, b, rec, r) {
                self.names[k].next = next;
                first.set_min(next);
                continue;
            }
            // When every part of the lookup is certain (fresh in cache, a
            // remembered failure, or every delegated provider losing every
            // query), each lookup until the next change has the same outcome
            // and cost and changes no cache: count them in bulk instead of
            // one by one.
            cost.clear();
            rest.clear();
            if let Some(c) = self.certain_lookup(k, t, b, &mut cost, &mut rest) {
                let bulk = Bulk {
                    fails: c.fails,
                    first: &cost,
                    rest: &rest,
                    lambda,
                    r,
                };
                bulk.record(rng, t, c.until, rec, &mut pending[k]);
                let mut next = c.until + self.wait(rng, lambda);
                if c.change > c.until && c.only_own && !self.required[k] {
                    // Its own failure remembered now and forgotten before
                    // anything else its lookups walk changes, and no other
                    // member's lookups resolve it (nothing requires it):
                    // the same again at each of its lookups until then.
                    next = self.failure_run(rng, &bulk, k, next, c.change, rec, &mut pending[k]);
                }
                self.names[k].next = next;
                first.set_min(next);
                continue;
            }
            cost.clear();
            let ok = self.lookup(rng, k, t, b, &mut cost);
            if !ok {
                rec.record_failures(t, 1);
            }
            rec.record_lost(cost.lost);
            for &(p, n) in &cost.queries {
                rec.record_queries(p, r, t, n);
            }
            self.names[k].next = t + self.wait(rng, lambda);
            first.set_min(self.names[k].next);
        }
        for &k in active {
            pending[k as usize].flush(rng, &mut recs[k as usize]);
            self.names[k as usize].since = b;
        }
        self.pending = pending;
        self.first = first;
        self.cost = cost;
        self.rest = rest;
    }

    /// This resolver's view of each delegation change: child-centric
    /// resolvers see it within the child's NS TTL, parent-centric ones
    /// within the parent's, uniformly.
    fn draw_delegation_views(&mut self, rng: &mut Stream) {
        let m = self.model;
        for (k, &x) in self.members.iter().enumerate() {
            let c = self.draws.change[x as usize];
            if c.is_finite() {
                let svc = &m.svc[x as usize];
                let parent = uniform(rng) < m.scenario.resolvers.parent_centric_share;
                let w = if parent {
                    svc.parent_window
                } else {
                    svc.child_window
                };
                self.names[k].seen = c + uniform(rng) * w;
            }
        }
    }

    /// A client lookup of member `k` at `t` (in a window that ends at `b`):
    /// it and what it requires, requirements first, each from cache or by
    /// resolution (`walk.rs`). Returns whether it succeeded; adds what it
    /// cost to `cost`: the client's lost tries, and every query its
    /// resolutions send.
    fn lookup(&mut self, rng: &mut Stream, k: usize, t: f64, b: f64, cost: &mut Cost) -> bool {
        let resolve = &mut |sim: &mut Self, j| {
            let quiet = sim.quiet_until(j, t, b);
            let ok = sim.resolve(rng, j, t, cost);
            Some(Step { ok, quiet })
        };
        self.walk(k, t, resolve)
            .expect("every resolution gives an outcome")
    }

    /// Resolves member `j` at `t` unless it is fresh in cache or
    /// its failure is remembered: up to `max_queries` tries over the
    /// providers in order; the client waits for the first `attempts`, and a
    /// later answer still fills the cache. Returns whether the client got
    /// an answer (or a stale one).
    fn resolve(&mut self, rng: &mut Stream, j: usize, t: f64, cost: &mut Cost) -> bool {
        if t < self.names[j].expiry {
            return true;
        }
        let m = self.model;
        let res = &m.scenario.resolvers;
        let stale = self.stale_until(j, t).is_some();
        if self.caching && t < self.names[j].failed_until {
            return stale;
        }
        if !self.referred(rng, j, t, cost) {
            // No referral: the resolution fails, and is remembered so.
            if self.caching && m.failure_ttl > 0.0 {
                self.remember_failure(j, t);
            }
            return stale;
        }
        self.try_order(rng, j, t);
        let attempts = res.attempts as usize;
        let mut answered_at = None;
        // The providers in turn (an index that wraps: no division a try).
        let mut next = 0;
        for q in 0..res.max_queries as usize {
            let p = self.order[next];
            next += 1;
            if next == self.order.len() {
                next = 0;
            }
            cost.query(p);
            let l = self.loss(p, t);
            if l > 0.0 && uniform(rng) < l {
                if m.holddown > 0.0 {
                    self.hold(p, t + m.holddown);
                }
            } else {
                if m.holddown > 0.0 {
                    self.hold(p, f64::NEG_INFINITY);
                }
                answered_at = Some(q);
                break;
            }
        }
        match answered_at {
            Some(q) => {
                cost.lost += q.min(attempts) as u64;
                if self.caching {
                    self.names[j].expiry = t + self.names[j].ttl;
                    self.names[j].fail_streak = 0;
                }
                q < attempts || stale
            }
            None => {
                cost.lost += attempts as u64;
                if self.caching && m.failure_ttl > 0.0 {
                    self.remember_failure(j, t);
                }
                stale
            }
        }
    }
}

/// A trait held by a `share` of resolvers: drawn only when the share
/// leaves a choice.
fn share_draw(rng: &mut Stream, share: f64) -> bool {
    if share >= 1.0 {
        true
    } else if share <= 0.0 {
        false
    } else {
        uniform(rng) < share
    }
}
