//! `dnsim import dnscontrol IR.json`: the JSON `dnscontrol print-ir` writes.
//!
//! Its shape (DNSControl's `models.DNSConfig`): `dns_providers` is a list
//! of `{name, type}`; each of `domains` has a `name`, `dnsProviders` (name
//! → how many of the provider's nameservers to use: 0 means "do not
//! delegate", which dnsim reads as a standby) and `records` (`type`,
//! `name` relative to the domain, `@` for the apex, `target`, `ttl`;
//! DNSControl's default TTL is 300 s). Provider types map to providers
//! through the catalog's `dnscontrol` lists.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::catalog::{Catalog, normalise};
use super::children::{Child, add_children};
use super::ns_list::check_name;
use super::{Plan, Rec, Zone};
use crate::error::InputError;
use crate::scenario::read_input;

/// DNSControl's `models.DefaultTTL`.
const DEFAULT_TTL: u32 = 300;

#[derive(Debug, Deserialize)]
struct Ir {
    #[serde(default)]
    dns_providers: Vec<ProviderConfig>,
    domains: Vec<Domain>,
}

#[derive(Debug, Deserialize)]
struct ProviderConfig {
    name: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug, Deserialize)]
struct Domain {
    name: String,
    #[serde(rename = "dnsProviders", default)]
    dns_providers: HashMap<String, i64>,
    #[serde(default)]
    records: Vec<Record>,
}

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    ttl: u32,
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle)
        .map(|at| text[..at].matches('\n').count() + 1)
}

/// The FQDN of a record's name (`@`, relative or absolute) in `origin`.
fn fqdn(name: &str, origin: &str) -> String {
    let n = name.trim();
    if n.is_empty() || n == "@" {
        origin.to_string()
    } else if let Some(abs) = n.strip_suffix('.') {
        normalise(abs)
    } else {
        format!("{}.{origin}", normalise(n))
    }
}

pub fn import(path: &Path, catalog: &Catalog) -> Result<Plan, InputError> {
    let text = read_input(path, "DNSControl IR")?;
    let ir: Ir = serde_json::from_str(&text).map_err(|e| {
        // serde_json ends its message with the position, given apart here.
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
        InputError::new(format!("not DNSControl's print-ir JSON: {msg}"))
            .in_file(path)
            .at(e.line(), e.column())
    })?;
    let at = |needle: &str, msg: String| {
        let e = InputError::new(msg).in_file(path);
        match line_of(&text, needle) {
            Some(l) => e.at_line(l),
            None => e,
        }
    };
    if ir.domains.is_empty() {
        return Err(InputError::new("no domains in the IR").in_file(path));
    }
    let mut plan = Plan::new(
        format!("Imported from DNSControl: {}", super::file_label(path)),
        format!("{} domains from dnscontrol print-ir", ir.domains.len()),
        path.display().to_string(),
    );
    // Provider name (as in dnsconfig.js) → dnsim provider id.
    let mut ids: HashMap<&str, String> = HashMap::new();
    for p in &ir.dns_providers {
        let entry = catalog.by_dnscontrol_type(&p.kind).ok_or_else(|| {
            at(
                &format!("\"{}\"", p.kind),
                format!(
                    "DNS provider \"{}\" has type \"{}\", which the catalog does not know (add it with --catalog FILE: dnscontrol = [\"{}\"])",
                    p.name, p.kind, p.kind
                ),
            )
        })?;
        let id = plan.provider(&entry.id, &entry.name, &entry.ns);
        ids.insert(p.name.as_str(), id);
    }
    for d in &ir.domains {
        // `example.com!tag`: a split-horizon view of example.com.
        let bare = d.name.split('!').next().unwrap_or("");
        let origin =
            check_name(bare).map_err(|m| at(&format!("\"{}\"", d.name), format!("domain: {m}")))?;
        let mut names: Vec<(&String, &i64)> = d.dns_providers.iter().collect();
        names.sort();
        let (mut dns, mut standby) = (Vec::new(), Vec::new());
        for (name, &count) in names {
            let id = ids.get(name.as_str()).ok_or_else(|| {
                at(
                    &format!("\"{}\"", d.name),
                    format!("domain \"{}\" uses DNS provider \"{name}\", which dns_providers does not list", d.name),
                )
            })?;
            if count == 0 {
                standby.push(id.clone());
            } else {
                dns.push(id.clone());
            }
        }
        if dns.is_empty() {
            return Err(at(
                &format!("\"{}\"", d.name),
                format!(
                    "domain \"{}\" has no delegated DNS provider (none, or only DnsProvider(name, 0)): no NS to import",
                    d.name
                ),
            ));
        }
        let (recs, children) = records(d, &origin);
        plan.add_zone(&Zone {
            origin: &origin,
            dns: &dns,
            standby: &standby,
            ns_ttl: None,
            records: &recs,
        });
        add_children(&mut plan, catalog, children, &origin, &dns);
    }
    plan.finish_requirements();
    plan.finish(path)
}

/// A domain's records in the zone's terms, and its delegated children.
fn records(d: &Domain, origin: &str) -> (Vec<Rec>, Vec<Child>) {
    let mut recs = Vec::new();
    let mut children: Vec<Child> = Vec::new();
    for r in &d.records {
        let name = fqdn(&r.name, origin);
        let ttl = if r.ttl == 0 { DEFAULT_TTL } else { r.ttl };
        let kind = r.kind.to_uppercase();
        if kind == "NS" && name != origin {
            match children.iter_mut().find(|c| c.0 == name) {
                Some(c) => c.1.push(fqdn(&r.target, origin)),
                None => children.push((name, vec![fqdn(&r.target, origin)], ttl)),
            }
            continue;
        }
        let target = matches!(kind.as_str(), "CNAME" | "ALIAS").then(|| fqdn(&r.target, origin));
        recs.push(Rec {
            name,
            kind,
            ttl: Some(ttl),
            target,
        });
    }
    (recs, children)
}
