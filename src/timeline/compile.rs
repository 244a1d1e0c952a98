//! A scenario and its forced failures, compiled for the timeline: random
//! outage sources, scheduled windows, per-service rates and keys, and the
//! requirement graph in topological order.

use super::{EventWindow, Scheduled, Source, Svc, TimelineModel, default_step};
use crate::error::InputError;
use crate::forcing::Forcing;
use crate::model::{Csr, topological_order};
use crate::random::{Domain, MAX_REGIONS, MAX_RESOLVERS, key};
use crate::scenario::{EventTarget, Scenario, YEAR_SECS};

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
}
