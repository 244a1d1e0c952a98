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
//! only to the first quiet name, not to its end; and in a long chain (a
//! *line*, `lines.rs`) only to the names a lookup would change, the
//! others between taken together from a tree.

use super::lines::{Lines, Own, Stretch};

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
    /// The last name of a line (`lines.rs`): its outcome goes to the
    /// stretch being walked (`LineWalk::stretches`), not to the frame below.
    ends_stretch: bool,
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

/// What a walk asks of each name, and, where a visitor can, of a line's
/// stretch at once.
pub(super) trait Visit {
    /// Looks name `j` up: whether it was answered, and until when it stays
    /// as it was; `None` stops the walk.
    fn at(&mut self, j: usize) -> Option<Step>;

    /// Offered once a line's last name has been walked: the stretch of the
    /// line's `names` (its members, by position) at positions
    /// `[from, names.len() - 1)`, taken whole (their outcomes' conjunction
    /// and the earliest of their quiet ends), or walked name by name.
    fn span(&mut self, _names: &[u32], _line: u32, _from: u32) -> Span {
        Span::Walk
    }
}

impl<F: FnMut(usize) -> Option<Step>> Visit for F {
    #[inline]
    fn at(&mut self, j: usize) -> Option<Step> {
        self(j)
    }
}

/// What a visitor made of a line's stretch.
pub(super) enum Span {
    /// Nothing: walked name by name.
    Walk,
    /// Taken whole.
    Took(Step),
    /// The walk stops (as `at` returning `None` for one of its names).
    Stop,
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
    /// The component's requirement lines, and the stretches of them the
    /// walk has entered (`lines.rs`).
    /// (Boxed, and only where there are lines: the state is moved out for
    /// each walk, and stays small.)
    lines: Option<Box<LineWalk>>,
}

impl WalkState {
    pub(super) fn new(children: &Children) -> WalkState {
        let n = children.len();
        WalkState {
            visited: vec![0; n],
            quiet: vec![Quiet::NONE; n],
            lines: Some(Lines::new(children)).filter(Lines::any).map(|lines| {
                Box::new(LineWalk {
                    lines,
                    stretches: Vec::new(),
                })
            }),
            ..WalkState::default()
        }
    }

    /// No name quiet: for a new resolver, whose times start again at 0.
    pub(super) fn forget(&mut self) {
        self.quiet.fill(Quiet::NONE);
        if let Some(l) = &mut self.lines {
            l.lines.forget();
        }
    }
}

