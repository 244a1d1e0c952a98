//! `extends = "base.toml"`: a what-if written as changes to another plan,
//! merged key by key and entry by entry (by id), errors located in the
//! file that wrote them.

use crate::support::*;

const BASE: &str = "name = \"base plan\"\n[simulation]\ntrials = 5000\nseed = 3\n\
    [[provider]]\nid = \"dyn\"\np_outage = 0.01\n[[provider]]\nid = \"ns1\"\np_outage = 0.02\n\
    [[service]]\nid = \"www\"\ndns = [\"dyn\"]\nweight = 5\n[[service]]\nid = \"api\"\ndns = [\"ns1\"]\n";

fn files(child: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
    let path = dir.path().join("what-if.toml");
    std::fs::write(&path, child).unwrap();
    (dir, path)
}

#[test]
fn a_file_extends_a_base_key_by_key_and_entry_by_entry() {
    let (_dir, path) = files(
        "extends = \"base.toml\"\nname = \"www on two\"\n[simulation]\ntrials = 20000\n\
         [[service]]\nid = \"www\"\ndns = [\"dyn\", \"ns1\"]\n\
         [[service]]\nid = \"new\"\ndns = [\"ns1\"]\n",
    );
    let s = dnsim::scenario::load(&path).unwrap();
    assert_eq!(s.name, "www on two");
    // Replaced, kept, added.
    assert_eq!((s.simulation.trials, s.simulation.seed), (20_000, 3));
    let www = s.services.iter().find(|x| &*x.id == "www").unwrap();
    assert_eq!((www.dns.len(), www.weight), (2, 5.0));
    let ids: Vec<&str> = s.services.iter().map(|x| &*x.id).collect();
    assert_eq!(ids, ["www", "api", "new"]);
    // The same through run, with --set on top.
    let out = run(&[
        "run",
        path_str(&path),
        "--set",
        "service.new.weight=2",
        "--format",
        "json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("\"scenario\": \"www on two\""));
    // The key written with an escape in quotes extends all the same (the
    // loader skips its second parse only when neither form is there).
    std::fs::write(
        &path,
        "\"ext\\u0065nds\" = \"base.toml\"\nname = \"escaped\"\n",
    )
    .unwrap();
    let s = dnsim::scenario::load(&path).unwrap();
    assert_eq!((s.name.as_str(), s.services.len()), ("escaped", 2));
}

#[test]
fn errors_are_located_in_the_file_that_wrote_them() {
    let (dir, path) =
        files("extends = \"base.toml\"\n\n[[service]]\nid = \"www\"\ndns = [\"dyn\", \"nope\"]\n");
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("what-if.toml:5:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown provider \"nope\""),
        "{}",
        out.stderr
    );
    // An added entry's error, at its line in the extending file.
    std::fs::write(
        &path,
        "extends = \"base.toml\"\n[[service]]\nid = \"fresh\"\ndns = [\"nsx\"]\n",
    )
    .unwrap();
    let out = run(&["check", path_str(&path)]);
    assert!(out.stderr.contains("what-if.toml:4:"), "{}", out.stderr);
    // The base's own error, at its line in the base.
    std::fs::write(dir.path().join("base.toml"), BASE.replace("0.02", "2")).unwrap();
    std::fs::write(&path, "extends = \"base.toml\"\n").unwrap();
    let out = run(&["check", path_str(&path)]);
    assert!(out.stderr.contains("base.toml:10:"), "{}", out.stderr);
    // One level only; a missing base is named.
    std::fs::write(
        dir.path().join("base.toml"),
        format!("extends = \"x.toml\"\n{BASE}"),
    )
    .unwrap();
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("one level deep"), "{}", out.stderr);
    std::fs::write(&path, "extends = \"missing.toml\"\n").unwrap();
    let out = run(&["check", path_str(&path)]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("missing.toml"), "{}", out.stderr);
}

#[test]
fn an_added_include_is_read_beside_the_extending_file() {
    let (dir, _) = files("");
    let sub = dir.path().join("variants");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("more.csv"), "id,dns\nextra.example,dyn\n").unwrap();
    let path = sub.join("v.toml");
    std::fs::write(
        &path,
        "extends = \"../base.toml\"\n[[include]]\nservices = \"more.csv\"\n",
    )
    .unwrap();
    let s = dnsim::scenario::load(&path).unwrap();
    assert!(s.services.iter().any(|x| &*x.id == "extra.example"));
}
