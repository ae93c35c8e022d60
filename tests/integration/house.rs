//! The house has no cycles: the top-level modules of `src/` import each
//! other in one direction only (the clients — `git`, `github`, `kube`, and
//! `flux` on top of `kube`; `manifests` on top of `readiness` — know nothing
//! of the engine; the commands sit above everything), and so do the modules
//! inside each folder (`flux/observe` and `flux/synced`, …). Read from the
//! sources, outside test code.

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

/// A module's path from `src/`: `flux/synced.rs` and `flux/synced/mod.rs` are
/// `["flux", "synced"]`.
fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The module paths `code` (of module `module`) names through `crate::` or
/// `super::`, each as far as a name chain goes (`super::synced::{a, b}` in
/// `flux/observe` is `["flux", "synced", "a"]` and `["flux", "synced", "b"]`).
fn paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let starts_word = i == 0 || !is_ident(bytes[i - 1] as char) && bytes[i - 1] != b':';
        let (base, skip) = if starts_word && rest.starts_with("crate::") {
            (Vec::new(), "crate::".len())
        } else if starts_word && rest.starts_with("super::") {
            let mut base = module.to_vec();
            let mut skip = 0;
            while code[i + skip..].starts_with("super::") {
                base.pop();
                skip += "super::".len();
            }
            (base, skip)
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        chains(&code[i + skip..], &base, &mut out);
        i += skip;
    }
    out
}

/// The name chains at the start of `text` (`a::b::c`, or a `{…}` group of
/// them, nested), each appended to `base`.
fn chains(text: &str, base: &[String], out: &mut Vec<Vec<String>>) {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !ident.is_empty() {
        let mut path = base.to_vec();
        path.push(ident.clone());
        let after = &text[ident.len()..];
        match after.strip_prefix("::") {
            Some(more) => chains(more, &path, out),
            None => out.push(path),
        }
        return;
    }
    let Some(group) = text.strip_prefix('{') else {
        return;
    };
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                chains(group[start..i].trim_start(), base, out);
                return;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                chains(group[start..i].trim_start(), base, out);
                start = i + 1;
            }
            _ => {}
        }
    }
}

/// For each folder of `src/` (`""` is `src/` itself): its modules, and which
/// of them each names, with a file that does.
fn folder_graphs() -> BTreeMap<String, Graph> {
    let src = repo_root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let is_module = |folder: &[String], name: &str| {
        let dir = src.join(folder.join("/"));
        dir.join(format!("{name}.rs")).is_file() || dir.join(name).is_dir()
    };
    let mut graphs: BTreeMap<String, Graph> = BTreeMap::new();
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
        let module = module_of(&rel);
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for path in paths(code, &module) {
            let shared = module.iter().zip(&path).take_while(|(a, b)| a == b).count();
            let (Some(from), Some(to)) = (module.get(shared), path.get(shared)) else {
                continue;
            };
            let folder = &module[..shared];
            if from != to && is_module(folder, to) {
                graphs
                    .entry(folder.join("/"))
                    .or_default()
                    .entry(from.clone())
                    .or_default()
                    .entry(to.clone())
                    .or_insert_with(|| rel.clone());
            }
        }
    }
    graphs
}

#[test]
fn the_modules_inside_each_folder_import_each_other_without_a_cycle() {
    let graphs = folder_graphs();
    for folder in [
        "",
        "flux",
        "kube",
        "manifests",
        "manifests/flux_migration",
        "manifests/yaml",
        "readiness",
        "steps",
    ] {
        assert!(
            graphs.contains_key(folder),
            "{folder:?} was read: {:?}",
            graphs.keys()
        );
    }
    let cycles: Vec<String> = graphs
        .iter()
        .filter_map(|(folder, graph)| {
            let cycle = find_cycle(graph)?;
            Some(format!("in src/{folder}:\n    {}", cycle.join("\n    ")))
        })
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn paths_are_read_through_crate_and_super() {
    let module = module_of("flux/observe.rs");
    assert_eq!(module, ["flux", "observe"]);
    assert_eq!(module_of("flux/mod.rs"), ["flux"]);
    let found = paths(
        "use super::synced::{Fresh, text};\nuse crate::{error::Result, kube::wait::x};\nlet a = super::super::ui::Ui; // super::nope",
        &module,
    );
    let found: Vec<String> = found.iter().map(|p| p.join("/")).collect();
    assert_eq!(
        found,
        [
            "flux/synced/Fresh",
            "flux/synced/text",
            "error/Result",
            "kube/wait/x",
            "ui/Ui"
        ]
    );
}

#[test]
fn the_clients_know_nothing_of_the_engine_or_the_commands() {
    let graph = graph();
    for client in [
        "git",
        "github",
        "kube",
        "flux",
        "manifests",
        "readiness",
        "upgrade",
        "aws_cli",
    ] {
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
