//! A resolver's caches where nothing needs simulating one lookup at a
//! time: their state at the start of a trouble window, drawn from the
//! stationary law or carried over from t = 0 and the windows before.

use super::resolver::ResolverSim;
use crate::random::{Stream, uniform};
use crate::scenario::InitialCache;

/// Quiet time spanning more cache cycles than this (a cycle: a lifetime in
/// cache plus the wait for the next lookup) ends in the stationary state
/// instead of being walked cycle by cycle.
const MAX_QUIET_CYCLES: u32 = 64;

impl ResolverSim<'_> {
    /// The stationary cache state at the window's start `a`, and the next
    /// lookup, of each `active` member (the ideal resolver, spec §3).
    pub(super) fn draw_window_start(&mut self, rng: &mut Stream, a: f64, active: &[u32]) {
        for &k in active {
            self.stationary(rng, k as usize, a);
        }
    }

    /// Member `k`'s stationary state at `a`: fresh with probability
    /// λT/(1+λT), remaining life uniform on [0, T]; if expired, expired for
    /// an Exp(λ) time, λ the rate of the lookups that reach its cache (its
    /// own and its dependents'). A resolver whose cache does not help has
    /// nothing. Then its own next lookup.
    fn stationary(&mut self, rng: &mut Stream, k: usize, a: f64) {
        let svc = &self.model.svc[self.members[k] as usize];
        if svc.reach <= 0.0 {
            self.names[k].expiry = f64::NEG_INFINITY;
            self.names[k].next = f64::INFINITY;
            return;
        }
        if self.caching {
            let lt = svc.reach * svc.ttl;
            self.names[k].expiry = if uniform(rng) < lt / (1.0 + lt) {
                a + uniform(rng) * svc.ttl
            } else {
                a - self.wait(rng, svc.reach)
            };
        } else {
            self.names[k].expiry = f64::NEG_INFINITY;
        }
        self.names[k].next = self.own_next(rng, k, a);
    }

    /// Member `k`'s first own lookup after `a` (none at a rate of 0).
    fn own_next(&self, rng: &mut Stream, k: usize, a: f64) -> f64 {
        let lambda = self.model.svc[self.members[k] as usize].lambda;
        if lambda <= 0.0 {
            f64::INFINITY
        } else {
            a + self.wait(rng, lambda)
        }
    }

    /// Caches carried over the horizon (spec §3.1): each `active` member's
    /// set at t = 0 as `initial_cache` says, then walked through the quiet
    /// time up to `a`, where every lookup is answered (none of the
    /// providers its lookups need is out) and an expired answer is fetched
    /// again.
    pub(super) fn advance(&mut self, rng: &mut Stream, a: f64, active: &[u32]) {
        let initial = self.model.scenario.resolvers.initial_cache;
        for &k in active {
            let k = k as usize;
            if !self.names[k].begun {
                self.names[k].begun = true;
                let svc = &self.model.svc[self.members[k] as usize];
                match initial {
                    InitialCache::Stationary => self.stationary(rng, k, 0.0),
                    _ if svc.reach <= 0.0 => {
                        self.names[k].expiry = f64::NEG_INFINITY;
                        self.names[k].next = f64::INFINITY;
                    }
                    InitialCache::Empty => {
                        self.names[k].expiry = f64::NEG_INFINITY;
                        self.names[k].next = self.own_next(rng, k, 0.0);
                    }
                    InitialCache::Full => {
                        self.names[k].expiry = if self.caching {
                            svc.ttl
                        } else {
                            f64::NEG_INFINITY
                        };
                        self.names[k].next = self.own_next(rng, k, 0.0);
                    }
                }
                self.names[k].since = 0.0;
            }
            self.quiet(rng, k, a);
        }
        self.started = true;
    }

    /// Member `k` from its state up to `a` through quiet time.
    fn quiet(&mut self, rng: &mut Stream, k: usize, a: f64) {
        let svc = &self.model.svc[self.members[k] as usize];
        if svc.reach > svc.lambda {
            self.quiet_shared(rng, k, a);
            return;
        }
        if self.names[k].next >= a {
            return;
        }
        if !self.caching {
            // Nothing to carry: the next lookup after `a` (memoryless).
            self.names[k].next = a + self.wait(rng, svc.lambda);
            return;
        }
        // Too long to walk: its end is as good as stationary.
        let cycle = svc.ttl + 1.0 / svc.lambda;
        if a - self.names[k].next > f64::from(MAX_QUIET_CYCLES) * cycle {
            self.stationary(rng, k, a);
            return;
        }
        let mut cycles = 0;
        while self.names[k].next < a {
            if self.names[k].next < self.names[k].expiry {
                // Fresh: the first lookup after the answer expires.
                self.names[k].next = self.names[k].expiry + self.wait(rng, svc.lambda);
                continue;
            }
            // Expired: this lookup fetches the answer again, and the next
            // one that matters is the first after it expires (memoryless).
            self.names[k].expiry = self.names[k].next + svc.ttl;
            self.names[k].next = self.names[k].expiry + self.wait(rng, svc.lambda);
            cycles += 1;
            if cycles == MAX_QUIET_CYCLES {
                self.stationary(rng, k, a);
                return;
            }
        }
    }

    /// [`Self::quiet`] for a name that others' lookups reach too: their
    /// sum, at the rate `reach`, walked from the end of the name's last
    /// window (`since`) to `a`; then its own next lookup after `a`
    /// (memoryless).
    fn quiet_shared(&mut self, rng: &mut Stream, k: usize, a: f64) {
        let svc = &self.model.svc[self.members[k] as usize];
        let (reach, ttl) = (svc.reach, svc.ttl);
        if self.caching && self.names[k].since < a {
            let cycle = ttl + 1.0 / reach;
            if a - self.names[k].since > f64::from(MAX_QUIET_CYCLES) * cycle {
                self.stationary(rng, k, a);
                return;
            }
            let mut t = self.names[k].since + self.wait(rng, reach);
            let mut cycles = 0;
            while t < a {
                if t >= self.names[k].expiry {
                    self.names[k].expiry = t + ttl;
                    cycles += 1;
                    if cycles == MAX_QUIET_CYCLES {
                        self.stationary(rng, k, a);
                        return;
                    }
                }
                t = self.names[k].expiry + self.wait(rng, reach);
            }
        }
        self.names[k].next = self.own_next(rng, k, a);
    }
}
