//! `testbed [EXPERIMENT.toml…]`: runs each experiment (all of
//! `testbed/experiments/` by default) through the real resolvers and
//! dnsim, and prints the Markdown table of docs/testbed.md.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use clap::{Parser, ValueEnum};
use dnsim_testbed::bed::{self, Figures, Setup};
use dnsim_testbed::daemon::{self, Resolver};
use dnsim_testbed::experiment::Experiment;
use dnsim_testbed::table::{self, Row};

#[derive(Parser)]
#[command(about = "Real resolvers (Unbound, BIND) on loopback beside dnsim's timeline model")]
struct Cli {
    /// Experiment files (dnsim scenarios); all of testbed/experiments/ when
    /// none is given.
    experiments: Vec<PathBuf>,
    /// Resolvers to run [default: both].
    #[arg(long, value_enum)]
    resolver: Vec<Which>,
    /// Runs at once (each is one experiment with one resolver).
    #[arg(long, default_value_t = 8)]
    parallel: usize,
    /// Round trip added to every query to the authoritatives, in
    /// milliseconds (loopback has none to speak of).
    #[arg(long, default_value_t = 0)]
    rtt: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    Unbound,
    Bind,
}

static STOP: AtomicBool = AtomicBool::new(false);

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("testbed: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed))?;
    let files = if cli.experiments.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("experiments");
        let mut f: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        f.retain(|p| p.extension().is_some_and(|e| e == "toml"));
        f.sort();
        f
    } else {
        cli.experiments
    };
    let experiments: Vec<Experiment> = files
        .iter()
        .map(|f| Experiment::load(f))
        .collect::<Result<_>>()?;
    let resolvers: Vec<Resolver> = if cli.resolver.is_empty() {
        Resolver::ALL.to_vec()
    } else {
        cli.resolver
            .iter()
            .map(|w| match w {
                Which::Unbound => Resolver::Unbound,
                Which::Bind => Resolver::Bind,
            })
            .collect()
    };
    let jobs: Vec<(usize, Resolver)> = (0..experiments.len())
        .flat_map(|e| resolvers.iter().map(move |&r| (e, r)))
        .collect();
    if jobs.len() > 200 {
        anyhow::bail!("at most 200 runs at a time (one address block each)");
    }
    let longest = experiments
        .iter()
        .map(|e| e.horizon.as_secs())
        .max()
        .unwrap_or(0);
    eprintln!(
        "testbed: {} runs, {} at a time, each up to {} s",
        jobs.len(),
        cli.parallel.max(1),
        longest
    );
    let results: Mutex<Vec<Option<Result<Figures, String>>>> = Mutex::new(vec![None; jobs.len()]);
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..cli.parallel.max(1) {
            s.spawn(|| {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= jobs.len() || STOP.load(Ordering::Relaxed) {
                        break;
                    }
                    let (e, r) = jobs[j];
                    let setup = Setup {
                        slot: j as u8,
                        rtt: Duration::from_millis(cli.rtt),
                    };
                    let got = bed::run(&experiments[e], r, setup, &STOP)
                        .map(|ran| ran.figures)
                        .map_err(|e| format!("{e:#}"));
                    if let Err(why) = &got {
                        eprintln!("testbed: {} with {}: {why}", experiments[e].name, r.label());
                    }
                    results.lock().expect("results")[j] = Some(got);
                }
            });
        }
    });
    if STOP.load(Ordering::Relaxed) {
        eprintln!("testbed: interrupted; everything started was stopped and removed");
        return Ok(ExitCode::from(130));
    }
    let mut results = results.into_inner().expect("results").into_iter();
    let mut rows = Vec::new();
    let mut failed = false;
    for exp in experiments {
        let dnsim = bed::simulate(&exp)?;
        let real: Vec<(Resolver, Result<Figures, String>)> = resolvers
            .iter()
            .map(|&r| {
                let got = results.next().flatten().unwrap_or(Err("not run".into()));
                failed |= got.is_err();
                (r, got)
            })
            .collect();
        rows.push(Row {
            experiment: exp,
            dnsim,
            real,
        });
    }
    let versions: Vec<String> = resolvers.iter().map(|r| r.version()).collect();
    let rtt = if cli.rtt > 0 {
        format!(", {} ms added round trip", cli.rtt)
    } else {
        String::new()
    };
    println!("{}, {}{rtt}\n", versions.join(", "), daemon::nsd_version());
    print!("{}", table::markdown(&rows));
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
