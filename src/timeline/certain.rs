//! Lookups whose outcome and cost are certain until some time: every part
//! fresh in cache, a remembered failure, every delegated provider losing
//! every query, or a first try that cannot be lost. The window counts them
//! in bulk instead of one by one (spec §3, §3.1).

use super::bulk::Cost;
use super::resolver::ResolverSim;
use super::sums::sums_on;
use super::visit::Parts;
use super::walk::{Span, Step};

impl ResolverSim<'_> {
    /// Whether a lookup of member `k` at `t` and every lookup after
    /// it until some time are certain: each part fresh in cache or certain
    /// (see [`Self::certain`]). Returns whether they fail, until when this
    /// holds, and until when it would hold but for failures remembered
    /// now; adds what the lookup at `t` costs to `first` and what
    /// each later one costs to `rest` (they differ when the lookup at `t`
    /// resolves a name whose failure is then remembered). The failures
    /// that lookup leaves behind are remembered here.
    pub(super) fn certain_lookup(
        &mut self,
        k: usize,
        t: f64,
        b: f64,
        first: &mut Cost,
        rest: &mut Cost,
    ) -> Option<Certain> {
        let mut remembered = std::mem::take(&mut self.remembered);
        remembered.clear();
        let mut parts = CertainParts {
            t,
            b,
            until: b,
            remembered,
            first,
            rest,
        };
        let outcome = self.walk(k, t, &mut parts);
        let CertainParts {
            mut until,
            remembered,
            ..
        } = parts;
        // The quiet names taken as they stand hold until the first of them
        // changes.
        until = until.min(self.walk_state.skipped_until);
        let Some(ok) = outcome else {
            self.remembered = remembered;
            return None;
        };
        // Until the failures remembered now are forgotten.
        let change = until;
        for &j in &remembered {
            self.resolution_lost(j, t);
            until = until.min(self.names[j].failed_until);
        }
        let only_own = remembered.iter().all(|&j| j == k);
        self.remembered = remembered;
        Some(Certain {
            fails: !ok,
            until,
            change,
            only_own,
        })
    }

    /// What a certain lookup's resolution of member `j` at `t` sends, as
    /// [`Self::certain`] says, added to `cost`.
    fn sends(&self, j: usize, t: f64, sends: &Sends, cost: &mut Cost) {
        match sends {
            Sends::Nothing => {}
            Sends::AllLost { .. } => self.resolution_cost(j, t, cost),
            Sends::OneOfFree => self.free_providers(j, t, cost),
        }
    }

    /// What a resolution of member `j` at `t` that every delegated
    /// provider loses costs: the client's tries, and the queries.
    fn resolution_cost(&self, j: usize, t: f64, cost: &mut Cost) {
        cost.lost += self.model.scenario.resolvers.attempts as u64;
        self.spread_queries(j, t, cost);
    }

    /// The queries of one resolution that every delegated provider loses,
    /// spread over those providers in turn.
    pub(super) fn spread_queries(&self, j: usize, t: f64, cost: &mut Cost) {
        let max = u64::from(self.model.scenario.resolvers.max_queries);
        let n = self.delegated(j, t).count() as u64;
        if n == 0 {
            return;
        }
        // `max` queries in turn over `n` providers: `max / n` each, one more
        // for the first `max % n` (none for a provider the turn never reaches).
        for (i, p) in self.delegated(j, t).enumerate() {
            let queries = max / n + u64::from((i as u64) < max % n);
            if queries > 0 {
                cost.queries_to(p, queries);
            }
        }
    }

    /// When member `j` (not fresh at `t`) is certain to get the
    /// same answer from every lookup until some later time: its failure is
    /// remembered (no query sent), or all its delegated providers lose
    /// every query (a caching resolver that remembers failures then sends
    /// them once and remembers the failure), or (a resolver whose cache
    /// does not help, one delegated provider) no query is lost. Returns
    /// whether those lookups fail (no stale answer to serve), when that
    /// may change (the failure forgotten, the next outage boundary of any
    /// of its providers, its resolver seeing the standby, its stale answer
    /// running out, or the window's end `b`), and what each lookup sends.
    fn certain(&self, j: usize, t: f64, b: f64) -> Option<(bool, f64, Sends)> {
        let stale = self.stale_until(j, t);
        let mut until = stale.map_or(b, |end| b.min(end));
        if self.caching && t < self.names[j].failed_until {
            let until = until.min(self.names[j].failed_until);
            return Some((stale.is_none(), until, Sends::Nothing));
        }
        // An expired NS set makes the outcome hang on the parent's
        // providers too: simulated lookup by lookup (`zones.rs`).
        until = until.min(self.zone_fresh_until(j, t)?);
        let remembers = self.caching && self.model.failure_ttl > 0.0;
        let (fails, sends) = if !self.caching && self.first_try_certain(j, t) {
            // Answered by the first try, whichever free provider it goes
            // to; nothing changes until a holddown ends.
            for &(_, u) in &self.held {
                if u > t {
                    until = until.min(u);
                }
            }
            (false, Sends::OneOfFree)
        } else if self.all_lost(j, t) {
            let sends = Sends::AllLost { remembers };
            (stale.is_none(), sends)
        } else {
            return None;
        };
        Some((fails, self.unchanged_until(j, t, until), sends))
    }
}

