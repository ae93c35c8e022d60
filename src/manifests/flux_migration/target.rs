//! The Flux API versions to migrate to, from what the cluster serves (see
//! [`crate::kube::served`]).

use std::collections::BTreeSet;

use super::FluxApis;

/// The Flux API versions to migrate to: for each Flux kind, the version the
/// cluster serves (the newest when several), else what eks-workshop installs.
pub(crate) fn flux_apis(served: &BTreeSet<(String, String)>) -> FluxApis {
    let mut apis = FluxApis::current();
    for (kind, api_version) in &mut apis.served {
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_string();
        let mut theirs: Vec<&String> = served
            .iter()
            .filter(|(a, k)| k == kind && a.starts_with(&format!("{group}/")))
            .map(|(a, _)| a)
            .collect();
        if theirs.iter().any(|a| *a == api_version) || theirs.is_empty() {
            continue;
        }
        theirs.sort_by_key(|a| version_rank(a.rsplit('/').next().unwrap_or_default()));
        *api_version = theirs.last().map(|a| a.to_string()).unwrap_or_default();
    }
    apis
}

/// `v1` > `v1beta2` > `v1beta1` > `v1alpha1`, as Kubernetes orders versions.
fn version_rank(v: &str) -> (u32, u32, u32) {
    let digits = |s: &str| s.parse::<u32>().unwrap_or(0);
    let rest = v.trim_start_matches('v');
    for (stage, rank) in [("beta", 1), ("alpha", 0)] {
        if let Some((major, minor)) = rest.split_once(stage) {
            return (digits(major), rank, digits(minor));
        }
    }
    (digits(rest), 2, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
        pairs
            .iter()
            .map(|(a, k)| (a.to_string(), k.to_string()))
            .collect()
    }

    #[test]
    fn flux_apis_follow_what_the_cluster_serves() {
        let today = flux_apis(&set(&[("helm.toolkit.fluxcd.io/v2", "HelmRelease")]));
        assert_eq!(today, FluxApis::current());
        let older = flux_apis(&set(&[
            ("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease"),
            ("helm.toolkit.fluxcd.io/v2beta2", "HelmRelease"),
        ]));
        assert_eq!(
            older.version_for("HelmRelease"),
            Some("helm.toolkit.fluxcd.io/v2beta2")
        );
        assert_eq!(
            older.version_for("Kustomization"),
            Some("kustomize.toolkit.fluxcd.io/v1")
        );
    }

    #[test]
    fn versions_rank_as_kubernetes_orders_them() {
        let mut v = vec!["v1beta1", "v1", "v2beta2", "v1alpha1", "v2"];
        v.sort_by_key(|v| version_rank(v));
        assert_eq!(v, ["v1alpha1", "v1beta1", "v1", "v2beta2", "v2"]);
    }
}
