//! `dnsim import zone FILE [--origin NAME]`: a BIND master file (the origin
//! defaults to the file's first `$ORIGIN`).
//!
//! Parsed by hickory-proto's zone parser ($ORIGIN, $TTL, $INCLUDE relative
//! to the file, relative names, parentheses). Its errors carry no position, so the line is found by
//! parsing growing prefixes of the file, cut only between records: the
//! first prefix that fails ends with the faulty record.
//!
//! The apex NS records give the zone's providers (through the catalog) and
//! their TTL its `ns_ttl`; NS records below the apex delegate child zones,
//! which become services of their own on their NS hosts' providers.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use hickory_proto::rr::{Name, RData};
use hickory_proto::serialize::txt::Parser;

use super::catalog::{Catalog, normalise};
use super::ns_list::check_name;
use super::{Plan, Rec, ServiceOut, Zone};
use crate::error::InputError;
use crate::scenario::read_input;

type Parsed = Vec<(String, u32, RData)>;

fn parse_text(text: &str, path: &Path, origin: &Name) -> Result<Parsed, String> {
    // The path anchors relative $INCLUDE files.
    let (_, sets) = Parser::new(text, Some(path.to_path_buf()), Some(origin.clone()))
        .parse()
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for set in sets.values() {
        for r in set.records_without_rrsigs() {
            out.push((normalise(&r.name.to_ascii()), r.ttl, r.data.clone()));
        }
    }
    Ok(out)
}

/// Line counts after which no record is open (parenthesis depth 0,
/// outside quotes and comments).
fn record_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut depth = 0i32;
    for (i, line) in text.lines().enumerate() {
        let mut quoted = false;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => quoted = !quoted,
                ';' if !quoted => break,
                '(' if !quoted => depth += 1,
                ')' if !quoted => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            depth = 0;
            ends.push(i + 1);
        }
    }
    ends
}

/// The first line of the record that makes the parse fail.
fn error_line(text: &str, path: &Path, origin: &Name) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let prefix = |k: usize| lines[..k].join("\n") + "\n";
    let ends = record_ends(text);
    // Smallest cut whose prefix fails (failure is monotone in the prefix).
    let (mut lo, mut hi) = (0usize, ends.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if parse_text(&prefix(ends[mid]), path, origin).is_err() {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    // The record starts after the previous cut (skipping blank lines and
    // comments); if no cut fails, the last record never closed.
    let start = if lo == 0 { 0 } else { ends[lo - 1] };
    lines
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with(';')
        })
        .map_or(start + 1, |(i, _)| i + 1)
}

/// The name of the file's first `$ORIGIN`, before any record.
fn first_origin(text: &str) -> Option<&str> {
    for line in text.lines() {
        let line = line.split(';').next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with("$TTL") {
            continue;
        }
        let mut words = line.split_whitespace();
        return match words.next() {
            Some(d) if d.eq_ignore_ascii_case("$ORIGIN") => words.next(),
            _ => None,
        };
    }
    None
}

/// `origin`: `--origin`, or the file's first `$ORIGIN` when not given.
pub fn import(path: &Path, origin: Option<&str>, catalog: &Catalog) -> Result<Plan, InputError> {
    let text = read_input(path, "zone file")?;
    let origin = match origin.or_else(|| first_origin(&text)) {
        Some(o) => o.trim_end_matches('.').to_string(),
        None => {
            return Err(InputError::flag(
                "--origin",
                "the zone file starts with no $ORIGIN: give the zone's name (--origin example.com)",
            )
            .in_file(path));
        }
    };
    let origin = check_name(&origin).map_err(|m| InputError::flag("--origin", m))?;
    let origin_name = Name::from_str(&format!("{origin}."))
        .map_err(|e| InputError::flag("--origin", e.to_string()))?;
    let records = parse_text(&text, path, &origin_name).map_err(|m| {
        InputError::new(format!("zone syntax: {m}"))
            .in_file(path)
            .at_line(error_line(&text, path, &origin_name))
    })?;

    // NS records: the apex's, and delegations below it.
    let mut ns: BTreeMap<String, (Vec<String>, u32)> = BTreeMap::new();
    let mut recs: Vec<Rec> = Vec::new();
    for (name, ttl, data) in &records {
        match data {
            RData::NS(host) => {
                let entry = ns.entry(name.clone()).or_insert((Vec::new(), *ttl));
                entry.0.push(normalise(&host.0.to_ascii()));
                entry.1 = entry.1.min(*ttl);
            }
            RData::SOA(_) => {}
            other => recs.push(Rec {
                name: name.clone(),
                kind: other.record_type().to_string().to_uppercase(),
                ttl: Some(*ttl),
                target: match other {
                    RData::CNAME(c) => Some(normalise(&c.0.to_ascii())),
                    _ => None,
                },
            }),
        }
    }
    let Some((apex_hosts, apex_ttl)) = ns.get(&origin).cloned() else {
        return Err(InputError::new(format!(
            "no NS records at the zone's apex ({origin}): which providers serve it?"
        ))
        .in_file(path));
    };
    let mut plan = Plan::new(
        format!("Imported zone: {origin}"),
        format!("The zone file {}", super::file_label(path)),
        path.display().to_string(),
    );
    let delegations: Vec<(&str, &[String])> = ns
        .iter()
        .map(|(d, (h, _))| (d.as_str(), h.as_slice()))
        .collect();
    let own = super::self_hosting(catalog, delegations.iter().copied());
    let map = |plan: &mut Plan, hosts: &[String], domain: &str| {
        plan.providers_for_hosts(catalog, hosts, domain, &own)
    };
    let dns = map(&mut plan, &apex_hosts, &origin);
    // Names under a delegated child zone belong to that zone, not this one.
    let children: Vec<&String> = ns.keys().filter(|d| **d != origin).collect();
    let under_child = |n: &str| {
        children
            .iter()
            .any(|c| n == c.as_str() || n.ends_with(&format!(".{c}")))
    };
    let own_records: Vec<Rec> = recs
        .iter()
        .filter(|r| !under_child(&r.name))
        .cloned()
        .collect();
    plan.add_zone(&Zone {
        origin: &origin,
        dns: &dns,
        standby: &[],
        ns_ttl: Some(apex_ttl),
        records: &own_records,
    });
    for child in &children {
        let (hosts, ttl) = &ns[*child];
        let child_dns = map(&mut plan, hosts, child);
        let parent = plan.parent_of_child(child, &origin, &dns);
        plan.services.push(ServiceOut {
            id: child.to_string(),
            dns: child_dns,
            ns_ttl: Some(format!("{ttl}s")),
            parent,
            ..ServiceOut::default()
        });
        plan.report.push(format!(
            "{child}: a delegated child zone, a service on its own NS hosts ({})",
            hosts.join(", ")
        ));
    }
    plan.finish_requirements();
    plan.finish(path)
}
