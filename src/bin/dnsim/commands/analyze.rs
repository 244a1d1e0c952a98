//! `dnsim analyze SCENARIO`: exact probabilities, importance, cut sets.

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::report;

use super::{Outcome, deliver_table_json_html};
use crate::Exit;
use crate::cli::AnalyzeArgs;

pub fn analyze(args: AnalyzeArgs) -> Outcome {
    let scenario = crate::progress::loading(&args.scenario, false, || {
        dnsim::scenario::load(&args.scenario)
    })?;
    if scenario.simulation.model == dnsim::scenario::ModelKind::Timeline {
        // Exact analysis is of the snapshot model; say so rather than
        // answer another question than the plan asks.
        eprintln!(
            "note: dnsim analyze is exact analysis of the snapshot model (p_outage, regional_p_outage, common causes' p); \
             this plan's model is timeline, whose events, TTLs and resolvers play no part here (dnsim run for those)"
        );
    }
    super::release_freed_memory();
    let options = AnalyzeOptions {
        order: args.order,
        max_bdd_nodes: args.max_bdd_nodes,
        trials: args.trials.unwrap_or(scenario.simulation.trials),
        seed: args.seed.unwrap_or(scenario.simulation.seed),
    };
    let result = analysis::analyze(&scenario, &options);
    deliver_table_json_html(
        &result,
        &args.out,
        report::analysis::write,
        report::html::analysis,
    )?;
    Ok(Exit::Success)
}
