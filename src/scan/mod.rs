//! The deprecated/removed Kubernetes API scanner behind `eks-workshop verify`.
//!
//! [`scan_repo`] reads every manifest of the GitOps repository and reports the
//! objects whose API is deprecated or removed at the target Kubernetes version,
//! telling the ones Flux applies from the ones only lying in the repository,
//! plus problems with the repository itself. [`scan_live`] does the same for
//! objects read from a cluster, and [`fix_text`] rewrites what converts
//! mechanically. The APIs come from `deprecations.yaml`.

pub(crate) mod charts;
mod checks;
mod fix;
pub(crate) mod helm;
mod live;
// The API of the lead's `migrate` step and push preflight, which wire it in;
// until then only its tests use it.
#[cfg_attr(not(test), allow(dead_code, unused_imports))]
pub(crate) mod migrate;
pub(crate) mod releases;
mod repo;
mod report;
mod table;
mod version;
mod yaml;

pub(crate) use fix::fix_text;
pub use live::scan_live;
pub(crate) use repo::{applied_builds, scan_repo};
pub use report::{Finding, Problem, Report};
pub use version::KubeVersion;
pub(crate) use yaml::first_error as first_syntax_error;

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
    repo::scan(root, target, cluster_path, kubectl).map_err(|e| e.to_string())
}
