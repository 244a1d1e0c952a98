//! Server selection: a name's delegated providers, what each loses from
//! this resolver and until when, which ones a resolution tries and in what
//! order, and the holddown of providers that timed out.

use super::bulk::Cost;
use super::resolver::ResolverSim;
use crate::random::{Stream, uniform};

impl ResolverSim<'_> {
    /// Member `j`'s delegated providers at `t`: its NS set, and its standby
    /// once this resolver sees the delegation change.
    pub(super) fn delegated(&self, j: usize, t: f64) -> impl Iterator<Item = u32> + Clone + '_ {
        let svc = &self.model.scenario.services[self.members[j] as usize];
        let with_standby = t >= self.names[j].seen;
        svc.dns
            .iter()
            .chain(svc.standby().iter().filter(move |_| with_standby))
            .copied()
    }

    /// Whether every delegated provider of member `j` loses every query
    /// from this resolver at `t`.
    pub(super) fn all_lost(&self, j: usize, t: f64) -> bool {
        self.delegated(j, t).all(|p| self.loss(p, t) >= 1.0)
    }

    /// Until when member `j`'s providers and delegation stay as they are at
    /// `t` (at most `b`): the next outage boundary of any of its providers,
    /// or this resolver seeing its standby.
    pub(super) fn unchanged_until(&self, j: usize, t: f64, b: f64) -> f64 {
        let svc = &self.model.scenario.services[self.members[j] as usize];
        let mut until = b;
        for &p in svc.dns.iter().chain(svc.standby().iter()) {
            until = until.min(self.next_change(p, t));
        }
        if t < self.names[j].seen && !svc.standby().is_empty() {
            until = until.min(self.names[j].seen);
        }
        until
    }

    /// The first outage boundary of provider `p` after `t`.
    pub(super) fn next_change(&self, p: u32, t: f64) -> f64 {
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
    #[inline]
    pub(super) fn loss(&self, p: u32, t: f64) -> f64 {
        let x = self.region * self.pc + p as usize;
        let list = &self.draws.outages[x];
        if list.first().is_none_or(|o| o.start > t) {
            return 0.0;
        }
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

    /// The providers a first try of member `j` at `t` may go to, added to
    /// `cost` as one group that shares a query a lookup: those not in
    /// holddown, or all when every one is.
    pub(super) fn free_providers(&self, j: usize, t: f64, cost: &mut Cost) {
        let out = &mut cost.spread;
        let start = out.len();
        out.extend(self.delegated(j, t).filter(|&p| self.held_until(p) <= t));
        if out.len() == start {
            out.extend(self.delegated(j, t));
        }
        cost.spread_ends.push((out.len(), 1));
    }

    /// Whether a resolution of member `j` at `t` is answered by its first
    /// try for certain: no provider it may go first to loses anything.
    pub(super) fn first_try_certain(&self, j: usize, t: f64) -> bool {
        let holddown = self.model.holddown > 0.0;
        let any_free = !holddown || self.delegated(j, t).any(|p| self.held_until(p) <= t);
        self.delegated(j, t)
            .filter(|&p| !holddown || !any_free || self.held_until(p) <= t)
            .all(|p| self.loss(p, t) == 0.0)
    }

    /// The holddown of provider `p`: until when it is avoided.
    pub(super) fn held_until(&self, p: u32) -> f64 {
        self.held
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(f64::NEG_INFINITY, |&(_, u)| u)
    }

    pub(super) fn hold(&mut self, p: u32, until: f64) {
        self.sums.changed();
        match self.held.iter_mut().find(|(q, _)| *q == p) {
            Some(h) => h.1 = until,
            None => self.held.push((p, until)),
        }
    }

    /// The providers a resolution of member `j` at `t` tries, in order:
    /// the first at random, the others in turn (the ideal resolver); with a
    /// holddown, providers in holddown are left out while another can be
    /// asked (BIND and Unbound: a server that timed out is penalised).
    pub(super) fn try_order(&mut self, rng: &mut Stream, j: usize, t: f64) {
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(self.delegated(j, t));
        let n = order.len();
        let first = ((uniform(rng) * n as f64) as usize).min(n - 1);
        if first > 0 {
            order.rotate_left(first);
        }
        if self.model.holddown > 0.0 && n > 1 && !self.held.is_empty() {
            let free = order.iter().filter(|&&p| self.held_until(p) <= t).count();
            if free > 0 {
                order.retain(|&p| self.held_until(p) <= t);
            }
        }
        self.order = order;
    }
}
