//! `dnsim check` for people: one line on the plan, then at most `top`
//! warnings of each kind (a generated or imported plan can hold millions of
//! single-provider services), the rest counted.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::{Serialize, Serializer};

use crate::results::{CheckReport, Collected, Message};

pub fn write(r: &CheckReport, path: &str, top: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{path}: ok ({} services, {} providers, {} common causes, {} regions)",
        r.services, r.providers, r.common_causes, r.regions
    )?;
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    for w in &r.warnings {
        let n = shown.entry(w.kind.as_str()).or_insert(0);
        *n += 1;
        if *n <= top {
            writeln!(out, "warning[{}]: {}", w.kind.as_str(), w.message())?;
        }
    }
    for (kind, n) in &shown {
        if *n > top {
            writeln!(
                out,
                "… and {} more {kind} warnings (--top N shows more; --format json lists them all)",
                n - top
            )?;
        }
    }
    if !r.warnings.is_empty() {
        let n = r.warnings.len();
        writeln!(out, "{n} warning{}", if n == 1 { "" } else { "s" })?;
    }
    if r.allowed > 0 {
        writeln!(out, "{} accepted (--allow, --baseline)", r.allowed)?;
    }
    Ok(())
}

/// The warnings as SARIF 2.1.0, for code-scanning dashboards: one rule per
/// kind, one result per warning, located in the scenario file. Written
/// from borrowed fields as it serialises (keys in the order a JSON tree
/// would sort them), not built as a tree: a plan of a million services has
/// about as many warnings.
pub fn sarif<'a>(r: &'a CheckReport<'a>, path: &'a str) -> impl Serialize + 'a {
    use crate::results::WarningKind;
    let rules = [
        (
            WarningKind::SingleProvider,
            "A service is delegated to a single DNS provider.",
        ),
        (
            WarningKind::HiddenSingleProvider,
            "One provider takes a service down through what it requires.",
        ),
        (
            WarningKind::ProviderShare,
            "One provider's failure alone takes down a large share of the weight.",
        ),
    ]
    .map(|(k, d)| Rule {
        id: k.as_str(),
        short_description: Text { text: d },
    });
    let results = Results { r, path };
    Sarif {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        runs: [Run {
            results,
            tool: Tool {
                driver: Driver {
                    name: "dnsim",
                    rules,
                    version: r.dnsim,
                },
            },
        }],
        version: "2.1.0",
    }
}

#[derive(Serialize)]
struct Sarif<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    runs: [Run<'a>; 1],
    version: &'static str,
}

#[derive(Serialize)]
struct Run<'a> {
    results: Results<'a>,
    tool: Tool,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    rules: [Rule; 3],
    version: &'static str,
}

#[derive(Serialize)]
struct Rule {
    id: &'static str,
    #[serde(rename = "shortDescription")]
    short_description: Text<&'static str>,
}

#[derive(Serialize)]
struct Text<T> {
    text: T,
}

/// One SARIF result per warning, made as the list is written.
struct Results<'a> {
    r: &'a CheckReport<'a>,
    path: &'a str,
}

impl Serialize for Results<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.r.warnings.iter().map(|w| SarifResult {
            level: "warning",
            locations: [Location {
                physical_location: Physical {
                    artifact_location: Artifact { uri: self.path },
                },
            }],
            message: Text {
                text: Collected(w.message()),
            },
            partial_fingerprints: Fingerprints {
                dnsim_v1: format!(
                    "{}:{}:{}",
                    w.kind.as_str(),
                    w.service.unwrap_or(""),
                    w.provider
                ),
            },
            rule_id: w.kind.as_str(),
        }))
    }
}

#[derive(Serialize)]
struct SarifResult<'a> {
    level: &'static str,
    locations: [Location<'a>; 1],
    message: Text<Collected<Message<'a>>>,
    #[serde(rename = "partialFingerprints")]
    partial_fingerprints: Fingerprints,
    #[serde(rename = "ruleId")]
    rule_id: &'static str,
}

#[derive(Serialize)]
struct Location<'a> {
    #[serde(rename = "physicalLocation")]
    physical_location: Physical<'a>,
}

#[derive(Serialize)]
struct Physical<'a> {
    #[serde(rename = "artifactLocation")]
    artifact_location: Artifact<'a>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "dnsim/v1")]
    dnsim_v1: String,
}
