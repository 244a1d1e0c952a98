//! A scenario and its forced failures, compiled for the timeline: random
//! outage sources, scheduled windows, per-service rates and keys, and the
//! requirement graph in topological order.

use super::{EventWindow, Scheduled, Source, Svc, TimelineModel, default_step};
use crate::error::InputError;
use crate::forcing::Forcing;
use crate::model::{Csr, topological_order};
use crate::random::{Domain, MAX_REGIONS, MAX_RESOLVERS, key};
use crate::scenario::{EventTarget, LossBy, Scenario, YEAR_SECS};

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
            svc: services(scenario, seed),
            order,
            deps: dependencies(scenario),
            loss_keys: scenario
                .providers
                .iter()
                .map(|p| key(Domain::ResolverLoss, seed, &p.id))
                .collect(),
            retry_timeout: res.retry_timeout.as_secs_f64(),
            max_stale: res.max_stale.as_secs_f64(),
            events,
            series_step: step,
        })
    }
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
                cover: (0..regions).map(|r| (i as u32, r)).collect(),
                key: key(Domain::Outage, seed, &p.id),
            });
        }
    }
    for (i, c) in scenario.common_causes.iter().enumerate() {
        if c.per_year > 0.0 {
            sources.push(Source {
                rate: c.per_year / YEAR_SECS,
                duration: c.duration,
                loss: c.loss,
                by_resolver: c.loss_by == LossBy::Resolver,
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
