//! A lookup's walk over what it requires (spec §3): each service in
//! `requires`, and the members of each `requires_any` group in order until
//! one succeeds, requirements before the name itself, each name once per
//! lookup, depth first, so that a group stops at its first member that
//! succeeds (with everything that member requires). Indices are a
//! component's members (`components.rs`).
//!
//! A name whose walk met only names that a lookup leaves as they are
//! (fresh in cache, or a failure remembered: no query, no draw, no change)
//! is *quiet*: until the first of those names changes, every walk of it has
//! the same outcome and touches nothing, so later walks take its outcome
//! without walking it again. A requirement chain's lookups then walk down
//! only to the first quiet name, not to its end.

/// Per member, what its lookup looks up before its own name, in
/// order: (member, 0) for each of `requires`, (member, g) for the members
/// of its `g`-th `requires_any` group (from 1).
pub(super) type Children = Vec<Vec<(usize, u32)>>;

/// One name being walked: the next of its children, whether all it has
/// required so far succeeded, the group being tried and whether a
/// member of it has succeeded, and until when all it has walked so far
/// stays quiet (at or before the lookup's time: not quiet).
#[derive(Clone, Copy)]
pub(super) struct Frame {
    j: usize,
    next: usize,
    all: bool,
    group: u32,
    met: bool,
    quiet: f64,
}

/// A name's own part in a walk: whether it was answered, and until when
/// it stays as it was before the walk looked it up (fresh, or its failure
/// remembered), a time at or before the lookup's when it does not (it was
/// resolved).
#[derive(Clone, Copy)]
pub(super) struct Step {
    pub ok: bool,
    pub quiet: f64,
}

/// A quiet name's walk: its outcome, and until when it holds.
#[derive(Clone, Copy)]
struct Quiet {
    until: f64,
    ok: bool,
}

/// The depth-first walk's state, kept between lookups.
#[derive(Default)]
pub(super) struct WalkState {
    /// Per member, the lookup that last visited it.
    visited: Vec<u64>,
    lookup: u64,
    stack: Vec<Frame>,
    /// Per member: its walk's outcome while it is quiet (see the module's
    /// note); valid at `t` when `until > t`. Times only grow between
    /// [`WalkState::forget`]s, and each window's quiet names expire by its
    /// end, so what quiet time between windows changes is never taken.
    quiet: Vec<Quiet>,
    /// The earliest end among the quiet names the last walk took without
    /// walking them (infinite when none).
    pub skipped_until: f64,
    /// Scratch for the fresh-until walk.
    pending: Vec<usize>,
}

impl WalkState {
    pub(super) fn new(n: usize) -> WalkState {
        WalkState {
            visited: vec![0; n],
            quiet: vec![Quiet::NONE; n],
            ..WalkState::default()
        }
    }

    /// No name quiet: for a new resolver, whose times start again at 0.
    pub(super) fn forget(&mut self) {
        self.quiet.fill(Quiet::NONE);
    }
}

impl Quiet {
    const NONE: Quiet = Quiet {
        until: f64::NEG_INFINITY,
        ok: false,
    };
}

/// The walk at `t`: depth first from `k`, each name's
/// requirements, then its groups' members in order until one succeeds,
/// then the name itself (`at`, which gives whether it was answered and
/// whether it stayed as it was, or `None` to stop); a quiet name is taken
/// as it stands instead (its outcome, `w.skipped_until`). `ok[j]` is left
/// as whether name `j`'s lookup succeeded, for each name walked or taken.
pub(super) fn depth_first(
    children: &Children,
    w: &mut WalkState,
    ok: &mut [bool],
    k: usize,
    t: f64,
    at: &mut impl FnMut(usize) -> Option<Step>,
) -> Option<bool> {
    w.lookup += 1;
    w.skipped_until = f64::INFINITY;
    let x = w.quiet[k];
    if x.until > t {
        // Quiet: taken as it stands.
        w.skipped_until = x.until;
        ok[k] = x.ok;
        return Some(x.ok);
    }
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
            let Frame { j, all, quiet, .. } = *f;
            let step = at(j)?;
            ok[j] = step.ok && all;
            let quiet = quiet.min(step.quiet);
            if quiet > t && quiet_names() {
                w.quiet[j] = Quiet {
                    until: quiet,
                    ok: ok[j],
                };
            }
            w.stack.pop();
            match w.stack.last_mut() {
                Some(parent) => parent.take(ok[j], quiet, children),
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
            // Walked already by this lookup: its outcome stands, and it is
            // quiet if it was then.
            let quiet = w.quiet[q].until;
            f.take(ok[q], quiet, children);
            continue;
        }
        w.visited[q] = lookup;
        let x = w.quiet[q];
        if x.until > t {
            // Quiet: taken as it stands.
            ok[q] = x.ok;
            w.skipped_until = w.skipped_until.min(x.until);
            f.take(x.ok, x.until, children);
            continue;
        }
        w.stack.push(Frame::at(q));
    }
}

