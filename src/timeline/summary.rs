//! Timeline counts → [`TimelineReport`] (spec §7): failed shares, downtime,
//! nines and added latency per service and region, with intervals across
//! trials, the series of scheduled-event replays, and per-event figures by
//! region.

use std::collections::BTreeMap;

use super::{TimelineModel, TimelineTally};
use crate::engine::summary::region_rows;
use crate::forcing::FailSpec;
use crate::results::{
    EventRegion, EventRow, ModelKind, RegionFigures, Series, TimelineReport, TimelineServiceRow,
    TimelineSummary, VERSION, WallClock,
};
use crate::scenario::Scenario;
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

/// The report of a timeline run from its counts.
pub fn timeline(
    m: &TimelineModel,
    tally: &TimelineTally,
    seed: u64,
    fail: &[FailSpec],
) -> TimelineReport {
    let sc = m.scenario;
    let cx = Summary::new(m, tally);
    let mut rows: Vec<(usize, TimelineServiceRow)> = (0..sc.services.len())
        .map(|s| (s, cx.service_row(s)))
        .collect();
    let weight_sum: f64 = (0..sc.services.len()).map(|s| cx.weight_of(s)).sum();
    let avg = |f: &dyn Fn(&TimelineServiceRow) -> f64| -> f64 {
        if weight_sum > 0.0 {
            rows.iter()
                .map(|(s, r)| cx.weight_of(*s) * f(r))
                .sum::<f64>()
                / weight_sum
        } else {
            0.0
        }
    };
    let summary = TimelineSummary {
        failed_share: avg(&|r| r.failed_share),
        downtime_minutes: avg(&|r| r.downtime_minutes),
        added_latency_ms: avg(&|r| r.added_latency_ms),
    };
    let events = (0..m.events.len()).map(|e| cx.event_row(e)).collect();
    crate::results::rank_rows(&mut rows, |r| r.1.failed_share, |r| &r.1.id);
    let mut report = TimelineReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Timeline,
        scenario: sc.name.clone(),
        description: sc.description.clone(),
        sources: sc.sources.clone(),
        trials: tally.counts.trials,
        seed,
        horizon_seconds: cx.h,
        start: sc.simulation.start.clone(),
        start_unix: sc.simulation.start_unix,
        resolvers_per_region: sc.resolvers.per_region,
        fail: fail.iter().map(|f| f.to_string()).collect(),
        regions: region_rows(sc),
        summary,
        events,
        services: rows.into_iter().map(|(_, r)| r).collect(),
    };
    report.tidy();
    report
}

/// What every figure of one report needs.
struct Summary<'a> {
    m: &'a TimelineModel<'a>,
    sc: &'a Scenario,
    tally: &'a TimelineTally,
    rc: usize,
    trials: u64,
    /// The horizon, seconds.
    h: f64,
    resolvers: f64,
    retry_ms: f64,
    /// Region weights.
    w: Vec<f64>,
    steps: usize,
    total_weight: f64,
}

