//! A scenario and its forced failures, compiled for the timeline: random
//! outage sources, scheduled windows, per-service rates and keys, and the
//! requirement graph in topological order.

use super::{EventWindow, Scheduled, Source, Svc, TimelineModel, default_step};
use crate::error::InputError;
use crate::forcing::Forcing;
use crate::model::{Csr, topological_order};
use crate::random::{Domain, MAX_REGIONS, MAX_RESOLVERS, key};
use crate::scenario::{EventTarget, LossBy, Parent, Profile, Scenario, YEAR_SECS};

impl<'a> TimelineModel<'a> {
    /// Compiles `scenario` for the timeline with the run's seed, forced
    /// failures and `--series` step.
    pub fn compile(
        scenario: &'a Scenario,
        seed: u64,
        forcing: &Forcing,
        series_step: Option<u64>,
    ) -> Result<TimelineModel<'a>, InputError> {
        // Resolver stream numbers pack the region and the resolver.
        if scenario.regions.len() >= MAX_REGIONS {
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
        // --fail-only: nothing but the --fail options happens, random
        // outages and scheduled events included.
        let (sources, (mut scheduled, events)) = if forcing.fail_only {
            (Vec::new(), (Vec::new(), Vec::new()))
        } else {
            (sources(scenario, seed), scheduled_events(scenario))
        };
        check_outage_count(&sources, horizon)?;
        for fail in forcing.resolve(scenario)? {
            scheduled.push(Scheduled {
                cover: fail.cover,
                start: 0.0,
                end: horizon,
                loss: 1.0,
                by_resolver: false,
            });
        }
        let res = &scenario.resolvers;
        let step = match series_step {
            // `--series off`.
            Some(0) => None,
            Some(s) => Some(s as f64),
            None if !scenario.events.is_empty() => Some(default_step(horizon)),
            None => None,
        };
        if let Some(step) = step {
            check_series_size(scenario, horizon, step)?;
        }
        let order = topological_order(scenario);
        let deps = dependencies(scenario);
        let (components, slot) = super::components::components(&deps, &order);
        let mut svc = services(scenario, seed);
        super::components::reach_rates(scenario, &mut svc);
        Ok(TimelineModel {
            scenario,
            horizon,
            sources,
            scheduled,
            svc,
            order,
            deps,
            components,
            slot,
            referral: referral_providers(scenario),
            loss_keys: scenario
                .providers
                .iter()
                .map(|p| key(Domain::ResolverLoss, seed, &p.id))
                .collect(),
            retry_timeout: res.retry_timeout.as_secs_f64(),
            max_stale: res.max_stale.as_secs_f64(),
            failure_ttl: res.failure_ttl.as_secs_f64(),
            holddown: res.holddown.as_secs_f64(),
            fast_waits: res.profile == Profile::Measured,
            events,
            series_step: step,
            counted: None,
        })
    }
}

/// The most outage intervals one trial may expect (each a few dozen bytes,
/// per trial and thread): 10 million.
pub const MAX_OUTAGES_PER_TRIAL: f64 = 1e7;

/// The most values a series may hold (services × regions × steps, 8 bytes
/// each, per thread): 100 million.
pub const MAX_SERIES_VALUES: f64 = 1e8;

/// Refuses rates that would draw more outages per trial than fit, naming
/// the source that draws the most.
fn check_outage_count(sources: &[Source], horizon: f64) -> Result<(), InputError> {
    let expected = |s: &Source| s.rate * horizon * s.cover.len() as f64;
    let total: f64 = sources.iter().map(expected).sum();
    if total <= MAX_OUTAGES_PER_TRIAL {
        return Ok(());
    }
    let worst = sources
        .iter()
        .max_by(|a, b| expected(a).total_cmp(&expected(b)))
        .expect("a total above the limit has sources");
    Err(InputError::new(format!(
        "the timeline would draw about {total:.3e} outages per trial (rate × horizon × regions), more than the {MAX_OUTAGES_PER_TRIAL:.0e} it can hold; lower the rate or the horizon ({} d)",
        horizon / 86400.0
    ))
    .with_key(worst.origin.clone()))
}

/// Refuses a series too large to keep.
fn check_series_size(scenario: &Scenario, horizon: f64, step: f64) -> Result<(), InputError> {
    let steps = (horizon / step).ceil();
    let values = steps * scenario.services.len() as f64 * scenario.regions.len() as f64;
    if values <= MAX_SERIES_VALUES {
        return Ok(());
    }
    Err(InputError::flag(
        "--series",
        format!(
            "a series of {steps:.0} steps for {} services in {} regions holds {values:.3e} values, more than {MAX_SERIES_VALUES:.0e}: choose a longer step (--series)",
            scenario.services.len(),
            scenario.regions.len()
        ),
    ))
}

