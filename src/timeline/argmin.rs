//! The next lookup of a window's members: which member's comes first, kept
//! in a binary heap of (time, member) so that a resolver's event loop costs
//! O(log n) per lookup instead of a scan of every member (issue 16: a
//! 10,000-wide `requires_any` group made every lookup a 10,000-step scan).
//! The loop only ever moves the first lookup (to that member's next), so
//! the heap's one update is that: the entry on top sinks to the bottom
//! along its smaller children and rises back to its place, about one
//! comparison a level (as `std`'s heap does), the entries beside each
//! other in memory (a tournament tree over the members took two indirect
//! loads a level, a third of a component's event loop).
//!
//! Ties go to the lower member and an all-infinite list answers member 0,
//! exactly as a scan, so results do not hang on the heap's layout.

/// A heap over (value, member), least first, ties to the lower member.
#[derive(Default)]
pub(super) struct ArgMin {
    heap: Vec<(f64, u32)>,
}

/// Whether `a` comes before `b`.
#[inline]
fn before(a: (f64, u32), b: (f64, u32)) -> bool {
    a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
}

impl ArgMin {
    /// Rebuilds the heap over `values` (reusing its memory).
    pub(super) fn build(&mut self, values: &[f64]) {
        self.heap.clear();
        self.heap
            .extend(values.iter().enumerate().map(|(k, &v)| (v, k as u32)));
        for i in (0..self.heap.len() / 2).rev() {
            self.sift_down(i);
        }
    }

    /// The member whose value comes first, and that value (member 0 and
    /// +∞ when there is none).
    pub(super) fn min(&self) -> (usize, f64) {
        self.heap
            .first()
            .map_or((0, f64::INFINITY), |&(v, k)| (k as usize, v))
    }

    /// Sets the first member's value (the one [`Self::min`] gives).
    pub(super) fn set_min(&mut self, value: f64) {
        let Some(top) = self.heap.first_mut() else {
            return;
        };
        top.0 = value;
        let item = *top;
        let end = self.heap.len();
        // Down to the bottom along the smaller children, then back up.
        let mut pos = 0;
        let mut child = 1;
        while child + 1 < end {
            if before(self.heap[child + 1], self.heap[child]) {
                child += 1;
            }
            self.heap[pos] = self.heap[child];
            pos = child;
            child = 2 * pos + 1;
        }
        if child + 1 == end {
            self.heap[pos] = self.heap[child];
            pos = child;
        }
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if !before(item, self.heap[parent]) {
                break;
            }
            self.heap[pos] = self.heap[parent];
            pos = parent;
        }
        self.heap[pos] = item;
    }

    fn sift_down(&mut self, mut pos: usize) {
        let item = self.heap[pos];
        let end = self.heap.len();
        loop {
            let mut child = 2 * pos + 1;
            if child >= end {
                break;
            }
            if child + 1 < end && before(self.heap[child + 1], self.heap[child]) {
                child += 1;
            }
            if !before(self.heap[child], item) {
                break;
            }
            self.heap[pos] = self.heap[child];
            pos = child;
        }
        self.heap[pos] = item;
    }
}

#[cfg(test)]
mod tests {
    use super::ArgMin;

    /// The scan the heap replaces.
    fn scan(values: &[f64]) -> (usize, f64) {
        let (mut k, mut t) = (0, f64::INFINITY);
        for (j, &n) in values.iter().enumerate() {
            if n < t {
                (k, t) = (j, n);
            }
        }
        (k, t)
    }

    #[test]
    fn the_heap_answers_as_the_scan_does_through_updates() {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut below = |n: u32| rng.next_u32() % n;
        let mut heap = ArgMin::default();
        for n in [1usize, 2, 3, 5, 8, 13, 100] {
            // Few distinct values, so that ties are common.
            let mut values: Vec<f64> = (0..n).map(|_| f64::from(below(4))).collect();
            heap.build(&values);
            assert_eq!(heap.min(), scan(&values), "n = {n}");
            for _ in 0..500 {
                let (k, _) = heap.min();
                let v = match below(5) {
                    0 => f64::INFINITY,
                    x => f64::from(x),
                };
                values[k] = v;
                heap.set_min(v);
                assert_eq!(heap.min(), scan(&values), "n = {n}, {values:?}");
            }
            values.fill(f64::INFINITY);
            heap.build(&values);
            assert_eq!(heap.min(), (0, f64::INFINITY));
        }
        heap.build(&[]);
        assert_eq!(heap.min(), (0, f64::INFINITY));
    }
}
