//! Requirement chains walked without walking every link (issue 16: a
//! chain's lookups cost the square of its length).
//!
//! A quiet name (`walk.rs`) is quiet until the first change anywhere in
//! what it requires, so in a chain a change deep down ends the quiet of
//! every name above it, and the next lookups walked down to the change,
//! link by link: a walk as long as the chain for each change, and a change
//! for each name. Here a *line* is a stretch of a chain: names each of
//! which requires one name, in `requires` (not a group), that nothing else
//! requires. A walk entering a line needs, of the names on it, only those
//! whose own state a lookup would change (not fresh, no failure
//! remembered); the others, which it leaves as they are, it takes as
//! they stand, together: their outcomes' conjunction and the earliest of
//! their own quiet ends. A segment tree over the line's names (each one's
//! own outcome and own quiet end, as its last look-up gave them) finds
//! both in O(log n), so a lookup costs O(log n) for each name it looks up,
//! not a step for each link.
//!
//! (What a member requires comes as `walk.rs`'s `Children`: per member,
//! (member, group) pairs, group 0 for `requires`.)
//!
//! Only a line's inner names are kept (neither the first, which other
//! names may require, nor the last, whose own requirements are walked
//! as any name's): a walk that reaches an inner name takes the names from
//! there to the one before the last from the tree, after walking the last
//! name as usual. Lines shorter than [`MIN_LINE`] are not kept: their
//! walks go link by link, which costs less there.

/// A name's own part in its last look-up: until when it stays as it was
/// then (at or before that look-up's time when it was resolved), and
/// whether it was answered. Nodes above the leaves hold the earliest end
/// and the conjunction.
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Own {
    pub quiet: f64,
    pub ok: bool,
}

impl Own {
    /// Never looked up: a change, so walked.
    const UNKNOWN: Own = Own {
        quiet: f64::NEG_INFINITY,
        ok: false,
    };
    /// Not a name (a line's ends, and padding): never a change, and
    /// neutral in a conjunction.
    const NONE: Own = Own {
        quiet: f64::INFINITY,
        ok: true,
    };

    fn join(a: Own, b: Own) -> Own {
        Own {
            quiet: a.quiet.min(b.quiet),
            ok: a.ok && b.ok,
        }
    }
}

/// The shortest line kept. Shorter ones are walked link by link, which
/// costs less than the tree there: `requirements/chain-10` and `chain-20`
/// in `cargo bench --bench timeline` took 12-14% longer with every line of
/// three or more in a tree. The unit tests keep every line of three or
/// more (the fewest with an inner name), so that their small plans have
/// lines.
const MIN_LINE: usize = if cfg!(test) { 3 } else { 64 };

struct Line {
    /// Where its names start in `Lines::names`, and how many.
    start: u32,
    len: u32,
    /// Where its tree starts in `Lines::tree`, and its leaves' count (a
    /// power of two).
    tree: u32,
    size: u32,
}

/// The part of a line that a walk takes from the tree: its positions
/// `[from, to)`, and the line's last name, walked first.
#[derive(Clone, Copy)]
pub(super) struct Stretch {
    line: u32,
    pub from: u32,
    pub to: u32,
    pub last: usize,
}

impl Stretch {
    /// Its line's index among the component's lines.
    pub(super) fn line(&self) -> u32 {
        self.line
    }
}

/// A component's lines and their trees, at one resolver.
#[derive(Default)]
pub(super) struct Lines {
    /// Per member: its line and position when it is an inner name of a
    /// line (`u32::MAX` otherwise).
    place: Vec<(u32, u32)>,
    lines: Vec<Line>,
    names: Vec<u32>,
    tree: Vec<Own>,
}

/// Each line of a requirement graph of `n` names, of [`MIN_LINE`] names or
/// more, from its first name to its last, to `each`; `link(j)` is name
/// `j`'s one requirement, in `requires`, when only `j` requires it.
pub(super) fn each_line(
    n: usize,
    link: impl Fn(usize) -> Option<usize>,
    mut each: impl FnMut(&[u32]),
) {
    let mut linked = vec![false; n];
    for j in 0..n {
        if let Some(q) = link(j) {
            linked[q] = true;
        }
    }
    let mut line = Vec::new();
    for head in (0..n).filter(|&j| !linked[j]) {
        // Each chain of links from its first name (requirement cycles are
        // refused by the loader, so it ends).
        line.clear();
        let mut at = Some(head);
        while let Some(j) = at {
            line.push(j as u32);
            at = link(j);
        }
        if line.len() >= MIN_LINE {
            each(&line);
        }
    }
}

