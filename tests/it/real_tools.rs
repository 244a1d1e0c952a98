//! The importers' fixtures against the real tools whose formats they are
//! in: octoDNS (`octodns-sync`, from PyPI) must accept the octoDNS fixture
//! under its own configuration and push it to a YAML target, and dnsim must
//! read what octoDNS wrote as it reads the fixture; BIND's `named-checkzone`
//! must load every zone fixture without a warning, except where the
//! warning is the fixture's point (said below); and the DNSControl IR
//! fixture must use DNSControl's own data model, field by field. `.ci/run`
//! installs octoDNS and BIND's tools; elsewhere these tests skip with a
//! notice unless DNSIM_REQUIRE_EXTERNAL=1.

use std::path::Path;
use std::process::Command;

use serde_yaml_ng::{Mapping, Value};

use crate::support::{external_tool, fixture, path_str, run};

const OCTODNS: &str = "pip install 'octodns==1.*' (.ci/run puts it in a virtualenv under target/)";
const BIND_UTILS: &str = "apt-get install bind9-utils";

/// The fixture's octoDNS configuration, with its YAML source read from
/// `source_dir` and every zone pushed to one YamlProvider in `out_dir`
/// instead of the real providers (which need accounts).
fn sync_config(source_dir: &Path, out_dir: &Path) -> String {
    let text = std::fs::read_to_string(fixture("import/octodns/octodns.yaml")).unwrap();
    let mut config: Value = serde_yaml_ng::from_str(&text).unwrap();
    let providers = config["providers"].as_mapping_mut().unwrap();
    let mut source = providers[&Value::from("config")].clone();
    source["directory"] = Value::from(path_str(source_dir));
    let mut out = Mapping::new();
    out.insert("class".into(), "octodns.provider.yaml.YamlProvider".into());
    out.insert("directory".into(), path_str(out_dir).into());
    providers.clear();
    providers.insert("config".into(), source);
    providers.insert("out".into(), Value::Mapping(out));
    for (_, zone) in config["zones"].as_mapping_mut().unwrap().iter_mut() {
        if zone.get("targets").is_some() {
            zone["targets"] = Value::Sequence(vec!["out".into()]);
        }
    }
    serde_yaml_ng::to_string(&config).unwrap()
}

/// An import's scenario without the comment that names its input file.
fn scenario_body(stdout: &str) -> String {
    stdout
        .lines()
        .filter(|l| !l.starts_with("# Imported by dnsim"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn octodns_syncs_the_fixture_and_dnsim_reads_what_it_wrote() {
    if !external_tool("octodns-sync", "--version", OCTODNS) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let config = dir.path().join("sync.yaml");
    std::fs::write(
        &config,
        sync_config(&fixture("import/octodns/config"), &out_dir),
    )
    .unwrap();
    let sync = Command::new("octodns-sync")
        .args(["--config-file", path_str(&config), "--doit"])
        .output()
        .unwrap();
    assert!(
        sync.status.success(),
        "octodns-sync refuses the fixture:\n{}",
        String::from_utf8_lossy(&sync.stderr)
    );

    // The fixture's configuration again, its source now what octoDNS wrote.
    let again = dir.path().join("again");
    std::fs::create_dir_all(again.join("config")).unwrap();
    std::fs::copy(
        fixture("import/octodns/octodns.yaml"),
        again.join("octodns.yaml"),
    )
    .unwrap();
    let mut written = 0;
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), again.join("config").join(entry.file_name())).unwrap();
        written += 1;
    }
    assert!(written >= 2, "octoDNS wrote {written} zone files");
    let from_fixture = run(&[
        "import",
        "octodns",
        path_str(&fixture("import/octodns/octodns.yaml")),
    ]);
    let from_octodns = run(&["import", "octodns", path_str(&again.join("octodns.yaml"))]);
    assert_eq!(from_fixture.code, 0, "{}", from_fixture.stderr);
    assert_eq!(from_octodns.code, 0, "{}", from_octodns.stderr);
    assert_eq!(
        scenario_body(&from_fixture.stdout),
        scenario_body(&from_octodns.stdout),
        "dnsim reads what octoDNS wrote otherwise than the fixture"
    );
}

/// `named-checkzone ORIGIN FILE` in `dir`: (loaded, what it printed).
fn checkzone(dir: &Path, origin: &str, file: &str) -> (bool, String) {
    let out = Command::new("named-checkzone")
        .current_dir(dir)
        .args([origin, file])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// What `named-checkzone` says beyond "loaded serial …" and "OK".
fn warnings(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.contains("loaded serial") && l.trim() != "OK")
        .collect()
}

