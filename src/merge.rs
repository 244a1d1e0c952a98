//! `dnsim merge`: part files (of `run --shard`, `run --part`, or both) back
//! into the report a single run would have written.

use std::path::{Path, PathBuf};

use crate::error::InputError;
use crate::part::PartCounts;
use crate::results::Report;
use crate::run::{Prepared, job_of};
use crate::shard::{Counts, Partial, check_parts};
use crate::timeline::TimelineCounts;

/// `dnsim merge`: reads part files, checks that they are the shards of one
/// run and that the scenario (at the path they recorded, or `scenario`) is
/// the one they ran, adds their counts and returns the report a single run
/// would have written.
pub fn merge(parts: &[PathBuf], scenario: Option<&Path>) -> Result<Report, InputError> {
    let parts = parts
        .iter()
        .map(|p| Partial::read(p).map(|part| (p.clone(), part)))
        .collect::<Result<Vec<_>, _>>()?;
    let groups = check_parts(parts)?;
    let (first_path, first) = &groups[0][0];
    let scenario_path = scenario.unwrap_or(&first.run.scenario_path);
    let scenario = crate::scenario::load_with(scenario_path, &first.run.set, &first.run.event)?;
    if scenario.content_hash != first.run.scenario_hash {
        return Err(InputError::new(format!(
            "this scenario is not the one the shards ran (its content hash differs from {}'s)",
            first_path.display()
        ))
        .in_file(scenario_path));
    }
    let prepared = Prepared::new(&scenario, job_of(&first.run)?)?;
    let mut parts = Vec::new();
    let mut timeline: Option<TimelineCounts> = None;
    for group in &groups {
        // A whole plan's shards add up to the plan's counts; a part's to
        // its own model's, whose shape the first of them gives.
        let whole = group[0].1.part.is_none();
        let mut total: Option<Counts> = whole.then(|| prepared.empty());
        for (path, p) in group {
            let trials = prepared.trials_owned(Some(p.shard));
            p.counts.check(trials).map_err(|why| {
                InputError::new(format!("its counts cannot be a shard's of this run: {why}"))
                    .in_file(path)
            })?;
            match &mut total {
                Some(t) => {
                    if !t.add(&p.counts) {
                        return Err(
                            InputError::new("its counts do not fit the other parts'").in_file(path)
                        );
                    }
                }
                None => total = Some(p.counts.clone()),
            }
        }
        let total = total.expect("a group holds a part file");
        let (path, first) = &group[0];
        match (&first.part, total) {
            (None, total) => return prepared.report(&total),
            (Some(slice), Counts::Snapshot(tally)) => parts.push(PartCounts {
                path: path.clone(),
                slice: slice.clone(),
                tally,
            }),
            (Some(slice), Counts::Timeline(counts)) => {
                // Each part's rows in place, from the whole run's empty counts.
                let whole = timeline.get_or_insert_with(|| match prepared.empty() {
                    Counts::Timeline(mut c) => {
                        c.trials = prepared.trials();
                        c
                    }
                    Counts::Snapshot(_) => unreachable!("a timeline job's counts"),
                });
                let n = scenario.services.len();
                let range = crate::part::slice(slice.part, n);
                let regions = scenario.regions.len();
                if !whole.place(range.start, range.len(), &counts, regions) {
                    return Err(InputError::new(format!(
                        "its counts cannot be part {}/{}'s of this timeline run",
                        slice.part.index, slice.part.count
                    ))
                    .in_file(path));
                }
            }
        }
    }
    if let Some(counts) = timeline {
        return prepared.report(&Counts::Timeline(counts));
    }
    let model = prepared
        .snapshot_model()
        .ok_or_else(|| InputError::new("parts are of snapshot runs only"))?;
    let tally = crate::part::assemble(model, prepared.trials(), &parts)?;
    prepared.report(&Counts::Snapshot(tally))
}
