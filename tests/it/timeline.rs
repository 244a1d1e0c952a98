//! The timeline model against the closed forms of spec §3.

use dnsim::forcing::Forcing;
use dnsim::results::TimelineReport;
use dnsim::run::{RunOptions, timeline};
use dnsim::scenario::parse_str;

use crate::support::*;

/// One provider, one service, one scheduled outage at 01:00 of `outage`
/// with the given loss; no random outages.
fn plan(service: &str, resolvers: &str, outage: &str, loss: f64) -> String {
    format!(
        r#"
[simulation]
model = "timeline"
horizon = "1d"

[resolvers]
profile = "ideal"
{resolvers}

[[provider]]
id = "dyn"

[[provider]]
id = "r53"

[[service]]
id = "site"
{service}

[[event]]
provider = "dyn"
start = "1h"
end = "{outage}"
loss = {loss}
"#
    )
}

fn run_plan(text: &str, trials: u64, step: Option<u64>) -> TimelineReport {
    let scenario = parse_str(std::path::Path::new("plan.toml"), text).expect("valid plan");
    let options = RunOptions {
        trials: Some(trials),
        seed: Some(3),
        forcing: Forcing::default(),
    };
    timeline(&scenario, &options, step, &|_| {}).expect("runs")
}

/// Checks an estimated answered share against the truth. Shares are failed
/// lookups over the *expected* number of lookups `n`, so the noise is that
/// of a Poisson count of failures: a standard error of √((1 − want)/n).
fn close(got: f64, want: f64, n: f64, k: f64, what: &str) {
    let se = ((1.0 - want) / n).sqrt().max(1.0 / n);
    assert!(
        (got - want).abs() <= k * se,
        "{what}: got {got}, want {want} (se {se})"
    );
}

#[test]
fn share_answered_into_a_total_outage_follows_the_closed_form() {
    // λT/(1+λT) · max(0, 1 − x/T), averaged over each one-minute step.
    for &(rate_per_hour, ttl_min) in &[(60.0, 5.0), (6.0, 30.0), (120.0, 10.0)] {
        let lambda = rate_per_hour / 60.0; // per minute
        let text = plan(
            &format!("dns = [\"dyn\"]\nttl = \"{ttl_min}m\"\nquery_rate = {rate_per_hour}"),
            "per_region = 400",
            "3h",
            1.0,
        );
        let trials = 20;
        let r = run_plan(&text, trials, Some(60));
        let series = &r.services[0].series.as_ref().unwrap().failed_share["global"];
        let fresh = lambda * ttl_min / (1.0 + lambda * ttl_min);
        for x in 0..(ttl_min as usize + 3) {
            // Mean of 1 − x/T over [x, x + 1).
            let (a, b) = ((x as f64).min(ttl_min), ((x + 1) as f64).min(ttl_min));
            let mean_life = (b - a) - (b * b - a * a) / (2.0 * ttl_min);
            let answered = fresh * mean_life;
            let lookups = trials as f64 * 400.0 * lambda;
            close(
                1.0 - series[60 + x],
                answered,
                lookups,
                5.0,
                &format!("λ={rate_per_hour}/h T={ttl_min}m x={x}"),
            );
        }
    }
}

#[test]
fn resolution_under_partial_loss_succeeds_with_one_minus_l_to_the_k() {
    for &(loss, attempts) in &[(0.5, 3u32), (0.9, 2), (0.3, 1)] {
        let text = plan(
            "dns = [\"dyn\"]\nttl = 0",
            &format!("per_region = 200\nattempts = {attempts}"),
            "2h",
            loss,
        );
        let trials = 10;
        let r = run_plan(&text, trials, None);
        let s = &r.services[0];
        // One hour of outage in a day: failed share = L^k · 1/24.
        let want = loss.powi(attempts as i32);
        let lookups = trials as f64 * 200.0 * 60.0;
        close(
            1.0 - s.failed_share * 24.0,
            1.0 - want,
            lookups,
            5.0,
            &format!("L={loss} k={attempts}"),
        );
        // Each lost try costs the retry timeout.
        let lost_per_lookup: f64 = (0..attempts).map(|i| loss.powi(i as i32 + 1)).sum();
        let want_ms = lost_per_lookup * 800.0 / 24.0;
        assert!(
            (s.added_latency_ms - want_ms).abs() < 0.05 * want_ms,
            "latency {} vs {want_ms}",
            s.added_latency_ms
        );
    }
}

#[test]
fn manual_failover_completes_as_ns_caches_expire() {
    // Every lookup resolves (TTL 0); once a resolver sees the standby in the
    // delegation, its second try reaches it. Seen by time a + x with
    // probability (1 − q)·clamp((x − F)/N) + q·clamp((x − F)/D).
    let (f, n, d, q) = (30.0, 20.0, 60.0, 0.25);
    let text = plan(
        &format!(
            "dns = [\"dyn\"]\nstandby = [\"r53\"]\nttl = 0\nfailover_after = \"{f}m\"\nns_ttl = \"{n}m\"\ndelegation_ttl = \"{d}m\""
        ),
        &format!("per_region = 400\nparent_centric_share = {q}"),
        "4h",
        1.0,
    );
    let trials = 20;
    let r = run_plan(&text, trials, Some(60));
    let series = &r.services[0].series.as_ref().unwrap().failed_share["global"];
    let clamp = |x: f64| x.clamp(0.0, 1.0);
    for x in (0..120).step_by(5) {
        // Mean over the minute [x, x + 1).
        let seen: f64 = (0..10)
            .map(|i| {
                let t = x as f64 + (i as f64 + 0.5) / 10.0;
                (1.0 - q) * clamp((t - f) / n) + q * clamp((t - f) / d)
            })
            .sum::<f64>()
            / 10.0;
        let lookups = trials as f64 * 400.0;
        close(1.0 - series[60 + x], seen, lookups, 5.0, &format!("x={x}m"));
    }
}