impl Lines {
    /// The lines of a component's requirement graph, of [`MIN_LINE`] names
    /// or more.
    pub(super) fn new(children: &[Vec<(usize, u32)>]) -> Lines {
        let n = children.len();
        if n < MIN_LINE {
            return Lines::default();
        }
        let mut parents = vec![0u32; n];
        for &(q, _) in children.iter().flatten() {
            parents[q] += 1;
        }
        // A name's link: its one requirement, which only it requires.
        let link = |j: usize| match children[j][..] {
            [(q, 0)] if parents[q] == 1 => Some(q),
            _ => None,
        };
        let mut lines = Lines {
            place: vec![(u32::MAX, u32::MAX); n],
            ..Lines::default()
        };
        each_line(n, link, |line| lines.push(line));
        lines.forget();
        lines
    }

    fn push(&mut self, names: &[u32]) {
        let l = self.lines.len() as u32;
        let size = names.len().next_power_of_two() as u32;
        for (i, &j) in names.iter().enumerate().skip(1).take(names.len() - 2) {
            self.place[j as usize] = (l, i as u32);
        }
        self.lines.push(Line {
            start: self.names.len() as u32,
            len: names.len() as u32,
            tree: self.tree.len() as u32,
            size,
        });
        self.names.extend_from_slice(names);
        self.tree
            .resize(self.tree.len() + 2 * size as usize, Own::NONE);
    }

    /// No name looked up yet: for a new resolver.
    pub(super) fn forget(&mut self) {
        for l in 0..self.lines.len() {
            let Line {
                len, tree, size, ..
            } = self.lines[l];
            let t = &mut self.tree[tree as usize..(tree + 2 * size) as usize];
            t.fill(Own::NONE);
            t[size as usize + 1..(size + len - 1) as usize].fill(Own::UNKNOWN);
            for i in (1..size as usize).rev() {
                t[i] = Own::join(t[2 * i], t[2 * i + 1]);
            }
        }
    }

    /// Whether there are lines at all.
    pub(super) fn any(&self) -> bool {
        !self.lines.is_empty()
    }

    /// The stretch a walk takes from the tree when it enters at member `q`
    /// (a link's end): from `q` to the name before its line's last, when
    /// `q` is an inner name of a line.
    pub(super) fn stretch(&self, q: usize) -> Option<Stretch> {
        let (line, from) = *self.place.get(q)?;
        let l = self.lines.get(line as usize)?;
        Some(Stretch {
            line,
            from,
            to: l.len - 1,
            last: self.names[(l.start + l.len - 1) as usize] as usize,
        })
    }

    /// Member `j`'s own part in a look-up, kept when it is an inner name.
    pub(super) fn record(&mut self, j: usize, own: Own) {
        let Some(&(line, i)) = self.place.get(j) else {
            return;
        };
        let Some(l) = self.lines.get(line as usize) else {
            return;
        };
        let t = &mut self.tree[l.tree as usize..(l.tree + 2 * l.size) as usize];
        let mut at = (l.size + i) as usize;
        if t[at] == own {
            return;
        }
        t[at] = own;
        // Up while the joins change.
        while at > 1 {
            at /= 2;
            let join = Own::join(t[2 * at], t[2 * at + 1]);
            if t[at] == join {
                return;
            }
            t[at] = join;
        }
    }

    /// The members of the stretch's line, by position.
    pub(super) fn line(&self, s: &Stretch) -> &[u32] {
        let l = &self.lines[s.line as usize];
        &self.names[l.start as usize..(l.start + l.len) as usize]
    }

    /// The member at position `i` of the stretch's line.
    pub(super) fn name(&self, s: &Stretch, i: u32) -> usize {
        self.names[(self.lines[s.line as usize].start + i) as usize] as usize
    }

