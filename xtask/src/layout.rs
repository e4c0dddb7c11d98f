//! The workspace's module graph has no cycles: a plain check of each crate's sources, run as a
//! test (`cargo test -p xtask`).
//!
//! A module's children must form a directed acyclic graph, at every level: the crate's top
//! modules among themselves (`cli` → `calc`, never back), and the files inside each folder
//! (`live/ops` → `live/fail`, never back). An edge is a path that names another module
//! (`crate::serve::Config`, `super::fail::Fail`, `use crate::{state::Shared, ...}`); a child's
//! use of its own parent (`super::Inner`) is the parent/child relation, not an edge. Test
//! modules (`#[cfg(test)] mod tests`) are left out: they may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module's path inside its crate: `["live", "ops"]`; the crate root is `[]`.
type ModPath = Vec<String>;

/// Every `.rs` file under `src`, as (module path, text without tests and comments).
fn modules(src: &Path) -> Vec<(ModPath, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let mut parts: ModPath = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((parts, code_only(&text)));
        }
    }
    out
}

/// The text without comments and without a trailing `#[cfg(test)] mod ...`.
fn code_only(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut all = text.lines().peekable();
    while let Some(line) = all.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]")
            && all
                .peek()
                .is_some_and(|next| next.trim_start().starts_with("mod "))
        {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        lines.push(line.split(" // ").next().unwrap_or(line));
    }
    lines.join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The module paths a file's code names: each `crate::` or `super::` path, as segments from the
/// crate root (a group `crate::{a::x, b}` gives `a` and `b`).
fn references(module: &ModPath, code: &str) -> Vec<ModPath> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        // In `live/ops.rs` (`live::ops`) super is `live`; in `live/mod.rs` (`live`) the root.
        ("super::", module[..module.len().saturating_sub(1)].to_vec()),
    ] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut starts = Vec::new();
            if let Some(group) = rest.strip_prefix('{') {
                // The first segment of each item of a top-level group.
                let mut depth = 0;
                let mut item_start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if c.is_whitespace() => {}
                        _ if item_start && depth == 0 => {
                            starts.push(group[i..].to_owned());
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                starts.push(rest.to_owned());
            }
            for start in starts {
                let mut path = base.clone();
                let mut s = start.as_str();
                loop {
                    let id = ident_at(s);
                    if id.is_empty() {
                        break;
                    }
                    path.push(id.to_owned());
                    match s[id.len()..].strip_prefix("::") {
                        Some(next) => s = next,
                        None => break,
                    }
                }
                out.push(path);
            }
        }
    }
    out
}

/// Every cycle among siblings, at every level, as a list of `a → b → a` strings.
fn cycles(src: &Path) -> Vec<String> {
    let files = modules(src);
    let known: BTreeSet<ModPath> = files.iter().map(|(m, _)| m.clone()).collect();
    // Edges between files: (from, to), both module paths of files.
    let mut edges = BTreeSet::new();
    for (module, code) in &files {
        for path in references(module, code) {
            // The longest prefix that is a module of its own.
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|p| known.contains(p));
            if let Some(target) = target {
                edges.insert((module.clone(), target));
            }
        }
    }
    let mut found = Vec::new();
    // For each module with children: the graph over its children.
    for parent in &known {
        let child_of = |m: &ModPath| -> Option<String> {
            (m.len() > parent.len() && m.starts_with(parent)).then(|| m[parent.len()].clone())
        };
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in &edges {
            if let (Some(a), Some(b)) = (child_of(from), child_of(to)) {
                if a != b {
                    graph.entry(a).or_default().insert(b);
                }
            }
        }
        for cycle in graph_cycles(&graph) {
            let prefix = if parent.is_empty() {
                String::new()
            } else {
                format!("{}::", parent.join("::"))
            };
            let names: Vec<String> = cycle.iter().map(|c| format!("{prefix}{c}")).collect();
            found.push(names.join(" → "));
        }
    }
    found
}

/// One cycle through each strongly connected group of more than one node.
fn graph_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reaches = |from: &String, to: &String| -> Option<Vec<String>> {
        // A path from `from` to `to`, breadth first.
        let mut seen = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from.clone()]);
        while let Some(n) = queue.pop_front() {
            for next in graph.get(&n).into_iter().flatten() {
                if seen.contains_key(next) {
                    continue;
                }
                seen.insert(next.clone(), n.clone());
                if next == to {
                    let mut path = vec![to.clone()];
                    let mut at = to.clone();
                    while &at != from || path.len() == 1 {
                        at = seen[&at].clone();
                        path.push(at.clone());
                        if &at == from {
                            break;
                        }
                    }
                    path.reverse();
                    return Some(path);
                }
                queue.push_back(next.clone());
            }
        }
        None
    };
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut covered = BTreeSet::new();
    for node in graph.keys() {
        if covered.contains(node) {
            continue;
        }
        if let Some(cycle) = reaches(node, node) {
            covered.extend(cycle.iter().cloned());
            out.push(cycle);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_module_imports_a_module_that_imports_it_back() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut all = Vec::new();
        for krate in [
            "crates/core/src",
            "crates/companion/src",
            "src",
            "xtask/src",
        ] {
            for cycle in cycles(&root.join(krate)) {
                all.push(format!("{krate}: {cycle}"));
            }
        }
        assert!(all.is_empty(), "import cycles:\n{}", all.join("\n"));
    }

    #[test]
    fn the_check_sees_a_cycle_where_there_is_one() {
        let dir = std::env::temp_dir().join(format!("socklab-layout-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("live")).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write("lib.rs", "mod cli;\nmod calc;\nmod live;\nmod state;\n");
        write("cli.rs", "use crate::calc::run;\n");
        write("calc.rs", "use crate::{live::x, cli::helper};\n");
        write("state.rs", "use crate::live::Inner;\n");
        write(
            "live/mod.rs",
            "mod ops;\nmod fail;\nuse super::state::Shared;\n",
        );
        write(
            "live/ops.rs",
            "use super::fail::Fail;\n// super::nothing::here\nuse super::Inner;\n",
        );
        write(
            "live/fail.rs",
            "pub fn f() { super::ops::g() }\n#[cfg(test)]\nmod tests { use crate::cli; }\n",
        );
        let mut found = cycles(&dir);
        found.sort();
        assert_eq!(
            found,
            [
                "calc → cli → calc".to_owned(),
                "live → state → live".to_owned(),
                "live::fail → live::ops → live::fail".to_owned()
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
