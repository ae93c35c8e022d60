//! Waiting through dependencies: a Kustomization that fails because a kind is
//! not served *yet* — the CRD comes with an add-on's chart that is still
//! installing — is progress, not a failure. Pure; `synced.rs` asks.

/// A HelmRelease the wait knows about: the ones it waits for (`required`),
/// and those of every enabled add-on whose chart brings CRDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Release<'a> {
    pub(crate) namespace: &'a str,
    pub(crate) name: &'a str,
    /// `(apiVersion, kind)` its chart serves once installed.
    pub(crate) brings: &'a [(&'a str, &'a str)],
    /// Setup waits until it is Ready.
    pub(crate) required: bool,
    /// Disabled: the wait lasts until it is gone (uninstalled).
    pub(crate) removed: bool,
}

impl Release<'_> {
    pub(crate) fn label(&self) -> String {
        format!("HelmRelease {}/{}", self.namespace, self.name)
    }
}

/// A kind the API server answered "no matches for" when Flux applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unserved {
    pub(crate) api_version: String,
    pub(crate) kind: String,
}

impl std::fmt::Display for Unserved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.api_version)
    }
}

/// The kinds named in a Flux message by the API server's
/// `no matches for kind "K" in version "G/V"` (kustomize-controller puts it
/// after `<Kind>/<name> dry-run failed:`; one line per object).
pub(crate) fn unserved(message: &str) -> Vec<Unserved> {
    const KIND: &str = "no matches for kind \"";
    const VERSION: &str = "\" in version \"";
    let mut out = Vec::new();
    let mut rest = message;
    while let Some(at) = rest.find(KIND) {
        rest = &rest[at + KIND.len()..];
        let Some((kind, after)) = rest.split_once(VERSION) else {
            break;
        };
        let Some((version, after)) = after.split_once('"') else {
            break;
        };
        let found = Unserved {
            api_version: version.to_string(),
            kind: kind.to_string(),
        };
        if !out.contains(&found) {
            out.push(found);
        }
        rest = after;
    }
    out
}

/// The release whose chart brings `what`.
pub(crate) fn bringer<'r, 'a>(
    releases: &'r [Release<'a>],
    what: &Unserved,
) -> Option<&'r Release<'a>> {
    releases.iter().find(|r| {
        r.brings
            .iter()
            .any(|(v, k)| *v == what.api_version && *k == what.kind)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_unserved_kind_of_a_kustomize_controller_message() {
        let message = "ReconciliationFailed: Provisioner/default dry-run failed: no matches for kind \"Provisioner\" in version \"karpenter.sh/v1alpha5\"\nAWSNodeTemplate/default dry-run failed: no matches for kind \"AWSNodeTemplate\" in version \"karpenter.k8s.aws/v1alpha1\"";
        assert_eq!(
            unserved(message),
            vec![
                Unserved {
                    api_version: "karpenter.sh/v1alpha5".into(),
                    kind: "Provisioner".into()
                },
                Unserved {
                    api_version: "karpenter.k8s.aws/v1alpha1".into(),
                    kind: "AWSNodeTemplate".into()
                },
            ]
        );
        assert!(unserved("Deployment/x dry-run failed: field not declared").is_empty());
        assert!(unserved("no matches for kind \"Cut").is_empty());
    }

    #[test]
    fn finds_the_release_that_brings_a_kind() {
        let releases = [
            Release {
                namespace: "flux-system",
                name: "argo",
                brings: &[("argoproj.io/v1alpha1", "Workflow")],
                required: true,
                removed: false,
            },
            Release {
                namespace: "flux-system",
                name: "karpenter",
                brings: &[("karpenter.sh/v1alpha5", "Provisioner")],
                required: false,
                removed: false,
            },
        ];
        let what = |v: &str, k: &str| Unserved {
            api_version: v.into(),
            kind: k.into(),
        };
        assert_eq!(
            bringer(&releases, &what("karpenter.sh/v1alpha5", "Provisioner")).map(|r| r.name),
            Some("karpenter")
        );
        assert_eq!(
            bringer(&releases, &what("karpenter.sh/v1", "Provisioner")),
            None
        );
    }
}
