//! `docs/lab.md`: every command of the lab runs, and prints what the lab
//! shows. `DNSIM_BLESS=1 cargo test --test it lab` rewrites the outputs in
//! the file after a change that is meant (review the diff).

use crate::support::{dnsim, root};

/// A ```console block: its `$ dnsim …` line's arguments and the lines
/// shown under it, and where they are in the file.
struct Block {
    args: Vec<String>,
    shown: Vec<String>,
    /// Line indices of the output: [first, end).
    first: usize,
    end: usize,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "```console" {
            let command = lines.get(i + 1).copied().unwrap_or_default();
            let args = command
                .strip_prefix("$ dnsim ")
                .unwrap_or_else(|| panic!("line {}: a lab command is `$ dnsim …`", i + 2));
            let first = i + 2;
            let end = (first..lines.len())
                .find(|&j| lines[j].trim() == "```")
                .unwrap_or_else(|| panic!("line {}: an unclosed block", i + 1));
            out.push(Block {
                args: args.split_whitespace().map(str::to_string).collect(),
                shown: lines[first..end].iter().map(|l| l.to_string()).collect(),
                first,
                end,
            });
            i = end + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Output as the file shows it: trailing blanks dropped (editors drop
/// them), no final newline.
fn normalise(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_string()).collect()
}

#[test]
fn every_lab_command_prints_what_the_lab_shows() {
    let path = root().join("docs/lab.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let found = blocks(&lines);
    assert!(found.len() >= 8, "the lab has lost commands");
    let bless = std::env::var_os("DNSIM_BLESS").is_some();
    let mut rewritten: Vec<String> = Vec::new();
    let mut at = 0;
    let mut stale = Vec::new();
    for block in &found {
        let out = dnsim()
            .current_dir(root())
            .args(&block.args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "dnsim {}: {stderr}",
            block.args.join(" ")
        );
        let printed = normalise(&String::from_utf8_lossy(&out.stdout));
        let shown: Vec<String> = block
            .shown
            .iter()
            .map(|l| l.trim_end().to_string())
            .collect();
        if printed != shown {
            stale.push(block.args.join(" "));
        }
        rewritten.extend(lines[at..block.first].iter().map(|l| l.to_string()));
        rewritten.extend(printed);
        at = block.end;
    }
    rewritten.extend(lines[at..].iter().map(|l| l.to_string()));
    if bless {
        std::fs::write(&path, rewritten.join("\n") + "\n").unwrap();
    } else {
        assert!(
            stale.is_empty(),
            "docs/lab.md shows other output than these commands print (DNSIM_BLESS=1 to rewrite, then review): {stale:#?}"
        );
    }
}
