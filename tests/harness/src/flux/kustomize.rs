//! A small `kustomize build` over a git commit: a directory with a
//! `kustomization.yaml` contributes its `resources:` (files or directories,
//! recursively, with `namespace:` and `commonLabels:` applied); a directory
//! without one contributes every YAML file below it, as Flux's generated
//! kustomization does.

use super::git::{Entry, read};
use git2::{Oid, Repository};
use serde_json::{Map, Value};

const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Builds `path` of `commit` into its objects. `Err` is the message Flux would report.
pub fn build(repo: &Repository, commit: Oid, path: &str) -> Result<Vec<Value>, String> {
    let dir = normalize(path)?;
    match read(repo, commit, &dir)? {
        Some(Entry::Dir(_)) => build_dir(repo, commit, &dir, 0),
        _ => Err(format!(
            "kustomization path not found: stat {}: no such file or directory",
            display(&dir)
        )),
    }
}

fn display(dir: &str) -> String {
    if dir.is_empty() {
        "./".into()
    } else {
        format!("./{dir}")
    }
}

/// `./a/b/../c/` → `a/c`; escaping the repository is an error.
fn normalize(path: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts
                    .pop()
                    .ok_or_else(|| format!("path {path:?} leaves the repository"))?;
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

fn join(dir: &str, rel: &str) -> Result<String, String> {
    normalize(&format!("{dir}/{rel}"))
}

fn build_dir(
    repo: &Repository,
    commit: Oid,
    dir: &str,
    depth: usize,
) -> Result<Vec<Value>, String> {
    if depth > 20 {
        return Err(format!("{}: kustomization nesting too deep", display(dir)));
    }
    let Some(Entry::Dir(names)) = read(repo, commit, dir)? else {
        return Err(format!("{}: not a directory", display(dir)));
    };
    if let Some(k) = names
        .iter()
        .find(|n| KUSTOMIZATION_FILES.contains(&n.as_str()))
    {
        return build_kustomization(repo, commit, dir, &join(dir, k)?, depth);
    }
    let mut out = Vec::new();
    for name in names {
        let path = join(dir, &name)?;
        match read(repo, commit, &path)? {
            Some(Entry::Dir(_)) => out.extend(build_dir(repo, commit, &path, depth + 1)?),
            Some(Entry::File(text)) if name.ends_with(".yaml") || name.ends_with(".yml") => {
                // Generated mode: files that are not Kubernetes objects are left out.
                out.extend(parse_documents(&text, &path)?.into_iter().filter(is_object));
            }
            _ => {}
        }
    }
    Ok(out)
}

fn is_object(v: &Value) -> bool {
    v.get("apiVersion").is_some_and(Value::is_string) && v.get("kind").is_some_and(Value::is_string)
}

fn build_kustomization(
    repo: &Repository,
    commit: Oid,
    dir: &str,
    file: &str,
    depth: usize,
) -> Result<Vec<Value>, String> {
    let Some(Entry::File(text)) = read(repo, commit, file)? else {
        return Err(format!("{file}: not a file"));
    };
    let k: Value = parse_documents(&text, file)?
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut out = Vec::new();
    let strings = |key: &str| -> Vec<String> {
        k.get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    for res in strings("resources").into_iter().chain(strings("bases")) {
        if res.contains("://") || res.starts_with("github.com/") {
            return Err(format!(
                "{file}: remote resource {res:?} is not supported here"
            ));
        }
        let path = join(dir, &res)?;
        match read(repo, commit, &path)? {
            Some(Entry::Dir(_)) => out.extend(build_dir(repo, commit, &path, depth + 1)?),
            Some(Entry::File(text)) => {
                for doc in parse_documents(&text, &path)? {
                    if !is_object(&doc) {
                        return Err(format!("{path}: missing apiVersion or kind"));
                    }
                    out.push(doc);
                }
            }
            None => {
                return Err(format!(
                    "accumulating resources: accumulation err='accumulating resources from '{res}': \
                     open {path}: no such file or directory'"
                ));
            }
        }
    }
    if let Some(ns) = k.get("namespace").and_then(Value::as_str) {
        for o in out.iter_mut() {
            meta(o).insert("namespace".into(), Value::String(ns.into()));
        }
    }
    if let Some(labels) = k.get("commonLabels").and_then(Value::as_object) {
        for o in out.iter_mut() {
            let l = meta(o)
                .entry("labels")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Some(l) = l.as_object_mut() {
                l.extend(labels.clone());
            }
        }
    }
    Ok(out)
}

fn meta(o: &mut Value) -> &mut Map<String, Value> {
    let m = o
        .as_object_mut()
        .expect("objects are maps")
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !m.is_object() {
        *m = Value::Object(Map::new());
    }
    m.as_object_mut().expect("just made a map")
}

/// Multi-document YAML → JSON values; empty documents skipped, `kind: List` expanded.
pub fn parse_documents(text: &str, origin: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v: serde_yaml::Value = serde::Deserialize::deserialize(doc)
            .map_err(|e| format!("failed to parse {origin}: {e}"))?;
        let v: Value =
            serde_json::to_value(v).map_err(|e| format!("failed to parse {origin}: {e}"))?;
        match v {
            Value::Null => {}
            Value::Object(_) if v["kind"] == "List" => {
                out.extend(v["items"].as_array().cloned().unwrap_or_default());
            }
            Value::Object(_) => out.push(v),
            other => {
                return Err(format!(
                    "failed to parse {origin}: expected a mapping, got {other}"
                ));
            }
        }
    }
    Ok(out)
}
