//! The repository's files: walking the tree for manifests and
//! kustomizations, and reading them all (in parallel) into what each holds.

use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::super::checks;
use super::super::edit::dom::DomSink;
use super::super::flux_migration::{self, NonStrings};
use super::super::objects::{self, Facts as _, body::Body};
use super::super::yaml::{
    self,
    fast::{Scalar, Sink},
};
use super::{FileScan, Object, problem};
use crate::error::{Error, Result};
use crate::readiness::Problem;
use crate::readiness::deprecations::Table;

/// Directories never scanned: git's, and the tool's own state.
const SKIP_DIRS: &[&str] = &[".git", crate::config::WORK_DIR];

/// The most of one manifest the scan reads: the fork's text is bounded when
/// read, and a bigger file is reported instead.
pub(crate) const MAX_MANIFEST_BYTES: usize = 16 << 20;

/// A file the walk found.
pub(crate) struct Found {
    /// Relative, `/`-separated; a byte of a name that is not UTF-8 shown as `\xNN`.
    pub(crate) shown: String,
    /// Relative, as on disk: what is opened.
    path: PathBuf,
    /// Every name on its path is UTF-8, so `shown` opens it too.
    pub(super) utf8: bool,
}

impl Found {
    /// Its directory, as on disk.
    pub(super) fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// Every manifest (`*.yaml`, `*.yml`, `*.json`) and kustomization file under
/// `root`, relative and `/`-separated, sorted; for the callers that open a
/// file by its name, those whose names are all UTF-8 (the scan reads the
/// others too, see [`walk_all`]).
pub(crate) fn walk(root: &Path, problems: &mut Vec<Problem>) -> Result<Vec<String>> {
    Ok(names(&utf8_only(walk_all(root, problems)?)))
}

/// The files whose names are all UTF-8: the ones the callers of [`walk`]
/// can open by the name they get.
pub(super) fn utf8_only(found: Vec<Found>) -> Vec<Found> {
    found.into_iter().filter(|f| f.utf8).collect()
}

pub(super) fn names(found: &[Found]) -> Vec<String> {
    found.iter().map(|f| f.shown.clone()).collect()
}

/// [`walk`], with the files whose names are not UTF-8. Symlinks are not
/// followed: one that stands for a manifest or a directory is a problem
/// (what it points at may lie outside the clone), never a silent skip.
pub(crate) fn walk_all(root: &Path, problems: &mut Vec<Problem>) -> Result<Vec<Found>> {
    let mut files = Vec::new();
    let mut dirs = vec![(String::new(), PathBuf::new(), true)];
    let top = fs::read_dir(root).map_err(|e| Error::io(root, "read", e))?;
    let mut pending = Some(top);
    while let Some((dir, dir_path, dir_utf8)) = dirs.pop() {
        let entries = match pending.take() {
            Some(top) => top,
            None => match fs::read_dir(root.join(&dir_path)) {
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
            let os_name = entry.file_name();
            let (name, utf8) = shown(&os_name);
            let rel = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            let path = dir_path.join(&os_name);
            let utf8 = dir_utf8 && utf8;
            let wanted = is_manifest(&name) || checks::is_kustomization_file(&name);
            if file_type.is_dir() {
                if !SKIP_DIRS.contains(&name.as_str()) {
                    dirs.push((rel, path, utf8));
                }
            } else if file_type.is_file() && wanted {
                files.push(Found {
                    shown: rel,
                    path,
                    utf8,
                });
            } else if file_type.is_symlink() && (wanted || root.join(&path).is_dir()) {
                problems.push(problem(&rel, 0, symlink_message(&root.join(&path))));
            }
        }
    }
    files.sort_by(|a, b| a.shown.cmp(&b.shown));
    Ok(files)
}

/// A name as shown: itself when UTF-8 (true), else each byte that is not
/// UTF-8 as `\xNN` (false).
fn shown(name: &OsStr) -> (String, bool) {
    if let Some(name) = name.to_str() {
        return (name.to_owned(), true);
    }
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    (out, false)
}

fn symlink_message(link: &Path) -> String {
    let target = crate::fsx::link_target(link);
    format!(
        "is a symbolic link (to {target}), not followed: verify reads only regular files inside the clone; put the file itself there"
    )
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

/// Read and scan the files on every core: what each holds, and its text
/// when it was read and is UTF-8 (kept, so no later check reads it again).
pub(super) fn read_all(root: &Path, files: &[Found]) -> Vec<(FileScan, Option<String>)> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map_init(Vec::new, |buf, file| read_one(root, file, buf))
        .collect()
}

fn read_one(root: &Path, file: &Found, buf: &mut Vec<u8>) -> (FileScan, Option<String>) {
    let only = |message: String| {
        let scan = FileScan {
            problems: vec![(0, message)],
            ..Default::default()
        };
        (scan, None)
    };
    let read =
        fs::File::open(root.join(&file.path)).and_then(|f| read_into(f, buf, MAX_MANIFEST_BYTES));
    let len = match read {
        Ok(Some(len)) => len,
        Ok(None) => {
            return only(format!(
                "is larger than {} MiB, so it was not read (verify reads manifests up to that size)",
                MAX_MANIFEST_BYTES >> 20
            ));
        }
        Err(e) => return only(format!("could not be read: {e}")),
    };
    let Ok(text) = std::str::from_utf8(&buf[..len]) else {
        return only("is not UTF-8 text".into());
    };
    (scan_text(&file.shown, text), Some(text.to_owned()))
}

/// Read a whole file into `buf` (kept at its full, initialised length between
/// files) and return its size, or None when it is larger than `cap` (never
/// more than `cap` + 1 bytes are read). Unlike `read_to_end`, no `stat` and
/// `lseek` first: on a sandboxed kernel those calls cost as much as the read.
fn read_into(mut file: impl Read, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<Option<usize>> {
    let mut len = 0;
    loop {
        if len == buf.len() {
            if len > cap {
                return Ok(None);
            }
            buf.resize((buf.len() * 2).max(64 * 1024).min(cap + 1), 0);
        }
        match file.read(&mut buf[len..]) {
            Ok(0) => return Ok(Some(len)),
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
    if rel.ends_with(".json") {
        let errors = yaml::read_json(text, &mut found);
        scan.problems.extend(errors);
        return scan;
    }
    // What the preflight and disruption readiness read of each document,
    // in the same walk.
    let mut walked = Some(Vec::new());
    let mut bodies = Some(Vec::new());
    let mut each = |read: Option<(&yaml::Doc<'_>, &yaml::Head<'_>, Beside<'_>)>| match (
        read,
        &mut walked,
        &mut bodies,
    ) {
        (Some((doc, head, beside)), Some(objects), Some(with_bodies)) => {
            objects.extend(flux_migration::walked(rel, doc, head, beside.labels));
            let dom = beside.tree.map(|t| t.dom(doc.text));
            with_bodies.extend(objects::walked::<Body>(rel, doc, head, dom));
        }
        _ => (walked, bodies) = (None, None),
    };
    let errors = yaml::read_yaml_teed(text, &mut found, Beside::new, &mut each);
    scan.problems.extend(errors);
    scan.walked = walked;
    scan.bodies = bodies;
    scan
}

/// What the walk of a document feeds beside its head: the preflight's
/// label values, and the document's tree when it may be of a kind whose
/// body disruption readiness reads.
struct Beside<'a> {
    labels: NonStrings<'a>,
    tree: Option<DomSink<'a>>,
}

impl<'a> Beside<'a> {
    fn new(text: &'a str) -> Self {
        Beside {
            labels: NonStrings::new(text),
            tree: objects::may_be_wanted::<Body>(text).then(|| DomSink::new(Body::DEPTH)),
        }
    }
}

impl<'a> Sink<'a> for Beside<'a> {
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>) {
        self.labels.key(depth, line, col, key, value);
        if let Some(tree) = &mut self.tree {
            tree.key(depth, line, col, key, value);
        }
    }

    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>) {
        self.labels.item(depth, line, col, value);
        if let Some(tree) = &mut self.tree {
            tree.item(depth, line, col, value);
        }
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
