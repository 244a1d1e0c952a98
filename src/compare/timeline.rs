//! `dnsim compare A B` in the timeline model: both plans run trial by trial
//! on the same random streams. A provider's outages come from the stream of
//! (seed, its id) and a resolver's lookups from that of (seed, the
//! service's id), numbered by the trial (spec §5), so what the plans share
//! (providers, events, services of the same ids) draws the same in both:
//! common random numbers. Per trial and per service matched by id, the
//! difference B − A of the failed share of lookups is taken; its mean and
//! interval come from those paired differences, beside the interval two
//! independent runs would give.
//!
//! Trials run in parallel; their figures are summed in trial order, so the
//! result does not depend on the thread count.

use rayon::prelude::*;

use super::Plans;
use crate::error::InputError;
use crate::forcing::Forcing;
use crate::results::{
    Change, ModelKind, TimelineCompareReport, TimelineCompareSummary, TimelineServiceChange,
    VERSION,
};
use crate::stats::Z;
use crate::timeline::{TimelineCounts, TimelineModel};

/// Per region: the weight of a region's failed lookups in the service's
/// failed share (region weight ÷ expected lookups per trial there).
fn coefficients(m: &TimelineModel, s: usize) -> Vec<f64> {
    let sc = m.scenario;
    let lookups = sc.resolvers.per_region as f64 * sc.services[s].query_rate / 3600.0 * m.horizon();
    sc.regions
        .iter()
        .map(|r| {
            if lookups > 0.0 {
                r.weight / lookups
            } else {
                0.0
            }
        })
        .collect()
}

fn share(counts: &TimelineCounts, s: usize, coef: &[f64]) -> f64 {
    let rc = coef.len();
    counts.failed[s * rc..(s + 1) * rc]
        .iter()
        .zip(coef)
        .map(|(&f, c)| c * f as f64)
        .sum::<f64>()
        .min(1.0)
}

/// Running sums of a paired quantity.
#[derive(Default, Clone, Copy)]
struct Paired {
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    d: f64,
    dd: f64,
    differing: u64,
}

impl Paired {
    fn add(&mut self, a: f64, b: f64) {
        let d = b - a;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.d += d;
        self.dd += d * d;
        self.differing += u64::from(d != 0.0);
    }
}

/// Mean and 95% interval from a sum and a sum of squares over `n` trials.
fn interval(sum: f64, squares: f64, n: f64) -> (f64, [f64; 2]) {
    let mean = sum / n;
    let var = (squares / n - mean * mean).max(0.0) * if n > 1.0 { n / (n - 1.0) } else { 1.0 };
    let half = Z * (var / n).sqrt();
    (mean, [mean - half, mean + half])
}

fn unpaired(p: &Paired, n: f64) -> [f64; 2] {
    let (ma, ca) = interval(p.a, p.aa, n);
    let (mb, cb) = interval(p.b, p.bb, n);
    let (ha, hb) = ((ca[1] - ca[0]) / 2.0, (cb[1] - cb[0]) / 2.0);
    let half = (ha * ha + hb * hb).sqrt();
    [mb - ma - half, mb - ma + half]
}

