//! `dnsim import` and `dnsim generate`: real-shaped inputs written for the
//! tests, the catalog, malformed inputs, and the imported scenarios run.

use dnsim::import::catalog::Catalog;

use super::support::{fixture, path_str, run, temp_scenario};

/// Imports with `args` into a temporary scenario; returns it, its directory
/// (keep it alive) and stderr.
fn import(args: &[&str]) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("imported.toml");
    let mut full: Vec<&str> = vec!["import"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--output", path_str(&out_path)]);
    let out = run(&full);
    assert_eq!(out.code, 0, "{full:?}: {}", out.stderr);
    (dir, out_path, out.stderr)
}

/// The services of a scenario down when exactly `fail` fails.
fn down_when(scenario: &std::path::Path, fail: &[&str]) -> Vec<String> {
    let mut args = vec![
        "run",
        path_str(scenario),
        "--fail-only",
        "--format",
        "json",
        "-q",
    ];
    for f in fail {
        args.extend_from_slice(&["--fail", f]);
    }
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let mut ids: Vec<String> = v["services"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["p_unreachable"].as_f64() == Some(1.0))
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

#[test]
fn every_catalog_entry_maps_real_ns_hosts() {
    let catalog = Catalog::builtin();
    assert!(
        catalog.entries().len() >= 20,
        "{} entries",
        catalog.entries().len()
    );
    for e in catalog.entries() {
        let example = e
            .example
            .as_deref()
            .unwrap_or_else(|| panic!("{}: no example", e.id));
        let got = catalog.match_host(example).map(|m| m.id.as_str());
        assert_eq!(got, Some(e.id.as_str()), "{example}");
        // With a trailing dot and in upper case, as dig may print it.
        let loud = format!("{}.", example.to_uppercase());
        assert_eq!(
            catalog.match_host(&loud).map(|m| m.id.as_str()),
            Some(e.id.as_str())
        );
    }
    // More NS host names in the forms the providers publish, across their
    // registrable domains (written from public NS records, not looked up).
    for (host, id) in [
        ("ns-1283.awsdns-32.org", "route53"),
        ("ns-1707.awsdns-21.co.uk", "route53"),
        ("ns-557.awsdns-05.net", "route53"),
        ("ns-81.awsdns-10.com", "route53"),
        ("dns2.p08.nsone.net", "ns1"),
        ("ns4.p34.dynect.net", "dyn"),
        ("udns1.ultradns.net", "ultradns"),
        ("pdns1.ultradns.co.uk", "ultradns"),
        ("udns2.ultradns2.com", "ultradns"),
        ("a24-67.akam.net", "akamai"),
        ("ns-cloud-d4.googledomains.com", "google-cloud-dns"),
        ("ns3-03.azure-dns.org", "azure-dns"),
        ("ns4-04.azure-dns.info", "azure-dns"),
        ("ns52.domaincontrol.com", "godaddy"),
        ("ns5.he.net", "hurricane-electric"),
        ("ns3.dnsimple-edge.net", "dnsimple"),
        ("dns2.registrar-servers.com", "namecheap"),
        ("oxygen.ns.hetzner.com", "hetzner"),
        ("helium.ns.hetzner.de", "hetzner"),
        ("dns4.easydns.info", "easydns"),
        ("ns21.constellix.net", "constellix"),
        ("ns4.p68.dns.oraclecloud.net", "oracle-cloud-dns"),
        ("ns3.linode.com", "linode"),
        ("ns10.ovh.net", "ovh"),
    ] {
        assert_eq!(
            catalog.match_host(host).map(|m| m.id.as_str()),
            Some(id),
            "{host}"
        );
    }
    for host in [
        "ns6.he.net",
        "ns.cloudflare.com",
        "ns1.example.com",
        "awsdns-01.com",
    ] {
        assert!(
            catalog.match_host(host).is_none(),
            "{host} should match nothing"
        );
    }
}

#[test]
fn an_ns_list_imports_and_runs() {
    let (_dir, plan, stderr) = import(&["ns-list", path_str(&fixture("import/ns-list.txt"))]);
    for says in [
        "imported 12 domains",
        "ns:twtrdns.net: a.r06.twtrdns.net",
        "ns:iana-servers.net",
        "self:wikimedia.org",
    ] {
        assert!(stderr.contains(says), "stderr lacks {says:?}:\n{stderr}");
    }
    let check = run(&["check", path_str(&plan)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("12 services"), "{}", check.stdout);
    // Dyn alone takes down its Dyn-only customers, not twitter (second provider).
    assert_eq!(down_when(&plan, &["dyn"]), ["spotify.com"]);
    assert_eq!(
        down_when(&plan, &["dyn", "ns:twtrdns.net"]),
        ["spotify.com", "twitter.com"]
    );
    assert_eq!(
        down_when(&plan, &["dyn", "ultradns"]),
        ["etsy.com", "spotify.com"]
    );
    // Route 53 alone: the services on Route 53 only; GitHub also has NS1.
    assert_eq!(
        down_when(&plan, &["route53"]),
        ["netflix.com", "reddit.com"]
    );
    // Wikipedia and Wikimedia share one self-hosted provider.
    assert_eq!(
        down_when(&plan, &["self:wikimedia.org"]),
        ["wikimedia.org", "wikipedia.org"]
    );
    assert_eq!(
        down_when(&plan, &["self:selfhosted.example"]),
        ["selfhosted.example"]
    );
    // And it runs with the placeholder rates.
    let out = run(&["run", path_str(&plan), "-q", "--trials", "20000"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

/// An NS list of more than 10,000 domains: with `-o FILE` the services go
/// to a CSV include beside FILE, which loads to what the one-file form
/// holds; the report's lists stop at 50 lines, the largest first; without
/// `-o` the plan is one file on stdout and stderr says what `-o` would do.
#[test]
fn a_large_ns_list_imports_to_a_scenario_and_a_csv_of_its_services() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("big.txt");
    let mut text = String::new();
    for i in 0..12_000 {
        // 200 NS domains outside the catalog; ns-9 serves the most.
        let ns = if i % 2 == 0 { 9 } else { i % 400 };
        text.push_str(&format!("site{i:05}.com ns1.dns{ns}-example.net\n"));
        if i % 3 == 0 {
            text.push_str(&format!("site{i:05}.com ns-1.awsdns-01.com\n"));
        }
    }
    std::fs::write(&list, text).unwrap();
    let (_keep, plan, stderr) = import(&["ns-list", path_str(&list)]);
    let csv = plan.with_file_name("imported-services.csv");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 12_001, "a header and a row a domain");
    assert!(
        rows.starts_with("id,dns\nsite00000.com,ns:dns9-example.net;route53\n"),
        "{}",
        &rows[..80]
    );
    let toml = std::fs::read_to_string(&plan).unwrap();
    assert!(toml.contains("[[include]]\nservices = \"imported-services.csv\""));
    assert!(!toml.contains("[[service]]"));
    for says in [
        "12000 services written to",
        "into 200 providers",
        "  ns:dns9-example.net: ns1.dns9-example.net\n  ns:dns1-example.net",
        "  … and 150 more unknown NS domains",
        "providers:\n  ns:dns9-example.net         6030 services",
        "  … and 151 more providers",
    ] {
        assert!(stderr.contains(says), "{says:?}:\n{stderr}");
    }
    assert!(stderr.lines().count() < 120, "{stderr}");

    // The same list to stdout: one file, the same services.
    let out = run(&["import", "ns-list", path_str(&list)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("with -o FILE they go to a CSV include"),
        "{}",
        out.stderr
    );
    let one = dir.path().join("one.toml");
    std::fs::write(&one, &out.stdout).unwrap();
    let json = |p: &std::path::Path| {
        let out = run(&[
            "run",
            path_str(p),
            "--trials",
            "300",
            "--format",
            "json",
            "-q",
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        v["scenario"] = serde_json::Value::Null;
        v
    };
    assert_eq!(json(&plan), json(&one));

    // The CSV beside FILE is refused when it is the input, and nothing is
    // written.
    let input = dir.path().join("same-services.csv");
    std::fs::copy(&list, &input).unwrap();
    let scenario = dir.path().join("same.toml");
    let out = run(&[
        "import",
        "ns-list",
        path_str(&input),
        "-o",
        path_str(&scenario),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("--output (the services' CSV beside it): \"")
            && out.stderr.contains("is an input of this command"),
        "{}",
        out.stderr
    );
    assert!(!scenario.exists());
    assert_eq!(
        std::fs::read(&input).unwrap(),
        std::fs::read(&list).unwrap()
    );
}

#[test]
fn an_ns_list_in_csv_imports_and_a_user_catalog_maps_more() {
    let (_dir, plan, _) = import(&["ns-list", path_str(&fixture("import/ns-list.csv"))]);
    assert_eq!(
        down_when(&plan, &["self:quoted.example"]),
        ["quoted.example"]
    );
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalog.toml");
    std::fs::write(
        &cat,
        "[[provider]]\nid = \"twitter-dns\"\nname = \"Twitter's own DNS\"\nns = [\"*.r06.twtrdns.net\"]\n",
    )
    .unwrap();
    let (_dir2, plan, stderr) = import(&[
        "ns-list",
        path_str(&fixture("import/ns-list.csv")),
        "--catalog",
        path_str(&cat),
    ]);
    assert!(!stderr.contains("twtrdns"), "{stderr}");
    assert_eq!(
        down_when(&plan, &["dyn", "twitter-dns"]),
        ["spotify.com", "twitter.com"]
    );
}

/// Found by the fuzzing harness: inputs an importer read without error
/// but whose plan dnsim then refused to load. The importer refuses them.
#[test]
fn an_import_that_would_make_no_loadable_plan_is_refused() {
    for (args, file, says) in [
        (
            vec!["zone", "--origin", "example.com"],
            "zone-no-service.zone",
            "this input makes no plan dnsim can load: it names no service",
        ),
        (
            vec!["dnscontrol"],
            "dnscontrol-comma-in-name.json",
            "this input makes no plan dnsim can load: service id \"examp,e.org.cdn.cloudflare.net\" contains ','",
        ),
    ] {
        let path = fixture(&format!("import/bad/{file}"));
        let mut full = vec!["import"];
        full.extend_from_slice(&args[..1]);
        full.push(path_str(&path));
        full.extend_from_slice(&args[1..]);
        let out = run(&full);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{file}: wrote output");
        assert!(out.stderr.contains(says), "{file}: {}", out.stderr);
    }
}

#[test]
fn malformed_imports_name_the_file_and_line() {
    for (args, file, line, says) in [
        (vec!["ns-list"], "ns-list-no-ns.txt", 2, "alone on its line"),
        // Plain `dig +short NS` output: the recipe that works, in the
        // message.
        (
            vec!["ns-list"],
            "ns-list-dig-short.txt",
            1,
            "dig +short NS \"$d\" | sed \"s/^/$d /\"",
        ),
        (vec!["ns-list"], "ns-list-empty-ns.csv", 3, "has no NS host"),
        (
            vec!["ns-list"],
            "ns-list-missing-column.csv",
            1,
            "no \"ns\" column",
        ),
        (
            vec!["ns-list"],
            "ns-list-short-row.csv",
            2,
            "missing the ns column",
        ),
        (
            vec!["ns-list"],
            "ns-list-bad-name.txt",
            2,
            "not allowed in a DNS name",
        ),
    ] {
        let input = if file == "example.com.yaml" {
            "octodns/bad-zone.yaml"
        } else {
            file
        };
        let path = fixture(&format!("import/bad/{input}"));
        let mut full = vec!["import"];
        full.extend_from_slice(&args);
        full.push(path_str(&path));
        let out = run(&full);
        assert_eq!(out.code, 2, "{file}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{file}: wrote output");
        let at = format!("{file}:{line}:");
        assert!(
            out.stderr.contains(&at),
            "{file}: expected {at} in {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(says),
            "{file}: expected {says:?} in {}",
            out.stderr
        );
    }
    let out = run(&[
        "import",
        "zone",
        "--origin",
        "example.com",
        path_str(&fixture("import/bad/zone-no-ns.zone")),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("zone-no-ns.zone: no NS records at the zone's apex"),
        "{}",
        out.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("bad-catalog.toml");
    std::fs::write(
        &cat,
        "[[provider]]\nid = \"x\"\nname = \"X\"\npatterns = [\"*.x.net\"]\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        "ns-list",
        path_str(&fixture("import/ns-list.csv")),
        "--catalog",
        path_str(&cat),
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("bad-catalog.toml:4:"), "{}", out.stderr);
}

fn generate(dir: &std::path::Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let plan = dir.join(name);
    let mut args = vec!["generate", "--output", path_str(&plan)];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert_eq!(out.code, 0, "{}", out.stderr);
    plan
}

#[test]
fn generate_is_seeded_calibrated_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = generate(
        dir.path(),
        "a.toml",
        &["--services", "20000", "--seed", "3"],
    );
    let b = generate(
        dir.path(),
        "b.toml",
        &["--services", "20000", "--seed", "3"],
    );
    let c = generate(
        dir.path(),
        "c.toml",
        &["--services", "20000", "--seed", "4"],
    );
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    let csv = |p: &std::path::Path| dnsim::generate::csv_path(p);
    assert_eq!(read(&csv(&a)), read(&csv(&b)), "same seed, same services");
    // The plans differ only in the CSV name they include.
    assert_eq!(
        read(&a).replace("a-services", "x"),
        read(&b).replace("b-services", "x")
    );
    assert_ne!(read(&csv(&a)), read(&csv(&c)));

    // Shares: the primary provider of single-provider services follows the
    // published shares (binomial 5-sigma bounds over 20,000 services).
    let rows = read(&csv(&a));
    let mut lines = rows.lines();
    assert_eq!(lines.next(), Some("id,dns,weight,ttl,requires"));
    let services: Vec<Vec<&str>> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[0].starts_with('s'))
        .collect();
    assert_eq!(services.len(), 20_000);
    let n = services.len() as f64;
    let share =
        |pred: &dyn Fn(&str) -> bool| services.iter().filter(|r| pred(r[1])).count() as f64 / n;
    let close = |got: f64, want: f64, what: &str| {
        let sd = (want * (1.0 - want) / n).sqrt();
        assert!((got - want).abs() < 5.0 * sd, "{what}: {got} vs {want}");
    };
    // Shares are of all sites; the 89.2% on third-party DNS are split in
    // those proportions, so single-provider services follow share / 0.892.
    let single = (1.0 - 0.108 - 0.044) / (1.0 - 0.108);
    close(
        share(&|d| d == "cloudflare"),
        single * 0.19,
        "Cloudflare only",
    );
    close(share(&|d| d == "route53"), single * 0.10, "Route 53 only");
    close(share(&|d| d == "dyn"), single * 0.02, "Dyn only");
    close(
        share(&|d| d.starts_with("self-hosted-")),
        0.108,
        "self-hosted",
    );
    close(share(&|d| d.contains(';')), 0.044, "two providers");
    let weight: f64 = services.iter().map(|r| r[2].parse::<f64>().unwrap()).sum();
    assert!((weight - 100.0).abs() < 1e-6, "weights add up to {weight}");

    let out = run(&[
        "run",
        path_str(&a),
        "-q",
        "--trials",
        "5000",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["summary"]["services"], 20_020);
    let check = run(&["check", path_str(&a)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn generate_refuses_impossible_shares() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.toml");
    let p = path_str(&plan);
    for (extra, says) in [
        (vec!["--multi", "1.5"], "--multi"),
        (
            vec!["--self-hosted", "0.9", "--multi", "0.2"],
            "more than 1",
        ),
        (
            vec!["--providers", "1", "--multi", "0.1"],
            "at least 2 providers",
        ),
        (vec!["--cdns", "0", "--cdn-share", "0.2"], "--cdns"),
        (vec!["--services", "0"], "services"),
    ] {
        let mut args = vec!["generate", "--services", "10", "--output", p];
        args.extend_from_slice(&extra);
        let out = run(&args);
        assert_eq!(out.code, 2, "{extra:?}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{extra:?}: {}", out.stderr);
        assert!(!plan.exists(), "{extra:?} wrote a plan");
    }
    let out = run(&[
        "generate",
        "--services",
        "10",
        "--output",
        "/no/such/dir/p.toml",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_bind_zone_imports_and_runs() {
    let (_dir, plan, stderr) = import(&[
        "zone",
        path_str(&fixture("import/example.com.zone")),
        "--origin",
        "example.com",
    ]);
    for says in [
        "zone example.com: 7 services on dyn + route53",
        "records not used: MX 1, SRV 1, TXT 1",
        "corp.example.com: a delegated child zone",
        "shop.example.com.fastly.net",
    ] {
        assert!(stderr.contains(says), "stderr lacks {says:?}:\n{stderr}");
    }
    let text = std::fs::read_to_string(&plan).unwrap();
    // The apex NS TTL becomes ns_ttl; record TTLs the services' ttl ($TTL 1h
    // where a record gives none).
    assert!(text.contains("id = \"shop.example.com\"\ndns = [\"dyn\", \"route53\"]\nttl = \"60s\"\nns_ttl = \"86400s\""), "{text}");
    assert!(
        text.contains("id = \"example.com\"\ndns = [\"dyn\", \"route53\"]\nttl = \"3600s\""),
        "{text}"
    );
    // Dyn alone takes nothing down: the zone is also on Route 53.
    assert!(down_when(&plan, &["dyn"]).is_empty());
    let all = down_when(&plan, &["dyn", "route53"]);
    for id in [
        "example.com",
        "www.example.com",
        "shop.example.com",
        "api.example.com",
    ] {
        assert!(all.contains(&id.to_string()), "{id} not down: {all:?}");
    }
    assert!(!all.contains(&"corp.example.com".to_string()));
    // The out-of-zone CNAME target is a requirement.
    assert_eq!(
        down_when(&plan, &["cdn:fastly"]),
        ["shop.example.com.fastly.net", "www.example.com"]
    );
}

#[test]
fn a_dnscontrol_ir_imports_and_runs() {
    let (_dir, plan, stderr) = import(&[
        "dnscontrol",
        path_str(&fixture("import/dnscontrol-ir.json")),
    ]);
    for says in [
        "zone example.org: 3 services on cloudflare + route53 (standby: ns1)",
        "records not used: MX 1, TXT 1",
        "zone example.net: 2 services on route53",
        "lab.example.org: delegated by NS records",
    ] {
        assert!(stderr.contains(says), "stderr lacks {says:?}:\n{stderr}");
    }
    let text = std::fs::read_to_string(&plan).unwrap();
    // DnsProvider(name, 0) is a standby; a record without a TTL gets 300 s.
    assert!(
        text.contains("id = \"cdn.example.org\"\ndns = [\"cloudflare\", \"route53\"]\nstandby = [\"ns1\"]\nttl = \"300s\""),
        "{text}"
    );
    assert!(text.contains("id = \"www.example.org\""), "{text}");
    assert!(down_when(&plan, &["cloudflare"]).is_empty());
    // Route 53 alone takes example.net's names down.
    assert_eq!(
        down_when(&plan, &["route53"]),
        ["example.net", "mx.example.net"]
    );
    // Both take example.org down, and example.net with it: its ALIAS points
    // at www.example.org.
    let both = down_when(&plan, &["cloudflare", "route53"]);
    for id in [
        "example.org",
        "www.example.org",
        "cdn.example.org",
        "example.net",
    ] {
        assert!(both.contains(&id.to_string()), "{id}: {both:?}");
    }
    // The standby can serve in the timeline model after a manual failover.
    let out = run(&[
        "run",
        path_str(&plan),
        "--model",
        "timeline",
        "--trials",
        "2",
        "-q",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn an_octodns_config_imports_and_runs() {
    let (_dir, plan, stderr) =
        import(&["octodns", path_str(&fixture("import/octodns/octodns.yaml"))]);
    for says in [
        "zone example.com: 5 services on dyn + route53",
        "records not used: MX 1, SRV 1, TXT 1",
        "zone example.org: 2 services on cloudflare",
        "zone example.net: 2 services on cloudflare",
        "example-assets.global.ssl.fastly.net",
    ] {
        assert!(stderr.contains(says), "stderr lacks {says:?}:\n{stderr}");
    }
    let text = std::fs::read_to_string(&plan).unwrap();
    // A record's ttl, else the YamlProvider's default_ttl.
    assert!(
        text.contains("id = \"assets.example.com\"\ndns = [\"dyn\", \"route53\"]\nttl = \"60s\""),
        "{text}"
    );
    assert!(
        text.contains("id = \"mx1.example.com\"\ndns = [\"dyn\", \"route53\"]\nttl = \"3600s\""),
        "{text}"
    );
    // Dyn alone takes nothing down (GitHub's lesson); Dyn and Route 53 take
    // example.com down, and the blog CNAMEs that point at it.
    assert!(down_when(&plan, &["dyn"]).is_empty());
    let both = down_when(&plan, &["dyn", "route53"]);
    for id in [
        "example.com",
        "www.example.com",
        "blog.example.org",
        "blog.example.net",
    ] {
        assert!(both.contains(&id.to_string()), "{id}: {both:?}");
    }
    assert!(!both.contains(&"example.org".to_string()));
    assert_eq!(
        down_when(&plan, &["cloudflare"]),
        [
            "blog.example.net",
            "blog.example.org",
            "example.net",
            "example.org"
        ]
    );
}

#[test]
fn a_zone_includes_files_relative_to_itself() {
    let (_dir, plan, stderr) = import(&[
        "zone",
        path_str(&fixture("import/include/main.zone")),
        "--origin",
        "example.com",
    ]);
    assert!(
        stderr.contains("zone example.com: 2 services on dyn"),
        "{stderr}"
    );
    assert_eq!(
        down_when(&plan, &["dyn"]),
        ["api.example.com", "www.example.com"]
    );
}

#[test]
fn a_zone_file_names_its_own_origin() {
    let zone = fixture("import/example.com.zone");
    let with = run(&["import", "zone", path_str(&zone), "--origin", "example.com"]);
    let without = run(&["import", "zone", path_str(&zone)]);
    assert_eq!(without.code, 0, "{}", without.stderr);
    assert_eq!(with.stdout, without.stdout);
    let (_dir, bare) = temp_scenario(
        "@ 300 IN SOA a. b. 1 2 3 4 5\n@ IN NS ns1.p1.dynect.net.\nwww IN A 192.0.2.1\n",
    );
    let out = run(&["import", "zone", path_str(&bare)]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("--origin: the zone file starts with no $ORIGIN"),
        "{}",
        out.stderr
    );
}

#[test]
fn names_added_only_as_requirements_weigh_nothing() {
    let zone = fixture("import/example.com.zone");
    let out = run(&["import", "zone", path_str(&zone)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "id = \"shop.example.com.fastly.net\"\ndns = [\"cdn:fastly\"]\nweight = 0.0\n"
        ),
        "{}",
        out.stdout
    );
    // The zone's own names keep the default weight.
    assert!(
        out.stdout.contains(
            "id = \"www.example.com\"\ndns = [\"dyn\", \"route53\"]\nttl = \"300s\"\nns_ttl"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("a service of weight 0"),
        "{}",
        out.stderr
    );
}

/// octoDNS NS records below the apex delegate a child zone: a service on
/// its own NS hosts with the zone as its `parent` (as `zone` and
/// `dnscontrol` do).
#[test]
fn octodns_child_zones_get_their_parent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("octodns.yaml"),
        "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./config\n  \
         route53:\n    class: octodns_route53.Route53Provider\nzones:\n  example.com.:\n    sources:\n      - config\n    \
         targets:\n      - route53\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("config/example.com.yaml"),
        "---\n'':\n  type: A\n  value: 192.0.2.1\ncorp:\n  type: NS\n  values:\n    - ns1.corp.example.com.\n    - ns-1.awsdns-01.org.\n",
    )
    .unwrap();
    let out = run(&[
        "import",
        "octodns",
        path_str(&dir.path().join("octodns.yaml")),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("id = \"corp.example.com\"")
            && out.stdout.contains("parent = \"example.com\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("corp.example.com: delegated by NS records"),
        "{}",
        out.stderr
    );
}
