//! `dnsim check`: lints that need no simulation.
//!
//! All three come from one exact evaluation of every single-provider failure
//! (`engine::eval::single_failures`):
//!
//! - `single_provider`: a service delegated to one provider only;
//! - `hidden_single_provider`: a service that one provider takes down through
//!   its requirements, although its own delegation does not hang on that
//!   provider alone (say, two DNS providers but a CDN on Dyn only);
//! - `provider_share`: a provider whose failure alone takes down more than
//!   `max_share` of the total weight.

use crate::engine::eval::{NodeProviders, single_failures};
use crate::forcing::Forcing;
use crate::model::Model;
use crate::results::{Detail, Warning, WarningKind};
use crate::scenario::Scenario;

/// The default `--max-share`.
pub const DEFAULT_MAX_SHARE: f64 = 0.5;

pub fn lint(scenario: &Scenario, max_share: f64) -> Vec<Warning<'_>> {
    let model = Model::compile(scenario, &Forcing::default())
        .expect("no --fail options, nothing to resolve");
    let single = single_failures(&model);
    let down = single.by_node();
    let pid = |p: usize| &*scenario.providers[p].id;
    // Room for every warning at once: a large plan has about one a service,
    // and a list that doubles its way there copies itself each time.
    let mut out = Vec::with_capacity(most(scenario, &model.service_node, &down));
    for (s, &node) in scenario.services.iter().zip(&model.service_node) {
        // A back-end of weight 0 on one provider whose failure alone takes
        // down no weight (it sits in a redundant requires_any group, say)
        // matters to no one alone: not flagged.
        let harmless = |p: u32| s.weight == 0.0 && single.impact[p as usize] == 0.0;
        if let [only] = *s.dns
            && !harmless(only)
        {
            out.push(Warning {
                kind: WarningKind::SingleProvider,
                service: Some(&s.id),
                provider: pid(only as usize),
                detail: Detail::None,
            });
        }
        for &p in down.of(node) {
            let p = p as usize;
            let own = s.dns.len() == 1 && s.dns[0] as usize == p;
            if !own {
                out.push(Warning {
                    kind: WarningKind::HiddenSingleProvider,
                    service: Some(&s.id),
                    provider: pid(p),
                    detail: Detail::Providers(s.dns.len()),
                });
            }
        }
    }
    let total = scenario.total_weight();
    for (p, &impact) in single.impact.iter().enumerate() {
        if total > 0.0 && impact / total > max_share {
            out.push(Warning {
                kind: WarningKind::ProviderShare,
                service: None,
                provider: pid(p),
                detail: Detail::Share {
                    impact,
                    total,
                    max: max_share,
                },
            });
        }
    }
    out
}

/// How many warnings [`lint`] gives at most: one per provider that takes a
/// service down alone (`single_provider` when it is the service's only
/// one, which then takes it down, `hidden_single_provider` otherwise), and
/// one per provider for its share.
fn most(scenario: &Scenario, service_node: &[u32], down: &NodeProviders) -> usize {
    let services: usize = service_node.iter().map(|&n| down.of(n).len()).sum();
    services + scenario.providers.len()
}
