//! Remembered failures (RFC 9520) under a total outage, run in one go.

use super::bulk::{Bulk, Cost};
use super::resolver::ResolverSim;
use super::tally::TimelineTally;
use crate::random::{Stream, exponential};
use crate::scenario::Resolvers;

impl ResolverSim<'_> {
    /// A name without requirements at a caching resolver that remembers
    /// failures, while every delegated provider loses every query: one
    /// resolution (every query lost) each time the remembered failure has
    /// ended, the lookups in between failing at once. Run here in one go
    /// rather than lookup by lookup; false, doing nothing, when it does not
    /// apply at `t`.
    /// Remembers a failed resolution of member `k` at `t`: for
    /// `failure_ttl`, doubled for each failure in a row before it, at most
    /// RFC 9520's 5 minutes.
    pub(super) fn remember_failure(&mut self, k: usize, t: f64) {
        let cap = Resolvers::MAX_FAILURE_TTL.as_secs_f64();
        let ttl = self.model.failure_ttl * f64::from(1u32 << self.fail_streak[k].min(16));
        self.failed_until[k] = t + ttl.min(cap);
        self.fail_streak[k] += 1;
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn failure_run(
        &mut self,
        rng: &mut Stream,
        k: usize,
        t: f64,
        b: f64,
        tally: &mut TimelineTally,
        r: usize,
        cost: &mut Cost,
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
        cost.clear();
        if own {
            self.spread_queries(k, t, cost);
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
            self.remember_failure(k, at);
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
        true
    }
}