/// Random outages: every provider and common cause with a rate.
fn sources(scenario: &Scenario, seed: u64) -> Vec<Source> {
    let regions = scenario.regions.len() as u32;
    let mut sources = Vec::new();
    for (i, p) in scenario.providers.iter().enumerate() {
        if p.outages_per_year > 0.0 {
            sources.push(Source {
                rate: p.outages_per_year / YEAR_SECS,
                duration: p.outage_duration,
                loss: p.loss,
                by_resolver: p.loss_by == LossBy::Resolver,
                origin: format!("provider.outages_per_year (\"{}\")", p.id),
                cover: (0..regions).map(|r| (i as u32, r)).collect(),
                key: key(Domain::Outage, seed, &p.id),
            });
        }
        // Regional outages: a stream of their own per region ("dyn@eu",
        // as the snapshot model names its regional events).
        for &(r, rate) in &p.regional_outages_per_year {
            if rate > 0.0 {
                let region = &scenario.regions[r as usize].id;
                sources.push(Source {
                    rate: rate / YEAR_SECS,
                    duration: p.outage_duration,
                    loss: p.loss,
                    by_resolver: p.loss_by == LossBy::Resolver,
                    origin: format!(
                        "provider.regional_outages_per_year (\"{}\", {region})",
                        p.id
                    ),
                    cover: vec![(i as u32, r)],
                    key: key(Domain::Outage, seed, &format!("{}@{region}", p.id)),
                });
            }
        }
    }
    for (i, c) in scenario.common_causes.iter().enumerate() {
        if c.per_year > 0.0 {
            sources.push(Source {
                rate: c.per_year / YEAR_SECS,
                duration: c.duration,
                loss: c.loss,
                by_resolver: c.loss_by == LossBy::Resolver,
                origin: format!("common_cause.per_year (\"{}\")", c.id),
                cover: scenario.cover(EventTarget::CommonCause(i as u32), &c.regions),
                key: key(Domain::Outage, seed, &c.id),
            });
        }
    }
    sources
}

/// The scenario's scheduled events: what they take down, and their windows
/// for reporting.
fn scheduled_events(scenario: &Scenario) -> (Vec<Scheduled>, Vec<EventWindow>) {
    scenario
        .events
        .iter()
        .map(|e| {
            let (start, end) = (e.start.as_secs_f64(), e.end.as_secs_f64());
            let target = match e.target {
                EventTarget::Provider(p) => scenario.providers[p as usize].id.clone(),
                EventTarget::CommonCause(c) => scenario.common_causes[c as usize].id.clone(),
            };
            (
                Scheduled {
                    cover: scenario.cover(e.target, &e.regions),
                    start,
                    end,
                    loss: e.loss,
                    by_resolver: e.loss_by == LossBy::Resolver,
                },
                EventWindow {
                    target,
                    cover: scenario.cover(e.target, &e.regions),
                    regions: e.regions.clone(),
                    start,
                    end,
                    loss: e.loss,
                },
            )
        })
        .unzip()
}

/// Per service: lookup rate, cache lifetimes (capped by
/// `max_cache_ttl`), failover delay and its resolvers' stream key.
fn services(scenario: &Scenario, seed: u64) -> Vec<Svc> {
    let cap = scenario.resolvers.max_cache_ttl.as_secs_f64();
    scenario
        .services
        .iter()
        .map(|s| Svc {
            lambda: s.query_rate / 3600.0,
            reach: 0.0,
            ttl: (s.ttl as f64).min(cap),
            child_window: (s.ns_ttl as f64).min(cap),
            parent_window: (s.delegation_ttl as f64).min(cap),
            failover_after: s.failover_after as f64,
            key: key(Domain::Resolver, seed, &s.id),
        })
        .collect()
}

/// Direct requirements (`requires` and `requires_any` members) per service.
fn dependencies(scenario: &Scenario) -> Csr {
    let mut deps = Csr {
        starts: vec![0],
        items: Vec::new(),
    };
    for s in &scenario.services {
        deps.items.extend(s.dependencies());
        deps.starts.push(deps.items.len() as u32);
    }
    deps
}

/// Per service: the providers of its parent and, while the parent is a
/// service with a parent of its own, of theirs; empty without a parent.
fn referral_providers(scenario: &Scenario) -> Csr {
    let mut rows = Csr {
        starts: vec![0],
        items: Vec::new(),
    };
    for s in &scenario.services {
        let mut at = s;
        let start = rows.items.len();
        while at.parent().is_some() {
            rows.items.extend(scenario.parent_providers(at));
            match at.parent() {
                Some(Parent::Service(q)) => at = &scenario.services[q as usize],
                _ => break,
            }
        }
        rows.items[start..].sort_unstable();
        let mut row = rows.items.split_off(start);
        row.dedup();
        rows.items.extend(row);
        rows.starts.push(rows.items.len() as u32);
    }
    rows
}
