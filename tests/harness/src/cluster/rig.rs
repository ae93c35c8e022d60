//! Where `tests/rig/build.sh` put the binaries and CRDs.

use std::path::{Path, PathBuf};

/// The rig directory: `$EKS_WORKSHOP_RIG`, else `~/.cache/eks-workshop-rig`.
#[derive(Debug, Clone)]
pub struct Rig {
    root: PathBuf,
}

/// The Flux CRD groups the rig copies, as `crds/<dir>/*.yaml`.
pub const CRD_DIRS: [&str; 3] = ["source", "kustomize", "helm"];

impl Rig {
    /// Finds the rig without checking what is in it.
    pub fn locate() -> Rig {
        let root = match std::env::var_os("EKS_WORKSHOP_RIG") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => {
                let home = std::env::var_os("HOME").expect("cluster: HOME is not set");
                Path::new(&home).join(".cache/eks-workshop-rig")
            }
        };
        Rig { root }
    }

    /// A rig at `root` (what `EKS_WORKSHOP_RIG` would name).
    pub fn at(root: impl Into<PathBuf>) -> Rig {
        Rig { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `bin/<name>`; panics, saying how to build it, when it is missing.
    pub fn bin(&self, name: &str) -> PathBuf {
        let path = self.root.join("bin").join(name);
        if !path.is_file() {
            panic!(
                "cluster: {} is missing: run tests/setup.sh (it builds etcd, kube-apiserver, \
                 kubectl, kube-controller-manager, the Flux controllers, pluto and OpenTofu \
                 from the Go module proxy into {}; set EKS_WORKSHOP_RIG to use another \
                 directory)",
                path.display(),
                self.root.display()
            );
        }
        path
    }

    /// `peers/<name>`: a tool the benchmarks measure eks-workshop against
    /// (the flux CLI), kept out of `bin/`, which tests put on the PATH of
    /// the binary under test. Panics, saying how to build it, when missing.
    pub fn peer(&self, name: &str) -> PathBuf {
        let path = self.root.join("peers").join(name);
        if !path.is_file() {
            panic!(
                "cluster: {} is missing: run tests/rig/build.sh {name} (it builds it from \
                 the Go module proxy into {})",
                path.display(),
                self.root.display()
            );
        }
        path
    }

    /// The rig's kubectl, built from the same `k8s.io/kubernetes` as its
    /// kube-apiserver. Tests use it and never a kubectl found on PATH, whose
    /// version (or absence) would change what they check.
    pub fn kubectl(&self) -> PathBuf {
        self.bin("kubectl")
    }

    /// Every Flux CRD file, sorted; panics when the rig has none.
    pub fn flux_crds(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for dir in CRD_DIRS {
            let dir = self.root.join("crds").join(dir);
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
                panic!(
                    "cluster: no Flux CRDs at {} ({e}): run tests/setup.sh",
                    dir.display()
                )
            });
            files.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml")),
            );
        }
        files.sort();
        files
    }

    /// `versions.txt` as written by the build script (empty if absent).
    pub fn versions(&self) -> String {
        std::fs::read_to_string(self.root.join("versions.txt")).unwrap_or_default()
    }
}
