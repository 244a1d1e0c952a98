//! A resolver's lookup walked over what it requires (`walk.rs`), with the
//! resolver: what the walk asks of each name (`Parts`), and until when a
//! name, or everything a lookup needs, stays as it is.

use super::resolver::ResolverSim;
use super::walk::{Span, Step, Visit, depth_first, earliest_expiry};

impl ResolverSim<'_> {
    /// Walks a lookup of member `k` at `t`: `parts.at(self, j)` looks name
    /// `j` up (from cache, or by resolution) and says whether it got an
    /// answer and until when it stays as it was (see
    /// [`Self::quiet_until`]), or `None` to stop the walk, which then
    /// returns `None`. Names that are quiet (`walk.rs`) are taken as they
    /// stand, without `at`; the earliest end among them is left in
    /// `walk_state.skipped_until`. Returns whether the lookup succeeded:
    /// its name and all it requires answered.
    pub(super) fn walk(&mut self, k: usize, t: f64, parts: &mut impl Parts<Self>) -> Option<bool> {
        // The walk's own state is taken out, so that `parts` may borrow
        // `self`.
        let children = self.children;
        let mut state = std::mem::take(&mut self.walk_state);
        let mut ok = std::mem::take(&mut self.ok);
        let v = &mut WithSim { sim: self, parts };
        let result = depth_first(children, &mut state, &mut ok, k, t, v);
        self.walk_state = state;
        self.ok = ok;
        result
    }

    /// Until when member `j` stays as a lookup at `t` finds it, the lookup
    /// changing nothing: while its answer is fresh in cache, or its failure
    /// remembered (with its stale answer served, or not); at most the
    /// window's end `b`. A time at or before `t` when the lookup resolves it.
    pub(super) fn quiet_until(&self, j: usize, t: f64, b: f64) -> f64 {
        let name = &self.names[j];
        if t < name.expiry {
            return name.expiry.min(b);
        }
        if self.caching && t < name.failed_until {
            let stale = self.stale_until(j, t).map_or(b, |end| end.min(b));
            return stale.min(name.failed_until);
        }
        f64::NEG_INFINITY
    }

    /// Until when every name that a lookup of member `k` at `t` would look
    /// up stays fresh in cache, so that each lookup until then is answered
    /// and changes nothing (a time at or before `t` when one is not fresh
    /// now): what it requires and the first member of each group, and
    /// theirs.
    pub(super) fn fresh_until(&mut self, k: usize, t: f64) -> f64 {
        let names = &self.names;
        earliest_expiry(
            self.children,
            &mut self.walk_state,
            &|j| names[j].expiry,
            k,
            t,
        )
    }
}

/// What a resolver's walk asks of each name, and of a line's stretch at
/// once where it can ([`Visit`], given the resolver).
pub(super) trait Parts<S> {
    fn at(&mut self, sim: &mut S, j: usize) -> Option<Step>;

    fn span(&mut self, _sim: &mut S, _names: &[u32], _line: u32, _from: u32) -> Span {
        Span::Walk
    }
}

impl<S, F: FnMut(&mut S, usize) -> Option<Step>> Parts<S> for F {
    #[inline]
    fn at(&mut self, sim: &mut S, j: usize) -> Option<Step> {
        self(sim, j)
    }
}

/// A resolver's walk parts with the resolver: a walk's visitor.
struct WithSim<'a, S, P> {
    sim: &'a mut S,
    parts: &'a mut P,
}

impl<S, P: Parts<S>> Visit for WithSim<'_, S, P> {
    #[inline]
    fn at(&mut self, j: usize) -> Option<Step> {
        self.parts.at(self.sim, j)
    }

    fn span(&mut self, names: &[u32], line: u32, from: u32) -> Span {
        self.parts.span(self.sim, names, line, from)
    }
}
