//! `dnsim generate`: a large seeded plan for benchmarks.

use dnsim::generate::GenerateSpec;

use super::Outcome;
use crate::Exit;
use crate::cli::GenerateArgs;
use crate::progress::Progress;

pub fn generate(args: GenerateArgs) -> Outcome {
    let spec = GenerateSpec {
        services: args.services,
        providers: args.providers,
        regions: args.regions,
        seed: args.seed,
        self_hosted: args.self_hosted,
        multi: args.multi,
        cdn_share: args.cdn_share,
        cdns: args.cdns,
        self_hosted_providers: args.self_hosted_providers,
        trials: args.trials,
    };
    dnsim::generate::check(&spec)?;
    let progress = Progress::of(args.services, "services", args.quiet);
    let csv = dnsim::generate::generate(&spec, &args.output, &|n| progress.inc(n))?;
    progress.finish();
    eprintln!(
        "wrote {} and {} ({} services, {} CDN-like services, {} providers)",
        args.output.display(),
        csv.display(),
        args.services,
        args.cdns,
        args.providers
    );
    Ok(Exit::Success)
}
