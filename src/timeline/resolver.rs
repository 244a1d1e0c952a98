//! One resolver's view of one service and its requirements through its
//! trouble windows: caches (answers, failures, NS sets at the child and the
//! parent), server choice and holddown, retries under loss, serve-stale,
//! simulated lookup by lookup where the outcome is uncertain; the jump over
//! fresh stretches here, the other shortcuts in `certain.rs`, `bulk.rs`,
//! `failures.rs` and `independent.rs` (spec §3, §3.1).

use super::argmin::ArgMin;
use super::bulk::{Bulk, Cost, Pending};
use super::record::Record;
use super::walk::{Children, WalkState, depth_first, earliest_expiry};
use super::{Outages, TimelineModel, Zone};
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

/// One resolver's view of one service and its requirements.
pub(super) struct ResolverSim<'m> {
    pub(super) model: &'m TimelineModel<'m>,
    pub(super) closure: &'m [u32],
    pub(super) draws: &'m TrialDraws,
    pub(super) region: usize,
    pub(super) pc: usize,
    /// The resolver simulated now.
    pub(super) resolver: usize,
    /// Whether its cache helps this resolver's lookups (`cache_share`),
    /// and whether it serves stale answers (`serve_stale`).
    pub(super) caching: bool,
    pub(super) stale_ok: bool,
    /// Per closure member: when the cached answer expires (stays expired,
    /// for serve-stale), when the remembered failure ends and how many
    /// failed in a row, when the resolver sees the standby, and the next
    /// lookup.
    pub(super) expiry: Vec<f64>,
    pub(super) failed_until: Vec<f64>,
    pub(super) fail_streak: Vec<u32>,
    pub(super) seen: Vec<f64>,
    pub(super) next: Vec<f64>,
    /// `next` as a tournament, inside a window's event loop.
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
    /// Per closure member: indices (into the closure) of what its lookup
    /// also looks up, itself last.
    pub(super) sub: &'m [Vec<usize>],
    pub(super) ok: Vec<bool>,
    /// Per closure member: the closure positions of its `requires`, and of
    /// each `requires_any` group's members.
    requires: Vec<Vec<usize>>,
    groups: Vec<Vec<Vec<usize>>>,
    /// When a closure member has a `requires_any` group, what each
    /// member's lookup walks, in order (`walk.rs`); empty otherwise.
    pub(super) children: Children,
    pub(super) walk_state: WalkState,
    initialised: bool,
    /// Caches carried over the horizon: whether they have been set at t = 0.
    pub(super) started: bool,
    /// NS sets of the zones that members' resolutions may need (members
    /// with a `parent`, and up the chain), and each member's zone.
    pub(super) zones: Vec<Zone>,
    pub(super) zone_of: Vec<Option<usize>>,
    /// Until when the NS sets' state is known (the last window's end).
    pub(super) zones_until: f64,
}

