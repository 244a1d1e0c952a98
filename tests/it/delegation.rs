//! The delegation chain (`[[service]] parent`): a resolver whose NS set for
//! a zone has expired needs its parent's referral. The snapshot model
//! weights that by the share of lookups whose NS set is cold
//! (`Scenario::cold_ns_share`); the timeline model keeps an NS cache per
//! resolver.

use proptest::prelude::*;

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::engine::{self, RunConfig};
use dnsim::forcing::Forcing;
use dnsim::model::Model;
use dnsim::scenario::{Parent, Scenario, parse_str};

use super::engine::engine_matches_scalar;
use super::plans::{exact, random_plan, service_index, small_plans, with_parents};

fn plan(text: &str) -> Scenario {
    parse_str(std::path::Path::new("plan.toml"), text).expect("a valid plan")
}

fn exact_p(scenario: &Scenario, id: &str) -> f64 {
    let options = AnalyzeOptions {
        order: 1,
        max_bdd_nodes: analysis::DEFAULT_MAX_BDD_NODES,
        trials: 10_000,
        seed: 1,
    };
    let report = analysis::analyze(scenario, &options);
    report
        .services
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.p_unreachable)
        .expect("the service is analysed")
}

/// A TLD provider down 30% of the time and a child zone on a host that
/// never fails: the child is unreachable exactly when its NS set is cold
/// and the TLD is down.
const CHILD: &str = r#"
[[provider]]
id = "tld"
p_outage = 0.3
[[provider]]
id = "host"
p_outage = 0.0
[[service]]
id = "acme.example"
dns = ["host"]
parent = "tld"
"#;

#[test]
fn a_child_zone_goes_down_with_its_parent_for_the_share_of_cold_ns_caches() {
    // Never looked up: every resolver's NS set is cold.
    let cold = plan(&format!("{CHILD}query_rate = 0\n"));
    assert_eq!(cold.cold_ns_share(&cold.services[0]), 1.0);
    assert!((exact_p(&cold, "acme.example") - 0.3).abs() < 1e-12);
    // Looked up every second with a 1-minute TTL, NS sets kept two days by
    // every resolver, each with a cache that helps: almost never cold.
    let warm = plan(&format!(
        "[resolvers]\nprofile = \"ideal\"\nparent_centric_share = 0\nmax_cache_ttl = \"7d\"\n{CHILD}\
         query_rate = 3600\nttl = \"1m\"\nns_ttl = \"2d\"\n"
    ));
    let share = warm.cold_ns_share(&warm.services[0]);
    // Resolutions once a minute and a second: m = λ/(1 + λT).
    let m = 1.0 / (1.0 + 60.0);
    assert!((share - 1.0 / (1.0 + m * 172_800.0)).abs() < 1e-15);
    assert!(share < 4e-4, "{share}");
    assert!((exact_p(&warm, "acme.example") - 0.3 * share).abs() < 1e-12);
    // The measured profile: 30% of lookups miss every cache, so need the
    // referral whatever the NS TTL.
    let measured = plan(&format!("{CHILD}query_rate = 3600\nttl = \"1m\"\n"));
    assert!(measured.cold_ns_share(&measured.services[0]) > 0.3);
    // Without a parent, nothing of this.
    let orphan = plan(&CHILD.replace("parent = \"tld\"\n", ""));
    assert_eq!(exact_p(&orphan, "acme.example"), 0.0);
}