/// A certain lookup's walk at `t` (in a window that ends at `b`): until
/// when it holds so far, the names whose failure it remembers, and what
/// the lookup at `t` costs (`first`) and each after it (`rest`).
pub(super) struct CertainParts<'c> {
    t: f64,
    b: f64,
    pub until: f64,
    remembered: Vec<usize>,
    pub first: &'c mut Cost,
    pub rest: &'c mut Cost,
}

impl<'m> Parts<ResolverSim<'m>> for CertainParts<'_> {
    #[inline]
    fn at(&mut self, sim: &mut ResolverSim<'m>, j: usize) -> Option<Step> {
        let (t, b) = (self.t, self.b);
        // Fresh, or its failure remembered: the lookup leaves it as it is.
        let quiet = sim.quiet_until(j, t, b);
        if t < sim.names[j].expiry {
            self.until = self.until.min(sim.names[j].expiry);
            return Some(Step { ok: true, quiet });
        }
        let (fails, u, sends) = sim.certain(j, t, b)?;
        self.until = self.until.min(u);
        sim.sends(j, t, &sends, self.first);
        if let Sends::AllLost { remembers: true } = sends {
            // Sent once: the lookups after it find the failure remembered.
            self.remembered.push(j);
        } else {
            sim.sends(j, t, &sends, self.rest);
        }
        Some(Step { ok: !fails, quiet })
    }

    /// A resolver whose cache does not help takes a line's stretch from
    /// its sums (`sums.rs`); the others walk it.
    fn span(&mut self, sim: &mut ResolverSim<'m>, names: &[u32], line: u32, from: u32) -> Span {
        if sim.caching || !sums_on() {
            return Span::Walk;
        }
        let (t, b) = (self.t, self.b);
        let mut sums = std::mem::take(&mut sim.sums);
        let view = &*sim;
        let part = &mut |j: usize, cost: &mut Cost| {
            // Without a cache, nothing is remembered: each lookup sends it.
            let (fails, until, sends) = view.certain(j, t, b)?;
            view.sends(j, t, &sends, cost);
            Some((fails, until))
        };
        let costs = (&mut *self.first, &mut *self.rest);
        let span = sums.span(names, line, from, t, part, costs, &mut self.until);
        sim.sums = sums;
        span
    }
}

/// A run of certain lookups (see [`ResolverSim::certain_lookup`]):
/// whether they fail, until when, until when but for the failures
/// remembered now, and whether those are at most the looked-up member's
/// own.
pub(super) struct Certain {
    pub fails: bool,
    pub until: f64,
    pub change: f64,
    pub only_own: bool,
}

/// What each of a run of certain lookups sends to the authoritatives.
pub(super) enum Sends {
    /// Nothing: a fresh answer, or a remembered failure.
    Nothing,
    /// `max_queries` queries, every one lost: by every lookup, or by the
    /// first only when the failure is then remembered.
    AllLost { remembers: bool },
    /// One query, answered, to one of the providers not in holddown.
    OneOfFree,
}
