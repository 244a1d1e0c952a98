//! The delegation chain in the timeline model (`[[service]] parent`): each
//! resolver keeps an NS set per zone. A resolution of a name whose zone's
//! NS set has expired first asks the parent's providers for the referral
//! (and, when the parent's own NS set has expired too, the grandparent's,
//! up the chain); when every try is lost the resolution fails. A referral
//! caches the NS set for the resolver's NS lifetime: `ns_ttl` for
//! child-centric resolvers, `delegation_ttl` for parent-centric ones
//! (`parent_centric_share`), capped by `max_cache_ttl`. A resolver whose
//! cache does not help (`cache_share`) keeps no NS set either.
//!
//! The ideal profile draws each window's NS sets from their stationary law
//! on the name's resolutions (rate m = λ/(1 + λT)): fresh with probability
//! mT'/(1 + mT'), the remaining life uniform on [0, T']. The measured
//! profile carries them over the horizon: set at t = 0 as `initial_cache`
//! says (none, cached at t = 0, or stationary), then walked through the
//! quiet time before each window, where the first resolution after an NS
//! set expires fetches it again.
//! Names without a parent have no zone and draw nothing, so plans without
//! `parent` give the figures they gave before.

use std::collections::HashMap;

use super::bulk::Cost;
use super::resolver::ResolverSim;
use super::{TimelineModel, Zone};
use crate::random::{Stream, uniform};
use crate::scenario::{InitialCache, Parent};

/// The zones a component's resolutions may need: for each member with a
/// parent its zone, and up the chain. Returns them with each member's zone.
impl TimelineModel<'_> {
    pub(super) fn zones_of(&self, members: &[u32]) -> (Vec<Zone>, Vec<Option<usize>>) {
        let services = &self.scenario.services;
        let mut zones: Vec<Zone> = Vec::new();
        // Each zone's index in `zones`, by its service.
        let mut index: HashMap<u32, usize> = HashMap::new();
        let mut zone_of = Vec::with_capacity(members.len());
        for &x in members {
            if services[x as usize].parent().is_none() {
                zone_of.push(None);
                continue;
            }
            // Walk up while the zone is new; link each to the one above.
            let mut chain = Vec::new();
            let mut at = Some(x);
            let mut above = None;
            while let Some(s) = at {
                if let Some(&z) = index.get(&s) {
                    above = Some(z);
                    break;
                }
                chain.push(s);
                at = match services[s as usize].parent() {
                    Some(Parent::Service(q)) if services[q as usize].parent().is_some() => Some(q),
                    _ => None,
                };
            }
            for &s in chain.iter().rev() {
                index.insert(s, zones.len());
                zones.push(Zone {
                    service: s,
                    up: above,
                    expiry: f64::NEG_INFINITY,
                    ttl: 0.0,
                });
                above = Some(zones.len() - 1);
            }
            zone_of.push(index.get(&x).copied());
        }
        (zones, zone_of)
    }
}

