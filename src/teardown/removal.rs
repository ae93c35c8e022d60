//! What a teardown step changes, as data: the plan shows it (and `-o json`
//! carries it), one executor performs it.

use std::path::PathBuf;

use serde::Serialize;

use super::Found;

/// One change a teardown step makes.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "removal", rename_all = "kebab-case")]
pub(crate) enum Removal {
    /// `spec.suspend: true` on a Kustomization or HelmRelease.
    Suspend {
        object: String,
        #[serde(skip)]
        found: Found,
    },
    /// Delete one object that makes cloud resources (a Karpenter pool, a
    /// Service of type LoadBalancer).
    Delete {
        object: String,
        #[serde(skip)]
        found: Found,
    },
    /// Wait until what was deleted is gone, with what it made in the cloud.
    WaitGone {
        what: String,
        #[serde(skip)]
        kind: Wait,
    },
    /// Delete Flux's objects while its controllers run; their finalizers
    /// removed by hand only when the controllers leave them.
    FluxObjects { objects: Vec<String> },
    /// Delete Flux's install (controllers, RBAC, CRDs, namespace), waited for.
    FluxInstall { objects: Vec<String> },
    /// Delete the participant's fork on GitHub (its name checked first).
    DeleteFork { fork: String },
    /// The participant's terraform: Flux's module out of the state, then destroy.
    Destroy {
        dir: PathBuf,
        tool: String,
        flux_module: bool,
    },
}

/// What a [`Removal::WaitGone`] waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Karpenter's pools and the nodes they launched.
    Karpenter,
    /// Services of type LoadBalancer.
    LoadBalancers,
}

impl Removal {
    pub(crate) fn render_text(&self) -> String {
        match self {
            Removal::Suspend { object, .. } => format!("suspend {object}\n"),
            Removal::Delete { object, .. } => format!("delete {object}\n"),
            Removal::WaitGone { what, .. } => format!("wait until gone: {what}\n"),
            Removal::FluxObjects { objects } => format!(
                "delete Flux's objects while its controllers run ({}), and wait until each controller released its own; finalizers left after that are removed by hand, named\n",
                objects.join(", ")
            ),
            Removal::FluxInstall { objects } => format!(
                "uninstall Flux: delete {}, and wait until they are gone\n",
                objects.join(", ")
            ),
            Removal::DeleteFork { fork } => format!(
                "delete the fork {fork} on GitHub, once GitHub says it is a fork of the upstream (in a terminal, once you typed its name)\n"
            ),
            Removal::Destroy {
                dir,
                tool,
                flux_module,
            } => {
                let rm = match flux_module {
                    true => {
                        format!("`{tool} state rm 'module.flux_v2'` (uninstalled above), then ")
                    }
                    false => String::new(),
                };
                format!(
                    "{rm}`{tool} destroy` in {} (every variable through TF_VAR_*, the token never on the command line)\n",
                    dir.display()
                )
            }
        }
    }
}
