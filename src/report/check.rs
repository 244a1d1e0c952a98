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
    Ok(())
}
