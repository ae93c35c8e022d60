//! One read of a repository: every manifest and kustomization under it,
//! read once (on every core) and kept, with what Flux applies of it.
//! `verify`'s checks (the API scan, the preflight, disruption readiness,
//! the add-on versions) and upgrade's readiness gate read a [`Tree`]
//! instead of the disk: a tree of 10,000 manifests used to be read seven
//! times per `verify`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::files::{Found, read_all, walk_all};
use super::reach::reachability;
use super::{FileScan, file_name, parent};
use crate::error::Result;
use crate::manifests::checks;
use crate::manifests::flux_migration::AppliedObject;
use crate::manifests::objects::RepoObject;
use crate::manifests::objects::body::Body;
use crate::readiness::Problem;

pub(crate) struct Tree {
    root: PathBuf,
    cluster_path: String,
    pub(super) found: Vec<Found>,
    /// Each file's name as shown (sorted, as `found`).
    pub(super) files: Vec<String>,
    /// What reading each file gave.
    pub(super) scans: Vec<FileScan>,
    /// Each file's text, when it was read and is UTF-8.
    texts: Vec<Option<String>>,
    /// Indices of the files Flux applies.
    pub(super) applied: HashSet<usize>,
    /// What the walk itself met (a directory it could not read, a symlink).
    pub(super) walk_problems: Vec<Problem>,
}

/// A file of the tree, read.
pub(crate) struct File<'t> {
    /// Relative, `/`-separated.
    pub(crate) name: &'t str,
    pub(crate) text: &'t str,
    /// Flux applies it (from the cluster directory the tree was read for).
    pub(crate) applied: bool,
    /// Its objects as the preflight reads them, when the read gathered them.
    pub(crate) walked: Option<&'t [AppliedObject]>,
    /// Its objects with their bodies' facts, when the read gathered them.
    pub(crate) bodies: Option<&'t [RepoObject<Body>]>,
}

impl Tree {
    /// Walk `root`, read every manifest and kustomization, and follow what
    /// Flux applies from `cluster_path`.
    pub(crate) fn read(root: &Path, cluster_path: &str) -> Result<Tree> {
        let mut walk_problems = Vec::new();
        let found = walk_all(root, &mut walk_problems)?;
        let files: Vec<String> = found.iter().map(|f| f.shown.clone()).collect();
        let (scans, texts): (Vec<_>, Vec<_>) = read_all(root, &found).into_iter().unzip();
        let applied = reachability(root, &files, &scans, cluster_path);
        Ok(Tree {
            root: root.to_path_buf(),
            cluster_path: cluster_path.to_owned(),
            found,
            files,
            scans,
            texts,
            applied,
            walk_problems,
        })
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The directory Flux is bootstrapped from, as given.
    pub(crate) fn cluster_path(&self) -> &str {
        &self.cluster_path
    }

    pub(super) fn cluster_dir_exists(&self) -> bool {
        self.root.join(&self.cluster_path).is_dir()
    }

    /// Every file that was read, in name order; only those whose names are
    /// all UTF-8 (what a caller names is what opens).
    pub(crate) fn files(&self) -> impl Iterator<Item = File<'_>> {
        (0..self.files.len()).filter_map(|i| {
            let text = self.texts[i].as_deref()?;
            self.found[i].utf8.then_some(File {
                name: &self.files[i],
                text,
                applied: self.applied.contains(&i),
                walked: self.scans[i].walked.as_deref(),
                bodies: self.scans[i].bodies.as_deref(),
            })
        })
    }

    /// The files Flux applies, in name order.
    pub(crate) fn applied_files(&self) -> impl Iterator<Item = File<'_>> {
        self.files().filter(|f| f.applied)
    }

    /// The kustomization files Flux builds (in directories it applies),
    /// each with its `resources:` entries.
    pub(super) fn applied_kustomizations(&self) -> Vec<(&str, &[(usize, String)])> {
        let dirs: HashSet<&str> = (self.applied.iter())
            .filter(|&&i| self.found[i].utf8)
            .map(|&i| parent(&self.files[i]))
            .collect();
        (self.files.iter().zip(&self.scans).zip(&self.found))
            .filter(|((file, _), found)| {
                found.utf8
                    && checks::is_kustomization_file(file_name(file))
                    && dirs.contains(parent(file))
            })
            .map(|((file, scan), _)| {
                let entries = scan.resources.as_deref().unwrap_or_default();
                (file.as_str(), entries)
            })
            .collect()
    }
}
