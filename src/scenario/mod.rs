//! Scenarios: who serves DNS for what, and how things fail (spec §1).
//!
//! `raw` mirrors the file; `load` reads a file (and its CSV includes) and
//! validates it into the typed [`Scenario`] below, in which every reference is
//! a dense index and every value has been range-checked. Nothing downstream
//! re-validates. `set` applies `--set KEY=VALUE` and `adhoc` adds `--event`
//! incidents to a file's text before it is validated.

mod adhoc;
mod extends;
mod load;
pub mod raw;
mod set;
pub mod source;

pub use crate::files::read_input;
pub use adhoc::{AdHocEvent, load_part, load_with};
pub use load::{PartLoad, check_id, load, parse_part, parse_str, shown};

use crate::duration::Millis;

/// Which model a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    Snapshot,
    Timeline,
}

impl ModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Snapshot => "snapshot",
            ModelKind::Timeline => "timeline",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Scenario {
    /// SHA-256 (hex) of the file and its includes, as read.
    pub content_hash: String,
    pub name: String,
    pub description: String,
    pub sources: Vec<String>,
    pub simulation: Simulation,
    /// At least one; weights normalised to sum to 1.
    pub regions: Vec<Region>,
    pub providers: Vec<Provider>,
    pub common_causes: Vec<CommonCause>,
    /// At least one; no requirement cycles.
    pub services: Vec<Service>,
    pub resolvers: Resolvers,
    pub events: Vec<Event>,
    /// `[[service]] allow`: lint warnings accepted per service (index),
    /// for the few services that have any.
    pub lint_allow: Vec<(u32, Vec<String>)>,
}

impl ModelKind {
    /// Trials when neither the file nor `--trials` says: the spec's 10,000
    /// for the snapshot model; 100 for the timeline model, whose trial
    /// simulates every resolver's lookups over the horizon (a run of a few
    /// minutes on a plan of a few hundred services, not hours).
    pub fn default_trials(self) -> u64 {
        match self {
            ModelKind::Snapshot => 10_000,
            ModelKind::Timeline => 100,
        }
    }
}

/// The lint warnings a service may accept with `allow` (`dnsim check`).
pub const SERVICE_LINTS: [&str; 2] = ["single_provider", "hidden_single_provider"];

#[derive(Debug, Clone)]
pub struct Simulation {
    pub model: ModelKind,
    pub trials: u64,
    pub seed: u64,
    pub horizon: Millis,
    /// `simulation.start` as written, and in seconds since the Unix epoch.
    pub start: Option<String>,
    pub start_unix: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    /// Client share, normalised over all regions.
    pub weight: f64,
}

/// How long an outage lasts in the timeline model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutageDuration {
    Fixed(Millis),
    LogNormal { median: Millis, p95: Millis },
}

impl OutageDuration {
    /// The default when a file gives a rate but no duration.
    pub const DEFAULT: OutageDuration = OutageDuration::Fixed(Millis::from_secs(3600));

    /// Mean duration in seconds. For the lognormal, σ = ln(p95 / median) / z₀.₉₅.
    pub fn mean_secs(self) -> f64 {
        match self {
            OutageDuration::Fixed(d) => d.as_secs_f64(),
            OutageDuration::LogNormal { median, p95 } => {
                let m = median.as_secs_f64();
                if m == 0.0 {
                    return 0.0;
                }
                let sigma = libm::log(p95.as_secs_f64() / m) / Z95;
                m * libm::exp(sigma * sigma / 2.0)
            }
        }
    }
}

/// The standard normal's 95th percentile.
pub const Z95: f64 = 1.6448536269514722;

/// Seconds in the year that `outages_per_year` counts over (365 days).
pub const YEAR_SECS: f64 = 365.0 * 86400.0;

#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub ns: Vec<String>,
    /// Snapshot: P(down everywhere in a trial), given or derived (spec §1).
    pub p_outage: f64,
    /// Snapshot: extra independent outage probability per region index.
    pub regional_p_outage: Vec<(u32, f64)>,
    /// Timeline: extra independent random outages per region index, a
    /// Poisson rate a year each.
    pub regional_outages_per_year: Vec<(u32, f64)>,
    pub outages_per_year: f64,
    pub outage_duration: OutageDuration,
    pub loss: f64,
    pub loss_by: LossBy,
}

