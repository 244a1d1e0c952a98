//! `dnsim sweep SCENARIO --vary KEY=V1,V2,…`: a grid of what-ifs.

use std::io::IsTerminal;

use dnsim::output::{emit, write_atomic};
use dnsim::report;
use dnsim::run::RunOptions;
use dnsim::scenario::ModelKind;

use super::{Outcome, thread_pool, write_json};
use crate::Exit;
use crate::cli::{ModelArg, SweepArgs, SweepFormat};

pub fn sweep(args: SweepArgs) -> Outcome {
    let axes = args
        .vary
        .iter()
        .map(|v| dnsim::sweep::parse_axis(v))
        .collect::<Result<Vec<_>, _>>()?;
    let model = args.model.map(|m| match m {
        ModelArg::Snapshot => ModelKind::Snapshot,
        ModelArg::Timeline => ModelKind::Timeline,
    });
    let options = RunOptions {
        trials: args.sampling.trials,
        seed: args.sampling.seed,
        forcing: Default::default(),
    };
    let quiet = args.quiet || !std::io::stderr().is_terminal();
    let progress = |done: usize, of: usize| {
        if !quiet {
            eprint!("\rpoint {done} of {of}");
            if done == of {
                eprintln!();
            }
        }
    };
    let result = thread_pool(args.sampling.threads)?.install(|| {
        dnsim::sweep::sweep(&args.scenario, &args.set, &axes, model, &options, &progress)
    })?;
    if let Some(path) = &args.html {
        write_atomic(path, "--html", |out| report::html::sweep(&result, out))?;
    }
    emit(args.output.as_deref(), |out| match args.format {
        SweepFormat::Table => report::sweep::write(&result, out),
        SweepFormat::Csv => report::sweep::write_csv(&result, out),
        SweepFormat::Json => write_json(&result, out),
    })?;
    Ok(Exit::Success)
}
