//! EKS upgrade insights (`aws eks list-insights`, `describe-insight`): what
//! EKS itself found from the cluster's audit log, which no manifest scan can
//! see, such as clients still calling an API the target removes. Each
//! insight for the target is an item: ERROR blocking, WARNING and UNKNOWN
//! to do, PASSING fine; with its recommendation, the resources it names and
//! the clients that call a deprecated API. The statuses are EKS's own
//! (`InsightStatusValue` in the EKS API reference,
//! <https://docs.aws.amazon.com/eks/latest/APIReference/API_InsightStatus.html>).

use serde_json::Value;

use super::{could_not, parse};
use crate::aws_cli::Reply;
use crate::readiness::KubeVersion;
use crate::verdict::{Item, Severity};

/// How many resources or clients one item names.
const SHOWN: usize = 5;

/// `aws eks list-insights` for the target's upgrade readiness.
pub(super) fn list_args(cluster: &str, target: KubeVersion) -> Vec<String> {
    let filter = serde_json::json!({
        "categories": ["UPGRADE_READINESS"],
        "kubernetesVersions": [target.to_string()],
    });
    [
        "eks",
        "list-insights",
        "--cluster-name",
        cluster,
        "--filter",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([filter.to_string()])
    .collect()
}

/// The insights' ids; a failed list is the one item saying so.
pub(super) fn ids(cluster: &str, reply: &Reply) -> Result<Vec<String>, Item> {
    let subject = format!("EKS upgrade insights of cluster {cluster}");
    let json = parse(reply).map_err(|f| could_not(&subject, "list them", reply, &f))?;
    Ok(json["insights"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(String::from))
        .collect())
}

/// `aws eks describe-insight --cluster-name C --id ID`.
pub(super) fn describe_args(cluster: &str, id: &str) -> Vec<String> {
    [
        "eks",
        "describe-insight",
        "--cluster-name",
        cluster,
        "--id",
        id,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// One insight, from `describe-insight`'s reply.
pub(super) fn item(id: &str, reply: &Reply) -> Item {
    let json = match parse(reply) {
        Ok(json) => json,
        Err(f) => return could_not(&format!("EKS insight {id}"), "read it", reply, &f),
    };
    let i = &json["insight"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let name = text(&i["name"]);
    let status = text(&i["insightStatus"]["status"]);
    let severity = match status.as_str() {
        "ERROR" => Severity::Blocking,
        "PASSING" => Severity::Fine,
        _ => Severity::ToDo,
    };
    let mut message = format!("{status}: {}", text(&i["insightStatus"]["reason"]));
    let details = i["categorySpecificSummary"]["deprecationDetails"].as_array();
    for d in details.into_iter().flatten() {
        let clients: Vec<String> = d["clientStats"]
            .as_array()
            .into_iter()
            .flatten()
            .take(SHOWN)
            .map(|c| {
                format!(
                    "{} ({} request(s) in 30 days)",
                    text(&c["userAgent"]),
                    c["numberOfRequestsLast30Days"]
                )
            })
            .collect();
        message.push_str(&format!(
            "; {} is served until {}, use {}",
            text(&d["usage"]),
            text(&d["stopServingVersion"]),
            text(&d["replacedWith"])
        ));
        if !clients.is_empty() {
            message.push_str(&format!(" (called by {})", clients.join(", ")));
        }
    }
    let resources: Vec<String> = i["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["insightStatus"]["status"] != "PASSING")
        .filter_map(|r| r["kubernetesResourceUri"].as_str().or(r["arn"].as_str()))
        .map(String::from)
        .collect();
    if !resources.is_empty() {
        let more = resources.len().saturating_sub(SHOWN);
        let mut shown = resources
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if more > 0 {
            shown.push_str(&format!(" and {more} more"));
        }
        message.push_str(&format!("; resources: {shown}"));
    }
    let item = Item::new(severity, format!("EKS insight {name}"), message)
        .fact("check", "eks-insight")
        .fact("insight_id", id)
        .fact("status", &status)
        .fact("kubernetes_version", text(&i["kubernetesVersion"]))
        .fact("recommendation", text(&i["recommendation"]));
    match severity {
        Severity::Fine => item,
        _ => item.fix(text(&i["recommendation"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(json: Value) -> Reply {
        Reply {
            call: "aws eks describe-insight".into(),
            result: Ok(json.to_string()),
        }
    }

    #[test]
    fn an_error_insight_blocks_with_its_clients_resources_and_recommendation() {
        let got = item(
            "i-1",
            &reply(serde_json::json!({"insight": {
                "id": "i-1", "name": "Deprecated APIs removed in Kubernetes v1.34",
                "kubernetesVersion": "1.34",
                "insightStatus": {"status": "ERROR", "reason": "Deprecated API usage detected within last 30 days."},
                "recommendation": "Update manifests and API clients to use newer Kubernetes APIs.",
                "resources": [{"insightStatus": {"status": "ERROR"}, "kubernetesResourceUri": "/apis/admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies/replica-limit"}],
                "categorySpecificSummary": {"deprecationDetails": [{
                    "usage": "/apis/admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies",
                    "replacedWith": "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies",
                    "stopServingVersion": "1.34",
                    "clientStats": [{"userAgent": "kustomize-controller", "numberOfRequestsLast30Days": 42}]}]}
            }})),
        );
        assert_eq!(got.severity, Severity::Blocking);
        assert_eq!(
            got.subject,
            "EKS insight Deprecated APIs removed in Kubernetes v1.34"
        );
        assert!(
            got.message.contains("called by kustomize-controller (42 request(s) in 30 days)")
                && got.message.contains("resources: /apis/admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies/replica-limit"),
            "{}",
            got.message
        );
        assert_eq!(
            got.fix,
            "Update manifests and API clients to use newer Kubernetes APIs."
        );
    }

    #[test]
    fn a_passing_insight_is_fine_and_a_failed_list_says_why() {
        let fine = item(
            "i-2",
            &reply(
                serde_json::json!({"insight": {"name": "Kubelet version skew",
                "insightStatus": {"status": "PASSING", "reason": "No issues"}}}),
            ),
        );
        assert_eq!(fine.severity, Severity::Fine);
        let denied = Reply {
            call: "aws eks list-insights".into(),
            result: Err(crate::aws_cli::Failed::Other(
                "AccessDeniedException".into(),
            )),
        };
        let said = ids("c", &denied).unwrap_err();
        assert!(
            said.message.contains("could not list them"),
            "{}",
            said.message
        );
    }
}
