//! What the tests and the benches build their worlds from, kept here so both
//! use the same: the Karpenter chart the add-on installs, the workshop repo
//! pointed at a loopback Helm repository, the Flux install manifest made of
//! the rig's CRDs, the Ready check, and a PATH with the rig's kubectl.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::cluster::RealCluster;
use crate::cluster::helmrepo::{Chart, HelmRepo};

/// A PATH for the binary under test or a script standing in for it:
/// `first` (stubs), the rig's `bin/` (its kubectl, built from the same
/// Kubernetes as its API server; panics naming the set-up script when
/// missing), then this process's PATH (git, sh, ...).
pub fn path_with_rig(first: &[&Path]) -> String {
    let kubectl = crate::cluster::Rig::locate().kubectl();
    let rig = kubectl.parent().expect("kubectl is in bin/").to_path_buf();
    let inherited = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = first
        .iter()
        .map(|d| d.to_path_buf())
        .chain([rig])
        .chain(std::env::split_paths(&inherited))
        .collect();
    std::env::join_paths(dirs)
        .expect("PATH entries without ':'")
        .into_string()
        .expect("PATH is UTF-8")
}

/// `command` (the binary under test) cut off from the developer's shell:
/// no `GITHUB_*`, `GH_*`, `AWS_*`, `GIT_BRANCH` or `KUBECONFIG` from it, no
/// instance role (a test never asks real AWS), no colour, `home` as HOME,
/// and the rig's kubectl first on PATH. The tests and the benches both run
/// the binary through this one function.
pub fn isolate(command: &mut std::process::Command, home: &Path) {
    let inherited = std::env::vars().map(|(k, _)| k);
    for key in inherited.filter(|k| {
        ["GITHUB_", "GH_", "AWS_"].iter().any(|p| k.starts_with(p))
            || k == "GIT_BRANCH"
            || k == "KUBECONFIG"
    }) {
        command.env_remove(key);
    }
    command
        .env("PATH", path_with_rig(&[]))
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true");
}

/// Whether `obj` has condition `Ready=True`.
pub fn ready(obj: &Value) -> bool {
    obj["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// A CRD manifest for a cluster-scoped kind, as a chart's `crds/` file carries it.
fn crd(group: &str, version: &str, kind: &str, plural: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n\
         metadata: {{name: {plural}.{group}}}\nspec:\n  group: {group}\n  \
         names: {{kind: {kind}, listKind: {kind}List, plural: {plural}, singular: {}}}\n  \
         scope: Cluster\n  versions:\n  - name: {version}\n    served: true\n    storage: true\n    \
         schema: {{openAPIV3Schema: {{type: object, x-kubernetes-preserve-unknown-fields: true}}}}\n",
        kind.to_lowercase()
    )
}

/// The Karpenter chart the workshop's add-on installs, as far as Flux needs it:
/// its `crds/` bring the Provisioner and AWSNodeTemplate kinds that the
/// `karpenter-provisioner` Kustomization applies.
pub fn karpenter_chart() -> Chart {
    karpenter_chart_at("v0.27.3")
}

/// [`karpenter_chart`] at another chart version (the kinds stay v1alpha5:
/// only the version matters to an upgrade's chart bump).
pub fn karpenter_chart_at(version: &str) -> Chart {
    Chart::new("karpenter", version)
        .crd(
            "karpenter.sh_provisioners.yaml",
            &crd("karpenter.sh", "v1alpha5", "Provisioner", "provisioners"),
        )
        .crd(
            "karpenter.k8s.aws_awsnodetemplates.yaml",
            &crd(
                "karpenter.k8s.aws",
                "v1alpha1",
                "AWSNodeTemplate",
                "awsnodetemplates",
            ),
        )
}

/// The workshop repo at `workshop`, copied to `into` with its
/// HelmRepositories pointed at the loopback Helm repository (no internet
/// here), as the upstream of the forge.
pub fn upstream_for(helm: &HelmRepo, workshop: &Path, into: &Path) {
    copy_dir(workshop, into);
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

pub fn copy_dir(from: &Path, to: &Path) {
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
pub fn flux_manifests(cluster: &RealCluster, dir: &Path) -> PathBuf {
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

/// Every `.yaml` file under `dir`, recursively.
pub fn walk_yaml(dir: &Path) -> Vec<PathBuf> {
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
