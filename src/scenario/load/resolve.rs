//! Names into indices: ids claimed once across kinds, references to
//! providers and regions with suggestions, services' requirements resolved
//! after every service is known, and cycles refused ([`super::cycles`]).

use super::flat::Flat;
use super::id_index::IdIndex;
use super::written::{Place, Written};

use super::cycles::{find_cycle, parent_cycle};
use super::diagnostics::Loc;
use super::values::check_id_text;
use super::{IdKind, Loader};
use crate::error::{InputError, unknown};
use crate::scenario::raw::S;
use crate::scenario::*;

/// Services read but not yet resolved, and beside each where it was
/// written: its requirements are still names. Two lists, not one of pairs,
/// so that resolving fills the services in place (a plan of millions of
/// services is never held twice).
#[derive(Default)]
pub(in crate::scenario) struct Pending {
    pub services: Vec<Service>,
    pub written: Vec<Written>,
    /// Which services to keep: all, but for a part of a plan.
    pub keep: super::keep::Keep,
}

impl Pending {
    pub(super) fn push(&mut self, (service, written): (Service, Written)) {
        let names = written.names.as_deref();
        let place = &written.place;
        let required = names.into_iter().flat_map(|n| {
            let others = n.requires_any().iter().flatten().chain(n.parent());
            n.requires(place)
                .map(|(name, _)| name)
                .chain(others.map(|(name, _)| &**name))
        });
        let has_parent = names.is_some_and(|n| n.parent().is_some());
        let requiring = names
            .is_some_and(|n| n.requires(place).next().is_some() || !n.requires_any().is_empty());
        if self.keep.keeps(&service, required, requiring, has_parent) {
            self.services.push(service);
            self.written.push(written);
        }
    }

    pub(super) fn len(&self) -> usize {
        self.services.len()
    }

    /// Makes room for the rest of a file of `size` bytes whose first `rows`
    /// rows took `read` bytes (10% more than their average foretells).
    /// Only when every row is kept: a part keeps few of them.
    pub(super) fn expect(&mut self, rows: usize, read: u64, size: u64) {
        if !matches!(self.keep, super::keep::Keep::All) || read == 0 {
            return;
        }
        let rest = size.saturating_sub(read) as f64 / read as f64 * rows as f64;
        let more = (rest * 1.1) as usize + 64;
        self.services.reserve(more);
        self.written.reserve(more);
    }

    /// Whether the plan has no services (kept or not).
    pub(super) fn is_empty(&self) -> bool {
        self.keep.seen().unwrap_or(self.services.len()) == 0
    }
}

