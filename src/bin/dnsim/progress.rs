//! The progress bar: indicatif on stderr, only when stderr is a terminal and
//! `--quiet` is off; when stderr is not a terminal (a CI log, a batch job),
//! a progress line every 10 seconds instead (`DNSIM_PROGRESS_EVERY=SECS`
//! changes it); and, terminal or not, one line of warning when a run is on
//! course to take long. Results never depend on any of them.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A run estimated to take longer than this says so once it has a pace.
const LONG_RUN: Duration = Duration::from_secs(10 * 60);
/// How long the pace is measured before the estimate.
const PACE_AFTER: Duration = Duration::from_secs(3);

/// Timeline lookup steps one core simulates a second, for the estimate a
/// run makes before it starts (`timeline::cost`), on this project's 2-core
/// machine. A run keeps as many cores busy as its trials have pieces to
/// run at once (`Prepared::timeline_work`): one trial of a requirement
/// chain, whose resolvers run in parallel, keeps both. One trial of chains
/// of 1,600, 3,200 and 20,000 names took 10.2, 27.0 and 352.5 s on both
/// cores (b0122e8, 2026-12-06), estimated at 9.0, 24.2 and 347 s; the
/// 20,000 chain without caches 16.6 s, estimated at 16 s. The earlier
/// calibrations: docs/performance.md, "Wide requirements and long chains".
const TIMELINE_STEPS_PER_SECOND: f64 = 5e8;

/// Says, before any work, that a timeline run of `work` expected lookup
/// steps (`Prepared::timeline_work`) on `cores` is likely to take long.
/// Returns whether it did.
pub fn estimate_timeline(work: f64, cores: u64) -> bool {
    let secs = work / (TIMELINE_STEPS_PER_SECOND * cores as f64);
    let long = secs > LONG_RUN.as_secs_f64();
    if long {
        eprintln!(
            "dnsim: this timeline run is estimated at {work:.1e} lookup steps, {} on {cores} {}; \
             fewer trials (--trials), a shorter horizon, fewer resolvers ([resolvers] per_region), \
             lower query rates (query_rate) or shorter requirement chains shorten it; Ctrl-C stops it",
            rough(secs),
            if cores == 1 { "core" } else { "cores" }
        );
    }
    long
}

/// "about 40 minutes", "about 3 hours", "about 12 days", "over a century".
fn rough(secs: f64) -> String {
    let (n, unit) = match secs {
        s if s < 2.0 * 3600.0 => (s / 60.0, "minutes"),
        s if s < 2.0 * 86400.0 => (s / 3600.0, "hours"),
        s if s < 2.0 * 365.0 * 86400.0 => (s / 86400.0, "days"),
        s if s < 100.0 * 365.0 * 86400.0 => (s / (365.0 * 86400.0), "years"),
        _ => return "over a century".to_string(),
    };
    format!("about {} {unit}", n.round())
}

pub struct Progress {
    bar: Option<ProgressBar>,
    /// What is counted, and what to tell the user of a long run (`None`:
    /// no estimate).
    unit: &'static str,
    hint: Option<&'static str>,
    total: u64,
    done: AtomicU64,
    start: Instant,
    warned: AtomicBool,
    /// Without a bar (and not quiet): the next progress line, in
    /// milliseconds from the start, and the spacing.
    next_line: Option<AtomicU64>,
    every_ms: u64,
}

/// How often a progress line is written where there is no bar.
fn line_every_ms() -> u64 {
    std::env::var("DNSIM_PROGRESS_EVERY")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(10_000, |s| (s * 1000.0) as u64)
}

impl Progress {
    /// Progress over `total` trials of a run: with the estimate.
    pub fn trials(total: u64, quiet: bool) -> Progress {
        Progress::new(
            total,
            "trials",
            (!quiet).then_some(
                "fewer trials (--trials, or [simulation] trials) shorten it; Ctrl-C stops it (resumably with --checkpoint)",
            ),
            quiet,
        )
    }

    /// Progress over `total` items of another kind: no estimate.
    pub fn of(total: u64, unit: &'static str, quiet: bool) -> Progress {
        Progress::new(total, unit, None, quiet)
    }

