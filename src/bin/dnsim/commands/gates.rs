//! Gates for CI on `dnsim run`: `--max-impact` (snapshot), `--max-downtime`
//! (timeline) and `--min-nines` (both). The report is written as usual;
//! then each broken gate is said on stderr, with the figure and the
//! threshold, and the run exits with code 3. A gate that does not apply to
//! the run's model is refused before the run, with exit code 2.

use dnsim::error::InputError;
use dnsim::results::{ModelKind, Report};

use crate::Exit;
use crate::cli::RunArgs;

/// At most this many broken services are named; the rest are counted.
const NAMED: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct Gates {
    max_impact: Option<f64>,
    /// Minutes, and the flag's text for messages.
    max_downtime: Option<(f64, String)>,
    min_nines: Option<f64>,
}

impl Gates {
    pub fn new(args: &RunArgs) -> Result<Gates, InputError> {
        let max_downtime = match &args.max_downtime {
            None => None,
            Some(text) => {
                let d = dnsim::duration::parse(text)
                    .map_err(|m| InputError::flag("--max-downtime", m))?;
                Some((d.0 as f64 / 60_000.0, text.clone()))
            }
        };
        for (flag, value) in [
            ("--max-impact", args.max_impact),
            ("--min-nines", args.min_nines),
        ] {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(InputError::flag(
                    flag,
                    format!("must be a number of at least 0, got {v}"),
                ));
            }
        }
        Ok(Gates {
            max_impact: args.max_impact,
            max_downtime,
            min_nines: args.min_nines,
        })
    }

    /// Refuses a gate the model does not report.
    pub fn check_model(&self, model: ModelKind) -> Result<(), InputError> {
        match model {
            ModelKind::Timeline if self.max_impact.is_some() => Err(InputError::flag(
                "--max-impact",
                "the timeline model reports no expected impact; gate it with --max-downtime or --min-nines"
                    .to_string(),
            )),
            ModelKind::Snapshot if self.max_downtime.is_some() => Err(InputError::flag(
                "--max-downtime",
                "the snapshot model reports no downtime; gate it with --max-impact or --min-nines"
                    .to_string(),
            )),
            _ => Ok(()),
        }
    }

    /// Whether a gate reads the services' rows (`--min-nines`); the others
    /// read the summary.
    pub fn reads_rows(&self) -> bool {
        self.min_nines.is_some()
    }

    /// Says each broken gate on stderr and returns the exit code the run
    /// ends with.
    pub fn verdict(&self, report: &Report) -> Exit {
        let broken = self.broken(report);
        for line in &broken {
            eprintln!("dnsim: gate broken: {line}");
        }
        if broken.is_empty() {
            Exit::Success
        } else {
            Exit::Refused
        }
    }

    /// What each broken gate says: empty when every gate holds.
    pub fn broken(&self, report: &Report) -> Vec<String> {
        let mut out = Vec::new();
        // Per service, its nines (`None`: nothing failed), and what they
        // count; read only under --min-nines (a plan may have millions).
        type Nines<'r> = Box<dyn Iterator<Item = (&'r str, Option<f64>)> + 'r>;
        let (nines_of, counting): (Nines, &str) = match report {
            Report::Snapshot(r) => {
                if let Some(max) = self.max_impact {
                    let impact = r.summary.expected_impact;
                    if impact > max {
                        out.push(format!(
                            "expected impact {impact:.4} is above --max-impact {max}"
                        ));
                    }
                }
                let n = r.services.iter().map(|s| (&*s.id, nines(s.p_unreachable)));
                (Box::new(n), "availability")
            }
            Report::Timeline(r) => {
                if let Some((max, text)) = &self.max_downtime {
                    let long = r
                        .services
                        .iter()
                        .map(|s| (s.id.as_str(), s.downtime_minutes))
                        .filter(|&(_, d)| d > *max);
                    name_services(&mut out, long, |id, d| {
                        format!(
                            "{id}: down {d:.1} min over the horizon, more than --max-downtime {text}"
                        )
                    });
                }
                let n = r.services.iter().map(|s| (s.id.as_str(), s.nines));
                (Box::new(n), "lookups answered")
            }
        };
        if let Some(min) = self.min_nines {
            let low = nines_of
                .into_iter()
                .filter_map(|(id, n)| n.map(|n| (id, n)))
                .filter(|&(_, n)| n < min);
            name_services(&mut out, low, |id, n| {
                format!(
                    "{id}: {} nines of {counting}, fewer than --min-nines {min}",
                    floor3(n)
                )
            });
        }
        out
    }
}

/// Nines to three decimals, rounded down: 2.9999 shows as 2.999, never as
/// a 3.000 that the gate of 3 refuses.
fn floor3(n: f64) -> String {
    format!("{:.3}", (n * 1000.0).floor() / 1000.0)
}

/// −log10 of an unavailability; `None` for none at all (infinitely many).
fn nines(p: f64) -> Option<f64> {
    (p > 0.0).then(|| 0.0 - p.log10())
}

fn name_services<'a>(
    out: &mut Vec<String>,
    broken: impl Iterator<Item = (&'a str, f64)>,
    say: impl Fn(&str, f64) -> String,
) {
    let broken: Vec<(&str, f64)> = broken.collect();
    out.extend(broken.iter().take(NAMED).map(|&(id, x)| say(id, x)));
    if broken.len() > NAMED {
        out.push(format!("and {} more services", broken.len() - NAMED));
    }
}