pub fn compare_timeline(
    plans: &Plans,
    trials: u64,
    seed: u64,
) -> crate::error::Result<TimelineCompareReport> {
    let (a, b) = (plans.a, plans.b);
    super::same_regions(a, b)?;
    if a.simulation.horizon != b.simulation.horizon {
        return Err(InputError::new(format!(
            "the plans must have the same horizon to be compared in the timeline model (A: {}; B: {})",
            a.simulation.horizon, b.simulation.horizon
        ))
        .into());
    }
    let ma = TimelineModel::compile(a, seed, &Forcing::default(), None)?;
    let mb = TimelineModel::compile(b, seed, &Forcing::default(), None)?;
    let matched: Vec<(usize, usize)> = a
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, s)| b.services.iter().position(|t| t.id == s.id).map(|j| (i, j)))
        .collect();
    let coef_a: Vec<Vec<f64>> = matched.iter().map(|&(i, _)| coefficients(&ma, i)).collect();
    let coef_b: Vec<Vec<f64>> = matched.iter().map(|&(_, j)| coefficients(&mb, j)).collect();
    // Weighted averages over the matched services, as `run` reports.
    let total = |s: &crate::scenario::Scenario, ix: &mut dyn Iterator<Item = usize>| -> Vec<f64> {
        let w: Vec<f64> = ix.map(|i| s.services[i].weight).collect();
        let sum: f64 = w.iter().sum();
        if sum > 0.0 {
            w.iter().map(|x| x / sum).collect()
        } else {
            vec![1.0 / w.len().max(1) as f64; w.len()]
        }
    };
    let wa = total(a, &mut matched.iter().map(|&(i, _)| i));
    let wb = total(b, &mut matched.iter().map(|&(_, j)| j));

    let per_trial: Vec<Vec<(f64, f64)>> = (0..trials)
        .into_par_iter()
        .map(|t| {
            let (ca, cb) = (ma.trial_counts(t), mb.trial_counts(t));
            matched
                .iter()
                .enumerate()
                .map(|(k, &(i, j))| (share(&ca, i, &coef_a[k]), share(&cb, j, &coef_b[k])))
                .collect()
        })
        .collect();
    let mut services = vec![Paired::default(); matched.len()];
    let mut overall = Paired::default();
    let (mut better, mut worse) = (0, 0);
    for trial in &per_trial {
        let (mut ta, mut tb) = (0.0, 0.0);
        for (k, &(x, y)) in trial.iter().enumerate() {
            services[k].add(x, y);
            ta += wa[k] * x;
            tb += wb[k] * y;
        }
        overall.add(ta, tb);
        better += u64::from(tb < ta);
        worse += u64::from(tb > ta);
    }

    let n = trials.max(1) as f64;
    let minutes = ma.horizon() / 60.0;
    let mut rows: Vec<TimelineServiceChange> = matched
        .iter()
        .zip(&services)
        .map(|(&(i, j), p)| {
            let (d, ci) = interval(p.d, p.dd, n);
            TimelineServiceChange {
                id: a.services[i].id.to_string(),
                weight_a: a.services[i].weight,
                weight_b: b.services[j].weight,
                failed_share_a: p.a / n,
                failed_share_b: p.b / n,
                downtime_minutes_a: p.a / n * minutes,
                downtime_minutes_b: p.b / n * minutes,
                downtime_difference: d * minutes,
                downtime_difference_ci95: [ci[0] * minutes, ci[1] * minutes],
                change: Change::of(p.differing > 0, ci),
            }
        })
        .collect();
    crate::results::sort_rows(&mut rows, |x, y, r| {
        r[y].downtime_difference
            .abs()
            .total_cmp(&r[x].downtime_difference.abs())
    });
    let count = |what: Change| rows.iter().filter(|s| s.change == what).count();
    let (d, ci) = interval(overall.d, overall.dd, n);
    let un = unpaired(&overall, n);
    let summary = TimelineCompareSummary {
        downtime_minutes_a: overall.a / n * minutes,
        downtime_minutes_b: overall.b / n * minutes,
        downtime_difference: d * minutes,
        downtime_difference_ci95: [ci[0] * minutes, ci[1] * minutes],
        unpaired_ci95: [un[0] * minutes, un[1] * minutes],
        trials_b_better: better,
        trials_b_worse: worse,
        services_better: count(Change::Better),
        services_worse: count(Change::Worse),
        services_unchanged: count(Change::Unchanged),
        services_unclear: count(Change::Unclear),
    };
    let only = |x: &crate::scenario::Scenario, y: &crate::scenario::Scenario| -> Vec<String> {
        x.services
            .iter()
            .filter(|s| !y.services.iter().any(|t| t.id == s.id))
            .map(|s| s.id.to_string())
            .collect()
    };
    let mut report = TimelineCompareReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Timeline,
        a: a.name.clone(),
        b: b.name.clone(),
        trials,
        seed,
        horizon_minutes: minutes,
        summary,
        services: rows,
        only_in_a: only(a, b),
        only_in_b: only(b, a),
    };
    report.tidy();
    Ok(report)
}
