//! The house has no cycles: the top-level modules of `src/` import each
//! other in one direction only (the clients — `git`, `github`, `kube` —
//! know nothing of the engine; the commands sit above everything). Read
//! from the sources, outside test code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::repo_root;

/// Module → modules it refers to (`crate::x`), with a file that does.
type Graph = BTreeMap<String, BTreeMap<String, String>>;

fn graph() -> Graph {
    let src = repo_root().join("src");
    let mut graph = Graph::new();
    let mut files = Vec::new();
    walk(&src, &mut files);
    for file in files {
        let rel = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let name = file.file_name().unwrap().to_string_lossy();
        if rel == "main.rs" || rel == "lib.rs" || name.ends_with("tests.rs") {
            continue;
        }
        let top = rel
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for used in references(code) {
            if used != top {
                graph
                    .entry(top.clone())
                    .or_default()
                    .entry(used)
                    .or_insert_with(|| rel.clone());
            }
        }
    }
    graph
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules `code` names after `crate::`, comments left out;
/// a `crate::{…}` group may span lines and nest.
fn references(code: &str) -> BTreeSet<String> {
    let code: Vec<&str> = code
        .lines()
        .map(|line| line.split("//").next().unwrap())
        .collect();
    let code = code.join("\n");
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let Some(group) = rest.strip_prefix('{') else {
            out.insert(ident(rest));
            continue;
        };
        // `crate::{a, b::{c, d}, self}`: the first name of each item.
        let mut depth = 0;
        let mut item_start = true;
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => item_start = true,
                c if item_start && (c.is_alphanumeric() || c == '_') => {
                    out.insert(ident(&group[i..]));
                    item_start = false;
                }
                _ => {}
            }
        }
    }
    out.retain(|name| !name.is_empty() && name != "self");
    out
}

/// A cycle through `graph`, as its edges with the file behind each, if any.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle: Vec<String> = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(
                cycle
                    .windows(2)
                    .map(|w| format!("{} -> {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
                    .collect(),
            );
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_modules_of_src_import_each_other_without_a_cycle() {
    let graph = graph();
    assert!(graph.len() > 10, "the modules were read: {graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("an import cycle:\n  {}", cycle.join("\n  "));
    }
}

#[test]
fn the_clients_know_nothing_of_the_engine_or_the_commands() {
    let graph = graph();
    for client in ["git", "github", "kube", "scan"] {
        for above in ["ctx", "engine", "steps", "commands", "run", "cli"] {
            assert!(
                !graph.get(client).is_some_and(|m| m.contains_key(above)),
                "{client} uses {above}: {:?}",
                graph[client].get(above)
            );
        }
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = Graph::new();
    graph
        .entry("a".into())
        .or_default()
        .insert("b".into(), "a.rs".into());
    graph
        .entry("b".into())
        .or_default()
        .insert("a".into(), "b.rs".into());
    let cycle = find_cycle(&graph).expect("a cycle");
    assert_eq!(cycle, ["a -> b (a.rs)", "b -> a (b.rs)"]);
    assert_eq!(
        references("use crate::{kube::Cluster, git, self};\nlet x = crate::ui::Ui; // crate::run"),
        ["git", "kube", "ui"].map(String::from).into()
    );
    assert_eq!(
        references(
            "use crate::{\n    engine::{Ctx, step},\n    // crate::cli\n    plan::{self, Step}, state,\n};"
        ),
        ["engine", "plan", "state"].map(String::from).into()
    );
}
