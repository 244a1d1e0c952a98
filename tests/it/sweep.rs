//! `dnsim sweep`: every point is the run of the plan with its `--set`
//! values; table, CSV, JSON and the HTML heat map.

use dnsim::results::{SweepReport, TimelineReport};

use crate::support::{path_str, run, scenario_file};

fn ns1() -> String {
    path_str(&scenario_file("incidents/ns1-2016.toml")).to_string()
}

const VARY: [&str; 4] = [
    "--vary",
    "service.yelp.com.ttl=1m,1d",
    "--vary",
    "event.1.loss=0.25,1",
];

fn json(extra: &[&str]) -> (String, SweepReport) {
    let plan = ns1();
    let out = run(&[
        &["sweep", &plan, "--format", "json", "--trials", "3"][..],
        &VARY,
        extra,
    ]
    .concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = serde_json::from_str(&out.stdout).unwrap();
    (out.stdout, r)
}

#[test]
fn every_point_is_the_run_with_its_values_set() {
    let (_, r) = json(&[]);
    assert_eq!(r.points.len(), 4);
    assert_eq!(r.measure, "downtime_minutes");
    for p in &r.points {
        let plan = ns1();
        let ttl = format!("service.yelp.com.ttl={}", p.values[0]);
        let loss = format!("event.1.loss={}", p.values[1]);
        let out = run(&[
            "run", &plan, "--format", "json", "--trials", "3", "--set", &ttl, "--set", &loss,
        ]);
        let ran: TimelineReport = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(p.figure, ran.summary.downtime_minutes, "{:?}", p.values);
    }
    // More loss, more downtime; a longer TTL, less.
    let at = |ttl: &str, loss: &str| {
        r.points
            .iter()
            .find(|p| p.values == [ttl, loss])
            .unwrap()
            .figure
    };
    assert!(at("1m", "1") > at("1m", "0.25"));
    assert!(at("1d", "1") < at("1m", "1"));
}

#[test]
fn sweep_bytes_do_not_depend_on_threads() {
    assert_eq!(json(&["--threads", "1"]).0, json(&["--threads", "2"]).0);
}

#[test]
fn csv_and_html_heat_map() {
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("sweep.html");
    let plan = ns1();
    let out = run(&[
        &[
            "sweep",
            &plan,
            "--format",
            "csv",
            "--trials",
            "2",
            "--html",
            path_str(&html),
        ][..],
        &VARY,
    ]
    .concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "service.yelp.com.ttl,event.1.loss,downtime_minutes,worst_service,worst_downtime_minutes"
    );
    assert_eq!(lines.len(), 5);
    let text = std::fs::read_to_string(&html).unwrap();
    let ids = crate::html::check_self_contained(&text, "sweep.html");
    assert!(ids.iter().any(|i| i == "heat-map") && ids.iter().any(|i| i == ".heat-map"));
    assert_eq!(text.matches("<rect ").count(), 4);
}

#[test]
fn a_bad_sweep_is_refused_before_any_run() {
    let plan = ns1();
    for (args, says) in [
        (
            vec!["--vary", "service.yelp.com.ttl"],
            "--vary: \"service.yelp.com.ttl\": expected KEY=V1,V2",
        ),
        (
            vec!["--vary", "service.yelp.com.ttl=1m,,1h"],
            "no empty value",
        ),
        (
            vec!["--vary", "service.nobody.ttl=1m,1h"],
            "--set: \"service.nobody.ttl=1m\": no [[service]]",
        ),
        (
            vec![
                "--vary",
                "resolvers.per_region=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21",
                "--vary",
                "event.1.loss=0,0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95",
            ],
            "more than the 400",
        ),
    ] {
        let out = run(&[&["sweep", plan.as_str()][..], &args].concat());
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
}