#[derive(Debug, Clone)]
pub struct CommonCause {
    pub id: String,
    pub providers: Vec<u32>,
    /// Region indices; all regions when the file names none.
    pub regions: Vec<u32>,
    pub p: f64,
    pub per_year: f64,
    pub duration: OutageDuration,
    pub loss: f64,
    pub loss_by: LossBy,
}

/// A name that users resolve and reach. Kept compact: plans run to millions,
/// and most services have no standby, requirement or parent, so those sit
/// behind one optional box (72 bytes a service instead of 128).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: Box<str>,
    /// Provider indices, at least one, no repeats.
    pub dns: Box<[u32]>,
    /// Seconds.
    pub ttl: u32,
    pub ns_ttl: u32,
    pub delegation_ttl: u32,
    pub failover_after: u32,
    /// Lookups per resolver per hour.
    pub query_rate: f64,
    pub weight: f64,
    links: Option<Box<Links>>,
}

/// What few services have: a standby, requirements, a parent.
#[derive(Debug, Clone, PartialEq, Default)]
struct Links {
    standby: Box<[u32]>,
    requires: Box<[u32]>,
    requires_any: Box<[Box<[u32]>]>,
    parent: Option<Parent>,
}

/// Where a service's delegation is served (`[[service]] parent`): the zone
/// of another service of the plan, or a provider (a TLD operator, say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Service(u32),
    Provider(u32),
}

impl Service {
    /// Provider indices of the standby (manual failover), no repeats.
    pub fn standby(&self) -> &[u32] {
        self.links.as_ref().map_or(&[], |l| &l.standby)
    }

    /// Service indices it requires, every one.
    pub fn requires(&self) -> &[u32] {
        self.links.as_ref().map_or(&[], |l| &l.requires)
    }

    /// Groups of service indices, one member of each required; each group
    /// non-empty.
    pub fn requires_any(&self) -> &[Box<[u32]>] {
        self.links.as_ref().map_or(&[], |l| &l.requires_any)
    }

    /// The zone this service's zone is delegated from (`parent`), when the
    /// plan names one.
    pub fn parent(&self) -> Option<Parent> {
        self.links.as_ref().and_then(|l| l.parent)
    }

    pub fn set_standby(&mut self, standby: impl Into<Box<[u32]>>) {
        self.links_mut(|l| l.standby = standby.into());
    }

    pub fn set_requires(&mut self, requires: impl Into<Box<[u32]>>) {
        self.links_mut(|l| l.requires = requires.into());
    }

    pub fn set_requires_any(&mut self, groups: impl Into<Box<[Box<[u32]>]>>) {
        self.links_mut(|l| l.requires_any = groups.into());
    }

    pub fn set_parent(&mut self, parent: Option<Parent>) {
        self.links_mut(|l| l.parent = parent);
    }

    /// Renumbers every provider it names: its NS set, its standby, and a
    /// parent that is a provider.
    pub(crate) fn renumber_providers(&mut self, to: impl Fn(u32) -> u32) {
        self.dns.iter_mut().for_each(|p| *p = to(*p));
        if let Some(l) = &mut self.links {
            l.standby.iter_mut().for_each(|p| *p = to(*p));
            if let Some(Parent::Provider(p)) = &mut l.parent {
                *p = to(*p);
            }
        }
    }

    /// Changes the links, keeping no box when they are all empty.
    fn links_mut(&mut self, change: impl FnOnce(&mut Links)) {
        let mut links = self.links.take().unwrap_or_default();
        change(&mut links);
        if *links != Links::default() {
            self.links = Some(links);
        }
    }

    /// Everything this service requires, directly: `requires` and every
    /// member of every `requires_any` group, sorted, without repeats.
    pub fn dependencies(&self) -> Vec<u32> {
        let mut d: Vec<u32> = self
            .requires()
            .iter()
            .chain(self.requires_any().iter().flatten())
            .copied()
            .collect();
        d.sort_unstable();
        d.dedup();
        d
    }

