//! Names into indices: ids claimed once across kinds, references to
//! providers and regions with suggestions, services' requirements resolved
//! after every service is known, and requirement cycles found and named.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};

use petgraph::graph::{DiGraph, NodeIndex};

use super::diagnostics::Loc;
use super::values::check_id_text;
use super::{IdKind, Loader};
use crate::error::{InputError, unknown};
use crate::scenario::raw::S;
use crate::scenario::*;

/// A service's resolved `requires` and `requires_any`.
pub(super) type Requirements = (Box<[u32]>, Box<[Box<[u32]>]>);

/// Where a service and each of its requirements were written.
type Written = (Loc, Vec<(String, Loc)>, Vec<Vec<(String, Loc)>>);

/// A service read but not yet resolved: its requirements are still names.
pub(in crate::scenario) struct Pending {
    pub service: Service,
    pub loc: Loc,
    pub requires: Vec<(String, Loc)>,
    pub requires_any: Vec<Vec<(String, Loc)>>,
    /// `parent`, as written.
    pub parent: Option<(String, Loc)>,
}

impl Loader<'_> {
    pub(super) fn resolve(&self, pending: Vec<Pending>) -> Result<Vec<Service>, InputError> {
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
        let mut parents = Vec::with_capacity(pending.len());
        for p in &pending {
            parents.push(match &p.parent {
                None => None,
                Some((name, loc)) => Some(self.parent(name, loc, &p.service.id, &index)?),
            });
        }
        if let Some(cycle) = parent_cycle(&parents) {
            let names: Vec<&str> = cycle
                .iter()
                .map(|&i| &*pending[i as usize].service.id)
                .collect();
            let (_, loc) = pending[cycle[0] as usize]
                .parent
                .as_ref()
                .expect("in a cycle");
            return Err(self.loc_err(
                loc,
                "service.parent",
                format!("parent cycle: {} → {}", names.join(" → "), names[0]),
            ));
        }
        drop(index);
        let mut services: Vec<Service> = Vec::with_capacity(pending.len());
        // Where each requirement was written, kept until the cycle check.
        let mut written = Vec::with_capacity(pending.len());
        for ((p, (req, any)), parent) in pending.into_iter().zip(resolved).zip(parents) {
            let mut s = p.service;
            s.requires = req;
            s.requires_any = any;
            s.parent = parent;
            services.push(s);
            written.push((p.loc, p.requires, p.requires_any));
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
        index: &HashMap<&str, u32>,
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
        if let Some(&i) = index.get(name) {
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
                let names = index
                    .keys()
                    .copied()
                    .chain(providers.map(|(n, _)| n.as_str()));
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
        let (id_loc, req, any) = &written[cycle[0] as usize];
        let (key, loc) = match req.iter().find(|(n, _)| n == next) {
            Some((_, loc)) => ("service.requires", loc),
            None => match any.iter().flatten().find(|(n, _)| n == next) {
                Some((_, loc)) => ("service.requires_any", loc),
                None => ("service.requires", id_loc),
            },
        };
        self.loc_err(
            loc,
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

/// Finds a requirement cycle, if any, as the services on it in order.
/// Strongly connected components come from petgraph's iterative Kosaraju
/// (a recursive search would overflow the stack on long chains).
fn find_cycle(services: &[Service]) -> Option<Vec<u32>> {
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

/// A cycle of `parent`s (each service's parent, where it is a service),
/// named from its first member in file order.
fn parent_cycle(parents: &[Option<Parent>]) -> Option<Vec<u32>> {
    // 0: not seen; 1: on the chain walked now; 2: ends outside a cycle.
    let mut state = vec![0u8; parents.len()];
    for start in 0..parents.len() {
        let mut chain = Vec::new();
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            chain.push(at as u32);
            match parents[at] {
                Some(Parent::Service(q)) => at = q as usize,
                _ => break,
            }
        }
        if state[at] == 1
            && matches!(
                parents[*chain.last().expect("a step") as usize],
                Some(Parent::Service(_))
            )
        {
            let from = chain
                .iter()
                .position(|&x| x as usize == at)
                .expect("on the chain");
            let mut cycle = chain[from..].to_vec();
            let first = (0..cycle.len())
                .min_by_key(|&i| cycle[i])
                .expect("a member");
            cycle.rotate_left(first);
            return Some(cycle);
        }
        for x in chain {
            state[x as usize] = 2;
        }
    }
    None
}
