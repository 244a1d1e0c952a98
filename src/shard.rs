//! Splitting a run over machines, and putting it back together.
//!
//! `--shard K/N` runs only the blocks of trials whose index is K − 1 modulo N
//! (in the timeline model a block is one trial), so the split depends on
//! nothing but K and N. The shard writes a [`Partial`]: its integer counts
//! and everything that identifies the run. `dnsim merge` checks that the
//! parts belong together, adds their counts, and writes the same bytes a
//! single machine would have.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::Tally;
use crate::error::InputError;
use crate::results::{ModelKind, VERSION};
use crate::timeline::TimelineCounts;

/// Shard K of N, K from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether block `b` (0-based) is this shard's.
    pub fn owns(&self, block: u64) -> bool {
        block % self.count == self.index - 1
    }

    fn new(index: u64, count: u64, from: &str) -> Result<Shard, InputError> {
        Shard::checked(index, count, from, "--shard")
    }

    fn checked(index: u64, count: u64, from: &str, flag: &str) -> Result<Shard, InputError> {
        if count == 0 || index == 0 || index > count {
            let what = flag.trim_start_matches('-');
            return Err(InputError::flag(
                flag,
                format!("{from}: {what} {index} of {count} does not exist (K runs from 1 to N)"),
            ));
        }
        Ok(Shard { index, count })
    }

    /// `K/N` for `flag`.
    fn parse_k_of_n(text: &str, flag: &str, example: &str) -> Result<Shard, InputError> {
        let bad = || {
            InputError::flag(
                flag,
                format!("expected K/N (e.g. 2/8){example}, got \"{text}\""),
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (k, n) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        Shard::checked(k, n, text, flag)
    }

    /// `--part K/N`: part K of N of the plan's services.
    pub fn parse_part(text: &str) -> Result<Shard, InputError> {
        Shard::parse_k_of_n(text, "--part", "")
    }

    /// `K/N`, or `auto` to read the scheduler's environment (see
    /// [`Shard::from_env`]).
    pub fn parse(
        text: &str,
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, InputError> {
        if text == "auto" {
            return Shard::from_env(shards, env);
        }
        Shard::parse_k_of_n(text, "--shard", " or auto")
    }

    /// The shard from a scheduler's environment:
    ///
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based); the count
    ///   from `--shards`;
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID`, less
    ///   `SLURM_ARRAY_TASK_MIN` (default 0); the count from
    ///   `SLURM_ARRAY_TASK_COUNT`, or `--shards`;
    /// - GNU parallel: `PARALLEL_SEQ` (1-based); the count from `--shards`.
    pub fn from_env(
        shards: Option<u64>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, InputError> {
        let num = |name: &str| -> Result<Option<u64>, InputError> {
            match env(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                    InputError::flag("--shard", format!("{name}={v:?} is not a whole number"))
                }),
            }
        };
        let count = |from: &str, fallback: Option<u64>| {
            shards.or(fallback).ok_or_else(|| {
                InputError::flag(
                    "--shard",
                    format!(
                        "--shard auto found {from}, which gives no shard count: add --shards N"
                    ),
                )
            })
        };
        if let Some(i) = num("JOB_COMPLETION_INDEX")? {
            let n = count("JOB_COMPLETION_INDEX", None)?;
            return Shard::new(i + 1, n, "JOB_COMPLETION_INDEX");
        }
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let n = count("SLURM_ARRAY_TASK_ID", num("SLURM_ARRAY_TASK_COUNT")?)?;
            let k = id.checked_sub(min).ok_or_else(|| {
                InputError::flag(
                    "--shard",
                    "SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN",
                )
            })?;
            return Shard::new(k + 1, n, "SLURM_ARRAY_TASK_ID");
        }
        if let Some(seq) = num("PARALLEL_SEQ")? {
            let n = count("PARALLEL_SEQ", None)?;
            return Shard::new(seq, n, "PARALLEL_SEQ");
        }
        Err(InputError::flag(
            "--shard",
            "--shard auto found no scheduler in the environment (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID or PARALLEL_SEQ)",
        ))
    }
}

/// The counts a shard produced, in either model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Counts {
    Snapshot(Tally),
    Timeline(TimelineCounts),
}

/// What identifies a run: parts of one run, and a checkpoint and the run
/// that resumes it, agree on all of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunId {
    pub dnsim: String,
    pub model: ModelKind,
    /// The scenario as given on the command line; merge loads it from here
    /// (or from `--scenario`) and checks its hash.
    pub scenario_path: PathBuf,
    pub scenario_hash: String,
    pub seed: u64,
    pub trials: u64,
    pub fail: Vec<String>,
    pub fail_only: bool,
    pub series_step: Option<u64>,
    /// `--set` and `--event` flags, as typed: merge applies them to the
    /// scenario it loads, as the run did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event: Vec<String>,
}

impl RunId {
    /// The first way in which this run differs from `other`.
    pub fn difference(&self, other: &RunId) -> Option<String> {
        Some(if self.dnsim != other.dnsim {
            format!("dnsim version {} vs {}", self.dnsim, other.dnsim)
        } else if self.model != other.model {
            format!("model {} vs {}", self.model.as_str(), other.model.as_str())
        } else if (&self.set, &self.event) != (&other.set, &other.event) {
            "different --set or --event flags".to_string()
        } else if self.scenario_hash != other.scenario_hash {
            "a different scenario (content hash)".to_string()
        } else if self.seed != other.seed {
            format!("seed {} vs {}", self.seed, other.seed)
        } else if self.trials != other.trials {
            format!("trials {} vs {}", self.trials, other.trials)
        } else if (&self.fail, self.fail_only, self.series_step)
            != (&other.fail, other.fail_only, other.series_step)
        {
            "different --fail, --fail-only or --series options".to_string()
        } else {
            return None;
        })
    }
}

impl Counts {
    /// Adds another run's counts of the same plan; false when their shapes
    /// (or models) differ, or a sum would overflow (counts read from a file
    /// are not trusted).
    pub fn add(&mut self, other: &Counts) -> bool {
        match (self, other) {
            (Counts::Snapshot(a), Counts::Snapshot(b)) if a.fits(b) => a.checked_merge(b),
            (Counts::Timeline(a), Counts::Timeline(b)) => a.add(b),
            _ => false,
        }
    }

    /// Checks counts read from a file against the `trials` that their part
    /// of the run holds.
    pub fn check(&self, trials: u64) -> Result<(), String> {
        match self {
            Counts::Snapshot(t) => t.check(trials),
            Counts::Timeline(t) => t.check(trials),
        }
    }
}

/// A shard's partial result: what `dnsim merge` needs, and what proves that
/// parts belong to the same run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub dnsim_partial: u32,
    #[serde(flatten)]
    pub run: RunId,
    pub shard: Shard,
    /// A part's run (`--part K/N`): which part, and its services' nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<PartSlice>,
    pub counts: Counts,
}

/// What a part's file (`run --part`) adds to a shard's: which part, and
/// the node of each service of its slice in the part's model (the service's
/// counts are its node's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartSlice {
    pub part: Shard,
    pub service_node: Vec<u32>,
}

pub const PARTIAL_FORMAT: u32 = 1;

impl Partial {
    /// Reads a part file; a truncated or foreign file is an input error.
    pub fn read(path: &Path) -> Result<Partial, InputError> {
        let text = crate::scenario::read_input(path, "part")?;
        let part: Partial = serde_json::from_str(&text).map_err(|e| {
            let what = if e.is_eof() {
                "truncated part file"
            } else {
                "not a dnsim part file"
            };
            InputError::new(format!("{what}: {e}"))
                .in_file(path)
                .at(e.line(), e.column())
        })?;
        if part.dnsim_partial != PARTIAL_FORMAT {
            return Err(InputError::new(format!(
                "part format {} is not the {PARTIAL_FORMAT} this dnsim reads",
                part.dnsim_partial
            ))
            .in_file(path));
        }
        // K of N from a file: checked as the flags are.
        let k_of_n = |s: Shard, what: &str| {
            if s.count == 0 || s.index == 0 || s.index > s.count {
                let (k, n) = (s.index, s.count);
                return Err(InputError::new(format!(
                    "its {what} {k}/{n} does not exist (K runs from 1 to N)"
                ))
                .in_file(path));
            }
            Ok(())
        };
        k_of_n(part.shard, "shard")?;
        if let Some(slice) = &part.part {
            k_of_n(slice.part, "part")?;
        }
        Ok(part)
    }
}

/// The first way in which part `p` is not of the same run as `first`.
fn difference(p: &Partial, first: &Partial) -> Option<String> {
    let parts = |x: &Partial| x.part.as_ref().map(|s| s.part.count);
    p.run.difference(&first.run).or_else(|| {
        if p.shard.count != first.shard.count {
            Some(format!(
                "shard count {} vs {}",
                p.shard.count, first.shard.count
            ))
        } else if parts(p) != parts(first) {
            let say = |n: Option<u64>| n.map_or("no --part".to_string(), |n| format!("{n} parts"));
            Some(format!("{} vs {}", say(parts(p)), say(parts(first))))
        } else {
            None
        }
    })
}

impl Partial {
    /// Which part of the plan (1 of 1 without `--part`).
    pub fn part_of(&self) -> Shard {
        self.part
            .as_ref()
            .map_or(Shard { index: 1, count: 1 }, |s| s.part)
    }

    /// "shard 2/4", or "part 1/3, shard 2/4".
    fn label(&self) -> String {
        let shard = format!("shard {}/{}", self.shard.index, self.shard.count);
        match &self.part {
            Some(s) => format!("part {}/{}, {shard}", s.part.index, s.part.count),
            None => shard,
        }
    }
}

/// Checks that `parts` are the shards of one run, each once (and with
/// `--part`, every shard of every part). Returns them grouped by part, in
/// part and shard order.
pub fn check_parts(
    mut parts: Vec<(PathBuf, Partial)>,
) -> Result<Vec<Vec<(PathBuf, Partial)>>, InputError> {
    let Some((first_path, first)) = parts.first().cloned() else {
        return Err(InputError::new("merge needs at least one part file"));
    };
    if first.run.dnsim != VERSION {
        return Err(InputError::new(format!("written by dnsim {}, and this is dnsim {VERSION}: merge with the version that ran the shards", first.run.dnsim)).in_file(&first_path));
    }
    for (path, p) in &parts[1..] {
        if let Some(what) = difference(p, &first) {
            return Err(InputError::new(format!(
                "does not belong with {}: {what}",
                first_path.display()
            ))
            .in_file(path));
        }
    }
    let key = |p: &Partial| (p.part_of().index, p.shard.index);
    parts.sort_by_key(|(_, p)| key(p));
    for w in parts.windows(2) {
        if key(&w[0].1) == key(&w[1].1) {
            return Err(InputError::new(format!(
                "{} appears twice (also in {})",
                w[1].1.label(),
                w[0].0.display()
            ))
            .in_file(&w[1].0));
        }
    }
    let (n, m) = (first.part_of().count, first.shard.count);
    let missing: Vec<String> = (1..=n)
        .flat_map(|k| (1..=m).map(move |j| (k, j)))
        .filter(|&(k, j)| !parts.iter().any(|(_, p)| key(p) == (k, j)))
        .map(|(k, j)| {
            if first.part.is_some() {
                format!("part {k}/{n} shard {j}/{m}")
            } else {
                format!("{j}/{m}")
            }
        })
        .collect();
    if !missing.is_empty() {
        return Err(InputError::new(if first.part.is_some() {
            format!("missing: {}", missing.join(", "))
        } else {
            format!(
                "missing shard{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            )
        }));
    }
    let mut groups: Vec<Vec<(PathBuf, Partial)>> = Vec::new();
    for (path, p) in parts {
        match groups.last_mut() {
            Some(g) if g[0].1.part_of() == p.part_of() => g.push((path, p)),
            _ => groups.push(vec![(path, p)]),
        }
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn shards_from_flags_and_schedulers() {
        let none = env(&[]);
        assert_eq!(
            Shard::parse("2/8", None, &none).unwrap(),
            Shard { index: 2, count: 8 }
        );
        assert!(Shard::parse("0/8", None, &none).is_err());
        assert!(Shard::parse("9/8", None, &none).is_err());
        assert!(Shard::parse("two", None, &none).is_err());
        assert!(Shard::parse("auto", Some(4), &none).is_err());
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(
            Shard::parse("auto", Some(4), &k8s).unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!(
            Shard::parse("auto", None, &k8s).is_err(),
            "Kubernetes needs --shards"
        );
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ]);
        assert_eq!(
            Shard::parse("auto", None, &slurm).unwrap(),
            Shard { index: 3, count: 3 }
        );
        let parallel = env(&[("PARALLEL_SEQ", "4")]);
        assert_eq!(
            Shard::parse("auto", Some(4), &parallel).unwrap(),
            Shard { index: 4, count: 4 }
        );
        assert!(Shard::parse("auto", Some(3), &parallel).is_err());
    }

    #[test]
    fn blocks_are_dealt_round_robin() {
        let owners: Vec<u64> = (0..7)
            .map(|b| {
                (1..=3)
                    .find(|&k| Shard { index: k, count: 3 }.owns(b))
                    .unwrap()
            })
            .collect();
        assert_eq!(owners, vec![1, 2, 3, 1, 2, 3, 1]);
    }
}