impl<'a> Summary<'a> {
    fn new(m: &'a TimelineModel<'a>, tally: &'a TimelineTally) -> Summary<'a> {
        let sc = m.scenario;
        Summary {
            m,
            sc,
            tally,
            rc: sc.regions.len(),
            trials: tally.counts.trials.max(1),
            h: m.horizon(),
            resolvers: sc.resolvers.per_region as f64,
            retry_ms: m.retry_timeout * 1000.0,
            w: sc.regions.iter().map(|r| r.weight).collect(),
            steps: tally.steps(),
            total_weight: sc.total_weight(),
        }
    }

    /// A service's weight in averages: its own, or 1 each when the plan
    /// weighs nothing.
    fn weight_of(&self, s: usize) -> f64 {
        if self.total_weight > 0.0 {
            self.sc.services[s].weight
        } else {
            1.0
        }
    }

    /// Mean and interval of Σ_r coef_r · X_r for service `s`, X the failed
    /// (or lost) lookups per trial in region r.
    fn moments_of(&self, s: usize, lost: bool, coef: &[f64]) -> (f64, [f64; 2]) {
        let (rc, c) = (self.rc, &self.tally.counts);
        let (sum, cross) = if lost {
            (&c.lost, &c.lost_cross)
        } else {
            (&c.failed, &c.failed_cross)
        };
        moments(
            &sum[s * rc..(s + 1) * rc],
            &cross[s * rc * rc..(s + 1) * rc * rc],
            coef,
            self.trials,
        )
    }

    fn service_row(&self, s: usize) -> TimelineServiceRow {
        let (sc, svc) = (self.sc, &self.sc.services[s]);
        let lambda = svc.query_rate / 3600.0;
        // Expected lookups per trial in one region, over all its resolvers.
        let lookups = self.resolvers * lambda * self.h;
        let coef: Vec<f64> = self
            .w
            .iter()
            .map(|w| if lookups > 0.0 { w / lookups } else { 0.0 })
            .collect();
        let (failed_share, ci) = self.moments_of(s, false, &coef);
        let failed_share = failed_share.min(1.0);
        let ci = [ci[0].min(1.0), ci[1].min(1.0)];
        let lat_coef: Vec<f64> = coef.iter().map(|c| c * self.retry_ms).collect();
        let (latency, lat_ci) = self.moments_of(s, true, &lat_coef);
        let minutes = self.h / 60.0;
        let names = |list: &[u32]| -> Vec<String> {
            list.iter()
                .map(|&p| sc.providers[p as usize].id.clone())
                .collect()
        };
        TimelineServiceRow {
            id: svc.id.to_string(),
            dns: names(&svc.dns),
            standby: names(svc.standby()),
            weight: svc.weight,
            failed_share,
            failed_share_ci95: ci,
            downtime_minutes: failed_share * minutes,
            downtime_minutes_ci95: [ci[0] * minutes, ci[1] * minutes],
            nines: (failed_share > 0.0).then(|| 0.0 - libm::log10(failed_share)),
            added_latency_ms: latency,
            added_latency_ms_ci95: lat_ci,
            regions: self.region_figures(s, lookups),
            wall_clock: self.wall_clock(s),
            requires: crate::results::Requires::of(sc, svc),
            series: self.series(s, lambda),
        }
    }

    /// Per region: the service's figures for that region alone.
    fn region_figures(&self, s: usize, lookups: f64) -> BTreeMap<String, RegionFigures> {
        let (trials, rc, minutes) = (self.trials, self.rc, self.h / 60.0);
        let per = |x: u64| {
            if lookups > 0.0 {
                x as f64 / (trials as f64 * lookups)
            } else {
                0.0
            }
        };
        self.sc
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
                // Shares divide by the expected lookups, so a region that
                // fails throughout can land a hair above 1: capped, as the
                // service's share is.
                let (share, ci) = self.moments_of(s, false, &one);
                let share = share.min(1.0);
                let ci = [ci[0].min(1.0), ci[1].min(1.0)];
                let figures = RegionFigures {
                    failed_share: share,
                    failed_share_ci95: ci,
                    downtime_minutes: share * minutes,
                    downtime_minutes_ci95: [ci[0] * minutes, ci[1] * minutes],
                    added_latency_ms: per(self.tally.counts.lost[s * rc + r]) * self.retry_ms,
                };
                (reg.id.clone(), figures)
            })
            .collect()
    }

    /// Wall-clock minutes over 10% and 50% failed and the longest stretch
    /// over 50%, per trial, regions weighted by share (see [`WallClock`]).
    fn wall_clock(&self, s: usize) -> Option<WallClock> {
        let step = self.m.series_step.filter(|_| self.steps > 0)?;
        let c = &self.tally.counts;
        let rc = self.rc;
        let mean = |v: &[u64]| {
            (0..rc)
                .map(|r| self.w[r] * v[s * rc + r] as f64)
                .sum::<f64>()
                * step
                / 60.0
                / self.trials as f64
        };
        Some(WallClock {
            minutes_over_10pct: mean(&c.steps_over_10),
            minutes_over_50pct: mean(&c.steps_over_50),
            longest_over_50pct_minutes: mean(&c.longest_over_50),
        })
    }

    /// The failed share per series step and region, when the run keeps a
    /// series.
    fn series(&self, s: usize, lambda: f64) -> Option<Series> {
        let (steps, h, trials) = (self.steps, self.h, self.trials);
        let step = self.m.series_step.filter(|_| steps > 0)?;
        let failed_share = self
            .sc
            .regions
            .iter()
            .enumerate()
            .map(|(r, reg)| {
                let base = (s * self.rc + r) * steps;
                let values = (0..steps)
                    .map(|k| {
                        let len = step.min(h - k as f64 * step);
                        let expected = trials as f64 * self.resolvers * lambda * len;
                        if expected > 0.0 {
                            (self.tally.counts.series[base + k] as f64 / expected).min(1.0)
                        } else {
                            0.0
                        }
                    })
                    .collect();
                (reg.id.clone(), values)
            })
            .collect();
        Some(Series {
            step_seconds: step,
            failed_share,
        })
    }

    /// A scheduled event: its window and, per region it hits, what the
    /// services lost during it.
    fn event_row(&self, e: usize) -> EventRow {
        let (sc, ev) = (self.sc, &self.m.events[e]);
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
            by_region: ev
                .regions
                .iter()
                .map(|&r| {
                    (
                        sc.regions[r as usize].id.clone(),
                        self.event_region(e, r as usize),
                    )
                })
                .collect(),
        }
    }

    /// Weighted over services that are looked up at all.
    fn event_region(&self, e: usize, r: usize) -> EventRegion {
        let (sc, ev, n, rc) = (self.sc, &self.m.events[e], self.sc.services.len(), self.rc);
        let dur = ev.end - ev.start;
        let (mut failed_w, mut hit, mut mostly, mut weight) = (0.0, 0.0, 0.0, 0.0);
        for s in 0..n {
            let expected =
                self.trials as f64 * self.resolvers * sc.services[s].query_rate / 3600.0 * dur;
            if expected <= 0.0 {
                continue;
            }
            let share =
                (self.tally.counts.in_events[(e * n + s) * rc + r] as f64 / expected).min(1.0);
            let ws = self.weight_of(s);
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
        let normal = self.normal_queries(e, r);
        let sent = self.tally.counts.queries_in_events[e * rc + r] as f64;
        EventRegion {
            failed_share: of_weight(failed_w),
            weight_over_10pct_failed: of_weight(hit),
            weight_mostly_failed: of_weight(mostly),
            authoritative_load: (normal > 0.0).then(|| sent / normal),
        }
    }

    /// The queries that the lookups of every trial would send to event
    /// `e`'s providers from region `r` during the event with no outage:
    /// each name's lookups, its own and those of its dependents that reach
    /// it (λ: `reach`, as a shared cache sees them), a caching resolver
    /// fetching it once per expiry (a share 1/(1+λT) of them, stationary),
    /// a resolver whose cache does not help at every one, each time from
    /// one delegated provider at random.
    fn normal_queries(&self, e: usize, r: usize) -> f64 {
        let (sc, ev) = (self.sc, &self.m.events[e]);
        let dur = ev.end - ev.start;
        let c = sc.resolvers.cache_share;
        let mut per_second = 0.0;
        for (s, svc) in sc.services.iter().enumerate() {
            let hit = svc
                .dns
                .iter()
                .filter(|&&p| ev.cover.contains(&(p, r as u32)))
                .count();
            if hit == 0 {
                continue;
            }
            let (lambda, ttl) = (self.m.svc[s].reach, self.m.svc[s].ttl);
            let per_lookup = c / (1.0 + lambda * ttl) + (1.0 - c);
            per_second += lambda * per_lookup * hit as f64 / svc.dns.len() as f64;
        }
        per_second * dur * self.resolvers * self.trials as f64
    }
}
