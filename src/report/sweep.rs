//! `dnsim sweep` for people (a table), for scripts (CSV) and as JSON.

use std::io::{self, Write};

use crate::report::{fit, fmt_small, trials};
use crate::results::{ModelKind, SweepReport};

fn figure(r: &SweepReport, x: f64) -> String {
    match r.model {
        ModelKind::Timeline => format!("{x:.1}"),
        ModelKind::Snapshot => fmt_small(x),
    }
}

/// What the figures are, in words.
pub fn measure_label(r: &SweepReport) -> (&'static str, &'static str) {
    match r.model {
        ModelKind::Timeline => ("down min", "worst service, down min"),
        ModelKind::Snapshot => ("E[impact]", "riskiest service, P(unreach)"),
    }
}

/// One row per point: the axes' values, the figure, the worst service.
pub fn write(r: &SweepReport, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", fit(&r.scenario, 79))?;
    writeln!(
        out,
        "sweep · {} model · {} a point · seed {} · {} points",
        r.model.as_str(),
        trials(r.trials),
        r.seed,
        r.points.len()
    )?;
    if !r.fixed.is_empty() {
        writeln!(out, "at every point: {}", r.fixed.join(", "))?;
    }
    let (what, worst) = measure_label(r);
    let widths: Vec<usize> = r
        .axes
        .iter()
        .map(|a| {
            let key = a.key.rsplit('.').next().unwrap_or(&a.key).chars().count();
            a.values
                .iter()
                .map(|v| v.chars().count())
                .max()
                .unwrap_or(0)
                .max(key)
                .min(24)
        })
        .collect();
    let mut head = String::from(" ");
    for (a, w) in r.axes.iter().zip(&widths) {
        head.push_str(&format!(
            " {:<w$}",
            fit(a.key.rsplit('.').next().unwrap_or(&a.key), *w)
        ));
    }
    writeln!(out, "\n{head} {what:>10}  {worst}")?;
    for p in &r.points {
        let mut line = String::from(" ");
        for (v, w) in p.values.iter().zip(&widths) {
            line.push_str(&format!(" {:<w$}", fit(v, *w)));
        }
        writeln!(
            out,
            "{line} {:>10}  {} {}",
            figure(r, p.figure),
            fit(&p.worst_service, 24),
            figure(r, p.worst_figure)
        )?;
    }
    let keys: Vec<&str> = r.axes.iter().map(|a| a.key.as_str()).collect();
    writeln!(out, "\naxes: {}", keys.join(" × "))
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `KEY…,measure,worst_service,worst`: one row per point.
pub fn write_csv(r: &SweepReport, out: &mut dyn Write) -> io::Result<()> {
    let mut head: Vec<String> = r.axes.iter().map(|a| csv_cell(&a.key)).collect();
    head.extend([
        r.measure.clone(),
        "worst_service".into(),
        format!("worst_{}", r.measure),
    ]);
    writeln!(out, "{}", head.join(","))?;
    for p in &r.points {
        let mut row: Vec<String> = p.values.iter().map(|v| csv_cell(v)).collect();
        row.extend([
            format!("{}", p.figure),
            csv_cell(&p.worst_service),
            format!("{}", p.worst_figure),
        ]);
        writeln!(out, "{}", row.join(","))?;
    }
    Ok(())
}
