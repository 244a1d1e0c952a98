//! The timeline model (spec §3): outages in time, resolver caches, retries
//! under partial loss, serve-stale, and manual failover to standby providers.
//!
//! A trial is one realisation of the horizon. Work scales with outage time,
//! not with the horizon: outside every outage each lookup is answered, so for
//! each service and region the engine only simulates the *trouble windows*,
//! the union of the outages of every provider that the service or its
//! requirements are delegated to. At the start of a window each resolver's
//! cache is drawn from its stationary law (fresh with probability
//! λT/(1+λT), remaining life uniform on [0, T]; if expired, expired for an
//! Exp(λ) time); from there lookups are simulated one by one until the
//! window ends.
//!
//! Random streams (spec §5): a provider's or common cause's outages come from
//! the stream of (seed, its id) numbered by the trial; a resolver's from the
//! stream of (seed, the service's id) numbered by (trial, region, resolver).
//! Counts are integers; weights and rates are applied when results are
//! written.

pub mod intervals;
pub mod summary;

use std::collections::BTreeSet;

use rayon::prelude::*;

use crate::error::InputError;
use crate::forcing::Forcing;
use crate::model::{Csr, topological_order};
use crate::random::{
    Domain, MAX_REGIONS, MAX_RESOLVERS, Stream, exponential, key, lognormal, poisson,
    resolver_stream, stream, uniform,
};
use crate::scenario::{EventTarget, OutageDuration, Scenario, YEAR_SECS, Z95};
use intervals::{Interval, intersect, normalise};

/// Per (region, provider): outage intervals with their loss.
type Outages = Vec<Vec<(f64, f64, f64)>>;

#[derive(Debug, Clone)]
struct Source {
    rate: f64,
    duration: OutageDuration,
    loss: f64,
    /// (provider, region) pairs it takes out.
    cover: Vec<(u32, u32)>,
    key: [u8; 32],
}

#[derive(Debug, Clone)]
struct Scheduled {
    cover: Vec<(u32, u32)>,
    start: f64,
    end: f64,
    loss: f64,
}

#[derive(Debug, Clone)]
struct Svc {
    /// Lookups per second per resolver.
    lambda: f64,
    /// Cache lifetime: min(ttl, max_cache_ttl), seconds.
    ttl: f64,
    child_window: f64,
    parent_window: f64,
    failover_after: f64,
    key: [u8; 32],
}

/// What a timeline run needs, compiled from a scenario.
pub struct TimelineModel<'a> {
    pub scenario: &'a Scenario,
    horizon: f64,
    sources: Vec<Source>,
    scheduled: Vec<Scheduled>,
    svc: Vec<Svc>,
    order: Vec<u32>,
    /// Inverse of `order`.
    position: Vec<u32>,
    /// Direct requirements (requires and requires_any members) per service.
    deps: Csr,
    pub retry_timeout: f64,
    max_stale: f64,
    /// Scheduled events of the scenario (not --fail), for per-event figures.
    pub events: Vec<EventWindow>,
    pub series_step: Option<f64>,
}

/// A scheduled event's window, for reporting.
#[derive(Debug, Clone)]
pub struct EventWindow {
    pub target: String,
    pub regions: Vec<u32>,
    pub start: f64,
    pub end: f64,
    pub loss: f64,
}

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

