//! The `dnsim` binary: parse the flags, run the command, map what went wrong
//! to an exit code. Everything else lives in `commands/`, one file per
//! subcommand, and in the library.

mod cli;
mod commands;
mod progress;

use std::process::ExitCode;

use clap::Parser;
use dnsim::error::{Error, InputError};

/// mimalloc, not the system allocator: loading and reporting a large plan
/// make millions of small allocations, where glibc's malloc spent a third
/// of a 100K-service `check` (perf), and its size classes carry no
/// per-block header.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The exit codes dnsim promises (spec §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    /// A bug or an I/O failure.
    Failure = 1,
    /// Bad input: a scenario, an input file or a flag.
    BadInput = 2,
    /// `check --deny-warnings` found warnings, or a gate of `run`
    /// (`--max-impact`, `--max-downtime`, `--min-nines`) was broken.
    Refused = 3,
    /// Ctrl-C during a checkpointed run (128 + SIGINT).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

fn main() -> ExitCode {
    commands::configure_allocator();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::BadInput
            } else {
                Exit::Success
            }
            .into();
        }
    };
    match commands::run(cli.command) {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => match input_error(&e) {
            Some(input) => {
                eprintln!("error: {input}");
                Exit::BadInput.into()
            }
            None => {
                eprintln!("error: {e:#}");
                Exit::Failure.into()
            }
        },
    }
}

fn input_error(e: &anyhow::Error) -> Option<&InputError> {
    match e.downcast_ref::<Error>() {
        Some(Error::Input(input)) => Some(input),
        _ => e.downcast_ref::<InputError>(),
    }
}

/// `dnsim run … | head`: a closed pipe is not worth a message.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Error>().is_some_and(Error::is_broken_pipe)
        || e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        })
}
