//! Writing an imported plan: one scenario file, or, for a large plan, a
//! scenario that includes its services from a CSV file beside it (as
//! `dnsim generate` writes), which dnsim loads in a fraction of the time
//! and memory that a million `[[service]]` tables take.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ServiceOut;
use super::{PLACEHOLDER_OUTAGE_DURATION, PLACEHOLDER_OUTAGES_PER_YEAR, Plan, ProviderOut};

/// Above this many services, `import -o FILE` writes them to a CSV include.
pub const SPLIT_ABOVE: usize = 10_000;

/// `plan.toml` → `plan-services.csv`, in the same directory.
pub fn services_csv_path(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or_else(|| "plan".into(), |s| s.to_string_lossy().into_owned());
    scenario.with_file_name(format!("{stem}-services.csv"))
}

impl Plan {
    /// Whether `import -o FILE` writes the services to a CSV include: more
    /// than [`SPLIT_ABOVE`] of them, and none with a `parent` (a key the
    /// CSV has no column for).
    pub fn splits(&self) -> bool {
        self.services.len() > SPLIT_ABOVE && self.services.iter().all(|s| s.parent.is_none())
    }

    /// The scenario file, with a header saying where it came from and that
    /// failure rates are placeholders; its services inline.
    pub fn write_toml(&self, out: &mut dyn Write) -> io::Result<()> {
        self.write_scenario(None, out)
    }

    /// The scenario file with its services in the CSV at `csv` (a path
    /// relative to the scenario), written by [`Plan::write_services_csv`].
    pub fn write_toml_including(&self, csv: &str, out: &mut dyn Write) -> io::Result<()> {
        self.write_scenario(Some(csv), out)
    }

