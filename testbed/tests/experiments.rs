//! The experiment files: every one is a dnsim scenario the testbed can
//! run, and a scenario that is not an experiment is refused, saying why.
//! (No servers needed.)

use std::path::Path;

use dnsim_testbed::experiment::{Experiment, INSTANCES_UNDER_RESOLVER_LOSS};

#[test]
fn every_bundled_experiment_loads_and_maps_to_the_testbed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut loaded = 0;
    for entry in std::fs::read_dir(&dir).expect("experiments/") {
        let path = entry.expect("an entry").path();
        let exp = Experiment::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        // The real side stands for dnsim's per_region (resolver, name) pairs.
        assert_eq!(
            exp.instances * exp.names,
            exp.scenario.resolvers.per_region,
            "{}",
            exp.name
        );
        let by_resolver = exp.losses.iter().any(|l| l.by_resolver);
        assert_eq!(
            exp.instances,
            if by_resolver {
                INSTANCES_UNDER_RESOLVER_LOSS
            } else {
                1
            }
        );
        assert!(exp.baseline_queries() > 0.0);
        loaded += 1;
    }
    assert!(loaded >= 8, "the issue asks for at least 8 experiments");
}

#[test]
fn a_scenario_that_is_not_an_experiment_is_refused() {
    let quickstart = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    let err = Experiment::load(&quickstart).expect_err("quickstart is no experiment");
    let text = format!("{err:#}");
    assert!(
        text.contains("not a testbed experiment") && text.contains("quickstart.toml"),
        "{text}"
    );
}
