//! A timeline run split by services (`run --part K/N`): each service's
//! counts come from its component's simulation alone (`components.rs`: the
//! names that requirements connect, on their own streams), and a part
//! keeps every service that requires something, so it simulates whole
//! every component its slice touches and counts exactly what the whole
//! run counts for those services. A part's file holds the rows of its counted
//! services only; `merge` puts each part's rows in place and adds what
//! sums over services (the queries sent during events), all integers.

use super::TimelineCounts;

/// The per-service arrays of a timeline's counts that hold `u64`s (the
/// cross-products are `u128`s).
fn per_service(c: &TimelineCounts) -> [&Vec<u64>; 6] {
    [
        &c.failed,
        &c.lost,
        &c.series,
        &c.steps_over_10,
        &c.steps_over_50,
        &c.longest_over_50,
    ]
}

/// The rows of services `keep` of `v`, which holds `n` services' rows.
fn rows<T: Copy>(v: &[T], n: usize, keep: &[usize]) -> Vec<T> {
    let w = v.len() / n.max(1);
    keep.iter()
        .flat_map(|&s| &v[s * w..(s + 1) * w])
        .copied()
        .collect()
}

impl TimelineCounts {
    /// Services these counts hold, given the plan's `regions`.
    fn services(&self, regions: usize) -> usize {
        self.failed.len() / regions.max(1)
    }

    /// The counts of services `keep` (ascending) alone, in that order: what
    /// a part writes.
    pub fn of_services(&self, keep: &[usize], regions: usize) -> TimelineCounts {
        let n = self.services(regions);
        let in_events = self
            .in_events
            .chunks((n * regions).max(1))
            .flat_map(|event| rows(event, n, keep))
            .collect();
        TimelineCounts {
            trials: self.trials,
            failed: rows(&self.failed, n, keep),
            lost: rows(&self.lost, n, keep),
            failed_cross: rows(&self.failed_cross, n, keep),
            lost_cross: rows(&self.lost_cross, n, keep),
            series: rows(&self.series, n, keep),
            in_events,
            queries_in_events: self.queries_in_events.clone(),
            steps_over_10: rows(&self.steps_over_10, n, keep),
            steps_over_50: rows(&self.steps_over_50, n, keep),
            longest_over_50: rows(&self.longest_over_50, n, keep),
        }
    }

    /// Puts a part's counts (from [`Self::of_services`], for the `count`
    /// services from `at` on) in place in these, the whole plan's, and
    /// adds its queries. Read from a file, they may claim anything: false
    /// when their shape is not such a part's of this plan, their trials
    /// not the run's, or a sum would overflow.
    pub fn place(
        &mut self,
        at: usize,
        count: usize,
        part: &TimelineCounts,
        regions: usize,
    ) -> bool {
        let n = self.services(regions);
        let events = self.queries_in_events.len() / regions.max(1);
        let fits = |whole: usize, theirs: usize| whole / n.max(1) * count == theirs;
        let shaped = part.trials == self.trials
            && at + count <= n
            && per_service(self)
                .iter()
                .zip(per_service(part))
                .all(|(a, b)| fits(a.len(), b.len()))
            && fits(self.failed_cross.len(), part.failed_cross.len())
            && fits(self.lost_cross.len(), part.lost_cross.len())
            && part.in_events.len() == events * count * regions
            && part.queries_in_events.len() == self.queries_in_events.len();
        if !shaped {
            return false;
        }
        fn put<T: Copy>(whole: &mut [T], n: usize, at: usize, theirs: &[T], count: usize) {
            let w = whole.len() / n.max(1);
            whole[at * w..(at + count) * w].copy_from_slice(&theirs[..count * w]);
        }
        put(&mut self.failed, n, at, &part.failed, count);
        put(&mut self.lost, n, at, &part.lost, count);
        put(&mut self.failed_cross, n, at, &part.failed_cross, count);
        put(&mut self.lost_cross, n, at, &part.lost_cross, count);
        put(&mut self.series, n, at, &part.series, count);
        put(&mut self.steps_over_10, n, at, &part.steps_over_10, count);
        put(&mut self.steps_over_50, n, at, &part.steps_over_50, count);
        put(
            &mut self.longest_over_50,
            n,
            at,
            &part.longest_over_50,
            count,
        );
        if count > 0 {
            let (mine, theirs) = (n * regions, count * regions);
            for (whole, event) in self
                .in_events
                .chunks_mut(mine)
                .zip(part.in_events.chunks(theirs))
            {
                whole[at * regions..at * regions + theirs].copy_from_slice(event);
            }
        }
        crate::stats::add_checked(
            &mut self.queries_in_events,
            &part.queries_in_events,
            u64::checked_add,
        )
    }
}
