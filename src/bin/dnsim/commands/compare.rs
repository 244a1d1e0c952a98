//! `dnsim compare A B`: two plans on the same random draws, in the model
//! of the plans (or `--model`).

use dnsim::compare::Plans;
use dnsim::error::InputError;
use dnsim::report;
use dnsim::scenario::ModelKind;

use super::{Outcome, deliver_table_json_html, thread_pool};
use crate::Exit;
use crate::cli::{CompareArgs, ModelArg};

pub fn compare(args: CompareArgs) -> Outcome {
    let a = dnsim::scenario::load(&args.a)?;
    let mut b = dnsim::scenario::load_with(&args.b, &args.set_b, &[])?;
    if !args.set_b.is_empty() {
        b.name = format!("{} (with {})", b.name, args.set_b.join(", "));
    }
    let model = match args.model {
        Some(ModelArg::Snapshot) => ModelKind::Snapshot,
        Some(ModelArg::Timeline) => ModelKind::Timeline,
        None if a.simulation.model == b.simulation.model => a.simulation.model,
        None => {
            return Err(InputError::flag(
                "--model",
                format!(
                    "A is a {} plan and B a {} plan: say which model compares them (--model snapshot or --model timeline)",
                    a.simulation.model.as_str(),
                    b.simulation.model.as_str()
                ),
            )
            .into());
        }
    };
    let trials = args.sampling.trials.unwrap_or(a.simulation.trials);
    let seed = args.sampling.seed.unwrap_or(a.simulation.seed);
    let plans = Plans { a: &a, b: &b };
    let pool = thread_pool(args.sampling.threads)?;
    match model {
        ModelKind::Snapshot => {
            let result = pool.install(|| dnsim::compare::compare(&plans, trials, seed))?;
            deliver_table_json_html(
                &result,
                &args.out,
                report::compare::write,
                report::html::comparison,
            )?;
        }
        ModelKind::Timeline => {
            let result = pool.install(|| dnsim::compare::compare_timeline(&plans, trials, seed))?;
            deliver_table_json_html(
                &result,
                &args.out,
                report::compare::write_timeline,
                report::html::timeline_comparison,
            )?;
        }
    }
    Ok(Exit::Success)
}
