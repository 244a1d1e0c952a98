//! The incident library (`scenarios/incidents/`): each file's sourced facts
//! pinned (windows in UTC, the provider, the regions, the loss and how it
//! falls, who is delegated to the provider), so that an edit that drifts
//! from the sources cited in the file fails here; and every incident
//! replays.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dnsim::scenario::{EventTarget, LossBy, Scenario, load};

use crate::support::{path_str, run, scenario_file};

/// What a file must say of its incident, from the sources in its comments.
struct Facts {
    file: &'static str,
    provider: &'static str,
    /// Empty: every region of the file.
    regions: &'static [&'static str],
    start: &'static str,
    end: &'static str,
    loss: f64,
    loss_by: LossBy,
    /// Services delegated to the provider alone, named by the sources.
    delegated: &'static [&'static str],
    /// A word every listed source must contain (the provider's or the
    /// reporter's site), so that the sources stay the ones the facts are from.
    sources: &'static [&'static str],
}

const INCIDENTS: &[Facts] = &[
    Facts {
        file: "incidents/facebook-2021.toml",
        provider: "facebook-ns",
        regions: &[],
        // Kentik via Krebs: 15:39 UTC; Wikipedia: DNS back at 21:05 UTC.
        start: "2021-10-04T15:39:00Z",
        end: "2021-10-04T21:05:00Z",
        loss: 1.0,
        loss_by: LossBy::Query,
        delegated: &[
            "facebook.com",
            "instagram.com",
            "whatsapp.net",
            "messenger.com",
        ],
        sources: &[
            "engineering.fb.com",
            "krebsonsecurity",
            "wikipedia",
            "cloudflare",
        ],
    },
    Facts {
        file: "incidents/route53-2019.toml",
        provider: "aws-dns",
        regions: &["us-west", "us-east"],
        // AWS: 10:30 AM to 6:30 PM PDT; Catchpoint: 50% packet loss.
        start: "2019-10-22T17:30:00Z",
        end: "2019-10-23T01:30:00Z",
        loss: 0.5,
        loss_by: LossBy::Query,
        delegated: &["assets.s3.amazonaws.com"],
        sources: &["cpomagazine", "catchpoint"],
    },
    Facts {
        file: "incidents/akamai-2021.toml",
        provider: "akamai-edge",
        regions: &[],
        // Akamai: 15:46 UTC; fix at about 12:45 pm ET.
        start: "2021-07-22T15:46:00Z",
        end: "2021-07-22T16:45:00Z",
        loss: 1.0,
        loss_by: LossBy::Query,
        delegated: &["e1234.a.akamaiedge.net"],
        sources: &["Akamai", "nanog", "thetechportal"],
    },
    Facts {
        file: "incidents/azure-dns-2021.toml",
        provider: "azure-dns",
        regions: &[],
        // Microsoft's RCA: 21:21 to 22:00 UTC, multiple regions. The loss is
        // the file's illustrative 0.8 (Microsoft gives none).
        start: "2021-04-01T21:21:00Z",
        end: "2021-04-01T22:00:00Z",
        loss: 0.8,
        loss_by: LossBy::Query,
        delegated: &["portal.azure.com", "xboxlive.com", "dynamics.com"],
        sources: &["puck.nether.net", "zdnet"],
    },
    Facts {
        file: "incidents/ns1-2016.toml",
        provider: "ns1",
        regions: &["north-america", "europe"],
        // ThousandEyes: over 50% of agents, Europe and North America; the
        // hour and the two hours are the file's illustrative reading.
        start: "2016-05-16T16:00:00Z",
        end: "2016-05-16T18:00:00Z",
        loss: 0.5,
        loss_by: LossBy::Resolver,
        delegated: &["yelp.com", "alexa.com"],
        sources: &["thousandeyes", "securityweek"],
    },
];

