//! The clients: Poisson lookups of the test names through one resolver,
//! each with the client's timeout and no retry of its own (dnsim's clients
//! wait for the resolver's first `attempts` tries, nothing more). Every
//! lookup records when it started, whether it was answered, and how long it
//! took (the timeout, for a lookup that got no reply).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use dnsim::random;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType};

#[derive(Debug, Clone, Copy)]
pub struct Lookup {
    /// From the run's start.
    pub at: Duration,
    pub answered: bool,
    pub latency: Duration,
}

/// One lookup of `name` at `resolver`, from `from`, with `timeout`.
pub fn lookup(
    resolver: SocketAddr,
    from: Ipv4Addr,
    name: &str,
    id: u16,
    timeout: Duration,
) -> Result<(bool, Duration)> {
    let mut query = Message::new(id, MessageType::Query, OpCode::Query);
    query.metadata.recursion_desired = true;
    query.add_query(Query::query(Name::from_ascii(name)?, RecordType::A));
    let bytes = query.to_vec()?;
    let socket = UdpSocket::bind((from, 0))?;
    let sent = Instant::now();
    socket.send_to(&bytes, resolver)?;
    let mut buf = [0u8; 4096];
    loop {
        let left = timeout.saturating_sub(sent.elapsed());
        if left.is_zero() {
            return Ok((false, timeout));
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                let Ok(reply) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                if reply.metadata.id != id {
                    continue;
                }
                let answered = reply.metadata.response_code == ResponseCode::NoError
                    && !reply.answers.is_empty();
                return Ok((answered, sent.elapsed()));
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Asks `name` until it is answered, up to `within`: the resolver (and
/// everything behind it) is up.
pub fn wait_answered(resolver: SocketAddr, from: Ipv4Addr, name: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    let mut id = 1u16;
    while Instant::now() < deadline {
        if let Ok((true, _)) = lookup(resolver, from, name, id, Duration::from_millis(500)) {
            return true;
        }
        id = id.wrapping_add(1);
        thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Drives Poisson lookups (`rate` per name per second over `names` names
/// `n0.test.` …) at `resolver` from `t0` until `horizon`, one thread per
/// lookup in flight. Returns every lookup, or an error when `stop` is set.
#[allow(clippy::too_many_arguments)]
pub fn drive(
    resolver: SocketAddr,
    from: Ipv4Addr,
    names: u32,
    rate: f64,
    horizon: Duration,
    timeout: Duration,
    t0: Instant,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Vec<Lookup>> {
    let mut rng = random::seeded(seed);
    let total_rate = rate * f64::from(names);
    let lookups = Arc::new(Mutex::new(Vec::new()));
    let mut next = Duration::ZERO;
    let mut handles = Vec::new();
    let mut id: u16 = (random::uniform(&mut rng) * 65536.0) as u16;
    loop {
        next += Duration::from_secs_f64(random::exponential(&mut rng, total_rate));
        if next >= horizon {
            break;
        }
        let name = format!(
            "n{}.test.",
            (random::uniform(&mut rng) * f64::from(names)) as u32
        );
        while t0.elapsed() < next {
            if stop.load(Ordering::Relaxed) {
                bail!("interrupted");
            }
            thread::sleep(
                next.saturating_sub(t0.elapsed())
                    .min(Duration::from_millis(50)),
            );
        }
        id = id.wrapping_add(1);
        let (lookups, at) = (lookups.clone(), next);
        handles.push(thread::spawn(move || {
            let (answered, latency) =
                lookup(resolver, from, &name, id, timeout).unwrap_or((false, timeout));
            lookups.lock().expect("lookups lock").push(Lookup {
                at,
                answered,
                latency,
            });
        }));
        handles.retain(|h| !h.is_finished());
    }
    for h in handles {
        let _ = h.join();
    }
    let mut all = std::mem::take(&mut *lookups.lock().expect("lookups lock"));
    all.sort_by_key(|l| l.at);
    Ok(all)
}
