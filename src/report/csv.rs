//! CSV: one row per service, riskiest first, with a column per region.

use std::io::{self, Write};

use super::Exporter;
use crate::results::SnapshotReport;

pub struct Csv;

impl Exporter for Csv {
    fn write(&self, report: &SnapshotReport, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        // Keep the I/O error itself (a broken pipe, say), not csv's wrapper.
        let io = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        };
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
                s.id.clone(),
                s.weight.to_string(),
                s.p_unreachable.to_string(),
                s.ci95[0].to_string(),
                s.ci95[1].to_string(),
            ];
            row.extend(s.regions.values.iter().map(f64::to_string));
            w.write_record(&row).map_err(io)?;
        }
        w.flush()
    }
}
