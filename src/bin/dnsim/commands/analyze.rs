//! `dnsim analyze SCENARIO`: exact probabilities, importance, cut sets.

use dnsim::analysis::{self, AnalyzeOptions};
use dnsim::report;

use super::{Outcome, deliver_table_json_html};
use crate::Exit;
use crate::cli::{AnalyzeArgs, AnalyzeFormat};

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
    let result = analysis::analyze_rows(&scenario, &options);
    if args.out.format == AnalyzeFormat::Json && args.out.html.is_none() {
        // Every row, written as it is made.
        dnsim::output::emit(args.out.output.as_deref(), |out| {
            dnsim::report::write_json(&result, out)
        })?;
        return Ok(Exit::Success);
    }
    // A table shows the first rows only; JSON beside HTML needs them all.
    let rows = match args.out.format {
        AnalyzeFormat::Json => usize::MAX,
        AnalyzeFormat::Table => args.out.top,
    };
    let result = result.map_services(|all| all.first(rows));
    deliver_table_json_html(
        &result,
        &args.out,
        report::analysis::write,
        report::html::analysis,
    )?;
    Ok(Exit::Success)
}
