//! Reading and validating a scenario file into a [`Scenario`].
//!
//! Validation happens once, here, in file order, and stops at the first
//! problem: one precise message beats a page of consequences. Services are
//! gathered from the file and its CSV includes first and resolved second,
//! since a requirement may name a service that appears later.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use sha2::{Digest, Sha256};
use toml::Value;

use super::raw::{self, RawScenario, S};
use super::source::Source;
use super::*;
use crate::duration::{self, Millis};
use crate::error::{InputError, did_you_mean, unknown};

/// The deepest nesting of arrays and inline tables we hand to the TOML parser.
/// Real scenarios nest three deep; this bound keeps a hostile file from
/// exhausting the stack.
const MAX_NESTING: usize = 64;

/// Reads, parses and validates the scenario at `path` and its includes.
pub fn load(path: &Path) -> Result<Scenario, InputError> {
    parse_str(path, &read_input(path, "scenario")?)
}

/// Reads an input file whole; failure is an input error that says which
/// kind of file (`what`) could not be read, and why.
pub fn read_input(path: &Path, what: &str) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|e| {
        InputError::new(format!("cannot read {what}: {}", io_reason(&e))).in_file(path)
    })
}

/// Parses and validates scenario text; `path` names it in errors and anchors
/// relative include paths.
pub fn parse_str(path: &Path, text: &str) -> Result<Scenario, InputError> {
    let src = Source::new(path, text);
    check_nesting(&src)?;
    let raw: RawScenario = toml::from_str(text).map_err(|e| toml_error(&src, &e))?;
    Loader {
        src: &src,
        ids: HashMap::new(),
        regions: Vec::new(),
    }
    .scenario(raw)
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

fn check_nesting(src: &Source) -> Result<(), InputError> {
    // Counting brackets outside strings and comments is enough for a bound.
    let (mut depth, mut in_str, mut in_comment, mut prev) = (0usize, None::<char>, false, '\0');
    for (i, c) in src.text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if let Some(q) = in_str {
            if c == q && !(q == '"' && prev == '\\') {
                in_str = None;
            }
        } else {
            match c {
                '"' | '\'' => in_str = Some(c),
                '#' => in_comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Err(src.error(
                            i..i + 1,
                            "document",
                            format!(
                                "arrays and inline tables nest deeper than {MAX_NESTING} levels"
                            ),
                        ));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        prev = if prev == '\\' && c == '\\' { '\0' } else { c };
    }
    Ok(())
}

/// Rewrites serde's messages into ours: unknown keys get a suggestion, type
/// errors say what kind of value was meant.
fn toml_error(src: &Source, e: &toml::de::Error) -> InputError {
    let span = e.span().unwrap_or(0..0);
    let msg = e.message().trim();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = did_you_mean(
            field,
            expected
                .iter()
                .copied()
                .chain(raw::KNOWN_KEYS.iter().copied())
                .filter(|k| expected.is_empty() || expected.contains(k)),
        );
        let mut message = format!("unknown key \"{field}\"");
        if let Some(h) = hint {
            message.push_str(&format!(" (did you mean \"{h}\"?)"));
        } else if !expected.is_empty() {
            message.push_str(&format!(" (expected one of: {})", expected.join(", ")));
        }
        let mut err = src.error_guessing_key(span, message);
        err.key = Some(match err.key.take() {
            Some(table) if !table.is_empty() && table != field => format!("{table}.{field}"),
            _ => field.to_string(),
        });
        return err;
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return src.error_guessing_key(span, format!("missing required key \"{field}\""));
    }
    let friendly = msg
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a boolean", "expected true or false");
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return src.error_guessing_key(span, friendly);
    }
    let (line, column) = src.line_col(span.start);
    InputError::new(format!("TOML syntax error: {friendly}"))
        .in_file(&src.path)
        .at(line, column)
}

/// A service's resolved `requires` and `requires_any`.
type Requirements = (Box<[u32]>, Box<[Box<[u32]>]>);

/// Where a value came from, for errors found after parsing.
#[derive(Clone, Debug)]
pub(super) enum Loc {
    Toml(Range<usize>),
    Csv {
        /// Shared by every row of the file: one allocation, not one a row.
        file: Arc<Path>,
        line: u64,
        column: usize,
    },
}

