//! The integer counts of timeline trials: per service and region failed
//! and lost lookups, their cross-products for intervals, the series.

use super::TimelineModel;
use super::record::Record;
use crate::stats::add_checked;

/// Integer counts from timeline trials; merged by addition.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineTally {
    pub counts: TimelineCounts,
    regions: usize,
    steps: usize,
    /// This trial's counts, folded into the moments at its end.
    trial_failed: Vec<u64>,
    trial_lost: Vec<u64>,
    /// Services with counts this trial, and a flag per service.
    touched: Vec<usize>,
    is_touched: Vec<bool>,
    /// This trial's failed lookups per `service × region × step`, and per
    /// service the lookups expected in a whole step in one region, for the
    /// wall-clock measures (steps over 10% and 50% failed).
    trial_series: Vec<u64>,
    expected_step: Vec<f64>,
    /// The last step's length over a whole step's (a horizon need not be a
    /// whole number of steps).
    last_step: f64,
}

/// Failed shares over which a series step counts as a bad one, and as down.
pub const OVER: [f64; 2] = [0.1, 0.5];

impl TimelineTally {
    pub fn new(m: &TimelineModel) -> TimelineTally {
        let (n, r) = (m.scenario.services.len(), m.scenario.regions.len());
        let steps = m.steps();
        TimelineTally {
            counts: TimelineCounts {
                trials: 0,
                failed: vec![0; n * r],
                lost: vec![0; n * r],
                failed_cross: vec![0; n * r * r],
                lost_cross: vec![0; n * r * r],
                series: vec![0; n * r * steps],
                in_events: vec![0; m.events.len() * n * r],
                queries_in_events: vec![0; m.events.len() * r],
                steps_over_10: vec![0; if steps > 0 { n * r } else { 0 }],
                steps_over_50: vec![0; if steps > 0 { n * r } else { 0 }],
                longest_over_50: vec![0; if steps > 0 { n * r } else { 0 }],
            },
            regions: r,
            steps,
            trial_failed: vec![0; n * r],
            trial_lost: vec![0; n * r],
            touched: Vec::new(),
            is_touched: vec![false; n],
            trial_series: vec![0; n * r * steps],
            expected_step: m
                .svc
                .iter()
                .map(|v| {
                    f64::from(m.scenario.resolvers.per_region)
                        * v.lambda
                        * m.series_step.unwrap_or(0.0)
                })
                .collect(),
            last_step: m.series_step.map_or(1.0, |step| {
                let whole = (steps.max(1) - 1) as f64 * step;
                ((m.horizon() - whole) / step).clamp(0.0, 1.0)
            }),
        }
    }

    /// Adds what service `s`'s resolvers in region `r` recorded this trial.
    pub(super) fn apply(&mut self, s: usize, r: usize, rec: &Record) {
        let i = s * self.regions + r;
        self.trial_failed[i] += rec.failed;
        self.trial_lost[i] += rec.lost;
        if rec.failed > 0 || rec.lost > 0 {
            self.touch(s);
        }
        for &(step, n) in &rec.series {
            self.counts.series[i * self.steps + step] += n;
            self.trial_series[i * self.steps + step] += n;
        }
        // A flag per service: their count.
        let services = self.is_touched.len();
        for (e, &n) in rec.in_events.iter().enumerate() {
            self.counts.in_events[(e * services + s) * self.regions + r] += n;
        }
        for (e, &n) in rec.queries_in_events.iter().enumerate() {
            self.counts.queries_in_events[e * self.regions + r] += n;
        }
    }

    pub(super) fn touch(&mut self, s: usize) {
        if !self.is_touched[s] {
            self.is_touched[s] = true;
            self.touched.push(s);
        }
    }

    /// Ends a trial: its per-region counts go into the sums and the sums of
    /// products (for intervals across trials).
    pub(super) fn fold_trial(&mut self) {
        let rc = self.regions;
        let c = &mut self.counts;
        c.trials += 1;
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        for &s in &touched {
            self.is_touched[s] = false;
            for a in 0..rc {
                let (fa, la) = (self.trial_failed[s * rc + a], self.trial_lost[s * rc + a]);
                c.failed[s * rc + a] += fa;
                c.lost[s * rc + a] += la;
                for b in 0..rc {
                    let (fb, lb) = (self.trial_failed[s * rc + b], self.trial_lost[s * rc + b]);
                    c.failed_cross[(s * rc + a) * rc + b] += fa as u128 * fb as u128;
                    c.lost_cross[(s * rc + a) * rc + b] += la as u128 * lb as u128;
                }
            }
            for a in 0..rc {
                self.trial_failed[s * rc + a] = 0;
                self.trial_lost[s * rc + a] = 0;
            }
        }
        for &s in &touched {
            for a in 0..rc {
                self.fold_wall_clock(s * rc + a, s);
            }
        }
        self.touched = touched;
        self.touched.clear();
    }

