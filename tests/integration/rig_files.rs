//! Files the real-cluster scenarios build their world from (see
//! `harness::fixtures`, which the benches use too).

use std::path::Path;

use harness::cluster::helmrepo::HelmRepo;

use crate::support::repo_root;

pub(crate) use harness::fixtures::{copy_dir, flux_manifests, ready};

/// The workshop repo with its HelmRepositories pointed at the loopback Helm
/// repository (no internet here), as the upstream of the forge.
pub(crate) fn upstream_for(helm: &HelmRepo, into: &Path) {
    harness::fixtures::upstream_for(helm, &repo_root().join("workshop"), into);
}
