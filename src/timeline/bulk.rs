//! What lookups cost, and lookups whose outcome and cost are certain until
//! some time, counted in bulk.

use super::{TimelineModel, TimelineTally};
use crate::random::{Stream, poisson};

/// What a lookup's outcome costs: client-visible lost tries (latency), and
/// queries sent to each provider (load).
#[derive(Default)]
pub(super) struct Cost {
    pub lost: u64,
    pub queries: Vec<(u32, u64)>,
    /// Providers that share one query per lookup between them (a first
    /// try to one of them at random).
    pub spread: Vec<u32>,
}

impl Cost {
    pub(super) fn clear(&mut self) {
        self.lost = 0;
        self.queries.clear();
        self.spread.clear();
    }

    pub(super) fn query(&mut self, p: u32) {
        match self.queries.iter_mut().find(|(q, _)| *q == p) {
            Some((_, n)) => *n += 1,
            None => self.queries.push((p, 1)),
        }
    }
}

/// Lookups whose outcome and cost are certain until some time: counted in
/// bulk with Poisson draws split at series-step and event boundaries.
pub(super) struct Bulk<'c> {
    pub fails: bool,
    /// What each lookup costs.
    pub cost: &'c Cost,
    pub lambda: f64,
}

impl Bulk<'_> {
    /// Records the lookup at `t` and the Poisson number of them in
    /// (t, until).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn record(
        &self,
        rng: &mut Stream,
        t: f64,
        until: f64,
        target: usize,
        r: usize,
        m: &TimelineModel,
        tally: &mut TimelineTally,
    ) {
        self.segment(t, 1, target, r, m, tally);
        let count = 1 + self.after(rng, t, until, target, r, m, tally);
        tally.record_lost(target, r, count * self.cost.lost);
    }

    /// Records the Poisson number of lookups in (from, until), split at
    /// series-step and event boundaries; returns how many.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn after(
        &self,
        rng: &mut Stream,
        from: f64,
        until: f64,
        target: usize,
        r: usize,
        m: &TimelineModel,
        tally: &mut TimelineTally,
    ) -> u64 {
        let (mut count, mut from) = (0, from);
        while from < until {
            let to = tally.next_boundary(from).min(until);
            let n = poisson(rng, self.lambda * (to - from));
            if n > 0 {
                self.segment(from, n, target, r, m, tally);
            }
            count += n;
            from = to;
        }
        count
    }

    /// `n` lookups within the step and event windows that hold `t`.
    fn segment(
        &self,
        t: f64,
        n: u64,
        target: usize,
        r: usize,
        m: &TimelineModel,
        tally: &mut TimelineTally,
    ) {
        if self.fails {
            tally.record_failures(m, target, r, t, n);
        }
        for &(p, q) in &self.cost.queries {
            tally.record_queries(p, r, t, n * q);
        }
        // n queries over c providers: n/c each, the remainder one apiece
        // from a provider that the time picks (the lookups' first tries go
        // to each at random; this keeps the split even without a draw).
        let c = self.cost.spread.len();
        let first = (t.to_bits() >> 12) as usize;
        for (i, &p) in self.cost.spread.iter().enumerate() {
            let rank = (i + c - first % c.max(1)) % c.max(1);
            tally.record_queries(p, r, t, (n + rank as u64) / c as u64);
        }
    }
}
