//! `dnsim compare A B`: two plans on the same random draws.
//!
//! Every event draws from a stream keyed by (seed, block, event id) (spec
//! §5), so an event that both plans have (same id, same probability) has the
//! same state in every trial of both: common random numbers. Each block is
//! drawn and evaluated for both plans, and per trial the difference B − A is
//! counted, per service (matched by id) and for the total impact. The paired
//! difference's variance is that of B − A, not the sum of the two variances,
//! so where the plans agree on most draws its interval is far tighter than
//! two independent runs would give; the report states both.
//!
//! Service differences are integer counts (trials where only A, or only B,
//! had the service down, and cross-region products). The total impact's
//! per-trial difference is a float, summed in trial order within a block and
//! in block order across blocks, so the result does not depend on threads.

mod timeline;

pub use self::timeline::compare_timeline;

use std::collections::{HashMap, HashSet};

use crate::engine::{self, BLOCK_WORDS, eval};
use crate::forcing::Forcing;
use crate::model::Model;
use crate::results::{Change, CompareReport, CompareSummary, ModelKind, ServiceChange, VERSION};
use crate::scenario::Scenario;
use crate::stats::Z;

/// Two plans compare only over the same regions.
fn same_regions(a: &Scenario, b: &Scenario) -> Result<(), crate::error::InputError> {
    let region_ids = |s: &Scenario| s.regions.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    if region_ids(a) != region_ids(b) {
        return Err(crate::error::InputError::new(format!(
            "the plans must have the same regions to be compared (A: {}; B: {})",
            region_ids(a).join(", "),
            region_ids(b).join(", ")
        )));
    }
    Ok(())
}

/// Integer counts per (A node, B node) pair and the impact sums of a block.
#[derive(Debug, Clone)]
struct Counts {
    trials: u64,
    /// `pair × region`: trials with only A down, only B down.
    a_only: Vec<u64>,
    b_only: Vec<u64>,
    /// `pair × region`: trials with A down, B down.
    a_down: Vec<u64>,
    b_down: Vec<u64>,
    /// `pair × region pair (r < s)`: Σ (b_r − a_r)(b_s − a_s).
    cross: Vec<i64>,
    /// Σ impact, Σ impact² for A, B, and B − A.
    sums: [f64; 6],
    better: u64,
    worse: u64,
}

impl Counts {
    fn new(pairs: usize, regions: usize) -> Counts {
        Counts {
            trials: 0,
            a_only: vec![0; pairs * regions],
            b_only: vec![0; pairs * regions],
            a_down: vec![0; pairs * regions],
            b_down: vec![0; pairs * regions],
            cross: vec![0; pairs * engine::pairs(regions)],
            sums: [0.0; 6],
            better: 0,
            worse: 0,
        }
    }

    /// Adds `o`; float sums are added in the order of the calls.
    fn add(&mut self, o: &Counts) {
        self.trials += o.trials;
        for (x, y) in [
            (&mut self.a_only, &o.a_only),
            (&mut self.b_only, &o.b_only),
            (&mut self.a_down, &o.a_down),
            (&mut self.b_down, &o.b_down),
        ] {
            for (a, b) in x.iter_mut().zip(y) {
                *a += b;
            }
        }
        for (a, b) in self.cross.iter_mut().zip(&o.cross) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            *a += b;
        }
        self.better += o.better;
        self.worse += o.worse;
    }
}

/// One plan's buffers for a block.
struct Side<'a> {
    model: &'a Model,
    keys: Vec<[u8; 32]>,
    events: Vec<[u64; BLOCK_WORDS]>,
    provider_down: Vec<u64>,
    node_down: Vec<u64>,
}

impl<'a> Side<'a> {
    fn new(model: &'a Model, seed: u64) -> Side<'a> {
        Side {
            model,
            keys: engine::stream_keys(model, seed),
            events: vec![[0; BLOCK_WORDS]; model.events.len()],
            provider_down: vec![0; model.region_count() * model.provider_count],
            node_down: vec![0; model.region_count() * model.node_count()],
        }
    }

    fn quiet(&self, w: usize, mask: u64) -> bool {
        self.events.iter().all(|e| e[w] & mask == 0)
    }

    /// Evaluates word `w`; returns each trial's impact.
    fn eval(&mut self, w: usize, mask: u64) -> [f64; 64] {
        let m = self.model;
        let (rc, nc) = (m.region_count(), m.node_count());
        engine::provider_words(m, &self.events, w, &mut self.provider_down);
        eval::eval_word(m, &self.provider_down, &mut self.node_down, mask);
        let mut sums = [0.0; 64];
        for r in 0..rc {
            eval::add_impacts(m, r, &self.node_down[r * nc..(r + 1) * nc], &mut sums);
        }
        sums
    }

    fn node(&self, r: usize, n: u32) -> u64 {
        self.node_down[r * self.model.node_count() + n as usize]
    }
}

pub struct Plans<'a> {
    pub a: &'a Scenario,
    pub b: &'a Scenario,
}

