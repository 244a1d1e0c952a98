//! What lookups cost, and lookups whose outcome and cost are certain until
//! some time, counted in bulk.

use super::record::Record;
use crate::random::{Stream, poisson};

/// What a lookup's outcome costs: client-visible lost tries (latency), and
/// queries sent to each provider (load).
#[derive(Default, Clone, PartialEq)]
pub(super) struct Cost {
    pub lost: u64,
    pub queries: Vec<(u32, u64)>,
    /// Groups of providers that share one query per lookup between them
    /// (a first try to one of them at random): a group for each name the
    /// lookup resolves so, each ending where `spread_ends` says, with how
    /// many names share it.
    pub spread: Vec<u32>,
    pub spread_ends: Vec<(usize, u64)>,
}

impl Cost {
    pub(super) fn clear(&mut self) {
        self.lost = 0;
        self.queries.clear();
        self.spread.clear();
        self.spread_ends.clear();
    }

    pub(super) fn query(&mut self, p: u32) {
        self.queries_to(p, 1);
    }

    /// `n` queries to provider `p`.
    pub(super) fn queries_to(&mut self, p: u32, n: u64) {
        match self.queries.iter_mut().find(|(q, _)| *q == p) {
            Some((_, m)) => *m += n,
            None => self.queries.push((p, n)),
        }
    }

    /// What `n` names that each cost `one` add.
    pub(super) fn add_times(&mut self, one: &Cost, n: u64) {
        self.lost += n * one.lost;
        for &(p, q) in &one.queries {
            self.queries_to(p, n * q);
        }
        let mut start = 0;
        for &(end, times) in &one.spread_ends {
            self.spread.extend_from_slice(&one.spread[start..end]);
            self.spread_ends.push((self.spread.len(), n * times));
            start = end;
        }
    }
}

/// Lookups whose outcome and cost are certain until some time: counted in
/// bulk with Poisson draws split at series-step and event boundaries.
pub(super) struct Bulk<'c> {
    pub fails: bool,
    /// What the first lookup costs, and each after it.
    pub first: &'c Cost,
    pub rest: &'c Cost,
    pub lambda: f64,
    /// The region of the resolvers.
    pub r: usize,
}

/// Failing lookups that cost nothing (a remembered failure), kept as time
/// within one series-step and event segment and drawn in one go when the
/// segment ends: a resolver that remembers failures through a long outage
/// then costs a Poisson draw a segment, not one a remembered failure (a
/// sum of independent Poisson counts is one Poisson count).
#[derive(Default)]
pub(super) struct Pending {
    /// A time inside the segment, and the segment's end.
    at: f64,
    end: f64,
    /// Failing time in the segment, and its lookups' rate.
    length: f64,
    lambda: f64,
}

impl Pending {
    /// Draws and records the failures of the time kept.
    pub(super) fn flush(&mut self, rng: &mut Stream, rec: &mut Record) {
        if self.length > 0.0 {
            let n = poisson(rng, self.lambda * self.length);
            if n > 0 {
                rec.record_failures(self.at, n);
            }
            self.length = 0.0;
        }
    }
}

impl Bulk<'_> {
    /// Records the lookup at `t` and the Poisson number of them in
    /// (t, until).
    pub(super) fn record(
        &self,
        rng: &mut Stream,
        t: f64,
        until: f64,
        rec: &mut Record,
        pending: &mut Pending,
    ) {
        self.segment(self.first, t, 1, rec);
        let rest = self.rest;
        if rest.lost == 0 && rest.queries.is_empty() && rest.spread.is_empty() {
            // The lookups after the first cost nothing: only failures are
            // counted, and those can wait for the segment's end.
            if self.fails {
                self.defer(rng, t, until, rec, pending);
            }
            rec.record_lost(self.first.lost);
            return;
        }
        let count = self.after(rng, t, until, rec);
        rec.record_lost(self.first.lost + count * rest.lost);
    }

    /// Records `n` lookups that each cost what the first does, all within
    /// the segment that holds `t`.
    pub(super) fn resolutions(&self, t: f64, n: u64, rec: &mut Record) {
        if n > 0 {
            self.segment(self.first, t, n, rec);
            rec.record_lost(n * self.first.lost);
        }
    }

    /// Keeps the failing lookups in (from, until) as time in `pending`,
    /// flushing it at each segment's end.
    pub(super) fn defer(
        &self,
        rng: &mut Stream,
        from: f64,
        until: f64,
        rec: &mut Record,
        pending: &mut Pending,
    ) {
        let mut from = from;
        while from < until {
            let end = if pending.length > 0.0 && pending.at <= from && from < pending.end {
                pending.end
            } else {
                rec.next_boundary(from)
            };
            if pending.length > 0.0 && pending.end != end {
                pending.flush(rng, rec);
            }
            if pending.length == 0.0 {
                *pending = Pending {
                    at: from,
                    end,
                    length: 0.0,
                    lambda: self.lambda,
                };
            }
            let to = end.min(until);
            pending.length += to - from;
            from = to;
        }
    }

    /// Records the Poisson number of lookups in (from, until), split at
    /// series-step and event boundaries; returns how many.
    fn after(&self, rng: &mut Stream, from: f64, until: f64, rec: &mut Record) -> u64 {
        let mut count = 0;
        rec.each_segment(from, until, |rec, a, b| {
            let n = poisson(rng, self.lambda * (b - a));
            if n > 0 {
                self.segment(self.rest, a, n, rec);
            }
            count += n;
        });
        count
    }

    /// `n` lookups within the step and event windows that hold `t`.
    fn segment(&self, cost: &Cost, t: f64, n: u64, rec: &mut Record) {
        let r = self.r;
        if self.fails {
            rec.record_failures(t, n);
        }
        for &(p, q) in &cost.queries {
            rec.record_queries(p, r, t, n * q);
        }
        // Per group, n queries over its c providers (for each name that
        // shares it): n/c each, the remainder one apiece from a provider
        // that the time picks (the lookups' first tries go to each at
        // random; this keeps the split even without a draw).
        let first = (t.to_bits() >> 12) as usize;
        let mut start = 0;
        for &(end, times) in &cost.spread_ends {
            let group = &cost.spread[start..end];
            let c = group.len();
            for (i, &p) in group.iter().enumerate() {
                let rank = (i + c - first % c) % c;
                rec.record_queries(p, r, t, times * ((n + rank as u64) / c as u64));
            }
            start = end;
        }
    }
}