#[test]
fn a_grandparent_matters_when_both_ns_sets_are_cold() {
    // shop.acme.example's parent is acme.example (on host, which never
    // fails), whose parent is the TLD. Both never looked up: both NS sets
    // cold, so the TLD's outage takes the shop down through acme's
    // referral.
    let text = format!(
        "{CHILD}query_rate = 0\n[[service]]\nid = \"shop.acme.example\"\ndns = [\"host\"]\n\
         parent = \"acme.example\"\nquery_rate = 0\n"
    );
    let s = plan(&text);
    assert_eq!(
        s.services[1].parent(),
        Some(Parent::Service(0)),
        "parent resolved to the service"
    );
    assert!((exact_p(&s, "shop.acme.example") - 0.3).abs() < 1e-12);
    // acme's NS set almost always warm: the shop survives the TLD's outage
    // (its own referral comes from host).
    let warm_acme = text.replacen(
        "parent = \"tld\"\nquery_rate = 0\n",
        "parent = \"tld\"\nquery_rate = 3600\nttl = \"1m\"\nns_ttl = \"2d\"\n",
        1,
    );
    let s = plan(&format!(
        "[resolvers]\nprofile = \"ideal\"\nparent_centric_share = 0\nmax_cache_ttl = \"7d\"\n{warm_acme}"
    ));
    assert!(exact_p(&s, "shop.acme.example") < 2e-4);
}