/// Runs both plans on the same draws: `trials` trials from `seed`.
pub fn compare(plans: &Plans, trials: u64, seed: u64) -> crate::error::Result<CompareReport> {
    let (a, b) = (plans.a, plans.b);
    same_regions(a, b)?;
    let ma = Model::compile(a, &Forcing::default())?;
    let mb = Model::compile(b, &Forcing::default())?;
    let rc = ma.region_count();
    let matching = Matching::new(plans, &ma, &mb);
    let pairs = &matching.pairs;
    let mut total = Counts::new(pairs.len(), rc);
    engine::ordered_blocks(
        engine::block_count(trials),
        || (Side::new(&ma, seed), Side::new(&mb, seed)),
        |(sa, sb), block| count_block(sa, sb, pairs, trials, block),
        |c| total.add(&c),
    );
    let t = trials as f64;
    let interval = |mean: f64, second: f64| -> [f64; 2] {
        let var = (second - mean * mean).max(0.0);
        let var = if trials > 1 { var * t / (t - 1.0) } else { var };
        let half = Z * (var / t).sqrt();
        [mean - half, mean + half]
    };
    let rows = pair_rows(&total, pairs.len(), &ma.region_weights, t, &interval);
    let mut services = service_changes(plans, &matching.matched, &rows);
    crate::results::sort_rows(&mut services, |x, y, r| {
        r[y].difference.abs().total_cmp(&r[x].difference.abs())
    });
    let count = |what: Change| services.iter().filter(|s| s.change == what).count();

    let s = &total.sums;
    let (ea, eb, ed) = (s[0] / t, s[2] / t, s[4] / t);
    let var = |sum: f64, sq: f64| {
        let m = sum / t;
        (sq / t - m * m).max(0.0) * if trials > 1 { t / (t - 1.0) } else { 1.0 }
    };
    let unpaired_half = Z * ((var(s[0], s[1]) + var(s[2], s[3])) / t).sqrt();
    let only = |x: &Scenario, y: &Scenario| -> Vec<String> {
        let ids: HashSet<&str> = y.services.iter().map(|s| &*s.id).collect();
        x.services
            .iter()
            .filter(|s| !ids.contains(&*s.id))
            .map(|s| s.id.to_string())
            .collect()
    };
    let mut report = CompareReport {
        dnsim: VERSION.to_string(),
        model: ModelKind::Snapshot,
        a: a.name.clone(),
        b: b.name.clone(),
        trials,
        seed,
        summary: CompareSummary {
            expected_impact_a: ea,
            expected_impact_b: eb,
            impact_difference: ed,
            impact_difference_ci95: interval(ed, s[5] / t),
            unpaired_ci95: [ed - unpaired_half, ed + unpaired_half],
            trials_b_better: total.better,
            trials_b_worse: total.worse,
            services_better: count(Change::Better),
            services_worse: count(Change::Worse),
            services_unchanged: count(Change::Unchanged),
            services_unclear: count(Change::Unclear),
        },
        services,
        only_in_a: only(a, b),
        only_in_b: only(b, a),
    };
    report.tidy();
    Ok(report)
}

/// Services in both plans, by id, and their distinct (A node, B node) pairs.
struct Matching {
    pairs: Vec<(u32, u32)>,
    /// (A's service, B's service, pair index), in A's order.
    matched: Vec<(usize, usize, usize)>,
}

impl Matching {
    fn new(plans: &Plans, ma: &Model, mb: &Model) -> Matching {
        let in_b: HashMap<&str, usize> = plans
            .b
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (&*s.id, i))
            .collect();
        let mut pair_of: HashMap<(u32, u32), usize> = HashMap::new();
        let (mut pairs, mut matched) = (Vec::new(), Vec::new());
        for (i, s) in plans.a.services.iter().enumerate() {
            if let Some(&j) = in_b.get(&*s.id) {
                let key = (ma.service_node[i], mb.service_node[j]);
                let p = *pair_of.entry(key).or_insert_with(|| {
                    pairs.push(key);
                    pairs.len() - 1
                });
                matched.push((i, j, p));
            }
        }
        Matching { pairs, matched }
    }
}

