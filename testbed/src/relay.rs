//! A provider, as the resolvers see it: a UDP relay in front of the
//! authoritative server that counts every query it receives and drops
//! queries as the experiment's loss schedule says (this machine has no
//! `tc netem`). Per-query loss drops each query independently; per-resolver
//! loss drops everything from the resolver addresses that are cut off.
//! Replies are relayed back unchanged but for the message id, which the
//! relay rewrites so that queries from any number of source ports share one
//! upstream socket. A relay may also hold each forwarded query for a fixed
//! time: the round trip to a distant authoritative, which loopback lacks.

use std::collections::{HashMap, HashSet};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::Result;
use dnsim::random::{self, Stream};

/// One window of loss at this relay, from the run's start.
#[derive(Debug, Clone)]
pub struct Window {
    pub start: Duration,
    pub end: Duration,
    pub loss: f64,
    /// `Some`: per-resolver loss, dropping every query from these
    /// addresses; `None`: each query lost with probability `loss`.
    pub cut: Option<HashSet<IpAddr>>,
}

/// The relay's view of time: nothing counts and nothing is dropped before
/// the run starts (readiness probes pass freely).
pub type Clock = Arc<OnceLock<Instant>>;

pub struct Relay {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// Arrival times of the queries received since the run started.
    arrivals: Arc<Mutex<Vec<Duration>>>,
}

struct Pending {
    client: SocketAddr,
    id: [u8; 2],
    sent: Instant,
}

impl Relay {
    pub fn start(
        at: SocketAddr,
        upstream: SocketAddr,
        windows: Vec<Window>,
        clock: Clock,
        seed: u64,
        delay: Duration,
    ) -> Result<Relay> {
        let front = UdpSocket::bind(at)?;
        let back = UdpSocket::bind(SocketAddr::new(at.ip(), 0))?;
        back.connect(upstream)?;
        let tick = Some(Duration::from_millis(50));
        front.set_read_timeout(tick)?;
        back.set_read_timeout(tick)?;
        let stop = Arc::new(AtomicBool::new(false));
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let pending: Arc<Mutex<HashMap<u16, Pending>>> = Arc::default();

        // Forwarded queries go out through `send`: at once, or after
        // `delay` (a constant delay keeps them in order, so a queue will do).
        let (send, delayed) = mpsc::channel::<(Instant, Vec<u8>)>();
        let delayer = {
            let back = back.try_clone()?;
            thread::spawn(move || {
                while let Ok((due, query)) = delayed.recv() {
                    thread::sleep(due.saturating_duration_since(Instant::now()));
                    let _ = back.send(&query);
                }
            })
        };
        let inbound = {
            let (front, back) = (front.try_clone()?, back.try_clone()?);
            let (stop, arrivals, pending) = (stop.clone(), arrivals.clone(), pending.clone());
            thread::spawn(move || {
                let mut rng = random::seeded(seed);
                let mut next_id: u16 = 0;
                let mut buf = [0u8; 4096];
                while !stop.load(Ordering::Relaxed) {
                    let (n, client) = match front.recv_from(&mut buf) {
                        Ok(got) => got,
                        Err(e) if is_timeout(&e) => continue,
                        Err(_) => break,
                    };
                    if n < 12 {
                        continue;
                    }
                    if let Some(t0) = clock.get() {
                        let t = t0.elapsed();
                        arrivals.lock().expect("relay lock").push(t);
                        if dropped(&windows, t, client.ip(), &mut rng) {
                            continue;
                        }
                    }
                    let mut p = pending.lock().expect("relay lock");
                    p.retain(|_, q| q.sent.elapsed() < Duration::from_secs(30));
                    next_id = next_id.wrapping_add(1);
                    p.insert(
                        next_id,
                        Pending {
                            client,
                            id: [buf[0], buf[1]],
                            sent: Instant::now(),
                        },
                    );
                    drop(p);
                    buf[..2].copy_from_slice(&next_id.to_be_bytes());
                    if delay.is_zero() {
                        let _ = back.send(&buf[..n]);
                    } else {
                        let _ = send.send((Instant::now() + delay, buf[..n].to_vec()));
                    }
                }
            })
        };
        let outbound = {
            let (stop, pending) = (stop.clone(), pending);
            thread::spawn(move || {
                let mut buf = [0u8; 65536];
                while !stop.load(Ordering::Relaxed) {
                    let n = match back.recv(&mut buf) {
                        Ok(n) => n,
                        Err(e) if is_timeout(&e) => continue,
                        Err(_) => break,
                    };
                    if n < 12 {
                        continue;
                    }
                    let id = u16::from_be_bytes([buf[0], buf[1]]);
                    let Some(q) = pending.lock().expect("relay lock").remove(&id) else {
                        continue;
                    };
                    buf[..2].copy_from_slice(&q.id);
                    let _ = front.send_to(&buf[..n], q.client);
                }
            })
        };
        Ok(Relay {
            stop,
            // The delayer ends once the inbound thread, its sender, has.
            threads: vec![inbound, outbound, delayer],
            arrivals,
        })
    }

    /// Queries received in `[from, to)` of the run.
    pub fn queries_between(&self, from: Duration, to: Duration) -> u64 {
        let a = self.arrivals.lock().expect("relay lock");
        a.iter().filter(|&&t| t >= from && t < to).count() as u64
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn dropped(windows: &[Window], t: Duration, from: IpAddr, rng: &mut Stream) -> bool {
    windows
        .iter()
        .filter(|w| w.start <= t && t < w.end)
        .any(|w| match &w.cut {
            Some(cut) => cut.contains(&from),
            None => random::uniform(rng) < w.loss,
        })
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
