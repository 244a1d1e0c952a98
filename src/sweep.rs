//! `dnsim sweep SCENARIO --vary KEY=V1,V2,…`: the same plan run at every
//! point of a grid of `--set` values (TTL × loss × duration, say), one
//! headline figure per point: the weight-averaged downtime in the timeline
//! model, the expected impact in the snapshot model, and the worst
//! service's own. Every point runs with the same seed, so neighbouring
//! points differ by the values, not by their draws (common random numbers,
//! spec §5).

use std::path::Path;

use crate::error::InputError;
use crate::results::{ModelKind, SweepAxis, SweepPoint, SweepReport, VERSION, combinations};
use crate::run::{self, RunOptions};
use crate::scenario::{Scenario, load_with};

/// `KEY=V1,V2,…`: values split at commas outside brackets and quotes, so
/// a list (`["dyn", "ns1"]`) is one value.
pub fn parse_axis(text: &str) -> Result<SweepAxis, InputError> {
    let bad = |why: String| {
        let shown: String = text.chars().take(80).collect();
        InputError::flag("--vary", format!("\"{shown}\": {why}"))
    };
    let (key, list) = text
        .split_once('=')
        .ok_or_else(|| bad("expected KEY=V1,V2,… (a key as --set takes it)".into()))?;
    let (mut values, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0i32, false);
    for c in list.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                values.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    values.push(current.trim().to_string());
    if key.trim().is_empty() || values.iter().any(String::is_empty) {
        return Err(bad("expected KEY=V1,V2,… with no empty value".into()));
    }
    Ok(SweepAxis {
        key: key.trim().to_string(),
        values,
    })
}

/// The most points a sweep runs: each is a whole run.
pub const MAX_POINTS: usize = 400;

/// Runs `path` at every point of `axes`, with `fixed` `--set` flags at all.
pub fn sweep(
    path: &Path,
    fixed: &[String],
    axes: &[SweepAxis],
    model: Option<ModelKind>,
    options: &RunOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> crate::error::Result<SweepReport> {
    let points = combinations(axes);
    if points.len() > MAX_POINTS {
        return Err(InputError::flag(
            "--vary",
            format!(
                "{} points, more than the {MAX_POINTS} a sweep runs: fewer values, or sweep in parts",
                points.len()
            ),
        )
        .into());
    }
    let mut out = Vec::with_capacity(points.len());
    let mut header: Option<(ModelKind, Scenario, u64, u64)> = None;
    for (n, p) in points.iter().enumerate() {
        let mut sets = fixed.to_vec();
        sets.extend(
            p.iter()
                .zip(axes)
                .map(|(&i, a)| format!("{}={}", a.key, a.values[i])),
        );
        let mut scenario: Scenario = load_with(path, &sets, &[])?;
        if let Some(m) = model {
            scenario.simulation.model = m;
        }
        let point = run_point(&scenario, options)?;
        let values = p
            .iter()
            .zip(axes)
            .map(|(&i, a)| a.values[i].clone())
            .collect();
        let model = scenario.simulation.model;
        if header.is_none() {
            header = Some((model, scenario, point.1, point.2));
        }
        out.push(SweepPoint { values, ..point.0 });
        progress(n + 1, points.len());
    }
    let (model, first, trials, seed) = header.expect("a grid has a point");
    Ok(SweepReport {
        dnsim: VERSION.to_string(),
        model,
        scenario: first.name,
        description: first.description,
        sources: first.sources,
        trials,
        seed,
        measure: match model {
            ModelKind::Timeline => "downtime_minutes",
            ModelKind::Snapshot => "expected_impact",
        }
        .to_string(),
        fixed: fixed.to_vec(),
        axes: axes.to_vec(),
        points: out,
    })
}

/// One point: its figures, trials and seed.
fn run_point(
    scenario: &Scenario,
    options: &RunOptions,
) -> crate::error::Result<(SweepPoint, u64, u64)> {
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    Ok(match scenario.simulation.model {
        ModelKind::Timeline => {
            let r = run::timeline(scenario, options, None, &|_| {})?;
            let worst = r
                .services
                .iter()
                .max_by(|a, b| a.downtime_minutes.total_cmp(&b.downtime_minutes));
            let point = SweepPoint {
                values: Vec::new(),
                figure: r.summary.downtime_minutes,
                worst_service: worst.map_or_else(String::new, |w| w.id.to_string()),
                worst_figure: worst.map_or(0.0, |w| w.downtime_minutes),
            };
            (point, r.trials, seed)
        }
        ModelKind::Snapshot => {
            let r = run::snapshot(scenario, options, &|_| {})?;
            let worst = r
                .services
                .iter()
                .max_by(|a, b| a.p_unreachable.total_cmp(&b.p_unreachable));
            let point = SweepPoint {
                values: Vec::new(),
                figure: r.summary.expected_impact,
                worst_service: worst.map_or_else(String::new, |w| w.id.to_string()),
                worst_figure: worst.map_or(0.0, |w| w.p_unreachable),
            };
            (point, r.trials, seed)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_and_grids() {
        let a = parse_axis("service.www.dns=[\"a\", \"b\"],[\"a\"]").unwrap();
        assert_eq!(a.key, "service.www.dns");
        assert_eq!(a.values, vec!["[\"a\", \"b\"]", "[\"a\"]"]);
        let b = parse_axis("resolvers.serve_stale=false,true").unwrap();
        assert_eq!(
            combinations(&[a, b]),
            vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]]
        );
        for bad in ["ttl", "=1,2", "ttl=1,,2", "ttl="] {
            assert!(parse_axis(bad).is_err(), "{bad}");
        }
    }
}