#[test]
fn downtime_of_a_scheduled_total_outage_matches_the_analytic_value() {
    // λ = 1/min, T = 5 min, D = 130 min: failed lookups ÷ λ =
    // D − λT/(1+λT) · T/2 minutes.
    let text = plan(
        "dns = [\"dyn\"]\nttl = \"5m\"",
        "per_region = 100",
        "3h10m",
        1.0,
    );
    let r = run_plan(&text, 40, None);
    let s = &r.services[0];
    let want = 130.0 - (5.0 / 6.0) * 2.5;
    assert!(
        s.downtime_minutes_ci95[0] <= want && want <= s.downtime_minutes_ci95[1],
        "{} {:?} vs {want}",
        s.downtime_minutes,
        s.downtime_minutes_ci95
    );
    assert!((s.downtime_minutes - want).abs() < 1.0);
    assert!(s.nines.is_some());
}

#[test]
fn serve_stale_loses_nothing_in_an_outage_shorter_than_max_stale() {
    let text = plan(
        "dns = [\"dyn\"]\nttl = \"5m\"",
        "per_region = 100\nserve_stale = true\nmax_stale = \"1d\"",
        "3h",
        1.0,
    );
    let r = run_plan(&text, 20, None);
    assert_eq!(r.services[0].failed_share, 0.0);
    assert_eq!(r.services[0].nines, None);
    // Without it, the same outage fails most lookups.
    let text = plan(
        "dns = [\"dyn\"]\nttl = \"5m\"",
        "per_region = 100",
        "3h",
        1.0,
    );
    assert!(run_plan(&text, 20, None).services[0].failed_share > 0.05);
}

#[test]
fn a_second_delegated_provider_absorbs_a_total_outage() {
    let text = plan(
        "dns = [\"dyn\", \"r53\"]\nttl = \"5m\"",
        "per_region = 100",
        "3h",
        1.0,
    );
    let r = run_plan(&text, 20, None);
    assert_eq!(r.services[0].failed_share, 0.0);
    assert!(
        r.services[0].added_latency_ms > 0.0,
        "half the misses try Dyn first"
    );
}

#[test]
fn requirements_fail_their_dependents_at_the_same_instant() {
    let text = r#"
[simulation]
model = "timeline"
horizon = "1d"
[resolvers]
per_region = 50
[[provider]]
id = "dyn"
[[provider]]
id = "r53"
[[service]]
id = "cdn"
dns = ["dyn"]
ttl = 0
[[service]]
id = "site"
dns = ["r53"]
ttl = 0
requires = ["cdn"]
[[event]]
provider = "dyn"
start = "1h"
end = "2h"
"#;
    let r = run_plan(text, 5, None);
    for s in &r.services {
        assert!(
            (s.failed_share - 1.0 / 24.0).abs() < 1e-3,
            "{}: {}",
            s.id,
            s.failed_share
        );
    }
}

