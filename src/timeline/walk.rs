//! A lookup's walk over what it requires (spec §3): each service in
//! `requires`, and the members of each `requires_any` group in order until
//! one succeeds, requirements before the name itself, each name once per
//! lookup, depth first, so that a group stops at its first member that
//! succeeds (with everything that member requires). Indices are a
//! component's members (`components.rs`).

/// Per member, what its lookup looks up before its own name, in
/// order: (member, 0) for each of `requires`, (member, g) for the members
/// of its `g`-th `requires_any` group (from 1).
pub(super) type Children = Vec<Vec<(usize, u32)>>;

/// One name being walked: the next of its children, whether all it has
/// required so far succeeded, and the group being tried and whether a
/// member of it has succeeded.
#[derive(Clone, Copy)]
pub(super) struct Frame {
    j: usize,
    next: usize,
    all: bool,
    group: u32,
    met: bool,
}

/// The depth-first walk's state, kept between lookups.
#[derive(Default)]
pub(super) struct WalkState {
    /// Per member, the lookup that last visited it.
    visited: Vec<u64>,
    lookup: u64,
    stack: Vec<Frame>,
    /// Scratch for the fresh-until walk.
    pending: Vec<usize>,
}

impl WalkState {
    pub(super) fn new(n: usize) -> WalkState {
        WalkState {
            visited: vec![0; n],
            ..WalkState::default()
        }
    }
}

/// The walk: depth first from `k`, each name's
/// requirements, then its groups' members in order until one succeeds,
/// then the name itself (`at`, which gives whether it was answered, or
/// `None` to stop). `ok[j]` is left as whether name `j`'s lookup
/// succeeded, for each name walked.
pub(super) fn depth_first(
    children: &Children,
    w: &mut WalkState,
    ok: &mut [bool],
    k: usize,
    at: &mut impl FnMut(usize) -> Option<bool>,
) -> Option<bool> {
    w.lookup += 1;
    let lookup = w.lookup;
    w.stack.clear();
    w.visited[k] = lookup;
    w.stack.push(Frame::at(k));
    loop {
        let f = w
            .stack
            .last_mut()
            .expect("the walk ends when its first name does");
        let kids = &children[f.j];
        let group = kids.get(f.next).map_or(0, |&(_, g)| g);
        if group != f.group {
            // A group tried in full without success fails the name.
            f.all &= f.group == 0 || f.met;
            (f.group, f.met) = (group, false);
        }
        let Some(&(q, g)) = kids.get(f.next) else {
            // Everything it requires walked: the name itself.
            let Frame { j, all, .. } = *f;
            ok[j] = at(j)? && all;
            w.stack.pop();
            match w.stack.last_mut() {
                Some(parent) => parent.take(ok[j], children),
                None => return Some(ok[j]),
            }
            continue;
        };
        if g > 0 && f.met {
            // A member of the group has succeeded: the rest are not tried.
            f.next += 1;
            continue;
        }
        if w.visited[q] == lookup {
            // Walked already by this lookup: its outcome stands.
            f.take(ok[q], children);
            continue;
        }
        w.visited[q] = lookup;
        w.stack.push(Frame::at(q));
    }
}

/// The earliest expiry among the names a lookup of `k` looks up while
/// they are fresh: its requirements and the first member of each group,
/// and theirs; a time at or before `t` as soon as one has expired by `t`.
pub(super) fn earliest_expiry(
    children: &Children,
    w: &mut WalkState,
    expiry: &impl Fn(usize) -> f64,
    k: usize,
    t: f64,
) -> f64 {
    w.lookup += 1;
    let lookup = w.lookup;
    w.pending.clear();
    w.pending.push(k);
    w.visited[k] = lookup;
    let mut until = f64::INFINITY;
    while let Some(j) = w.pending.pop() {
        until = until.min(expiry(j));
        if until <= t {
            break;
        }
        let mut group = 0;
        for &(q, g) in &children[j] {
            // Each requirement, and each group's first member.
            if (g == 0 || g != group) && w.visited[q] != lookup {
                w.visited[q] = lookup;
                w.pending.push(q);
            }
            group = g;
        }
    }
    until
}

impl Frame {
    fn at(j: usize) -> Frame {
        Frame {
            j,
            next: 0,
            all: true,
            group: 0,
            met: false,
        }
    }

    /// The outcome of the child just walked.
    fn take(&mut self, ok: bool, children: &Children) {
        let (_, g) = children[self.j][self.next];
        if g == 0 {
            self.all &= ok;
        } else {
            self.met |= ok;
        }
        self.next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk as spec §3 says it, recursively: requirements, then each
    /// group's members until one succeeds, then the name; once a lookup.
    fn reference(
        children: &Children,
        j: usize,
        answered: &dyn Fn(usize) -> bool,
        seen: &mut Vec<Option<bool>>,
        order: &mut Vec<usize>,
    ) -> bool {
        if let Some(ok) = seen[j] {
            return ok;
        }
        let mut all = true;
        let mut g = 0;
        let mut met = true;
        for &(q, group) in &children[j] {
            if group != g {
                all &= met;
                (g, met) = (group, false);
            }
            if group == 0 {
                all &= reference(children, q, answered, seen, order);
            } else if !met {
                met = reference(children, q, answered, seen, order);
            }
        }
        all &= met;
        order.push(j);
        let ok = answered(j) && all;
        seen[j] = Some(ok);
        ok
    }

    /// On random closures with groups (a DAG: members require only lower
    /// ones) and random outcomes, the walk visits the names the reference
    /// does, in its order, with its outcomes.
    #[test]
    fn the_walk_agrees_with_the_recursive_reference() {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let mut below = |n: u32| (rng.next_u32() % n) as usize;
        for _ in 0..500 {
            let n = 1 + below(12);
            let children: Children = (0..n)
                .map(|j| {
                    let mut kids = Vec::new();
                    if j == 0 {
                        return kids;
                    }
                    for _ in 0..below(3) {
                        kids.push((below(j as u32), 0));
                    }
                    for g in 1..=below(3) as u32 {
                        for _ in 0..1 + below(3) {
                            kids.push((below(j as u32), g));
                        }
                    }
                    kids
                })
                .collect();
            let outcomes: Vec<bool> = (0..n).map(|_| below(3) > 0).collect();
            let answered = |j: usize| outcomes[j];
            let mut w = WalkState::new(n);
            let mut ok = vec![false; n];
            // Two lookups in a row: the second must not see the first's marks.
            for k in [n - 1, n / 2] {
                let mut want_order = Vec::new();
                let want = reference(&children, k, &answered, &mut vec![None; n], &mut want_order);
                let mut order = Vec::new();
                let got = depth_first(&children, &mut w, &mut ok, k, &mut |j| {
                    order.push(j);
                    Some(answered(j))
                });
                assert_eq!(got, Some(want), "{children:?} {outcomes:?} from {k}");
                assert_eq!(order, want_order, "{children:?} {outcomes:?} from {k}");
            }
            // Stopped by `at`: no outcome.
            let stop = depth_first(&children, &mut w, &mut ok, n - 1, &mut |_| None);
            assert_eq!(stop, None);
        }
    }
}
