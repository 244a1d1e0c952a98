//! The timeline's failed-share series in long form: one row per service,
//! region and step, for plotting tools.

use std::io::{self, Write};

use super::Exporter;
use super::csv::io;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct SeriesCsv;

impl Exporter for SeriesCsv {
    fn snapshot(&self, _: &SnapshotReport, _: &mut dyn Write) -> io::Result<()> {
        Err(io::Error::other("series-csv is for the timeline model"))
    }

    fn timeline(&self, report: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["service", "region", "step", "start_seconds", "failed_share"])
            .map_err(io)?;
        for s in &report.services {
            let Some(series) = &s.series else { continue };
            for r in &report.regions {
                for (k, v) in series.failed_share[&r.id].iter().enumerate() {
                    let start = k as f64 * series.step_seconds;
                    w.write_record([
                        s.id.as_str(),
                        &r.id,
                        &k.to_string(),
                        &start.to_string(),
                        &v.to_string(),
                    ])
                    .map_err(io)?;
                }
            }
        }
        w.flush()
    }
}