/// Draws block `block` for both plans and counts what differs.
fn count_block(
    sa: &mut Side,
    sb: &mut Side,
    pairs: &[(u32, u32)],
    trials: u64,
    block: u64,
) -> Counts {
    let rc = sa.model.region_count();
    let n = engine::trials_in_block(trials, block);
    let mut c = Counts::new(pairs.len(), rc);
    c.trials = n;
    engine::draw_block(sa.model, &sa.keys, block, &mut sa.events);
    engine::draw_block(sb.model, &sb.keys, block, &mut sb.events);
    for wi in 0..n.div_ceil(64) as usize {
        let mask = eval::low_bits((n - 64 * wi as u64).min(64) as u32);
        if sa.quiet(wi, mask) && sb.quiet(wi, mask) {
            continue;
        }
        let ia = sa.eval(wi, mask);
        let ib = sb.eval(wi, mask);
        for t in 0..64 {
            if mask >> t & 1 == 0 {
                break;
            }
            let d = ib[t] - ia[t];
            c.sums[0] += ia[t];
            c.sums[1] += ia[t] * ia[t];
            c.sums[2] += ib[t];
            c.sums[3] += ib[t] * ib[t];
            c.sums[4] += d;
            c.sums[5] += d * d;
            c.better += (d < 0.0) as u64;
            c.worse += (d > 0.0) as u64;
        }
        count_pairs(sa, sb, pairs, &mut c);
    }
    c
}

/// Per node pair and region, the trials down in one plan only, in each,
/// and the cross-region products of the differences, for the word just
/// evaluated.
fn count_pairs(sa: &Side, sb: &Side, pairs: &[(u32, u32)], c: &mut Counts) {
    let rc = sa.model.region_count();
    let np = engine::pairs(rc);
    for (p, &(na, nb)) in pairs.iter().enumerate() {
        let mut k = 0;
        for r in 0..rc {
            let (x, y) = (sa.node(r, na), sb.node(r, nb));
            let i = p * rc + r;
            c.a_only[i] += (x & !y).count_ones() as u64;
            c.b_only[i] += (y & !x).count_ones() as u64;
            c.a_down[i] += x.count_ones() as u64;
            c.b_down[i] += y.count_ones() as u64;
            for s in r + 1..rc {
                let (x2, y2) = (sa.node(s, na), sb.node(s, nb));
                let plus = (y & y2).count_ones() + (x & x2).count_ones();
                let minus = (y & x2).count_ones() + (x & y2).count_ones();
                c.cross[p * np + k] += plus as i64 - minus as i64;
                k += 1;
            }
        }
    }
}

/// Per node pair: P(A), P(B), the mean difference, its interval, and
/// whether any trial differs.
type PairRow = (f64, f64, f64, [f64; 2], bool);

fn pair_rows(
    total: &Counts,
    pairs: usize,
    w: &[f64],
    t: f64,
    interval: &dyn Fn(f64, f64) -> [f64; 2],
) -> Vec<PairRow> {
    let rc = w.len();
    let np = engine::pairs(rc);
    (0..pairs)
        .map(|p| {
            let at = |v: &Vec<u64>, r: usize| v[p * rc + r] as f64 / t;
            let pa: f64 = (0..rc).map(|r| w[r] * at(&total.a_down, r)).sum();
            let pb: f64 = (0..rc).map(|r| w[r] * at(&total.b_down, r)).sum();
            let mean: f64 = (0..rc)
                .map(|r| w[r] * (at(&total.b_only, r) - at(&total.a_only, r)))
                .sum();
            let mut second: f64 = (0..rc)
                .map(|r| w[r] * w[r] * (at(&total.a_only, r) + at(&total.b_only, r)))
                .sum();
            let mut k = 0;
            for r in 0..rc {
                for s in r + 1..rc {
                    second += 2.0 * w[r] * w[s] * total.cross[p * np + k] as f64 / t;
                    k += 1;
                }
            }
            let differs = (0..rc).any(|r| total.a_only[p * rc + r] + total.b_only[p * rc + r] > 0);
            (pa, pb, mean, interval(mean, second), differs)
        })
        .collect()
}

/// Each service in both plans with its difference and verdict.
fn service_changes(
    plans: &Plans,
    matched: &[(usize, usize, usize)],
    rows: &[PairRow],
) -> Vec<ServiceChange> {
    let (a, b) = (plans.a, plans.b);
    matched
        .iter()
        .map(|&(i, j, p)| {
            let (pa, pb, mean, ci, differs) = rows[p];
            let change = Change::of(differs, ci);
            ServiceChange {
                id: a.services[i].id.to_string(),
                weight_a: a.services[i].weight,
                weight_b: b.services[j].weight,
                p_unreachable_a: pa,
                p_unreachable_b: pb,
                difference: mean,
                difference_ci95: ci,
                change,
            }
        })
        .collect()
}
