//! Files the real-cluster scenarios (and `benches/real_cluster.rs`) build
//! their world from: the workshop repo pointed at the loopback Helm
//! repository, and the Flux install manifest made of the rig's CRDs. No
//! submodules, so the bench can include it by path.

use std::path::{Path, PathBuf};

use harness::cluster::RealCluster;
use harness::cluster::helmrepo::HelmRepo;
use serde_json::Value;

use crate::support::repo_root;

/// The workshop repo with its HelmRepositories pointed at the loopback Helm
/// repository (no internet here), as the upstream of the forge.
pub(crate) fn upstream_for(helm: &HelmRepo, into: &Path) {
    copy_dir(&repo_root().join("workshop"), into);
    let sources = into.join("gitops/sources");
    for entry in std::fs::read_dir(&sources).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        let rewritten: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("type: oci"))
            .map(|l| match l.split_once("url: ") {
                Some((indent, _)) => format!("{indent}url: {}\n", helm.url()),
                None => format!("{l}\n"),
            })
            .collect();
        std::fs::write(&path, rewritten).unwrap();
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The install manifest eks-workshop applies with `--flux-manifests`: the
/// real CRDs of the rig's controllers, and the controllers' Deployments
/// (which cannot run without a kubelet; the controllers run as processes).
pub(crate) fn flux_manifests(cluster: &RealCluster, dir: &Path) -> PathBuf {
    let mut out = String::from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n");
    let crds = cluster.rig().root().join("crds");
    let mut files: Vec<PathBuf> = walk_yaml(&crds);
    files.sort();
    for file in files {
        out.push_str("---\n");
        out.push_str(&std::fs::read_to_string(file).unwrap());
    }
    for name in [
        "source-controller",
        "kustomize-controller",
        "helm-controller",
    ] {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: flux-system\n  labels:\n    app.kubernetes.io/part-of: flux\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: manager\n          image: ghcr.io/fluxcd/{name}\n"
        ));
    }
    let path = dir.join("flux-install.yaml");
    std::fs::write(&path, out).unwrap();
    path
}

pub(crate) fn walk_yaml(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk_yaml(&p));
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
    out
}

pub(crate) fn ready(obj: &Value) -> bool {
    obj["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}
