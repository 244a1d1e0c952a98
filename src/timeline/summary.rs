//! Timeline counts → [`TimelineReport`] (spec §7): failed shares, downtime,
//! nines and added latency per service and region, with intervals across
//! trials, the series of scheduled-event replays, and per-event figures by
//! region.

use super::{TimelineModel, TimelineTally};
use crate::engine::summary::region_rows;
use crate::forcing::FailSpec;
use crate::results::{
    EventRegion, EventRow, ModelKind, RegionFigures, Series, TimelineReport, TimelineServiceRow,
    TimelineSummary, VERSION,
};
use crate::stats::Z;

/// Mean and a normal 95% interval (floored at 0) of Σ_r c_r·X_r per trial,
/// from per-region sums and cross-products over trials.
fn moments(sum: &[u64], cross: &[u128], coef: &[f64], trials: u64) -> (f64, [f64; 2]) {
    let n = trials.max(1) as f64;
    let rc = coef.len();
    let mean: f64 = sum.iter().zip(coef).map(|(&s, c)| c * s as f64 / n).sum();
    let mut second = 0.0;
    for a in 0..rc {
        for b in 0..rc {
            second += coef[a] * coef[b] * cross[a * rc + b] as f64 / n;
        }
    }
    let var = (second - mean * mean).max(0.0) * if trials > 1 { n / (n - 1.0) } else { 1.0 };
    let half = Z * libm::sqrt(var / n);
    (mean, [(mean - half).max(0.0), mean + half])
}

