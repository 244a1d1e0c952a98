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
    /// The stationary cache state at the window's start `a`, and each
    /// member's next lookup (the ideal resolver, spec §3).
    pub(super) fn draw_window_start(&mut self, rng: &mut Stream, a: f64) {
        for k in 0..self.closure.len() {
            self.stationary(rng, k, a);
        }
    }

    /// Member `k`'s stationary state at `a`: fresh with probability
    /// λT/(1+λT), remaining life uniform on [0, T]; if expired, expired for
    /// an Exp(λ) time. A resolver whose cache does not help has nothing.
    fn stationary(&mut self, rng: &mut Stream, k: usize, a: f64) {
        let svc = &self.model.svc[self.closure[k] as usize];
        if svc.lambda <= 0.0 {
            self.expiry[k] = f64::NEG_INFINITY;
            self.next[k] = f64::INFINITY;
            return;
        }
        if self.caching {
            let lt = svc.lambda * svc.ttl;
            self.expiry[k] = if uniform(rng) < lt / (1.0 + lt) {
                a + uniform(rng) * svc.ttl
            } else {
                a - self.wait(rng, svc.lambda)
            };
        } else {
            self.expiry[k] = f64::NEG_INFINITY;
        }
        self.next[k] = a + self.wait(rng, svc.lambda);
    }

    /// Caches carried over the horizon (spec §3.1): set at t = 0 as
    /// `initial_cache` says, then walked through the quiet time up to `a`,
    /// where every lookup is answered (none of the closure's providers is
    /// out) and an expired answer is fetched again.
    pub(super) fn advance(&mut self, rng: &mut Stream, a: f64) {
        let initial = self.model.scenario.resolvers.initial_cache;
        for k in 0..self.closure.len() {
            if !self.started {
                let svc = &self.model.svc[self.closure[k] as usize];
                match initial {
                    InitialCache::Stationary => self.stationary(rng, k, 0.0),
                    _ if svc.lambda <= 0.0 => {
                        self.expiry[k] = f64::NEG_INFINITY;
                        self.next[k] = f64::INFINITY;
                    }
                    InitialCache::Empty => {
                        self.expiry[k] = f64::NEG_INFINITY;
                        self.next[k] = self.wait(rng, svc.lambda);
                    }
                    InitialCache::Full => {
                        self.expiry[k] = if self.caching {
                            svc.ttl
                        } else {
                            f64::NEG_INFINITY
                        };
                        self.next[k] = self.wait(rng, svc.lambda);
                    }
                }
            }
            self.quiet(rng, k, a);
        }
        self.started = true;
    }

    /// Member `k` from its state up to `a` through quiet time.
    fn quiet(&mut self, rng: &mut Stream, k: usize, a: f64) {
        let svc = &self.model.svc[self.closure[k] as usize];
        if self.next[k] >= a {
            return;
        }
        if !self.caching {
            // Nothing to carry: the next lookup after `a` (memoryless).
            self.next[k] = a + self.wait(rng, svc.lambda);
            return;
        }
        // Too long to walk: its end is as good as stationary.
        let cycle = svc.ttl + 1.0 / svc.lambda;
        if a - self.next[k] > f64::from(MAX_QUIET_CYCLES) * cycle {
            self.stationary(rng, k, a);
            return;
        }
        let mut cycles = 0;
        while self.next[k] < a {
            if self.next[k] < self.expiry[k] {
                // Fresh: the first lookup after the answer expires.
                self.next[k] = self.expiry[k] + self.wait(rng, svc.lambda);
                continue;
            }
            // Expired: this lookup fetches the answer again, and the next
            // one that matters is the first after it expires (memoryless).
            self.expiry[k] = self.next[k] + svc.ttl;
            self.next[k] = self.expiry[k] + self.wait(rng, svc.lambda);
            cycles += 1;
            if cycles == MAX_QUIET_CYCLES {
                self.stationary(rng, k, a);
                return;
            }
        }
    }
}
