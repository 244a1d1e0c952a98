//! A resolver whose cache does not help, on a requirement line
//! (`lines.rs`): its certain lookups summed instead of walked.
//!
//! Such a resolver keeps no answer and no failure, so no name is ever quiet
//! for it (`walk.rs`), and each of its lookups resolves everything the name
//! requires. On a chain of N names, every certain lookup (`certain.rs`: an
//! outage that loses every query, say) walked all the names below it, and
//! each name's lookups had one such run a window: N²/2 steps a window.
//!
//! Yet a name's certain part (whether it fails, until when that holds, and
//! what its resolution sends) changes only at the times its `until` names,
//! or when the resolver's holddown changes. So each line keeps, for each
//! position, the sum of the parts from that position down to the line's
//! last name (exclusive): the conjunction of their outcomes, the earliest
//! of their ends, and how many of them cost each of the few distinct costs
//! met on the line. The sums hold until their end, each including all below
//! it, so the ends grow down the line and the positions whose sum still
//! holds at `t` are one stretch at its bottom. A walk entering the line at
//! a position takes the sum there, after computing again only the
//! positions above that stretch: a lookup costs O(1), and each position is
//! computed once for each time a part below it changes.
//!
//! The sums give what the walk would: the same outcome, the same end and
//! the same costs, added in another order (the tests below hold them to
//! walks, count for count; the chains timed in docs/performance.md give
//! the same bytes as before). A line whose names cost more than [`KINDS`]
//! distinct costs is walked until something changes.

use super::bulk::Cost;
use super::walk::{Span, Step};

/// The distinct costs of one name's resolution a line's sums count: a line
/// whose names cost more kinds than this is walked.
const KINDS: usize = 4;

/// Every line's sums at one resolver.
#[derive(Default)]
pub(super) struct LineSums {
    lines: Vec<Sums>,
    /// Bumped when what a certain part depends on may have changed other
    /// than at its end (a provider put in or out of holddown, a new window
    /// or resolver): sums from before are not taken.
    version: u64,
    scratch: Cost,
}

/// One line's sums.
#[derive(Default)]
struct Sums {
    /// Per position: the sum from it down to the line's last name.
    suffix: Vec<Sum>,
    /// The positions `[valid_from, last)` hold sums computed at `version`,
    /// each from the one below it as it then stood or ended by now.
    valid_from: u32,
    version: u64,
    /// The costs that `Sum::counts` counts, and whether a name cost one
    /// more (the line is then walked until something changes).
    kinds: Vec<Cost>,
    full: bool,
}

#[derive(Clone, Copy)]
struct Sum {
    until: f64,
    ok: bool,
    counts: [u32; KINDS],
}

impl Sum {
    /// Below the lowest position: nothing.
    const NONE: Sum = Sum {
        until: f64::INFINITY,
        ok: true,
        counts: [0; KINDS],
    };
}

/// Tests turn the sums off, to hold them to walks (see `tests`), and count
/// the stretches they took.
#[cfg(test)]
static SUMS_OFF: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
#[cfg(test)]
static TAKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
#[cfg(test)]
static FULL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Whether lines' certain parts are summed (always, but in that test).
#[inline]
pub(super) fn sums_on() -> bool {
    #[cfg(test)]
    return !SUMS_OFF.load(std::sync::atomic::Ordering::Relaxed);
    #[cfg(not(test))]
    true
}

impl LineSums {
    /// Something a certain part depends on may have changed.
    pub(super) fn changed(&mut self) {
        self.version += 1;
    }
}

