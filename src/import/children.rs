//! Child zones delegated by NS records below an imported zone's apex (from
//! DNSControl's IR and octoDNS zone files; the zone-file importer has its
//! own): each a service on its own NS hosts, with the zone as `parent`.

use super::catalog::Catalog;
use super::{Plan, ServiceOut};

/// A child zone: its name, NS hosts and NS TTL.
pub type Child = (String, Vec<String>, u32);

/// Each delegated child zone of `origin` (delegated to `apex_dns`), a
/// service on its own NS hosts.
pub fn add_children(
    plan: &mut Plan,
    catalog: &Catalog,
    children: Vec<Child>,
    origin: &str,
    apex_dns: &[String],
) {
    let own = super::self_hosting(
        catalog,
        children.iter().map(|(n, h, _)| (n.as_str(), h.as_slice())),
    );
    for (child, hosts, ttl) in children {
        let cdns = plan.providers_for_hosts(catalog, &hosts, &child, &own);
        plan.report.push(format!(
            "{child}: delegated by NS records to {}",
            hosts.join(", ")
        ));
        let parent = plan.parent_of_child(&child, origin, apex_dns);
        plan.services.push(ServiceOut {
            id: child,
            dns: cdns,
            ns_ttl: Some(format!("{ttl}s")),
            parent,
            ..ServiceOut::default()
        });
    }
}
