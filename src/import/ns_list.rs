//! `dnsim import ns-list FILE`: domains and their NS hosts.
//!
//! Two forms, told apart by the first line that is not blank or a comment
//! (`#` or `;`):
//!
//! - pairs, one per line: `domain ns-host`, as a `dig +short NS` loop
//!   prints them (`for d in …; do dig +short NS $d | sed "s/^/$d /"; done`);
//!   full `dig` answer lines (`example.com. 300 IN NS ns1.host.net.`) are
//!   read too;
//! - CSV: `domain,ns1;ns2` (columns `domain` and `ns` when there is a
//!   header row).
//!
//! Each NS host maps to a provider through the catalog; hosts under the
//! domain's own registrable domain are self-hosted (`self:example.org`);
//! the rest are grouped by their registrable domain and reported.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::catalog::{Catalog, normalise};
use super::{Mapped, Plan, ServiceOut};
use crate::error::InputError;
use crate::scenario::read_input;

/// A domain, its NS hosts in order of appearance, and the line it was
/// first seen on.
#[derive(Debug, Clone, PartialEq)]
pub struct Delegation {
    pub domain: String,
    pub hosts: Vec<String>,
    pub line: usize,
}

/// Checks a DNS name: labels of letters, digits, `-` and `_`, 1 to 63
/// characters, 253 in all.
pub fn check_name(name: &str) -> Result<String, String> {
    let n = normalise(name);
    if n.is_empty() {
        return Err("an empty name".into());
    }
    if n.len() > 253 {
        return Err(format!("\"{name}\" is longer than 253 characters"));
    }
    for label in n.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("\"{name}\" has an empty or over-long label"));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(format!("\"{name}\" holds '{c}', not allowed in a DNS name"));
        }
    }
    Ok(n)
}

fn add(
    order: &mut Vec<Delegation>,
    index: &mut HashMap<String, usize>,
    domain: String,
    host: Option<String>,
    line: usize,
) {
    let i = *index.entry(domain.clone()).or_insert_with(|| {
        order.push(Delegation {
            domain,
            hosts: Vec::new(),
            line,
        });
        order.len() - 1
    });
    if let Some(h) = host
        && !order[i].hosts.contains(&h)
    {
        order[i].hosts.push(h);
    }
}

/// Reads an NS list: CSV (`domain,ns1;ns2`, with or without a header) when
/// the first line holds a comma, else `domain ns-host` or dig answer lines.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Delegation>, InputError> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'));
    if first.is_some_and(|l| l.contains(',')) {
        parse_csv(path, text)
    } else {
        parse_lines(path, text)
    }
}

fn at(path: &Path, line: usize, col: usize, msg: String) -> InputError {
    InputError::new(msg).in_file(path).at(line, col)
}

/// `domain,ns1;ns2` rows, with or without a `domain,ns` header.
fn parse_csv(path: &Path, text: &str) -> Result<Vec<Delegation>, InputError> {
    let at = |line: usize, col: usize, msg: String| at(path, line, col, msg);
    let (mut order, mut index) = (Vec::new(), HashMap::new());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let (mut dcol, mut ncol) = (0usize, 1usize);
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            at(line, 1, format!("bad CSV: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if k == 0
            && record
                .get(0)
                .is_some_and(|c| c.eq_ignore_ascii_case("domain"))
        {
            let find = |names: &[&str]| {
                record
                    .iter()
                    .position(|c| names.iter().any(|n| c.eq_ignore_ascii_case(n)))
            };
            dcol = find(&["domain"]).expect("checked");
            ncol = find(&["ns", "nameservers", "nameserver"]).ok_or_else(|| {
                at(
                    line,
                    1,
                    "the header has no \"ns\" column (expected domain,ns)".into(),
                )
            })?;
            continue;
        }
        let domain = record.get(dcol).unwrap_or("");
        let domain = check_name(domain).map_err(|m| at(line, 1, format!("domain: {m}")))?;
        let cell = record.get(ncol).ok_or_else(|| {
            at(
                line,
                1,
                format!("\"{domain}\": missing the ns column (expected domain,ns1;ns2)"),
            )
        })?;
        let hosts: Vec<&str> = cell
            .split(';')
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        if hosts.is_empty() {
            return Err(at(line, 1, format!("domain \"{domain}\" has no NS host")));
        }
        for h in hosts {
            let h = check_name(h).map_err(|m| at(line, 1, format!("NS host: {m}")))?;
            add(&mut order, &mut index, domain.clone(), Some(h), line);
        }
    }
    Ok(order)
}

/// `domain ns-host` lines, or dig answer lines `domain TTL IN NS host`.
fn parse_lines(path: &Path, text: &str) -> Result<Vec<Delegation>, InputError> {
    let at = |line: usize, col: usize, msg: String| at(path, line, col, msg);
    let (mut order, mut index) = (Vec::new(), HashMap::new());
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let tokens: Vec<&str> = trimmed.split_whitespace().collect();
        let column = |t: &str| raw.find(t).map_or(1, |b| raw[..b].chars().count() + 1);
        let (domain, host) = match tokens.len() {
            1 => {
                return Err(at(
                    line,
                    column(tokens[0]),
                    format!(
                        "\"{}\" alone on its line: expected `domain ns-host`. Plain `dig +short NS` output lists the hosts without the domain; prefix each with its domain: for d in $(cat domains.txt); do dig +short NS \"$d\" | sed \"s/^/$d /\"; done > ns.txt",
                        tokens[0]
                    ),
                ));
            }
            2 => (tokens[0], tokens[1]),
            _ => match tokens[1..]
                .iter()
                .position(|t| t.eq_ignore_ascii_case("NS"))
            {
                Some(k) if tokens.get(k + 2).is_some() => (tokens[0], tokens[k + 2]),
                _ => {
                    return Err(at(
                        line,
                        1,
                        "expected `domain ns-host`, or a dig answer line `domain TTL IN NS host`"
                            .into(),
                    ));
                }
            },
        };
        let d = check_name(domain).map_err(|m| at(line, column(domain), format!("domain: {m}")))?;
        let h = check_name(host).map_err(|m| at(line, column(host), format!("NS host: {m}")))?;
        add(&mut order, &mut index, d, Some(h), line);
    }
    Ok(order)
}

