//! What dnsim reports: the plain-data results of every command that
//! simulates or analyses, and the version they carry.
//!
//! Every report type lives here and nowhere else: `snapshot` (spec §6),
//! `timeline` (spec §7), `analysis` and `compare` (spec §8), `check`. The
//! structs derive `Serialize` and *are* the JSON schema; the writers in
//! `report` read them and nothing else. This module computes nothing: the
//! engines fill these structs from their counts.

mod analysis;
mod check;
mod compare;
mod probe;
mod snapshot;
mod sweep;
mod tidy;
mod timeline;

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

pub use self::analysis::*;
pub use self::check::*;
pub use self::compare::*;
pub use self::probe::{Probe, Probed};
pub use self::snapshot::*;
pub use self::sweep::*;
pub use self::tidy::{AnalysisRowFigures, round12, rounded as rounded_importance};
pub use self::timeline::*;
pub use crate::scenario::ModelKind;

use crate::error::InputError;

/// The results of a run, of either model.
#[derive(Debug, Clone)]
pub enum Report {
    Snapshot(SnapshotReport),
    Timeline(TimelineReport),
}

impl Report {
    /// Keeps the service rows whose id `keep` accepts (`--only`); the
    /// summary stays as it was.
    pub fn retain_services(&mut self, keep: impl Fn(&str) -> bool) {
        match self {
            Report::Snapshot(r) => r.services.retain(|s| keep(&s.id)),
            Report::Timeline(r) => r.services.retain(|s| keep(&s.id)),
        }
    }

    /// The model that made it.
    pub fn model(&self) -> ModelKind {
        match self {
            Report::Snapshot(_) => ModelKind::Snapshot,
            Report::Timeline(_) => ModelKind::Timeline,
        }
    }

    /// A saved JSON result (`run --format json`, or `merge`), of either
    /// model; `path` names the file in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Report, InputError> {
        Report::from_probed(text, path, &Probe::read(text, path)?, None)
    }

    /// [`Report::from_json`] of a file probed already, and maybe parsed as
    /// a snapshot's result already ([`Probed`]): the parse is taken when
    /// the probe says the file is one, and is the same parse of the same
    /// text, errors included.
    pub(super) fn from_probed(
        text: &str,
        path: &Path,
        probe: &Probe,
        snapshot: Option<Result<SnapshotReport, serde_json::Error>>,
    ) -> Result<Report, InputError> {
        let bad = |e: serde_json::Error| {
            InputError::new(format!("not a dnsim JSON result: {e}"))
                .in_file(path)
                .at(e.line(), e.column())
        };
        let model = (probe.model.as_ref()).and_then(|m| ModelKind::deserialize(m).ok());
        let report = match model {
            Some(ModelKind::Snapshot) => {
                let parsed = snapshot.unwrap_or_else(|| serde_json::from_str(text));
                Report::Snapshot(parsed.map_err(bad)?)
            }
            Some(ModelKind::Timeline) => {
                let mut r: TimelineReport = serde_json::from_str(text).map_err(bad)?;
                r.start_unix = r.start.as_deref().and_then(unix_seconds);
                Report::Timeline(r)
            }
            None => {
                return Err(InputError::new(
                    "not a dnsim JSON result: no \"model\" of snapshot or timeline",
                )
                .in_file(path));
            }
        };
        report.check().map_err(|why| {
            InputError::new(format!("not a result this dnsim wrote: {why}")).in_file(path)
        })?;
        let mut report = report;
        if let Report::Snapshot(r) = &mut report {
            r.regions_in_order();
        }
        Ok(report)
    }

    /// Checks what a result read from a file claims: the version, and every
    /// probability and share a number in [0, 1].
    fn check(&self) -> Result<(), String> {
        let (version, values): (&str, Vec<(&str, f64)>) = match self {
            Report::Snapshot(r) => (&r.dnsim, r.probabilities()),
            Report::Timeline(r) => (&r.dnsim, r.shares()),
        };
        if version != VERSION {
            return Err(format!(
                "written by dnsim {version}, and this is dnsim {VERSION}: report it with the version that ran it"
            ));
        }
        if let Some((what, x)) = values.into_iter().find(|(_, x)| !(0.0..=1.0).contains(x)) {
            return Err(format!("{what} is {x:?}, not a probability in [0, 1]"));
        }
        let regions: Vec<&str> = match self {
            Report::Snapshot(r) => r.regions.iter().map(|x| x.id.as_str()).collect(),
            Report::Timeline(r) => r.regions.iter().map(|x| x.id.as_str()).collect(),
        };
        match self {
            Report::Snapshot(r) => {
                for s in &r.services {
                    let names: Vec<&str> = s.regions.names().iter().map(String::as_str).collect();
                    same_regions(&s.id, &names, &regions)?;
                }
                r.check_shape()
            }
            Report::Timeline(r) => r.check_shape(&regions),
        }
    }
}