impl LineSums {
    /// The certain parts of the names at positions `[from, last)` of line
    /// `line` (its members `names`, by position) at `t`, taken together:
    /// their costs added to `first` and `rest`, their end to `until`.
    /// `part(j, cost)` gives name `j`'s part (whether it fails, and until
    /// when that holds) and adds what it sends to `cost`, or `None` when
    /// it is not certain (then `Span::Stop`). `Span::Walk` when the names
    /// cost too many kinds to count.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn span(
        &mut self,
        names: &[u32],
        line: u32,
        from: u32,
        t: f64,
        part: &mut impl FnMut(usize, &mut Cost) -> Option<(bool, f64)>,
        (first, rest): (&mut Cost, &mut Cost),
        until: &mut f64,
    ) -> Span {
        let line = line as usize;
        if self.lines.len() <= line {
            self.lines.resize_with(line + 1, Sums::default);
        }
        let s = &mut self.lines[line];
        let last = names.len() as u32 - 1;
        if s.suffix.len() != names.len() {
            s.suffix = vec![Sum::NONE; names.len()];
            s.valid_from = last;
        }
        if s.version != self.version {
            s.version = self.version;
            s.valid_from = last;
            s.full = false;
        }
        if s.full {
            return Span::Walk;
        }
        // The sums that still hold: from the first whose end is after `t`.
        // (Those above it ended at or before `t`, and a sum computed again
        // ends after `t`, so the ends still grow down the line.)
        let held = &s.suffix[s.valid_from as usize..last as usize];
        let x = s.valid_from + held.partition_point(|sum| sum.until <= t) as u32;
        if x == last {
            s.kinds.clear();
        }
        let mut p = x;
        while p > from {
            p -= 1;
            let below = if p + 1 < last {
                s.suffix[(p + 1) as usize]
            } else {
                Sum::NONE
            };
            let cost = &mut self.scratch;
            cost.clear();
            let Some((fails, end)) = part(names[p as usize] as usize, cost) else {
                s.valid_from = s.valid_from.min(p + 1);
                return Span::Stop;
            };
            let kind = match s.kinds.iter().position(|k| k == cost) {
                Some(kind) => kind,
                None if s.kinds.len() < KINDS => {
                    s.kinds.push(cost.clone());
                    s.kinds.len() - 1
                }
                None => {
                    s.valid_from = s.valid_from.min(p + 1);
                    s.full = true;
                    #[cfg(test)]
                    FULL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Span::Walk;
                }
            };
            let mut counts = below.counts;
            counts[kind] += 1;
            s.suffix[p as usize] = Sum {
                until: below.until.min(end),
                ok: below.ok && !fails,
                counts,
            };
        }
        s.valid_from = s.valid_from.min(from);
        let sum = s.suffix[from as usize];
        *until = until.min(sum.until);
        for (kind, &n) in s.kinds.iter().zip(&sum.counts) {
            if n > 0 {
                first.add_times(kind, u64::from(n));
                rest.add_times(kind, u64::from(n));
            }
        }
        #[cfg(test)]
        TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Span::Took(Step {
            ok: sum.ok,
            quiet: f64::NEG_INFINITY,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    /// A 40-name chain (lines of three or more names in unit tests),
    /// looked up through random outages of three providers and two events; `dns` gives each
    /// name's providers by its index, and `resolvers` the resolvers' keys.
    fn chain(dns: impl Fn(usize) -> &'static str, resolvers: &str) -> String {
        let mut plan = format!(
            "[simulation]\nmodel = \"timeline\"\nhorizon = \"20d\"\n\
             [resolvers]\nper_region = 12\n{resolvers}\n\
             [[provider]]\nid = \"p\"\noutages_per_year = 200\n\
             [[provider]]\nid = \"q\"\noutages_per_year = 100\n\
             [[provider]]\nid = \"r\"\noutages_per_year = 150\n\
             [[event]]\nprovider = \"p\"\nstart = \"2d\"\nend = \"2d 3h\"\n\
             [[event]]\nprovider = \"q\"\nstart = \"2d 1h\"\nend = \"2d 5h\"\n\
             loss = 0.6\nloss_by = \"resolver\"\n"
        );
        for i in 0..40 {
            plan.push_str(&format!("[[service]]\nid = \"s{i}\"\ndns = {}\n", dns(i)));
            if i > 0 {
                plan.push_str(&format!("requires = [\"s{}\"]\n", i - 1));
            }
        }
        plan
    }

    fn run(plan: &str) -> Vec<crate::timeline::TimelineCounts> {
        let scenario = crate::scenario::parse_str(std::path::Path::new("chain.toml"), plan)
            .expect("a valid plan");
        let model = super::super::TimelineModel::compile(&scenario, 16, &Default::default(), None)
            .expect("compiles");
        (0..3).map(|t| model.trial_counts(t)).collect()
    }

    /// Resolvers whose cache does not help, on a chain: the sums give the
    /// bytes that walking every name gives, on one provider (every outage
    /// certain), on two with holddown (first tries certain to the one not
    /// held, sums dropped when a holddown changes), beside caching
    /// resolvers, with standbys joining delegations, and on five sets of
    /// providers (more costs than a line counts: walked); and they are
    /// taken.
    #[test]
    fn sums_give_the_bytes_of_walks() {
        let _switches = super::super::walk::SWITCHES
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let plans = [
            chain(|_| "[\"p\"]", "cache_share = 0.0"),
            chain(
                |i| ["[\"p\", \"q\"]", "[\"p\"]", "[\"q\"]"][i % 3],
                "cache_share = 0.0",
            ),
            chain(
                |i| ["[\"p\", \"q\"]", "[\"p\"]"][i % 2],
                "cache_share = 0.5\nholddown = \"1h\"",
            ),
            // Half the names with a standby, which joins their delegation
            // ten minutes into p's first outage, and which each resolver
            // sees at a time of its own.
            chain(
                |i| {
                    [
                        "[\"p\"]\nstandby = [\"q\"]\nfailover_after = \"10m\"",
                        "[\"p\"]",
                    ][i % 2]
                },
                "cache_share = 0.0",
            ),
            // More distinct costs than a line's sums count.
            chain(
                |i| {
                    [
                        "[\"p\"]",
                        "[\"q\"]",
                        "[\"r\"]",
                        "[\"p\", \"q\"]",
                        "[\"q\", \"r\"]",
                    ][i % 5]
                },
                "cache_share = 0.0",
            ),
        ];
        let full = FULL.load(Ordering::Relaxed);
        for (n, plan) in plans.iter().enumerate() {
            let before = TAKEN.load(Ordering::Relaxed);
            let summed = run(plan);
            let taken = TAKEN.load(Ordering::Relaxed) - before;
            SUMS_OFF.store(true, Ordering::Relaxed);
            let walked = run(plan);
            SUMS_OFF.store(false, Ordering::Relaxed);
            assert!(taken > 0, "plan {n}: no stretch summed");
            assert!(summed == walked, "plan {n}: the sums changed the result");
        }
        assert!(
            FULL.load(Ordering::Relaxed) > full,
            "no line with too many costs"
        );
    }
}