/// Tests turn quiet names off, to hold the walks that take them as they
/// stand to walks that look every name up.
#[cfg(test)]
static QUIET_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether walks mark quiet names (always, but in that test).
#[inline]
fn quiet_names() -> bool {
    #[cfg(test)]
    return !QUIET_OFF.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(test))]
    true
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
            quiet: f64::INFINITY,
        }
    }

    /// The outcome of the child just walked, and until when it is quiet.
    fn take(&mut self, ok: bool, quiet: f64, children: &Children) {
        self.quiet = self.quiet.min(quiet);
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
    /// does, in its order, with its outcomes; with some names quiet until
    /// some time, later walks skip quiet names but still look up every
    /// name that is not quiet, in the reference's order, with the same
    /// outcome.
    #[test]
    fn the_walk_agrees_with_the_recursive_reference() {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let mut below = |n: u32| (rng.next_u32() % n) as usize;
        let mut skipped = 0;
        for _ in 0..2000 {
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
            // Until when each name stays as it is (never, or to 5 or 10).
            let quiet: Vec<f64> = (0..n)
                .map(|_| [f64::NEG_INFINITY, 5.0, 10.0][below(3)])
                .collect();
            let mut w = WalkState::new(n);
            let mut ok = vec![false; n];
            // Lookups in a row, later and later: none may see another's
            // marks, and quiet names are taken only while they are quiet.
            for (k, t) in [
                (n - 1, 1.0),
                (n / 2, 2.0),
                (n - 1, 3.0),
                (below(n as u32), 7.0),
            ] {
                let mut want_order = Vec::new();
                let want = reference(&children, k, &answered, &mut vec![None; n], &mut want_order);
                let mut order = Vec::new();
                let got = depth_first(&children, &mut w, &mut ok, k, t, &mut |j| {
                    order.push(j);
                    Some(Step {
                        ok: answered(j),
                        quiet: quiet[j],
                    })
                });
                let at = format!("{children:?} {outcomes:?} {quiet:?} from {k} at {t}");
                assert_eq!(got, Some(want), "{at}");
                let live = |list: &[usize]| -> Vec<usize> {
                    list.iter().copied().filter(|&j| quiet[j] <= t).collect()
                };
                assert_eq!(live(&order), live(&want_order), "{at}");
                assert!(order.iter().all(|j| want_order.contains(j)), "{at}");
                // What was skipped holds until the first of it changes: no
                // later than any name skipped, no earlier than any quiet one.
                let first = |names: &mut dyn Iterator<Item = usize>| {
                    names.map(|j| quiet[j]).fold(f64::INFINITY, f64::min)
                };
                let skipped_names = want_order.iter().filter(|j| !order.contains(j));
                let any_quiet = want_order.iter().filter(|&&j| quiet[j] > t);
                assert!(w.skipped_until > t, "{at}");
                assert!(
                    w.skipped_until <= first(&mut skipped_names.copied()),
                    "{at}"
                );
                assert!(w.skipped_until >= first(&mut any_quiet.copied()), "{at}");
                skipped += want_order.len() - order.len();
            }
            // Stopped by `at`: no outcome.
            w.forget();
            let stop = depth_first(&children, &mut w, &mut ok, n - 1, 20.0, &mut |_| None);
            assert_eq!(stop, None);
        }
        // Quiet names were skipped.
        assert!(skipped > 1000, "{skipped}");
    }

    /// A plan whose lookups walk a requirement chain, a diamond and groups
    /// through total and partial outages (some a minute or two apart, less
    /// than a cache lifetime), stale answers and a failover, with the
    /// measured and the ideal profile: every count is the same
    /// whether walks take quiet names as they stand or look every name up.
    #[test]
    fn quiet_names_change_no_count() {
        use super::super::TimelineCounts;
        let mut text = String::from(
            r#"
[simulation]
model = "timeline"
horizon = "30d"
[[region]]
id = "r"
[resolvers]
per_region = 20
serve_stale = 0.5
max_stale = "20m"
PROFILE
[[provider]]
id = "a"
outages_per_year = 100
[[provider]]
id = "b"
outages_per_year = 100
[[provider]]
id = "c"
[[event]]
provider = "a"
start = "2d"
end = "2d 3h"
[[event]]
provider = "b"
start = "2d 1h"
end = "2d 5h"
loss = 0.6
[[event]]
provider = "a"
start = "3d"
end = "3d 10m"
[[event]]
provider = "a"
start = "3d 12m"
end = "3d 20m"
[[event]]
provider = "b"
start = "3d 21m"
end = "3d 40m"
loss = 0.9
[[service]]
id = "s0"
dns = ["a"]
standby = ["c"]
failover_after = "30m"
ttl = 120
"#,
        );
        // A chain, with a diamond and a group hanging off it.
        for i in 1..30 {
            let dns = if i % 3 == 0 {
                "[\"a\", \"b\"]"
            } else {
                "[\"b\"]"
            };
            let mut requires = format!("requires = [\"s{}\"]", i - 1);
            if i % 5 == 0 {
                requires = format!("requires = [\"s{}\", \"s{}\"]", i - 1, i - 3);
            }
            if i % 7 == 0 {
                requires.push_str(&format!(
                    "\nrequires_any = [[\"s{}\", \"s{}\"]]",
                    i - 2,
                    i - 4
                ));
            }
            text.push_str(&format!(
                "[[service]]\nid = \"s{i}\"\ndns = {dns}\n{requires}\nttl = {}\n",
                60 * (1 + i % 4)
            ));
        }
        for profile in ["profile = \"measured\"", "profile = \"ideal\""] {
            let plan = text.replace("PROFILE", profile);
            let sc = crate::scenario::parse_str(std::path::Path::new("chain.toml"), &plan)
                .expect("a valid plan");
            let model = super::super::TimelineModel::compile(&sc, 7, &Default::default(), None)
                .expect("compiles");
            let with: Vec<_> = (0..3).map(|t| model.trial_counts(t)).collect();
            QUIET_OFF.store(true, std::sync::atomic::Ordering::Relaxed);
            let without: Vec<_> = (0..3).map(|t| model.trial_counts(t)).collect();
            QUIET_OFF.store(false, std::sync::atomic::Ordering::Relaxed);
            assert_eq!(with, without, "{profile}");
            // Lookups failed and tries were lost, deep in the chain too.
            let deep = |c: &TimelineCounts| c.failed[29] > 0 && c.lost.iter().sum::<u64>() > 0;
            assert!(with.iter().all(deep), "{profile}: {:?}", with[0].failed);
        }
    }
}
