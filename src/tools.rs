//! The command-line tools eks-workshop may call, and what for: the
//! prerequisites step and `doctor` list them.

/// A command-line tool eks-workshop may call, and when.
pub(crate) struct Tool {
    pub(crate) name: &'static str,
    pub(crate) needed_for: &'static str,
    /// The argument that prints its version.
    pub(crate) version_args: &'static [&'static str],
}

pub(crate) const TOOLS: &[Tool] = &[
    Tool {
        name: "git",
        needed_for: "nothing required (eks-workshop has git built in); handy for looking at the clone",
        version_args: &["--version"],
    },
    Tool {
        name: "kubectl",
        needed_for: "`verify` builds each kustomization with `kubectl kustomize`; your own checks",
        version_args: &["version", "--client"],
    },
    Tool {
        name: "flux",
        needed_for: "installing Flux when the cluster has none (or pass --flux-manifests)",
        version_args: &["--version"],
    },
    Tool {
        name: "aws",
        needed_for: "`aws eks update-kubeconfig` when no kubeconfig context points at the cluster",
        version_args: &["--version"],
    },
    Tool {
        name: "terraform",
        needed_for: "--terraform-dir (reading the workshop's terraform outputs)",
        version_args: &["version"],
    },
];
