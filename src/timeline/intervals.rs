//! Half-open time intervals `[start, end)` in seconds, as sorted,
//! non-overlapping lists.

pub type Interval = (f64, f64);

/// Sorts and merges overlapping or touching intervals.
pub fn normalise(list: &mut Vec<Interval>) {
    list.retain(|(a, b)| b > a);
    list.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut out: Vec<Interval> = Vec::with_capacity(list.len());
    for &(a, b) in list.iter() {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    *list = out;
}

/// Intersection of two normalised lists.
pub fn intersect(x: &[Interval], y: &[Interval]) -> Vec<Interval> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < x.len() && j < y.len() {
        let a = x[i].0.max(y[j].0);
        let b = x[i].1.min(y[j].1);
        if a < b {
            out.push((a, b));
        }
        if x[i].1 < y[j].1 { i += 1 } else { j += 1 }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_and_intersect() {
        let mut v = vec![(5.0, 7.0), (1.0, 3.0), (2.0, 4.0), (7.0, 8.0), (9.0, 9.0)];
        normalise(&mut v);
        assert_eq!(v, vec![(1.0, 4.0), (5.0, 8.0)]);
        assert_eq!(intersect(&v, &[(3.0, 6.0)]), vec![(3.0, 4.0), (5.0, 6.0)]);
    }
}