pub fn timeline(
    m: &TimelineModel,
    tally: &TimelineTally,
    seed: u64,
    fail: &[FailSpec],
) -> TimelineReport {
    let sc = m.scenario;
    let rc = sc.regions.len();
    let trials = tally.counts.trials.max(1);
    let h = m.horizon();
    let resolvers = sc.resolvers.per_region as f64;
    let retry_ms = m.retry_timeout * 1000.0;
    let w: Vec<f64> = sc.regions.iter().map(|r| r.weight).collect();
    let steps = tally.steps();
    let total_weight: f64 = sc.total_weight();
    let weight_of = |s: usize| {
        if total_weight > 0.0 {
            sc.services[s].weight
        } else {
            1.0
        }
    };

    let mut rows: Vec<(usize, TimelineServiceRow)> = Vec::with_capacity(sc.services.len());
    for (s, svc) in sc.services.iter().enumerate() {
        let lambda = svc.query_rate / 3600.0;
        // Expected lookups per trial in one region, over all its resolvers.
        let lookups = resolvers * lambda * h;
        let per = |x: u64| {
            if lookups > 0.0 {
                x as f64 / (trials as f64 * lookups)
            } else {
                0.0
            }
        };
        let range = s * rc..(s + 1) * rc;
        let coef: Vec<f64> = w
            .iter()
            .map(|w| if lookups > 0.0 { w / lookups } else { 0.0 })
            .collect();
        let (failed_share, ci) = moments(
            &tally.counts.failed[range.clone()],
            &tally.counts.failed_cross[s * rc * rc..(s + 1) * rc * rc],
            &coef,
            trials,
        );
        let failed_share = failed_share.min(1.0);
        let ci = [ci[0].min(1.0), ci[1].min(1.0)];
        let lat_coef: Vec<f64> = coef.iter().map(|c| c * retry_ms).collect();
        let (latency, lat_ci) = moments(
            &tally.counts.lost[range.clone()],
            &tally.counts.lost_cross[s * rc * rc..(s + 1) * rc * rc],
            &lat_coef,
            trials,
        );
        let minutes = h / 60.0;
        let regions = sc
            .regions
            .iter()
            .enumerate()
            .map(|(r, reg)| {
                // The same interval, for this region alone.
                let one: Vec<f64> = (0..rc)
                    .map(|x| {
                        if x == r && lookups > 0.0 {
                            1.0 / lookups
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let (share, ci) = moments(
                    &tally.counts.failed[range.clone()],
                    &tally.counts.failed_cross[s * rc * rc..(s + 1) * rc * rc],
                    &one,
                    trials,
                );
                let ci = [ci[0].min(1.0), ci[1].min(1.0)];
                (
                    reg.id.clone(),
                    RegionFigures {
                        failed_share: share,
                        failed_share_ci95: ci,
                        downtime_minutes: share * minutes,
                        downtime_minutes_ci95: [ci[0] * minutes, ci[1] * minutes],
                        added_latency_ms: per(tally.counts.lost[s * rc + r]) * retry_ms,
                    },
                )
            })
            .collect();
        let series = m.series_step.filter(|_| steps > 0).map(|step| Series {
            step_seconds: step,
            failed_share: sc
                .regions
                .iter()
                .enumerate()
                .map(|(r, reg)| {
                    let base = (s * rc + r) * steps;
                    let values = (0..steps)
                        .map(|k| {
                            let len = step.min(h - k as f64 * step);
                            let expected = trials as f64 * resolvers * lambda * len;
                            if expected > 0.0 {
                                (tally.counts.series[base + k] as f64 / expected).min(1.0)
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    (reg.id.clone(), values)
                })
                .collect(),
        });
        rows.push((
            s,
            TimelineServiceRow {
                id: svc.id.to_string(),
                dns: svc
                    .dns
                    .iter()
                    .map(|&p| sc.providers[p as usize].id.clone())
                    .collect(),
                standby: svc
                    .standby
                    .iter()
                    .map(|&p| sc.providers[p as usize].id.clone())
                    .collect(),
                weight: svc.weight,
                failed_share,
                failed_share_ci95: ci,
                downtime_minutes: failed_share * minutes,
                downtime_minutes_ci95: [ci[0] * minutes, ci[1] * minutes],
                nines: (failed_share > 0.0).then(|| -libm::log10(failed_share)),
                added_latency_ms: latency,
                added_latency_ms_ci95: lat_ci,
                regions,
                series,
            },
        ));
    }

    let weight_sum: f64 = (0..sc.services.len()).map(weight_of).sum();
    let avg = |f: &dyn Fn(&TimelineServiceRow) -> f64| -> f64 {
        if weight_sum > 0.0 {
            rows.iter().map(|(s, r)| weight_of(*s) * f(r)).sum::<f64>() / weight_sum
        } else {
            0.0
        }
    };
    let summary = TimelineSummary {
        failed_share: avg(&|r| r.failed_share),
        downtime_minutes: avg(&|r| r.downtime_minutes),
        added_latency_ms: avg(&|r| r.added_latency_ms),
    };

    let n = sc.services.len();
    let events = m
        .events
        .iter()
        .enumerate()
        .map(|(e, ev)| {
            let dur = ev.end - ev.start;
            let by_region = ev
                .regions
                .iter()
                .map(|&r| {
                    let r = r as usize;
                    // Weighted over services that are looked up at all.
                    let (mut failed_w, mut hit, mut mostly, mut weight) = (0.0, 0.0, 0.0, 0.0);
                    for s in 0..n {
                        let expected =
                            trials as f64 * resolvers * sc.services[s].query_rate / 3600.0 * dur;
                        if expected <= 0.0 {
                            continue;
                        }
                        let share = tally.counts.in_events[(e * n + s) * rc + r] as f64 / expected;
                        let ws = weight_of(s);
                        failed_w += ws * share;
                        weight += ws;
                        if share > 0.1 {
                            hit += ws;
                        }
                        if share > 0.5 {
                            mostly += ws;
                        }
                    }
                    let of_weight = |x: f64| if weight > 0.0 { x / weight } else { 0.0 };
                    let figures = EventRegion {
                        failed_share: of_weight(failed_w),
                        weight_over_10pct_failed: of_weight(hit),
                        weight_mostly_failed: of_weight(mostly),
                    };
                    (sc.regions[r].id.clone(), figures)
                })
                .collect();
            EventRow {
                target: ev.target.clone(),
                regions: ev
                    .regions
                    .iter()
                    .map(|&r| sc.regions[r as usize].id.clone())
                    .collect(),
                start_seconds: ev.start,
                end_seconds: ev.end,
                loss: ev.loss,
                by_region,
            }
        })
        .collect();

    rows.sort_by(|a, b| b.1.failed_share.total_cmp(&a.1.failed_share));
    TimelineReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Timeline,
        scenario: sc.name.clone(),
        trials: tally.counts.trials,
        seed,
        horizon_seconds: h,
        start: sc.simulation.start.clone(),
        start_unix: sc.simulation.start_unix,
        resolvers_per_region: sc.resolvers.per_region,
        fail: fail.iter().map(|f| f.to_string()).collect(),
        regions: region_rows(sc),
        summary,
        events,
        services: rows.into_iter().map(|(_, r)| r).collect(),
    }
}