/// Spec §3: a lookup tries the members of a `requires_any` group in order
/// until one succeeds. With the first member answering, the second (whose
/// provider loses every query) is never asked: the site's lookups neither
/// fail nor wait. Before, every member was looked up, and the site's
/// lookups paid the lost tries of the member that was out (an
/// approximation the README listed, now removed). With the first member
/// out, the second answers: nothing fails, and the first one's tries are
/// lost on the way.
#[test]
fn a_requires_any_group_stops_at_its_first_member_that_succeeds() {
    let site = |order: &str| {
        let text = format!(
            r#"
[simulation]
model = "timeline"
horizon = "1d"
[resolvers]
per_region = 40
[[provider]]
id = "up"
[[provider]]
id = "out"
[[provider]]
id = "own"
[[service]]
id = "cdn-up"
dns = ["up"]
ttl = 0
[[service]]
id = "cdn-out"
dns = ["out"]
ttl = 0
[[service]]
id = "site"
dns = ["own"]
ttl = 0
requires_any = [[{order}]]
[[event]]
provider = "out"
start = "1h"
end = "5h"
"#
        );
        let r = run_plan(&text, 3, None);
        let row = r.services.iter().find(|s| s.id == "site").expect("site");
        (row.failed_share, row.added_latency_ms)
    };
    let (failed, latency) = site(r#""cdn-up", "cdn-out""#);
    assert_eq!((failed, latency), (0.0, 0.0), "the working member first");
    let (failed, latency) = site(r#""cdn-out", "cdn-up""#);
    assert_eq!(failed, 0.0, "the member that is out first");
    assert!(latency > 0.0, "its lost tries: {latency} ms");
}

/// Spec §3: one cache per resolver. A name that others require is in the
/// cache that all their lookups share, so its cache follows the closed form
/// at the rate of every lookup that reaches it: five sites, each looking up
/// a CDN (which has no lookups of its own) 6 times an hour, keep it fresh
/// with probability λT/(1+λT) at λ = 30 an hour. Into a total outage of the
/// CDN's provider the sites' answered share is λT/(1+λT) · max(0, 1 − x/T),
/// as for one name. (Before, each site simulated its own copy of the CDN's
/// cache, drawn at the outage's start from the CDN's own lookups: none
/// here, so the sites' lookups failed from the first minute.) With the
/// ideal resolvers, whose windows start from the stationary law, and with
/// measured ones (every cache helping), carried from t = 0 through quiet
/// time.
#[test]
fn a_required_name_is_cached_once_for_all_its_dependents() {
    let (sites, rate_per_hour, ttl_min) = (5, 6.0, 10.0);
    for profile in [
        "profile = \"ideal\"",
        "profile = \"measured\"\ncache_share = 1",
    ] {
        let mut text = format!(
            r#"
[simulation]
model = "timeline"
horizon = "1d"
[resolvers]
{profile}
per_region = 300
[[provider]]
id = "cdn-dns"
[[provider]]
id = "own"
[[service]]
id = "cdn"
dns = ["cdn-dns"]
ttl = "{ttl_min}m"
query_rate = 0
weight = 0
[[event]]
provider = "cdn-dns"
start = "1h"
end = "3h"
"#
        );
        for i in 0..sites {
            text.push_str(&format!(
                "[[service]]\nid = \"site{i}\"\ndns = [\"own\"]\nttl = 0\n\
                 query_rate = {rate_per_hour}\nrequires = [\"cdn\"]\n"
            ));
        }
        let trials = 20;
        let r = run_plan(&text, trials, Some(60));
        let lambda = rate_per_hour / 60.0; // per minute, per site
        let reach = lambda * sites as f64;
        let fresh = reach * ttl_min / (1.0 + reach * ttl_min);
        let rows: Vec<&Vec<f64>> = (r.services.iter())
            .filter(|s| s.id.starts_with("site"))
            .map(|s| &s.series.as_ref().expect("a series").failed_share["global"])
            .collect();
        assert_eq!(rows.len(), sites);
        for x in 0..(ttl_min as usize + 3) {
            let (a, b) = ((x as f64).min(ttl_min), ((x + 1) as f64).min(ttl_min));
            let mean_life = (b - a) - (b * b - a * a) / (2.0 * ttl_min);
            let failed = rows.iter().map(|row| row[60 + x]).sum::<f64>() / sites as f64;
            let lookups = trials as f64 * 300.0 * lambda * sites as f64;
            close(
                1.0 - failed,
                fresh * mean_life,
                lookups,
                5.0,
                &format!("{profile}, x={x}"),
            );
        }
    }
}

#[test]
fn timeline_json_is_byte_identical_across_thread_counts() {
    let path = scenario_file("dyn-2016.toml");
    let p = path_str(&path);
    let run_with = |t: &str| {
        let out = run(&[
            "run",
            p,
            "--format",
            "json",
            "--trials",
            "3",
            "--threads",
            t,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let one = run_with("1");
    assert_eq!(one, run_with("2"));
    assert_eq!(one, run_with("8"));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["model"], "timeline");
    assert_eq!(v["horizon_seconds"], 86400.0);
    for key in [
        "failed_share",
        "failed_share_ci95",
        "downtime_minutes",
        "downtime_minutes_ci95",
        "nines",
        "added_latency_ms",
        "regions",
        "series",
    ] {
        assert!(v["services"][0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["services"][0]["series"]["step_seconds"], 300.0);
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
}

/// One trial of 600 services (more than the engine simulates at once, some
/// requiring others, on two providers and both at once, and one whose
/// closure is large enough that its resolvers are split across threads): a
/// trial's services run in parallel, and the bytes do not depend on how
/// many threads share them.
#[test]
fn one_trial_gives_the_same_bytes_on_any_number_of_threads() {
    let mut text = String::from(
        "[simulation]\nmodel = \"timeline\"\ntrials = 1\nhorizon = \"1d\"\n\
         [resolvers]\nper_region = 4\n[[region]]\nid = \"eu\"\n[[region]]\nid = \"us\"\n\
         [[provider]]\nid = \"a\"\n[[provider]]\nid = \"b\"\n\
         [[event]]\nprovider = \"a\"\nstart = \"2h\"\nend = \"4h\"\nloss = 0.7\n\
         [[event]]\nprovider = \"b\"\nstart = \"3h\"\nend = \"5h\"\nregions = [\"us\"]\n",
    );
    for i in 0..600 {
        let dns = ["[\"a\"]", "[\"b\"]", "[\"a\", \"b\"]"][i % 3];
        let requires = if i % 7 == 6 {
            format!("requires = [\"s{}\"]\n", i - 6)
        } else if i == 599 {
            let group: Vec<String> = (0..40).map(|m| format!("\"s{m}\"")).collect();
            format!("requires_any = [[{}]]\n", group.join(", "))
        } else {
            String::new()
        };
        text.push_str(&format!(
            "[[service]]\nid = \"s{i}\"\ndns = {dns}\nttl = 60\nquery_rate = 30\n{requires}"
        ));
    }
    let (_dir, path) = temp_scenario(&text);
    let bytes = |threads: &str| {
        let out = run(&[
            "run",
            path_str(&path),
            "--format",
            "json",
            "--threads",
            threads,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let one = bytes("1");
    assert_eq!(one, bytes("2"));
    assert_eq!(one, bytes("8"));
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    let failing = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["failed_share"].as_f64().unwrap() > 0.0)
        .count();
    assert!(failing > 400, "{failing} services failed some lookups");
}

/// A Dyn-only name through a two-hour event at `loss`, `loss_by` as given,
/// looked up `rate` times an hour with a one-minute TTL: the failed share
/// during the event (spec §3.1, correlated loss).
fn event_share(loss_by: &str, rate: f64, loss: f64) -> f64 {
    let text = format!(
        r#"
[simulation]
model = "timeline"
horizon = "1d"

[resolvers]
per_region = 400

[[provider]]
id = "dyn"

[[service]]
id = "site"
dns = ["dyn"]
ttl = "1m"
query_rate = {rate}

[[event]]
provider = "dyn"
start = "1h"
end = "3h"
loss = {loss}
loss_by = "{loss_by}"
"#
    );
    let report = run_plan(&text, 4, None);
    let region = report.events[0]
        .by_region
        .values()
        .next()
        .expect("a region");
    region.failed_share
}

#[test]
fn resolver_concentrated_loss_fails_the_hit_resolvers_whatever_the_query_rate() {
    // A share `loss` of resolvers loses every query: their clients fail
    // once the cached answer expires, whether they look the name up once a
    // minute or once a second. 1,600 resolvers: a standard error of 0.011.
    let slow = event_share("resolver", 60.0, 0.75);
    let busy = event_share("resolver", 3600.0, 0.75);
    for share in [slow, busy] {
        assert!(
            (share - 0.75).abs() < 0.05,
            "failed share {share}, want about 0.75"
        );
    }
    // The same resolvers are hit in both runs (their draws are keyed by the
    // provider, not the service), so only caching differs.
    assert!((slow - busy).abs() < 0.02, "60/h: {slow}, 3600/h: {busy}");
    // Independent per-query loss is another world: a busy name is answered
    // from cache and by retries more often than a slow one, except at the
    // resolvers whose cache does not help (30%), which fail 0.75³ of their
    // lookups whatever the rate.
    let q_slow = event_share("query", 60.0, 0.75);
    let q_busy = event_share("query", 3600.0, 0.75);
    let floor = 0.3 * 0.75f64.powi(3);
    assert!(
        (q_busy - floor).abs() < 0.03 && q_slow > 1.5 * q_busy,
        "per query: 60/h {q_slow}, 3600/h {q_busy}, floor {floor}"
    );
}

#[test]
fn resolver_concentrated_loss_is_deterministic_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.toml");
    let text = r#"
[simulation]
model = "timeline"
horizon = "1d"
trials = 3

[resolvers]
per_region = 50

[[region]]
id = "us-east"
weight = 0.6

[[region]]
id = "europe"
weight = 0.4

[[provider]]
id = "dyn"
outages_per_year = 200
outage_duration = "30m"
loss = 0.5
loss_by = "resolver"

[[provider]]
id = "ns1"

[[service]]
id = "a"
dns = ["dyn"]
ttl = "5m"

[[service]]
id = "b"
dns = ["dyn", "ns1"]
requires = ["a"]

[[event]]
provider = "dyn"
regions = ["us-east"]
start = "2h"
end = "4h"
loss = 0.8
loss_by = "resolver"
"#;
    std::fs::write(&path, text).unwrap();
    let p = path_str(&path);
    let bytes = |threads: &str| {
        let out = run(&["run", p, "--format", "json", "--threads", threads]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    let one = bytes("1");
    assert_eq!(one, bytes("2"));
    assert_eq!(one, bytes("8"));
}

#[test]
fn each_profile_sets_its_defaults_and_keys_override_them() {
    use dnsim::scenario::{InitialCache, Profile};
    let resolvers = |keys: &str| {
        let text = format!(
            "[resolvers]\n{keys}\n[[provider]]\nid = \"p\"\n[[service]]\nid = \"s\"\ndns = [\"p\"]\n"
        );
        parse_str(std::path::Path::new("plan.toml"), &text)
            .expect("valid plan")
            .resolvers
    };
    let m = resolvers("");
    assert_eq!(m.profile, Profile::Measured);
    assert_eq!((m.cache_share, m.max_queries, m.serve_stale), (0.7, 6, 0.0));
    assert_eq!((m.failure_ttl.0, m.holddown.0), (5_000, 900_000));
    assert!(m.evolve && m.initial_cache == InitialCache::Stationary);
    // The ideal resolver sends exactly the client's tries, whatever they are.
    let i = resolvers("profile = \"ideal\"\nattempts = 2");
    assert_eq!((i.cache_share, i.max_queries, i.attempts), (1.0, 2, 2));
    assert_eq!((i.failure_ttl.0, i.holddown.0), (0, 0));
    assert!(!i.evolve);
    // Keys override the profile; initial_cache turns on caches that carry
    // over the horizon, and serve_stale takes a share.
    let o = resolvers(
        "profile = \"ideal\"\ninitial_cache = \"full\"\nserve_stale = 0.25\nmax_queries = 9",
    );
    assert!(o.evolve && o.initial_cache == InitialCache::Full);
    assert_eq!((o.serve_stale, o.max_queries), (0.25, 9));
    assert_eq!(resolvers("serve_stale = true").serve_stale, 1.0);
    // A measured resolver with more client tries than max_queries' default.
    assert_eq!(resolvers("attempts = 8").max_queries, 8);
}

/// How "site" stands among requirements in [`site_through_an_event`].
#[derive(Clone, Copy, PartialEq)]
enum Site {
    Alone,
    /// It requires "anchor".
    Requiring,
    /// It requires "anchor", and "portal" (which looks nothing up)
    /// requires it.
    Required,
}

/// "site" on "dyn", whose queries are lost with `loss` for 3 hours of a
/// 6-hour horizon, at 500 resolvers with `cache_share`, alone or requiring
/// "anchor" (on a provider that stays up, fresh in every cache that helps)
/// and maybe required by "portal": the event's failed share and
/// authoritative load and the site's added latency, over 8 trials. Alone
/// (or requiring only, for remembered failures), the engine may count
/// lookups in bulk; a name that another requires, and that requires one,
/// stays on the lookup-by-lookup path.
fn site_through_an_event(cache_share: f64, loss: f64, site: Site) -> (f64, f64, f64) {
    let mut requires = String::new();
    if site != Site::Alone {
        requires.push_str("requires = [\"anchor\"]\n");
    }
    if site == Site::Required {
        requires.push_str(
            "[[service]]\nid = \"portal\"\ndns = [\"solid\"]\n\
             query_rate = 0\nweight = 0\nrequires = [\"site\"]\n",
        );
    }
    let text = format!(
        r#"
[simulation]
model = "timeline"
horizon = "6h"

[resolvers]
per_region = 500
cache_share = {cache_share:?}

[[provider]]
id = "dyn"

[[provider]]
id = "solid"

[[service]]
id = "anchor"
dns = ["solid"]
ttl = "7d"
query_rate = 3600
weight = 0

[[service]]
id = "site"
dns = ["dyn"]
ttl = "5m"
query_rate = 60
{requires}

[[event]]
provider = "dyn"
start = "1h"
end = "4h"
loss = {loss:?}
"#
    );
    let report = run_plan(&text, 8, None);
    let site = report.services.iter().find(|s| s.id == "site").unwrap();
    let event = report.events[0].by_region.values().next().unwrap();
    (
        event.failed_share,
        event.authoritative_load.expect("queries reach dyn"),
        site.added_latency_ms,
    )
}

/// A service whose every query is lost, at a caching resolver that
/// remembers failures: the engine runs its resolutions in one go (the
/// failure run) instead of lookup by lookup, alone or with a requirement
/// that stays fresh in cache. Required by another service, it takes the
/// lookup-by-lookup path instead (another name's lookups may resolve it);
/// all must agree, in law, on failures, load and latency.
#[test]
fn remembered_failures_run_in_one_go_agree_with_lookup_by_lookup() {
    let requiring = site_through_an_event(1.0, 1.0, Site::Requiring);
    let (alone, with_requirement) = (
        site_through_an_event(1.0, 1.0, Site::Alone),
        site_through_an_event(1.0, 1.0, Site::Required),
    );
    println!(
        "failure run {alone:?}, with a requirement {requiring:?}, \
         lookup by lookup {with_requirement:?}"
    );
    assert!(
        (requiring.0 - with_requirement.0).abs() < 0.005,
        "failed share"
    );
    assert!(
        (requiring.1 / with_requirement.1 - 1.0).abs() < 0.03,
        "load"
    );
    assert!(
        (requiring.2 / with_requirement.2 - 1.0).abs() < 0.03,
        "latency"
    );
    // 4,000 resolvers through a 3-hour total outage, about 30 remembered
    // failures each: the load is known to about 1%. The failed share is
    // about 0.99 (what the caches held when the outage began), its noise
    // that of the caches' remaining lifetimes.
    assert!((alone.0 - with_requirement.0).abs() < 0.005, "failed share");
    assert!((alone.1 / with_requirement.1 - 1.0).abs() < 0.03, "load");
    assert!((alone.2 / with_requirement.2 - 1.0).abs() < 0.03, "latency");
}

/// A resolver without a cache under partial loss: each lookup of a name
/// that requires nothing, on one provider, is a fresh draw from one law,
/// and the engine counts them in bulk (`timeline/independent.rs`). Give
/// the same service a requirement on a provider that is up and the engine
/// simulates its lookups one by one instead: both must agree, in law, on
/// failures, load and latency, and the failed share must be the closed
/// form's: a lookup fails when its first `attempts` tries are lost, 0.5³.
#[test]
fn independent_lookups_in_bulk_agree_with_lookup_by_lookup_and_the_closed_form() {
    let (bulk, one_by_one) = (
        site_through_an_event(0.0, 0.5, Site::Alone),
        site_through_an_event(0.0, 0.5, Site::Required),
    );
    println!("in bulk {bulk:?}, lookup by lookup {one_by_one:?}");
    // 500 resolvers × 60 lookups an hour × 3 hours × 8 trials: 720,000
    // lookups in the event, so a failed share of 0.125 is known to within
    // √(0.125 / 720,000) ≈ 0.0004 (four of those allowed), and load and
    // latency (1.97 queries and 0.875 lost tries a lookup) to well under 1%.
    let se = (0.125f64 / 720_000.0).sqrt();
    for (what, share) in [("in bulk", bulk.0), ("lookup by lookup", one_by_one.0)] {
        assert!(
            (share - 0.125).abs() < 4.0 * se,
            "{what}: failed share {share}"
        );
    }
    assert!((bulk.1 / one_by_one.1 - 1.0).abs() < 0.02, "load");
    assert!((bulk.2 / one_by_one.2 - 1.0).abs() < 0.02, "latency");
    // Closed forms: Σ 0.5^i for i < 6 queries a lookup (one before), and
    // (0.5 + 0.25 + 0.125) lost tries of 800 ms a lookup in half the
    // horizon.
    for (what, (_, load, latency)) in [("in bulk", bulk), ("lookup by lookup", one_by_one)] {
        assert!((load / 1.96875 - 1.0).abs() < 0.01, "{what}: load {load}");
        assert!(
            (latency / 350.0 - 1.0).abs() < 0.01,
            "{what}: latency {latency}"
        );
    }
}

/// The load on provider `p` and the failed share through four trials of a
/// four-hour event on it (`loss`: its keys), with 100 resolvers whose
/// cache helps as `cache_share` says, looking up `services` (all on `p`).
fn event_load(cache_share: &str, services: &str, loss: &str) -> (f64, f64) {
    let text = format!(
        r#"
[simulation]
model = "timeline"
horizon = "1d"

[resolvers]
per_region = 100
cache_share = {cache_share}

[[provider]]
id = "p"
{services}
[[event]]
provider = "p"
start = "2h"
end = "6h"
{loss}
"#
    );
    let report = run_plan(&text, 4, None);
    let event = report.events[0].by_region.values().next().unwrap();
    let load = event.authoritative_load.expect("queries reach p");
    (load, event.failed_share)
}

/// A resolver whose cache does not help resolves every name a lookup
/// needs, each with a query: a lookup of "a", which requires "b", which
/// requires "c", sends three. Through an event that hits no resolver
/// (`loss_by = "resolver"`, a loss of one in a million), every first try
/// is answered, the engine counts the lookups in bulk, and the load on the
/// provider stays what it is without the event: 1. (It was once 0.5: the
/// three names' first tries shared one query a lookup between them.)
#[test]
fn a_lookup_sends_a_query_for_each_name_it_resolves() {
    let chain = r#"
[[service]]
id = "a"
dns = ["p"]
requires = ["b"]

[[service]]
id = "b"
dns = ["p"]
requires = ["c"]

[[service]]
id = "c"
dns = ["p"]
"#;
    let (load, failed) = event_load("0.0", chain, "loss = 0.000001\nloss_by = \"resolver\"");
    // 100 resolvers × 4 trials × 4 hours × 60 lookups an hour of each name
    // (96,000 each, 288,000 queries to `p` in all): the load is known to
    // well under 1%.
    assert!((load - 1.0).abs() < 0.02, "load {load}");
    assert_eq!(failed, 0.0);
}

/// An event that loses nothing is simulated like any other: its load is
/// what the lookups send with no outage, 1 (it was once 0: no lookup was
/// simulated during it, so none was counted).
#[test]
fn an_event_that_loses_nothing_reports_the_normal_load() {
    for share in ["0.0", "1.0"] {
        let (load, failed) = event_load(
            share,
            "[[service]]\nid = \"a\"\ndns = [\"p\"]\n",
            "loss = 0",
        );
        // Without caches, 100 resolvers × 4 trials × 4 hours × 60 lookups
        // an hour: 96,000 queries; with them, one per expiry, about 16,000.
        // Either way the load is known to well under 1%.
        assert!(
            (load - 1.0).abs() < 0.02,
            "cache_share {share}: load {load}"
        );
        assert_eq!(failed, 0.0);
    }
}

/// `--event` is the same incident as an `[[event]]` written in the file:
/// same figures, same bytes of every service row.
#[test]
fn an_event_from_the_command_line_is_the_event_written_in_the_file() {
    let base = scenario_file("incidents/azure-dns-2021.toml");
    let text = std::fs::read_to_string(&base).unwrap();
    let (_dir, written) = temp_scenario(&format!(
        "{text}\n[[event]]\nprovider = \"azure-dns\"\nregions = [\"europe\"]\nstart = \"23:00\"\nend = \"23:30\"\nloss = 0.5\n"
    ));
    let args = ["--format", "json", "--trials", "4", "--series", "off"];
    let from_file = run(&[&["run", path_str(&written)][..], &args].concat());
    let from_flag = run(&[
        &[
            "run",
            path_str(&base),
            "--event",
            "azure-dns@europe=23:00-23:30:50%",
        ][..],
        &args,
    ]
    .concat());
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!(from_flag.code, 0, "{}", from_flag.stderr);
    let services = |out: &str| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        serde_json::json!([v["services"], v["events"]])
    };
    assert_eq!(services(&from_file.stdout), services(&from_flag.stdout));
    let v: serde_json::Value = serde_json::from_str(&from_flag.stdout).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
}

#[test]
fn a_bad_event_flag_is_named_in_its_error() {
    let azure = scenario_file("incidents/azure-dns-2021.toml");
    for (flag, says) in [
        ("azure-dns", "expected PROVIDER[@REGION]=START-END[:LOSS]"),
        ("azure-dns=whenever", "no START-END window"),
        ("azur-dns=23:00-23:30", "did you mean \"azure-dns\""),
        ("azure-dns@mars=23:00-23:30", "unknown region \"mars\""),
        ("azure-dns=23:00-25:30", "not a time of day"),
        ("azure-dns=23:30-23:00", "before or when it starts"),
    ] {
        let out = run(&["run", path_str(&azure), "--event", flag]);
        assert_eq!(out.code, 2, "{flag}");
        assert!(
            out.stderr
                .starts_with(&format!("error: --event: \"{flag}\""))
                && out.stderr.contains(says),
            "{flag}: {}",
            out.stderr
        );
    }
    // Two bad flags: both said, each at its flag (the second was lost).
    let out = run(&[
        "run",
        path_str(&azure),
        "--event",
        "nope=23:00-23:30",
        "--event",
        "nada=23:00-23:30",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("error: --event: \"nope=23:00-23:30\": unknown provider \"nope\"")
            && out
                .stderr
                .contains("error: --event: \"nada=23:00-23:30\": unknown provider \"nada\""),
        "{}",
        out.stderr
    );
    let snapshot = run(&[
        "run",
        path_str(&azure),
        "--model",
        "snapshot",
        "--event",
        "azure-dns=23:00-23:30",
    ]);
    assert_eq!(snapshot.code, 2);
    assert!(
        snapshot.stderr.contains("--fail ID[@REGION]"),
        "{}",
        snapshot.stderr
    );
}

/// `--set` is the same plan as the file edited by hand.
#[test]
fn a_set_flag_is_the_file_edited() {
    let base = scenario_file("incidents/facebook-2021.toml");
    let text = std::fs::read_to_string(&base).unwrap();
    let edited = text
        .replace(
            "per_region = 100\n",
            "per_region = 100\nserve_stale = true\n",
        )
        .replace(
            "id = \"facebook.com\"\ndns = [\"facebook-ns\"]\nttl = 300",
            "id = \"facebook.com\"\ndns = [\"facebook-ns\"]\nttl = \"1d\"",
        );
    assert_ne!(edited, text);
    let (_dir, by_hand) = temp_scenario(&edited);
    let args = ["--format", "json", "--trials", "3"];
    let a = run(&[&["run", path_str(&by_hand)][..], &args].concat());
    let b = run(&[
        &[
            "run",
            path_str(&base),
            "--set",
            "resolvers.serve_stale=true",
            "--set",
            "service.facebook.com.ttl=1d",
        ][..],
        &args,
    ]
    .concat());
    assert_eq!(a.code, 0, "{}", a.stderr);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let services =
        |out: &str| serde_json::from_str::<serde_json::Value>(out).unwrap()["services"].clone();
    assert_eq!(services(&a.stdout), services(&b.stdout));
}

#[test]
fn a_bad_set_flag_is_named_and_other_errors_keep_their_line() {
    let fb = scenario_file("incidents/facebook-2021.toml");
    for (flag, says) in [
        ("serve_stale", "expected KEY=VALUE"),
        ("service.ttl=1", "expected KEY=VALUE with KEY as"),
        ("service.nope.ttl=1h", "no [[service]] \"nope\""),
        ("service.facebook.com.ttl=-5", "negative"),
        (
            "resolvers.serve_stale=maybe",
            "expected true, false or a share",
        ),
        ("resolvers.serve_stail=true", "unknown"),
    ] {
        let out = run(&["run", path_str(&fb), "--set", flag]);
        assert_eq!(out.code, 2, "{flag}");
        assert!(
            out.stderr.starts_with(&format!("error: --set: \"{flag}\""))
                && out.stderr.contains(says),
            "{flag}: {}",
            out.stderr
        );
    }
    // A new key inserted above a mistake of the file: the mistake is still
    // reported at its own line.
    let (_dir, path) = temp_scenario(
        "[simulation]\nmodel = \"timeline\"\n\n[[provider]]\nid = \"p\"\n\n[[service]]\nid = \"s\"\ndns = [\"p\"]\nttl = \"soon\"\n",
    );
    let plain = run(&["run", path_str(&path)]);
    let set = run(&[
        "run",
        path_str(&path),
        "--set",
        "simulation.seed=7",
        "--set",
        "provider.p.loss=0.5",
    ]);
    assert_eq!(plain.code, 2);
    assert!(plain.stderr.contains(":10:"), "{}", plain.stderr);
    assert_eq!(plain.stderr, set.stderr);
}

/// Wall-clock minutes beside the lookup-weighted downtime: a total
/// two-hour outage of the only provider fills 24 five-minute steps over
/// 50% (the first step too: a one-minute TTL shields under a tenth of
/// it); a 30% loss with three tries fails 2.7% of the resolutions, which is
/// downtime in lookups but never a step over 10%.
#[test]
fn wall_clock_minutes_count_steps_over_10_and_50_percent() {
    let text = |loss: f64| {
        format!(
            "[simulation]\nmodel = \"timeline\"\nhorizon = \"1d\"\n\
             [resolvers]\nprofile = \"ideal\"\nper_region = 20\n\
             [[provider]]\nid = \"p\"\n\
             [[service]]\nid = \"www\"\ndns = [\"p\"]\nttl = \"1m\"\nquery_rate = 600\n\
             [[event]]\nprovider = \"p\"\nstart = \"11:00\"\nend = \"13:00\"\nloss = {loss}\n"
        )
    };
    let total = run_plan(&text(1.0), 20, Some(300));
    let w = total.services[0]
        .wall_clock
        .clone()
        .expect("a series, so wall-clock");
    assert_eq!(
        (
            w.minutes_over_10pct,
            w.minutes_over_50pct,
            w.longest_over_50pct_minutes
        ),
        (120.0, 120.0, 120.0)
    );
    assert!(total.services[0].downtime_minutes < 120.0);
    let partial = run_plan(&text(0.3), 20, Some(300));
    let row = &partial.services[0];
    let w = row.wall_clock.clone().unwrap();
    assert!(row.downtime_minutes > 0.1, "{}", row.downtime_minutes);
    assert_eq!((w.minutes_over_10pct, w.minutes_over_50pct), (0.0, 0.0));
    // No series, no wall-clock measures.
    let none = run_plan(&text(1.0), 2, Some(0));
    assert!(none.services[0].wall_clock.is_none());
}

/// `regional_outages_per_year`: random outages of one region only, in the
/// timeline; the snapshot model reads the same rate as a regional chance
/// (rate × mean duration ÷ a year) when the file gives none.
#[test]
fn regional_random_outages_strike_their_region_only() {
    let text = "[simulation]\nmodel = \"timeline\"\nhorizon = \"30d\"\n\
                [resolvers]\nprofile = \"ideal\"\nper_region = 5\n\
                [[region]]\nid = \"eu\"\n[[region]]\nid = \"us\"\n\
                [[provider]]\nid = \"p\"\nregional_outages_per_year = { eu = 50 }\noutage_duration = \"1h\"\n\
                [[service]]\nid = \"www\"\ndns = [\"p\"]\nttl = \"1m\"\n";
    let report = run_plan(text, 20, None);
    let row = &report.services[0];
    assert!(
        row.regions["eu"].downtime_minutes > 1.0,
        "{:?}",
        row.regions["eu"]
    );
    assert_eq!(row.regions["us"].downtime_minutes, 0.0);
    let scenario = parse_str(std::path::Path::new("plan.toml"), text).unwrap();
    let p = &scenario.providers[0];
    assert_eq!(p.regional_p_outage.len(), 1);
    assert_eq!(p.regional_p_outage[0].0, 0);
    assert!((p.regional_p_outage[0].1 - 50.0 / 8760.0).abs() < 1e-12);
    assert_eq!(p.p_outage, 0.0);
}

/// What the estimate before a run counts as busy threads
/// (`Prepared::timeline_work`): a trial runs its components at once, and a
/// component of 32 names or more its resolvers too, so one trial of a long
/// chain keeps every core busy, and twice the trials twice the pieces.
#[test]
fn a_trial_has_a_piece_a_component_and_a_resolver_of_a_large_one() {
    use dnsim::run::{Job, Prepared};
    use dnsim::scenario::ModelKind;
    let mut text = String::from(
        "[simulation]\nmodel = \"timeline\"\nhorizon = \"30d\"\n\
         [resolvers]\nper_region = 7\n\
         [[provider]]\nid = \"p\"\noutages_per_year = 12\n",
    );
    let mut service = |id: String, requires: Option<String>| {
        text.push_str(&format!("[[service]]\nid = \"{id}\"\ndns = [\"p\"]\n"));
        if let Some(r) = requires {
            text.push_str(&format!("requires = [\"{r}\"]\n"));
        }
    };
    // A chain of 40 (one component, split by resolvers), three names
    // alone and a pair: 7 + 3 + 1 pieces.
    for i in 0..40 {
        service(format!("c{i}"), (i > 0).then(|| format!("c{}", i - 1)));
    }
    for i in 0..3 {
        service(format!("alone{i}"), None);
    }
    service("a".into(), None);
    service("b".into(), Some("a".into()));
    let scenario = parse_str(std::path::Path::new("pieces.toml"), &text).expect("valid plan");
    for (trials, pieces) in [(1, 11), (2, 22)] {
        let job = Job {
            model: ModelKind::Timeline,
            options: RunOptions {
                trials: Some(trials),
                seed: Some(1),
                forcing: Forcing::default(),
            },
            series_step: None,
        };
        let prepared = Prepared::new(&scenario, job).expect("prepares");
        let (work, got) = prepared.timeline_work(None).expect("a timeline run");
        assert!(work > 0.0, "{work}");
        assert_eq!(got, pieces, "{trials} trial(s)");
    }
}
