//! `dnsim report RESULT.json --html FILE`: the HTML page of a saved result
//! of `run` (or `merge`), `analyze`, `compare` or `sweep`; and a run's
//! result in any format of `run` (`--format`, `-o`).

use dnsim::error::InputError;
use dnsim::output::write_atomic;
use dnsim::report::html;
use dnsim::results::{
    AnalysisReport, CompareReport, Probe, Probed, SweepReport, TimelineCompareReport, VERSION,
};
use serde::de::DeserializeOwned;

use super::{Outcome, Output, check_format, deliver, write_html};
use crate::Exit;
use crate::cli::ReportArgs;
use dnsim::report::Format;

/// What kind of dnsim JSON a file holds, by the fields only it has.
enum Kind {
    Run,
    Analysis,
    Comparison,
    TimelineComparison,
    Sweep,
}

/// What a result is, by the fields only it has.
fn kind(probe: &Probe) -> Kind {
    if probe.points.is_some() && probe.axes.is_some() {
        Kind::Sweep
    } else if probe.a.is_some() && probe.b.is_some() {
        if probe.model.as_ref().is_some_and(|m| m == "timeline") {
            Kind::TimelineComparison
        } else {
            Kind::Comparison
        }
    } else if probe.method.is_some() && probe.cut_set_order.is_some() {
        Kind::Analysis
    } else {
        Kind::Run
    }
}

fn parse<T: DeserializeOwned>(
    text: &str,
    path: &std::path::Path,
    what: &str,
) -> Result<T, InputError> {
    serde_json::from_str(text).map_err(|e| {
        InputError::new(format!("not a dnsim {what} result: {e}"))
            .in_file(path)
            .at(e.line(), e.column())
    })
}

pub fn report(args: ReportArgs) -> Outcome {
    let text = dnsim::scenario::read_input(&args.result, "result")?;
    let path = &args.result;
    let probed = Probed::read(&text, path)?;
    let probe = &probed.probe;
    let top = args.top.unwrap_or(html::Html::DEFAULT_TOP);
    let kind = kind(probe);
    let version = probe.dnsim.clone().unwrap_or_default();
    // A run's result is checked in full by `Report::from_json`; the others
    // at least by the version that wrote them.
    if !matches!(kind, Kind::Run) && version != VERSION {
        return Err(InputError::new(format!(
            "not a result this dnsim wrote: written by dnsim {}, and this is dnsim {VERSION}: report it with the version that ran it",
            version
        ))
        .in_file(path)
        .into());
    }
    let html_path = match (&kind, &args.html, args.format) {
        (Kind::Run, _, _) => None,
        (_, _, Some(_)) => {
            return Err(InputError::flag(
                "--format",
                "is for the result of a run (or merge); analyze, compare and sweep results become HTML pages (--html FILE)",
            )
            .into());
        }
        (_, Some(h), None) => Some(h.clone()),
        (_, None, None) => {
            return Err(InputError::flag("--html", "say where the page goes: --html FILE").into());
        }
    };
    let html_path = html_path.unwrap_or_default();
    match kind {
        Kind::Run => {
            let report = probed.report(path)?;
            check_format(report.model(), args.format.map(Format::from))?;
            write_html(&report, args.html.as_deref(), args.top)?;
            if args.format.is_some() || args.html.is_none() {
                let out = Output {
                    format: args.format.map(Format::from),
                    path: args.output.clone(),
                    top: args.top,
                    html: None,
                    only: Vec::new(),
                };
                deliver(&report, &out)?;
            }
        }
        Kind::Analysis => {
            let r: AnalysisReport = parse(&text, path, "analyze")?;
            write_atomic(&html_path, "--html", |out| html::analysis(&r, top, out))?;
        }
        Kind::Comparison => {
            let r: CompareReport = parse(&text, path, "compare")?;
            write_atomic(&html_path, "--html", |out| html::comparison(&r, top, out))?;
        }
        Kind::Sweep => {
            let r: SweepReport = parse(&text, path, "sweep")?;
            write_atomic(&html_path, "--html", |out| html::sweep(&r, out))?;
        }
        Kind::TimelineComparison => {
            let r: TimelineCompareReport = parse(&text, path, "compare")?;
            write_atomic(&html_path, "--html", |out| {
                html::timeline_comparison(&r, top, out)
            })?;
        }
    }
    Ok(Exit::Success)
}
