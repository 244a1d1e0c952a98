//! Architecture invariants, checked by reading the sources (rust-analyzer's
//! tidy tests). Each states what must be *absent*; ARCHITECTURE.md lists the
//! same invariants. A new upward arrow or a cycle fails here, naming the file
//! and the path that brought it in.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::root;

/// A library source file: its module path (`scenario::load::values`) and
/// its text without comments.
struct File {
    path: PathBuf,
    module: Vec<String>,
    code: String,
}

fn library_files() -> Vec<File> {
    let src = root().join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The binary is not the library.
                if path != src.join("bin") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(&src).unwrap();
                let mut module: Vec<String> = rel
                    .with_extension("")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|m| m == "mod" || m == "lib") {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.push(File {
                    path: rel.to_path_buf(),
                    module,
                    code: strip_comments(&text),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The text without `//` comments (doc comments name modules freely).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The words of a path that starts at byte `i` of `code`: `a::b::c`.
fn path_at(code: &str, i: usize) -> Vec<String> {
    let rest = &code[i..];
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    rest[..end]
        .split("::")
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every module path a file refers to, as absolute paths, with the
/// `crate::`, `super::` and `self::` forms resolved.
fn references(file: &File) -> Vec<Vec<String>> {
    let code = &file.code;
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let word_start = |i: usize| {
        i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':')
    };
    for (i, _) in code.match_indices("crate::") {
        if word_start(i) {
            out.push(path_at(code, i + "crate::".len()));
        }
    }
    // The file's own module is `module`; `super` is its parent.
    for (i, _) in code.match_indices("super::") {
        if !word_start(i) {
            continue;
        }
        let mut words = path_at(code, i);
        let mut base = file.module.clone();
        while words.first().is_some_and(|w| w == "super") {
            words.remove(0);
            base.pop();
        }
        base.extend(words);
        out.push(base);
    }
    for (i, _) in code.match_indices("self::") {
        if word_start(i) {
            let mut base = file.module.clone();
            base.extend(path_at(code, i + "self::".len()));
            out.push(base);
        }
    }
    out
}

/// The longest prefix of `path` that names a module of the library.
fn module_of(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

/// Dependencies between modules: (from, to) → a file that makes it.
fn edges(files: &[File]) -> BTreeMap<(Vec<String>, Vec<String>), PathBuf> {
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| f.module.clone()).collect();
    let mut out = BTreeMap::new();
    for f in files {
        for r in references(f) {
            if let Some(to) = module_of(&r, &modules) {
                if to != f.module {
                    out.entry((f.module.clone(), to)).or_insert(f.path.clone());
                }
            }
        }
    }
    out
}

fn top(m: &[String]) -> &str {
    m.first().map_or("crate", String::as_str)
}

/// Top-level module → the top-level modules it uses, with a witness file.
fn top_level_deps(files: &[File]) -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let mut out: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for ((from, to), file) in edges(files) {
        let (a, b) = (top(&from).to_string(), top(&to).to_string());
        if a != b && a != "crate" {
            out.entry(a).or_default().entry(b).or_insert(file);
        }
    }
    out
}

/// A cycle in `graph`, if any, as the nodes on it.
fn find_cycle<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    // Iterative depth-first search with colours.
    let mut state: BTreeMap<&N, u8> = BTreeMap::new();
    for start in graph.keys() {
        if state.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&N, Vec<&N>)> = vec![(start, graph[start].iter().collect())];
        state.insert(start, 1);
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            match next.pop() {
                None => {
                    state.insert(node, 2);
                    stack.pop();
                }
                Some(n) => match state.get(n) {
                    Some(1) => {
                        let pos = stack.iter().position(|(m, _)| *m == n).unwrap();
                        return Some(stack[pos..].iter().map(|(m, _)| (*m).clone()).collect());
                    }
                    Some(_) => {}
                    None => {
                        state.insert(n, 1);
                        let out = graph.get(n).map(|s| s.iter().collect()).unwrap_or_default();
                        stack.push((n, out));
                    }
                },
            }
        }
    }
    None
}

