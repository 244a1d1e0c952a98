//! `dnsim export SCENARIO --format open-psa`.

use dnsim::output::emit;

use super::Outcome;
use crate::Exit;
use crate::cli::{ExportArgs, ExportFormat};

pub fn export(args: ExportArgs) -> Outcome {
    let scenario = dnsim::scenario::load(&args.scenario)?;
    match args.format {
        ExportFormat::OpenPsa => emit(args.output.as_deref(), |out| {
            dnsim::export::open_psa(&scenario, out)
        })?,
    }
    Ok(Exit::Success)
}