impl<'a> TimelineModel<'a> {
    pub fn compile(
        scenario: &'a Scenario,
        seed: u64,
        forcing: &Forcing,
        series_step: Option<u64>,
    ) -> Result<TimelineModel<'a>, InputError> {
        let fail_only = forcing.fail_only;
        let regions = scenario.regions.len();
        // Resolver stream numbers pack the region and the resolver.
        if regions >= MAX_REGIONS {
            return Err(InputError::new(format!(
                "the timeline model takes at most {} regions",
                MAX_REGIONS - 1
            )));
        }
        if scenario.resolvers.per_region as usize >= MAX_RESOLVERS {
            return Err(InputError::new(format!(
                "the timeline model takes at most {} resolvers per region",
                MAX_RESOLVERS - 1
            ))
            .with_key("resolvers.per_region"));
        }
        let horizon = scenario.simulation.horizon.as_secs_f64();
        let all_regions = |p: u32| (0..regions as u32).map(move |r| (p, r));
        let mut sources = Vec::new();
        if !fail_only {
            for (i, p) in scenario.providers.iter().enumerate() {
                if p.outages_per_year > 0.0 {
                    sources.push(Source {
                        rate: p.outages_per_year / YEAR_SECS,
                        duration: p.outage_duration,
                        loss: p.loss,
                        cover: all_regions(i as u32).collect(),
                        key: key(Domain::Outage, seed, &p.id),
                    });
                }
            }
            for c in &scenario.common_causes {
                if c.per_year > 0.0 {
                    sources.push(Source {
                        rate: c.per_year / YEAR_SECS,
                        duration: c.duration,
                        loss: c.loss,
                        cover: c
                            .providers
                            .iter()
                            .flat_map(|&p| c.regions.iter().map(move |&r| (p, r)))
                            .collect(),
                        key: key(Domain::Outage, seed, &c.id),
                    });
                }
            }
        }
        let cover_of = |target: EventTarget, regions: &[u32]| -> Vec<(u32, u32)> {
            let providers = match target {
                EventTarget::Provider(p) => vec![p],
                EventTarget::CommonCause(c) => scenario.common_causes[c as usize].providers.clone(),
            };
            providers
                .iter()
                .flat_map(|&p| regions.iter().map(move |&r| (p, r)))
                .collect()
        };
        let mut scheduled = Vec::new();
        let mut events = Vec::new();
        // --fail-only: nothing but the --fail options happens, scheduled
        // events included.
        for e in scenario.events.iter().filter(|_| !fail_only) {
            let (start, end) = (e.start.as_secs_f64(), e.end.as_secs_f64());
            scheduled.push(Scheduled {
                cover: cover_of(e.target, &e.regions),
                start,
                end,
                loss: e.loss,
            });
            let target = match e.target {
                EventTarget::Provider(p) => scenario.providers[p as usize].id.clone(),
                EventTarget::CommonCause(c) => scenario.common_causes[c as usize].id.clone(),
            };
            events.push(EventWindow {
                target,
                regions: e.regions.clone(),
                start,
                end,
                loss: e.loss,
            });
        }
        for fail in forcing.resolve(scenario)? {
            scheduled.push(Scheduled {
                cover: fail.cover,
                start: 0.0,
                end: horizon,
                loss: 1.0,
            });
        }
        let res = &scenario.resolvers;
        let cap = res.max_cache_ttl.as_secs_f64();
        let svc = scenario
            .services
            .iter()
            .map(|s| Svc {
                lambda: s.query_rate / 3600.0,
                ttl: (s.ttl as f64).min(cap),
                child_window: (s.ns_ttl as f64).min(cap),
                parent_window: (s.delegation_ttl as f64).min(cap),
                failover_after: s.failover_after as f64,
                key: key(Domain::Resolver, seed, &s.id),
            })
            .collect();
        let mut deps = Csr {
            starts: vec![0],
            items: Vec::new(),
        };
        for s in &scenario.services {
            deps.items.extend(s.dependencies());
            deps.starts.push(deps.items.len() as u32);
        }
        let step = match series_step {
            Some(s) => Some(s as f64),
            None if !scenario.events.is_empty() => Some(default_step(horizon)),
            None => None,
        };
        let order = topological_order(scenario);
        let mut position = vec![0u32; order.len()];
        for (i, &s) in order.iter().enumerate() {
            position[s as usize] = i as u32;
        }
        Ok(TimelineModel {
            scenario,
            position,
            horizon,
            sources,
            scheduled,
            svc,
            order,
            deps,
            retry_timeout: res.retry_timeout.as_secs_f64(),
            max_stale: res.max_stale.as_secs_f64(),
            events,
            series_step: step,
        })
    }

    pub fn horizon(&self) -> f64 {
        self.horizon
    }

    pub fn steps(&self) -> usize {
        self.series_step
            .map_or(0, |s| (self.horizon / s).ceil() as usize)
    }

    /// Every outage of one trial, per (region, provider).
    fn outages(&self, trial: u64) -> Outages {
        let (rc, pc) = (self.scenario.regions.len(), self.scenario.providers.len());
        let mut out: Outages = vec![Vec::new(); rc * pc];
        for src in &self.sources {
            let mut rng = stream(&src.key, trial);
            let mut t = exponential(&mut rng, src.rate);
            while t < self.horizon {
                let end = (t + draw_duration(&mut rng, src.duration)).min(self.horizon);
                for &(p, r) in &src.cover {
                    out[r as usize * pc + p as usize].push((t, end, src.loss));
                }
                t += exponential(&mut rng, src.rate);
            }
        }
        for s in &self.scheduled {
            for &(p, r) in &s.cover {
                out[r as usize * pc + p as usize].push((s.start, s.end, s.loss));
            }
        }
        for list in &mut out {
            list.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        out
    }

    /// Runs `trials` trials on the current rayon pool.
    pub fn run(&self, trials: u64, progress: &(dyn Fn(u64) + Sync)) -> TimelineTally {
        self.run_trials(trials, &|_| true, progress)
    }

    /// The counts of trial `trial` alone (for checkpoints).
    pub fn trial_counts(&self, trial: u64) -> TimelineCounts {
        let mut tally = TimelineTally::new(self);
        self.run_trial(trial, &mut tally);
        tally.counts
    }

    /// Runs only the trials for which `owns` is true (a shard's share; a
    /// trial is the timeline's block).
    pub fn run_trials(
        &self,
        trials: u64,
        owns: &(dyn Fn(u64) -> bool + Sync),
        progress: &(dyn Fn(u64) + Sync),
    ) -> TimelineTally {
        (0..trials)
            .into_par_iter()
            .filter(|&t| owns(t))
            .fold(
                || TimelineTally::new(self),
                |mut tally, trial| {
                    self.run_trial(trial, &mut tally);
                    progress(1);
                    tally
                },
            )
            .reduce(
                || TimelineTally::new(self),
                |mut a, b| {
                    a.counts.add(&b.counts);
                    a
                },
            )
    }

    fn run_trial(&self, trial: u64, tally: &mut TimelineTally) {
        let sc = self.scenario;
        let (rc, pc, sc_n) = (sc.regions.len(), sc.providers.len(), sc.services.len());
        let outages = self.outages(trial);
        if outages.iter().all(Vec::is_empty) {
            tally.fold_trial();
            return;
        }
        // Manual failover: the time each service's standby joins its
        // delegation (every delegated provider out in some region, plus the
        // operator's delay), if it does within the horizon.
        let down: Vec<Vec<Interval>> = outages
            .iter()
            .map(|l| {
                let mut v: Vec<Interval> =
                    l.iter().filter(|o| o.2 > 0.0).map(|o| (o.0, o.1)).collect();
                normalise(&mut v);
                v
            })
            .collect();
        let change: Vec<f64> = sc
            .services
            .iter()
            .zip(&self.svc)
            .map(|(s, v)| {
                if s.standby.is_empty() {
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

        let resolvers = sc.resolvers.per_region as usize;
        let mut windows: Vec<Vec<Interval>> = vec![Vec::new(); sc_n];
        for r in 0..rc {
            // Trouble windows in topological order: a service's own
            // providers' outages plus its requirements' windows.
            for &s in &self.order {
                let svc = &sc.services[s as usize];
                let mut w: Vec<Interval> = Vec::new();
                for &p in svc.dns.iter().chain(svc.standby.iter()) {
                    w.extend(&down[r * pc + p as usize]);
                }
                for &d in self.deps.row(s as usize) {
                    w.extend(&windows[d as usize]);
                }
                normalise(&mut w);
                windows[s as usize] = w;
            }
            for (s, w) in windows.iter().enumerate() {
                if w.is_empty() || self.svc[s].lambda <= 0.0 {
                    continue;
                }
                let closure = self.closure(s as u32);
                let sub = self.sub_closures(&closure);
                let mut sim = ResolverSim::new(self, &closure, &sub, &outages, &change, r, pc);
                for i in 0..resolvers {
                    let mut rng = stream(&self.svc[s].key, resolver_stream(trial, r, i));
                    sim.reset();
                    for &(a, b) in w {
                        sim.window(&mut rng, a, b, s, tally, r);
                    }
                }
            }
        }
        tally.fold_trial();
    }

    /// For each member of a closure, the indices (into the closure) of what
    /// its lookup also looks up, itself included, requirements first.
    fn sub_closures(&self, closure: &[u32]) -> Vec<Vec<usize>> {
        let index = |x: u32| {
            closure
                .iter()
                .position(|&y| y == x)
                .expect("closure is closed")
        };
        closure
            .iter()
            .map(|&x| {
                let mut members: BTreeSet<usize> = BTreeSet::new();
                let mut stack = vec![x];
                while let Some(y) = stack.pop() {
                    if members.insert(index(y)) {
                        stack.extend(self.deps.row(y as usize));
                    }
                }
                members.into_iter().collect()
            })
            .collect()
    }

    /// `s` and everything it requires, requirements first, `s` last.
    fn closure(&self, s: u32) -> Vec<u32> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![s];
        while let Some(x) = stack.pop() {
            if seen.insert(x) {
                stack.extend(self.deps.row(x as usize));
            }
        }
        // Topological positions put requirements first.
        let mut list: Vec<u32> = seen.into_iter().collect();
        list.sort_by_key(|&x| self.position[x as usize]);
        list
    }
}

/// The default series step: the horizon in about 288 steps, in whole minutes.
fn default_step(horizon: f64) -> f64 {
    ((horizon / 288.0 / 60.0).round().max(1.0)) * 60.0
}

/// One resolver's view of one service and its requirements.
struct ResolverSim<'m> {
    model: &'m TimelineModel<'m>,
    closure: &'m [u32],
    outages: &'m Outages,
    change: &'m [f64],
    region: usize,
    pc: usize,
    expiry: Vec<f64>,
    seen: Vec<f64>,
    next: Vec<f64>,
    /// Per closure member: indices (into the closure) of what its lookup
    /// also looks up, itself last.
    sub: &'m [Vec<usize>],
    ok: Vec<bool>,
    initialised: bool,
}

impl<'m> ResolverSim<'m> {
    fn new(
        model: &'m TimelineModel<'m>,
        closure: &'m [u32],
        sub: &'m [Vec<usize>],
        outages: &'m Outages,
        change: &'m [f64],
        region: usize,
        pc: usize,
    ) -> ResolverSim<'m> {
        let n = closure.len();
        ResolverSim {
            model,
            closure,
            outages,
            change,
            region,
            pc,
            expiry: vec![f64::NEG_INFINITY; n],
            seen: vec![f64::INFINITY; n],
            next: vec![f64::INFINITY; n],
            sub,
            ok: vec![false; n],
            initialised: false,
        }
    }

    /// Whether closure member `j`'s lookup succeeds, given whether its own
    /// name was answered: its requirements (settled before it, being
    /// earlier in the closure) must be too.
    fn settle(&mut self, j: usize, answered: bool) {
        let svc = &self.model.scenario.services[self.closure[j] as usize];
        let index = |q: u32| {
            self.closure
                .iter()
                .position(|&y| y == q)
                .expect("in closure")
        };
        let reqs = svc.requires.iter().all(|&q| self.ok[index(q)]);
        let groups = svc
            .requires_any
            .iter()
            .all(|g| g.iter().any(|&q| self.ok[index(q)]));
        self.ok[j] = answered && reqs && groups;
    }

    /// Ready for the next resolver: no view of any delegation change yet.
    /// Cache states and lookup times are drawn afresh at each window.
    fn reset(&mut self) {
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
        for &(a, e, _) in &self.outages[self.region * self.pc + p as usize] {
            if a > t {
                next = next.min(a);
                break;
            }
            if e > t {
                next = next.min(e);
            }
        }
        next
    }

    fn loss(&self, p: u32, t: f64) -> f64 {
        let mut up = 1.0;
        for &(a, b, l) in &self.outages[self.region * self.pc + p as usize] {
            if a > t {
                break;
            }
            if t < b {
                up *= 1.0 - l;
            }
        }
        1.0 - up
    }

    fn window(
        &mut self,
        rng: &mut Stream,
        a: f64,
        b: f64,
        target: usize,
        tally: &mut TimelineTally,
        r: usize,
    ) {
        let m = self.model;
        let sc = m.scenario;
        if !self.initialised {
            // This resolver's view of each delegation change: child-centric
            // resolvers within the child's NS TTL, parent-centric ones within
            // the parent's, uniformly.
            for (k, &x) in self.closure.iter().enumerate() {
                let c = self.change[x as usize];
                if c.is_finite() {
                    let svc = &m.svc[x as usize];
                    let parent = uniform(rng) < sc.resolvers.parent_centric_share;
                    let w = if parent {
                        svc.parent_window
                    } else {
                        svc.child_window
                    };
                    self.seen[k] = c + uniform(rng) * w;
                }
            }
            self.initialised = true;
        }
        // Stationary cache state at the window's start, and the next lookup.
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
            // While the lookup and all it requires are fresh in cache, every
            // lookup is answered and nothing changes: jump to the first
            // lookup after the earliest expiry (the process is memoryless).
            let fresh_until = self.sub[k]
                .iter()
                .map(|&j| self.expiry[j])
                .fold(f64::INFINITY, f64::min);
            if t < fresh_until {
                let lambda = m.svc[self.closure[k] as usize].lambda;
                self.next[k] = fresh_until + exponential(rng, lambda);
                continue;
            }
            // When every part of the lookup is certain (fresh in cache, or
            // every delegated provider losing every query), each lookup
            // until the next change has the same outcome and cost and
            // changes no cache: count them in bulk instead of one by one.
            {
                if let Some((fails, lost_each, until)) = self.certain_lookup(k, t, b) {
                    let lambda = m.svc[self.closure[k] as usize].lambda;
                    if k == own {
                        let mut count = 1;
                        if fails {
                            tally.record_failures(m, target, r, t, 1);
                        }
                        let mut from = t;
                        while from < until {
                            let to = tally.next_boundary(from).min(until);
                            let n = poisson(rng, lambda * (to - from));
                            if fails && n > 0 {
                                tally.record_failures(m, target, r, from, n);
                            }
                            count += n;
                            from = to;
                        }
                        tally.record_lost(target, r, count * lost_each);
                    }
                    self.next[k] = until + exponential(rng, lambda);
                    continue;
                }
            }
            let (ok, lost) = self.lookup(rng, k, t);
            if k == own {
                if !ok {
                    tally.record_failures(m, target, r, t, 1);
                }
                tally.record_lost(target, r, lost);
            }
            let lambda = m.svc[self.closure[k] as usize].lambda;
            self.next[k] = t + exponential(rng, lambda);
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

/// Integer counts from timeline trials; merged by addition.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineTally {
    pub counts: TimelineCounts,
    regions: usize,
    steps: usize,
    step: f64,
    events: Vec<(f64, f64)>,
    /// This trial's counts, folded into the moments at its end.
    trial_failed: Vec<u64>,
    trial_lost: Vec<u64>,
    /// Services with counts this trial, and a flag per service.
    touched: Vec<usize>,
    is_touched: Vec<bool>,
}

impl TimelineTally {
    pub fn new(m: &TimelineModel) -> TimelineTally {
        let (n, r) = (m.scenario.services.len(), m.scenario.regions.len());
        let steps = m.steps();
        TimelineTally {
            counts: TimelineCounts {
                trials: 0,
                failed: vec![0; n * r],
                lost: vec![0; n * r],
                failed_cross: vec![0; n * r * r],
                lost_cross: vec![0; n * r * r],
                series: vec![0; n * r * steps],
                in_events: vec![0; m.events.len() * n * r],
            },
            regions: r,
            steps,
            step: m.series_step.unwrap_or(1.0),
            events: m.events.iter().map(|e| (e.start, e.end)).collect(),
            trial_failed: vec![0; n * r],
            trial_lost: vec![0; n * r],
            touched: Vec::new(),
            is_touched: vec![false; n],
        }
    }

    /// Records `n` failed lookups of service `s` in region `r` at time `t`
    /// (or within the step and event windows that hold `t`).
    fn record_failures(&mut self, m: &TimelineModel, s: usize, r: usize, t: f64, n: u64) {
        let i = s * self.regions + r;
        self.trial_failed[i] += n;
        self.touch(s);
        if self.steps > 0 {
            let step = ((t / self.step) as usize).min(self.steps - 1);
            self.counts.series[i * self.steps + step] += n;
        }
        let services = m.scenario.services.len();
        for (e, &(a, b)) in self.events.iter().enumerate() {
            if a <= t && t < b {
                self.counts.in_events[(e * services + s) * self.regions + r] += n;
            }
        }
    }

    fn touch(&mut self, s: usize) {
        if !self.is_touched[s] {
            self.is_touched[s] = true;
            self.touched.push(s);
        }
    }

    /// The first series-step or event boundary after `t`: bulk counts are
    /// split there so that each lands in the right step and event.
    fn next_boundary(&self, t: f64) -> f64 {
        let mut next = f64::INFINITY;
        if self.steps > 0 {
            next = ((t / self.step).floor() + 1.0) * self.step;
        }
        for &(a, b) in &self.events {
            if a > t {
                next = next.min(a);
            }
            if b > t {
                next = next.min(b);
            }
        }
        next
    }

    fn record_lost(&mut self, s: usize, r: usize, lost: u64) {
        if lost > 0 {
            self.trial_lost[s * self.regions + r] += lost;
            self.touch(s);
        }
    }

    /// Ends a trial: its per-region counts go into the sums and the sums of
    /// products (for intervals across trials).
    fn fold_trial(&mut self) {
        let rc = self.regions;
        let c = &mut self.counts;
        c.trials += 1;
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        for s in touched {
            self.is_touched[s] = false;
            for a in 0..rc {
                let (fa, la) = (self.trial_failed[s * rc + a], self.trial_lost[s * rc + a]);
                c.failed[s * rc + a] += fa;
                c.lost[s * rc + a] += la;
                for b in 0..rc {
                    let (fb, lb) = (self.trial_failed[s * rc + b], self.trial_lost[s * rc + b]);
                    c.failed_cross[(s * rc + a) * rc + b] += fa as u128 * fb as u128;
                    c.lost_cross[(s * rc + a) * rc + b] += la as u128 * lb as u128;
                }
            }
            for a in 0..rc {
                self.trial_failed[s * rc + a] = 0;
                self.trial_lost[s * rc + a] = 0;
            }
        }
    }

    pub fn steps(&self) -> usize {
        self.steps
    }
}

/// The integer counts of timeline trials: what a tally accumulates, what a
/// partial result or checkpoint holds, and what adds up across them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimelineCounts {
    pub trials: u64,
    /// `service × region`: failed lookups, summed over trials and resolvers.
    pub failed: Vec<u64>,
    /// `service × region`: lost tries.
    pub lost: Vec<u64>,
    /// `service × region × region`: Σ over trials of the product of the
    /// per-trial counts, for intervals.
    pub failed_cross: Vec<u128>,
    pub lost_cross: Vec<u128>,
    /// `service × region × step`: failed lookups per series step.
    pub series: Vec<u64>,
    /// `event × service × region`: failed lookups within each event window.
    pub in_events: Vec<u64>,
}

impl TimelineCounts {
    /// Adds another part's counts; false (and nothing added) when their
    /// shapes differ.
    pub fn add(&mut self, o: &TimelineCounts) -> bool {
        let fits = self.failed.len() == o.failed.len()
            && self.lost.len() == o.lost.len()
            && self.failed_cross.len() == o.failed_cross.len()
            && self.lost_cross.len() == o.lost_cross.len()
            && self.series.len() == o.series.len()
            && self.in_events.len() == o.in_events.len();
        if fits {
            self.trials += o.trials;
            for (a, b) in [
                (&mut self.failed, &o.failed),
                (&mut self.lost, &o.lost),
                (&mut self.series, &o.series),
                (&mut self.in_events, &o.in_events),
            ] {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            }
            for (a, b) in [
                (&mut self.failed_cross, &o.failed_cross),
                (&mut self.lost_cross, &o.lost_cross),
            ] {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            }
        }
        fits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_steps() {
        assert_eq!(default_step(86400.0), 300.0);
        assert_eq!(default_step(3600.0), 60.0);
    }
}
