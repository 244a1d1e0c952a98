//! `dnsim init`, `dnsim explain KEY`, `dnsim schema`: the scenario file's
//! reference (`dnsim::reference`) at the command line.

use dnsim::error::InputError;
use dnsim::output::{emit, write_atomic};
use dnsim::reference::{self, KEYS, STARTER, TABLES};

use super::Outcome;
use crate::Exit;
use crate::cli::{ExplainArgs, InitArgs, SchemaArgs};

pub fn init(args: InitArgs) -> Outcome {
    match &args.output {
        None => emit(None, |out| out.write_all(STARTER.as_bytes()))?,
        Some(path) => {
            if path.symlink_metadata().is_ok() {
                return Err(InputError::new(format!(
                    "{} exists: dnsim init does not replace a file (remove it, or name another)",
                    path.display()
                ))
                .into());
            }
            write_atomic(path, "output", |out| out.write_all(STARTER.as_bytes()))?;
            eprintln!(
                "wrote {}: edit it, then dnsim check {0} and dnsim run {0}",
                path.display()
            );
        }
    }
    Ok(Exit::Success)
}

pub fn explain(args: ExplainArgs) -> Outcome {
    let Some(query) = args.key else {
        // Every key, table by table.
        let mut text = String::new();
        for table in TABLES {
            text.push_str(&format!("{}\n", table.header()));
            for k in reference::keys_of(table.name) {
                text.push_str(&format!("  {:<24} {}\n", k.name, k.kind.describe()));
            }
        }
        text.push_str("\ndnsim explain KEY says more (docs/scenario.md has it all).\n");
        emit(None, |out| out.write_all(text.as_bytes()))?;
        return Ok(Exit::Success);
    };
    let found = reference::lookup(&query);
    if found.is_empty() {
        let best = KEYS.iter().map(|k| k.path()).min_by_key(|p| {
            strsim::levenshtein(p, &query).min(strsim::levenshtein(
                p.rsplit('.').next().unwrap_or(p),
                &query,
            ))
        });
        let hint = best.map_or_else(String::new, |b| format!(" (did you mean {b}?)"));
        let shown: String = query.chars().take(60).collect();
        return Err(InputError::new(format!(
            "no scenario key \"{shown}\"{hint}; dnsim explain lists them all"
        ))
        .into());
    }
    let text: Vec<String> = found.iter().map(|k| reference::explain(k)).collect();
    emit(None, |out| out.write_all(text.join("\n").as_bytes()))?;
    Ok(Exit::Success)
}

pub fn schema(args: SchemaArgs) -> Outcome {
    let text = serde_json::to_string_pretty(&reference::schema())? + "\n";
    emit(args.output.as_deref(), |out| out.write_all(text.as_bytes()))?;
    Ok(Exit::Success)
}