/// Fails with every module of `modules` that uses something outside
/// `allowed` (besides itself and its own submodules).
fn only_uses(modules: &[&str], allowed: &[&str]) {
    let deps = top_level_deps(&library_files());
    let mut wrong = Vec::new();
    for m in modules {
        for (to, file) in deps.get(*m).into_iter().flatten() {
            if !allowed.contains(&to.as_str()) {
                wrong.push(format!("{m} → {to} (in src/{})", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "forbidden dependencies:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_cycles() {
    let files = library_files();
    // Between top-level modules.
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in top_level_deps(&files) {
        graph.entry(from).or_default().extend(tos.into_keys());
    }
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" → "));
    }
    // Between the files of a module (a parent and its children excepted:
    // a child uses its parent's types by design).
    let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (from, to) in edges(&files).into_keys() {
        if !from.starts_with(&to) && !to.starts_with(&from) {
            graph.entry(from).or_default().insert(to);
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
        panic!("module cycle: {}", names.join(" → "));
    }
}

/// `report` writes what `results` holds and nothing else: it reads no
/// engine, scenario or analysis type. (`duration` formats times.)
#[test]
fn report_depends_on_results_only() {
    only_uses(&["report"], &["results", "duration"]);
}

/// `results` is plain data: it computes nothing, so it depends on no engine
/// and on no writer. (`scenario` lends it `ModelKind`, `error` the
/// `InputError` of a bad result file.)
#[test]
fn results_depend_on_nothing_that_computes() {
    only_uses(&["results"], &["scenario", "error"]);
}

/// The core knows no outputs: loading, the models, the engines and the
/// analyses use neither the writers nor the run plumbing (shards,
/// checkpoints, output files); and past the loader, which reads the
/// scenario, they do no I/O at all.
#[test]
fn the_core_knows_no_outputs() {
    let core = [
        "scenario", "forcing", "model", "engine", "timeline", "analysis", "compare", "lint",
        "random", "stats",
    ];
    let deps = top_level_deps(&library_files());
    let mut wrong = Vec::new();
    for m in core {
        for (to, file) in deps.get(m).into_iter().flatten() {
            if [
                "report",
                "run",
                "shard",
                "checkpoint",
                "output",
                "import",
                "generate",
            ]
            .contains(&to.as_str())
            {
                wrong.push(format!("{m} → {to} (in src/{})", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the core reaches outwards:\n{}",
        wrong.join("\n")
    );
    for f in library_files() {
        if core.contains(&top(&f.module)) && top(&f.module) != "scenario" {
            for io in ["std::fs", "println!", "eprintln!", "stdout()", "stderr()"] {
                assert!(
                    !f.code.contains(io),
                    "src/{} does I/O ({io}); the core takes and returns values",
                    f.path.display()
                );
            }
        }
    }
}

/// Every report type lives in `results`, and so does the version.
#[test]
fn results_own_every_report_type() {
    for f in library_files() {
        if top(&f.module) == "results" {
            continue;
        }
        for line in f.code.lines() {
            let l = line.trim_start();
            let is_report = l.starts_with("pub struct ")
                && l["pub struct ".len()..]
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .is_some_and(|name| name.ends_with("Report"));
            assert!(
                !is_report,
                "src/{} defines a report type ({l}); report types live in src/results/",
                f.path.display()
            );
            assert!(
                !l.contains("const VERSION"),
                "src/{} defines VERSION; it lives in src/results/",
                f.path.display()
            );
        }
    }
}

/// The library sees no command line, no terminal and no environment: flags
/// (clap), progress bars (indicatif), `anyhow` and environment variables
/// belong to the binary in src/bin/.
#[test]
fn the_library_knows_no_command_line() {
    for f in library_files() {
        for word in ["clap", "anyhow", "indicatif", "std::env::var"] {
            assert!(
                !f.code.contains(word),
                "src/{} uses {word}, which belongs to the binary (src/bin/dnsim/)",
                f.path.display()
            );
        }
    }
}

/// The binary stays a table of contents, and no source file grows past
/// what a reader takes in.
#[test]
fn files_stay_small() {
    let main = root().join("src/bin/dnsim/main.rs");
    let lines = std::fs::read_to_string(&main).unwrap().lines().count();
    assert!(
        lines < 100,
        "src/bin/dnsim/main.rs has {lines} lines (under 100)"
    );
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let n = std::fs::read_to_string(&path).unwrap().lines().count();
                assert!(
                    n <= 500,
                    "{} has {n} lines (at most 500)",
                    rel(&path).display()
                );
            }
        }
    }
}

fn rel(p: &Path) -> &Path {
    p.strip_prefix(root()).unwrap_or(p)
}

/// Comments cite "spec §N": the spec is committed as docs/spec.md, a copy of
/// the shared contract beside the repository, and every cited section
/// exists in it.
#[test]
fn spec_copy_is_in_step() {
    let copy = std::fs::read_to_string(root().join("docs/spec.md")).unwrap();
    let body = copy.split_once("-->\n\n").map_or(copy.as_str(), |(_, b)| b);
    let shared = root().join("../shared/spec/scenario.md");
    match std::fs::read_to_string(&shared) {
        Ok(original) => assert!(
            body == original,
            "docs/spec.md differs from {}: copy it again (keep the two-line header)",
            shared.display()
        ),
        Err(_) => crate::support::skipped(
            "no shared spec beside the repository to compare docs/spec.md with",
        ),
    }
    let sections: BTreeSet<String> = body
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .filter_map(|l| l.split('.').next())
        .map(str::to_string)
        .collect();
    for f in library_files() {
        let text = std::fs::read_to_string(root().join("src").join(&f.path)).unwrap();
        for (i, _) in text.match_indices("spec §") {
            let n: String = text[i + "spec §".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            assert!(
                sections.contains(&n),
                "src/{} cites spec §{n}, which docs/spec.md does not have",
                f.path.display()
            );
        }
    }
}