#[test]
fn named_checkzone_loads_every_zone_fixture() {
    if !external_tool("named-checkzone", "-v", BIND_UTILS) {
        return;
    }
    let import = fixture("import");
    // example.com.zone delegates corp.example.com to two name servers inside
    // the child zone, with glue: the point of the fixture (a child zone on
    // its own servers). named-checkzone's default "full" check resolves
    // names below a zone cut through the system's resolver, which has
    // nothing to ask here (no network), so it warns for exactly those two;
    // anything else is a defect of the fixture.
    let (ok, text) = checkzone(&import, "example.com", "example.com.zone");
    assert!(ok, "{text}");
    let expected = [
        "zone example.com/IN: corp.example.com/NS 'ns1.corp.example.com' (out of zone) has no addresses records (A or AAAA)",
        "zone example.com/IN: corp.example.com/NS 'ns2.corp.example.com' (out of zone) has no addresses records (A or AAAA)",
    ];
    assert_eq!(warnings(&text), expected, "{text}");
    // With the check kept to the zone's own data, nothing at all.
    let out = Command::new("named-checkzone")
        .current_dir(&import)
        .args(["-i", "local", "example.com", "example.com.zone"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && warnings(&text).is_empty(), "{text}");

    // main.zone $INCLUDEs hosts.zone, relative to the directory BIND runs
    // in; hosts.zone alone is a fragment, not a zone.
    let (ok, text) = checkzone(&import.join("include"), "example.com", "main.zone");
    assert!(ok && warnings(&text).is_empty(), "{text}");

    // The bad zone fixtures: dnsim refuses them (tests/it/import.rs), and
    // so does BIND.
    for bad in [
        "zone-no-ns.zone",
        "zone-no-service.zone",
        "zone-syntax.zone",
        "zone-unclosed.zone",
    ] {
        let (ok, text) = checkzone(&import.join("bad"), "example.com", bad);
        assert!(!ok, "named-checkzone loads {bad}: {text}");
    }
}

/// DNSControl's JSON field names (`dnscontrol print-ir`), per object, from
/// its `models` package: `DNSConfig`, `RegistrarConfig` and
/// `DNSProviderConfig` in models/dns.go, `DomainConfig` in models/domain.go,
/// `RecordConfig` in models/record.go (the common fields and the MX, SRV
/// and CAA ones) of github.com/StackExchange/dnscontrol v4.
const DNS_CONFIG: &[&str] = &["registrars", "dns_providers", "domains"];
const PROVIDER_CONFIG: &[&str] = &["name", "type", "meta"];
const DOMAIN_CONFIG: &[&str] = &[
    "name",
    "tag",
    "registrar",
    "dnsProviders",
    "meta",
    "records",
    "nameservers",
    "recordsabsent",
    "keepunknown",
    "unmanaged",
    "unmanaged_disable_safety_check",
    "ignore_external_dns",
    "external_dns_prefix",
    "auto_dnssec",
    "rawrecords",
];
const RECORD_CONFIG: &[&str] = &[
    "type",
    "name",
    "subdomain",
    "target",
    "ttl",
    "meta",
    "filepos",
    "mxpreference",
    "srvpriority",
    "srvweight",
    "srvport",
    "caatag",
    "caaflag",
];

fn keys_within(what: &str, object: &serde_json::Value, allowed: &[&str]) {
    for key in object.as_object().unwrap().keys() {
        assert!(
            allowed.contains(&key.as_str()),
            "{what}: \"{key}\" is not a field of DNSControl's model"
        );
    }
}

#[test]
fn the_dnscontrol_fixture_is_in_dnscontrols_data_model() {
    let text = std::fs::read_to_string(fixture("import/dnscontrol-ir.json")).unwrap();
    let ir: serde_json::Value = serde_json::from_str(&text).unwrap();
    keys_within("DNSConfig", &ir, DNS_CONFIG);
    for r in ir["registrars"].as_array().unwrap() {
        keys_within("RegistrarConfig", r, PROVIDER_CONFIG);
    }
    for p in ir["dns_providers"].as_array().unwrap() {
        keys_within("DNSProviderConfig", p, PROVIDER_CONFIG);
        assert!(p["name"].is_string() && p["type"].is_string());
    }
    let domains = ir["domains"].as_array().unwrap();
    assert!(!domains.is_empty());
    for d in domains {
        keys_within("DomainConfig", d, DOMAIN_CONFIG);
        // Name without a trailing dot; dnsProviders: name → nameserver
        // count (-1 all, 0 none, n that many), each a declared provider.
        let name = d["name"].as_str().unwrap();
        assert!(!name.ends_with('.'), "{name}");
        for (provider, count) in d["dnsProviders"].as_object().unwrap() {
            assert!(count.is_i64(), "{name}: {provider}");
            assert!(
                ir["dns_providers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["name"] == *provider),
                "{name}: {provider} is not declared"
            );
        }
        for r in d["records"].as_array().unwrap() {
            keys_within("RecordConfig", r, RECORD_CONFIG);
            // ttl is a uint32 that DNSControl omits when empty (then 300,
            // models.DefaultTTL); names are short, "@" for the apex.
            assert!(r["ttl"].is_null() || r["ttl"].is_u64(), "{r}");
            assert!(
                r["type"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            );
            assert!(
                !r["name"].as_str().unwrap().ends_with(&format!(".{name}")),
                "{r}"
            );
        }
    }
}
