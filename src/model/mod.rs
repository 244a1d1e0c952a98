//! The compiled, immutable model that the engines sample.
//!
//! Compilation turns a validated [`Scenario`] plus the run's `--fail` options
//! into dense arrays:
//!
//! - **events**: every independent random draw (a provider everywhere, a
//!   provider in one region, a common cause, a forced failure), each with its
//!   probability and the id that seeds its random stream;
//! - **coverage**: for each (region, provider), the events that take that
//!   provider down there;
//! - **nodes**: services collapsed by signature. Services with the same
//!   delegation set and the same requirements (themselves as nodes) have the
//!   same outcome in every trial, so each signature is evaluated once. Nodes
//!   are numbered in topological order: requirements come first.
//!
//! `weights` holds the integer weights that sum exactly, and what a part
//! of a plan (`--part`) counts.

mod weights;

use foldhash::{HashMap, HashMapExt};

use weights::NodeWeights;
pub use weights::{Slice, unit_shift, weight_units};

use crate::error::InputError;
use crate::forcing::Forcing;
use crate::scenario::{EventTarget, Parent, Scenario};

/// One independent random event of the snapshot model.
#[derive(Debug, Clone)]
pub struct EventDef {
    /// `dyn`, `dyn@us-east` or a common cause's id: names the random stream.
    pub id: String,
    pub p: f64,
    /// The (provider, region) pairs this event takes down.
    pub cover: Vec<(u32, u32)>,
}

/// Compressed rows: `items[starts[i]..starts[i + 1]]` is row `i`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    pub starts: Vec<u32>,
    pub items: Vec<u32>,
}

impl Csr {
    pub(crate) fn new() -> Csr {
        Csr {
            starts: vec![0],
            items: Vec::new(),
        }
    }

    pub(crate) fn push_row(&mut self, row: impl IntoIterator<Item = u32>) {
        self.items.extend(row);
        self.starts.push(self.items.len() as u32);
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub region_ids: Vec<String>,
    /// Normalised client shares.
    pub region_weights: Vec<f64>,
    pub provider_count: usize,
    pub events: Vec<EventDef>,
    /// Row `r * provider_count + p`: events (with p > 0) that take provider
    /// `p` down in region `r`.
    pub down_events: Csr,
    /// Per node: its delegated providers.
    pub node_dns: Csr,
    /// Per node: nodes that must all be up.
    pub node_requires: Csr,
    /// Per node: its `requires_any` groups (indices into `groups`).
    pub node_groups: Csr,
    /// Per group: nodes of which at least one must be up.
    pub groups: Csr,
    /// Per node: the summed weight of the services it stands for.
    pub node_weight: Vec<f64>,
    /// Per node: whether a service stands for it. The others are parents'
    /// referrals (see [`referrals`]), which count in no figure of their
    /// own.
    pub node_visible: Vec<bool>,
    /// Per node: the summed weight of the services it stands for, in units
    /// of 2^-`unit_shift` (see [`weight_units`]): integers, so a trial's
    /// impact is the same sum however services are grouped into nodes,
    /// threads or parts.
    pub node_units: Vec<u128>,
    pub unit_shift: i32,
    /// A part's run (`--part`): keep each trial's impact sums and
    /// "anything down" bits, which only add up across parts trial by trial.
    pub keep_trials: bool,
    /// Per service (scenario order): its node.
    pub service_node: Vec<u32>,
    /// Services in an order where requirements come first.
    pub service_order: Vec<u32>,
    /// True when every event is certain (`--fail-only`): one trial is exact.
    pub exact: bool,
}

impl Model {
    pub fn node_count(&self) -> usize {
        self.node_weight.len()
    }

    pub fn region_count(&self) -> usize {
        self.region_weights.len()
    }

    /// Exact P(provider down) in each region: one minus the product of the
    /// chances that each of its covering events stays quiet.
    pub fn provider_p_down(&self, p: usize) -> Vec<f64> {
        (0..self.region_count())
            .map(|r| {
                let up: f64 = self
                    .down_events
                    .row(r * self.provider_count + p)
                    .iter()
                    .map(|&e| 1.0 - self.events[e as usize].p)
                    .product();
                1.0 - up
            })
            .collect()
    }

