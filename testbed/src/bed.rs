//! One experiment on the real testbed, with one kind of resolver: NSD,
//! a relay per provider, the resolver processes and their clients, all on
//! one `127.A.B.0/24` block of loopback addresses, in one temporary
//! directory that is removed afterwards (also when interrupted).
//!
//! Addresses in the block: `.1` NSD, `.10 + p` provider p's relay,
//! `.20 + i` resolver process i (listening, and sending its queries),
//! `.60 + i` its clients, `.250` the root server nobody runs.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::client::{self, Lookup};
use crate::daemon::{self, AUTH_PORT, RELAY_PORT, Resolver};
use crate::experiment::Experiment;
use crate::relay::{Relay, Window};

/// What one run showed, real or simulated: the figures the table compares.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    /// Answered share of the lookups started during the first event.
    pub answered: f64,
    /// Queries at the event's provider during the event, over the
    /// no-outage expectation ([`Experiment::baseline_queries`]).
    pub load: f64,
    /// Mean time a lookup waited beyond an immediate answer, over all
    /// lookups of the run: for dnsim, its `added_latency_ms`.
    pub latency_ms: f64,
    /// Lookups started during the event (real runs).
    pub lookups: u64,
    /// Answered share of the lookups started before the event (real runs):
    /// about 1 when the testbed works.
    pub answered_before: f64,
}

/// A real run: its figures, and where it ran (removed by the time it
/// returns).
#[derive(Debug, Clone)]
pub struct Ran {
    pub figures: Figures,
    pub dir: PathBuf,
    pub block: [u8; 3],
}

/// The address block a run uses: `127.A.B.0/24`, with A from the process id
/// (concurrent harnesses do not meet) and B the run's slot.
pub fn block(slot: u8) -> [u8; 3] {
    [127, 64 + (std::process::id() % 128) as u8, slot]
}

fn ip(block: [u8; 3], host: u8) -> Ipv4Addr {
    Ipv4Addr::new(block[0], block[1], block[2], host)
}

/// How a real run is set up, beyond its experiment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Setup {
    /// The run's address block is `127.A.<slot>.0/24`.
    pub slot: u8,
    /// Added to every query's trip to the authoritative (loopback's own
    /// round trip is a few microseconds).
    pub rtt: Duration,
}

