//! Figures to 12 significant digits, once, when a run's, an analysis's or
//! a comparison's report is made:
//! `0.0002`, not the `0.00019999999999997797` that `1 − 0.9998` leaves.
//! Twelve digits are more than any figure here holds (a Monte Carlo
//! interval is wide at the third to sixth digit), and fewer than the
//! noise: a subtraction like that one leaves only 13 good digits of 17.
//! Every output (JSON, CSV, tables, HTML) reads the same rounded numbers,
//! so a report drawn from a saved JSON result is the run's own, byte for
//! byte. Rounding twice changes nothing.
//!
//! Counts stay as they are, and so does the snapshot's impact
//! distribution, whose values key trial counts.

use super::{
    AnalysisReport, CompareReport, Importance, RegionValues, SnapshotReport, TimelineCompareReport,
    TimelineReport,
};

/// `x` to 12 significant digits (integers and non-finite values as they
/// are).
pub fn round12(x: f64) -> f64 {
    if !x.is_finite() || x == x.trunc() && x.abs() < 1e15 {
        return x;
    }
    // Most figures (counts over trials) are already short: when the
    // shortest text that reads back as `x` has at most 12 significant
    // digits, that text is also `x` to 12 digits, and `x` is its own
    // rounding.
    let mut shortest = ryu::Buffer::new();
    if significant_digits(shortest.format_finite(x)) <= 12 {
        return x;
    }
    match format!("{x:.11e}").parse::<f64>() {
        Ok(y) if y.is_finite() => y,
        _ => x,
    }
}

/// The significant digits of a number as `ryu` writes it (`0.0074`,
/// `1.5e-7`, `120.0`).
fn significant_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    let digits = || mantissa.bytes().filter(u8::is_ascii_digit);
    let leading = digits().take_while(|&d| d == b'0').count();
    let trailing = digits().rev().take_while(|&d| d == b'0').count();
    digits().count().saturating_sub(leading + trailing)
}

fn r(x: &mut f64) {
    *x = round12(*x);
}

/// Each of `xs` to 12 significant digits.
fn rs<const N: usize>(xs: [&mut f64; N]) {
    xs.into_iter().for_each(r);
}

fn r2(x: &mut [f64; 2]) {
    x.iter_mut().for_each(r);
}

impl<S> SnapshotReport<S> {
    /// Every figure to 12 significant digits (see the module comment) but
    /// the services' rows, which a run makes from figures rounded once per
    /// node (`engine::summary`).
    pub fn tidy(&mut self) {
        self.regions.iter_mut().for_each(|x| r(&mut x.weight));
        let s = &mut self.summary;
        rs([
            &mut s.total_weight,
            &mut s.expected_unreachable,
            &mut s.expected_impact,
            &mut s.p_any_unreachable,
        ]);
        let q = &mut s.impact_quantiles;
        rs([&mut q.p50, &mut q.p90, &mut q.p99, &mut q.p999]);
        if let Some(sm) = &mut self.sampling {
            rs([
                &mut sm.biased_p,
                &mut sm.mean_weight,
                &mut sm.effective_trials,
            ]);
        }
        for p in &mut self.providers {
            r(&mut p.p_down);
            r(&mut p.single_failure_impact);
        }
    }
}

impl<S> AnalysisReport<S> {
    /// Every figure to 12 significant digits (see the module comment): the
    /// exact figures too, whose last digits are the float sums' and not the
    /// plan's. The services' rows are made from figures rounded once per
    /// node ([`AnalysisRowFigures::tidy`]).
    pub fn tidy(&mut self) {
        self.regions.iter_mut().for_each(|x| r(&mut x.weight));
        let s = &mut self.summary;
        rs([
            &mut s.total_weight,
            &mut s.expected_unreachable,
            &mut s.expected_impact,
        ]);
        for i in &mut self.importance {
            *i = rounded(i.clone());
        }
        for c in &mut self.cut_sets {
            rs([&mut c.probability, &mut c.impact, &mut c.share]);
        }
    }
}

/// What an analysis row shows of its node: the same for every service of
/// the node.
pub struct AnalysisRowFigures {
    pub p: f64,
    pub ci: Option<[f64; 2]>,
    pub regions: RegionValues,
}

impl AnalysisRowFigures {
    /// Its figures to 12 significant digits, as [`AnalysisReport::tidy`]
    /// leaves the rest of the report.
    pub fn tidy(&mut self) {
        r(&mut self.p);
        if let Some(ci) = &mut self.ci {
            r2(ci);
        }
        self.regions = self.regions.map(round12);
    }
}

impl CompareReport {
    /// Every figure to 12 significant digits (see the module comment); the
    /// changes are classified before, on the figures as computed.
    pub fn tidy(&mut self) {
        let s = &mut self.summary;
        rs([
            &mut s.expected_impact_a,
            &mut s.expected_impact_b,
            &mut s.impact_difference,
        ]);
        r2(&mut s.impact_difference_ci95);
        r2(&mut s.unpaired_ci95);
        for row in &mut self.services {
            rs([
                &mut row.weight_a,
                &mut row.weight_b,
                &mut row.p_unreachable_a,
                &mut row.p_unreachable_b,
                &mut row.difference,
            ]);
            r2(&mut row.difference_ci95);
        }
    }
}

