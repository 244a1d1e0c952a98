//! `dnsim import KIND FILE`: the scenario on stdout (or `--output`), the
//! report of what was mapped on stderr.

use dnsim::import::{self, catalog::Catalog};
use dnsim::output::{emit, write_atomic};

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
    match args.output.as_deref() {
        // A large plan: its services in a CSV include beside the scenario,
        // which loads several times faster and smaller than as many
        // [[service]] tables. The CSV first, so that the scenario never
        // names a file that is not there; taken away again if the
        // scenario cannot be written.
        Some(path) if plan.splits() => {
            let csv = import::services_csv_path(path);
            let name = csv
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            write_atomic(&csv, "--output (the services' CSV beside it)", |out| {
                plan.write_services_csv(out)
            })?;
            if let Err(e) = emit(Some(path), |out| plan.write_toml_including(&name, out)) {
                let _ = std::fs::remove_file(&csv);
                return Err(e.into());
            }
            eprintln!(
                "{} services written to {} (an [[include]] of {}: more than {} services)",
                plan.services.len(),
                csv.display(),
                path.display(),
                import::SPLIT_ABOVE
            );
        }
        output => {
            if output.is_none() && plan.splits() {
                eprintln!(
                    "{} services as [[service]] tables: with -o FILE they go to a CSV include beside FILE, which dnsim loads several times faster",
                    plan.services.len()
                );
            }
            emit(output, |out| plan.write_toml(out))?;
        }
    }
    Ok(Exit::Success)
}
