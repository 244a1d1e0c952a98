//! `dnsim check SCENARIO`: validation and lint, no simulation.

use dnsim::lint;
use dnsim::output::emit;
use dnsim::results::{CheckFailure, CheckReport, VERSION};

use super::{Outcome, write_json};
use crate::Exit;
use crate::cli::{CheckArgs, CheckFormat};

pub fn check(args: CheckArgs) -> Outcome {
    let scenario = match dnsim::scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            if args.format == CheckFormat::Json {
                let failure = CheckFailure {
                    dnsim: VERSION,
                    ok: false,
                    error: (&e).into(),
                };
                emit(None, |out| write_json(&failure, out))?;
            }
            return Err(e.into());
        }
    };
    let report = CheckReport {
        dnsim: VERSION,
        scenario: scenario.name.clone(),
        ok: true,
        services: scenario.services.len(),
        providers: scenario.providers.len(),
        common_causes: scenario.common_causes.len(),
        regions: scenario.regions.len(),
        warnings: lint::lint(&scenario, args.max_share),
    };
    let path = args.scenario.display().to_string();
    emit(None, |out| match args.format {
        CheckFormat::Json => write_json(&report, out),
        CheckFormat::Table => dnsim::report::check::write(&report, &path, args.top, out),
    })?;
    Ok(if args.deny_warnings && !report.warnings.is_empty() {
        Exit::Refused
    } else {
        Exit::Success
    })
}
