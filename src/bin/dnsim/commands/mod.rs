//! One file per subcommand. Each turns its clap arguments into typed,
//! cross-checked options once, calls the library, and writes where the
//! output flags say; what they share is here.

mod analyze;
mod check;
mod compare;
mod export;
mod gates;
mod generate;
mod import;
mod merge;
mod reference;
mod report;
mod run;
mod sweep;

use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;
use dnsim::error::InputError;
use dnsim::output::{emit, write_atomic};
use dnsim::report::{Format, Html, write_json};
use dnsim::results::{ModelKind, Report};
use serde::Serialize;

use crate::Exit;
use crate::cli::{AnalyzeFormat, Command, OutputArgs, TableJsonHtml};

/// What a command returns: an exit code, or what went wrong.
pub type Outcome = anyhow::Result<Exit>;

pub fn run(command: Command) -> Outcome {
    match command {
        Command::Run(args) => run::run(*args),
        Command::Check(args) => check::check(args),
        Command::Merge(args) => merge::merge(args),
        Command::Report(args) => report::report(args),
        Command::Analyze(args) => analyze::analyze(args),
        Command::Export(args) => export::export(args),
        Command::Compare(args) => compare::compare(args),
        Command::Import(args) => import::import(args),
        Command::Generate(args) => generate::generate(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Init(args) => reference::init(args),
        Command::Explain(args) => reference::explain(args),
        Command::Schema(args) => reference::schema(args),
    }
}

/// A pool of `threads` workers (default: one per core).
fn thread_pool(threads: Option<u32>) -> anyhow::Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = threads {
        builder = builder.num_threads(t as usize);
    }
    builder.build().context("cannot start worker threads")
}

/// Where and how `run` and `merge` write a report, typed.
pub struct Output {
    pub format: Option<Format>,
    pub path: Option<PathBuf>,
    pub top: Option<usize>,
    pub html: Option<PathBuf>,
    /// `--only`: patterns of the service ids people are shown.
    pub only: Vec<String>,
}

impl From<OutputArgs> for Output {
    fn from(a: OutputArgs) -> Output {
        Output {
            format: a.format.map(Format::from),
            path: a.output,
            top: a.top,
            html: a.html,
            only: a.only,
        }
    }
}

/// `--format series-csv` is for the timeline model: refused for a snapshot
/// run or merge before any work.
fn check_format(model: ModelKind, format: Option<Format>) -> Result<(), InputError> {
    if model == ModelKind::Snapshot && format == Some(Format::SeriesCsv) {
        return Err(InputError::flag(
            "--format",
            "series-csv is for the timeline model (--model timeline)",
        ));
    }
    Ok(())
}

/// Writes a report where `--format`, `--output` and `--html` say.
fn deliver(report: &Report, out: &Output) -> anyhow::Result<()> {
    let shown;
    let (report, people) = if out.only.is_empty() {
        (report, report)
    } else {
        let mut r = report.clone();
        r.retain_services(|id| out.only.iter().any(|p| dnsim::results::wildcard(p, id)));
        shown = r;
        (report, &shown)
    };
    write_html(people, out.html.as_deref(), out.top)?;
    // A table printed to a wide terminal gives its ids the room.
    let width = out.path.is_none().then(terminal_width).flatten();
    let exporter = out
        .format
        .unwrap_or(Format::Table)
        .exporter_for(out.top, width);
    let machine = matches!(
        out.format,
        Some(Format::Json | Format::Csv | Format::SeriesCsv)
    );
    let chosen = if machine { report } else { people };
    emit(out.path.as_deref(), |w| chosen.write(exporter.as_ref(), w))?;
    Ok(())
}

/// The columns of the terminal stdout is, if it is one (`COLUMNS` wins
/// where set, as shells set it).
fn terminal_width() -> Option<usize> {
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| {
            console::Term::stdout()
                .size_checked()
                .map(|(_, c)| usize::from(c))
        })
}

/// `--html FILE`: the HTML report beside the main output.
fn write_html(report: &Report, path: Option<&Path>, top: Option<usize>) -> anyhow::Result<()> {
    if let Some(path) = path {
        let html = Html {
            top: top.unwrap_or(Html::DEFAULT_TOP),
        };
        write_atomic(path, "--html", |out| report.write(&html, out))?;
    }
    Ok(())
}

/// A writer of one report type: the report, the rows to show, the output.
type Writer<R> = fn(&R, usize, &mut dyn io::Write) -> io::Result<()>;

/// Writes an `analyze` or `compare` report where `--format`, `--output` and
/// `--html` say.
fn deliver_table_json_html<R: Serialize>(
    report: &R,
    flags: &TableJsonHtml,
    table: Writer<R>,
    html: Writer<R>,
) -> anyhow::Result<()> {
    if let Some(path) = &flags.html {
        write_atomic(path, "--html", |out| html(report, flags.top, out))?;
    }
    emit(flags.output.as_deref(), |out| match flags.format {
        AnalyzeFormat::Table => table(report, flags.top, out),
        AnalyzeFormat::Json => write_json(report, out),
    })?;
    Ok(())
}

/// mimalloc's `mi_option_purge_delay` (its `include/mimalloc.h`, v2 and
/// v3 alike); `libmimalloc-sys` names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages go back to the system 100 ms after they are freed, not
/// mimalloc v3's default of a second: a phase's transients (a run's
/// tallies, analyze's diagrams) are then given back before the next phase
/// has grown, so they no longer add up in the peak (`analyze` of a million
/// services 188.8 -> 178.4 MB, `run --format json` 180.6 -> 172.5 MB,
/// `check` of 100K 57 -> 54 MB, in the same time). `MIMALLOC_PURGE_DELAY`
/// in the environment still decides when set.
pub fn configure_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` has no preconditions; the option only
        // sets when freed pages are purged.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 100) };
    }
}

/// Hands what was freed (after loading: a large plan's names and places,
/// held until its requirements were resolved; after a run's trials: the
/// threads' tallies) back to the system before the next phase allocates:
/// mimalloc otherwise keeps those pages (`run` of a million services: 10
/// MB less at its peak after loading, 6 MB after the trials).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` has no preconditions; it only gives back memory
    // that no allocation uses.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option set is the purge delay: before, it holds mimalloc's
    /// default for that option (a second in v3), after, 100 ms.
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            eprintln!("MIMALLOC_PURGE_DELAY is set: not checking the default");
            return;
        }
        // SAFETY: `mi_option_get` has no preconditions.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(get(), 1000);
        configure_allocator();
        assert_eq!(get(), 100);
    }
}
