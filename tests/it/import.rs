//! `dnsim import` and `dnsim generate`: real-shaped inputs written for the
//! tests, the catalog, malformed inputs, and the imported scenarios run.

use dnsim::import::catalog::Catalog;

use super::support::{fixture, path_str, run};

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

#[test]
fn malformed_imports_name_the_file_and_line() {
    for (args, file, line, says) in [
        (vec!["ns-list"], "ns-list-no-ns.txt", 2, "has no NS host"),
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
        let path = fixture(&format!("import/bad/{file}"));
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
