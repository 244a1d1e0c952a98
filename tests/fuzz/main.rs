//! The fuzzing harness, on stable Rust: mutation fuzzing of every reader
//! dnsim has (scenario TOML and its CSV include, zone, octoDNS config and
//! zone file, DNSControl IR, NS list, part, checkpoint and result JSON) and
//! of the engines on the fuzzed plans that pass validation, seeded from the
//! repository's fixtures and scenarios.
//!
//! Every execution has a time budget (a watchdog aborts the process, after
//! printing the input, when one runs over) and the whole process a memory
//! budget (a counting allocator does the same when live memory would pass
//! it), so hangs and blow-ups count as failures, as panics do. Inputs that
//! ever failed live in `tests/fuzz/regressions/TARGET/` and run first, every
//! time.
//!
//! `cargo test` runs a short campaign (2,000 executions). The long run:
//!
//!     DNSIM_FUZZ_EXECS=10000000 cargo test --release --test fuzz
//!
//! prints a summary per target. `DNSIM_FUZZ_SEED` picks another campaign.

mod alloc;
mod mutate;
mod targets;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

use targets::{Outcome, Target};

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// An execution running longer than this is a failure.
const TIME_BUDGET: Duration = Duration::from_secs(20);
/// Live memory of the whole process above this is a failure.
const MEMORY_BUDGET: usize = 4 << 30;

const WORKERS: usize = 2;

/// A long campaign says how far it has come this often (on stderr).
const PROGRESS_EVERY: Duration = Duration::from_secs(60);

fn main() {
    let execs: u64 = env_number("DNSIM_FUZZ_EXECS", 2_000);
    let seed: u64 = env_number("DNSIM_FUZZ_SEED", 1);
    alloc::set_budget(MEMORY_BUDGET);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = targets::corpus(root);
    let regressions = targets::regressions(&root.join("tests/fuzz/regressions"));
    let stats = Stats::new();
    let started: Vec<Slot> = (0..WORKERS).map(|_| Slot::default()).collect();
    std::panic::set_hook(Box::new(|_| {})); // panics are counted, not printed
    let clock = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(|| watchdog(&started, execs, &stats));
        for (w, slot) in started.iter().enumerate() {
            let (corpus, regressions, stats) = (&corpus, &regressions, &stats);
            scope.spawn(move || {
                let dir = tempfile::tempdir().expect("a temporary directory");
                targets::prepare(root, dir.path());
                let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(1000) + w as u64);
                // The regressions first, each by one worker.
                for (i, (target, input)) in regressions.iter().enumerate() {
                    if i % WORKERS == w {
                        execute(*target, input, dir.path(), slot, stats);
                    }
                }
                let mine = execs / WORKERS as u64 + u64::from((w as u64) < execs % WORKERS as u64);
                for _ in 0..mine {
                    let (target, seed_input) =
                        &corpus[(rng.next_u64() % corpus.len() as u64) as usize];
                    let other = &corpus[(rng.next_u64() % corpus.len() as u64) as usize].1;
                    let input = mutate::mutate(&mut rng, seed_input, other);
                    execute(*target, &input, dir.path(), slot, stats);
                }
            });
        }
    });
    let _ = std::panic::take_hook();
    stats.print(clock.elapsed());
    let failures = stats.failures.lock().unwrap();
    if !failures.is_empty() {
        eprintln!(
            "{} failing inputs, saved under target/fuzz-failures/",
            failures.len()
        );
        std::process::exit(1);
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// What a worker is running now, for the watchdog.
#[derive(Default)]
struct Slot {
    /// Milliseconds since the epoch the execution started (0: idle).
    since: AtomicU64,
    input: Mutex<(String, Vec<u8>)>,
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn execute(target: Target, input: &[u8], dir: &Path, slot: &Slot, stats: &Stats) {
    {
        let mut current = slot.input.lock().unwrap();
        current.0 = target.name().to_string();
        current.1.clear();
        current.1.extend_from_slice(input);
    }
    alloc::set_current(input);
    slot.since.store(now_ms(), Ordering::SeqCst);
    let start = Instant::now();
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| target.run(input, dir)));
    let took = start.elapsed();
    slot.since.store(0, Ordering::SeqCst);
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(payload) => {
            let what = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            stats.fail(target, input, &format!("panic: {what}"));
            Outcome::Panicked
        }
    };
    stats.record(target, outcome, took);
}

