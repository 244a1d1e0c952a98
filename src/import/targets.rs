//! CDN and SaaS platforms by the domains of their CNAME targets
//! (`targets.toml`, compiled in): the required names of an import hang on
//! one provider per platform.

use serde::Deserialize;

use super::catalog::normalise;

const BUILTIN: &str = include_str!("targets.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    target: Vec<Target>,
}

/// A platform and the domains its CNAME targets are under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    pub source: String,
    pub example: String,
}

/// Every platform of the built-in list.
pub fn builtin() -> Vec<Target> {
    toml::from_str::<File>(BUILTIN)
        .expect("the built-in target list parses")
        .target
}

/// The platform whose domains hold `name` (the domain itself or a name
/// under it).
pub fn platform<'a>(targets: &'a [Target], name: &str) -> Option<&'a Target> {
    let name = normalise(name);
    targets.iter().find(|t| {
        t.domains
            .iter()
            .any(|d| name == *d || name.ends_with(&format!(".{d}")))
    })
}

/// The placeholder provider of a required name outside the input: its
/// platform's (`cdn:<id>`) when a platform's domains hold it, else one for
/// its registrable domain's DNS (`dns:<registrable>`). Returns the id, the
/// name to show and whether it is a platform's.
pub fn placeholder(targets: &[Target], name: &str) -> (String, String, bool) {
    match platform(targets, name) {
        Some(t) => (
            format!("cdn:{}", t.id),
            format!(
                "{} (CNAME targets; who serves their DNS is not in the input)",
                t.name
            ),
            true,
        ),
        None => {
            let reg = super::registrable(name);
            (
                format!("dns:{reg}"),
                format!("DNS of {reg} (unknown: not in the input)"),
                false,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_maps_to_its_platform_and_ids_are_unique() {
        let targets = builtin();
        assert!(targets.len() >= 10);
        for t in &targets {
            assert_eq!(platform(&targets, &t.example).map(|x| &x.id), Some(&t.id));
            assert!(t.source.starts_with("https://"), "{}", t.id);
            assert_eq!(targets.iter().filter(|x| x.id == t.id).count(), 1);
        }
        assert!(platform(&targets, "example.com").is_none());
        // A name that only ends like a domain is not under it.
        assert!(platform(&targets, "notcloudfront.net").is_none());
    }
}
