//! The repository's files: walking the tree for manifests and
//! kustomizations, and reading them all (in parallel) into what each holds.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::super::checks;
use super::super::report::Problem;
use super::super::table::Table;
use super::super::yaml;
use super::{FileScan, Object, problem};
use crate::error::{Error, Result};

/// Directories never scanned: git's, and the tool's own state.
const SKIP_DIRS: &[&str] = &[".git", crate::config::WORK_DIR];

/// Every manifest (`*.yaml`, `*.yml`, `*.json`) and kustomization file under
/// `root`, relative and `/`-separated, sorted. Symlinks are not followed.
pub(crate) fn walk(root: &Path, problems: &mut Vec<Problem>) -> Result<Vec<String>> {
    let mut files = Vec::new();
    let mut dirs = vec![String::new()];
    let top = fs::read_dir(root).map_err(|e| Error::io(root, "read", e))?;
    let mut pending = Some(top);
    while let Some(dir) = dirs.pop() {
        let entries = match pending.take() {
            Some(top) => top,
            None => match fs::read_dir(root.join(&dir)) {
                Ok(entries) => entries,
                Err(e) => {
                    problems.push(problem(
                        &dir,
                        0,
                        format!("could not read the directory: {e}"),
                    ));
                    continue;
                }
            },
        };
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let rel = if dir.is_empty() {
                name.to_owned()
            } else {
                format!("{dir}/{name}")
            };
            if file_type.is_dir() {
                if !SKIP_DIRS.contains(&name) {
                    dirs.push(rel);
                }
            } else if file_type.is_file()
                && (is_manifest(name) || checks::is_kustomization_file(name))
            {
                files.push(rel);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn is_manifest(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")
}

pub(crate) fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

pub(crate) fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Read and scan the files on every core.
pub(super) fn read_all(root: &Path, files: &[String]) -> Vec<FileScan> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, FileScan)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(rel) = files.get(i) else { break };
                        done.push((i, read_one(root, rel, &mut buf)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("scan thread"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, scan)| scan).collect()
}

fn read_one(root: &Path, rel: &str, buf: &mut Vec<u8>) -> FileScan {
    let len = match fs::File::open(root.join(rel)).and_then(|f| read_into(f, buf)) {
        Ok(len) => len,
        Err(e) => {
            return FileScan {
                problems: vec![(0, format!("could not be read: {e}"))],
                ..Default::default()
            };
        }
    };
    let Ok(text) = std::str::from_utf8(&buf[..len]) else {
        return FileScan {
            problems: vec![(0, "is not UTF-8 text".into())],
            ..Default::default()
        };
    };
    scan_text(rel, text)
}

/// Read a whole file into `buf` (kept at its full, initialised length between
/// files) and return its size. Unlike `read_to_end`, no `stat` and `lseek`
/// first: on a sandboxed kernel those calls cost as much as the read.
fn read_into(mut file: fs::File, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut len = 0;
    loop {
        if len == buf.len() {
            buf.resize((buf.len() * 2).max(64 * 1024), 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => return Ok(len),
            Ok(n) => len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn scan_text(rel: &str, text: &str) -> FileScan {
    let mut scan = FileScan {
        placeholders: checks::placeholders(text),
        ..Default::default()
    };
    if checks::is_kustomization_file(file_name(rel)) {
        match checks::kustomize_resources(text) {
            Ok(resources) => scan.resources = Some(resources),
            Err(message) => scan.problems.push((0, message)),
        }
        return scan;
    }
    let table = Table::get();
    let mut found = |m: yaml::Manifest<'_>| {
        let Some((api_version, kind)) = m.head.gvk() else {
            return;
        };
        let entry = table.lookup(api_version, kind);
        if entry.is_none() && m.flux_path.is_none() {
            return;
        }
        scan.objects.push(Object {
            line: m.line,
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            name: m.head.name.as_deref().unwrap_or_default().to_owned(),
            namespace: m.head.namespace.as_deref().unwrap_or_default().to_owned(),
            entry,
            flux_path: m.flux_path,
        });
    };
    let errors = if rel.ends_with(".json") {
        yaml::read_json(text, &mut found)
    } else {
        yaml::read_yaml(text, &mut found)
    };
    scan.problems.extend(errors);
    scan
}
