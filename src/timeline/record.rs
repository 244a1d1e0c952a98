//! What one service's resolvers in one region record through a trial:
//! failed lookups (with their series step and event windows), lost tries,
//! and queries in event windows. Each component (`components.rs`) and
//! region is simulated on its own streams, so a trial's components run in
//! parallel, each into a record per member, and the records are added into
//! the trial's tally afterwards: integer counts, so the order of the
//! additions, and the number of threads, change nothing.

use super::TimelineModel;

/// One (service, region) simulation's counts.
pub(super) struct Record<'m> {
    model: &'m TimelineModel<'m>,
    /// The series' steps (0: no series) and their length.
    steps: usize,
    step: f64,
    /// Failed lookups and lost tries.
    pub failed: u64,
    pub lost: u64,
    /// Failed lookups by series step, as (step, count) runs in the order
    /// they were recorded (a resolver's lookups come in time order, so a
    /// run per step it touches, not an entry per lookup).
    pub series: Vec<(usize, u64)>,
    /// Per event: failed lookups within it, and queries sent to its
    /// providers during it.
    pub in_events: Vec<u64>,
    pub queries_in_events: Vec<u64>,
}

impl<'m> Record<'m> {
    pub(super) fn new(model: &'m TimelineModel<'m>) -> Record<'m> {
        Record {
            model,
            steps: model.steps(),
            step: model.series_step.unwrap_or(1.0),
            failed: 0,
            lost: 0,
            series: Vec::new(),
            in_events: vec![0; model.events.len()],
            queries_in_events: vec![0; model.events.len()],
        }
    }

    /// Records `n` failed lookups at time `t` (or within the step and event
    /// windows that hold `t`).
    pub(super) fn record_failures(&mut self, t: f64, n: u64) {
        self.failed += n;
        if self.steps > 0 {
            let step = ((t / self.step) as usize).min(self.steps - 1);
            match self.series.last_mut() {
                Some((k, x)) if *k == step => *x += n,
                _ => self.series.push((step, n)),
            }
        }
        for (e, w) in self.model.events.iter().enumerate() {
            if w.start <= t && t < w.end {
                self.in_events[e] += n;
            }
        }
    }

    /// Adds another record of the same service and region (other
    /// resolvers of it): its series runs are added as they are.
    pub(super) fn absorb(&mut self, other: Record) {
        self.failed += other.failed;
        self.lost += other.lost;
        self.series.extend(other.series);
        for (a, b) in self.in_events.iter_mut().zip(&other.in_events) {
            *a += b;
        }
        for (a, b) in self
            .queries_in_events
            .iter_mut()
            .zip(&other.queries_in_events)
        {
            *a += b;
        }
    }

    pub(super) fn record_lost(&mut self, lost: u64) {
        self.lost += lost;
    }

    /// Records `n` queries sent to provider `p` from region `r` at `t`,
    /// for the load of each event that takes `p` out in `r` at `t`.
    pub(super) fn record_queries(&mut self, p: u32, r: usize, t: f64, n: u64) {
        for (e, w) in self.model.events.iter().enumerate() {
            if w.start <= t && t < w.end && w.cover.contains(&(p, r as u32)) {
                self.queries_in_events[e] += n;
            }
        }
    }

    /// Calls `f` on each series-step and event segment [a, b) of
    /// [from, until), in order: bulk counts are drawn a segment at a time.
    pub(super) fn each_segment(
        &mut self,
        from: f64,
        until: f64,
        mut f: impl FnMut(&mut Self, f64, f64),
    ) {
        let mut from = from;
        while from < until {
            let to = self.next_boundary(from).min(until);
            f(self, from, to);
            from = to;
        }
    }

    /// The first series-step or event boundary after `t`: bulk counts are
    /// split there so that each lands in the right step and event.
    pub(super) fn next_boundary(&self, t: f64) -> f64 {
        let mut next = f64::INFINITY;
        if self.steps > 0 {
            next = ((t / self.step).floor() + 1.0) * self.step;
        }
        for w in &self.model.events {
            if w.start > t {
                next = next.min(w.start);
            }
            if w.end > t {
                next = next.min(w.end);
            }
        }
        next
    }
}
