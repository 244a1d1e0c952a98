//! Names that share a resolver's caches. Spec §3 gives each resolver one
//! cache for every name it looks up: a lookup of a service also looks up
//! what it requires, in the same caches as the required names' own lookups
//! and every other dependent's. So the services that requirements connect
//! (directly or through others: a weakly connected component of the
//! requirement graph) are simulated together, once per trial, region and
//! resolver, each member's lookups on their own Poisson stream, every
//! lookup counted for the service it came from. A service with no
//! requirement edge is a component of its own, simulated as it always was.
//!
//! A member is simulated only where it matters: in each window of the
//! union of its component's trouble windows that meets its own windows,
//! or that holds a window of a member whose lookups walk it; there
//! throughout that window. Elsewhere nothing a member's lookup walks is
//! out, so every such lookup is answered (counted as such, unsimulated).

use super::intervals::{Interval, normalise};
use super::walk::Children;
use super::{Svc, TimelineModel};
use crate::model::Csr;
use crate::scenario::Scenario;

/// The requirement graph's weakly connected components: per component its
/// services in the order `order` gives (requirements first), components
/// numbered by their first service in plan order; and per service its
/// index within its component.
pub(super) fn components(deps: &Csr, order: &[u32]) -> (Csr, Vec<u32>) {
    let n = order.len();
    // Union-find, each root the smallest service of its set.
    let mut up: Vec<u32> = (0..n as u32).collect();
    fn root(up: &mut [u32], mut x: u32) -> u32 {
        while up[x as usize] != x {
            up[x as usize] = up[up[x as usize] as usize];
            x = up[x as usize];
        }
        x
    }
    for s in 0..n {
        for &d in deps.row(s) {
            let (a, b) = (root(&mut up, s as u32), root(&mut up, d));
            up[a.max(b) as usize] = a.min(b);
        }
    }
    let mut id = vec![u32::MAX; n];
    let mut sizes: Vec<u32> = Vec::new();
    for s in 0..n {
        let r = root(&mut up, s as u32) as usize;
        if id[r] == u32::MAX {
            id[r] = sizes.len() as u32;
            sizes.push(0);
        }
        sizes[id[r] as usize] += 1;
    }
    let mut starts = Vec::with_capacity(sizes.len() + 1);
    starts.push(0u32);
    for &size in &sizes {
        starts.push(starts.last().copied().unwrap_or(0) + size);
    }
    let mut items = vec![0u32; n];
    let mut filled = vec![0u32; sizes.len()];
    let mut slot = vec![0u32; n];
    for &s in order {
        let c = id[root(&mut up, s) as usize] as usize;
        slot[s as usize] = filled[c];
        items[(starts[c] + filled[c]) as usize] = s;
        filled[c] += 1;
    }
    (Csr { starts, items }, slot)
}

impl TimelineModel<'_> {
    /// How many components the plan has.
    pub(super) fn component_count(&self) -> usize {
        self.components.starts.len() - 1
    }

    /// Per member of a component, what its lookup walks (`walk.rs`): its
    /// `requires`, then each `requires_any` group's members, as indices
    /// into the component.
    pub(super) fn children(&self, members: &[u32]) -> Children {
        let services = &self.scenario.services;
        let slot = |q: &u32| self.slot[*q as usize] as usize;
        members
            .iter()
            .map(|&x| {
                let svc = &services[x as usize];
                let all = svc.requires().iter().map(|q| (slot(q), 0));
                let any = (svc.requires_any().iter().enumerate())
                    .flat_map(|(g, group)| group.iter().map(move |q| (slot(q), g as u32 + 1)));
                all.chain(any).collect()
            })
            .collect()
    }
}