impl Loader<'_> {
    pub(super) fn resolve(&self, pending: Pending) -> Result<Vec<Service>, InputError> {
        let Pending {
            mut services,
            written,
            ..
        } = pending;
        let mut index = IdIndex::new(&services);
        for (i, (s, w)) in services.iter().zip(&written).enumerate() {
            let id = &*s.id;
            if let Some((kind, _, span)) = self.ids.get(id) {
                let what = if *kind == IdKind::Provider {
                    "provider"
                } else {
                    "common cause"
                };
                let (line, _) = self.src.line_col(span.start);
                return Err(self.loc_err(&w.place.loc(), "service.id", format!(
                    "duplicate id \"{id}\": already a {what} (line {line}); ids are unique across providers, common causes and services"
                )));
            }
            if let Some(first) = index.get(id) {
                let at = match &written[first as usize].place {
                    Place::Toml { start, .. } => {
                        format!("line {}", self.src.line_col(*start as usize).0)
                    }
                    Place::Csv { file, line } => format!("{}:{line}", file.path.display()),
                };
                return Err(self.loc_err(
                    &w.place.loc(),
                    "service.id",
                    format!("duplicate service id \"{id}\" (first defined at {at})"),
                ));
            }
            index.insert(i as u32);
        }
        let lookup = |name: &str, loc: &Loc, key: &str| -> Result<u32, InputError> {
            if let Some(i) = index.get(name) {
                return Ok(i);
            }
            let message = if self
                .ids
                .get(name)
                .is_some_and(|(k, _, _)| *k == IdKind::Provider)
            {
                format!("\"{name}\" is a provider, but {key} names services (providers go in dns)")
            } else {
                unknown("service", name, index.keys())
            };
            Err(self.loc_err(loc, key, message))
        };
        // Only the services that name anything, in order: their
        // requirements and parent as indices, in one flat list.
        let mut resolved = Flat::default();
        for (i, w) in written.iter().enumerate() {
            let Some(names) = &w.names else { continue };
            let key = "service.requires";
            resolved.list(
                names
                    .requires(&w.place)
                    .map(|(n, loc)| lookup(n, &loc, key)),
            )?;
            resolved.count(names.requires_any().len());
            for group in names.requires_any() {
                let key = "service.requires_any";
                resolved.list(group.iter().map(|(n, loc)| lookup(n, loc, key)))?;
            }
            resolved.parent(match names.parent() {
                None => None,
                Some((name, loc)) => Some(self.parent(name, loc, &services[i].id, &index)?),
            });
        }
        drop(index);
        let mut read = resolved.reader();
        for (s, w) in services.iter_mut().zip(&written) {
            if w.names.is_none() {
                continue;
            }
            s.set_requires(read.list());
            let groups = (0..read.count())
                .map(|_| read.list().into())
                .collect::<Vec<_>>();
            s.set_requires_any(groups);
            s.set_parent(read.parent());
        }
        drop(resolved);
        if let Some(cycle) = parent_cycle(&services) {
            let names: Vec<&str> = cycle.iter().map(|&i| &*services[i as usize].id).collect();
            let (_, loc) = written[cycle[0] as usize]
                .names
                .as_ref()
                .and_then(|n| n.parent())
                .expect("in a cycle");
            return Err(self.loc_err(
                loc,
                "service.parent",
                format!("parent cycle: {} → {}", names.join(" → "), names[0]),
            ));
        }
        if let Some(cycle) = find_cycle(&services) {
            return Err(self.cycle_error(&services, &cycle, &written));
        }
        Ok(services)
    }

    /// A service's `parent`: another service of the plan, or a provider.
    fn parent(
        &self,
        name: &str,
        loc: &Loc,
        id: &str,
        index: &IdIndex,
    ) -> Result<Parent, InputError> {
        if name == id {
            return Err(self.loc_err(
                loc,
                "service.parent",
                format!(
                    "service \"{id}\" cannot be its own parent: name the zone its delegation is in"
                ),
            ));
        }
        if let Some(i) = index.get(name) {
            return Ok(Parent::Service(i));
        }
        match self.ids.get(name) {
            Some((IdKind::Provider, i, _)) => Ok(Parent::Provider(*i)),
            Some(_) => Err(self.loc_err(
                loc,
                "service.parent",
                format!("\"{name}\" is a common cause; parent names a service or a provider"),
            )),
            None => {
                let providers = self
                    .ids
                    .iter()
                    .filter(|(_, (k, _, _))| *k == IdKind::Provider);
                let names = index.keys().chain(providers.map(|(n, _)| n.as_str()));
                Err(self.loc_err(
                    loc,
                    "service.parent",
                    unknown("service or provider", name, names),
                ))
            }
        }
    }

    /// A requirement cycle, named in order and located at the requirement
    /// that closes its first edge (else at the service).
    fn cycle_error(&self, services: &[Service], cycle: &[u32], written: &[Written]) -> InputError {
        let names: Vec<&str> = cycle.iter().map(|&i| &*services[i as usize].id).collect();
        let next = names[1 % names.len()];
        let first = &written[cycle[0] as usize];
        let given = first.names.as_deref();
        let required = given.and_then(|g| g.requires(&first.place).find(|(n, _)| *n == next));
        let any = given.and_then(|g| {
            g.requires_any()
                .iter()
                .flatten()
                .find(|(n, _)| **n == *next)
        });
        let (key, loc) = match (required, any) {
            (Some((_, loc)), _) => ("service.requires", loc),
            (None, Some((_, loc))) => ("service.requires_any", loc.clone()),
            (None, None) => ("service.requires", first.place.loc()),
        };
        self.loc_err(
            &loc,
            key,
            format!("requirement cycle: {} → {}", names.join(" → "), names[0]),
        )
    }

    pub(super) fn check_id(&self, id: &S<String>, key: &str) -> Result<(), InputError> {
        check_id_text(id.get_ref()).map_err(|m| self.err(id.span(), key, m))
    }

    pub(super) fn claim_id(
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

    pub(super) fn unknown_id(&self, name: &str, kind: IdKind) -> String {
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

    pub(super) fn provider_index(&self, name: &str) -> Result<u32, String> {
        match self.ids.get(name) {
            Some((IdKind::Provider, i, _)) => Ok(*i),
            _ => Err(self.unknown_id(name, IdKind::Provider)),
        }
    }

    pub(super) fn provider_ref(&self, name: &S<String>, key: &str) -> Result<u32, InputError> {
        self.provider_index(name.get_ref())
            .map_err(|m| self.err(name.span(), key, m))
    }

    pub(super) fn provider_set(
        &self,
        names: &[S<String>],
        key: &str,
    ) -> Result<Vec<u32>, InputError> {
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

    pub(super) fn region_index(&self, name: &S<String>, key: &str) -> Result<u32, InputError> {
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

    pub(super) fn region_list(
        &self,
        names: &[S<String>],
        key: &str,
    ) -> Result<Vec<u32>, InputError> {
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
}
