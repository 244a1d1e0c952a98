//! `dnsim sweep --html`: a heat map of the headline figure over the first
//! two axes (one map per combination of the others), and the table.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{esc, head, provenance, table};
use crate::report::sweep::measure_label;
use crate::report::{fmt_small, trials};
use crate::results::{ModelKind, SweepReport, combinations};

fn shown(r: &SweepReport, x: f64) -> String {
    match r.model {
        ModelKind::Timeline => format!("{x:.1}"),
        ModelKind::Snapshot => fmt_small(x),
    }
}

/// One heat map: rows the first axis, columns the second (or one column).
fn heat_map(s: &mut String, r: &SweepReport, fixed_rest: &[usize], max: f64) {
    let rows = &r.axes[0];
    let single = vec!["".to_string()];
    let cols = r.axes.get(1).map_or(&single, |a| &a.values);
    let (cw, ch, left, top) = (88.0, 30.0, 150.0, 40.0);
    let width = left + cw * cols.len() as f64 + 10.0;
    let height = top + ch * rows.values.len() as f64 + 10.0;
    let _ = writeln!(
        s,
        "<svg class=\"heat-map\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">"
    );
    if let Some(a) = r.axes.get(1) {
        let _ = writeln!(
            s,
            "<text x=\"{left}\" y=\"12\" font-size=\"11\" fill=\"currentColor\">{} →</text>",
            esc(&a.key)
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"4\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{} ↓</text>",
        top - 6.0,
        esc(&rows.key)
    );
    for (j, c) in cols.iter().enumerate() {
        let x = left + cw * j as f64 + cw / 2.0;
        let _ = writeln!(
            s,
            "<text x=\"{x}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"currentColor\">{}</text>",
            top - 6.0,
            esc(c)
        );
    }
    for (i, rv) in rows.values.iter().enumerate() {
        let y = top + ch * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"4\" y=\"{}\" font-size=\"11\" fill=\"currentColor\">{}</text>",
            y + ch / 2.0 + 4.0,
            esc(rv)
        );
        for j in 0..cols.len() {
            let mut want = vec![i];
            if r.axes.len() > 1 {
                want.push(j);
            }
            want.extend_from_slice(fixed_rest);
            let Some(p) = r.points.iter().find(|p| {
                p.values
                    .iter()
                    .zip(&r.axes)
                    .zip(&want)
                    .all(|((v, a), &k)| *v == a.values[k])
            }) else {
                continue;
            };
            let t = if max > 0.0 {
                (p.figure / max).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let x = left + cw * j as f64;
            let _ = writeln!(
                s,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"var(--bad)\" fill-opacity=\"{:.3}\" stroke=\"var(--grid)\"><title>{}</title></rect>",
                cw - 2.0,
                ch - 2.0,
                0.08 + 0.92 * t,
                esc(&format!("{}: {}", p.values.join(", "), shown(r, p.figure)))
            );
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"currentColor\">{}</text>",
                x + cw / 2.0 - 1.0,
                y + ch / 2.0 + 4.0,
                shown(r, p.figure)
            );
        }
    }
    s.push_str("</svg>\n");
}

pub fn sweep(r: &SweepReport, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::new();
    head(&mut s, &format!("sweep of {}", r.scenario));
    let _ = writeln!(
        s,
        "<h1>{}</h1>\n<p class=\"meta\">dnsim {} · sweep · {} model · {} a point · seed {} · {} points</p>",
        esc(&r.scenario),
        esc(&r.dnsim),
        r.model.as_str(),
        trials(r.trials),
        r.seed,
        r.points.len()
    );
    provenance(&mut s, &r.description, &r.sources);
    let (what, worst) = measure_label(r);
    let max = r.points.iter().map(|p| p.figure).fold(0.0, f64::max);
    s.push_str("<section id=\"heat-map\">\n<h2>");
    s.push_str(&esc(match r.model {
        ModelKind::Timeline => "Downtime, minutes over the horizon (weight-averaged over services)",
        ModelKind::Snapshot => "Expected impact (weight)",
    }));
    s.push_str("</h2>\n");
    if !r.fixed.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"meta\">at every point: {}</p>",
            esc(&r.fixed.join(", "))
        );
    }
    for rest in combinations(r.axes.get(2..).unwrap_or(&[])) {
        if !rest.is_empty() {
            let label: Vec<String> = r.axes[2..]
                .iter()
                .zip(&rest)
                .map(|(a, &i)| format!("{} = {}", a.key, a.values[i]))
                .collect();
            let _ = writeln!(s, "<h3>{}</h3>", esc(&label.join(", ")));
        }
        heat_map(&mut s, r, &rest, max);
    }
    s.push_str("</section>\n<section id=\"points\">\n<h2>Points</h2>\n");
    let mut header: Vec<&str> = r.axes.iter().map(|a| a.key.as_str()).collect();
    header.push(what);
    header.push(worst);
    let rows: Vec<Vec<String>> = r
        .points
        .iter()
        .map(|p| {
            let mut row: Vec<String> = p.values.clone();
            row.push(shown(r, p.figure));
            row.push(format!("{} {}", p.worst_service, shown(r, p.worst_figure)));
            row
        })
        .collect();
    table(&mut s, &header, &rows);
    s.push_str("</section>\n</body>\n</html>\n");
    out.write_all(s.as_bytes())
}