    pub fn compile(scenario: &Scenario, forcing: &Forcing) -> Result<Model, InputError> {
        Model::compile_part(scenario, forcing, None)
    }

    /// [`Model::compile`] for a part of a plan (`--part`): `part` says
    /// which of the scenario's services count in the figures (the others are
    /// there because counted ones require them) and what the whole plan
    /// fixes (the weight unit, whether one trial is exact).
    pub fn compile_part(
        scenario: &Scenario,
        forcing: &Forcing,
        part: Option<&Slice>,
    ) -> Result<Model, InputError> {
        let mut events = scenario_events(scenario);
        force(scenario, forcing, &mut events)?;
        // After the forcing: a cold NS cache is the resolvers' state, not
        // an outage, so `--fail-only` keeps it.
        let referrals = referrals(scenario, &mut events);
        let provider_count = scenario.providers.len() + referrals.iter().flatten().count();
        let down_events = coverage(&events, scenario.regions.len(), provider_count);
        let service_order = topological_order(scenario);
        let nodes = Nodes::collapse(scenario, &service_order, &referrals);
        let unit_shift = part.map_or_else(|| unit_shift(scenario.total_weight()), |p| p.unit_shift);
        let counted = NodeWeights::of(
            scenario,
            &nodes.service_node,
            nodes.dns.len(),
            part,
            unit_shift,
        );
        let exact =
            events.iter().all(|e| e.p == 0.0 || e.p == 1.0) && part.is_none_or(|p| p.cold_exact);
        Ok(Model {
            region_ids: scenario.regions.iter().map(|r| r.id.clone()).collect(),
            region_weights: scenario.regions.iter().map(|r| r.weight).collect(),
            provider_count,
            exact,
            events,
            down_events,
            node_dns: nodes.dns,
            node_requires: nodes.requires,
            node_groups: nodes.node_groups,
            groups: nodes.groups,
            node_weight: counted.weight,
            node_visible: counted.visible,
            node_units: counted.units,
            unit_shift,
            keep_trials: part.is_some(),
            service_node: nodes.service_node,
            service_order,
        })
    }
}

/// The scenario's random events: each provider everywhere, each regional
/// outage, each common cause.
fn scenario_events(scenario: &Scenario) -> Vec<EventDef> {
    let regions = scenario.regions.len() as u32;
    let mut events: Vec<EventDef> = Vec::new();
    for (i, p) in scenario.providers.iter().enumerate() {
        events.push(EventDef {
            id: p.id.clone(),
            p: p.p_outage,
            cover: (0..regions).map(|r| (i as u32, r)).collect(),
        });
    }
    for (i, p) in scenario.providers.iter().enumerate() {
        for &(r, prob) in &p.regional_p_outage {
            let id = format!("{}@{}", p.id, scenario.regions[r as usize].id);
            events.push(EventDef {
                id,
                p: prob,
                cover: vec![(i as u32, r)],
            });
        }
    }
    for (i, c) in scenario.common_causes.iter().enumerate() {
        events.push(EventDef {
            id: c.id.clone(),
            p: c.p,
            cover: scenario.cover(EventTarget::CommonCause(i as u32), &c.regions),
        });
    }
    events
}

/// The delegation chain in the snapshot model (`[[service]] parent`): a
/// lookup whose resolver's NS set for the service has expired needs a
/// referral from the parent's providers. Each such service gets a
/// provider of its own past the scenario's, down in a region with the
/// service's [`Scenario::cold_ns_share`] (an event per region); its
/// referral node is delegated to that provider and the parent's
/// providers, so it is down when the NS set is cold and every parent
/// provider is down, and the service requires it. The expected figures
/// are the share-weighted mix of cold and warm resolvers; within a trial
/// a region's resolvers are all cold or all warm. Returns, per service,
/// its cold-NS provider.
fn referrals(scenario: &Scenario, events: &mut Vec<EventDef>) -> Vec<Option<u32>> {
    let mut next = scenario.providers.len() as u32;
    scenario
        .services
        .iter()
        .map(|s| {
            s.parent()?;
            let p = scenario.cold_ns_share(s);
            for (r, region) in scenario.regions.iter().enumerate() {
                events.push(EventDef {
                    id: cold_ns_event(&s.id, &region.id),
                    p,
                    cover: vec![(next, r as u32)],
                });
            }
            next += 1;
            Some(next - 1)
        })
        .collect()
}

/// What service `s`'s referral needs, as sets of providers of which it
/// fails when all are down: its NS set cold and every provider of its
/// parent down; or, when the parent is a service with a parent of its own,
/// both NS sets cold and every provider of the grandparent down; and so
/// on up the chain. Empty without a parent.
fn referral_sets(scenario: &Scenario, s: u32, referrals: &[Option<u32>]) -> Vec<Vec<u32>> {
    let mut sets = Vec::new();
    let Some(first) = referrals[s as usize] else {
        return sets;
    };
    let mut cold = vec![first];
    let mut at = &scenario.services[s as usize];
    loop {
        let mut set = cold.clone();
        set.extend(scenario.parent_providers(at));
        set.sort_unstable();
        set.dedup();
        sets.push(set);
        match at.parent() {
            // The loader refuses parent cycles, so the chain ends.
            Some(Parent::Service(q)) => match referrals[q as usize] {
                Some(c) => {
                    cold.push(c);
                    at = &scenario.services[q as usize];
                }
                None => break,
            },
            _ => break,
        }
    }
    sets
}

/// The id (and random stream) of the event "service `s`'s NS set is cold
/// in `region`": a space keeps it apart from every id a file can write.
pub fn cold_ns_event(service: &str, region: &str) -> String {
    format!("cold-ns {service}@{region}")
}

/// A forced failure is its event made certain, or a new certain event
/// where the scenario has none of that id (a provider in a region without
/// `regional_p_outage`, a common cause in one region). With `--fail-only`
/// every other event becomes impossible.
fn force(
    scenario: &Scenario,
    forcing: &Forcing,
    events: &mut Vec<EventDef>,
) -> Result<(), InputError> {
    let mut forced = vec![false; events.len()];
    for fail in forcing.resolve(scenario)? {
        let index = match events.iter().position(|e| e.id == fail.id) {
            Some(i) => i,
            None => {
                events.push(EventDef {
                    id: fail.id,
                    p: 1.0,
                    cover: fail.cover,
                });
                events.len() - 1
            }
        };
        forced.resize(events.len(), false);
        forced[index] = true;
    }
    for (e, f) in events.iter_mut().zip(&forced) {
        if *f {
            e.p = 1.0;
        } else if forcing.fail_only {
            e.p = 0.0;
        }
    }
    Ok(())
}

/// Per (region, provider), the possible events that take it down.
fn coverage(events: &[EventDef], regions: usize, providers: usize) -> Csr {
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); regions * providers];
    for (i, e) in events.iter().enumerate() {
        if e.p > 0.0 {
            for &(p, r) in &e.cover {
                let row = &mut lists[r as usize * providers + p as usize];
                if !row.contains(&(i as u32)) {
                    row.push(i as u32);
                }
            }
        }
    }
    let mut down_events = Csr::new();
    for row in lists {
        down_events.push_row(row);
    }
    down_events
}