/// Sets each service's `reach`: the rate of lookups that reach its cache
/// while every lookup is answered, its own and those of every service whose
/// lookups then walk it (what they require, and the first member of each
/// `requires_any` group, and theirs). Lookup streams are independent
/// Poisson processes, so their sum is one: a shared name's cache follows
/// spec §3's law at that rate, where it is drawn or walked through quiet
/// time.
pub(super) fn reach_rates(scenario: &Scenario, svc: &mut [Svc]) {
    let services = &scenario.services;
    for s in svc.iter_mut() {
        s.reach = s.lambda;
    }
    let mut stamp = vec![usize::MAX; services.len()];
    let mut stack = Vec::new();
    for (k, service) in services.iter().enumerate() {
        let lambda = svc[k].lambda;
        if lambda <= 0.0 || (service.requires().is_empty() && service.requires_any().is_empty()) {
            continue;
        }
        stamp[k] = k;
        stack.push(k);
        while let Some(j) = stack.pop() {
            let s = &services[j];
            let firsts = s.requires_any().iter().filter_map(|g| g.first());
            for &q in s.requires().iter().chain(firsts) {
                let q = q as usize;
                if stamp[q] != k {
                    stamp[q] = k;
                    svc[q].reach += lambda;
                    stack.push(q);
                }
            }
        }
    }
}

/// When a component's members are simulated in one trial and region: the
/// union of their trouble windows, and per window of the union the members
/// whose own windows meet it, with everything their lookups may walk.
pub(super) struct Activity {
    pub windows: Vec<Interval>,
    /// Per window of the union: members (indices into the component),
    /// ascending.
    pub active: Csr,
}

impl Activity {
    /// `windows` is per service of the plan.
    pub(super) fn new(members: &[u32], children: &Children, windows: &[Vec<Interval>]) -> Activity {
        let mut union: Vec<Interval> = members
            .iter()
            .flat_map(|&s| windows[s as usize].iter().copied())
            .collect();
        normalise(&mut union);
        // Each of a member's windows lies in one window of the union.
        let mut own: Vec<Vec<usize>> = vec![Vec::new(); union.len()];
        for (i, &s) in members.iter().enumerate() {
            let mut last = usize::MAX;
            for &(a, _) in &windows[s as usize] {
                let u = union.partition_point(|w| w.1 <= a);
                if u != last {
                    own[u].push(i);
                    last = u;
                }
            }
        }
        let mut stamp = vec![usize::MAX; members.len()];
        let (mut stack, mut row) = (Vec::new(), Vec::new());
        let mut active = Csr::new();
        for (u, list) in own.iter().enumerate() {
            row.clear();
            for &i in list {
                if stamp[i] != u {
                    stamp[i] = u;
                    stack.push(i);
                }
            }
            while let Some(i) = stack.pop() {
                row.push(i as u32);
                for &(q, _) in &children[i] {
                    if stamp[q] != u {
                        stamp[q] = u;
                        stack.push(q);
                    }
                }
            }
            row.sort_unstable();
            active.push_row(row.iter().copied());
        }
        Activity {
            windows: union,
            active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csr(rows: &[&[u32]]) -> Csr {
        let mut c = Csr::new();
        for row in rows {
            c.push_row(row.iter().copied());
        }
        c
    }

    #[test]
    fn components_follow_requirements_either_way() {
        // 0 requires 2, 3 requires 1 and 2; 4 and 5 alone.
        let deps = csr(&[&[2], &[], &[], &[1, 2], &[], &[]]);
        let order = [1, 2, 0, 3, 4, 5];
        let (c, slot) = components(&deps, &order);
        assert_eq!(c.starts, vec![0, 4, 5, 6]);
        assert_eq!(c.row(0), &[1, 2, 0, 3]);
        assert_eq!(c.row(1), &[4]);
        assert_eq!(c.row(2), &[5]);
        assert_eq!(slot, vec![2, 0, 1, 3, 0, 0]);
    }

    #[test]
    fn a_member_is_active_where_its_windows_are_with_what_it_walks() {
        // 1 requires 0, 3 requires 2; 2 has no window of its own.
        let children: Children = vec![vec![], vec![(0, 0)], vec![], vec![(2, 0)]];
        let windows = vec![
            vec![(0.0, 1.0)],
            vec![(0.0, 1.0), (5.0, 6.0)],
            vec![],
            vec![(5.5, 7.0), (9.0, 10.0)],
        ];
        let a = Activity::new(&[0, 1, 2, 3], &children, &windows);
        assert_eq!(a.windows, vec![(0.0, 1.0), (5.0, 7.0), (9.0, 10.0)]);
        assert_eq!(a.active.row(0), &[0, 1]);
        assert_eq!(a.active.row(1), &[0, 1, 2, 3]);
        assert_eq!(a.active.row(2), &[2, 3]);
    }
}