/// That a service's figures are for the report's regions, in any order
/// (the keys of a JSON object have none).
fn same_regions(service: &str, names: &[&str], regions: &[&str]) -> Result<(), String> {
    let (mut a, mut b) = (names.to_vec(), regions.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    if a == b {
        return Ok(());
    }
    Err(format!(
        "service {} has figures for the regions {names:?}, and the report's regions are {regions:?}",
        crate::scenario::shown(service)
    ))
}

/// `simulation.start` as written back into a report (RFC 3339, UTC).
fn unix_seconds(start: &str) -> Option<i64> {
    let t = humantime::parse_rfc3339_weak(start.trim_end_matches('Z')).ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(d.as_secs() as i64)
}

/// The version every output states (`"dnsim": "…"`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegionRow {
    pub id: String,
    pub weight: f64,
}

/// Per-region values, serialised as a map in region order. Services that
/// share a node share one allocation of names and values (a row holds one
/// pointer: plans run to millions of rows).
#[derive(Debug, Clone)]
pub struct RegionValues(Arc<Regional>);

#[derive(Debug)]
struct Regional {
    names: Arc<Vec<String>>,
    values: Box<[f64]>,
}

impl RegionValues {
    pub fn new(names: Arc<Vec<String>>, values: impl Into<Box<[f64]>>) -> RegionValues {
        RegionValues(Arc::new(Regional {
            names,
            values: values.into(),
        }))
    }

    /// The regions' ids, in the order of [`RegionValues::values`].
    pub fn names(&self) -> &Arc<Vec<String>> {
        &self.0.names
    }

    pub fn values(&self) -> &[f64] {
        &self.0.values
    }

    /// The same names with each value mapped.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> RegionValues {
        let values: Box<[f64]> = self.values().iter().map(|&x| f(x)).collect();
        RegionValues::new(self.names().clone(), values)
    }
}

impl<'de> Deserialize<'de> for RegionValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RegionValues, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RegionValues;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from region to value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RegionValues, A::Error> {
                let (mut names, mut values) = (Vec::new(), Vec::new());
                while let Some((k, v)) = map.next_entry::<String, f64>()? {
                    names.push(k);
                    values.push(v);
                }
                // Rows name the same regions: one list for all of them.
                thread_local! {
                    static LAST: std::cell::RefCell<Arc<Vec<String>>> = Default::default();
                }
                let names = LAST.with_borrow_mut(|last| {
                    if **last != names {
                        *last = Arc::new(names);
                    }
                    last.clone()
                });
                Ok(RegionValues::new(names, values))
            }
        }
        d.deserialize_map(Visitor)
    }
}

impl Serialize for RegionValues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.values().len()))?;
        for (k, v) in self.names().iter().zip(self.values()) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Whether `id` matches `pattern`, where `*` stands for any run of