    /// The trial's series of `service × region` row `i` into the
    /// wall-clock counts: steps over each of [`OVER`] failed, and the
    /// longest run of steps over the last; then cleared.
    fn fold_wall_clock(&mut self, i: usize, s: usize) {
        let steps = self.steps;
        if steps == 0 || self.expected_step[s] <= 0.0 {
            return;
        }
        let row = &mut self.trial_series[i * steps..(i + 1) * steps];
        let (mut over, mut run, mut longest) = ([0u64; 2], 0u64, 0u64);
        for (k, x) in row.iter_mut().enumerate() {
            let expected = if k + 1 == steps {
                self.expected_step[s] * self.last_step
            } else {
                self.expected_step[s]
            };
            let share = *x as f64 / expected;
            for (o, &limit) in over.iter_mut().zip(&OVER) {
                *o += u64::from(share > limit);
            }
            run = if share > OVER[1] { run + 1 } else { 0 };
            longest = longest.max(run);
            *x = 0;
        }
        let c = &mut self.counts;
        c.steps_over_10[i] += over[0];
        c.steps_over_50[i] += over[1];
        c.longest_over_50[i] += longest;
    }

    pub fn steps(&self) -> usize {
        self.steps
    }
}

/// The integer counts of timeline trials: what a tally accumulates, what a
/// partial result or checkpoint holds, and what adds up across them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TimelineCounts {
    pub trials: u64,
    /// `service × region`: failed lookups, summed over trials and resolvers.
    pub failed: Vec<u64>,
    /// `service × region`: lost tries.
    pub lost: Vec<u64>,
    /// `service × region × region`: Σ over trials of the product of the
    /// per-trial counts, for intervals.
    pub failed_cross: Vec<u128>,
    pub lost_cross: Vec<u128>,
    /// `service × region × step`: failed lookups per series step.
    pub series: Vec<u64>,
    /// `event × service × region`: failed lookups within each event window.
    pub in_events: Vec<u64>,
    /// `event × region`: queries sent to the event's providers from the
    /// region during the event, for `authoritative_load`.
    #[serde(default)]
    pub queries_in_events: Vec<u64>,
    /// `service × region`: series steps whose failed share was over 10%
    /// and over 50%, and the longest run of steps over 50% in each trial,
    /// summed over trials (wall-clock measures; empty without a series).
    #[serde(default)]
    pub steps_over_10: Vec<u64>,
    #[serde(default)]
    pub steps_over_50: Vec<u64>,
    #[serde(default)]
    pub longest_over_50: Vec<u64>,
}

impl TimelineCounts {
    /// Checks counts read from a file that claim `trials` trials.
    pub fn check(&self, trials: u64) -> Result<(), String> {
        if self.trials != trials {
            return Err(format!(
                "it counts {} trials where {trials} were run",
                self.trials
            ));
        }
        Ok(())
    }

    /// Adds another part's counts (read from a file, they may claim
    /// anything): false, and `self` unusable, when their shapes differ or a
    /// sum would overflow.
    pub fn add(&mut self, o: &TimelineCounts) -> bool {
        let fits = self.failed.len() == o.failed.len()
            && self.lost.len() == o.lost.len()
            && self.failed_cross.len() == o.failed_cross.len()
            && self.lost_cross.len() == o.lost_cross.len()
            && self.series.len() == o.series.len()
            && self.in_events.len() == o.in_events.len()
            && self.queries_in_events.len() == o.queries_in_events.len()
            && self.steps_over_10.len() == o.steps_over_10.len()
            && self.steps_over_50.len() == o.steps_over_50.len()
            && self.longest_over_50.len() == o.longest_over_50.len();
        if !fits {
            return false;
        }
        let Some(trials) = self.trials.checked_add(o.trials) else {
            return false;
        };
        self.trials = trials;
        let counts = [
            (&mut self.failed, &o.failed),
            (&mut self.lost, &o.lost),
            (&mut self.series, &o.series),
            (&mut self.in_events, &o.in_events),
            (&mut self.queries_in_events, &o.queries_in_events),
            (&mut self.steps_over_10, &o.steps_over_10),
            (&mut self.steps_over_50, &o.steps_over_50),
            (&mut self.longest_over_50, &o.longest_over_50),
        ];
        let crosses = [
            (&mut self.failed_cross, &o.failed_cross),
            (&mut self.lost_cross, &o.lost_cross),
        ];
        counts
            .into_iter()
            .all(|(a, b)| add_checked(a, b, u64::checked_add))
            && crosses
                .into_iter()
                .all(|(a, b)| add_checked(a, b, u128::checked_add))
    }
}