/// A service read but not yet resolved: its requirements are still names.
pub(super) struct Pending {
    pub service: Service,
    pub loc: Loc,
    pub requires: Vec<(String, Loc)>,
    pub requires_any: Vec<Vec<(String, Loc)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum IdKind {
    Provider,
    CommonCause,
}

struct Loader<'a> {
    src: &'a Source<'a>,
    /// Provider and common-cause ids; services are checked against these.
    ids: HashMap<String, (IdKind, u32, Range<usize>)>,
    regions: Vec<Region>,
}

impl<'a> Loader<'a> {
    fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> InputError {
        self.src.error(span, key, message)
    }

    pub(super) fn loc_err(&self, loc: &Loc, key: &str, message: impl Into<String>) -> InputError {
        match loc {
            Loc::Toml(span) => self.err(span.clone(), key, message),
            Loc::Csv { file, line, column } => InputError::new(message)
                .in_file(file)
                .at(*line as usize, *column)
                .with_key(key),
        }
    }

    fn scenario(mut self, raw: RawScenario) -> Result<Scenario, InputError> {
        let simulation = self.simulation(raw.simulation)?;
        self.regions(raw.region)?;
        let providers = raw
            .provider
            .into_iter()
            .enumerate()
            .map(|(i, p)| self.provider(i, p))
            .collect::<Result<Vec<_>, _>>()?;
        let common_causes = raw
            .common_cause
            .into_iter()
            .enumerate()
            .map(|(i, c)| self.common_cause(i, c))
            .collect::<Result<Vec<_>, _>>()?;

        // The content hash covers the file and its includes, so that shards
        // of one run can prove they ran the same plan.
        let mut hasher = Sha256::new();
        hasher.update(b"dnsim/scenario/v1\0");
        hasher.update(self.src.text.as_bytes());
        let mut pending = Vec::with_capacity(raw.service.len());
        for s in raw.service {
            pending.push(self.service(s)?);
        }
        for inc in &raw.include {
            let rel = inc.services.get_ref();
            let dir = self.src.path.parent().unwrap_or(Path::new("."));
            let path = dir.join(rel);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                self.err(
                    inc.services.span(),
                    "include.services",
                    format!(
                        "cannot read included file \"{}\": {}",
                        path.display(),
                        io_reason(&e)
                    ),
                )
            })?;
            hasher.update(b"\0include\0");
            hasher.update(rel.as_bytes());
            hasher.update(b"\0");
            hasher.update(text.as_bytes());
            super::csv_include::read(&path, &text, |p| self.provider_index(p), &mut pending)?;
        }
        if pending.is_empty() {
            return Err(InputError::new(
                "the scenario has no services: add a [[service]] or an [[include]]",
            )
            .in_file(&self.src.path));
        }
        let services = self.resolve(pending)?;

        let resolvers = match raw.resolvers {
            Some(r) => self.resolvers(r)?,
            None => Resolvers::default(),
        };
        let events = raw
            .event
            .into_iter()
            .map(|e| self.event(e, &simulation))
            .collect::<Result<Vec<_>, _>>()?;

        let name = match raw.name {
            Some(n) => n.into_inner(),
            None => self.src.path.file_stem().map_or_else(
                || "scenario".to_string(),
                |s| s.to_string_lossy().into_owned(),
            ),
        };
        let content_hash = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Scenario {
            content_hash,
            name,
            description: raw.description.unwrap_or_default(),
            sources: raw.sources.unwrap_or_default(),
            simulation,
            regions: self.regions,
            providers,
            common_causes,
            services,
            resolvers,
            events,
        })
    }

    fn simulation(&self, raw: Option<raw::RawSimulation>) -> Result<Simulation, InputError> {
        let mut sim = Simulation {
            model: ModelKind::Snapshot,
            trials: 10_000,
            seed: 0,
            horizon: Millis::from_secs(365 * 86400),
            start: None,
            start_unix: None,
        };
        let Some(raw) = raw else { return Ok(sim) };
        if let Some(m) = raw.model {
            sim.model = parse_model(m.get_ref())
                .map_err(|msg| self.err(m.span(), "simulation.model", msg))?;
        }
        if let Some(t) = raw.trials {
            if *t.get_ref() < 1 {
                return Err(self.err(
                    t.span(),
                    "simulation.trials",
                    format!("trials must be at least 1, got {}", t.get_ref()),
                ));
            }
            sim.trials = *t.get_ref() as u64;
        }
        if let Some(s) = raw.seed {
            if *s.get_ref() < 0 {
                return Err(self.err(
                    s.span(),
                    "simulation.seed",
                    format!("seed must be a non-negative integer, got {}", s.get_ref()),
                ));
            }
            sim.seed = *s.get_ref() as u64;
        }
        if let Some(h) = raw.horizon {
            sim.horizon = self.duration(&h, "simulation.horizon")?;
            if sim.horizon.0 == 0 {
                return Err(self.err(
                    h.span(),
                    "simulation.horizon",
                    "horizon must be longer than zero",
                ));
            }
        }
        if let Some(st) = raw.start {
            let text = self.time_text(&st, "simulation.start")?;
            sim.start_unix =
                Some(parse_instant(&text).map_err(|m| self.err(st.span(), "simulation.start", m))?);
            sim.start = Some(text);
        }
        Ok(sim)
    }

    fn regions(&mut self, raw: Vec<raw::RawRegion>) -> Result<(), InputError> {
        if raw.is_empty() {
            self.regions.push(Region {
                id: "global".into(),
                weight: 1.0,
            });
            return Ok(());
        }
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        for r in raw {
            self.check_id(&r.id, "region.id")?;
            if let Some(first) = seen.get(r.id.get_ref()) {
                let (line, _) = self.src.line_col(first.start);
                return Err(self.err(
                    r.id.span(),
                    "region.id",
                    format!(
                        "duplicate region id \"{}\" (first defined on line {line})",
                        r.id.get_ref()
                    ),
                ));
            }
            seen.insert(r.id.get_ref().clone(), r.id.span());
            let weight = match &r.weight {
                Some(w) => self.non_negative(w, "region.weight")?,
                None => 1.0,
            };
            self.regions.push(Region {
                id: r.id.into_inner(),
                weight,
            });
        }
        let total: f64 = self.regions.iter().map(|r| r.weight).sum();
        if total <= 0.0 {
            return Err(InputError::new(
                "region weights sum to zero: at least one region needs a positive weight",
            )
            .in_file(&self.src.path)
            .with_key("region.weight"));
        }
        for r in &mut self.regions {
            r.weight /= total;
        }
        Ok(())
    }

    fn provider(&mut self, index: usize, raw: raw::RawProvider) -> Result<Provider, InputError> {
        self.check_id(&raw.id, "provider.id")?;
        self.claim_id(&raw.id, IdKind::Provider, index, "provider.id")?;
        let outages_per_year = match &raw.outages_per_year {
            Some(v) => self.non_negative(v, "provider.outages_per_year")?,
            None => 0.0,
        };
        let outage_duration = match &raw.outage_duration {
            Some(v) => self.outage_duration(v, "provider.outage_duration")?,
            None => OutageDuration::DEFAULT,
        };
        let p_outage = match &raw.p_outage {
            Some(p) => self.probability(p, "provider.p_outage")?,
            None => unavailability(outages_per_year, outage_duration),
        };
        let mut regional = Vec::new();
        for (region, p) in raw.regional_p_outage.iter().flatten() {
            let r = self.region_index(region, "provider.regional_p_outage")?;
            regional.push((r, self.probability(p, "provider.regional_p_outage")?));
        }
        regional.sort_by_key(|&(r, _)| r);
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "provider.loss")?,
            None => 1.0,
        };
        Ok(Provider {
            name: raw.name.unwrap_or_else(|| raw.id.get_ref().clone()),
            id: raw.id.into_inner(),
            ns: raw.ns.unwrap_or_default(),
            p_outage,
            regional_p_outage: regional,
            outages_per_year,
            outage_duration,
            loss,
        })
    }

    fn common_cause(
        &mut self,
        index: usize,
        raw: raw::RawCommonCause,
    ) -> Result<CommonCause, InputError> {
        self.check_id(&raw.id, "common_cause.id")?;
        self.claim_id(&raw.id, IdKind::CommonCause, index, "common_cause.id")?;
        if raw.providers.get_ref().is_empty() {
            return Err(self.err(
                raw.providers.span(),
                "common_cause.providers",
                format!("common cause \"{}\" names no providers", raw.id.get_ref()),
            ));
        }
        let mut members = Vec::new();
        for p in raw.providers.get_ref() {
            let i = self.provider_ref(p, "common_cause.providers")?;
            if !members.contains(&i) {
                members.push(i);
            }
        }
        let regions = match &raw.regions {
            Some(list) => self.region_list(list, "common_cause.regions")?,
            None => (0..self.regions.len() as u32).collect(),
        };
        let per_year = match &raw.per_year {
            Some(v) => self.non_negative(v, "common_cause.per_year")?,
            None => 0.0,
        };
        let duration = match &raw.duration {
            Some(v) => self.outage_duration(v, "common_cause.duration")?,
            None => OutageDuration::DEFAULT,
        };
        let p = match &raw.p {
            Some(p) => self.probability(p, "common_cause.p")?,
            None => unavailability(per_year, duration),
        };
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "common_cause.loss")?,
            None => 1.0,
        };
        Ok(CommonCause {
            id: raw.id.into_inner(),
            providers: members,
            regions,
            p,
            per_year,
            duration,
            loss,
        })
    }

    fn service(&self, raw: raw::RawService) -> Result<Pending, InputError> {
        self.check_id(&raw.id, "service.id")?;
        if raw.dns.get_ref().is_empty() {
            return Err(self.err(
                raw.dns.span(),
                "service.dns",
                format!(
                    "service \"{}\" has an empty dns list: delegate it to at least one provider",
                    raw.id.get_ref()
                ),
            ));
        }
        let dns = self.provider_set(raw.dns.get_ref(), "service.dns")?;
        let standby =
            self.provider_set(raw.standby.as_deref().unwrap_or(&[]), "service.standby")?;
        let mut service = Service::new(raw.id.get_ref(), dns);
        service.standby = standby.into();
        for (value, key, slot) in [
            (&raw.ttl, "service.ttl", &mut service.ttl),
            (&raw.ns_ttl, "service.ns_ttl", &mut service.ns_ttl),
            (
                &raw.delegation_ttl,
                "service.delegation_ttl",
                &mut service.delegation_ttl,
            ),
            (
                &raw.failover_after,
                "service.failover_after",
                &mut service.failover_after,
            ),
        ] {
            if let Some(v) = value {
                *slot = self.whole_seconds(v, key)?;
            }
        }
        if let Some(q) = &raw.query_rate {
            service.query_rate = self.non_negative(q, "service.query_rate")?;
        }
        if let Some(w) = &raw.weight {
            service.weight = self.non_negative(w, "service.weight")?;
        }
        let requires = raw
            .requires
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.get_ref().clone(), Loc::Toml(r.span())))
            .collect();
        let mut requires_any = Vec::new();
        for group in raw.requires_any.unwrap_or_default() {
            if group.get_ref().is_empty() {
                return Err(self.err(
                    group.span(),
                    "service.requires_any",
                    "a requires_any group must name at least one service",
                ));
            }
            requires_any.push(
                group
                    .get_ref()
                    .iter()
                    .map(|r| (r.get_ref().clone(), Loc::Toml(r.span())))
                    .collect(),
            );
        }
        Ok(Pending {
            service,
            loc: Loc::Toml(raw.id.span()),
            requires,
            requires_any,
        })
    }

    /// Gives services their indices, resolves requirements, and refuses cycles.
    fn resolve(&self, pending: Vec<Pending>) -> Result<Vec<Service>, InputError> {
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(pending.len());
        for (i, p) in pending.iter().enumerate() {
            let id = &*p.service.id;
            if let Some((kind, _, span)) = self.ids.get(id) {
                let what = if *kind == IdKind::Provider {
                    "provider"
                } else {
                    "common cause"
                };
                let (line, _) = self.src.line_col(span.start);
                return Err(self.loc_err(&p.loc, "service.id", format!(
                    "duplicate id \"{id}\": already a {what} (line {line}); ids are unique across providers, common causes and services"
                )));
            }
            if let Some(&first) = index.get(id) {
                let at = match &pending[first as usize].loc {
                    Loc::Toml(span) => format!("line {}", self.src.line_col(span.start).0),
                    Loc::Csv { file, line, .. } => format!("{}:{line}", file.display()),
                };
                return Err(self.loc_err(
                    &p.loc,
                    "service.id",
                    format!("duplicate service id \"{id}\" (first defined at {at})"),
                ));
            }
            index.insert(id, i as u32);
        }
        let lookup = |name: &str, loc: &Loc, key: &str| -> Result<u32, InputError> {
            if let Some(&i) = index.get(name) {
                return Ok(i);
            }
            let message = if self
                .ids
                .get(name)
                .is_some_and(|(k, _, _)| *k == IdKind::Provider)
            {
                format!("\"{name}\" is a provider, but {key} names services (providers go in dns)")
            } else {
                unknown("service", name, index.keys().copied())
            };
            Err(self.loc_err(loc, key, message))
        };
        let mut resolved: Vec<Requirements> = Vec::with_capacity(pending.len());
        for p in &pending {
            let mut req = Vec::with_capacity(p.requires.len());
            for (name, loc) in &p.requires {
                let i = lookup(name, loc, "service.requires")?;
                if !req.contains(&i) {
                    req.push(i);
                }
            }
            let mut any = Vec::with_capacity(p.requires_any.len());
            for group in &p.requires_any {
                let mut g = Vec::with_capacity(group.len());
                for (name, loc) in group {
                    let i = lookup(name, loc, "service.requires_any")?;
                    if !g.contains(&i) {
                        g.push(i);
                    }
                }
                any.push(g.into_boxed_slice());
            }
            resolved.push((req.into(), any.into()));
        }
        drop(index);
        let mut services: Vec<Service> = Vec::with_capacity(pending.len());
        let mut locs = Vec::with_capacity(pending.len());
        for (p, (req, any)) in pending.into_iter().zip(resolved) {
            let mut s = p.service;
            s.requires = req;
            s.requires_any = any;
            services.push(s);
            locs.push(p.loc);
        }
        if let Some(cycle) = find_cycle(&services) {
            let names: Vec<&str> = cycle.iter().map(|&i| &*services[i as usize].id).collect();
            return Err(self.loc_err(
                &locs[cycle[0] as usize],
                "service.requires",
                format!("requirement cycle: {} → {}", names.join(" → "), names[0]),
            ));
        }
        Ok(services)
    }

    fn resolvers(&self, raw: raw::RawResolvers) -> Result<Resolvers, InputError> {
        let mut r = Resolvers::default();
        if let Some(v) = &raw.per_region {
            r.per_region = self.positive_int(v, "resolvers.per_region")?;
        }
        if let Some(v) = &raw.attempts {
            r.attempts = self.positive_int(v, "resolvers.attempts")?;
        }
        if let Some(v) = &raw.retry_timeout {
            r.retry_timeout = self.duration(v, "resolvers.retry_timeout")?;
        }
        if let Some(v) = raw.serve_stale {
            r.serve_stale = v;
        }
        if let Some(v) = &raw.max_stale {
            r.max_stale = self.duration(v, "resolvers.max_stale")?;
        }
        if let Some(v) = &raw.max_cache_ttl {
            r.max_cache_ttl = self.duration(v, "resolvers.max_cache_ttl")?;
        }
        if let Some(v) = &raw.parent_centric_share {
            r.parent_centric_share = self.probability(v, "resolvers.parent_centric_share")?;
        }
        Ok(r)
    }

    fn event(&self, raw: raw::RawEvent, sim: &Simulation) -> Result<Event, InputError> {
        let target = match (&raw.provider, &raw.common_cause) {
            (Some(p), None) => match self.ids.get(p.get_ref()) {
                Some((IdKind::Provider, i, _)) => EventTarget::Provider(*i),
                _ => {
                    return Err(self.err(
                        p.span(),
                        "event.provider",
                        self.unknown_id(p.get_ref(), IdKind::Provider),
                    ));
                }
            },
            (None, Some(c)) => match self.ids.get(c.get_ref()) {
                Some((IdKind::CommonCause, i, _)) => EventTarget::CommonCause(*i),
                _ => {
                    return Err(self.err(
                        c.span(),
                        "event.common_cause",
                        self.unknown_id(c.get_ref(), IdKind::CommonCause),
                    ));
                }
            },
            _ => {
                return Err(self.err(
                    raw.start.span(),
                    "event",
                    "an event names exactly one of provider or common_cause",
                ));
            }
        };
        let regions = match &raw.regions {
            Some(list) => self.region_list(list, "event.regions")?,
            None => (0..self.regions.len() as u32).collect(),
        };
        let loss = match &raw.loss {
            Some(l) => self.probability(l, "event.loss")?,
            None => 1.0,
        };
        let start = self.event_time(&raw.start, "event.start", sim)?;
        let end = self.event_time(&raw.end, "event.end", sim)?;
        if end <= start {
            return Err(self.err(raw.end.span(), "event.end", format!(
                "the event ends ({end} after t = 0) before or when it starts ({start} after t = 0)"
            )));
        }
        if end > sim.horizon {
            return Err(self.err(
                raw.end.span(),
                "event.end",
                format!(
                    "the event ends {end} after t = 0, outside the horizon of {}",
                    sim.horizon
                ),
            ));
        }
        Ok(Event {
            target,
            regions,
            start,
            end,
            loss,
        })
    }

    // ----- single values -----

    fn check_id(&self, id: &S<String>, key: &str) -> Result<(), InputError> {
        check_id_text(id.get_ref()).map_err(|m| self.err(id.span(), key, m))
    }

    fn claim_id(
        &mut self,
        id: &S<String>,
        kind: IdKind,
        index: usize,
        key: &str,
    ) -> Result<(), InputError> {
        if let Some((_, _, first)) = self.ids.get(id.get_ref()) {
            let (line, _) = self.src.line_col(first.start);
            return Err(self.err(id.span(), key, format!(
                "duplicate id \"{}\" (first defined on line {line}); ids are unique across providers, common causes and services",
                id.get_ref()
            )));
        }
        self.ids
            .insert(id.get_ref().clone(), (kind, index as u32, id.span()));
        Ok(())
    }

    fn unknown_id(&self, name: &str, kind: IdKind) -> String {
        let what = if kind == IdKind::Provider {
            "provider"
        } else {
            "common cause"
        };
        unknown(
            what,
            name,
            self.ids
                .iter()
                .filter(|(_, v)| v.0 == kind)
                .map(|(k, _)| k.as_str()),
        )
    }

    fn provider_index(&self, name: &str) -> Result<u32, String> {
        match self.ids.get(name) {
            Some((IdKind::Provider, i, _)) => Ok(*i),
            _ => Err(self.unknown_id(name, IdKind::Provider)),
        }
    }

    fn provider_ref(&self, name: &S<String>, key: &str) -> Result<u32, InputError> {
        self.provider_index(name.get_ref())
            .map_err(|m| self.err(name.span(), key, m))
    }

    fn provider_set(&self, names: &[S<String>], key: &str) -> Result<Vec<u32>, InputError> {
        let mut out = Vec::with_capacity(names.len());
        for n in names {
            let i = self.provider_ref(n, key)?;
            if out.contains(&i) {
                return Err(self.err(
                    n.span(),
                    key,
                    format!("provider \"{}\" is listed twice", n.get_ref()),
                ));
            }
            out.push(i);
        }
        Ok(out)
    }

    fn region_index(&self, name: &S<String>, key: &str) -> Result<u32, InputError> {
        self.regions
            .iter()
            .position(|r| r.id == *name.get_ref())
            .map(|i| i as u32)
            .ok_or_else(|| {
                self.err(
                    name.span(),
                    key,
                    unknown(
                        "region",
                        name.get_ref(),
                        self.regions.iter().map(|r| r.id.as_str()),
                    ),
                )
            })
    }

    fn region_list(&self, names: &[S<String>], key: &str) -> Result<Vec<u32>, InputError> {
        let mut out = Vec::new();
        for n in names {
            let r = self.region_index(n, key)?;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    fn probability(&self, v: &S<f64>, key: &str) -> Result<f64, InputError> {
        check_probability(*v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    fn non_negative(&self, v: &S<f64>, key: &str) -> Result<f64, InputError> {
        check_non_negative(*v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    fn positive_int(&self, v: &S<i64>, key: &str) -> Result<u32, InputError> {
        match u32::try_from(*v.get_ref()) {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(self.err(
                v.span(),
                key,
                format!(
                    "expected a whole number from 1 to {}, got {}",
                    u32::MAX,
                    v.get_ref()
                ),
            )),
        }
    }

    fn duration(&self, v: &S<Value>, key: &str) -> Result<Millis, InputError> {
        duration_value(v.get_ref()).map_err(|m| self.err(v.span(), key, m))
    }

    fn whole_seconds(&self, v: &S<Value>, key: &str) -> Result<u32, InputError> {
        let d = self.duration(v, key)?;
        seconds_u32(d).map_err(|m| self.err(v.span(), key, m))
    }

    fn outage_duration(&self, v: &S<Value>, key: &str) -> Result<OutageDuration, InputError> {
        let Value::Table(t) = v.get_ref() else {
            return Ok(OutageDuration::Fixed(self.duration(v, key)?));
        };
        let err = |m: String| self.err(v.span(), key, m);
        for k in t.keys() {
            if k != "median" && k != "p95" {
                let hint = did_you_mean(k, ["median", "p95"])
                    .map_or(String::new(), |h| format!(" (did you mean \"{h}\"?)"));
                return Err(err(format!(
                    "unknown key \"{k}\" in a lognormal duration{hint}; expected {{ median = \"…\", p95 = \"…\" }}"
                )));
            }
        }
        let (Some(median), Some(p95)) = (t.get("median"), t.get("p95")) else {
            return Err(err("a lognormal duration needs both median and p95, e.g. { median = \"45m\", p95 = \"6h\" }".into()));
        };
        let median = duration_value(median).map_err(&err)?;
        let p95 = duration_value(p95).map_err(&err)?;
        if p95 < median {
            return Err(err(format!(
                "p95 ({p95}) is below the median ({median}): a lognormal's p95 is at least its median"
            )));
        }
        Ok(OutageDuration::LogNormal { median, p95 })
    }

    /// An event time as an offset from t = 0: "HH:MM" (a time of day on the
    /// day of `simulation.start`, or from t = 0 when there is no start), a
    /// duration ("1d2h"), whole seconds, or an RFC 3339 instant (which needs
    /// `simulation.start`).
    fn event_time(&self, v: &S<Value>, key: &str, sim: &Simulation) -> Result<Millis, InputError> {
        let text = self.time_text(v, key)?;
        let err = |m: String| self.err(v.span(), key, m);
        let start = sim.start_unix;
        if let Some((h, m)) = text.split_once(':').filter(|(h, m)| {
            !h.is_empty()
                && h.len() <= 2
                && m.len() == 2
                && h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())
        }) {
            let (h, m): (u64, u64) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
            if h > 23 || m > 59 {
                return Err(err(format!(
                    "\"{text}\" is not a time of day (HH:MM, 00:00 to 23:59)"
                )));
            }
            let secs = h * 3600 + m * 60;
            let day_start = start.map_or(0, |s| s.rem_euclid(86400) as u64);
            return secs
                .checked_sub(day_start)
                .map(Millis::from_secs)
                .ok_or_else(|| err(format!("{text} is before simulation.start")));
        }
        if text.len() >= 10 && text.as_bytes()[4] == b'-' {
            let Some(start) = start else {
                return Err(err(format!(
                    "\"{text}\" is an instant, which needs simulation.start to place it"
                )));
            };
            let at = parse_instant(&text).map_err(&err)?;
            return u64::try_from(at - start)
                .map(Millis::from_secs)
                .map_err(|_| err(format!("{text} is before simulation.start")));
        }
        duration_value(&toml::Value::String(text.clone())).map_err(err)
    }

    fn time_text(&self, v: &S<Value>, key: &str) -> Result<String, InputError> {
        match v.get_ref() {
            Value::String(s) => Ok(s.clone()),
            Value::Datetime(d) => Ok(d.to_string()),
            Value::Integer(i) if *i >= 0 => Ok(i.to_string()),
            other => Err(self.err(
                v.span(),
                key,
                format!(
                    "expected a time (\"HH:MM\", a duration such as \"1d2h\", or RFC 3339), got {}",
                    other.type_str()
                ),
            )),
        }
    }
}

/// Seconds since the Unix epoch of an RFC 3339 instant.
fn parse_instant(text: &str) -> Result<i64, String> {
    let t = humantime::parse_rfc3339_weak(text.trim_end_matches('Z')).map_err(|e| {
        format!("\"{text}\" is not an RFC 3339 instant such as 2016-10-21T00:00:00Z: {e}")
    })?;
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => Ok(d.as_secs() as i64),
        Err(e) => Ok(-(e.duration().as_secs() as i64)),
    }
}

fn parse_model(text: &str) -> Result<ModelKind, String> {
    match text {
        "snapshot" => Ok(ModelKind::Snapshot),
        "timeline" => Ok(ModelKind::Timeline),
        other => Err(unknown("model", other, ["snapshot", "timeline"])
            + "; expected \"snapshot\" or \"timeline\""),
    }
}

/// Long-run unavailability from an outage rate and duration (spec §1),
/// capped at 1.
pub(super) fn unavailability(per_year: f64, duration: OutageDuration) -> f64 {
    (per_year * duration.mean_secs() / YEAR_SECS).min(1.0)
}

pub(super) fn check_id_text(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("an id must not be empty".into());
    }
    if let Some(c) = id
        .chars()
        .find(|c| c.is_whitespace() || matches!(c, '@' | ';' | ','))
    {
        return Err(format!(
            "id \"{id}\" contains {c:?}; ids contain no whitespace, '@', ';' or ','"
        ));
    }
    Ok(())
}

pub(super) fn check_probability(p: f64) -> Result<f64, String> {
    if p.is_nan() {
        return Err("expected a probability in [0, 1], got NaN".into());
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("expected a probability in [0, 1], got {p}"));
    }
    Ok(p)
}

pub(super) fn check_non_negative(x: f64) -> Result<f64, String> {
    if x.is_nan() || x.is_infinite() || x < 0.0 {
        return Err(format!("expected a finite number ≥ 0, got {x}"));
    }
    Ok(x)
}

pub(super) fn duration_value(v: &Value) -> Result<Millis, String> {
    match v {
        Value::Integer(i) if *i >= 0 => Ok(Millis((*i as u64).saturating_mul(1000))),
        Value::Integer(i) => Err(format!("expected a duration, got the negative number {i}")),
        Value::String(s) => duration::parse(s),
        other => Err(format!(
            "expected a duration (seconds, or a string such as \"30m\"), got {}",
            other.type_str()
        )),
    }
}

pub(super) fn seconds_u32(d: Millis) -> Result<u32, String> {
    if d.0 % 1000 != 0 {
        return Err(format!(
            "expected whole seconds (DNS TTLs have no fractions), got {d}"
        ));
    }
    u32::try_from(d.0 / 1000).map_err(|_| format!("duration {d} is longer than a DNS TTL can be"))
}

/// Finds a requirement cycle, if any, as the services on it in order.
/// Strongly connected components come from petgraph's iterative Kosaraju
/// (a recursive search would overflow the stack on long chains).
pub fn find_cycle(services: &[Service]) -> Option<Vec<u32>> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(services.len(), services.len());
    for _ in services {
        g.add_node(());
    }
    for (i, s) in services.iter().enumerate() {
        for &r in s.requires.iter().chain(s.requires_any.iter().flatten()) {
            if r as usize == i {
                return Some(vec![r]);
            }
            g.add_edge(NodeIndex::new(i), NodeIndex::new(r as usize), ());
        }
    }
    let scc = petgraph::algo::kosaraju_scc(&g)
        .into_iter()
        .find(|c| c.len() > 1)?;
    // Walk from the smallest member, staying inside the component, until a
    // service repeats: the walk from that service on is a cycle.
    let members: std::collections::HashSet<u32> = scc.iter().map(|n| n.index() as u32).collect();
    let start = *members.iter().min()?;
    let mut order: BTreeMap<u32, usize> = BTreeMap::new();
    let mut path = Vec::new();
    let mut at = start;
    loop {
        if let Some(&pos) = order.get(&at) {
            return Some(path[pos..].to_vec());
        }
        order.insert(at, path.len());
        path.push(at);
        let s = &services[at as usize];
        at = *s
            .requires
            .iter()
            .chain(s.requires_any.iter().flatten())
            .filter(|r| members.contains(r))
            .min()?;
    }
}
