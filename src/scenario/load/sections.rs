//! The tables of a scenario file, validated in file order: `[simulation]`,
//! regions, providers, common causes, services, `[resolvers]` and events.

use std::collections::HashMap;
use std::ops::Range;

use super::diagnostics::Loc;
use super::values::{
    parse_initial_cache, parse_instant, parse_model, parse_profile, share_or_bool, unavailability,
};
use super::written::{Place, TomlNames, Written};
use super::{IdKind, Loader};
use crate::error::InputError;
use crate::scenario::raw;
use crate::scenario::*;

impl Loader<'_> {
    pub(super) fn simulation(
        &self,
        raw: Option<raw::RawSimulation>,
    ) -> Result<Simulation, InputError> {
        let mut sim = Simulation {
            model: ModelKind::Snapshot,
            trials: 10_000,
            seed: 0,
            horizon: Millis::from_secs(365 * 86400),
            start: None,
            start_unix: None,
        };
        let Some(raw) = raw else { return Ok(sim) };
        if let Some(m) = raw.model {
            sim.model = parse_model(m.get_ref())
                .map_err(|msg| self.err(m.span(), "simulation.model", msg))?;
        }
        sim.trials = sim.model.default_trials();
        if let Some(t) = raw.trials {
            if *t.get_ref() < 1 {
                return Err(self.err(
                    t.span(),
                    "simulation.trials",
                    format!("trials must be at least 1, got {}", t.get_ref()),
                ));
            }
            sim.trials = *t.get_ref() as u64;
        }
        if let Some(s) = raw.seed {
            if *s.get_ref() < 0 {
                return Err(self.err(
                    s.span(),
                    "simulation.seed",
                    format!("seed must be a non-negative integer, got {}", s.get_ref()),
                ));
            }
            sim.seed = *s.get_ref() as u64;
        }
        if let Some(h) = raw.horizon {
            sim.horizon = self.duration(&h, "simulation.horizon")?;
            if sim.horizon.0 == 0 {
                return Err(self.err(
                    h.span(),
                    "simulation.horizon",
                    "horizon must be longer than zero",
                ));
            }
        }
        if let Some(st) = raw.start {
            let text = self.time_text(&st, "simulation.start")?;
            sim.start_unix =
                Some(parse_instant(&text).map_err(|m| self.err(st.span(), "simulation.start", m))?);
            sim.start = Some(text);
        }
        Ok(sim)
    }

    pub(super) fn regions(&mut self, raw: Vec<raw::RawRegion>) -> Result<(), InputError> {
        if raw.is_empty() {
            self.regions.push(Region {
                id: "global".into(),
                weight: 1.0,
            });
            return Ok(());
        }
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for r in raw {
            self.check_id(&r.id, "region.id")?;
            if let Some(first) = seen.get(r.id.get_ref()) {
                let (line, _) = self.src.line_col(first.start);
                return Err(self.err(
                    r.id.span(),
                    "region.id",
                    format!(
                        "duplicate region id \"{}\" (first defined on line {line})",
                        r.id.get_ref()
                    ),
                ));
            }
            seen.insert(r.id.get_ref().clone(), r.id.span());
            let weight = match &r.weight {
                Some(w) => self.non_negative(w, "region.weight")?,
                None => 1.0,
            };
            self.regions.push(Region {
                id: r.id.into_inner(),
                weight,
            });
        }
        let total: f64 = self.regions.iter().map(|r| r.weight).sum();
        if total <= 0.0 {
            return Err(InputError::new(
                "region weights sum to zero: at least one region needs a positive weight",
            )
            .in_file(&self.src.path)
            .with_key("region.weight"));
        }
        for r in &mut self.regions {
            r.weight /= total;
        }
        Ok(())
    }

    pub(super) fn provider(
        &mut self,
        index: usize,
        raw: raw::RawProvider,
    ) -> Result<Provider, InputError> {
        self.check_id(&raw.id, "provider.id")?;
        self.claim_id(&raw.id, IdKind::Provider, index, "provider.id")?;
        let outages_per_year = match &raw.outages_per_year {
            Some(v) => self.non_negative(v, "provider.outages_per_year")?,
            None => 0.0,
        };
        let outage_duration = match &raw.outage_duration {
            Some(v) => self.outage_duration(v, "provider.outage_duration")?,
            None => OutageDuration::DEFAULT,
        };
        let p_outage = match &raw.p_outage {
            Some(p) => self.probability(p, "provider.p_outage")?,
            None => unavailability(outages_per_year, outage_duration),
        };
        let mut regional_rates = Vec::new();
        for (region, x) in raw.regional_outages_per_year.iter().flatten() {
            let key = "provider.regional_outages_per_year";
            let r = self.region_index(region, key)?;
            regional_rates.push((r, self.non_negative(x, key)?));
        }
        regional_rates.sort_by_key(|&(r, _)| r);
        let mut regional = Vec::new();
        for (region, p) in raw.regional_p_outage.iter().flatten() {
            let r = self.region_index(region, "provider.regional_p_outage")?;
            regional.push((r, self.probability(p, "provider.regional_p_outage")?));
        }
        // Regional rates without regional probabilities give the snapshot
        // model the same unavailability, as outages_per_year gives p_outage.
        if raw.regional_p_outage.is_none() {
            regional = regional_rates
                .iter()
                .map(|&(r, rate)| (r, unavailability(rate, outage_duration)))
                .filter(|&(_, p)| p > 0.0)
                .collect();
        }
        regional.sort_by_key(|&(r, _)| r);
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "provider.loss")?,
            None => 1.0,
        };
        let loss_by = self.loss_by(&raw.loss_by, "provider.loss_by")?;
        Ok(Provider {
            name: raw.name.unwrap_or_else(|| raw.id.get_ref().clone()),
            id: raw.id.into_inner(),
            ns: raw.ns.unwrap_or_default(),
            p_outage,
            regional_p_outage: regional,
            regional_outages_per_year: regional_rates,
            outages_per_year,
            outage_duration,
            loss,
            loss_by,
        })
    }

    pub(super) fn common_cause(
        &mut self,
        index: usize,
        raw: raw::RawCommonCause,
    ) -> Result<CommonCause, InputError> {
        self.check_id(&raw.id, "common_cause.id")?;
        self.claim_id(&raw.id, IdKind::CommonCause, index, "common_cause.id")?;
        if raw.providers.get_ref().is_empty() {
            return Err(self.err(
                raw.providers.span(),
                "common_cause.providers",
                format!("common cause \"{}\" names no providers", raw.id.get_ref()),
            ));
        }
        let mut members = Vec::new();
        for p in raw.providers.get_ref() {
            let i = self.provider_ref(p, "common_cause.providers")?;
            if !members.contains(&i) {
                members.push(i);
            }
        }
        let regions = match &raw.regions {
            Some(list) => self.region_list(list, "common_cause.regions")?,
            None => (0..self.regions.len() as u32).collect(),
        };
        let per_year = match &raw.per_year {
            Some(v) => self.non_negative(v, "common_cause.per_year")?,
            None => 0.0,
        };
        let duration = match &raw.duration {
            Some(v) => self.outage_duration(v, "common_cause.duration")?,
            None => OutageDuration::DEFAULT,
        };
        let p = match &raw.p {
            Some(p) => self.probability(p, "common_cause.p")?,
            None => unavailability(per_year, duration),
        };
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "common_cause.loss")?,
            None => 1.0,
        };
        let loss_by = self.loss_by(&raw.loss_by, "common_cause.loss_by")?;
        Ok(CommonCause {
            id: raw.id.into_inner(),
            providers: members,
            regions,
            p,
            per_year,
            duration,
            loss,
            loss_by,
        })
    }

    pub(super) fn service(&self, raw: raw::RawService) -> Result<(Service, Written), InputError> {
        self.check_id(&raw.id, "service.id")?;
        if raw.dns.get_ref().is_empty() {
            return Err(self.err(
                raw.dns.span(),
                "service.dns",
                format!(
                    "service \"{}\" has an empty dns list: delegate it to at least one provider",
                    raw.id.get_ref()
                ),
            ));
        }
        let dns = self.provider_set(raw.dns.get_ref(), "service.dns")?;
        let standby =
            self.provider_set(raw.standby.as_deref().unwrap_or(&[]), "service.standby")?;
        let mut service = Service::new(raw.id.get_ref(), dns);
        service.set_standby(standby);
        for (value, key, slot) in [
            (&raw.ttl, "service.ttl", &mut service.ttl),
            (&raw.ns_ttl, "service.ns_ttl", &mut service.ns_ttl),
            (
                &raw.delegation_ttl,
                "service.delegation_ttl",
                &mut service.delegation_ttl,
            ),
            (
                &raw.failover_after,
                "service.failover_after",
                &mut service.failover_after,
            ),
        ] {
            if let Some(v) = value {
                *slot = self.whole_seconds(v, key)?;
            }
        }
        if let Some(q) = &raw.query_rate {
            service.query_rate = self.non_negative(q, "service.query_rate")?;
        }
        if let Some(w) = &raw.weight {
            service.weight = self.non_negative(w, "service.weight")?;
        }
        let requires = raw
            .requires
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.get_ref().as_str().into(), Loc::Toml(r.span())))
            .collect();
        let mut requires_any = Vec::new();
        for group in raw.requires_any.unwrap_or_default() {
            if group.get_ref().is_empty() {
                return Err(self.err(
                    group.span(),
                    "service.requires_any",
                    "a requires_any group must name at least one service",
                ));
            }
            requires_any.push(
                group
                    .get_ref()
                    .iter()
                    .map(|r| (r.get_ref().as_str().into(), Loc::Toml(r.span())))
                    .collect(),
            );
        }
        let names = TomlNames {
            requires,
            requires_any,
            parent: raw
                .parent
                .map(|p| (p.get_ref().as_str().into(), Loc::Toml(p.span()))),
        };
        Ok((service, Written::new(Place::toml(raw.id.span()), names)))
    }

    pub(super) fn resolvers(&self, raw: raw::RawResolvers) -> Result<Resolvers, InputError> {
        let profile = match &raw.profile {
            None => Profile::default(),
            Some(v) => parse_profile(v.get_ref())
                .map_err(|m| self.err(v.span(), "resolvers.profile", m))?,
        };
        let mut r = Resolvers::of_profile(profile);
        if let Some(v) = &raw.per_region {
            r.per_region = self.positive_int(v, "resolvers.per_region")?;
            // Resolver stream numbers hold the resolver in 16 bits.
            let max = crate::random::MAX_RESOLVERS - 1;
            if r.per_region as usize > max {
                return Err(self.err(
                    v.span(),
                    "resolvers.per_region",
                    format!("at most {max} resolvers per region, got {}", r.per_region),
                ));
            }
        }
        if let Some(v) = &raw.attempts {
            r.attempts = self.positive_int(v, "resolvers.attempts")?;
        }
        // Unless set, the ideal resolver sends exactly the client's tries,
        // the measured one at least those.
        r.max_queries = match profile {
            Profile::Ideal => r.attempts,
            Profile::Measured => r.max_queries.max(r.attempts),
        };
        if let Some(v) = &raw.max_queries {
            r.max_queries = self.positive_int(v, "resolvers.max_queries")?;
            if r.max_queries < r.attempts {
                return Err(self.err(
                    v.span(),
                    "resolvers.max_queries",
                    format!(
                        "max_queries ({}) is below attempts ({}): a resolution sends at least the tries its client waits for",
                        r.max_queries, r.attempts
                    ),
                ));
            }
        }
        if let Some(v) = &raw.retry_timeout {
            r.retry_timeout = self.duration(v, "resolvers.retry_timeout")?;
        }
        if let Some(v) = &raw.serve_stale {
            r.serve_stale = share_or_bool(v.get_ref())
                .map_err(|m| self.err(v.span(), "resolvers.serve_stale", m))?;
        }
        if let Some(v) = &raw.max_stale {
            r.max_stale = self.duration(v, "resolvers.max_stale")?;
        }
        if let Some(v) = &raw.max_cache_ttl {
            r.max_cache_ttl = self.duration(v, "resolvers.max_cache_ttl")?;
        }
        if let Some(v) = &raw.parent_centric_share {
            r.parent_centric_share = self.probability(v, "resolvers.parent_centric_share")?;
        }
        if let Some(v) = &raw.cache_share {
            r.cache_share = self.probability(v, "resolvers.cache_share")?;
        }
        if let Some(v) = &raw.failure_ttl {
            r.failure_ttl = self.duration(v, "resolvers.failure_ttl")?;
            if r.failure_ttl > Resolvers::MAX_FAILURE_TTL {
                return Err(self.err(
                    v.span(),
                    "resolvers.failure_ttl",
                    "RFC 9520 caps a cached resolution failure at 5 minutes; expected at most \"5m\"".to_string(),
                ));
            }
        }
        if let Some(v) = &raw.holddown {
            r.holddown = self.duration(v, "resolvers.holddown")?;
        }
        if let Some(v) = &raw.initial_cache {
            r.initial_cache = parse_initial_cache(v.get_ref())
                .map_err(|m| self.err(v.span(), "resolvers.initial_cache", m))?;
            r.evolve = true;
        }
        Ok(r)
    }

    pub(super) fn event(&self, raw: raw::RawEvent, sim: &Simulation) -> Result<Event, InputError> {
        let target = match (&raw.provider, &raw.common_cause) {
            (Some(p), None) => match self.ids.get(p.get_ref()) {
                Some((IdKind::Provider, i, _)) => EventTarget::Provider(*i),
                _ => {
                    return Err(self.err(
                        p.span(),
                        "event.provider",
                        self.unknown_id(p.get_ref(), IdKind::Provider),
                    ));
                }
            },
            (None, Some(c)) => match self.ids.get(c.get_ref()) {
                Some((IdKind::CommonCause, i, _)) => EventTarget::CommonCause(*i),
                _ => {
                    return Err(self.err(
                        c.span(),
                        "event.common_cause",
                        self.unknown_id(c.get_ref(), IdKind::CommonCause),
                    ));
                }
            },
            _ => {
                return Err(self.err(
                    raw.start.span(),
                    "event",
                    "an event names exactly one of provider or common_cause",
                ));
            }
        };
        let regions = match &raw.regions {
            Some(list) => self.region_list(list, "event.regions")?,
            None => (0..self.regions.len() as u32).collect(),
        };
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "event.loss")?,
            None => 1.0,
        };
        let loss_by = self.loss_by(&raw.loss_by, "event.loss_by")?;
        let start = self.event_time(&raw.start, "event.start", sim)?;
        let end = self.event_time(&raw.end, "event.end", sim)?;
        if end <= start {
            return Err(self.err(raw.end.span(), "event.end", format!(
                "the event ends ({end} after t = 0) before or when it starts ({start} after t = 0)"
            )));
        }
        if end > sim.horizon {
            return Err(self.err(
                raw.end.span(),
                "event.end",
                format!(
                    "the event ends {end} after t = 0, outside the horizon of {}",
                    sim.horizon
                ),
            ));
        }
        Ok(Event {
            target,
            regions,
            start,
            end,
            loss,
            loss_by,
        })
    }
}
