//! `dnsim import`: scenarios from what SREs and researchers already have.
//!
//! Every importer produces a [`Plan`]: providers (from the catalog where NS
//! hosts, octoDNS classes or DNSControl types match it), services and their
//! requirements, and a report of what was mapped and what was not, which
//! `dnsim import` prints on stderr. No domain is dropped silently: a domain
//! that cannot be imported is an error, and everything approximated is in
//! the report.

pub mod catalog;
mod children;
pub mod dnscontrol;
pub mod ns_list;
pub mod octodns;
pub mod targets;
mod write;
pub mod zone;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use self::catalog::{Catalog, normalise};
pub use self::write::{SPLIT_ABOVE, services_csv_path};
use crate::error::InputError;

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
    /// A child zone's parent: the zone's apex service, or its one provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// Weight 0 for names the import added only because others require
    /// them: counted through the services that need them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
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

/// "zone.txt": how a plan's name shows the input file.
pub fn file_label(path: &std::path::Path) -> String {
    path.file_name()
        .map_or(String::new(), |f| f.to_string_lossy().into_owned())
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

    /// The last step of every importer: the plan checked against what a
    /// scenario must be (an importer never writes a file dnsim refuses to
    /// load), and the providers' summary at the end of the report. `input`
    /// names the imported file in errors.
    pub fn finish(mut self, input: &std::path::Path) -> Result<Plan, InputError> {
        let refuse = |why: String| {
            Err(
                InputError::new(format!("this input makes no plan dnsim can load: {why}"))
                    .in_file(input),
            )
        };
        if self.services.is_empty() {
            return refuse("it names no service (no name with a delegation or an address)".into());
        }
        let ids = self.providers.iter().map(|p| ("provider", &p.id));
        for (kind, id) in ids.chain(self.services.iter().map(|s| ("service", &s.id))) {
            if let Err(why) = crate::scenario::check_id(id) {
                return refuse(format!("{kind} {why}"));
            }
        }
        if let Err(why) = self.load_back() {
            return refuse(why);
        }
        self.report.push("providers:".into());
        let summary = self.provider_summary();
        self.report.extend(summary);
        Ok(self)
    }

    /// The providers of NS `hosts` of `domain`, each once, in order (see
    /// [`Plan::provider_for_host`]).
    pub fn providers_for_hosts(
        &mut self,
        catalog: &Catalog,
        hosts: &[String],
        domain: &str,
        self_hosting: &HashSet<String>,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        for h in hosts {
            let id = match self.provider_for_host(catalog, h, domain, self_hosting) {
                Mapped::Catalog(id) | Mapped::SelfHosted(id) | Mapped::Unknown(id) => id,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
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

    /// A summary of the providers: how many services each serves.
    pub fn provider_summary(&self) -> Vec<String> {
        let count = self.services_per_provider();
        let lines = self.providers.iter().map(|p| {
            let n = count.get(p.id.as_str()).copied().unwrap_or(0);
            (n, format!("  {:<24} {:>7} services  {}", p.id, n, p.name))
        });
        capped(lines.collect(), "providers")
    }

    /// How many services each provider serves, by id.
    pub fn services_per_provider(&self) -> HashMap<&str, usize> {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for s in &self.services {
            for d in &s.dns {
                *count.entry(d.as_str()).or_insert(0) += 1;
            }
        }
        count
    }
}

/// Report lines past this many in one list are summed up in one line.
pub const REPORT_LINES: usize = 50;

/// `lines` (each with the number of services it is about) as they are,
/// or, when there are more than [`REPORT_LINES`], the ones about the most
/// services (ties in their order) and a line for the rest: an import of a
/// million domains can meet thousands of unknown NS domains.
pub fn capped(mut lines: Vec<(usize, String)>, what: &str) -> Vec<String> {
    let more = lines.len().saturating_sub(REPORT_LINES);
    if more > 0 {
        lines.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        lines.truncate(REPORT_LINES);
    }
    let mut out: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
    if more > 0 {
        out.push(format!(
            "  … and {more} more {what}, each serving as many services or fewer (every one is in the scenario)"
        ));
    }
    out
}

/// A record of a zone, as the importers read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    /// Owner, fully qualified, lower case, no trailing dot.
    pub name: String,
    /// Upper case: `A`, `CNAME`, …
    pub kind: String,
    pub ttl: Option<u32>,
    /// CNAME or ALIAS target, normalised.
    pub target: Option<String>,
}

/// Record types that make a name something users reach: a service.
const ADDRESS_TYPES: [&str; 7] = ["A", "AAAA", "CNAME", "ALIAS", "ANAME", "HTTPS", "SVCB"];

/// One zone to add: its name, where it is delegated, and its records.
pub struct Zone<'a> {
    pub origin: &'a str,
    pub dns: &'a [String],
    pub standby: &'a [String],
    /// The TTL of the apex NS records, when the input gives it.
    pub ns_ttl: Option<u32>,
    pub records: &'a [Rec],
}

impl Plan {
    /// Adds a zone's services: one per name with an address record (A,
    /// AAAA, CNAME, ALIAS, HTTPS, SVCB), delegated to `dns`, with the
    /// smallest TTL of those records; a CNAME or ALIAS to a name outside the
    /// zone becomes a requirement on a service of that name (see
    /// [`Plan::finish_requirements`]). Names with other records only are
    /// counted in the report.
    pub fn add_zone(&mut self, zone: &Zone) {
        let mut order: Vec<&str> = Vec::new();
        let mut ttl: HashMap<&str, Option<u32>> = HashMap::new();
        let mut requires: HashMap<&str, Vec<String>> = HashMap::new();
        let mut other: BTreeMap<&str, usize> = BTreeMap::new();
        let mut other_names: HashSet<&str> = HashSet::new();
        let in_zone = |n: &str| n == zone.origin || n.ends_with(&format!(".{}", zone.origin));
        for r in zone.records {
            if !ADDRESS_TYPES.contains(&r.kind.as_str()) {
                *other.entry(r.kind.as_str()).or_insert(0) += 1;
                other_names.insert(&r.name);
                continue;
            }
            if !ttl.contains_key(r.name.as_str()) {
                order.push(&r.name);
            }
            let t = ttl.entry(&r.name).or_insert(r.ttl);
            if let (Some(a), Some(b)) = (*t, r.ttl) {
                *t = Some(a.min(b));
            }
            if let Some(target) = &r.target
                && !in_zone(target)
            {
                let list = requires.entry(&r.name).or_default();
                if !list.contains(target) {
                    list.push(target.clone());
                }
            }
        }
        let mut added = 0;
        for name in &order {
            if self.services.iter().any(|s| s.id == *name) {
                self.report.push(format!(
                    "{name}: already a service (from another zone); kept the first"
                ));
                continue;
            }
            self.services.push(ServiceOut {
                id: name.to_string(),
                dns: zone.dns.to_vec(),
                standby: zone.standby.to_vec(),
                ttl: ttl[name].map(|t| format!("{t}s")),
                ns_ttl: zone.ns_ttl.map(|t| format!("{t}s")),
                requires: requires.remove(name).unwrap_or_default(),
                parent: None,
                weight: None,
            });
            added += 1;
        }
        let skipped = other_names.iter().filter(|n| !ttl.contains_key(*n)).count();
        let mut line = format!(
            "zone {}: {added} services on {}",
            zone.origin,
            zone.dns.join(" + ")
        );
        if !zone.standby.is_empty() {
            line.push_str(&format!(" (standby: {})", zone.standby.join(", ")));
        }
        if skipped > 0 {
            line.push_str(&format!(
                "; {skipped} names with no address record are not services"
            ));
        }
        if !other.is_empty() {
            let kinds: Vec<String> = other.iter().map(|(k, n)| format!("{k} {n}")).collect();
            line.push_str(&format!("; records not used: {}", kinds.join(", ")));
        }
        self.report.push(line);
    }

    /// What a child zone of `origin` names as its `parent`: the apex's
    /// service when the import made one, else the apex's provider when it
    /// has just one (with several and no apex service there is nothing to
    /// name: the child is left without a parent, and the report says so).
    pub fn parent_of_child(
        &mut self,
        child: &str,
        origin: &str,
        apex_dns: &[String],
    ) -> Option<String> {
        if self.services.iter().any(|s| s.id == origin) {
            return Some(origin.to_string());
        }
        if let [only] = apex_dns {
            return Some(only.clone());
        }
        self.report.push(format!(
            "{child}: no parent set ({origin} has no address record and {} providers)",
            apex_dns.len()
        ));
        None
    }

    /// Gives every required name that is not a service a service of its
    /// own, on a placeholder provider for its registrable domain's DNS
    /// (`dns:<registrable>`), since the input does not say who serves it;
    /// reported.
    pub fn finish_requirements(&mut self) {
        let known: HashSet<String> = self.services.iter().map(|s| s.id.clone()).collect();
        let mut missing: Vec<String> = Vec::new();
        for s in &self.services {
            for r in &s.requires {
                if !known.contains(r) && !missing.contains(r) {
                    missing.push(r.clone());
                }
            }
        }
        let platforms = targets::builtin();
        let mut on_platforms: Vec<String> = Vec::new();
        for name in &missing {
            let (id, label, platform) = targets::placeholder(&platforms, name);
            if platform && !on_platforms.contains(&id) {
                on_platforms.push(id.clone());
            }
            let id = self.provider(&id, &label, &[]);
            self.services.push(ServiceOut {
                id: name.clone(),
                dns: vec![id],
                weight: Some(0.0),
                ..ServiceOut::default()
            });
        }
        if !missing.is_empty() {
            self.report.push(format!(
                "{} names outside the zones are required (CNAME/ALIAS targets); each got a service of weight 0 (counted through the services that need it) on a placeholder provider (cdn:<platform> for a known CDN or SaaS platform, else dns:<registrable domain>): {}",
                missing.len(),
                missing.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                    + if missing.len() > 5 { ", …" } else { "" }
            ));
        }
        if !on_platforms.is_empty() {
            self.report.push(format!(
                "CDN and SaaS targets grouped by platform (src/import/targets.toml): {}",
                on_platforms.join(", ")
            ));
        }
    }
}
