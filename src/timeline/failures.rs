//! Remembered failures (RFC 9520): how long a failed resolution is
//! remembered, and a resolution that every delegated provider loses.

use super::bulk::{Bulk, Pending};
use super::record::Record;
use super::resolver::ResolverSim;
use crate::random::Stream;
use crate::scenario::Resolvers;

impl ResolverSim<'_> {
    /// How long a failure of member `k` remembered now lasts:
    /// `failure_ttl`, doubled for each failure in a row before it, at most
    /// RFC 9520's 5 minutes.
    fn failure_ttl_after(&self, k: usize) -> f64 {
        let cap = Resolvers::MAX_FAILURE_TTL.as_secs_f64();
        let ttl = self.model.failure_ttl * f64::from(1u32 << self.names[k].fail_streak.min(16));
        ttl.min(cap)
    }

    /// Remembers a failed resolution of member `k` at `t`.
    pub(super) fn remember_failure(&mut self, k: usize, t: f64) {
        self.names[k].failed_until = t + self.failure_ttl_after(k);
        self.names[k].fail_streak += 1;
    }

    /// A resolution of member `k` at `t` whose every query is lost, as
    /// [`Self::resolve`] leaves it: each provider tried in holddown, the
    /// failure remembered.
    pub(super) fn resolution_lost(&mut self, k: usize, t: f64) {
        let holddown = self.model.holddown;
        if holddown > 0.0 {
            let mut tried = std::mem::take(&mut self.order);
            tried.clear();
            tried.extend(self.delegated(k, t));
            for &p in &tried {
                self.hold(p, t + holddown);
            }
            self.order = tried;
        }
        self.remember_failure(k, t);
    }

    /// Member `k`, whose every query is lost, at a resolver that remembers
    /// the failure, and which no other member looks up: one resolution
    /// each time the failure is forgotten, the lookups in between failing
    /// at once, from the lookup at `at` until `change` (before which
    /// nothing else its lookups walk changes). Run in one go rather than
    /// lookup by lookup (each resolution the same as the first, so
    /// certain; `bulk` holds its cost); returns the first lookup after
    /// `change`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn failure_run(
        &mut self,
        rng: &mut Stream,
        bulk: &Bulk,
        k: usize,
        mut at: f64,
        change: f64,
        rec: &mut Record,
        pending: &mut Pending,
    ) -> f64 {
        // The resolutions so far in the current series-step and event
        // segment: recorded together when it ends.
        let (mut seg_at, mut seg_end, mut resolutions) = (at, f64::NEG_INFINITY, 0);
        while at < change {
            self.resolution_lost(k, at);
            let end = self.names[k].failed_until.min(change);
            if at >= seg_end {
                bulk.resolutions(seg_at, resolutions, rec);
                (seg_at, seg_end, resolutions) = (at, rec.next_boundary(at), 0);
            }
            resolutions += 1;
            if bulk.fails {
                bulk.defer(rng, at, end, rec, pending);
            }
            at = end + self.wait(rng, bulk.lambda);
        }
        bulk.resolutions(seg_at, resolutions, rec);
        at
    }
}
