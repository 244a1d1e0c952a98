//! `dnsim compare A B`: two plans on the same random draws.

use dnsim::compare::Plans;
use dnsim::report;

use super::{Outcome, deliver_table_json_html, thread_pool};
use crate::Exit;
use crate::cli::CompareArgs;

pub fn compare(args: CompareArgs) -> Outcome {
    let a = dnsim::scenario::load(&args.a)?;
    let b = dnsim::scenario::load(&args.b)?;
    let trials = args.sampling.trials.unwrap_or(a.simulation.trials);
    let seed = args.sampling.seed.unwrap_or(a.simulation.seed);
    let plans = Plans { a: &a, b: &b };
    let result = thread_pool(args.sampling.threads)?
        .install(|| dnsim::compare::compare(&plans, trials, seed))?;
    deliver_table_json_html(
        &result,
        &args.out,
        report::compare::write,
        report::html::comparison,
    )?;
    Ok(Exit::Success)
}
