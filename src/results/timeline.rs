//! Timeline results (spec §7): failed shares, downtime, nines and added
//! latency per service and region, per-event figures and the series.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ModelKind, RegionRow};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineReport {
    pub dnsim: String,
    pub model: ModelKind,
    pub scenario: String,
    /// The scenario's `description` and `sources`, carried so that a
    /// shared report keeps its provenance (absent when the file has none).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    pub trials: u64,
    pub seed: u64,
    pub horizon_seconds: f64,
    /// `simulation.start`, when the scenario gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    #[serde(skip)]
    pub start_unix: Option<i64>,
    pub resolvers_per_region: u32,
    pub fail: Vec<String>,
    pub regions: Vec<RegionRow>,
    pub summary: TimelineSummary,
    pub events: Vec<EventRow>,
    /// Worst first; ties in scenario order.
    pub services: Vec<TimelineServiceRow>,
}

impl TimelineReport {
    /// That the report's parts agree: a horizon and events a scenario
    /// can give, each service with figures for the report's `regions`,
    /// and every failed-share series with the same steps, of a positive
    /// length, for regions of the report.
    pub(super) fn check_shape(&self, regions: &[&str]) -> Result<(), String> {
        // A horizon a scenario can give (from one millisecond to u64::MAX
        // of them), and events inside it, as the loader holds them (and
        // the tables' clock times assume).
        let horizon = self.horizon_seconds;
        if !(0.001..=u64::MAX as f64 / 1000.0).contains(&horizon) {
            return Err(format!("a horizon of {horizon:?} seconds"));
        }
        for e in &self.events {
            let (a, b) = (e.start_seconds, e.end_seconds);
            if !(0.0 <= a && a < b && b <= horizon) {
                return Err(format!(
                    "an event from {a:?} to {b:?} seconds, not inside the horizon of {horizon:?}"
                ));
            }
            if !(0.0..=1.0).contains(&e.loss) {
                return Err(format!("an event's loss of {:?}, not in [0, 1]", e.loss));
            }
        }
        let mut steps = None;
        for s in &self.services {
            let names: Vec<&str> = s.regions.keys().map(String::as_str).collect();
            super::same_regions(&s.id, &names, regions)?;
            if let Some(w) = &s.wall_clock {
                let minutes = self.horizon_seconds / 60.0;
                let all = [
                    w.minutes_over_10pct,
                    w.minutes_over_50pct,
                    w.longest_over_50pct_minutes,
                ];
                if let Some(x) = all.iter().find(|x| !(0.0..=minutes).contains(*x)) {
                    return Err(format!(
                        "wall-clock minutes of {x:?}, not within the horizon's {minutes}"
                    ));
                }
            }
            let Some(series) = &s.series else { continue };
            if !(series.step_seconds.is_finite() && series.step_seconds > 0.0) {
                return Err(format!("a series step of {} seconds", series.step_seconds));
            }
            for (region, values) in &series.failed_share {
                if !regions.contains(&region.as_str()) {
                    return Err(format!(
                        "a series for {region:?}, not a region of the report"
                    ));
                }
                match steps {
                    None => steps = Some(values.len()),
                    Some(n) if n != values.len() => {
                        return Err(format!(
                            "series of {n} and {} steps in one report",
                            values.len()
                        ));
                    }
                    Some(_) => {}
                }
                if let Some(x) = values.iter().find(|x| !(0.0..=1.0).contains(*x)) {
                    return Err(format!("a series share of {x:?}, not in [0, 1]"));
                }
            }
        }
        Ok(())
    }

    /// Every share of failed lookups the report holds, named, for checks.
    pub fn shares(&self) -> Vec<(&'static str, f64)> {
        let mut v = vec![("summary.failed_share", self.summary.failed_share)];
        for s in &self.services {
            v.push(("services.failed_share", s.failed_share));
            v.extend(
                s.regions
                    .values()
                    .map(|r| ("services.regions.failed_share", r.failed_share)),
            );
        }
        for e in &self.events {
            for r in e.by_region.values() {
                v.push(("events.by_region.failed_share", r.failed_share));
            }
        }
        v
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineSummary {
    pub failed_share: f64,
    pub downtime_minutes: f64,
    pub added_latency_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventRow {
    pub target: String,
    pub regions: Vec<String>,
    pub start_seconds: f64,
    pub end_seconds: f64,
    pub loss: f64,
    /// Per region: the weight-averaged failed share of lookups during the
    /// event, the shares of the weight (of the sites) that lost more than
    /// 10% and more than half of their lookups during it, and the load on
    /// the event's providers.
    pub by_region: BTreeMap<String, EventRegion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventRegion {
    pub failed_share: f64,
    pub weight_over_10pct_failed: f64,
    pub weight_mostly_failed: f64,
    /// Queries sent to the event's providers from the region during the
    /// event, over what the same lookups send with no outage (spec §3.1);
    /// `null` when no lookup reaches them.
    pub authoritative_load: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineServiceRow {
    pub id: String,
    /// Its delegated providers (the NS set), and its standby ones.
    pub dns: Vec<String>,
    pub standby: Vec<String>,
    pub weight: f64,
    pub failed_share: f64,
    pub failed_share_ci95: [f64; 2],
    pub downtime_minutes: f64,
    pub downtime_minutes_ci95: [f64; 2],
    pub nines: Option<f64>,
    pub added_latency_ms: f64,
    pub added_latency_ms_ci95: [f64; 2],
    pub regions: BTreeMap<String, RegionFigures>,
    /// Wall-clock measures, from the series (absent without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_clock: Option<WallClock>,
    /// What it requires, when it requires anything (for the HTML graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<std::sync::Arc<super::Requires>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<Series>,
}

/// Minutes of wall-clock time, beside the lookup-weighted downtime: per
/// trial, the series steps in which more than 10% and more than 50% of the
/// service's lookups failed, and the longest run of steps over 50%; their
/// means over trials, regions weighted by share. Measured in whole series
/// steps (`--series`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WallClock {
    pub minutes_over_10pct: f64,
    pub minutes_over_50pct: f64,
    pub longest_over_50pct_minutes: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionFigures {
    pub failed_share: f64,
    pub failed_share_ci95: [f64; 2],
    pub downtime_minutes: f64,
    pub downtime_minutes_ci95: [f64; 2],
    pub added_latency_ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Series {
    pub step_seconds: f64,
    pub failed_share: BTreeMap<String, Vec<f64>>,
}
