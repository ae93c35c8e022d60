//! The GitOps repository's manifests: reading them, and changing them.
//!
//! [`scan_repo`] walks the repository, reads every manifest (the [`yaml`]
//! reader), works out what Flux applies and reports the objects whose API is
//! deprecated or removed at the target Kubernetes version (by
//! [`crate::readiness`]'s table), plus problems with the repository itself
//! ([`checks`]). [`fix_text`] rewrites what converts mechanically to the
//! replacement API, [`flux_migration`] moves Flux's own objects to the API
//! versions the cluster's Flux serves, both editing only the lines that change
//! ([`edit`]). [`releases`] lists the repository's HelmReleases, and
//! [`stored_release`] reads a Helm release as Helm stores it on the cluster.

pub(crate) mod charts;
mod checks;
mod edit;
mod fix;
pub(crate) mod flux_migration;
pub(crate) mod migration;
pub(crate) mod objects;
pub(crate) mod releases;
mod scan;
pub(crate) mod stored_release;
mod yaml;

pub(crate) use fix::{fix_repo, fix_text};
pub(crate) use scan::{Tree, applied_builds, report, scan_repo};
pub(crate) use yaml::first_error as first_syntax_error;

use crate::readiness::{KubeVersion, Report};

/// For `benches/scan.rs` (the crate's error type is not public): [`scan_repo`]
/// with the target and errors as text, and `kubectl kustomize` run with the
/// given kubectl (the bench's is the rig's) or not at all.
#[doc(hidden)]
pub fn bench_scan(
    root: &std::path::Path,
    target: &str,
    cluster_path: &str,
    kubectl: Option<&std::path::Path>,
) -> Result<Report, String> {
    let target = KubeVersion::parse(target).map_err(|e| e.to_string())?;
    let tree = Tree::read(root, cluster_path).map_err(|e| e.to_string())?;
    Ok(scan::scan(&tree, target, kubectl))
}
