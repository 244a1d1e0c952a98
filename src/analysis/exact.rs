//! Exact probabilities through binary decision diagrams (biodivine-lib-bdd).
//!
//! One BDD variable per event of the compiled model (a provider everywhere,
//! a provider in one region, a common cause), in model order. For each
//! region, a provider is down when any event covering it there fires, and a
//! node (services collapsed by signature) is down when all its providers are,
//! or a requirement is, or a whole `requires_any` group is: the same rule as
//! the engines, as Boolean functions. Nodes are built in topological order,
//! so a requirement's diagram is reused, not rebuilt.
//!
//! From a diagram, one bottom-up pass gives P(down) and one top-down pass
//! gives every variable's Birnbaum importance ∂P/∂p_e: the sum, over the
//! nodes testing e, of the chance of reaching the node times the difference
//! of its two children's probabilities. P is linear in each p_e, so
//! P(D | e) = P + (1 − p_e)·B_e and P(D | not e) = P − p_e·B_e exactly.

use biodivine_lib_bdd::{Bdd, BddPointer, BddVariable, BddVariableSet, op_function};

use crate::model::Model;

/// The most events a plan may have for exact analysis (BDD variables are
/// 16-bit, one value is kept for the terminals).
pub const MAX_EVENTS: usize = u16::MAX as usize - 1;

/// One node's exact result.
#[derive(Debug, Clone)]
pub struct NodeExact {
    /// Per region: P(down there).
    pub p: Vec<f64>,
    /// (event, Σ_r w_r · ∂P_r/∂p_e), ascending by event, zeros left out.
    pub birnbaum: Vec<(u32, f64)>,
    /// The largest diagram built for the node (over regions).
    pub bdd_nodes: usize,
}

/// Per node: its exact result, or `None` where a diagram would exceed
/// `limit` nodes (and then for everything that requires it too).
pub fn analyze(model: &Model, limit: usize) -> Vec<Option<NodeExact>> {
    let (rc, pc, nc) = (
        model.region_count(),
        model.provider_count,
        model.node_count(),
    );
    if model.events.len() > MAX_EVENTS {
        return vec![None; nc];
    }
    let vars = BddVariableSet::new_anonymous(model.events.len() as u16);
    let p: Vec<f64> = model.events.iter().map(|e| e.p).collect();

    // Provider-in-region diagrams: OR of every covering event, including
    // those with p = 0 (they matter to RAW and to cut sets).
    let mut provider: Vec<Bdd> = vec![vars.mk_false(); rc * pc];
    for (e, event) in model.events.iter().enumerate() {
        let var = vars.mk_var(BddVariable::from_index(e));
        for &(pr, r) in &event.cover {
            let slot = &mut provider[r as usize * pc + pr as usize];
            *slot = slot.or(&var);
        }
    }

    // Only the diagrams of nodes that others require are kept for reuse:
    // at a million services, keeping every node's was the largest
    // transient of the analysis.
    let mut required = vec![false; nc];
    for &m in (model.node_requires.items.iter()).chain(&model.groups.items) {
        required[m as usize] = true;
    }
    let mut diagrams: Vec<Vec<Option<Bdd>>> = Vec::with_capacity(nc);
    let mut out = Vec::with_capacity(nc);
    for (n, required) in required.into_iter().enumerate() {
        let mut per_region = Vec::with_capacity(rc);
        for r in 0..rc {
            per_region.push(node_diagram(
                model, &vars, &provider, &diagrams, n, r, limit,
            ));
        }
        out.push(if per_region.iter().all(Option::is_some) {
            let mut result = NodeExact {
                p: Vec::with_capacity(rc),
                birnbaum: Vec::new(),
                bdd_nodes: 0,
            };
            let mut b = std::collections::BTreeMap::<u32, f64>::new();
            for (r, d) in per_region.iter().enumerate() {
                let d = d.as_ref().expect("checked above");
                let (pr, br) = evaluate(d, &p);
                result.p.push(pr);
                result.bdd_nodes = result.bdd_nodes.max(d.size());
                for (e, x) in br {
                    *b.entry(e).or_insert(0.0) += model.region_weights[r] * x;
                }
            }
            result.birnbaum = b.into_iter().filter(|&(_, x)| x != 0.0).collect();
            Some(result)
        } else {
            None
        });
        diagrams.push(if required { per_region } else { Vec::new() });
    }
    out
}

fn node_diagram(
    model: &Model,
    vars: &BddVariableSet,
    provider: &[Bdd],
    done: &[Vec<Option<Bdd>>],
    n: usize,
    r: usize,
    limit: usize,
) -> Option<Bdd> {
    let pc = model.provider_count;
    let and = |a: &Bdd, b: &Bdd| Bdd::binary_op_with_limit(limit, a, b, op_function::and);
    let or = |a: &Bdd, b: &Bdd| Bdd::binary_op_with_limit(limit, a, b, op_function::or);
    let mut down = vars.mk_true();
    for &pr in model.node_dns.row(n) {
        down = and(&down, &provider[r * pc + pr as usize])?;
    }
    for &m in model.node_requires.row(n) {
        down = or(&down, done[m as usize][r].as_ref()?)?;
    }
    for &g in model.node_groups.row(n) {
        let mut all = vars.mk_true();
        for &m in model.groups.row(g as usize) {
            all = and(&all, done[m as usize][r].as_ref()?)?;
        }
        down = or(&down, &all)?;
    }
    Some(down)
}

/// P(the function is true) and every tested variable's Birnbaum importance,
/// for independent variables with probabilities `p`.
pub fn evaluate(bdd: &Bdd, p: &[f64]) -> (f64, Vec<(u32, f64)>) {
    let n = bdd.size();
    if n <= 2 {
        // A constant: index 0 is false, 1 is true, the root is the last.
        return (if n == 2 { 1.0 } else { 0.0 }, Vec::new());
    }
    let node = |i: usize| {
        let ptr = BddPointer::from_index(i);
        let (lo, hi) = (
            bdd.low_link_of(ptr).to_index(),
            bdd.high_link_of(ptr).to_index(),
        );
        debug_assert!(lo < i && hi < i, "children come before parents");
        (bdd.var_of(ptr).to_index(), lo, hi)
    };
    let mut value = vec![0.0; n];
    value[1] = 1.0;
    for i in 2..n {
        let (v, lo, hi) = node(i);
        value[i] = (1.0 - p[v]) * value[lo] + p[v] * value[hi];
    }
    let mut reach = vec![0.0; n];
    reach[n - 1] = 1.0;
    let mut birnbaum: Vec<(u32, f64)> = Vec::new();
    for i in (2..n).rev() {
        let (v, lo, hi) = node(i);
        reach[lo] += reach[i] * (1.0 - p[v]);
        reach[hi] += reach[i] * p[v];
        birnbaum.push((v as u32, reach[i] * (value[hi] - value[lo])));
    }
    birnbaum.sort_by_key(|&(v, _)| v);
    let mut merged: Vec<(u32, f64)> = Vec::with_capacity(birnbaum.len());
    for (v, x) in birnbaum {
        match merged.last_mut() {
            Some((w, y)) if *w == v => *y += x,
            _ => merged.push((v, x)),
        }
    }
    (value[n - 1], merged)
}
