//! Lookups independent of one another, counted in bulk under partial loss.
//!
//! A resolver whose cache does not help (`cache_share`) keeps no answer
//! and no failure. When the name it looks up requires nothing, has no
//! parent zone and has one delegated provider for good (no standby), its
//! holddown of that provider changes no order either: every lookup until
//! the provider's loss changes is a fresh draw from one law, up to
//! `max_queries` tries to the provider, each lost with its loss `l`. The
//! lost tries before an answer are then a geometric count truncated at
//! `max_queries` (P(at least i lost) = l^i), drawn with one uniform per
//! lookup; the lookups themselves are a Poisson number per series-step and
//! event segment. This replaces simulating each lookup's tries, the wait
//! before it and the event loop's bookkeeping (spec §3.1: the same law;
//! `tests/it/timeline.rs` checks it against the lookup-by-lookup path and
//! the closed form).

use super::record::Record;
use super::resolver::ResolverSim;
use crate::random::{Stream, poisson, uniform};

/// What a run of independent lookups adds up within one segment.
#[derive(Default)]
struct Segment {
    failed: u64,
    lost: u64,
    queries: u64,
}

/// The law of one lookup's tries: P(at least i lost) = l^i.
struct Tries {
    /// `at_least[i]` = l^(i + 1), for i < max_queries.
    at_least: Vec<f64>,
    attempts: u64,
}

impl Tries {
    fn new(loss: f64, attempts: u32, max_queries: u32) -> Tries {
        let mut at_least = Vec::with_capacity(max_queries as usize);
        let mut x = 1.0;
        for _ in 0..max_queries {
            x *= loss;
            at_least.push(x);
        }
        Tries {
            at_least,
            attempts: u64::from(attempts),
        }
    }

    /// One lookup: its lost tries, drawn by inversion, and what it costs.
    fn draw(&self, rng: &mut Stream, seg: &mut Segment) {
        let u = uniform(rng);
        let lost = self.at_least.iter().take_while(|&&p| u < p).count() as u64;
        let max = self.at_least.len() as u64;
        if lost < max {
            // Answered by try `lost`: the client waited for the lost ones
            // among its first `attempts`.
            seg.lost += lost.min(self.attempts);
            seg.queries += lost + 1;
            seg.failed += u64::from(lost >= self.attempts);
        } else {
            seg.lost += self.attempts;
            seg.queries += max;
            seg.failed += 1;
        }
    }
}

impl ResolverSim<'_> {
    /// Member `k`'s provider and its per-query loss at `t`, when its
    /// lookups are independent (see the module's note) and uncertain
    /// (a loss of 0 or 1 is certain: `certain.rs` counts those).
    fn independent(&self, k: usize, t: f64) -> Option<(u32, f64)> {
        if self.caching || self.members.len() != 1 || self.zone_of[k].is_some() {
            return None;
        }
        let svc = &self.model.scenario.services[self.members[k] as usize];
        if svc.dns.len() != 1 || !svc.standby().is_empty() {
            return None;
        }
        let p = svc.dns[0];
        let l = self.loss(p, t);
        (l > 0.0 && l < 1.0).then_some((p, l))
    }

    /// Counts member `k`'s lookups from the one at `t` until its
    /// provider's loss changes or the window ends at `b`, when they are
    /// independent; returns the first lookup after them.
    pub(super) fn independent_run(
        &mut self,
        rng: &mut Stream,
        k: usize,
        t: f64,
        b: f64,
        rec: &mut Record,
        r: usize,
    ) -> Option<f64> {
        let (p, l) = self.independent(k, t)?;
        let until = self.next_change(p, t).min(b);
        let res = &self.model.scenario.resolvers;
        let tries = Tries::new(l, res.attempts, res.max_queries);
        let lambda = self.model.svc[self.members[k] as usize].lambda;
        let mut seg = Segment::default();
        // The lookup at `t`, then a Poisson number per segment after it.
        tries.draw(rng, &mut seg);
        rec.each_segment(t, until, |rec, a, b| {
            for _ in 0..poisson(rng, lambda * (b - a)) {
                tries.draw(rng, &mut seg);
            }
            if seg.failed > 0 {
                rec.record_failures(a, seg.failed);
            }
            rec.record_lost(seg.lost);
            if seg.queries > 0 {
                rec.record_queries(p, r, a, seg.queries);
            }
            seg = Segment::default();
        });
        Some(until + self.wait(rng, lambda))
    }
}
