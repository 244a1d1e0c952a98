//! `dnsim merge PART…`: the shards of one run, put back together.

use super::{Outcome, deliver};
use crate::Exit;
use crate::cli::MergeArgs;

pub fn merge(args: MergeArgs) -> Outcome {
    let report = dnsim::run::merge(&args.parts, args.scenario.as_deref())?;
    deliver(&report, &args.out.into())?;
    Ok(Exit::Success)
}