impl Step {
    fn own(self) -> Own {
        Own {
            quiet: self.quiet,
            ok: self.ok,
        }
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
/// then the name itself (`v.at`, which gives whether it was answered and
/// whether it stayed as it was, or `None` to stop); a quiet name is taken
/// as it stands instead (its outcome, `w.skipped_until`), and a line's
/// stretch as `v.span` takes it. `ok[j]` is left as whether name `j`'s
/// lookup succeeded, for each name walked or taken one by one.
pub(super) fn depth_first(
    children: &Children,
    w: &mut WalkState,
    ok: &mut [bool],
    k: usize,
    t: f64,
    v: &mut impl Visit,
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
    let lines = quiet_names() && w.lines.is_some();
    if let Some(l) = &mut w.lines {
        l.stretches.clear();
    }
    w.visited[k] = lookup;
    w.stack.push(Frame::at(k));
    'walk: loop {
        // The next name looked up: in a line's stretch whose last name has
        // been walked (`lines.rs`), or the current name once everything it
        // requires has been. (One call of `at`, so that it stays inlined.)
        let ready = |w: &WalkState| {
            (w.lines.as_deref()).is_some_and(|l| l.stretches.last().is_some_and(|o| o.ready))
        };
        let (j, in_stretch) = if lines && ready(w) {
            let l = w.lines.as_deref_mut().expect("lines");
            let o = l.stretches.last_mut().expect("a stretch ready");
            if !o.offered {
                // The visitor may take the whole stretch at once.
                o.offered = true;
                match v.span(l.lines.line(&o.s), o.s.line(), o.s.from) {
                    Span::Walk => {}
                    Span::Stop => return None,
                    Span::Took(step) => {
                        o.outcome &= step.ok;
                        o.quiet = o.quiet.min(step.quiet);
                        o.to = o.s.from;
                    }
                }
            }
            match stretch_next(w, t) {
                Some(j) => (j, true),
                None => {
                    let l = w.lines.as_deref_mut().expect("lines");
                    let o = l.stretches.pop().expect("the stretch just ended");
                    let parent = w.stack.last_mut().expect("a stretch's first name's parent");
                    parent.take(o.outcome, o.quiet, children);
                    continue;
                }
            }
        } else {
            'name: {
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
                    break 'name (f.j, false);
                };
                if g > 0 && f.met {
                    // A member of the group has succeeded: the rest are not tried.
                    f.next += 1;
                    continue 'walk;
                }
                if w.visited[q] == lookup {
                    // Walked already by this lookup: its outcome stands, and it is
                    // quiet if it was then.
                    let quiet = w.quiet[q].until;
                    f.take(ok[q], quiet, children);
                    continue 'walk;
                }
                w.visited[q] = lookup;
                let x = w.quiet[q];
                if x.until > t {
                    // Quiet: taken as it stands.
                    ok[q] = x.ok;
                    w.skipped_until = w.skipped_until.min(x.until);
                    f.take(x.ok, x.until, children);
                    continue 'walk;
                }
                if lines && let Some(s) = w.lines.as_deref().and_then(|l| l.lines.stretch(q)) {
                    // A line's inner name: the line's last name is walked
                    // first, then the stretch taken from the tree.
                    let last = s.last;
                    w.visited[last] = lookup;
                    let x = w.quiet[last];
                    let ready = x.until > t;
                    if ready {
                        ok[last] = x.ok;
                        w.skipped_until = w.skipped_until.min(x.until);
                    } else {
                        w.stack.push(Frame {
                            ends_stretch: true,
                            ..Frame::at(last)
                        });
                    }
                    let l = w.lines.as_deref_mut().expect("lines");
                    l.stretches.push(Open {
                        to: s.to,
                        s,
                        outcome: x.ok,
                        quiet: x.until,
                        ready,
                        offered: false,
                    });
                    continue 'walk;
                }
                w.stack.push(Frame::at(q));
                continue 'walk;
            }
        };
        let step = v.at(j)?;
        if in_stretch {
            stretch_took(w, ok, j, step, t);
            continue;
        }
        let f = *w.stack.last().expect("the name just looked up");
        if lines && let Some(l) = &mut w.lines {
            l.lines.record(j, step.own());
        }
        ok[j] = step.ok && f.all;
        let quiet = f.quiet.min(step.quiet);
        if quiet > t && quiet_names() {
            w.quiet[j] = Quiet {
                until: quiet,
                ok: ok[j],
            };
        }
        w.stack.pop();
        if f.ends_stretch {
            // What the stretch below requires: now its own names.
            let l = w.lines.as_deref_mut().expect("lines");
            let o = l
                .stretches
                .last_mut()
                .expect("a stretch under its last name");
            (o.outcome, o.quiet, o.ready) = (ok[j], quiet, true);
            continue;
        }
        match w.stack.last_mut() {
            Some(parent) => parent.take(ok[j], quiet, children),
            None => return Some(ok[j]),
        }
    }
}

/// A component's lines, and the stretches of them the walk has entered.
struct LineWalk {
    lines: Lines,
    stretches: Vec<Open>,
}

/// A line's stretch being walked (`lines.rs`): the positions left to take
/// (`[s.from, to)`), and, once what it requires (its line's last name) has
/// been walked, the outcome and quiet end of everything below `to`.
struct Open {
    s: Stretch,
    to: u32,
    outcome: bool,
    quiet: f64,
    ready: bool,
    /// Whether the visitor has been offered it whole (`Visit::span`).
    offered: bool,
}

/// The next name of the top stretch that a lookup at `t` would change,
/// the deepest first, after taking the names below it together as they
/// stand; `None` when no name is left.
fn stretch_next(w: &mut WalkState, t: f64) -> Option<usize> {
    let l = w.lines.as_deref_mut()?;
    let o = l.stretches.last_mut()?;
    // The names below the last change, or all of them (joined; none is a
    // neutral join).
    let (change, own) = l.lines.last_change(&o.s, o.to, t);
    o.outcome &= own.ok;
    o.quiet = o.quiet.min(own.quiet);
    w.skipped_until = w.skipped_until.min(own.quiet);
    let i = change?;
    o.to = i;
    Some(l.lines.name(&o.s, i))
}

/// Name `j` of the top stretch, just looked up: its own part kept in the
/// tree, and its outcome and quiet end as everything below it makes them.
fn stretch_took(w: &mut WalkState, ok: &mut [bool], j: usize, step: Step, t: f64) {
    let l = w.lines.as_deref_mut().expect("lines");
    l.lines.record(j, step.own());
    let o = l.stretches.last_mut().expect("the stretch being walked");
    o.outcome &= step.ok;
    o.quiet = o.quiet.min(step.quiet);
    ok[j] = o.outcome;
    if o.quiet > t {
        w.quiet[j] = Quiet {
            until: o.quiet,
            ok: o.outcome,
        };
    }
}

/// Tests turn quiet names off, to hold the walks that take them as they
/// stand to walks that look every name up.
#[cfg(test)]
static QUIET_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Held by the tests that turn a walk's shortcuts off (here and in
/// `sums.rs`) or count what they skip, which run on threads of their own.
#[cfg(test)]
pub(super) static SWITCHES: std::sync::Mutex<()> = std::sync::Mutex::new(());

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
            ends_stretch: false,
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
mod tests;