fn utc(text: &str) -> SystemTime {
    humantime::parse_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The wall-clock time of an offset from the scenario's `simulation.start`.
fn wall_clock(s: &Scenario, offset: dnsim::duration::Millis) -> SystemTime {
    let start = s
        .simulation
        .start_unix
        .expect("an incident names its start");
    UNIX_EPOCH + Duration::from_secs(start as u64) + Duration::from_millis(offset.0)
}

fn provider_index(s: &Scenario, id: &str) -> u32 {
    s.providers
        .iter()
        .position(|p| p.id == id)
        .unwrap_or_else(|| panic!("no provider {id}")) as u32
}

#[test]
fn every_incident_says_what_its_sources_say() {
    for facts in INCIDENTS {
        let s = load(&scenario_file(facts.file)).unwrap_or_else(|e| panic!("{}: {e}", facts.file));
        let what = facts.file;
        assert!(
            s.simulation.model == dnsim::scenario::ModelKind::Timeline,
            "{what}: replayed in the timeline model"
        );
        assert_eq!(s.events.len(), 1, "{what}: one event");
        let event = &s.events[0];
        let provider = provider_index(&s, facts.provider);
        assert!(
            matches!(event.target, EventTarget::Provider(p) if p == provider),
            "{what}: the event's provider"
        );
        assert_eq!(
            wall_clock(&s, event.start),
            utc(facts.start),
            "{what}: start"
        );
        assert_eq!(wall_clock(&s, event.end), utc(facts.end), "{what}: end");
        assert!(
            wall_clock(&s, s.simulation.horizon) > utc(facts.end),
            "{what}: the horizon holds the event"
        );
        assert_eq!(event.loss, facts.loss, "{what}: loss");
        assert_eq!(event.loss_by, facts.loss_by, "{what}: loss_by");
        let mut regions: Vec<&str> = event
            .regions
            .iter()
            .map(|&r| s.regions[r as usize].id.as_str())
            .collect();
        let mut expected: Vec<&str> = if facts.regions.is_empty() {
            s.regions.iter().map(|r| r.id.as_str()).collect()
        } else {
            facts.regions.to_vec()
        };
        regions.sort_unstable();
        expected.sort_unstable();
        assert_eq!(regions, expected, "{what}: regions");
        for id in facts.delegated {
            let svc = s
                .services
                .iter()
                .find(|x| &*x.id == *id)
                .unwrap_or_else(|| panic!("{what}: no service {id}"));
            assert_eq!(
                &*svc.dns,
                &[provider],
                "{what}: {id} is delegated to {} alone",
                facts.provider
            );
        }
        assert!(!s.sources.is_empty(), "{what}: sources");
        for word in facts.sources {
            assert!(
                s.sources
                    .iter()
                    .any(|u| u.to_lowercase().contains(&word.to_lowercase())),
                "{what}: a source from {word}"
            );
        }
    }
}

#[test]
fn the_library_is_pinned_here_whole() {
    let mut files: Vec<String> = std::fs::read_dir(scenario_file("incidents"))
        .unwrap()
        .map(|e| format!("incidents/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".toml"))
        .collect();
    files.sort();
    let mut pinned: Vec<String> = INCIDENTS.iter().map(|f| f.file.to_string()).collect();
    pinned.sort();
    assert_eq!(
        files, pinned,
        "every incident file has its facts pinned above"
    );
    assert!(files.len() >= 5);
}

/// A replay: the delegated names fail for about the event's length where
/// every query is lost, and a fraction of it where loss is partial; the
/// illustrative variants that avoid the provider do not fail at all.
#[test]
fn every_incident_replays() {
    for facts in INCIDENTS {
        let path = scenario_file(facts.file);
        let out = run(&[
            "run",
            path_str(&path),
            "--format",
            "json",
            "--trials",
            "8",
            "--series",
            "off",
        ]);
        assert_eq!(out.code, 0, "{}: {}", facts.file, out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let services = json["services"].as_array().unwrap();
        let event_minutes = (utc(facts.end)
            .duration_since(utc(facts.start))
            .unwrap()
            .as_secs()
            / 60) as f64;
        for id in facts.delegated {
            let row = services.iter().find(|r| r["id"] == *id).unwrap();
            let down = row["downtime_minutes"].as_f64().unwrap();
            // Downtime is lookup-weighted (failed lookups ÷ lookup rate), so
            // with few trials it may pass the window by the noise.
            assert!(
                down > 0.0 && down <= 1.05 * event_minutes,
                "{}: {id} down {down} of {event_minutes} min",
                facts.file
            );
            if facts.loss == 1.0 && facts.regions.is_empty() {
                assert!(
                    down > 0.9 * event_minutes,
                    "{}: {id} down {down} of {event_minutes} min",
                    facts.file
                );
            }
        }
        assert!(
            services
                .iter()
                .any(|r| r["downtime_minutes"].as_f64() == Some(0.0)),
            "{}: a variant that rides it out",
            facts.file
        );
    }
}
