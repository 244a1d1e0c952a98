//! One resolver's view of one service and its requirements through a
//! trouble window: caches (answers, NS sets at the child and the parent),
//! server choice, retries under loss, serve-stale, and the two shortcuts that
//! keep the cost proportional to what can change (spec §3).

use super::tally::TimelineTally;
use super::{Outages, TimelineModel};

/// What one trial drew, shared by every resolver of the trial.
pub(super) struct TrialDraws {
    pub outages: Outages,
    /// Per (region, provider): which resolvers a `loss_by = "resolver"`
    /// outage hits (see `TimelineModel::resolver_hits`).
    pub hits: Vec<Option<Vec<bool>>>,
    /// Per service: when its standby joins the delegation.
    pub change: Vec<f64>,
}
use crate::random::{Stream, exponential, poisson, uniform};

/// One resolver's view of one service and its requirements.
pub(super) struct ResolverSim<'m> {
    model: &'m TimelineModel<'m>,
    closure: &'m [u32],
    draws: &'m TrialDraws,
    region: usize,
    pc: usize,
    /// The resolver simulated now.
    resolver: usize,
    expiry: Vec<f64>,
    seen: Vec<f64>,
    next: Vec<f64>,
    /// Per closure member: indices (into the closure) of what its lookup
    /// also looks up, itself last.
    sub: &'m [Vec<usize>],
    ok: Vec<bool>,
    /// Per closure member: the closure positions of its `requires`, and of
    /// each `requires_any` group's members.
    requires: Vec<Vec<usize>>,
    groups: Vec<Vec<Vec<usize>>>,
    initialised: bool,
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
        ResolverSim {
            model,
            closure,
            draws,
            region,
            pc,
            resolver: 0,
            expiry: vec![f64::NEG_INFINITY; n],
            seen: vec![f64::INFINITY; n],
            next: vec![f64::INFINITY; n],
            sub,
            ok: vec![false; n],
            requires: Vec::new(),
            groups: Vec::new(),
            initialised: false,
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
            self.requires.push(pos(&svc.requires));
            self.groups
                .push(svc.requires_any.iter().map(|g| pos(g)).collect());
        }
        self
    }

    /// Whether closure member `j`'s lookup succeeds, given whether its own
    /// name was answered: its requirements (settled before it, being
    /// earlier in the closure) must be too.
    fn settle(&mut self, j: usize, answered: bool) {
        let reqs = self.requires[j].iter().all(|&q| self.ok[q]);
        let groups = self.groups[j].iter().all(|g| g.iter().any(|&q| self.ok[q]));
        self.ok[j] = answered && reqs && groups;
    }

    /// Ready for resolver `i`: no view of any delegation change yet. Cache
    /// states and lookup times are drawn afresh at each window.
    pub(super) fn reset(&mut self, i: usize) {
        self.resolver = i;
        self.seen.fill(f64::INFINITY);
        self.initialised = false;
    }

    /// Whether a lookup of closure member `k` at `t` and every lookup after
    /// it until some time are certain: each part fresh in cache or certain
    /// (see [`Self::certain`]). Returns whether they fail, the tries each
    /// loses, and until when this holds.
    fn certain_lookup(&mut self, k: usize, t: f64, b: f64) -> Option<(bool, u64, f64)> {
        let sc = self.model.scenario;
        let attempts = sc.resolvers.attempts as u64;
        let (mut until, mut lost) = (b, 0);
        let sub = self.sub;
        for &j in &sub[k] {
            let answered = if t < self.expiry[j] {
                until = until.min(self.expiry[j]);
                true
            } else {
                let (fails, u) = self.certain(j, t, b)?;
                until = until.min(u);
                lost += attempts;
                !fails
            };
            self.settle(j, answered);
        }
        Some((!self.ok[k], lost, until))
    }

    /// When closure member `j` (stale at `t`) is certain to get the same
    /// answer from every lookup until some later time: all its delegated
    /// providers lose every query. Returns whether those lookups fail (no
    /// stale answer to serve) and when that may change: the next outage
    /// boundary of any of its providers, its resolver seeing the standby, its
    /// stale answer running out, or the window's end `b`.
    fn certain(&self, j: usize, t: f64, b: f64) -> Option<(bool, f64)> {
        let m = self.model;
        let svc = &m.scenario.services[self.closure[j] as usize];
        let with_standby = t >= self.seen[j];
        let delegated = svc
            .dns
            .iter()
            .chain(svc.standby.iter().filter(|_| with_standby));
        for &p in delegated {
            if self.loss(p, t) < 1.0 {
                return None;
            }
        }
        let mut until = b;
        for &p in svc.dns.iter().chain(svc.standby.iter()) {
            until = until.min(self.next_change(p, t));
        }
        if !with_standby && !svc.standby.is_empty() {
            until = until.min(self.seen[j]);
        }
        let stale = m.scenario.resolvers.serve_stale
            && self.expiry[j].is_finite()
            && t - self.expiry[j] < m.max_stale;
        if stale {
            until = until.min(self.expiry[j] + m.max_stale);
        }
        Some((!stale, until))
    }

    /// The first outage boundary of provider `p` after `t`.
    fn next_change(&self, p: u32, t: f64) -> f64 {
        let mut next = f64::INFINITY;
        for o in &self.draws.outages[self.region * self.pc + p as usize] {
            if o.start > t {
                next = next.min(o.start);
                break;
            }
            if o.end > t {
                next = next.min(o.end);
            }
        }
        next
    }

    /// The chance that a query to provider `p` at `t` is lost, for this
    /// resolver: overlapping outages combine as independent losses; an
    /// outage with `loss_by = "resolver"` loses all or none of this
    /// resolver's queries.
    fn loss(&self, p: u32, t: f64) -> f64 {
        let x = self.region * self.pc + p as usize;
        let list = &self.draws.outages[x];
        let mut up = 1.0;
        for (k, o) in list.iter().enumerate() {
            if o.start > t {
                break;
            }
            if t < o.end {
                let l = match &self.draws.hits[x] {
                    Some(hits) if o.by_resolver => {
                        if hits[self.resolver * list.len() + k] {
                            1.0
                        } else {
                            0.0
                        }
                    }
                    _ => o.loss,
                };
                up *= 1.0 - l;
            }
        }
        1.0 - up
    }

    /// Simulates this resolver's lookups of `target` (the closure's last
    /// member) and what it requires through the trouble window [a, b),
    /// recording failures and lost tries in region `r`.
    pub(super) fn window(
        &mut self,
        rng: &mut Stream,
        a: f64,
        b: f64,
        target: usize,
        tally: &mut TimelineTally,
        r: usize,
    ) {
        if !self.initialised {
            self.draw_delegation_views(rng);
            self.initialised = true;
        }
        self.draw_window_start(rng, a);
        let m = self.model;
        let own = self.closure.len() - 1;
        debug_assert_eq!(self.closure[own] as usize, target);
        loop {
            let (mut k, mut t) = (0, f64::INFINITY);
            for (j, &n) in self.next.iter().enumerate() {
                if n < t {
                    (k, t) = (j, n);
                }
            }
            if t >= b {
                break;
            }
            let lambda = m.svc[self.closure[k] as usize].lambda;
            // While the lookup and all it requires are fresh in cache, every
            // lookup is answered and nothing changes: jump to the first
            // lookup after the earliest expiry (the process is memoryless).
            let fresh_until = self.sub[k]
                .iter()
                .map(|&j| self.expiry[j])
                .fold(f64::INFINITY, f64::min);
            if t < fresh_until {
                self.next[k] = fresh_until + exponential(rng, lambda);
                continue;
            }
            // When every part of the lookup is certain (fresh in cache, or
            // every delegated provider losing every query), each lookup
            // until the next change has the same outcome and cost and
            // changes no cache: count them in bulk instead of one by one.
            if let Some((fails, lost_each, until)) = self.certain_lookup(k, t, b) {
                if k == own {
                    let bulk = Bulk {
                        fails,
                        lost_each,
                        lambda,
                    };
                    bulk.record(rng, t, until, target, r, m, tally);
                }
                self.next[k] = until + exponential(rng, lambda);
                continue;
            }
            let (ok, lost) = self.lookup(rng, k, t);
            if k == own {
                if !ok {
                    tally.record_failures(m, target, r, t, 1);
                }
                tally.record_lost(target, r, lost);
            }
            self.next[k] = t + exponential(rng, lambda);
        }
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

    /// The stationary cache state at the window's start `a`, and each
    /// member's next lookup.
    fn draw_window_start(&mut self, rng: &mut Stream, a: f64) {
        let m = self.model;
        for (k, &x) in self.closure.iter().enumerate() {
            let svc = &m.svc[x as usize];
            if svc.lambda <= 0.0 {
                self.expiry[k] = f64::NEG_INFINITY;
                self.next[k] = f64::INFINITY;
                continue;
            }
            let lt = svc.lambda * svc.ttl;
            self.expiry[k] = if uniform(rng) < lt / (1.0 + lt) {
                a + uniform(rng) * svc.ttl
            } else {
                a - exponential(rng, svc.lambda)
            };
            self.next[k] = a + exponential(rng, svc.lambda);
        }
    }

    /// A client lookup of closure member `k` at `t`: it and what it requires,
    /// requirements first, each from cache or by resolution. Returns whether
    /// it succeeded and how many tries were lost.
    fn lookup(&mut self, rng: &mut Stream, k: usize, t: f64) -> (bool, u64) {
        let mut lost = 0;
        let sub = self.sub;
        for &j in &sub[k] {
            let (resolved, l) = self.resolve(rng, j, t);
            lost += l;
            self.settle(j, resolved);
        }
        (self.ok[k], lost)
    }

    fn resolve(&mut self, rng: &mut Stream, j: usize, t: f64) -> (bool, u64) {
        if t < self.expiry[j] {
            return (true, 0);
        }
        let m = self.model;
        let x = self.closure[j] as usize;
        let svc = &m.scenario.services[x];
        let with_standby = t >= self.seen[j];
        let n = svc.dns.len() + if with_standby { svc.standby.len() } else { 0 };
        let provider = |i: usize| {
            if i < svc.dns.len() {
                svc.dns[i]
            } else {
                svc.standby[i - svc.dns.len()]
            }
        };
        let first = ((uniform(rng) * n as f64) as usize).min(n - 1);
        let mut lost = 0;
        for attempt in 0..m.scenario.resolvers.attempts as usize {
            let p = provider((first + attempt) % n);
            let l = self.loss(p, t);
            if l > 0.0 && uniform(rng) < l {
                lost += 1;
            } else {
                self.expiry[j] = t + m.svc[x].ttl;
                return (true, lost);
            }
        }
        let stale = m.scenario.resolvers.serve_stale
            && self.expiry[j].is_finite()
            && t - self.expiry[j] < m.max_stale;
        (stale, lost)
    }
}

/// Lookups whose outcome and cost are certain until some time: counted in
/// bulk with Poisson draws split at series-step and event boundaries.
struct Bulk {
    fails: bool,
    lost_each: u64,
    lambda: f64,
}

impl Bulk {
    /// Records the lookup at `t` and the Poisson number of them in
    /// (t, until).
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        rng: &mut Stream,
        t: f64,
        until: f64,
        target: usize,
        r: usize,
        m: &TimelineModel,
        tally: &mut TimelineTally,
    ) {
        let mut count = 1;
        if self.fails {
            tally.record_failures(m, target, r, t, 1);
        }
        let mut from = t;
        while from < until {
            let to = tally.next_boundary(from).min(until);
            let n = poisson(rng, self.lambda * (to - from));
            if self.fails && n > 0 {
                tally.record_failures(m, target, r, from, n);
            }
            count += n;
            from = to;
        }
        tally.record_lost(target, r, count * self.lost_each);
    }
}
