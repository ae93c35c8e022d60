//! What Flux applies: from the cluster directory, through kustomizations and
//! Flux Kustomizations, to the files.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::{FileScan, file_name, parent};
use crate::manifests::checks;

/// Indices of the files Flux applies, starting from `cluster_path` and
/// following every Flux Kustomization's `spec.path` (all assumed to point into
/// this repository). A directory with a kustomization file applies its
/// `resources:`; one without, all manifests beneath it, as Flux generates (a
/// subdirectory with its own kustomization file contributes per that file).
pub(crate) fn reachability(
    root: &Path,
    files: &[String],
    scans: &[FileScan],
    cluster_path: &str,
) -> HashSet<usize> {
    let index: BTreeMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let kustomization_in = |dir: &str| {
        ["kustomization.yaml", "kustomization.yml", "Kustomization"]
            .iter()
            .find_map(|n| index.get(join(dir, n).as_str()).copied())
    };
    let mut applied = HashSet::new();
    let mut seen_dirs = HashSet::new();
    let mut dirs = vec![normalize("", cluster_path)];
    let mut new_files: Vec<usize> = Vec::new();
    loop {
        while let Some(dir) = dirs.pop() {
            let Some(dir) = dir else { continue };
            if !seen_dirs.insert(dir.clone()) {
                continue;
            }
            if let Some(k) = kustomization_in(&dir) {
                for (_, entry) in scans[k].resources.iter().flatten() {
                    if checks::is_remote(entry) {
                        continue;
                    }
                    let Some(path) = normalize(&dir, entry) else {
                        continue;
                    };
                    match index.get(path.as_str()) {
                        Some(&f) => new_files.push(f),
                        None if root.join(&path).is_dir() => dirs.push(Some(path)),
                        None => {}
                    }
                }
                continue;
            }
            let prefix = if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            };
            // `files` is sorted: the names under `prefix` are one run of it.
            let from = files.partition_point(|f| f.as_str() < prefix.as_str());
            let under = files[from..]
                .iter()
                .take_while(|f| f.starts_with(&prefix))
                .count();
            for (i, f) in files.iter().enumerate().skip(from).take(under) {
                let sub = parent(&f[prefix.len()..]);
                // Below a directory that has its own kustomization: that one decides.
                let owner = sub_dirs(sub).find(|d| kustomization_in(&join(&dir, d)).is_some());
                match owner {
                    Some(d) => dirs.push(Some(join(&dir, d))),
                    None if !checks::is_kustomization_file(file_name(f)) => new_files.push(i),
                    None => {}
                }
            }
        }
        if new_files.is_empty() {
            break;
        }
        for f in new_files.drain(..) {
            if applied.insert(f) {
                for o in &scans[f].objects {
                    if let Some(path) = &o.flux_path {
                        dirs.push(normalize("", path));
                    }
                }
            }
        }
    }
    applied
}

/// `a`, `a/b`, `a/b/c` for `a/b/c` (none for "").
fn sub_dirs(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/')
        .map(|(i, _)| &rel[..i])
        .chain((!rel.is_empty()).then_some(rel))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// `dir` joined with `path`, `.` and `..` resolved, no trailing `/`; `None`
/// when it leaves the repository.
pub(crate) fn normalize(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}
