//! `dnsim import octodns CONFIG.yaml`: an octoDNS configuration and the zone
//! files of its `YamlProvider` sources.
//!
//! Each zone's `targets` are the providers it is pushed to, so they are its
//! delegated providers (classes mapped through the catalog's `octodns`
//! lists). Its records come from the zone file `DIRECTORY/ZONE.yaml` of a
//! `YamlProvider` source (`ZONE` with its trailing dot, as octoDNS names
//! them): a record's `ttl`, else the source's `default_ttl`, else 3600 s
//! (octoDNS's default). `alias` zones take the records of the zone they
//! alias.

use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use super::catalog::{Catalog, normalise};
use super::children::{Child, add_children};
use super::ns_list::check_name;
use super::{Plan, Rec, Zone};
use crate::error::InputError;
use crate::scenario::read_input;

const YAML_PROVIDER: [&str; 2] = [
    "octodns.provider.yaml.YamlProvider",
    "octodns.source.yaml.YamlProvider",
];
/// octoDNS's `YamlProvider` default `default_ttl`.
const DEFAULT_TTL: u32 = 3600;

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle)
        .map(|at| text[..at].matches('\n').count() + 1)
}

fn yaml(path: &Path, text: &str, what: &str) -> Result<Value, InputError> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let err = InputError::new(format!("bad YAML in the {what}: {e}")).in_file(path);
        match e.location() {
            Some(l) => err.at(l.line(), l.column()),
            None => err,
        }
    })
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(s)) => s
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The records of one zone file.
fn zone_records(
    path: &Path,
    origin: &str,
    default_ttl: u32,
) -> Result<(Vec<Rec>, Vec<Child>), InputError> {
    let text = read_input(path, "octoDNS zone file")?;
    let doc = yaml(path, &text, "zone file")?;
    let Value::Mapping(names) = doc else {
        if doc.is_null() {
            return Ok((Vec::new(), Vec::new()));
        }
        return Err(InputError::new("a zone file maps record names to records").in_file(path));
    };
    let mut out = Vec::new();
    let mut children: Vec<Child> = Vec::new();
    for (name, value) in &names {
        let short = match name {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => serde_yaml_ng::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        let fqdn = if short.is_empty() {
            origin.to_string()
        } else {
            format!("{}.{origin}", normalise(&short))
        };
        let records: Vec<&Mapping> = match value {
            Value::Mapping(m) => vec![m],
            Value::Sequence(s) => s.iter().filter_map(Value::as_mapping).collect(),
            _ => Vec::new(),
        };
        let at = |msg: String| {
            let e = InputError::new(msg).in_file(path).with_key(short.clone());
            match line_of(&text, &format!("{short}:")) {
                Some(l) if !short.is_empty() => e.at_line(l),
                _ => e,
            }
        };
        if records.is_empty() {
            return Err(at(format!(
                "record \"{short}\": expected a record (type, value) or a list of them"
            )));
        }
        for r in records {
            let kind = r
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| at(format!("record \"{short}\" has no type")))?
                .to_uppercase();
            let ttl = match r.get("ttl") {
                None => default_ttl,
                Some(v) => v
                    .as_u64()
                    .and_then(|t| u32::try_from(t).ok())
                    .ok_or_else(|| {
                        at(format!(
                            "record \"{short}\": ttl must be a whole number of seconds"
                        ))
                    })?,
            };
            // NS records below the apex delegate a child zone.
            if kind == "NS" && !short.is_empty() {
                let hosts: Vec<String> = match (r.get("values"), r.get("value")) {
                    (Some(Value::Sequence(v)), _) => v
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|h| fqdn_of(h, origin))
                        .collect(),
                    (_, Some(Value::String(h))) => vec![fqdn_of(h, origin)],
                    _ => Vec::new(),
                };
                if hosts.is_empty() {
                    return Err(at(format!("NS record \"{short}\" has no value")));
                }
                children.push((fqdn.clone(), hosts, ttl));
                continue;
            }
            let target = if matches!(kind.as_str(), "CNAME" | "ALIAS") {
                let v = r
                    .get("value")
                    .and_then(Value::as_str)
                    .ok_or_else(|| at(format!("{kind} record \"{short}\" has no value")))?;
                Some(fqdn_of(v, origin))
            } else {
                None
            };
            out.push(Rec {
                name: fqdn.clone(),
                kind,
                ttl: Some(ttl),
                target,
            });
        }
    }
    Ok((out, children))
}

/// A name as a zone file writes it: absolute with a trailing dot, else
/// relative to `origin`.
fn fqdn_of(v: &str, origin: &str) -> String {
    if v.ends_with('.') {
        normalise(v)
    } else {
        format!("{}.{origin}", normalise(v))
    }
}

