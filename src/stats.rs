//! Intervals and quantiles from integer counts.

use std::collections::BTreeMap;

/// z for a two-sided 95% interval.
pub const Z: f64 = 1.959963984540054;

/// Wilson score interval for `k` successes in `n` trials.
pub fn wilson(k: u64, n: u64) -> [f64; 2] {
    if n == 0 {
        return [0.0, 1.0];
    }
    let (all, none) = (k == n, k == 0);
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z * libm::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom;
    let lo = if none { 0.0 } else { (centre - half).max(0.0) };
    let hi = if all { 1.0 } else { (centre + half).min(1.0) };
    [lo, hi]
}

/// Normal interval for a mean of `n` draws with the given first and second
/// moments, clamped to [0, 1].
pub fn normal(mean: f64, second_moment: f64, n: u64) -> [f64; 2] {
    let n_f = n as f64;
    let var = (second_moment - mean * mean).max(0.0);
    let sample_var = if n > 1 { var * n_f / (n_f - 1.0) } else { var };
    let half = Z * libm::sqrt(sample_var / n_f);
    [(mean - half).max(0.0), (mean + half).min(1.0)]
}

/// The lower q-quantile (smallest x with P(X ≤ x) ≥ q, q = permille / 1000)
/// of a distribution given as `zeros` trials at 0 plus a histogram of
/// positive values keyed by their f64 bits.
pub fn lower_quantile(zeros: u64, hist: &BTreeMap<u64, u64>, total: u64, permille: u64) -> f64 {
    let need = permille as u128 * total as u128;
    let mut cum = zeros as u128;
    if cum * 1000 >= need {
        return 0.0;
    }
    for (&bits, &count) in hist {
        cum += count as u128;
        if cum * 1000 >= need {
            return f64::from_bits(bits);
        }
    }
    hist.keys().next_back().map_or(0.0, |&b| f64::from_bits(b))
}

/// Adds `b` into `a` element by element with `add` (a `checked_add`);
/// false, with `a` partly added, when a sum overflows. For counts read
/// from files, which may claim anything.
pub fn add_checked<T: Copy>(a: &mut [T], b: &[T], add: fn(T, T) -> Option<T>) -> bool {
    for (x, &y) in a.iter_mut().zip(b) {
        match add(*x, y) {
            Some(v) => *x = v,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_textbook_value() {
        // 10 of 100: Wilson 95% is about [0.0552, 0.1744].
        let [lo, hi] = wilson(10, 100);
        assert!(
            (lo - 0.0552).abs() < 1e-4 && (hi - 0.1744).abs() < 1e-4,
            "{lo} {hi}"
        );
        let [lo, hi] = wilson(0, 1000);
        assert_eq!(lo, 0.0);
        assert!((hi - 0.00383).abs() < 1e-4);
    }

    #[test]
    fn lower_quantiles() {
        let mut h = BTreeMap::new();
        h.insert(1.0f64.to_bits(), 5);
        h.insert(3.5f64.to_bits(), 1);
        // 94 zeros, 5 ones, 1 at 3.5.
        assert_eq!(lower_quantile(94, &h, 100, 500), 0.0);
        assert_eq!(lower_quantile(94, &h, 100, 940), 0.0);
        assert_eq!(lower_quantile(94, &h, 100, 950), 1.0);
        assert_eq!(lower_quantile(94, &h, 100, 990), 1.0);
        assert_eq!(lower_quantile(94, &h, 100, 999), 3.5);
    }

    #[test]
    fn checked_adds_refuse_to_wrap() {
        let mut a = vec![1u64, u64::MAX - 1];
        assert!(add_checked(&mut a, &[2, 1], u64::checked_add));
        assert_eq!(a, [3, u64::MAX]);
        assert!(!add_checked(&mut a, &[0, 1], u64::checked_add));
    }
}
