//! The add-ons the workshop installs through Flux, and what each needs: its
//! line in `gitops/add-ons/kustomization.yaml` and the HelmRelease that says it
//! is running.

use crate::error::{Error, Result};

/// The kustomization that lists the add-ons, relative to the clone root.
pub(crate) const ADDONS_KUSTOMIZATION: &str = "gitops/add-ons/kustomization.yaml";

#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Addon {
    pub(crate) name: &'static str,
    /// Its entry in [`ADDONS_KUSTOMIZATION`] (see [`Addon::entry_in`]).
    pub(crate) resource: &'static str,
    /// Other names forks list it under: the real upstream calls the
    /// metrics-server file `01-metric-server.yaml`.
    pub(crate) aliases: &'static [&'static str],
    /// `(namespace, name)` of the Flux HelmRelease that installs it.
    pub(crate) helm_release: (&'static str, &'static str),
    pub(crate) description: &'static str,
    /// `(apiVersion, kind)` of the CRDs its chart brings: the preflight counts
    /// them as served once the add-on is enabled. Karpenter's are those of the
    /// workshop's chart (v0.27.3: Provisioner v1alpha5, AWSNodeTemplate
    /// v1alpha1) and of the v1 charts that replace them.
    pub(crate) brings: &'static [(&'static str, &'static str)],
}

/// Every add-on, in the order of the kustomization.
pub(crate) const ADDONS: &[Addon] = &[
    Addon {
        name: "metrics-server",
        resource: "01-metrics-server.yaml",
        aliases: &["01-metric-server.yaml"],
        helm_release: ("flux-system", "metrics-server"),
        description: "resource metrics for kubectl top and autoscaling (enabled upstream)",
        brings: &[],
    },
    Addon {
        name: "karpenter",
        resource: "02-karpenter.yaml",
        aliases: &[],
        helm_release: ("flux-system", "karpenter"),
        description: "node autoscaler that launches the application nodes",
        brings: &[
            ("karpenter.sh/v1alpha5", "Provisioner"),
            ("karpenter.k8s.aws/v1alpha1", "AWSNodeTemplate"),
            ("karpenter.sh/v1", "NodePool"),
            ("karpenter.k8s.aws/v1", "EC2NodeClass"),
        ],
    },
    Addon {
        name: "argo-workflows",
        resource: "03-argo-workflows.yaml",
        aliases: &[],
        helm_release: ("flux-system", "argo-workflows"),
        description: "runs the upgrade-validate workflow before each cluster upgrade",
        brings: &[
            ("argoproj.io/v1alpha1", "Workflow"),
            ("argoproj.io/v1alpha1", "WorkflowTemplate"),
        ],
    },
];

impl Addon {
    /// The name the kustomization `text` lists it under (enabled or
    /// commented out): [`Addon::resource`] or one of its aliases; the
    /// resource when none is listed.
    pub(crate) fn entry_in(&self, text: &str) -> &'static str {
        let listed = crate::kustomize::entries(text).unwrap_or_default();
        std::iter::once(self.resource)
            .chain(self.aliases.iter().copied())
            .find(|r| listed.iter().any(|(name, _)| name == r))
            .unwrap_or(self.resource)
    }
}

/// The add-on called `name`.
pub(crate) fn find(name: &str) -> Result<&'static Addon> {
    ADDONS
        .iter()
        .find(|addon| addon.name == name)
        .ok_or_else(|| Error::UnknownAddon {
            name: name.to_string(),
            known: ADDONS.iter().map(|addon| addon.name.to_string()).collect(),
        })
}

/// The add-ons kustomization at `path`, read with a cap. Whatever the file
/// holds (a directory, binary bytes, gigabytes) is a [`Error::Kustomization`]
/// the participant can fix by hand; only a failed read is an io error.
pub(crate) fn read_kustomization(path: &std::path::Path) -> Result<String> {
    crate::fsx::read_text(path, crate::fsx::INPUT_CAP).map_err(|refused| match refused {
        crate::fsx::Refused::Io(e) => Error::io(path, "read", e),
        refused => Error::Kustomization {
            path: path.to_path_buf(),
            reason: refused.reason(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upstream_name_of_the_metrics_server_file_is_known() {
        let metrics = find("metrics-server").unwrap();
        let upstream = "resources:\n  - 01-metric-server.yaml\n  # - 02-karpenter.yaml\n";
        assert_eq!(metrics.entry_in(upstream), "01-metric-server.yaml");
        let ours = "resources:\n  # - 01-metrics-server.yaml\n";
        assert_eq!(metrics.entry_in(ours), "01-metrics-server.yaml");
        assert_eq!(
            find("karpenter").unwrap().entry_in(upstream),
            "02-karpenter.yaml"
        );
    }

    #[test]
    fn finds_by_name() {
        assert_eq!(find("karpenter").unwrap().resource, "02-karpenter.yaml");
        assert_eq!(
            find("argo-workflows").unwrap().helm_release,
            ("flux-system", "argo-workflows")
        );
    }

    #[test]
    fn unknown_names_list_the_known_ones() {
        match find("karpentr") {
            Err(Error::UnknownAddon { name, known }) => {
                assert_eq!(name, "karpentr");
                assert_eq!(known, ["metrics-server", "karpenter", "argo-workflows"]);
            }
            other => panic!("expected UnknownAddon, got {other:?}"),
        }
    }

    #[test]
    fn every_addon_is_listed_in_the_workshop_kustomization() {
        let (_, text) = crate::workshop::files()
            .find(|(path, _)| *path == ADDONS_KUSTOMIZATION)
            .expect("the workshop has the add-ons kustomization");
        let listed = crate::kustomize::entries(std::str::from_utf8(text).unwrap()).unwrap();
        let names: Vec<&str> = listed.iter().map(|(name, _)| name.as_str()).collect();
        let resources: Vec<&str> = ADDONS.iter().map(|addon| addon.resource).collect();
        assert_eq!(names, resources);
    }
}
