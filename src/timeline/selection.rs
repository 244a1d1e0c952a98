//! Server selection: which delegated providers a resolution tries, in
//! what order, and the holddown of providers that timed out.

use super::resolver::ResolverSim;
use crate::random::{Stream, uniform};

impl ResolverSim<'_> {
    /// The providers a first try of member `j` at `t` may go to: those not
    /// in holddown, or all when every one is.
    pub(super) fn free_providers(&self, j: usize, t: f64, out: &mut Vec<u32>) {
        let svc = &self.model.scenario.services[self.closure[j] as usize];
        let with_standby = t >= self.seen[j];
        let delegated = svc
            .dns
            .iter()
            .chain(svc.standby.iter().filter(|_| with_standby));
        let start = out.len();
        out.extend(delegated.clone().filter(|&&p| self.held_until(p) <= t));
        if out.len() == start {
            out.extend(delegated);
        }
    }

    /// Whether a resolution of member `j` at `t` is answered by its first
    /// try for certain: no provider it may go first to loses anything.
    pub(super) fn first_try_certain(&self, j: usize, t: f64) -> bool {
        let svc = &self.model.scenario.services[self.closure[j] as usize];
        let with_standby = t >= self.seen[j];
        let delegated = || {
            svc.dns
                .iter()
                .chain(svc.standby.iter().filter(|_| with_standby))
        };
        let holddown = self.model.holddown > 0.0;
        let any_free = !holddown || delegated().any(|&p| self.held_until(p) <= t);
        delegated()
            .filter(|&&p| !holddown || !any_free || self.held_until(p) <= t)
            .all(|&p| self.loss(p, t) == 0.0)
    }

    /// The holddown of provider `p`: until when it is avoided.
    pub(super) fn held_until(&self, p: u32) -> f64 {
        self.held
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(f64::NEG_INFINITY, |&(_, u)| u)
    }

    pub(super) fn hold(&mut self, p: u32, until: f64) {
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
        let svc = &self.model.scenario.services[self.closure[j] as usize];
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
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend((0..n).map(|i| provider((first + i) % n)));
        if self.model.holddown > 0.0 && n > 1 {
            let free = order.iter().filter(|&&p| self.held_until(p) <= t).count();
            if free > 0 {
                order.retain(|&p| self.held_until(p) <= t);
            }
        }
        self.order = order;
    }
}
