//! The cluster's and the node groups' Kubernetes versions against the target.

use super::{could_not, parse};
use crate::aws_cli::{Failed, Reply};
use crate::readiness::KubeVersion;
use crate::verdict::{Item, Severity};

/// The most minors a kubelet may be behind kube-apiserver, per the
/// Kubernetes version skew policy
/// (<https://kubernetes.io/releases/version-skew-policy/#kubelet>):
/// "kubelet must not be newer than kube-apiserver. kubelet may be up to
/// three minor versions older than kube-apiserver (kubelet < 1.25 may only
/// be up to two minor versions older than kube-apiserver)". The three came
/// with Kubernetes 1.28 (KEP-3935), and the rule is the kubelet's version:
/// a 1.24 kubelet may be two behind even a 1.28+ control plane.
pub(super) fn max_kubelet_skew(kubelet: KubeVersion) -> u32 {
    if kubelet.0.minor < 25 { 2 } else { 3 }
}

/// `aws eks describe-cluster --name NAME`: the cluster item, and the
/// version it runs (when the reply says).
pub(super) fn cluster(
    name: &str,
    target: KubeVersion,
    reply: &Reply,
) -> (Item, Option<KubeVersion>) {
    let subject = format!("cluster {name}");
    let json = match parse(reply) {
        Ok(json) => json,
        Err(Failed::NotFound(_)) => {
            let item = Item::new(
                Severity::Blocking,
                subject,
                "EKS has no cluster of that name in this region",
            )
            .fix("check cluster_name and aws_region (`aws eks list-clusters` lists the region's clusters)");
            return (item, None);
        }
        Err(failed) => {
            return (
                could_not(&subject, "read its version", reply, &failed),
                None,
            );
        }
    };
    let text = json["cluster"]["version"].as_str().unwrap_or_default();
    let Ok(current) = KubeVersion::parse(text) else {
        let item = Item::new(
            Severity::ToDo,
            subject,
            format!("the reply gives no Kubernetes version I can read ({text:?})"),
        );
        return (item, None);
    };
    let status = json["cluster"]["status"].as_str().unwrap_or("ACTIVE");
    let item = if status != "ACTIVE" {
        Item::new(
            Severity::Blocking,
            subject,
            format!("is {status}, runs {current}: EKS upgrades only an ACTIVE cluster"),
        )
        .fix("wait for the cluster to be ACTIVE (`aws eks describe-cluster --name NAME --query cluster.status`)".replace("NAME", name))
    } else if target <= current {
        Item::new(
            Severity::Fine,
            subject,
            format!("runs {current}: already at or past {target}"),
        )
    } else if target == current.next_minor() {
        Item::new(
            Severity::Fine,
            subject,
            format!("runs {current}: {target} is one minor ahead, one upgrade"),
        )
    } else {
        let next = current.next_minor();
        Item::new(
            Severity::Blocking,
            subject,
            format!("runs {current}: {target} is more than one minor ahead, and EKS upgrades one minor at a time"),
        )
        .fix(format!(
            "upgrade to {next} first (`aws eks update-cluster-version --name {name} --kubernetes-version {next}`), then verify {target} again"
        ))
    };
    (item, Some(current))
}

/// `aws eks list-nodegroups --cluster-name NAME`: the node groups' names.
pub(super) fn nodegroup_names(reply: &Reply) -> Result<Vec<String>, Failed> {
    super::names(reply, "nodegroups")
}

/// `aws eks describe-nodegroup`: where the node group's kubelets stand once
/// the control plane runs `target`.
pub(super) fn nodegroup(
    cluster: &str,
    name: &str,
    target: KubeVersion,
    current: Option<KubeVersion>,
    reply: &Reply,
) -> Item {
    let subject = format!("node group {name}");
    let json = match parse(reply) {
        Ok(json) => json,
        Err(failed) => return could_not(&subject, "read its version", reply, &failed),
    };
    let text = json["nodegroup"]["version"].as_str().unwrap_or_default();
    let Ok(version) = KubeVersion::parse(text) else {
        return Item::new(
            Severity::ToDo,
            subject,
            format!("the reply gives no Kubernetes version I can read ({text:?})"),
        );
    };
    let update = |to: KubeVersion| {
        format!(
            "`aws eks update-nodegroup-version --cluster-name {cluster} --nodegroup-name {name} --kubernetes-version {to}`"
        )
    };
    if version > target {
        return Item::new(
            Severity::Blocking,
            subject,
            format!(
                "runs {version}, newer than {target}: a kubelet must not be newer than kube-apiserver"
            ),
        );
    }
    let behind = target.0.minor - version.0.minor;
    let max = max_kubelet_skew(version);
    if behind == 0 {
        Item::new(Severity::Fine, subject, format!("runs {version}"))
    } else if behind <= max {
        Item::new(
            Severity::ToDo,
            subject,
            format!(
                "runs {version}, {} behind {target}: within the skew a kubelet may have; upgrade it after the control plane",
                minors(behind)
            ),
        )
        .fix(update(target))
    } else {
        // Node groups can go no further than the control plane's version now.
        let to = current.unwrap_or(target);
        Item::new(
            Severity::Blocking,
            subject,
            format!(
                "runs {version}: {} behind {target}, more than the {max} the Kubernetes version skew policy allows a kubelet",
                minors(behind)
            ),
        )
        .fix(format!("upgrade it before the control plane: {}", update(to)))
    }
}

