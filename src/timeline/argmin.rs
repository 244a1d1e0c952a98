//! The next lookup of a closure: which member's comes first, kept in a
//! tournament tree so that a resolver's event loop costs O(log n) per
//! lookup instead of a scan of the whole closure (issue 16: a 10,000-wide
//! `requires_any` group made every lookup a 10,000-step scan).
//!
//! Ties go to the lower index and an all-infinite list answers index 0,
//! exactly as the scan it replaces, so results do not change.

/// A tournament over `values`: each internal node holds the index of the
/// smaller of its children's winners.
#[derive(Default)]
pub(super) struct ArgMin {
    /// Leaves, padded to a power of two with +∞.
    values: Vec<f64>,
    /// `tree[1]` is the root; node `i`'s children are `2i` and `2i + 1`;
    /// the leaves sit at `size + j`, implicitly.
    tree: Vec<u32>,
    size: usize,
}

impl ArgMin {
    /// Rebuilds the tournament over `values` (reusing its memory).
    pub(super) fn build(&mut self, values: &[f64]) {
        self.size = values.len().next_power_of_two();
        self.values.clear();
        self.values.extend_from_slice(values);
        self.values.resize(self.size, f64::INFINITY);
        self.tree.clear();
        self.tree.resize(self.size.max(2), 0);
        for i in (1..self.size).rev() {
            let (l, r) = (self.child(2 * i), self.child(2 * i + 1));
            self.tree[i] = self.better(l, r);
        }
    }

    /// The member whose value comes first, and that value.
    pub(super) fn min(&self) -> (usize, f64) {
        let k = if self.size == 1 { 0 } else { self.tree[1] };
        (k as usize, self.values[k as usize])
    }

    /// Sets member `k`'s value.
    pub(super) fn set(&mut self, k: usize, value: f64) {
        self.values[k] = value;
        let mut i = (self.size + k) / 2;
        while i >= 1 {
            let (l, r) = (self.child(2 * i), self.child(2 * i + 1));
            let winner = self.better(l, r);
            // A node whose winner and its value stay put leaves every
            // node above as it was.
            if winner == self.tree[i] && winner as usize != k {
                break;
            }
            self.tree[i] = winner;
            i /= 2;
        }
    }

    /// The winner at node `i`: a leaf's own index, or an internal node's.
    fn child(&self, i: usize) -> u32 {
        if i >= self.size {
            (i - self.size) as u32
        } else {
            self.tree[i]
        }
    }

    /// The left one unless the right one is strictly smaller.
    fn better(&self, l: u32, r: u32) -> u32 {
        if self.values[r as usize] < self.values[l as usize] {
            r
        } else {
            l
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ArgMin;

    /// The scan the tree replaces.
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
    fn the_tree_answers_as_the_scan_does_through_updates() {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut below = |n: u32| rng.next_u32() % n;
        let mut tree = ArgMin::default();
        for n in [1usize, 2, 3, 5, 8, 13, 100] {
            // Few distinct values, so that ties are common.
            let mut values: Vec<f64> = (0..n).map(|_| f64::from(below(4))).collect();
            tree.build(&values);
            assert_eq!(tree.min(), scan(&values), "n = {n}");
            for _ in 0..500 {
                let k = below(n as u32) as usize;
                let v = match below(5) {
                    0 => f64::INFINITY,
                    x => f64::from(x),
                };
                values[k] = v;
                tree.set(k, v);
                assert_eq!(tree.min(), scan(&values), "n = {n}, {values:?}");
            }
            values.fill(f64::INFINITY);
            tree.build(&values);
            assert_eq!(tree.min(), (0, f64::INFINITY));
        }
    }
}