/// Runs `exp` with `resolver`. Returns an error if `stop` is set
/// meanwhile; everything started is stopped and removed either way.
pub fn run(exp: &Experiment, resolver: Resolver, setup: Setup, stop: &AtomicBool) -> Result<Ran> {
    let missing = resolver.missing();
    if !missing.is_empty() {
        bail!("not installed: {}", missing.join(", "));
    }
    let dir = tempfile::Builder::new()
        .prefix("dnsim-testbed-")
        .tempdir()
        .context("cannot create the run's directory")?;
    let block = block(setup.slot);
    eprintln!(
        "testbed: {} with {}: in {}, addresses {}.{}.{}.0/24",
        exp.name,
        resolver.label(),
        dir.path().display(),
        block[0],
        block[1],
        block[2]
    );
    let path = dir.path();
    let run_dir = path.to_path_buf();
    let relays: Vec<Ipv4Addr> = (0..exp.providers.len())
        .map(|p| ip(block, 10 + p as u8))
        .collect();
    let resolvers: Vec<Ipv4Addr> = (0..exp.instances)
        .map(|i| ip(block, 20 + i as u8))
        .collect();

    daemon::write_root_hints(path, ip(block, 250))?;
    let mut nsd = daemon::start_nsd(path, ip(block, 1), &relays, exp.names, exp.ttl)?;
    let auth = SocketAddr::new(ip(block, 1).into(), AUTH_PORT);
    if !client::wait_answered(auth, ip(block, 1), "ready.test.", Duration::from_secs(20)) {
        nsd.check_running(path)?;
        bail!("NSD did not answer within 20 s (log in its directory)");
    }

    let clock = Arc::new(OnceLock::new());
    let mut relay_handles = Vec::new();
    for (p, &at) in relays.iter().enumerate() {
        let windows = exp
            .losses
            .iter()
            .filter(|l| l.provider == p)
            .map(|l| Window {
                start: l.start,
                end: l.end,
                loss: l.loss,
                cut: l.by_resolver.then(|| {
                    let n = exp.cut_off(l) as usize;
                    resolvers[..n]
                        .iter()
                        .map(|&r| IpAddr::V4(r))
                        .collect::<HashSet<_>>()
                }),
            })
            .collect();
        relay_handles.push(Relay::start(
            SocketAddr::new(at.into(), RELAY_PORT),
            auth,
            windows,
            clock.clone(),
            1 + p as u64,
            setup.rtt,
        )?);
    }

    let mut daemons = Vec::new();
    let mut listening = Vec::new();
    for (i, &at) in resolvers.iter().enumerate() {
        let (mut d, listen) = resolver.start(path, at, &relays, exp.serve_stale)?;
        if !client::wait_answered(
            listen,
            ip(block, 60 + i as u8),
            "ready.test.",
            Duration::from_secs(20),
        ) {
            d.check_running(path)?;
            bail!("{} did not answer within 20 s", resolver.label());
        }
        daemons.push(d);
        listening.push(listen);
    }

    let t0 = Instant::now();
    clock.set(t0).expect("the clock starts once");
    let per_instance: Vec<Result<Vec<Lookup>>> = thread::scope(|s| {
        let handles: Vec<_> = listening
            .iter()
            .enumerate()
            .map(|(i, &at)| {
                s.spawn(move || {
                    client::drive(
                        at,
                        ip(block, 60 + i as u8),
                        exp.names,
                        exp.rate,
                        exp.horizon,
                        exp.client_timeout,
                        t0,
                        100 + i as u64,
                        stop,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    let mut lookups = Vec::new();
    for l in per_instance {
        lookups.extend(l?);
    }
    for d in &mut daemons {
        d.check_running(path)?;
    }

    let event = exp.event();
    let during: Vec<&Lookup> = lookups
        .iter()
        .filter(|l| l.at >= event.start && l.at < event.end)
        .collect();
    if during.is_empty() {
        bail!("no lookup started during the event");
    }
    let answered = share_answered(&during);
    let before: Vec<&Lookup> = lookups.iter().filter(|l| l.at < event.start).collect();
    let answered_before = share_answered(&before);
    let queries = relay_handles[event.provider].queries_between(event.start, event.end);
    let latency_ms = lookups
        .iter()
        .map(|l| l.latency.as_secs_f64() * 1000.0)
        .sum::<f64>()
        / lookups.len() as f64;
    // Stop in order: resolvers, relays, NSD, then the directory.
    drop(daemons);
    drop(relay_handles);
    drop(nsd);
    dir.close().context("cannot remove the run's directory")?;
    Ok(Ran {
        figures: Figures {
            answered,
            load: queries as f64 / exp.baseline_queries(),
            latency_ms,
            lookups: during.len() as u64,
            answered_before,
        },
        dir: run_dir,
        block,
    })
}

fn share_answered(lookups: &[&Lookup]) -> f64 {
    lookups.iter().filter(|l| l.answered).count() as f64 / lookups.len().max(1) as f64
}

/// The same experiment in dnsim (its measured profile, as the file sets it).
pub fn simulate(exp: &Experiment) -> Result<Figures> {
    let report = dnsim::run::timeline(&exp.scenario, &Default::default(), None, &|_| {})
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let event = report.events.first().context("the event's figures")?;
    let region = event.by_region.values().next().context("a region")?;
    Ok(Figures {
        answered: 1.0 - region.failed_share,
        load: region.authoritative_load.unwrap_or(0.0),
        latency_ms: report.services[0].added_latency_ms,
        lookups: 0,
        answered_before: 1.0,
    })
}
