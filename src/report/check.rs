//! `dnsim check` for people: one line on the plan, then at most `top`
//! warnings of each kind (a generated or imported plan can hold millions of
//! single-provider services), the rest counted.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::results::CheckReport;

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
            writeln!(out, "warning[{}]: {}", w.kind.as_str(), w.message)?;
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
/// kind, one result per warning, located in the scenario file.
pub fn sarif(r: &CheckReport, path: &str) -> serde_json::Value {
    use crate::results::WarningKind;
    let rules: Vec<serde_json::Value> = [
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
    .iter()
    .map(|(k, d)| serde_json::json!({"id": k.as_str(), "shortDescription": {"text": d}}))
    .collect();
    let results: Vec<serde_json::Value> = r
        .warnings
        .iter()
        .map(|w| {
            serde_json::json!({
                "ruleId": w.kind.as_str(),
                "level": "warning",
                "message": {"text": w.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": path}}}],
                "partialFingerprints": {
                    "dnsim/v1": format!("{}:{}:{}", w.kind.as_str(), w.service.as_deref().unwrap_or(""), w.provider)
                }
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "dnsim",
                "version": r.dnsim,
                "rules": rules
            }},
            "results": results
        }]
    })
}