/// Reads `path` and builds the plan.
pub fn import(path: &Path, catalog: &Catalog) -> Result<Plan, InputError> {
    let text = read_input(path, "NS list")?;
    let delegations = parse(path, &text)?;
    if delegations.is_empty() {
        return Err(InputError::new("no domains in the NS list").in_file(path));
    }
    let mut plan = Plan::new(
        format!("Imported NS list: {}", super::file_label(path)),
        format!("{} domains and their NS hosts", delegations.len()),
        path.display().to_string(),
    );
    let own = super::self_hosting(
        catalog,
        delegations
            .iter()
            .map(|d| (d.domain.as_str(), d.hosts.as_slice())),
    );
    let (mut by_catalog, mut selfhosted) = (0usize, 0usize);
    let mut unknown: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in &delegations {
        let mut dns: Vec<String> = Vec::new();
        for h in &d.hosts {
            let id = match plan.provider_for_host(catalog, h, &d.domain, &own) {
                Mapped::Catalog(id) => {
                    by_catalog += 1;
                    id
                }
                Mapped::SelfHosted(id) => {
                    selfhosted += 1;
                    id
                }
                Mapped::Unknown(id) => {
                    // Up to four distinct hosts: three are shown, and a
                    // fourth says there are more.
                    let hosts = unknown.entry(id.clone()).or_default();
                    if hosts.len() < 4 && !hosts.contains(h) {
                        hosts.push(h.clone());
                    }
                    id
                }
            };
            if !dns.contains(&id) {
                dns.push(id);
            }
        }
        plan.services.push(ServiceOut {
            id: d.domain.clone(),
            dns,
            ..ServiceOut::default()
        });
    }
    let hosts: usize = delegations.iter().map(|d| d.hosts.len()).sum();
    plan.report.push(format!(
        "imported {} domains with {} NS hosts: {} matched the catalog, {} self-hosted, {} matched nothing",
        delegations.len(),
        hosts,
        by_catalog,
        selfhosted,
        hosts - by_catalog - selfhosted
    ));
    if !unknown.is_empty() {
        plan.report.push(format!(
            "NS hosts not in the catalog, grouped by registrable domain into {} providers (add them with --catalog FILE):",
            unknown.len()
        ));
        let count = plan.services_per_provider();
        let lines = unknown.iter().map(|(reg, hosts)| {
            let shown: Vec<&str> = hosts.iter().take(3).map(String::as_str).collect();
            let line = format!(
                "  {reg}: {}{}",
                shown.join(", "),
                if hosts.len() > 3 { ", …" } else { "" }
            );
            (count.get(reg.as_str()).copied().unwrap_or(0), line)
        });
        let lines = super::capped(lines.collect(), "unknown NS domains");
        plan.report.extend(lines);
    }
    // The input and what was parsed from it are done with: not held while
    // the plan is checked by loading it back (a million domains: the input
    // and its delegations are about a third of the import's peak).
    drop((unknown, own, delegations, text));
    plan.finish(path)
}
