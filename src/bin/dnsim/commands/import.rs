//! `dnsim import KIND FILE`: the scenario on stdout (or `--output`), the
//! report of what was mapped on stderr.

use dnsim::import::{self, catalog::Catalog};
use dnsim::output::emit;

use super::Outcome;
use crate::Exit;
use crate::cli::{ImportArgs, ImportKind};

pub fn import(args: ImportArgs) -> Outcome {
    let catalog = Catalog::with_file(args.catalog.as_deref())?;
    let plan = match &args.kind {
        ImportKind::NsList { file } => import::ns_list::import(file, &catalog)?,
        ImportKind::Zone { file, origin } => {
            import::zone::import(file, origin.as_deref(), &catalog)?
        }
        ImportKind::Dnscontrol { ir } => import::dnscontrol::import(ir, &catalog)?,
        ImportKind::Octodns { config } => import::octodns::import(config, &catalog)?,
    };
    for line in &plan.report {
        eprintln!("{line}");
    }
    emit(args.output.as_deref(), |out| plan.write_toml(out))?;
    Ok(Exit::Success)
}