pub fn import(path: &Path, catalog: &Catalog) -> Result<Plan, InputError> {
    let text = read_input(path, "octoDNS config")?;
    let doc = yaml(path, &text, "octoDNS config")?;
    let at = |needle: &str, msg: String| {
        let e = InputError::new(msg).in_file(path);
        match line_of(&text, needle) {
            Some(l) => e.at_line(l),
            None => e,
        }
    };
    let providers = doc
        .get("providers")
        .and_then(Value::as_mapping)
        .ok_or_else(|| {
            at(
                "providers",
                "no `providers` mapping: not an octoDNS config".into(),
            )
        })?;
    let zones = doc
        .get("zones")
        .and_then(Value::as_mapping)
        .ok_or_else(|| at("zones", "no `zones` mapping: not an octoDNS config".into()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut plan = Plan::new(
        format!("Imported from octoDNS: {}", super::file_label(path)),
        format!("{} zones from an octoDNS config", zones.len()),
        path.display().to_string(),
    );
    let class_of = |name: &str| class_of(providers, name, &at);
    for (zone_key, zone) in zones {
        let zone_name = zone_key.as_str().unwrap_or_default().to_string();
        let origin = check_name(&zone_name).map_err(|m| at(&zone_name, format!("zone: {m}")))?;
        // An alias zone has the records (and targets) of the zone it names.
        let (zone, source_zone) = match zone.get("alias").and_then(Value::as_str) {
            Some(target) => (
                zones.get(target).ok_or_else(|| {
                    at(
                        &zone_name,
                        format!(
                            "zone \"{zone_name}\" aliases \"{target}\", which is not a zone here"
                        ),
                    )
                })?,
                target.to_string(),
            ),
            None => (zone, zone_name.clone()),
        };
        let dns = targets(&mut plan, catalog, zone, &class_of, &at)?;
        if dns.is_empty() {
            return Err(at(
                &zone_name,
                format!("zone \"{zone_name}\" has no targets: no provider serves it"),
            ));
        }
        let sources = Sources {
            providers,
            base,
            origin: &origin,
            source_zone: &source_zone,
        };
        let (records, children, read_any) = sources.read(&mut plan, zone, &class_of)?;
        if !read_any {
            return Err(at(
                &zone_name,
                format!(
                    "zone \"{zone_name}\" has no YamlProvider source: its records cannot be read"
                ),
            ));
        }
        plan.add_zone(&Zone {
            origin: &origin,
            dns: &dns,
            standby: &[],
            ns_ttl: None,
            records: &records,
        });
        add_children(&mut plan, catalog, children, &origin, &dns);
    }
    plan.finish_requirements();
    plan.finish(path)
}

/// The class of provider `name`, which must be defined under `providers`.
fn class_of<'a>(
    providers: &'a serde_yaml_ng::Mapping,
    name: &str,
    at: &dyn Fn(&str, String) -> InputError,
) -> Result<&'a str, InputError> {
    providers
        .get(name)
        .and_then(|p| p.get("class"))
        .and_then(Value::as_str)
        .ok_or_else(|| {
            at(
                &format!("- {name}"),
                format!("provider \"{name}\" is not defined (with a class) under `providers`"),
            )
        })
}

/// A zone's `targets`: the providers that serve it, each once.
fn targets<'a>(
    plan: &mut Plan,
    catalog: &Catalog,
    zone: &Value,
    class_of: &dyn Fn(&str) -> Result<&'a str, InputError>,
    at: &dyn Fn(&str, String) -> InputError,
) -> Result<Vec<String>, InputError> {
    let mut dns = Vec::new();
    for t in str_list(zone.get("targets")) {
        let class = class_of(&t)?;
        let entry = catalog.by_octodns_class(class).ok_or_else(|| {
            at(
                class,
                format!(
                    "provider \"{t}\" has class \"{class}\", which the catalog does not know (add it with --catalog FILE: octodns = [\"{class}\"])"
                ),
            )
        })?;
        let id = plan.provider(&entry.id, &entry.name, &entry.ns);
        if !dns.contains(&id) {
            dns.push(id);
        }
    }
    Ok(dns)
}

/// Where a zone's records come from: its `sources`.
struct Sources<'a> {
    providers: &'a serde_yaml_ng::Mapping,
    /// The config's directory: YamlProvider directories are relative to it.
    base: &'a Path,
    origin: &'a str,
    /// The zone whose files hold the records (itself, or the zone an alias
    /// names).
    source_zone: &'a str,
}

impl Sources<'_> {
    /// The records of every YamlProvider source (others are reported and
    /// skipped), and whether any was read.
    fn read<'c>(
        &self,
        plan: &mut Plan,
        zone: &Value,
        class_of: &dyn Fn(&str) -> Result<&'c str, InputError>,
    ) -> Result<(Vec<Rec>, Vec<Child>, bool), InputError> {
        let mut records = Vec::new();
        let mut children = Vec::new();
        let mut read_any = false;
        for s in str_list(zone.get("sources")) {
            let class = class_of(&s)?;
            if !YAML_PROVIDER.contains(&class) {
                plan.report.push(format!(
                    "zone {}: source \"{s}\" ({class}) is not read; only YamlProvider zone files are",
                    self.origin
                ));
                continue;
            }
            let p = &self.providers[s.as_str()];
            let dir = p.get("directory").and_then(Value::as_str).unwrap_or(".");
            let default_ttl = p
                .get("default_ttl")
                .and_then(Value::as_u64)
                .and_then(|t| u32::try_from(t).ok())
                .unwrap_or(DEFAULT_TTL);
            // octoDNS names zone files after the zone with its trailing dot:
            // `example.com.` → `example.com.yaml`.
            let file: PathBuf = self
                .base
                .join(dir.trim_start_matches("./"))
                .join(format!("{}.yaml", self.source_zone.trim_end_matches('.')));
            let (mut recs, mut kids) = zone_records(&file, self.origin, default_ttl)?;
            records.append(&mut recs);
            children.append(&mut kids);
            read_any = true;
        }
        Ok((records, children, read_any))
    }
}