    /// The last position in `[s.from, to)` whose name a lookup at `t` would
    /// change (its own quiet end at or before `t`), and the names after it
    /// up to `to` (all of `[s.from, to)` when there is none), joined: one
    /// pass over the tree, right to left, joining the nodes it passes.
    pub(super) fn last_change(&self, s: &Stretch, to: u32, t: f64) -> (Option<u32>, Own) {
        let l = &self.lines[s.line as usize];
        let tree = &self.tree[l.tree as usize..(l.tree + 2 * l.size) as usize];
        let mut own = Own::NONE;
        // The name just above is checked first: for a resolver whose cache
        // does not help, every name is a change.
        if s.from < to && tree[(l.size + to - 1) as usize].quiet <= t {
            return (Some(to - 1), own);
        }
        // The range's nodes from the right: those on its right edge come
        // right to left as they are met, those on its left edge left to
        // right, so they are kept and tried after, in reverse.
        let (mut a, mut b) = ((l.size + s.from) as usize, (l.size + to) as usize);
        let mut left = [0usize; 32];
        let mut lefts = 0;
        let mut found = None;
        while a < b {
            if b & 1 == 1 {
                b -= 1;
                if tree[b].quiet <= t {
                    found = Some(b);
                    break;
                }
                own = Own::join(own, tree[b]);
            }
            if a & 1 == 1 {
                left[lefts] = a;
                lefts += 1;
                a += 1;
            }
            a /= 2;
            b /= 2;
        }
        if found.is_none() {
            for &n in left[..lefts].iter().rev() {
                if tree[n].quiet <= t {
                    found = Some(n);
                    break;
                }
                own = Own::join(own, tree[n]);
            }
        }
        let Some(mut node) = found else {
            return (None, own);
        };
        // Down to the last leaf under it at or before `t`, joining the
        // right halves it passes by.
        while node < l.size as usize {
            let right = 2 * node + 1;
            node = if tree[right].quiet <= t {
                right
            } else {
                own = Own::join(own, tree[right]);
                2 * node
            };
        }
        (Some(node as u32 - l.size), own)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of 7 (each requiring the next) with a branch: the inner
    /// names of the longest line are in the tree, the tree finds the last
    /// change and joins ranges as a scan would.
    #[test]
    fn the_tree_answers_as_a_scan() {
        // 0 → 1 → 2 → 3 → 4 → 5 → 6, and 7 → 3 makes 3 required twice:
        // lines 0-1-2 and 3-4-5-6.
        let mut children: Vec<Vec<(usize, u32)>> = (0..8).map(|_| Vec::new()).collect();
        for (j, kids) in children.iter_mut().enumerate().take(6) {
            kids.push((j + 1, 0));
        }
        children[7].push((3, 0));
        let mut lines = Lines::new(&children);
        assert!(lines.any());
        assert!(lines.stretch(1).is_some());
        assert!(lines.stretch(2).is_none(), "the last name of 0-1-2");
        assert!(lines.stretch(3).is_none(), "the first name of 3-4-5-6");
        let s = lines.stretch(4).unwrap();
        assert_eq!((s.from, s.to, s.last), (1, 3, 6));
        assert_eq!(lines.name(&s, 2), 5);
        // Never looked up: every name a change.
        assert_eq!(lines.last_change(&s, 3, 0.0).0, Some(2));
        lines.record(
            5,
            Own {
                quiet: 9.0,
                ok: true,
            },
        );
        assert_eq!(lines.last_change(&s, 3, 0.0).0, Some(1));
        lines.record(
            4,
            Own {
                quiet: 4.0,
                ok: false,
            },
        );
        let (change, j) = lines.last_change(&s, 3, 3.0);
        assert_eq!((change, j.quiet, j.ok), (None, 4.0, false));
        let (change, j) = lines.last_change(&s, 3, 5.0);
        assert_eq!((change, j.quiet, j.ok), (Some(1), 9.0, true));
        lines.forget();
        assert_eq!(lines.last_change(&s, 3, 100.0).0, Some(2));
    }

    /// On a line of 100 with random own parts, updated at random: the last
    /// change and the join of the names after it are those of a scan, over
    /// every range.
    #[test]
    fn the_tree_agrees_with_a_scan() {
        use rand_chacha::rand_core::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let n = 100;
        let children: Vec<Vec<(usize, u32)>> = (0..n)
            .map(|j| if j + 1 < n { vec![(j + 1, 0)] } else { vec![] })
            .collect();
        let mut lines = Lines::new(&children);
        let mut own = vec![Own::UNKNOWN; n];
        for _ in 0..300 {
            let j = 1 + (rng.next_u32() as usize) % (n - 2);
            own[j] = Own {
                quiet: f64::from(rng.next_u32() % 20),
                ok: rng.next_u32() % 4 > 0,
            };
            lines.record(j, own[j]);
            let s = lines.stretch(1).expect("a line");
            let t = f64::from(rng.next_u32() % 20);
            for from in 1..n - 1 {
                let s = Stretch {
                    from: from as u32,
                    ..s
                };
                for to in from..n - 1 {
                    let scan = (from..to).rev().find(|&i| own[i].quiet <= t);
                    let (got, joined) = lines.last_change(&s, to as u32, t);
                    assert_eq!(got.map(|i| i as usize), scan, "{from}..{to} at {t}");
                    let after = scan.map_or(from, |i| i + 1);
                    let join = own[after..to]
                        .iter()
                        .fold(Own::NONE, |a, &b| Own::join(a, b));
                    assert!(joined == join, "{from}..{to} at {t}");
                }
            }
        }
    }
}
