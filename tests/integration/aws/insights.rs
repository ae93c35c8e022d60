//! EKS upgrade insights in `verify`'s AWS check, against moto (with the
//! ListInsights and DescribeInsight calls moto lacks served by
//! `tests/rig/moto_eks.py` from the insights the test gives): each insight
//! for the target with its status, reason, recommendation, resources and
//! the clients still calling a removed API; one for another version is not
//! asked for.

use serde_json::{Value, json};

use super::moto::{Cluster, Moto, clean_aws_env, path_with};
use super::{aws_check, item};
use crate::world::env;

fn insight(id: &str, version: &str, status: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Deprecated APIs removed in Kubernetes v{version}"),
        "category": "UPGRADE_READINESS",
        "kubernetesVersion": version,
        "lastRefreshTime": 1764900000.0,
        "lastTransitionTime": 1764900000.0,
        "description": format!("Checks for usage of deprecated APIs that are scheduled for removal in Kubernetes v{version}."),
        "insightStatus": {"status": status, "reason": "Deprecated API usage detected within last 30 days."},
        "recommendation": "Update manifests and API clients to use newer Kubernetes APIs if applicable before upgrading.",
        "resources": [{"insightStatus": {"status": status},
                       "kubernetesResourceUri": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas"}],
        "categorySpecificSummary": {"deprecationDetails": [{
            "usage": "/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas",
            "replacedWith": "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas",
            "stopServingVersion": "1.32",
            "startServingReplacementVersion": "1.29",
            "clientStats": [{"userAgent": "old-operator/1.2", "numberOfRequestsLast30Days": 1440,
                             "lastRequestTime": 1764900000.0}]}]}
    })
}

#[test]
fn insights_for_the_target_are_listed_with_status_clients_and_recommendation() {
    let insights = json!({"ws-insights": [
        insight("a1b2c3", "1.32", "ERROR"),
        {"id": "d4e5f6", "name": "Kubelet version skew", "category": "UPGRADE_READINESS",
         "kubernetesVersion": "1.32",
         "insightStatus": {"status": "PASSING", "reason": "Node kubelet versions match the cluster control plane version."},
         "recommendation": "Upgrade your worker nodes to match your cluster control plane version.",
         "resources": []},
        insight("0ther1", "1.31", "WARNING"),
    ]});
    let moto = Moto::start_all(&json!({}), &json!({}), &insights);
    let cluster = Cluster::create(
        &moto,
        "ws-insights",
        "1.31",
        false,
        &[("nodes", "1.31")],
        &[],
    );
    let e = env(true);
    let values = cluster.values(e.w.dir());
    e.w.cmd(&e.args(values.to_str().unwrap(), &[]))
        .run()
        .success();
    let mut cmd =
        e.w.cmd(&["verify", "--target-version", "1.32", "-o", "json"]);
    clean_aws_env(&mut cmd.command);
    for (k, v) in moto.env() {
        cmd.command.env(k, v);
    }
    cmd.command.env("PATH", path_with(&moto.bin));
    let out = cmd.run();
    let check = aws_check(&out);
    let error = item(
        &check,
        "EKS insight Deprecated APIs removed in Kubernetes v1.32",
    );
    assert_eq!(error["severity"], "blocking", "{error:#}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with("ERROR: Deprecated API usage detected within last 30 days.")
            && message.contains("/apis/flowcontrol.apiserver.k8s.io/v1beta3/flowschemas is served until 1.32, use /apis/flowcontrol.apiserver.k8s.io/v1/flowschemas")
            && message.contains("called by old-operator/1.2 (1440 request(s) in 30 days)"),
        "{message}"
    );
    assert!(
        error["fix"]
            .as_str()
            .unwrap()
            .starts_with("Update manifests and API clients")
    );
    assert_eq!(error["status"], "ERROR");
    let skew = item(&check, "EKS insight Kubelet version skew");
    assert_eq!(skew["severity"], "fine", "{skew:#}");
    assert!(
        !check.to_string().contains("0ther1"),
        "the 1.31 insight is not for the target: {check:#}"
    );
    assert_eq!(moto.calls("ListInsights"), 1);
    assert_eq!(moto.calls("DescribeInsight"), 2);
}
