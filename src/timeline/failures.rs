//! Remembered failures (RFC 9520) under a total outage, run in one go.

use super::bulk::{Bulk, Cost};
use super::resolver::ResolverSim;
use super::tally::TimelineTally;
use crate::random::{Stream, exponential};

impl ResolverSim<'_> {
    /// A name without requirements at a caching resolver that remembers
    /// failures, while every delegated provider loses every query: one
    /// resolution (every query lost) each time the remembered failure has
    /// ended, the lookups in between failing at once. Run here in one go
    /// rather than lookup by lookup; false, doing nothing, when it does not
    /// apply at `t`.
    pub(super) fn failure_run(
        &mut self,
        rng: &mut Stream,
        k: usize,
        t: f64,
        b: f64,
        tally: &mut TimelineTally,
        r: usize,
    ) -> bool {
        let m = self.model;
        if !self.caching || m.failure_ttl <= 0.0 || t < self.failed_until[k] {
            return false;
        }
        if !self.all_lost(k, t) {
            return false;
        }
        let x = self.closure[k] as usize;
        let stale = self.stale_until(k, t);
        let until = self.unchanged_until(k, t, stale.map_or(b, |end| b.min(end)));
        let stale = stale.is_some();
        let own = k == self.closure.len() - 1;
        let lambda = m.svc[x].lambda;
        let mut cost = std::mem::take(&mut self.cost);
        cost.clear();
        if own {
            self.spread_queries(k, t, &mut cost);
        }
        let attempts = m.scenario.resolvers.attempts as u64;
        let free = Cost::default();
        let between = Bulk {
            fails: !stale,
            cost: &free,
            lambda,
        };
        let mut at = t;
        while at < until {
            if own {
                if !stale {
                    tally.record_failures(m, x, r, at, 1);
                }
                tally.record_lost(x, r, attempts);
                for &(p, n) in &cost.queries {
                    tally.record_queries(p, r, at, n);
                }
            }
            let ttl = m.failure_ttl * f64::from(1u32 << self.fail_streak[k].min(16));
            self.failed_until[k] = at + ttl.min(m.max_failure_ttl);
            self.fail_streak[k] += 1;
            let end = self.failed_until[k].min(until);
            if own {
                between.after(rng, at, end, x, r, m, tally);
            }
            at = end + exponential(rng, lambda);
            if end >= until {
                break;
            }
        }
        self.next[k] = at;
        self.cost = cost;
        true
    }
}
