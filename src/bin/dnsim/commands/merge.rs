//! `dnsim merge PART…`: the shards of one run, put back together.

use super::{Outcome, Output, check_format, deliver};
use crate::Exit;
use crate::cli::MergeArgs;

pub fn merge(args: MergeArgs) -> Outcome {
    let out = Output::from(args.out);
    let report = dnsim::merge::merge(&args.parts, args.scenario.as_deref())?;
    check_format(report.model(), out.format)?;
    deliver(&report, &out)?;
    Ok(Exit::Success)
}
