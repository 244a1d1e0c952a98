//! The testbed against the real resolvers, briefly: one short experiment
//! (`tests/smoke.toml`) through Unbound and through BIND, each checked for
//! a working testbed (lookups answered before the event, queries seen at
//! the relay) and for dnsim within the table's tolerance; and a run
//! interrupted with SIGINT that leaves no process, socket or directory
//! behind. Skipped with a notice when Unbound, BIND or NSD is missing;
//! mandatory with DNSIM_REQUIRE_EXTERNAL=1 (`.ci/run` installs them).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use dnsim_testbed::bed;
use dnsim_testbed::daemon::Resolver;
use dnsim_testbed::experiment::Experiment;
use dnsim_testbed::table;

fn smoke_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smoke.toml")
}

/// Whether `resolvers` can run here; panics when they must
/// (DNSIM_REQUIRE_EXTERNAL=1) and cannot.
fn installed(resolvers: &[Resolver]) -> bool {
    let mut missing: Vec<&str> = resolvers.iter().flat_map(|r| r.missing()).collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("DNSIM_REQUIRE_EXTERNAL").as_deref() != Ok("1"),
        "DNSIM_REQUIRE_EXTERNAL=1 but not installed: {} (apt-get install unbound bind9 nsd)",
        missing.join(", ")
    );
    eprintln!(
        "skipped: the testbed needs {} (apt-get install unbound bind9 nsd)",
        missing.join(", ")
    );
    false
}

/// Nothing of a run is left: its directory, any process naming it, any
/// socket on its address block.
fn nothing_left(dir: &Path, block: [u8; 3]) {
    assert!(!dir.exists(), "{} is still there", dir.display());
    let needle = dir.to_string_lossy().into_owned();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(
            !cmdline.contains(&needle),
            "process {:?} is still running: {cmdline}",
            entry.file_name()
        );
    }
    // /proc/net/{udp,tcp} give local addresses as little-endian hex.
    let suffix = format!("{:02X}{:02X}{:02X}:", block[2], block[1], block[0]);
    for table in ["/proc/net/udp", "/proc/net/tcp"] {
        let text = std::fs::read_to_string(table).expect("socket table");
        for line in text.lines().skip(1) {
            let local = line.split_whitespace().nth(1).unwrap_or("");
            assert!(
                !local[2..].starts_with(&suffix),
                "a socket is still open on the run's block: {line}"
            );
        }
    }
}

fn smoke(resolver: Resolver, slot: u8) {
    if !installed(&[resolver]) {
        return;
    }
    let exp = Experiment::load(&smoke_file()).expect("the smoke experiment loads");
    let setup = bed::Setup {
        slot,
        rtt: Duration::ZERO,
    };
    let ran = bed::run(&exp, resolver, setup, &AtomicBool::new(false)).expect("the testbed runs");
    let real = ran.figures;
    let dnsim = bed::simulate(&exp).expect("dnsim runs");
    eprintln!(
        "{}: answered {:.3} (before the event {:.3}), load {:.2}x, latency {:.0} ms; \
         dnsim: answered {:.3}, load {:.2}x, latency {:.0} ms",
        resolver.label(),
        real.answered,
        real.answered_before,
        real.load,
        real.latency_ms,
        dnsim.answered,
        dnsim.load,
        dnsim.latency_ms
    );
    assert!(
        real.answered_before > 0.95,
        "the testbed is broken: only {:.3} of the lookups before the event were answered",
        real.answered_before
    );
    assert!(real.lookups > 100, "too few lookups: {}", real.lookups);
    assert!(real.load > 0.0, "the relay saw no query");
    if let Err(gap) = table::verdict(&dnsim, &real) {
        panic!("dnsim is outside the testbed's tolerance: {gap}");
    }
    nothing_left(&ran.dir, ran.block);
}

#[test]
fn unbound_on_the_smoke_experiment() {
    smoke(Resolver::Unbound, 200);
}

#[test]
fn bind_on_the_smoke_experiment() {
    smoke(Resolver::Bind, 201);
}

/// SIGINT to the harness mid-run: it stops every server, closes every
/// socket and removes its directories, and says so.
#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    if !installed(&Resolver::ALL) {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_testbed"))
        .arg(smoke_file())
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the testbed starts");
    let stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut lines = stderr.lines();
    // "testbed: smoke with Unbound: in DIR, addresses 127.A.B.0/24"
    let mut runs: Vec<(PathBuf, [u8; 3])> = Vec::new();
    let mut said = Vec::new();
    while runs.len() < 2 {
        let line = lines
            .next()
            .expect("the testbed reports its runs")
            .expect("text");
        said.push(line.clone());
        if let Some((_, rest)) = line.split_once(": in ") {
            let (dir, addresses) = rest.split_once(", addresses ").expect("addresses");
            let octets: Vec<u8> = addresses
                .split('.')
                .take(3)
                .map(|o| o.parse().expect("an octet"))
                .collect();
            runs.push((PathBuf::from(dir), [octets[0], octets[1], octets[2]]));
        }
    }
    // Let the servers start and the clients send for a while.
    std::thread::sleep(Duration::from_secs(12));
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "the testbed did not stop");
        std::thread::sleep(Duration::from_millis(100));
    };
    said.extend(lines.map_while(Result::ok));
    assert_eq!(status.code(), Some(130), "{}", said.join("\n"));
    assert!(
        said.iter().any(|l| l.contains("interrupted")),
        "{}",
        said.join("\n")
    );
    for (dir, block) in runs {
        nothing_left(&dir, block);
    }
}