impl<'m> ResolverSim<'m> {
    pub(super) fn new(
        model: &'m TimelineModel<'m>,
        closure: &'m [u32],
        sub: &'m [Vec<usize>],
        draws: &'m TrialDraws,
        region: usize,
        pc: usize,
    ) -> ResolverSim<'m> {
        let n = closure.len();
        let (zones, zone_of) = model.zones_of(closure);
        ResolverSim {
            model,
            closure,
            draws,
            region,
            pc,
            resolver: 0,
            caching: true,
            stale_ok: false,
            expiry: vec![f64::NEG_INFINITY; n],
            failed_until: vec![f64::NEG_INFINITY; n],
            fail_streak: vec![0; n],
            seen: vec![f64::INFINITY; n],
            next: vec![f64::INFINITY; n],
            first: ArgMin::default(),
            held: Vec::new(),
            order: Vec::new(),
            cost: Cost::default(),
            rest: Cost::default(),
            remembered: Vec::new(),
            sub,
            ok: vec![false; n],
            requires: Vec::new(),
            groups: Vec::new(),
            children: Vec::new(),
            walk_state: WalkState::new(n),
            initialised: false,
            started: false,
            zones,
            zone_of,
            zones_until: 0.0,
        }
        .with_positions()
    }

    /// Finds each requirement's position in the closure once, so that
    /// settling a lookup costs its requirements, not the closure's size.
    fn with_positions(mut self) -> Self {
        let at: std::collections::HashMap<u32, usize> = self
            .closure
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, i))
            .collect();
        let services = &self.model.scenario.services;
        let pos = |list: &[u32]| -> Vec<usize> { list.iter().map(|q| at[q]).collect() };
        for &x in self.closure {
            let svc = &services[x as usize];
            self.requires.push(pos(svc.requires()));
            self.groups
                .push(svc.requires_any().iter().map(|g| pos(g)).collect());
        }
        if self.groups.iter().any(|g| !g.is_empty()) {
            self.children = (self.requires.iter().zip(&self.groups))
                .map(|(requires, groups)| {
                    let all = requires.iter().map(|&q| (q, 0));
                    let any = (groups.iter().enumerate())
                        .flat_map(|(g, members)| members.iter().map(move |&q| (q, g as u32 + 1)));
                    all.chain(any).collect()
                })
                .collect();
        }
        self
    }

    /// Whether closure member `j`'s lookup succeeds, given whether its own
    /// name was answered: its requirements (settled before it, being
    /// earlier in the closure) must be too.
    pub(super) fn settle(&mut self, j: usize, answered: bool) {
        let reqs = self.requires[j].iter().all(|&q| self.ok[q]);
        let groups = self.groups[j].iter().all(|g| g.iter().any(|&q| self.ok[q]));
        self.ok[j] = answered && reqs && groups;
    }

    /// Ready for resolver `i`: no view of any delegation change yet, no
    /// memory of failures, and its traits drawn (only where the profile
    /// leaves a choice, so the ideal profile draws nothing here).
    pub(super) fn reset(&mut self, rng: &mut Stream, i: usize) {
        let res = &self.model.scenario.resolvers;
        self.resolver = i;
        self.seen.fill(f64::INFINITY);
        self.failed_until.fill(f64::NEG_INFINITY);
        self.fail_streak.fill(0);
        self.held.clear();
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
        let end = self.expiry[j] + self.model.max_stale;
        (self.stale_ok && self.expiry[j].is_finite() && t < end).then_some(end)
    }

    /// Simulates this resolver's lookups of `target` (the closure's last
    /// member) and what it requires through the trouble window [a, b),
    /// recording failures, lost tries and queries in region `r`.
    pub(super) fn window(&mut self, rng: &mut Stream, a: f64, b: f64, rec: &mut Record, r: usize) {
        if !self.initialised {
            self.draw_delegation_views(rng);
            self.initialised = true;
        }
        let first = !self.started;
        if self.model.scenario.resolvers.evolve {
            self.advance(rng, a);
        } else {
            self.draw_window_start(rng, a);
        }
        self.zones_at_window(rng, a, b, first);
        let m = self.model;
        let own = self.closure.len() - 1;
        if !self.caching {
            // Without a cache, the other names' own lookups change nothing
            // this simulation counts: only the service's lookups are run.
            self.next[..own].fill(f64::INFINITY);
        }
        let mut cost = std::mem::take(&mut self.cost);
        let mut rest = std::mem::take(&mut self.rest);
        let mut pending = Pending::default();
        let mut first = std::mem::take(&mut self.first);
        first.build(&self.next);
        loop {
            let (k, t) = first.min();
            if t >= b {
                break;
            }
            let lambda = m.svc[self.closure[k] as usize].lambda;
            // While the lookup and all it requires are fresh in cache, every
            // lookup is answered and nothing changes: jump to the first
            // lookup after the earliest expiry (the process is memoryless).
            let fresh_until = self.fresh_until(k, t);
            if t < fresh_until {
                self.next[k] = fresh_until + self.wait(rng, lambda);
                first.set(k, self.next[k]);
                continue;
            }
            // A resolver without a cache under partial loss, where each
            // lookup is a fresh draw from one law: counted in bulk.
            if let Some(next) = self.independent_run(rng, k, t, b, rec, r) {
                self.next[k] = next;
                first.set(k, next);
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
                if k == own {
                    bulk.record(rng, t, c.until, rec, &mut pending);
                }
                let mut next = c.until + self.wait(rng, lambda);
                if c.change > c.until && own == 0 {
                    // The service alone (nothing required), its failure
                    // remembered and forgotten before anything else changes:
                    // the same again at each lookup until then. (A name that
                    // others require stays in the loop, whose lookups may
                    // resolve it in between.)
                    next = self.failure_run(rng, &bulk, next, c.change, rec, &mut pending);
                }
                self.next[k] = next;
                first.set(k, next);
                continue;
            }
            cost.clear();
            let ok = self.lookup(rng, k, t, &mut cost);
            if k == own {
                if !ok {
                    rec.record_failures(t, 1);
                }
                rec.record_lost(cost.lost);
                for &(p, n) in &cost.queries {
                    rec.record_queries(p, r, t, n);
                }
            }
            self.next[k] = t + self.wait(rng, lambda);
            first.set(k, self.next[k]);
        }
        pending.flush(rng, rec);
        self.first = first;
        self.cost = cost;
        self.rest = rest;
    }

    /// This resolver's view of each delegation change: child-centric
    /// resolvers see it within the child's NS TTL, parent-centric ones
    /// within the parent's, uniformly.
    fn draw_delegation_views(&mut self, rng: &mut Stream) {
        let m = self.model;
        for (k, &x) in self.closure.iter().enumerate() {
            let c = self.draws.change[x as usize];
            if c.is_finite() {
                let svc = &m.svc[x as usize];
                let parent = uniform(rng) < m.scenario.resolvers.parent_centric_share;
                let w = if parent {
                    svc.parent_window
                } else {
                    svc.child_window
                };
                self.seen[k] = c + uniform(rng) * w;
            }
        }
    }

    /// A client lookup of closure member `k` at `t`: it and what it requires,
    /// requirements first, each from cache or by resolution (`walk.rs`).
    /// Returns whether it succeeded; adds what it cost to `cost` (queries
    /// for the closure's own name only: each name's load is counted in its
    /// own simulation).
    fn lookup(&mut self, rng: &mut Stream, k: usize, t: f64, cost: &mut Cost) -> bool {
        let resolve = &mut |sim: &mut Self, j| Some(sim.resolve(rng, j, t, cost));
        self.walk(k, resolve)
            .expect("every resolution gives an outcome")
    }

    /// Resolves closure member `j` at `t` unless it is fresh in cache or
    /// its failure is remembered: up to `max_queries` tries over the
    /// providers in order; the client waits for the first `attempts`, and a
    /// later answer still fills the cache. Returns whether the client got
    /// an answer (or a stale one).
    fn resolve(&mut self, rng: &mut Stream, j: usize, t: f64, cost: &mut Cost) -> bool {
        if t < self.expiry[j] {
            return true;
        }
        let m = self.model;
        let res = &m.scenario.resolvers;
        let stale = self.stale_until(j, t).is_some();
        if self.caching && t < self.failed_until[j] {
            return stale;
        }
        let own = j == self.closure.len() - 1;
        if !self.referred(rng, j, t, own, cost) {
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
            if own {
                cost.query(p);
            }
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
                    self.expiry[j] = t + m.svc[self.closure[j] as usize].ttl;
                    self.fail_streak[j] = 0;
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

impl ResolverSim<'_> {
    /// Walks a lookup of closure member `k`: `at(self, j)` looks name `j`
    /// up (from cache, or by resolution) and says whether it got an answer,
    /// or `None` to stop the walk, which then returns `None`. Returns
    /// whether the lookup succeeded: its name and all it requires answered.
    pub(super) fn walk(
        &mut self,
        k: usize,
        at: &mut impl FnMut(&mut Self, usize) -> Option<bool>,
    ) -> Option<bool> {
        if self.children.is_empty() {
            let sub = self.sub;
            for &j in &sub[k] {
                let answered = at(self, j)?;
                self.settle(j, answered);
            }
            return Some(self.ok[k]);
        }
        // The walk's own state is taken out, so that `at` may borrow `self`.
        let children = std::mem::take(&mut self.children);
        let mut state = std::mem::take(&mut self.walk_state);
        let mut ok = std::mem::take(&mut self.ok);
        let result = depth_first(&children, &mut state, &mut ok, k, &mut |j| at(self, j));
        self.children = children;
        self.walk_state = state;
        self.ok = ok;
        result
    }

    /// Until when every name that a lookup of member `k` at `t` would look
    /// up stays fresh in cache, so that each lookup until then is answered
    /// and changes nothing (a time at or before `t` when one is not fresh
    /// now): without groups, every name it requires; with groups, those it
    /// requires and the first member of each group, and theirs.
    pub(super) fn fresh_until(&mut self, k: usize, t: f64) -> f64 {
        if self.children.is_empty() {
            // Requirements come first, and under an outage they are the
            // names that have expired: stop at the first.
            let mut until = f64::INFINITY;
            for &j in &self.sub[k] {
                until = until.min(self.expiry[j]);
                if until <= t {
                    break;
                }
            }
            return until;
        }
        earliest_expiry(&self.children, &mut self.walk_state, &self.expiry, k, t)
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