impl ResolverSim<'_> {
    /// Ready for a new resolver: which NS lifetime it keeps for each zone
    /// (drawn only where `parent_centric_share` leaves a choice).
    pub(super) fn reset_zones(&mut self, rng: &mut Stream) {
        let share = self.model.scenario.resolvers.parent_centric_share;
        for z in 0..self.zones.len() {
            let svc = &self.model.svc[self.zones[z].service as usize];
            let parent_centric = share >= 1.0 || (share > 0.0 && uniform(rng) < share);
            self.zones[z].ttl = if parent_centric {
                svc.parent_window
            } else {
                svc.child_window
            };
            self.zones[z].expiry = f64::NEG_INFINITY;
        }
    }

    /// NS sets at the start `a` of a window that ends at `b` (see the
    /// module comment); `first`: this resolver's first window.
    pub(super) fn zones_at_window(&mut self, rng: &mut Stream, a: f64, b: f64, first: bool) {
        let res = &self.model.scenario.resolvers;
        for z in 0..self.zones.len() {
            if !self.caching {
                self.zones[z].expiry = f64::NEG_INFINITY;
                continue;
            }
            if !res.evolve {
                self.zones[z].expiry = self.stationary_ns(rng, z, a);
                continue;
            }
            let (expiry, from) = if first {
                let at_zero = match res.initial_cache {
                    InitialCache::Empty => f64::NEG_INFINITY,
                    InitialCache::Full => self.zones[z].ttl,
                    InitialCache::Stationary => self.stationary_ns(rng, z, 0.0),
                };
                (at_zero, 0.0)
            } else {
                (self.zones[z].expiry, self.zones_until)
            };
            self.zones[z].expiry = self.quiet_ns(rng, z, expiry, from, a);
        }
        self.zones_until = b;
    }

    /// Zone `z`'s NS set walked from its `expiry` at `from` through quiet
    /// time to `a`: the first resolution of the name after it expires
    /// (resolutions come at m = λ/(1 + λT), memoryless, λ the rate of the
    /// lookups that reach the name's cache) fetches it again.
    /// Past 64 cycles the walk ends in the stationary state.
    fn quiet_ns(&self, rng: &mut Stream, z: usize, mut expiry: f64, from: f64, a: f64) -> f64 {
        let zone = &self.zones[z];
        let svc = &self.model.svc[zone.service as usize];
        let m = svc.reach / (1.0 + svc.reach * svc.ttl);
        if expiry > a || m <= 0.0 {
            return expiry;
        }
        let mut next = expiry.max(from) + self.wait(rng, m);
        for _ in 0..64 {
            if next >= a {
                return expiry;
            }
            expiry = next + zone.ttl;
            if expiry > a {
                return expiry;
            }
            next = expiry + self.wait(rng, m);
        }
        self.stationary_ns(rng, z, a)
    }

    /// Zone `z`'s NS set at `a` under its stationary law.
    fn stationary_ns(&self, rng: &mut Stream, z: usize, a: f64) -> f64 {
        let zone = &self.zones[z];
        let svc = &self.model.svc[zone.service as usize];
        let m = svc.reach / (1.0 + svc.reach * svc.ttl);
        let mt = m * zone.ttl;
        if mt > 0.0 && uniform(rng) < mt / (1.0 + mt) {
            a + uniform(rng) * zone.ttl
        } else {
            f64::NEG_INFINITY
        }
    }

    /// Until when member `j`'s zone needs no referral from `t` on: `None`
    /// when its NS set has expired (a resolution then depends on the
    /// parent), +∞ without a zone.
    pub(super) fn zone_fresh_until(&self, j: usize, t: f64) -> Option<f64> {
        match self.zone_of[j] {
            None => Some(f64::INFINITY),
            Some(z) if t < self.zones[z].expiry => Some(self.zones[z].expiry),
            Some(_) => None,
        }
    }

    /// Whether a resolution of member `j` at `t` gets past its zone's
    /// referral (at once when the NS set is fresh, else by asking the
    /// parent's providers); lost tries and queries go to `cost`.
    pub(super) fn referred(&mut self, rng: &mut Stream, j: usize, t: f64, cost: &mut Cost) -> bool {
        match self.zone_of[j] {
            None => true,
            Some(z) => self.referral(rng, z, t, cost),
        }
    }

    fn referral(&mut self, rng: &mut Stream, z: usize, t: f64, cost: &mut Cost) -> bool {
        if t < self.zones[z].expiry {
            return true;
        }
        if let Some(up) = self.zones[z].up
            && !self.referral(rng, up, t, cost)
        {
            return false;
        }
        let scenario = self.model.scenario;
        let service = &scenario.services[self.zones[z].service as usize];
        let providers = scenario.parent_providers(service);
        for q in 0..scenario.resolvers.attempts as usize {
            let p = providers[q % providers.len()];
            cost.query(p);
            let l = self.loss(p, t);
            if l > 0.0 && uniform(rng) < l {
                cost.lost += 1;
            } else {
                if self.caching {
                    self.zones[z].expiry = t + self.zones[z].ttl;
                }
                return true;
            }
        }
        false
    }
}
