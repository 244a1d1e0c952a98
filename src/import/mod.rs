//! `dnsim import`: scenarios from what SREs and researchers already have.
//!
//! Every importer produces a [`Plan`]: providers (from the catalog where NS
//! hosts, octoDNS classes or DNSControl types match it), services and their
//! requirements, and a report of what was mapped and what was not, which
//! `dnsim import` prints on stderr. No domain is dropped silently: a domain
//! that cannot be imported is an error, and everything approximated is in
//! the report.

pub mod catalog;
pub mod ns_list;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use serde::Serialize;

use self::catalog::{Catalog, normalise};

/// Placeholder failure rates for imported providers: the inputs say who
/// serves what, not how often providers fail. Written into the scenario
/// with a comment saying so.
pub const PLACEHOLDER_OUTAGES_PER_YEAR: f64 = 1.0;
pub const PLACEHOLDER_OUTAGE_DURATION: &str = "1h";

#[derive(Debug, Clone, Serialize)]
pub struct ProviderOut {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ns: Vec<String>,
    pub outages_per_year: f64,
    pub outage_duration: String,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct ServiceOut {
    pub id: String,
    pub dns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub standby: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ns_ttl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
}

/// An imported scenario, and what the import did.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub name: String,
    pub description: String,
    /// Where it came from, for the header comment.
    pub source: String,
    pub providers: Vec<ProviderOut>,
    pub services: Vec<ServiceOut>,
    /// Lines for stderr: what was mapped, and what could not be.
    pub report: Vec<String>,
    provider_index: HashMap<String, usize>,
}

/// How an NS host was mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// A catalog provider, by id.
    Catalog(String),
    /// Under the domain's own registrable domain: `self:<registrable>`.
    SelfHosted(String),
    /// Matched nothing: grouped by the host's registrable domain,
    /// `ns:<registrable>` (or `self:<registrable>` when that domain serves
    /// itself too).
    Unknown(String),
}

/// The registrable domains that serve themselves: some domain of the input
/// has an NS host (outside the catalog) under its own registrable domain.
pub fn self_hosting<'a>(
    catalog: &Catalog,
    delegations: impl IntoIterator<Item = (&'a str, &'a [String])>,
) -> HashSet<String> {
    let mut out = HashSet::new();
    for (domain, hosts) in delegations {
        let own = registrable(domain);
        for h in hosts {
            if catalog.match_host(h).is_none() && registrable(h) == own {
                out.insert(own.clone());
            }
        }
    }
    out
}

/// The registrable domain of `name` (public suffix list, via `psl`), or the
/// name itself when it has none.
pub fn registrable(name: &str) -> String {
    let name = normalise(name);
    psl::domain_str(&name).unwrap_or(&name).to_string()
}

impl Plan {
    pub fn new(name: String, description: String, source: String) -> Plan {
        Plan {
            name,
            description,
            source,
            ..Plan::default()
        }
    }

    /// The provider `id`, added with `name` and `ns` patterns if new.
    pub fn provider(&mut self, id: &str, name: &str, ns: &[String]) -> String {
        if !self.provider_index.contains_key(id) {
            self.provider_index
                .insert(id.to_string(), self.providers.len());
            self.providers.push(ProviderOut {
                id: id.to_string(),
                name: name.to_string(),
                ns: ns.to_vec(),
                outages_per_year: PLACEHOLDER_OUTAGES_PER_YEAR,
                outage_duration: PLACEHOLDER_OUTAGE_DURATION.to_string(),
            });
        }
        id.to_string()
    }

    /// Maps an NS host of `domain` to a provider (adding it), and says how.
    /// `self_hosting` holds the registrable domains that serve themselves
    /// (see [`self_hosting`]): a host under one of them belongs to
    /// `self:<registrable>` whichever domain it serves, so the same servers
    /// are one provider.
    pub fn provider_for_host(
        &mut self,
        catalog: &Catalog,
        host: &str,
        domain: &str,
        self_hosting: &HashSet<String>,
    ) -> Mapped {
        let host = normalise(host);
        if let Some(e) = catalog.match_host(&host) {
            let (id, name, ns) = (e.id.clone(), e.name.clone(), e.ns.clone());
            self.provider(&id, &name, &ns);
            return Mapped::Catalog(id);
        }
        let reg = registrable(&host);
        let patterns = [format!("*.{reg}")];
        if self_hosting.contains(&reg) {
            let id = format!("self:{reg}");
            self.provider(&id, &format!("self-hosted by {reg}"), &patterns);
            if reg == registrable(domain) {
                Mapped::SelfHosted(id)
            } else {
                Mapped::Unknown(id)
            }
        } else {
            // Prefixed, like self-hosted ones, so it cannot clash with a
            // service named after the same domain.
            let id = format!("ns:{reg}");
            self.provider(&id, &format!("{reg} (not in the catalog)"), &patterns);
            Mapped::Unknown(id)
        }
    }

    /// The scenario file, with a header saying where it came from and that
    /// failure rates are placeholders.
    pub fn write_toml(&self, out: &mut dyn Write) -> io::Result<()> {
        #[derive(Serialize)]
        struct Simulation {
            model: &'static str,
            trials: u64,
            seed: u64,
        }
        #[derive(Serialize)]
        struct File<'a> {
            name: &'a str,
            description: &'a str,
            simulation: Simulation,
            provider: &'a [ProviderOut],
            service: &'a [ServiceOut],
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
            service: &self.services,
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
        writeln!(out)?;
        out.write_all(body.as_bytes())?;
        if !body.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    }

    /// A summary of the providers: how many services each serves.
    pub fn provider_summary(&self) -> Vec<String> {
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &self.services {
            for d in &s.dns {
                *count.entry(d.as_str()).or_insert(0) += 1;
            }
        }
        self.providers
            .iter()
            .map(|p| {
                format!(
                    "  {:<24} {:>7} services  {}",
                    p.id,
                    count.get(p.id.as_str()).copied().unwrap_or(0),
                    p.name
                )
            })
            .collect()
    }
}
