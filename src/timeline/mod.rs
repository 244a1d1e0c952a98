//! The timeline model (spec §3): outages in time, resolver caches, retries
//! under partial loss, serve-stale, and manual failover to standby providers;
//! with the measured resolver profile (spec §3.1, the default) also caches
//! that not every client benefits from, remembered failures, holddown of
//! providers that timed out, late answers that still fill the cache, and
//! the load on the authoritatives.
//!
//! A trial is one realisation of the horizon. Work scales with outage time,
//! not with the horizon: outside every outage each lookup is answered, so for
//! each service and region the engine only simulates the *trouble windows*,
//! the union of the outages of every provider that the service or its
//! requirements are delegated to. Names that requirements connect share
//! each resolver's caches, so they are simulated together (`components`),
//! each in the windows that concern it. At the start of a window each resolver's
//! cache is drawn from its stationary law (the ideal profile: fresh with
//! probability λT/(1+λT), remaining life uniform on [0, T]; if expired,
//! expired for an Exp(λ) time) or carried over from t = 0 and the windows
//! before (the measured profile); from there lookups are simulated one by
//! one until the window ends, except where their outcome and cost are
//! certain, which are counted in bulk.
//!
//! The parts: `compile` (a scenario and its `--fail` options into sources of
//! outages, scheduled windows and per-service rates), `draw` (one trial's
//! outages, failover times and trouble windows), `resolver` (one resolver's
//! lookups through a window), `selection` (which providers a resolution
//! tries, holddown), `quiet` (cache states between windows), `bulk` and
//! `failures` (lookups counted in bulk), `independent` (lookups of a
//! resolver without a cache under partial loss, counted in bulk),
//! `components` (names that requirements connect, simulated together),
//! `record` (one service's counts in one region, simulated in parallel
//! with the trial's other components),
//! `tally` (the integer counts), `summary` (counts into the report).
//!
//! Random streams (spec §5): a provider's or common cause's outages come from
//! the stream of (seed, its id) numbered by the trial; a resolver's from the
//! stream of (seed, the id of the first service in plan order of the
//! component it simulates: for a service alone, its own) numbered by
//! (trial, region, resolver).
//! Counts are integers; weights and rates are applied when results are
//! written.

mod argmin;
mod bulk;
mod certain;
mod compile;
mod components;
mod cost;
mod draw;
mod failures;
mod independent;
pub mod intervals;
mod lines;
mod parts;
mod quiet;
mod record;
mod resolver;
mod selection;
pub mod summary;
mod sums;
mod tally;
mod visit;
mod walk;
mod zones;

use rayon::prelude::*;

use crate::model::Csr;
use crate::scenario::{OutageDuration, Scenario};

pub use self::tally::{TimelineCounts, TimelineTally};

/// One outage interval of a provider in a region.
#[derive(Debug, Clone, Copy)]
struct Outage {
    start: f64,
    end: f64,
    loss: f64,
    /// `loss_by = "resolver"`: `loss` is the share of resolvers that lose
    /// every query, not the chance of each query.
    by_resolver: bool,
}

/// Per (region, provider): outage intervals, by start.
type Outages = Vec<Vec<Outage>>;

#[derive(Debug, Clone)]
struct Source {
    rate: f64,
    duration: OutageDuration,
    loss: f64,
    by_resolver: bool,
    /// (provider, region) pairs it takes out.
    cover: Vec<(u32, u32)>,
    key: [u8; 32],
    /// The key that set its rate, for messages.
    origin: String,
}

#[derive(Debug, Clone)]
struct Scheduled {
    cover: Vec<(u32, u32)>,
    start: f64,
    end: f64,
    loss: f64,
    by_resolver: bool,
}

#[derive(Debug, Clone)]
struct Svc {
    /// Lookups per second per resolver.
    lambda: f64,
    /// Lookups per second per resolver that reach its cache while every
    /// lookup is answered: its own and its dependents' (`components.rs`).
    reach: f64,
    /// Cache lifetime: min(ttl, max_cache_ttl), seconds.
    ttl: f64,
    child_window: f64,
    parent_window: f64,
    failover_after: f64,
    key: [u8; 32],
}

/// One zone's NS set at a resolver (`zones.rs`).
pub(super) struct Zone {
    /// The service whose zone this is.
    pub(super) service: u32,
    /// The parent's zone in the list, when the parent is a service that has
    /// a parent of its own.
    pub(super) up: Option<usize>,
    /// When the NS set expires (−∞: not cached).
    pub(super) expiry: f64,
    /// This resolver's NS lifetime for the zone.
    pub(super) ttl: f64,
}

/// What a timeline run needs, compiled from a scenario.
pub struct TimelineModel<'a> {
    pub scenario: &'a Scenario,
    horizon: f64,
    sources: Vec<Source>,
    scheduled: Vec<Scheduled>,
    svc: Vec<Svc>,
    order: Vec<u32>,
    /// Direct requirements (requires and requires_any members) per service.
    deps: Csr,
    /// The requirement graph's weakly connected components, each simulated
    /// on shared caches (`components.rs`), and each service's index in its
    /// component.
    components: Csr,
    slot: Vec<u32>,
    /// Per service: the providers its referrals may ask (its parent's, and
    /// up the chain while parents have parents); their outages make
    /// trouble windows too.
    referral: Csr,
    /// Per provider: the key of its resolver-loss draws.
    loss_keys: Vec<[u8; 32]>,
    pub retry_timeout: f64,
    max_stale: f64,
    /// A failed resolution's first time in the failure cache, seconds.
    failure_ttl: f64,
    /// How long a provider that timed out is avoided, seconds.
    holddown: f64,
    /// Whether resolvers draw their waits with the ziggurat (the measured
    /// profile) rather than by inversion (the ideal one, whose figures stay
    /// those of earlier versions bit for bit).
    fast_waits: bool,
    /// Scheduled events of the scenario (not --fail), for per-event figures.
    pub events: Vec<EventWindow>,
    pub series_step: Option<f64>,
    /// A part's services that it counts (`run --part`; `None`: all). The
    /// others are simulated because they share a component with a counted
    /// one, and not counted.
    counted: Option<Vec<bool>>,
}

/// A scheduled event's window, for reporting.
#[derive(Debug, Clone)]
pub struct EventWindow {
    pub target: String,
    /// The (provider, region) pairs it takes out.
    pub cover: Vec<(u32, u32)>,
    pub regions: Vec<u32>,
    pub start: f64,
    pub end: f64,
    pub loss: f64,
}

impl TimelineModel<'_> {
    pub fn horizon(&self) -> f64 {
        self.horizon
    }

    /// Counts only the services that `counted` marks (a part's slice).
    pub fn count_only(&mut self, counted: Vec<bool>) {
        self.counted = Some(counted);
    }

    /// Whether service `s` is counted (every service, but in a part).
    fn counts(&self, s: usize) -> bool {
        self.counted.as_ref().is_none_or(|c| c[s])
    }

    pub fn steps(&self) -> usize {
        self.series_step
            .map_or(0, |s| (self.horizon / s).ceil() as usize)
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
            .reduce_with(|mut a, b| {
                a.counts.add(&b.counts);
                a
            })
            .unwrap_or_else(|| TimelineTally::new(self))
    }
}

/// The default series step: the horizon in about 288 steps, in whole minutes.
fn default_step(horizon: f64) -> f64 {
    ((horizon / 288.0 / 60.0).round().max(1.0)) * 60.0
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