/// Services collapsed into nodes by signature.
struct Nodes {
    dns: Csr,
    requires: Csr,
    node_groups: Csr,
    groups: Csr,
    service_node: Vec<u32>,
    /// The signature being looked up, kept from one to the next.
    key: Vec<u32>,
}

impl Nodes {
    /// Walks the services in topological `order` (so that requirements
    /// already have their nodes) and gives each the node of its signature:
    /// its sorted delegation set, its requirements' nodes and its
    /// `requires_any` groups of nodes.
    fn collapse(scenario: &Scenario, order: &[u32], referrals: &[Option<u32>]) -> Nodes {
        let mut nodes = Nodes {
            dns: Csr::new(),
            requires: Csr::new(),
            node_groups: Csr::new(),
            groups: Csr::new(),
            service_node: vec![u32::MAX; scenario.services.len()],
            key: Vec::new(),
        };
        let mut node_of: HashMap<Vec<u32>, u32> = HashMap::new();
        // One delegation set at a time, in a list kept from one service to
        // the next (a list per service is an allocation per service).
        let mut dns = Vec::new();
        for &s in order {
            let svc = &scenario.services[s as usize];
            let referral: Vec<u32> = referral_sets(scenario, s, referrals)
                .iter()
                .map(|set| nodes.node(&mut node_of, set, &[], &[]))
                .collect();
            dns.clear();
            dns.extend_from_slice(&svc.dns);
            dns.sort_unstable();
            let to_nodes = |list: &[u32]| {
                let mut v: Vec<u32> = list
                    .iter()
                    .map(|&r| nodes.service_node[r as usize])
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let mut req = to_nodes(svc.requires());
            if !referral.is_empty() {
                req.extend(referral);
                req.sort_unstable();
                req.dedup();
            }
            let mut any: Vec<Vec<u32>> = svc.requires_any().iter().map(|g| to_nodes(g)).collect();
            any.sort_unstable();
            any.dedup();
            let node = nodes.node(&mut node_of, &dns, &req, &any);
            nodes.service_node[s as usize] = node;
        }
        nodes
    }

    /// The node of a signature (sorted delegation set, requirements'
    /// nodes, groups of nodes), made when it is new.
    fn node(
        &mut self,
        node_of: &mut HashMap<Vec<u32>, u32>,
        dns: &[u32],
        req: &[u32],
        any: &[Vec<u32>],
    ) -> u32 {
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        key.push(dns.len() as u32);
        key.extend(dns);
        key.push(req.len() as u32);
        key.extend(req);
        for g in any {
            key.push(g.len() as u32);
            key.extend(g);
        }
        if let Some(&n) = node_of.get(key.as_slice()) {
            self.key = key;
            return n;
        }
        let n = self.dns.len() as u32;
        self.dns.push_row(dns.iter().copied());
        self.requires.push_row(req.iter().copied());
        let first = self.groups.len() as u32;
        for g in any {
            self.groups.push_row(g.iter().copied());
        }
        self.node_groups.push_row(first..self.groups.len() as u32);
        node_of.insert(key.clone(), n);
        self.key = key;
        n
    }
}

/// Kahn's algorithm over `requires` and `requires_any`: each service after
/// everything it requires. Iterative, so a 20,000-long chain is no problem.
/// The loader has already refused cycles.
pub fn topological_order(scenario: &Scenario) -> Vec<u32> {
    let n = scenario.services.len();
    // Dependents as compressed rows, filled in two passes to spare a vector
    // per service on million-service plans. A service required twice is
    // two edges, counted twice and met side by side: the same order.
    fn deps(s: &crate::scenario::Service) -> impl Iterator<Item = u32> + '_ {
        let any = s.requires_any().iter().flatten();
        s.requires().iter().chain(any).copied()
    }
    let mut pending = vec![0u32; n];
    let mut starts = vec![0u32; n + 1];
    for (i, s) in scenario.services.iter().enumerate() {
        for x in deps(s) {
            pending[i] += 1;
            starts[x as usize + 1] += 1;
        }
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut items = vec![0u32; starts[n] as usize];
    for (i, s) in scenario.services.iter().enumerate() {
        for x in deps(s) {
            items[fill[x as usize] as usize] = i as u32;
            fill[x as usize] += 1;
        }
    }
    let dependents = Csr { starts, items };
    let mut order: Vec<u32> = (0..n as u32)
        .filter(|&i| pending[i as usize] == 0)
        .collect();
    let mut head = 0;
    while head < order.len() {
        let s = order[head] as usize;
        head += 1;
        for &d in dependents.row(s) {
            pending[d as usize] -= 1;
            if pending[d as usize] == 0 {
                order.push(d);
            }
        }
    }
    assert_eq!(order.len(), n, "requirement cycle slipped past validation");
    order
}