#[test]
fn monte_carlo_with_parents_agrees_with_exact_enumeration() {
    let mut checked = 0;
    for (seed, scenario, _, _) in small_plans(3000, 60, (0.05, 0.4), 16) {
        if scenario.regions.len() > 1 {
            continue;
        }
        let scenario = with_parents(scenario, seed);
        let model = Model::compile(&scenario, &Forcing::default()).unwrap();
        if model.events.len() > 16 {
            continue;
        }
        let truth = exact(&scenario, &model);
        let trials = 20_000;
        let tally = engine::run(&model, RunConfig { trials, seed }, &|_| {});
        for (s, &node) in model.service_node.iter().enumerate() {
            let p = truth[s][0];
            let est = tally.down[node as usize] as f64 / trials as f64;
            let se = (p * (1.0 - p) / trials as f64).sqrt().max(1e-9);
            assert!(
                (est - p).abs() <= 5.0 * se + 1e-12,
                "plan {seed} service {s}: {est} vs exact {p}"
            );
            // The exact analysis (decision diagrams) agrees with
            // enumeration.
            let id = &scenario.services[s].id;
            let a = exact_p(&scenario, id);
            assert!(
                (a - p).abs() < 1e-9,
                "plan {seed} {id}: analysis {a} vs {p}"
            );
            assert_eq!(service_index(&scenario, id), s);
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} services checked");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// With parents, the fast engine and the scalar evaluator (which
    /// follows the parents itself) agree exactly on the same draws.
    #[test]
    fn fast_engine_matches_scalar_evaluator_with_parents(
        seed in 0u64..10_000,
        providers in 1usize..6,
        regions in 1usize..4,
        services in 1usize..12,
        trials in 1u64..5000,
    ) {
        let scenario = with_parents(random_plan(seed, providers, regions, services, (0.0, 0.4)), seed);
        engine_matches_scalar(&scenario, RunConfig { trials, seed })?;
    }
}

/// A timeline day: the TLD out from 11:00 to 13:00, the child zone on a
/// host that stays up, looked up 600 times an hour per resolver with a
/// one-minute TTL; `resolvers` and `ns` fill in the rest.
fn timeline_plan(resolvers: &str, ns: &str) -> String {
    format!(
        "[simulation]\nmodel = \"timeline\"\nhorizon = \"1d\"\n\
         [resolvers]\nper_region = 20\ncache_share = 1\n{resolvers}\n\
         [[region]]\nid = \"eu\"\n[[provider]]\nid = \"tld\"\n[[provider]]\nid = \"host\"\n\
         [[service]]\nid = \"acme.example\"\ndns = [\"host\"]\nparent = \"tld\"\nttl = \"1m\"\n\
         query_rate = 600\n{ns}\n\
         [[event]]\nprovider = \"tld\"\nstart = \"11:00\"\nend = \"13:00\"\n"
    )
}

fn downtime(text: &str, trials: u64) -> (f64, [f64; 2]) {
    let scenario = plan(text);
    let options = dnsim::run::RunOptions {
        trials: Some(trials),
        seed: Some(5),
        forcing: Forcing::default(),
    };
    let report = dnsim::run::timeline(&scenario, &options, None, &|_| {}).expect("runs");
    let row = &report.services[0];
    (row.downtime_minutes, row.downtime_minutes_ci95)
}

/// The issue's test: with cold NS caches the child zone goes down with its
/// parent's providers; with warm, fresh ones it rides out the parent's
/// two-hour outage. Cold: caches empty when the TLD goes out at t = 0.
/// Warm and fresh: NS sets cached at t = 0 for two days, the TLD out at
/// 11:00; or caches empty at t = 0 and the name looked up (so its NS set
/// fetched) in the eleven quiet hours before.
#[test]
fn timeline_a_child_zone_goes_down_with_its_parent_when_ns_caches_are_cold() {
    let ns = "ns_ttl = \"2d\"\ndelegation_ttl = \"2d\"";
    let at_zero = |text: String| {
        text.replace(
            "start = \"11:00\"\nend = \"13:00\"",
            "start = \"00:00\"\nend = \"02:00\"",
        )
    };
    let (cold, _) = downtime(&at_zero(timeline_plan("initial_cache = \"empty\"", ns)), 20);
    // Shares divide by the expected lookups: a hair either side of 120.
    assert!((cold - 120.0).abs() < 1.0, "cold: {cold} min");
    let (warm, ci) = downtime(&timeline_plan("initial_cache = \"full\"", ns), 20);
    assert_eq!((warm, ci), (0.0, [0.0, 0.0]), "warm and fresh");
    let (warmed, _) = downtime(&timeline_plan("initial_cache = \"empty\"", ns), 20);
    assert_eq!(warmed, 0.0, "fetched in the quiet hours");
    // A grandchild on the same host, whose parent is the child: its
    // referral needs the child's NS set, cold too, so the TLD.
    let grandchild = format!(
        "{}[[service]]\nid = \"shop.acme.example\"\ndns = [\"host\"]\nparent = \"acme.example\"\n\
         ttl = \"1m\"\nquery_rate = 600\n{ns}\n",
        at_zero(timeline_plan("initial_cache = \"empty\"", ns))
    );
    let scenario = plan(&grandchild);
    let options = dnsim::run::RunOptions {
        trials: Some(20),
        seed: Some(5),
        forcing: Forcing::default(),
    };
    let report = dnsim::run::timeline(&scenario, &options, None, &|_| {}).expect("runs");
    let shop = report
        .services
        .iter()
        .find(|s| s.id == "shop.acme.example")
        .unwrap();
    assert!(
        shop.downtime_minutes > 118.0,
        "grandchild: {}",
        shop.downtime_minutes
    );
    // Without the parent, the TLD's outage is nothing to the child.
    let orphan = timeline_plan("initial_cache = \"empty\"", ns).replace("parent = \"tld\"\n", "");
    assert_eq!(downtime(&orphan, 20).0, 0.0);
}

/// The ideal resolver's closed form: an NS set (10 minutes) fresh at the
/// outage's start with probability q = mT'/(1 + mT') on the resolutions'
/// rate m = λ/(1 + λT), then good for a uniform remaining life; after it,
/// the cached answer (fresh with probability λT/(1 + λT), a uniform
/// remaining life) is all there is. Expected minutes down over the two
/// hours: 120 − (q·T'/2 + λT/(1 + λT)·T/2) / 60.
#[test]
fn timeline_ns_expiry_under_a_parent_outage_follows_the_closed_form() {
    let text = timeline_plan(
        "profile = \"ideal\"\nparent_centric_share = 0",
        "ns_ttl = \"10m\"",
    );
    let (got, ci) = downtime(&text, 200);
    let (lambda, ttl, ns_ttl) = (600.0 / 3600.0, 60.0, 600.0);
    let m = lambda / (1.0 + lambda * ttl);
    let q = m * ns_ttl / (1.0 + m * ns_ttl);
    let fresh = lambda * ttl / (1.0 + lambda * ttl);
    let want = 120.0 - (q * ns_ttl / 2.0 + fresh * ttl / 2.0) / 60.0;
    assert!(
        ci[0] - 0.05 <= want && want <= ci[1] + 0.05,
        "{got} min, 95% interval {ci:?}, closed form {want}"
    );
}