    pub const DEFAULT_TTL: u32 = 3600;
    pub const DEFAULT_NS_TTL: u32 = 86400;
    pub const DEFAULT_DELEGATION_TTL: u32 = 172800;
    pub const DEFAULT_FAILOVER_AFTER: u32 = 1800;
    pub const DEFAULT_QUERY_RATE: f64 = 60.0;

    /// A service with every optional key at its default.
    pub fn new(id: &str, dns: Vec<u32>) -> Service {
        Service {
            id: id.into(),
            dns: dns.into(),
            ttl: Service::DEFAULT_TTL,
            ns_ttl: Service::DEFAULT_NS_TTL,
            delegation_ttl: Service::DEFAULT_DELEGATION_TTL,
            failover_after: Service::DEFAULT_FAILOVER_AFTER,
            query_rate: Service::DEFAULT_QUERY_RATE,
            weight: 1.0,
            links: None,
        }
    }
}

/// How the timeline's resolvers behave (spec §3 and §3.1). `profile` sets
/// the defaults of the keys after it; each key set in the file overrides it.
#[derive(Debug, Clone)]
pub struct Resolvers {
    pub per_region: u32,
    pub attempts: u32,
    pub retry_timeout: Millis,
    /// The share of resolvers that serve stale answers (RFC 8767); `true`
    /// in a file is 1.
    pub serve_stale: f64,
    pub max_stale: Millis,
    pub max_cache_ttl: Millis,
    pub parent_centric_share: f64,
    pub profile: Profile,
    /// The share of (resolver, name) pairs whose lookups a cache can help.
    pub cache_share: f64,
    /// Queries one resolution may send before the resolver gives up.
    pub max_queries: u32,
    /// How long a failed resolution is remembered at first (doubling for
    /// each further failure in a row, up to [`Resolvers::MAX_FAILURE_TTL`]).
    pub failure_ttl: Millis,
    /// How long a provider that timed out is avoided when another one can
    /// be asked.
    pub holddown: Millis,
    pub initial_cache: InitialCache,
    /// Whether caches carry their state over the whole horizon (the
    /// measured profile, or `initial_cache` set); otherwise each trouble
    /// window starts from the stationary law (spec §3).
    pub evolve: bool,
}

/// `[resolvers] profile` (spec §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Resolvers as DNS measurements saw them.
    #[default]
    Measured,
    /// The ideal resolver of spec §3, whose closed forms are test oracles.
    Ideal,
}

/// `[resolvers] initial_cache`: the caches at t = 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialCache {
    /// Each cache in its stationary state (spec §3).
    #[default]
    Stationary,
    /// Nothing cached.
    Empty,
    /// Every caching resolver has just cached every name.
    Full,
}

impl Resolvers {
    /// Whether `s`'s cold-NS share is 0 or 1: its event is then certain
    /// or impossible (with every event so, one snapshot trial is exact).
    pub fn cold_ns_certain(&self, s: &Service) -> bool {
        let p = self.cold_ns_share(s);
        p == 0.0 || p == 1.0
    }

    /// [`Scenario::cold_ns_share`], for these resolvers.
    pub fn cold_ns_share(&self, s: &Service) -> f64 {
        let cap = self.max_cache_ttl.as_secs_f64();
        let lambda = s.query_rate / 3600.0;
        let ttl = f64::from(s.ttl).min(cap);
        let m = lambda / (1.0 + lambda * ttl);
        let cold = |t: u32| 1.0 / (1.0 + m * f64::from(t).min(cap));
        let share = self.parent_centric_share;
        let cached = (1.0 - share) * cold(s.ns_ttl) + share * cold(s.delegation_ttl);
        self.cache_share * cached + (1.0 - self.cache_share)
    }

    /// RFC 9520 §3.2: a resolution failure is cached for at most 5 minutes.
    pub const MAX_FAILURE_TTL: Millis = Millis(300_000);