/// Aborts the process, with the input, when an execution runs over budget;
/// says how far a long campaign has come once a minute; returns when the
/// campaign is over.
fn watchdog(slots: &[Slot], execs: u64, stats: &Stats) {
    let start = Instant::now();
    let mut said = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        let done = stats.total.load(Ordering::SeqCst);
        if done >= execs {
            return;
        }
        if said.elapsed() >= PROGRESS_EVERY {
            said = Instant::now();
            let rate = done as f64 / start.elapsed().as_secs_f64();
            eprintln!(
                "fuzz: {done} of {execs} executions, {rate:.0}/s, {} failing so far, about {} min left",
                stats.failures.lock().unwrap().len(),
                ((execs - done) as f64 / rate.max(1.0) / 60.0).ceil()
            );
        }
        for slot in slots {
            let since = slot.since.load(Ordering::SeqCst);
            if since != 0 && now_ms().saturating_sub(since) > TIME_BUDGET.as_millis() as u64 {
                let (target, input) = slot.input.lock().unwrap().clone();
                let path = save_failure(&target, &input);
                eprintln!(
                    "fuzz: a {target} execution ran over its {}s budget; input saved as {}",
                    TIME_BUDGET.as_secs(),
                    path.display()
                );
                std::process::abort();
            }
        }
    }
}

fn save_failure(target: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/fuzz-failures")
        .join(target);
    let _ = std::fs::create_dir_all(&dir);
    let name = format!("{:016x}", fnv(input));
    let path = dir.join(name);
    let _ = std::fs::write(&path, input);
    path
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

struct Stats {
    total: AtomicU64,
    rows: Mutex<std::collections::BTreeMap<&'static str, Row>>,
    failures: Mutex<Vec<String>>,
}

#[derive(Default)]
struct Row {
    execs: u64,
    accepted: u64,
    refused: u64,
    engines: u64,
    panics: u64,
    slowest: Duration,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            total: AtomicU64::new(0),
            rows: Mutex::new(Default::default()),
            failures: Mutex::new(Vec::new()),
        }
    }

    fn record(&self, target: Target, outcome: Outcome, took: Duration) {
        {
            let mut rows = self.rows.lock().unwrap();
            let row = rows.entry(target.name()).or_default();
            row.execs += 1;
            row.slowest = row.slowest.max(took);
            match outcome {
                Outcome::Accepted => row.accepted += 1,
                Outcome::Refused => row.refused += 1,
                Outcome::Ran => {
                    row.accepted += 1;
                    row.engines += 1;
                }
                Outcome::Panicked => row.panics += 1,
            }
        }
        self.total.fetch_add(1, Ordering::SeqCst);
    }

    fn fail(&self, target: Target, input: &[u8], why: &str) {
        let path = save_failure(target.name(), input);
        let line = format!("{}: {why} ({})", target.name(), path.display());
        eprintln!("fuzz: {line}");
        self.failures.lock().unwrap().push(line);
    }

    fn print(&self, elapsed: Duration) {
        let rows = self.rows.lock().unwrap();
        println!(
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>7} {:>10}",
            "target", "execs", "accepted", "refused", "engines", "panics", "slowest"
        );
        let mut total = Row::default();
        for (name, r) in rows.iter() {
            println!(
                "{name:<16} {:>10} {:>10} {:>10} {:>10} {:>7} {:>9.2}s",
                r.execs,
                r.accepted,
                r.refused,
                r.engines,
                r.panics,
                r.slowest.as_secs_f64()
            );
            total.execs += r.execs;
            total.accepted += r.accepted;
            total.refused += r.refused;
            total.engines += r.engines;
            total.panics += r.panics;
            total.slowest = total.slowest.max(r.slowest);
        }
        println!(
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>7} {:>9.2}s",
            "all",
            total.execs,
            total.accepted,
            total.refused,
            total.engines,
            total.panics,
            total.slowest.as_secs_f64()
        );
        println!(
            "{} executions in {:.0}s on {WORKERS} threads; budgets {}s an execution, {} GiB live; peak live memory {} MiB; 0 over budget (an execution over budget aborts the run)",
            total.execs,
            elapsed.as_secs_f64(),
            TIME_BUDGET.as_secs(),
            MEMORY_BUDGET >> 30,
            alloc::peak() >> 20
        );
    }
}
