//! CSV: one row per service, riskiest first, with a column per region.

use std::io::{self, Write};

use super::Exporter;
use crate::results::SnapshotReport;
use crate::results::TimelineReport;

pub struct Csv;

/// Keeps the I/O error itself (a broken pipe, say), not csv's wrapper.
pub(super) fn io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Exporter for Csv {
    fn timeline(&self, report: &TimelineReport, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = [
            "id",
            "weight",
            "failed_share",
            "failed_share_ci95_low",
            "failed_share_ci95_high",
            "downtime_minutes",
            "downtime_minutes_ci95_low",
            "downtime_minutes_ci95_high",
            "nines",
            "added_latency_ms",
        ]
        .map(String::from)
        .to_vec();
        header.extend(
            report
                .regions
                .iter()
                .map(|r| format!("failed_share@{}", r.id)),
        );
        header.extend(
            [
                "minutes_over_10pct",
                "minutes_over_50pct",
                "longest_over_50pct_minutes",
            ]
            .map(String::from),
        );
        w.write_record(&header).map_err(io)?;
        for s in &report.services {
            let mut row = vec![
                s.id.to_string(),
                s.weight.to_string(),
                s.failed_share.to_string(),
                s.failed_share_ci95[0].to_string(),
                s.failed_share_ci95[1].to_string(),
                s.downtime_minutes.to_string(),
                s.downtime_minutes_ci95[0].to_string(),
                s.downtime_minutes_ci95[1].to_string(),
                s.nines.map_or(String::new(), |n| n.to_string()),
                s.added_latency_ms.to_string(),
            ];
            row.extend(
                report
                    .regions
                    .iter()
                    .map(|r| s.regions[&r.id].failed_share.to_string()),
            );
            match &s.wall_clock {
                Some(x) => row.extend(
                    [
                        x.minutes_over_10pct,
                        x.minutes_over_50pct,
                        x.longest_over_50pct_minutes,
                    ]
                    .map(|m| m.to_string()),
                ),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
            w.write_record(&row).map_err(io)?;
        }
        w.flush()
    }

    fn snapshot(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut header = vec![
            "id".to_string(),
            "weight".into(),
            "p_unreachable".into(),
            "ci95_low".into(),
            "ci95_high".into(),
        ];
        header.extend(
            report
                .regions
                .iter()
                .map(|r| format!("p_unreachable@{}", r.id)),
        );
        w.write_record(&header).map_err(io)?;
        for s in &report.services {
            let mut row = vec![
                s.id.to_string(),
                s.weight.to_string(),
                s.p_unreachable.to_string(),
                s.ci95[0].to_string(),
                s.ci95[1].to_string(),
            ];
            row.extend(s.regions.values().iter().map(f64::to_string));
            w.write_record(&row).map_err(io)?;
        }
        w.flush()
    }
}