fn minors(n: u32) -> String {
    if n == 1 {
        "1 minor".into()
    } else {
        format!("{n} minors")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failed, ok};
    use super::*;

    fn v(text: &str) -> KubeVersion {
        KubeVersion::parse(text).unwrap()
    }

    #[test]
    fn the_control_plane_moves_one_minor_at_a_time() {
        let reply = ok(r#"{"cluster": {"name": "c", "version": "1.29", "status": "ACTIVE"}}"#);
        let (item, current) = cluster("c", v("1.30"), &reply);
        assert_eq!(current, Some(v("1.29")));
        assert_eq!(
            (item.severity, item.subject.as_str()),
            (Severity::Fine, "cluster c")
        );
        assert_eq!(
            item.message,
            "runs 1.29: 1.30 is one minor ahead, one upgrade"
        );
        let (item, _) = cluster("c", v("1.31"), &reply);
        assert_eq!(item.severity, Severity::Blocking);
        assert!(item.fix.contains("--kubernetes-version 1.30"), "{item:?}");
        assert_eq!(cluster("c", v("1.29"), &reply).0.severity, Severity::Fine);
        let updating = ok(r#"{"cluster": {"version": "1.29", "status": "UPDATING"}}"#);
        assert_eq!(
            cluster("c", v("1.30"), &updating).0.severity,
            Severity::Blocking
        );
        let gone = cluster("c", v("1.30"), &failed(Failed::NotFound("x".into())));
        assert_eq!((gone.0.severity, gone.1), (Severity::Blocking, None));
    }

    #[test]
    fn kubelets_may_be_three_minors_behind_two_before_1_25() {
        assert_eq!(max_kubelet_skew(v("1.25")), 3);
        assert_eq!(max_kubelet_skew(v("1.24")), 2);
        let at = |version: &str, target: &str| {
            let reply = ok(&format!(r#"{{"nodegroup": {{"version": "{version}"}}}}"#));
            nodegroup("c", "ng", v(target), Some(v(target).prev_minor()), &reply)
        };
        assert_eq!(at("1.30", "1.30").severity, Severity::Fine);
        let one = at("1.29", "1.30");
        assert_eq!(one.severity, Severity::ToDo);
        assert!(
            one.message.starts_with("runs 1.29, 1 minor behind 1.30: "),
            "{one:?}"
        );
        assert!(
            one.fix
                .contains("--nodegroup-name ng --kubernetes-version 1.30"),
            "{one:?}"
        );
        assert_eq!(at("1.27", "1.30").severity, Severity::ToDo);
        let four = at("1.26", "1.30");
        assert_eq!(four.severity, Severity::Blocking);
        assert!(four.fix.contains("--kubernetes-version 1.29"), "{four:?}");
        // 1.24 kubelets: two behind at most, whatever the control plane.
        assert_eq!(at("1.24", "1.26").severity, Severity::ToDo);
        assert_eq!(at("1.24", "1.27").severity, Severity::Blocking);
        assert_eq!(at("1.25", "1.28").severity, Severity::ToDo);
        assert_eq!(at("1.31", "1.30").severity, Severity::Blocking);
        assert_eq!(at("", "1.30").severity, Severity::ToDo);
    }

    #[test]
    fn node_group_names_come_from_the_list() {
        let names = nodegroup_names(&ok(r#"{"nodegroups": ["a", "b"]}"#)).unwrap();
        assert_eq!(names, ["a", "b"]);
        assert!(nodegroup_names(&failed(Failed::Other("x".into()))).is_err());
    }
}