impl TimelineCompareReport {
    /// Every figure to 12 significant digits (see [`CompareReport::tidy`]).
    pub fn tidy(&mut self) {
        r(&mut self.horizon_minutes);
        let s = &mut self.summary;
        rs([
            &mut s.downtime_minutes_a,
            &mut s.downtime_minutes_b,
            &mut s.downtime_difference,
        ]);
        r2(&mut s.downtime_difference_ci95);
        r2(&mut s.unpaired_ci95);
        for row in &mut self.services {
            rs([
                &mut row.weight_a,
                &mut row.weight_b,
                &mut row.failed_share_a,
                &mut row.failed_share_b,
                &mut row.downtime_minutes_a,
                &mut row.downtime_minutes_b,
                &mut row.downtime_difference,
            ]);
            r2(&mut row.downtime_difference_ci95);
        }
    }
}

/// An importance row's figures to 12 significant digits.
pub fn rounded(mut i: Importance) -> Importance {
    rs([&mut i.p, &mut i.birnbaum, &mut i.removes]);
    for x in [
        &mut i.fussell_vesely,
        &mut i.criticality,
        &mut i.raw,
        &mut i.rrw,
    ]
    .into_iter()
    .flatten()
    {
        r(x);
    }
    i
}

impl TimelineReport {
    /// Every figure to 12 significant digits (see the module comment).
    pub fn tidy(&mut self) {
        self.regions.iter_mut().for_each(|x| r(&mut x.weight));
        let s = &mut self.summary;
        rs([
            &mut s.failed_share,
            &mut s.downtime_minutes,
            &mut s.added_latency_ms,
        ]);
        for e in &mut self.events {
            for x in e.by_region.values_mut() {
                r(&mut x.failed_share);
                r(&mut x.weight_over_10pct_failed);
                r(&mut x.weight_mostly_failed);
                if let Some(l) = &mut x.authoritative_load {
                    r(l);
                }
            }
        }
        for row in &mut self.services {
            rs([
                &mut row.weight,
                &mut row.failed_share,
                &mut row.downtime_minutes,
                &mut row.added_latency_ms,
            ]);
            r2(&mut row.failed_share_ci95);
            r2(&mut row.downtime_minutes_ci95);
            r2(&mut row.added_latency_ms_ci95);
            if let Some(n) = &mut row.nines {
                r(n);
            }
            for f in row.regions.values_mut() {
                r(&mut f.failed_share);
                r2(&mut f.failed_share_ci95);
                r(&mut f.downtime_minutes);
                r2(&mut f.downtime_minutes_ci95);
                r(&mut f.added_latency_ms);
            }
            if let Some(w) = &mut row.wall_clock {
                r(&mut w.minutes_over_10pct);
                r(&mut w.minutes_over_50pct);
                r(&mut w.longest_over_50pct_minutes);
            }
            if let Some(series) = &mut row.series {
                for values in series.failed_share.values_mut() {
                    values.iter_mut().for_each(r);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round12;

    #[test]
    fn twelve_digits_and_no_more() {
        assert_eq!(round12(1.0 - 0.9998), 0.0002);
        assert_eq!(round12(0.1 + 0.2), 0.3);
        assert_eq!(round12(0.25000000000000006), 0.25);
        assert_eq!(round12(1440.0), 1440.0);
        assert_eq!(round12(1.0 / 3.0), 0.333333333333);
        assert!(round12(f64::MAX).is_finite());
        assert_eq!(round12(f64::INFINITY), f64::INFINITY);
        let x = round12(2.0 / 7.0);
        assert_eq!(round12(x), x);
        assert_eq!(
            serde_json::to_string(&round12(1.0 - 0.9998)).unwrap(),
            "0.0002"
        );
    }

    /// The short path agrees with formatting to 12 digits and reading back.
    #[test]
    fn the_short_path_agrees_with_formatting() {
        let slow = |x: f64| format!("{x:.11e}").parse::<f64>().unwrap();
        let mut x = 0.123_456_789_f64;
        for i in 0..200_000u64 {
            // Counts over trials, and values with every digit used.
            let count = (i % 9973) as f64 / [10_000.0, 4096.0, 7.0][i as usize % 3];
            x = (x * 3.987_654_321 + 0.1).fract() * 10f64.powi((i % 40) as i32 - 20);
            for v in [count, x, -x, 1.0 - count] {
                if v != v.trunc() {
                    assert_eq!(round12(v), slow(v), "{v:e}");
                }
            }
        }
        assert_eq!(super::significant_digits("1.2345e-7"), 5);
        assert_eq!(super::significant_digits("120.0"), 2);
        assert_eq!(super::significant_digits("0.00740"), 2);
    }
}
