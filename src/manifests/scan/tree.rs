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
use crate::manifests::flux_migration::{self, AppliedObject};
use crate::manifests::objects::body::Body;
use crate::manifests::objects::{self, Facts, RepoObject};
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
            })
        })
    }

    /// Every object of the files Flux applies, as the preflight reads them:
    /// as this read gathered them, or (a file the fast reader did not read
    /// whole) read now, on every core. Files that do not parse are skipped
    /// (the scan reports them).
    pub(crate) fn preflight_objects(&self) -> Vec<AppliedObject> {
        self.applied(
            |i| self.scans[i].walked.as_deref(),
            |name, text| {
                let mut out = Vec::new();
                flux_migration::objects_of(name, text, &mut out);
                out
            },
        )
    }

    /// Every object in the YAML files Flux applies, with `F`'s facts, read
    /// on every core.
    pub(crate) fn objects<F: Facts>(&self) -> Vec<RepoObject<F>> {
        self.applied_yaml(|_| None)
    }

    /// [`Tree::objects`] with their [`Body`]: as this read gathered them,
    /// or (a file the fast reader did not read whole) read now.
    pub(crate) fn bodies(&self) -> Vec<RepoObject<Body>> {
        self.applied_yaml(|i| self.scans[i].bodies.as_deref())
    }

    fn applied_yaml<'t, F: Facts>(
        &'t self,
        gathered: impl Fn(usize) -> Option<&'t [RepoObject<F>]> + Sync,
    ) -> Vec<RepoObject<F>> {
        let yaml = |name: &str| name.ends_with(".yaml") || name.ends_with(".yml");
        self.applied(
            |i| {
                if yaml(&self.files[i]) {
                    gathered(i)
                } else {
                    Some(&[])
                }
            },
            |name, text| objects::in_text(text, name),
        )
    }

    /// What each applied file gathered (by its index), or what `alone`
    /// reads of it, on every core, in name order.
    fn applied<'t, T: Clone + Send + Sync + 't>(
        &'t self,
        gathered: impl Fn(usize) -> Option<&'t [T]> + Sync,
        alone: impl Fn(&str, &str) -> Vec<T> + Sync,
    ) -> Vec<T> {
        use rayon::prelude::*;
        let files: Vec<usize> = (0..self.files.len())
            .filter(|i| self.applied.contains(i) && self.found[*i].utf8)
            .filter(|&i| self.texts[i].is_some())
            .collect();
        files
            .par_iter()
            .flat_map_iter(|&i| match gathered(i) {
                Some(found) => found.to_vec(),
                None => alone(&self.files[i], self.texts[i].as_deref().unwrap_or_default()),
            })
            .collect()
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