    fn write_scenario(&self, include: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Simulation {
            model: &'static str,
            trials: u64,
            seed: u64,
        }
        #[derive(Serialize)]
        struct Include<'a> {
            services: &'a str,
        }
        #[derive(Serialize)]
        struct File<'a> {
            name: &'a str,
            description: &'a str,
            simulation: Simulation,
            provider: &'a [ProviderOut],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            service: &'a [ServiceOut],
            #[serde(skip_serializing_if = "Vec::is_empty")]
            include: Vec<Include<'a>>,
        }
        let body = toml::to_string(&File {
            name: &self.name,
            description: &self.description,
            simulation: Simulation {
                model: "snapshot",
                trials: 100_000,
                seed: 0,
            },
            provider: &self.providers,
            service: if include.is_some() {
                &[]
            } else {
                &self.services
            },
            include: include
                .map(|services| Include { services })
                .into_iter()
                .collect(),
        })
        .map_err(io::Error::other)?;
        writeln!(
            out,
            "# Imported by dnsim {} from {}.",
            crate::results::VERSION,
            self.source
        )?;
        writeln!(
            out,
            "# Who serves what comes from the input. Failure rates do not: every provider"
        )?;
        writeln!(
            out,
            "# has a PLACEHOLDER of {PLACEHOLDER_OUTAGES_PER_YEAR} outage a year lasting {PLACEHOLDER_OUTAGE_DURATION} (illustrative, not measured)."
        )?;
        writeln!(
            out,
            "# Edit them, or ask what-if questions: dnsim run THIS --fail PROVIDER --fail-only"
        )?;
        if let Some(csv) = include {
            writeln!(
                out,
                "# Its {} services are in {csv} (one row each).",
                self.services.len()
            )?;
        }
        writeln!(out)?;
        out.write_all(body.as_bytes())?;
        if !body.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    }

    /// The services as the CSV of an `[[include]]`: `id` and `dns`, and
    /// `standby`, `ttl`, `ns_ttl`, `weight` and `requires` when a service
    /// has them (lists `;`-separated, empty cells for defaults).
    pub fn write_services_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        let any = |f: fn(&ServiceOut) -> bool| self.services.iter().any(f);
        let standby = any(|s| !s.standby.is_empty());
        let ttl = any(|s| s.ttl.is_some());
        let ns_ttl = any(|s| s.ns_ttl.is_some());
        let weight = any(|s| s.weight.is_some());
        let requires = any(|s| !s.requires.is_empty());
        let mut csv = csv::Writer::from_writer(out);
        let mut header = vec!["id", "dns"];
        for (on, name) in [
            (standby, "standby"),
            (ttl, "ttl"),
            (ns_ttl, "ns_ttl"),
            (weight, "weight"),
            (requires, "requires"),
        ] {
            if on {
                header.push(name);
            }
        }
        csv.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for s in &self.services {
            row.clear();
            row.push(s.id.clone());
            row.push(s.dns.join(";"));
            if standby {
                row.push(s.standby.join(";"));
            }
            if ttl {
                row.push(s.ttl.clone().unwrap_or_default());
            }
            if ns_ttl {
                row.push(s.ns_ttl.clone().unwrap_or_default());
            }
            if weight {
                row.push(s.weight.map(|w| w.to_string()).unwrap_or_default());
            }
            if requires {
                row.push(s.requires.join(";"));
            }
            csv.write_record(&row)?;
        }
        csv.flush()
    }

    /// The plan as `import -o FILE` writes it, read back by dnsim's own
    /// loader: inline TOML parsed as text, or, for a plan that
    /// [`Plan::splits`], the scenario and its CSV written to a temporary
    /// directory and loaded from there.
    pub(super) fn load_back(&self) -> Result<(), String> {
        let written = |e: io::Error| format!("the plan could not be written: {e}");
        if !self.splits() {
            let mut text = Vec::new();
            self.write_toml(&mut text).map_err(written)?;
            let text = String::from_utf8_lossy(&text);
            return crate::scenario::parse_str(Path::new("imported plan"), &text)
                .map(drop)
                .map_err(|e| e.message);
        }
        let dir = tempfile::tempdir().map_err(written)?;
        let toml = dir.path().join("plan.toml");
        let csv = services_csv_path(&toml);
        let mut file = io::BufWriter::new(std::fs::File::create(&csv).map_err(written)?);
        self.write_services_csv(&mut file).map_err(written)?;
        file.flush().map_err(written)?;
        let mut file = io::BufWriter::new(std::fs::File::create(&toml).map_err(written)?);
        self.write_toml_including("plan-services.csv", &mut file)
            .map_err(written)?;
        file.flush().map_err(written)?;
        crate::scenario::load(&toml)
            .map(drop)
            .map_err(|e| e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plan written as one file and as a scenario with a CSV include
    /// loads to the same services.
    #[test]
    fn both_forms_load_to_the_same_services() {
        let mut plan = Plan::new("t".into(), "d".into(), "in.txt".into());
        plan.provider("p", "P", &["ns*.p.net".into()]);
        plan.provider("q", "Q", &[]);
        for i in 0..=SPLIT_ABOVE {
            plan.services.push(ServiceOut {
                id: format!("s{i}.example"),
                dns: if i % 3 == 0 {
                    vec!["p".into(), "q".into()]
                } else {
                    vec!["q".into()]
                },
                ttl: (i % 5 == 0).then(|| "5m".into()),
                weight: (i % 7 == 0).then_some(0.5),
                requires: if i > 0 && i % 11 == 0 {
                    vec!["s0.example".into()]
                } else {
                    Vec::new()
                },
                ..ServiceOut::default()
            });
        }
        assert!(plan.splits());
        plan.load_back().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let toml = dir.path().join("big.toml");
        let csv = services_csv_path(&toml);
        assert_eq!(csv.file_name().unwrap(), "big-services.csv");
        let mut text = Vec::new();
        plan.write_services_csv(&mut text).unwrap();
        std::fs::write(&csv, text).unwrap();
        let mut text = Vec::new();
        plan.write_toml_including("big-services.csv", &mut text)
            .unwrap();
        std::fs::write(&toml, text).unwrap();
        let split = crate::scenario::load(&toml).unwrap();
        let mut text = Vec::new();
        plan.write_toml(&mut text).unwrap();
        let inline =
            crate::scenario::parse_str(Path::new("one.toml"), &String::from_utf8(text).unwrap())
                .unwrap();
        assert_eq!(split.services.len(), SPLIT_ABOVE + 1);
        assert_eq!(split.services, inline.services);
        assert_eq!(split.providers.len(), inline.providers.len());
    }

    /// A plan with a child zone's `parent` stays one file: the CSV has no
    /// such column.
    #[test]
    fn a_plan_with_parents_is_not_split() {
        let mut plan = Plan::new("t".into(), "d".into(), "in.txt".into());
        plan.provider("p", "P", &[]);
        for i in 0..=SPLIT_ABOVE {
            plan.services.push(ServiceOut {
                id: format!("s{i}.example"),
                dns: vec!["p".into()],
                parent: (i == 1).then(|| "s0.example".into()),
                ..ServiceOut::default()
            });
        }
        assert!(!plan.splits());
    }
}
