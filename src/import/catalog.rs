//! The catalog of managed DNS providers by NS host pattern (`catalog.toml`,
//! compiled in), optionally extended by a user file in the same format.

use std::path::Path;

use serde::Deserialize;

use crate::error::InputError;
use crate::scenario::read_input;
use crate::scenario::source::Source;

const BUILTIN: &str = include_str!("catalog.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    provider: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub name: String,
    /// NS host patterns; `*` is one or more characters within a label.
    #[serde(default)]
    pub ns: Vec<String>,
    /// An NS host of the provider (checked by the catalog test).
    #[serde(default)]
    pub example: Option<String>,
    /// octoDNS provider classes.
    #[serde(default)]
    pub octodns: Vec<String>,
    /// DNSControl provider types.
    #[serde(default)]
    pub dnscontrol: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<Entry>,
}

fn parse(path: &Path, text: &str) -> Result<Vec<Entry>, InputError> {
    let file: File = toml::from_str(text).map_err(|e| {
        Source::new(path, text)
            .error_guessing_key(e.span().unwrap_or(0..0), e.message().trim().to_string())
    })?;
    for entry in &file.provider {
        let bad = entry.id.is_empty()
            || entry
                .id
                .chars()
                .any(|c| c.is_whitespace() || matches!(c, '@' | ';' | ','));
        if bad {
            return Err(InputError::new(format!(
                "provider id \"{}\" must be non-empty, without whitespace, '@', ';' or ','",
                entry.id
            ))
            .in_file(path)
            .with_key("provider.id"));
        }
    }
    Ok(file.provider)
}

impl Catalog {
    /// The compiled-in catalog.
    pub fn builtin() -> Catalog {
        Catalog {
            entries: parse(Path::new("catalog.toml"), BUILTIN)
                .expect("the built-in catalog parses"),
        }
    }

    /// The built-in catalog with `path`'s entries first (they win).
    pub fn with_file(path: Option<&Path>) -> Result<Catalog, InputError> {
        let mut catalog = Catalog::builtin();
        if let Some(path) = path {
            let mut entries = parse(path, &read_input(path, "catalog")?)?;
            entries.append(&mut catalog.entries);
            catalog.entries = entries;
        }
        Ok(catalog)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The provider whose patterns match `host` (lower case, trailing dot
    /// dropped).
    pub fn match_host(&self, host: &str) -> Option<&Entry> {
        let host = normalise(host);
        self.entries
            .iter()
            .find(|e| e.ns.iter().any(|p| glob(p, &host)))
    }

    pub fn by_octodns_class(&self, class: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.octodns.iter().any(|c| c == class))
    }

    pub fn by_dnscontrol_type(&self, kind: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.dnscontrol.iter().any(|t| t.eq_ignore_ascii_case(kind)))
    }
}

/// Lower case, without the trailing dot.
pub fn normalise(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `host` matches `pattern`, where `*` stands for one or more
/// characters other than a dot: label by label, each with the linear
/// wildcard walk (a star re-extended from its last position only), so that
/// a runaway label of an imported file costs its length, not its length to
/// the power of the stars.
pub fn glob(pattern: &str, host: &str) -> bool {
    let (mut p, mut h) = (pattern.split('.'), host.split('.'));
    loop {
        match (p.next(), h.next()) {
            (None, None) => return true,
            (Some(pl), Some(hl)) if label(pl.as_bytes(), hl.as_bytes()) => {}
            _ => return false,
        }
    }
}

/// One label: `*` is one character, then any number more.
fn label(p: &[u8], h: &[u8]) -> bool {
    let (mut pi, mut hi) = (0, 0);
    // The last star: where the pattern resumes after it, and where in the
    // host its match ends now.
    let mut star: Option<(usize, usize)> = None;
    while hi < h.len() {
        if pi < p.len() && p[pi] == b'*' {
            // The one character the star must take.
            star = Some((pi + 1, hi + 1));
            pi += 1;
            hi += 1;
        } else if pi < p.len() && p[pi] == h[hi] {
            pi += 1;
            hi += 1;
        } else if let Some((resume, end)) = star {
            // Let the last star take one character more.
            star = Some((resume, end + 1));
            pi = resume;
            hi = end + 1;
        } else {
            return false;
        }
    }
    // Whatever is left of the pattern must take no character: nothing (a
    // star takes one at least).
    pi == p.len() && hi == h.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_stay_within_a_label() {
        assert!(glob("ns-*.awsdns-*.com", "ns-12.awsdns-01.com"));
        assert!(!glob("ns-*.awsdns-*.com", "ns-12.awsdns-01.co.uk"));
        assert!(glob("*.ns.cloudflare.com", "kate.ns.cloudflare.com"));
        assert!(!glob("*.ns.cloudflare.com", "a.b.ns.cloudflare.com"));
        assert!(!glob("*.ns.cloudflare.com", ".ns.cloudflare.com"));
        assert!(glob("ns1.he.net", "ns1.he.net"));
        assert!(!glob("ns1.he.net", "ns1.he.net.evil.com"));
        assert!(glob("a*b*c", "axxbyyc") && glob("a*b*c", "abbbbc") && glob("a*b*c", "axbbc"));
        assert!(!glob("a*b*c", "abc") && !glob("a*b*c", "axbc") && !glob("a*", "a"));
        assert!(glob("*", "x") && !glob("*", "") && glob("*b", "bb") && !glob("*b", "b"));
        assert!(!glob("a*b", "axbx") && glob("a*b", "axbxb"));
    }
}