/// characters (dots included) and the rest must match exactly.
pub fn wildcard(pattern: &str, id: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == id;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !id.starts_with(first) || id.len() < first.len() + last.len() || !id.ends_with(last) {
        return false;
    }
    let mut rest = &id[first.len()..id.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Sorts rows by a figure, largest first, as a person reads them: figures
/// that agree to four significant digits are ties (Monte Carlo noise would
/// otherwise order services of the same risk), listed by id.
pub fn rank_rows<T: Sync>(
    rows: &mut [T],
    figure: impl Fn(&T) -> f64 + Sync,
    id: impl Fn(&T) -> &str + Sync,
) {
    let order = rank_order(rows.len(), |i| figure(&rows[i]), |i| id(&rows[i]));
    permute(rows, order);
}

/// The order [`rank_rows`] puts `n` rows in, as their positions: row `i`
/// has figure `figure(i)` and id `id(i)`.
pub fn rank_order<'a>(
    n: usize,
    figure: impl Fn(usize) -> f64 + Sync,
    id: impl Fn(usize) -> &'a str + Sync,
) -> Vec<u32> {
    let shown = |x: f64| {
        if x == 0.0 || !x.is_finite() {
            return x;
        }
        let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
        (x * scale).round() / scale
    };
    // Each row's figure as shown, once.
    let keys: Vec<f64> = (0..n).into_par_iter().map(|i| shown(figure(i))).collect();
    if (1..n).all(|i| id(i - 1) <= id(i)) {
        // Ids already in order (generated and most imported plans): ties
        // by id are ties by position, so the order is that of the shown
        // figure, descending, and the position. The figures become sort
        // keys in place, and positions are sorted by them: 12 bytes a row
        // at the peak, where pairs of key and position took 24.
        let keys: Vec<u64> = keys.into_iter().map(descending).collect();
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.par_sort_unstable_by_key(|&i| (keys[i as usize], i));
        return order;
    }
    order_by(n, |a, b| {
        keys[b].total_cmp(&keys[a]).then_with(|| id(a).cmp(id(b)))
    })
}

/// An integer that sorts as `x` does under `f64::total_cmp`, reversed.
fn descending(x: f64) -> u64 {
    let bits = x.to_bits();
    // Negative numbers: all bits flipped; the others: the sign bit set.
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    };
    !ascending
}

/// Rows are made this many at a time while they are written.
const WRITTEN_ROWS: usize = 16_384;

/// Rows made when they are read, a chunk at a time: a run's services
/// (`engine::summary::Rows`) or an analysis's (`analysis::ServiceRows`),
/// so that a report of millions of services never holds all its rows.
pub trait MadeRows: Sync {
    type Row: Serialize + Send + Sync;

    /// The services in the rows' order.
    fn order(&self) -> &[u32];

    /// The rows of `services`, in order (made on every core).
    fn make(&self, services: &[u32]) -> Vec<Self::Row>;
}

/// Writes `rows` as one sequence, made [`WRITTEN_ROWS`] at a time.
/// `report::write_json_rows` writes JSON faster, on every core; this is
/// what any other serializer meets.
pub fn serialize_rows<S: Serializer>(rows: &impl MadeRows, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let order = rows.order();
    let mut seq = s.serialize_seq(Some(order.len()))?;
    for chunk in order.chunks(WRITTEN_ROWS) {
        for row in &rows.make(chunk) {
            seq.serialize_element(row)?;
        }
    }
    seq.end()
}

/// Sorts `rows` in place as a stable sort by `cmp` (given two positions
/// and the rows) would: the order is found on positions, ties by
/// position, and then each row moves once. A stable sort of the rows
/// themselves would take a scratch copy of half of them (64 MB for a
/// million analysis rows); this takes 8 bytes a row.
pub fn sort_rows<T: Sync>(
    rows: &mut [T],
    cmp: impl Fn(usize, usize, &[T]) -> std::cmp::Ordering + Sync,
) {
    let order = order_by(rows.len(), |a, b| cmp(a, b, rows));
    permute(rows, order);
}

/// Positions `0..n` sorted by `cmp`, ties by position: the order a stable
/// sort would give, found on both cores (the order is total, so it is the
/// same on any number of threads).
pub fn order_by(n: usize, cmp: impl Fn(usize, usize) -> std::cmp::Ordering + Sync) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        cmp(a, b).then(a.cmp(&b))
    });
    order
}

