//! Requirement and parent cycles: a plan has none, and when it has one the
//! error names it.

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::scenario::{Parent, Service};

/// A service's requirements: `requires`, then every `requires_any` member.
fn deps(s: &Service) -> Vec<u32> {
    s.requires()
        .iter()
        .chain(s.requires_any().iter().flatten())
        .copied()
        .collect()
}

/// Whether the requirements have a cycle: an iterative depth-first search
/// with a byte a service, before any graph is built to name the cycle (at
/// a million services the graph was the largest thing loading made).
fn has_cycle(services: &[Service]) -> bool {
    // 0: not seen; 1: on the path searched now; 2: done, no cycle below.
    let mut state = vec![0u8; services.len()];
    let mut path: Vec<(u32, Vec<u32>)> = Vec::new();
    for start in 0..services.len() {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        path.push((start as u32, deps(&services[start])));
        while let Some((at, next)) = path.last_mut() {
            let Some(d) = next.pop() else {
                state[*at as usize] = 2;
                path.pop();
                continue;
            };
            match state[d as usize] {
                0 => {
                    state[d as usize] = 1;
                    path.push((d, deps(&services[d as usize])));
                }
                1 => return true,
                _ => {}
            }
        }
    }
    false
}

/// Finds a requirement cycle, if any, as the services on it in order.
/// Strongly connected components come from petgraph's iterative Kosaraju
/// (a recursive search would overflow the stack on long chains).
pub(super) fn find_cycle(services: &[Service]) -> Option<Vec<u32>> {
    if !has_cycle(services) {
        return None;
    }
    // Only services that require something or are required can be on a
    // cycle: the graph holds those alone, numbered in file order (most
    // services of a large plan are neither).
    let mut involved = vec![false; services.len()];
    let mut edges = 0;
    for (i, s) in services.iter().enumerate() {
        let d = deps(s);
        if d.contains(&(i as u32)) {
            return Some(vec![i as u32]);
        }
        edges += d.len();
        involved[i] |= !d.is_empty();
        for x in d {
            involved[x as usize] = true;
        }
    }
    // Graph node of each involved service, and back.
    let member: Vec<u32> = (0..services.len() as u32)
        .filter(|&i| involved[i as usize])
        .collect();
    let mut node = vec![0u32; services.len()];
    for (n, &i) in member.iter().enumerate() {
        node[i as usize] = n as u32;
    }
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(member.len(), edges);
    for _ in &member {
        g.add_node(());
    }
    for &i in &member {
        for r in deps(&services[i as usize]) {
            let (a, b) = (node[i as usize], node[r as usize]);
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
    }
    // Valid plans have no cycle: say so without listing every component.
    if !petgraph::algo::is_cyclic_directed(&g) {
        return None;
    }
    let scc = petgraph::algo::kosaraju_scc(&g)
        .into_iter()
        .find(|c| c.len() > 1)?;
    // Walk from the smallest member, staying inside the component, until a
    // service repeats: the walk from that service on is a cycle.
    let members: std::collections::HashSet<u32> = scc.iter().map(|n| member[n.index()]).collect();
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
            .requires()
            .iter()
            .chain(s.requires_any().iter().flatten())
            .filter(|r| members.contains(r))
            .min()?;
    }
}

/// A cycle of `parent`s (each service's parent, where it is a service),
/// named from its first member in file order.
pub(super) fn parent_cycle(services: &[Service]) -> Option<Vec<u32>> {
    let parent = |i: usize| services[i].parent();
    // 0: not seen; 1: on the chain walked now; 2: ends outside a cycle.
    let mut state = vec![0u8; services.len()];
    for start in 0..services.len() {
        let mut chain = Vec::new();
        let mut at = start;
        while state[at] == 0 {
            state[at] = 1;
            chain.push(at as u32);
            match parent(at) {
                Some(Parent::Service(q)) => at = q as usize,
                _ => break,
            }
        }
        if state[at] == 1
            && matches!(
                parent(*chain.last().expect("a step") as usize),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether a cycle exists, by petgraph on the whole graph.
    fn cyclic(services: &[Service]) -> bool {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        for _ in services {
            g.add_node(());
        }
        for (i, s) in services.iter().enumerate() {
            for d in deps(s) {
                g.add_edge(NodeIndex::new(i), NodeIndex::new(d as usize), ());
            }
        }
        petgraph::algo::is_cyclic_directed(&g)
    }

    proptest! {
        /// The search that runs first agrees with petgraph, and a cycle it
        /// finds is named as a cycle whose every step is a requirement.
        #[test]
        fn the_quick_search_and_petgraph_agree(
            edges in prop::collection::vec((0u32..12, 0u32..12, any::<bool>()), 0..20)
        ) {
            let mut services: Vec<Service> = (0..12).map(|i| Service::new(&format!("s{i}"), vec![0])).collect();
            for i in 0..12u32 {
                let all: Vec<u32> = edges.iter().filter(|e| e.0 == i && !e.2).map(|e| e.1).collect();
                let any: Vec<u32> = edges.iter().filter(|e| e.0 == i && e.2).map(|e| e.1).collect();
                services[i as usize].set_requires(all);
                if !any.is_empty() {
                    services[i as usize].set_requires_any(vec![any.into_boxed_slice()]);
                }
            }
            prop_assert_eq!(has_cycle(&services), cyclic(&services));
            if let Some(cycle) = find_cycle(&services) {
                for (k, &a) in cycle.iter().enumerate() {
                    let b = cycle[(k + 1) % cycle.len()];
                    prop_assert!(deps(&services[a as usize]).contains(&b));
                }
            } else {
                prop_assert!(!cyclic(&services));
            }
        }
    }
}
