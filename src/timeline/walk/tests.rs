//! The walk against a recursive reference, and quiet names (and lines)
//! against walks that look every name up.

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
    let _switches = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
    use rand_chacha::rand_core::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
    let mut below = |n: u32| (rng.next_u32() % n) as usize;
    let mut skipped = 0;
    for round in 0..2000 {
        // Every other plan mostly a chain, each name requiring the one
        // before, so that it has lines (`lines.rs`).
        let chain = round % 2 == 1;
        let n = 1 + below(if chain { 30 } else { 12 });
        let children: Children = (0..n)
            .map(|j| {
                let mut kids = Vec::new();
                if j == 0 {
                    return kids;
                }
                if chain && below(6) > 0 {
                    kids.push((j - 1, 0));
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
        let mut w = WalkState::new(&children);
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

/// A plan whose lookups walk a requirement chain, a line of 40 on top,
/// a diamond and groups
/// through total and partial outages (some a minute or two apart, less
/// than a cache lifetime), stale answers and a failover, with the
/// measured and the ideal profile: every count is the same
/// whether walks take quiet names as they stand or look every name up.
#[test]
fn quiet_names_change_no_count() {
    let _switches = SWITCHES.lock().unwrap_or_else(|e| e.into_inner());
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
    // A plain chain of 40 on top, each requiring the one before and
    // nothing else requiring it: a line (`lines.rs`).
    for i in 0..40 {
        let below = if i == 0 {
            "s29".to_string()
        } else {
            format!("c{}", i - 1)
        };
        let dns = ["[\"a\"]", "[\"b\"]", "[\"a\", \"b\"]"][i % 3];
        text.push_str(&format!(
            "[[service]]\nid = \"c{i}\"\ndns = {dns}\nrequires = [\"{below}\"]\nttl = {}\n",
            60 * (1 + i % 3)
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
        let deep = |c: &TimelineCounts| {
            c.failed[29] > 0 && c.failed[69] > 0 && c.lost.iter().sum::<u64>() > 0
        };
        assert!(with.iter().all(deep), "{profile}: {:?}", with[0].failed);
    }
}