    fn new(total: u64, unit: &'static str, hint: Option<&'static str>, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(&format!(
                "{{spinner}} {{bar:40}} {{human_pos}}/{{human_len}} {unit}  {{elapsed}} (eta {{eta}})"
            )) {
                bar.set_style(style);
            }
            bar
        });
        let every_ms = line_every_ms();
        Progress {
            next_line: (!quiet && bar.is_none()).then(|| AtomicU64::new(every_ms)),
            bar,
            unit,
            hint,
            total,
            done: AtomicU64::new(0),
            start: Instant::now(),
            warned: AtomicBool::new(false),
            every_ms,
        }
    }

    pub fn inc(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        let elapsed = self.start.elapsed();
        self.line(done, elapsed);
        let Some(hint) = self.hint else { return };
        if elapsed < PACE_AFTER || self.warned.load(Ordering::Relaxed) {
            return;
        }
        let total = elapsed.as_secs_f64() * self.total as f64 / done as f64;
        if total > LONG_RUN.as_secs_f64() && !self.warned.swap(true, Ordering::Relaxed) {
            let line = format!(
                "dnsim: at this pace the run's {} {} take {} more; {hint}",
                self.total,
                self.unit,
                rough(total - elapsed.as_secs_f64())
            );
            match &self.bar {
                Some(bar) => bar.println(line),
                None => eprintln!("{line}"),
            }
        }
    }

    /// Where there is no bar: a line now and then, by one thread at a time.
    fn line(&self, done: u64, elapsed: Duration) {
        let Some(next) = &self.next_line else { return };
        let now = elapsed.as_millis() as u64;
        let due = next.load(Ordering::Relaxed);
        if now < due
            || next
                .compare_exchange(
                    due,
                    now + self.every_ms,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_err()
        {
            return;
        }
        let left = if done > 0 && done < self.total {
            let secs = elapsed.as_secs_f64() * (self.total - done) as f64 / done as f64;
            format!(
                ", {} left",
                rough(secs).replace("about 0 minutes", "under a minute")
            )
        } else {
            String::new()
        };
        eprintln!(
            "dnsim: {done} of {} {} ({:.0}%), {:.0}s elapsed{left}",
            self.total,
            self.unit,
            100.0 * done as f64 / self.total.max(1) as f64,
            elapsed.as_secs_f64()
        );
    }

    /// The run was already said to be long: no second warning.
    pub fn warned(self) -> Progress {
        self.warned.store(true, Ordering::Relaxed);
        self
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A plan that takes longer than this to load says so (a spinner on a
/// terminal, one line otherwise); `DNSIM_LOADING_AFTER=MS` changes it.
const LOADING_AFTER: Duration = Duration::from_secs(1);

/// Runs `load` (reading and validating the plan at `path`), and when it
/// takes long shows that it is loading: a spinner with the time so far
/// when stderr is a terminal, a line when it is not. Quick loads show
/// nothing and wait for nothing.
pub fn loading<T>(path: &std::path::Path, quiet: bool, load: impl FnOnce() -> T) -> T {
    if quiet {
        return load();
    }
    let after = std::env::var("DNSIM_LOADING_AFTER")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(LOADING_AFTER, Duration::from_millis);
    let shown = path.display().to_string();
    if after.is_zero() && !std::io::stderr().is_terminal() {
        // Said at once (and so, in tests, always).
        eprintln!("dnsim: loading {shown}…");
        return load();
    }
    let (done, wait) = std::sync::mpsc::channel::<()>();
    let watcher = std::thread::spawn(move || {
        use std::sync::mpsc::RecvTimeoutError::Timeout;
        if wait.recv_timeout(after) != Err(Timeout) {
            return;
        }
        if !std::io::stderr().is_terminal() {
            eprintln!("dnsim: loading {shown}…");
            return;
        }
        let bar = ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} loading {msg} {elapsed}")
                .expect("a valid template"),
        );
        bar.set_message(shown);
        while wait.recv_timeout(Duration::from_millis(100)) == Err(Timeout) {
            bar.tick();
        }
        bar.finish_and_clear();
    });
    let out = load();
    let _ = done.send(());
    let _ = watcher.join();
    out
}
