//! `dnsim report RESULT.json --html FILE`.

use dnsim::results::Report;

use super::{Outcome, write_html};
use crate::Exit;
use crate::cli::ReportArgs;

pub fn report(args: ReportArgs) -> Outcome {
    let text = dnsim::scenario::read_input(&args.result, "result")?;
    let report = Report::from_json(&text, &args.result)?;
    write_html(&report, Some(&args.html), args.top)?;
    Ok(Exit::Success)
}
