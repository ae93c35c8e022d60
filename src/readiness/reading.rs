//! What to read before an upgrade: the target's Kubernetes changelog and
//! removals, and EKS's notes for it. Built from the target alone (no
//! network): each address follows the pattern its publisher uses for every
//! version.

use serde::Serialize;

use super::KubeVersion;

/// A page to read, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Reading {
    pub(crate) title: String,
    pub(crate) url: String,
}

/// The pages to read before upgrading to `target`, most specific first.
pub(crate) fn before_upgrading(target: KubeVersion) -> Vec<Reading> {
    let (major, minor) = (target.0.major, target.0.minor);
    let page = |title: String, url: String| Reading { title, url };
    vec![
        page(
            format!("Kubernetes {target} changelog: every change, and its urgent upgrade notes"),
            format!(
                "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-{major}.{minor}.md"
            ),
        ),
        page(
            format!("Kubernetes deprecated API migration guide: what {target} removes"),
            format!(
                "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v{major}-{minor}"
            ),
        ),
        page(
            format!("Amazon EKS: what changes in Kubernetes {target} on EKS"),
            format!(
                "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-{major}-{minor}"
            ),
        ),
        page(
            "Amazon EKS: update a cluster's Kubernetes version".into(),
            "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html".into(),
        ),
        page(
            "EKS best practices: cluster upgrades".into(),
            "https://docs.aws.amazon.com/eks/latest/best-practices/cluster-upgrades.html".into(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_are_built_from_the_target() {
        let found = before_upgrading(KubeVersion::parse("1.34").unwrap());
        let urls: Vec<&str> = found.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(
            urls[..3],
            [
                "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.34.md",
                "https://kubernetes.io/docs/reference/using-api/deprecation-guide/#v1-34",
                "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-34",
            ]
        );
        assert!(found[0].title.contains("1.34"));
    }
}