/// Moves the row at `order[i]` to position `i`, each row once.
fn permute<T>(rows: &mut [T], order: Vec<u32>) {
    // The row at position `i` goes to `dest[i]`: swap each into place.
    let mut dest = vec![0u32; rows.len()];
    for (to, &from) in order.iter().enumerate() {
        dest[from as usize] = to as u32;
    }
    drop(order);
    for i in 0..rows.len() {
        while dest[i] as usize != i {
            let d = dest[i] as usize;
            rows.swap(i, d);
            dest.swap(i, d);
        }
    }
}

#[cfg(test)]
mod tests {
    /// Rows sorted in place come out as a stable sort of them would.
    #[test]
    fn rows_sorted_in_place_as_a_stable_sort_would() {
        let rows: Vec<(u32, usize)> = (0..2000).map(|i| ((i * 7919 % 13) as u32, i)).collect();
        let mut stable = rows.clone();
        stable.sort_by_key(|r| std::cmp::Reverse(r.0));
        let mut in_place = rows;
        super::sort_rows(&mut in_place, |a, b, r| r[b].0.cmp(&r[a].0));
        assert_eq!(in_place, stable);
    }

    /// Ranked by figure then id, whether the ids come in order (the
    /// integer path) or not (the comparison path).
    #[test]
    fn rows_rank_by_figure_shown_then_id_on_either_path() {
        let figures = [
            0.0,
            -1.5,
            2.0,
            f64::NAN,
            0.12344,
            0.12341,
            1e-9,
            -0.0,
            2.0,
            7.0,
        ];
        let rows: Vec<(f64, String)> = figures
            .iter()
            .enumerate()
            .map(|(i, &x)| (x, format!("s{i:02}")))
            .collect();
        let expect = |rows: &[(f64, String)]| {
            let mut v: Vec<(f64, String)> = rows.to_vec();
            let shown = |x: f64| {
                if x == 0.0 || !x.is_finite() {
                    return x;
                }
                let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
                (x * scale).round() / scale
            };
            v.sort_by(|a, b| {
                shown(b.0)
                    .total_cmp(&shown(a.0))
                    .then_with(|| a.1.cmp(&b.1))
            });
            v.into_iter().map(|r| r.1).collect::<Vec<_>>()
        };
        for reversed in [false, true] {
            let mut rows = rows.clone();
            if reversed {
                rows.reverse();
            }
            let want = expect(&rows);
            super::rank_rows(&mut rows, |r| r.0, |r| &r.1);
            let got: Vec<String> = rows.into_iter().map(|r| r.1).collect();
            assert_eq!(got, want, "ids reversed: {reversed}");
        }
        let mut xs = [
            3.0,
            -0.0,
            0.0,
            -2.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e-300,
        ];
        let mut by_int = xs;
        xs.sort_by(|a, b| b.total_cmp(a));
        by_int.sort_by_key(|&x| super::descending(x));
        assert_eq!(xs.map(f64::to_bits), by_int.map(f64::to_bits));
    }

    #[test]
    fn wildcards_match_any_run_of_characters() {
        use super::wildcard;
        assert!(wildcard("twitter.com", "twitter.com"));
        assert!(wildcard("*.example.com", "www.shop.example.com"));
        assert!(wildcard("top-site-*", "top-site-0001"));
        assert!(wildcard("*site*", "top-site-1"));
        assert!(!wildcard("*.example.com", "example.com"));
        assert!(wildcard("a*b*a", "aba"));
        assert!(!wildcard("a*b*a", "ab"));
    }

    #[test]
    fn rows_that_print_alike_are_listed_by_id() {
        let mut rows = vec![("b", 0.12341), ("a", 0.12339), ("c", 0.5), ("d", 0.0)];
        super::rank_rows(&mut rows, |r| r.1, |r| r.0);
        let ids: Vec<&str> = rows.iter().map(|r| r.0).collect();
        assert_eq!(ids, ["c", "a", "b", "d"]);
    }
}