    /// The defaults of `profile`.
    pub fn of_profile(profile: Profile) -> Resolvers {
        let ideal = Resolvers {
            per_region: 100,
            attempts: 3,
            retry_timeout: Millis(800),
            serve_stale: 0.0,
            max_stale: Millis::from_secs(86400),
            max_cache_ttl: Millis::from_secs(86400),
            parent_centric_share: 0.1,
            profile,
            cache_share: 1.0,
            max_queries: 3,
            failure_ttl: Millis(0),
            holddown: Millis(0),
            initial_cache: InitialCache::Stationary,
            evolve: false,
        };
        match profile {
            Profile::Ideal => ideal,
            // Sources for each value: docs/resolvers.md.
            Profile::Measured => Resolvers {
                cache_share: 0.7,
                max_queries: 6,
                failure_ttl: Millis(5_000),
                holddown: Millis::from_secs(900),
                evolve: true,
                ..ideal
            },
        }
    }
}

impl Default for Resolvers {
    fn default() -> Resolvers {
        Resolvers::of_profile(Profile::default())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTarget {
    Provider(u32),
    CommonCause(u32),
}

impl Scenario {
    /// The (provider, region) pairs that `target` takes down in `regions`:
    /// a provider there, or a common cause's providers there.
    pub fn cover(&self, target: EventTarget, regions: &[u32]) -> Vec<(u32, u32)> {
        let providers = match target {
            EventTarget::Provider(p) => std::slice::from_ref(&p).to_vec(),
            EventTarget::CommonCause(c) => self.common_causes[c as usize].providers.clone(),
        };
        providers
            .iter()
            .flat_map(|&p| regions.iter().map(move |&r| (p, r)))
            .collect()
    }
}

/// A scheduled incident (timeline model), as offsets from t = 0.
#[derive(Debug, Clone)]
pub struct Event {
    pub target: EventTarget,
    pub regions: Vec<u32>,
    pub start: Millis,
    pub end: Millis,
    pub loss: f64,
    pub loss_by: LossBy,
}

/// How an outage's `loss` falls (spec §3.1, timeline model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LossBy {
    /// Each query is lost independently with probability `loss`, as in
    /// experiments that drop a share of packets.
    #[default]
    Query,
    /// Each resolver of an affected region, independently, loses every
    /// query to the provider with probability `loss` and none otherwise:
    /// an overwhelmed anycast site, whose clients see no answer at all.
    Resolver,
}

impl Scenario {
    /// The providers that serve service `s`'s delegation (its parent
    /// zone's NS set), empty without a parent.
    pub fn parent_providers<'a>(&'a self, s: &'a Service) -> &'a [u32] {
        match s.links.as_ref().and_then(|l| l.parent.as_ref()) {
            None => &[],
            Some(Parent::Provider(p)) => std::slice::from_ref(p),
            Some(Parent::Service(i)) => &self.services[*i as usize].dns,
        }
    }

    /// The share of lookups of `s` that find their resolver's NS set for
    /// it expired, so that the resolver needs its parent's referral: with
    /// lookups at rate λ and answers cached for T, resolutions come at
    /// about m = λ/(1 + λT); an NS set cached for T' after each is then
    /// expired with probability 1/(1 + mT') (spec §3's law on the
    /// resolution stream), T' the child's `ns_ttl` for child-centric
    /// resolvers and the parent's `delegation_ttl` for parent-centric
    /// ones, both capped by `max_cache_ttl`. Lookups from clients whose
    /// cache does not help (`1 − cache_share`) always need it.
    pub fn cold_ns_share(&self, s: &Service) -> f64 {
        self.resolvers.cold_ns_share(s)
    }

    pub fn total_weight(&self) -> f64 {
        self.services.iter().map(|s| s.weight).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_keeps_its_rare_links_behind_one_box() {
        assert_eq!(std::mem::size_of::<Service>(), 72);
        let mut s = Service::new("a", vec![0]);
        s.set_requires(vec![1]);
        s.set_parent(Some(Parent::Provider(2)));
        assert_eq!(
            (s.requires(), s.parent()),
            (&[1][..], Some(Parent::Provider(2)))
        );
        assert!(s.standby().is_empty() && s.requires_any().is_empty());
        // Emptied again, it is the service it was: no box kept.
        s.set_requires(Vec::new());
        s.set_parent(None);
        assert_eq!(s, Service::new("a", vec![0]));
        assert!(s.links.is_none());
    }
}
