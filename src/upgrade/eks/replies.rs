//! Reading what the `aws eks` calls answer: the JSON of a reply or the
//! error its call failed with, an update's status and errors, the default
//! version of an add-on. Pure functions, tested below.

use serde_json::Value;

use super::UpdateStatus;
use crate::aws_cli::{Failed, Reply};
use crate::error::{Error, Result};
use crate::outside::one_line;
use crate::readiness::KubeVersion;

/// The reply's JSON, or the error its call failed with.
pub(super) fn json(reply: &Reply) -> Result<Value> {
    match &reply.result {
        Ok(text) => serde_json::from_str(text).map_err(|e| Error::Command {
            command: reply.call.clone(),
            message: format!("its reply is not JSON: {e}"),
        }),
        Err(failed) => Err(call_failed(&reply.call, failed)),
    }
}

/// A failed call as our error: credentials and permissions are the
/// participant's to fix (exit 3); anything else names the call.
fn call_failed(call: &str, failed: &Failed) -> Error {
    let message = format!("`{call}`: {}", one_line(failed.message()));
    match failed {
        Failed::Credentials(_) => Error::Unauthorized {
            service: "AWS".into(),
            message,
            help: "run `aws configure` or `aws sso login` (or set AWS_PROFILE) so that `aws sts get-caller-identity` answers, then run the upgrade again".into(),
        },
        Failed::Other(m) if m.contains("AccessDenied") => Error::Forbidden {
            service: "AWS".into(),
            message,
            help: "the upgrade needs eks:Describe*, eks:List* and eks:Update* on the cluster; ask for them, or run it as the identity that created the cluster".into(),
        },
        Failed::NotFound(m) | Failed::Other(m) => Error::Command {
            command: call.to_string(),
            message: one_line(m),
        },
    }
}

pub(super) fn no_field(reply: &Reply, field: &str) -> Error {
    Error::Command {
        command: reply.call.clone(),
        message: format!("its reply gives no {field}"),
    }
}

/// A list of names or ids in a reply.
pub(super) fn strings(reply: &Reply, list: &Value) -> Result<Vec<String>> {
    let list = list.as_array().ok_or_else(|| no_field(reply, "list"))?;
    Ok(list
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect())
}

pub(super) fn kube_version(reply: &Reply, text: &Value) -> Result<KubeVersion> {
    let text = text.as_str().unwrap_or_default();
    KubeVersion::parse(text).map_err(|_| Error::Command {
        command: reply.call.clone(),
        message: format!(
            "its reply gives no Kubernetes version I can read ({:?})",
            one_line(text)
        ),
    })
}

/// `describe-update`'s `update`: where it stands, every error as a line.
pub(super) fn update_status(reply: &Reply, json: &Value) -> Result<UpdateStatus> {
    let update = &json["update"];
    let errors = || -> Vec<String> {
        update["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(error_line)
            .collect()
    };
    Ok(match update["status"].as_str() {
        Some("InProgress") => UpdateStatus::InProgress,
        Some("Successful") => UpdateStatus::Successful,
        Some("Failed") => {
            let mut errors = errors();
            if errors.is_empty() {
                errors.push("EKS reports it Failed and gives no error".into());
            }
            UpdateStatus::Failed { errors }
        }
        Some("Cancelled") => UpdateStatus::Failed {
            errors: [vec!["EKS cancelled it".to_string()], errors()].concat(),
        },
        other => {
            return Err(Error::Command {
                command: reply.call.clone(),
                message: format!(
                    "its reply gives no update status I know ({})",
                    one_line(other.unwrap_or("none"))
                ),
            });
        }
    })
}

/// `CODE: message (resource, …)` of one of an update's `errors`.
fn error_line(error: &Value) -> String {
    let text = |k: &str| one_line(error[k].as_str().unwrap_or_default());
    let mut line = match (text("errorCode"), text("errorMessage")) {
        (c, m) if c.is_empty() && m.is_empty() => "an error without code or message".into(),
        (c, m) if m.is_empty() => c,
        (c, m) if c.is_empty() => m,
        (c, m) => format!("{c}: {m}"),
    };
    let ids: Vec<String> = error["resourceIds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(one_line)
        .collect();
    if !ids.is_empty() {
        line.push_str(&format!(" ({})", ids.join(", ")));
    }
    line
}

/// The version of `name` that `describe-addon-versions` marks the default
/// at `target`.
pub(super) fn default_version(json: &Value, name: &str, target: &str) -> Option<String> {
    let addons = json["addons"].as_array()?;
    addons
        .iter()
        .filter(|a| a["addonName"] == name)
        .flat_map(|a| a["addonVersions"].as_array().into_iter().flatten())
        .find(|v| {
            v["compatibilities"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["clusterVersion"] == target && c["defaultVersion"] == true)
        })
        .and_then(|v| v["addonVersion"].as_str())
        .map(str::to_string)
}

/// `v1.18.3-eksbuild.2` as `[1, 18, 3, 2]`, for ordering.
pub(super) fn numbers(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ok(json: &str) -> Reply {
        Reply {
            call: "aws eks describe-update".into(),
            result: Ok(json.into()),
        }
    }

    fn status(update: Value) -> Result<UpdateStatus> {
        let reply = ok(&json!({ "update": update }).to_string());
        update_status(&reply, &json(&reply)?)
    }

    #[test]
    fn an_update_status_is_read_with_every_error() {
        assert_eq!(
            status(json!({"status": "InProgress"})).unwrap(),
            UpdateStatus::InProgress
        );
        assert_eq!(
            status(json!({"status": "Successful", "errors": []})).unwrap(),
            UpdateStatus::Successful
        );
        let failed = status(json!({"status": "Failed", "errors": [
            {"errorCode": "NodeCreationFailure", "errorMessage": "Instances failed to join", "resourceIds": ["i-1", "i-2"]},
            {"errorCode": "AccessDenied", "errorMessage": "", "resourceIds": []},
            {"errorMessage": "a\u{1b}[31mred"},
        ]}))
        .unwrap();
        let UpdateStatus::Failed { errors } = failed else {
            panic!("{failed:?}")
        };
        assert_eq!(
            errors[0],
            "NodeCreationFailure: Instances failed to join (i-1, i-2)"
        );
        assert_eq!(errors[1], "AccessDenied");
        assert!(!errors[2].contains('\u{1b}'), "{errors:?}");
        assert_eq!(
            status(json!({"status": "Failed"})).unwrap(),
            UpdateStatus::Failed {
                errors: vec!["EKS reports it Failed and gives no error".into()]
            }
        );
        assert_eq!(
            status(json!({"status": "Cancelled", "errors": [{"errorCode": "Unknown", "errorMessage": "stopped"}]}))
                .unwrap(),
            UpdateStatus::Failed {
                errors: vec!["EKS cancelled it".into(), "Unknown: stopped".into()]
            }
        );
        let odd = status(json!({"status": "Pending"}))
            .unwrap_err()
            .to_string();
        assert!(odd.contains("no update status I know (Pending)"), "{odd}");
    }

    #[test]
    fn failed_calls_become_errors_by_their_kind() {
        let f = |failed: Failed| {
            json(&Reply {
                call: "aws eks describe-cluster --name c".into(),
                result: Err(failed),
            })
            .unwrap_err()
        };
        let e = f(Failed::Credentials("ExpiredToken".into()));
        assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
        assert_eq!(e.exit_code(), crate::error::exit::AUTH);
        let e = f(Failed::Other(
            "An error occurred (AccessDeniedException) when calling the UpdateClusterVersion operation"
                .into(),
        ));
        assert!(matches!(e, Error::Forbidden { .. }), "{e:?}");
        let e = f(Failed::NotFound("No cluster found for name: c.".into()));
        assert_eq!(
            e.to_string(),
            "`aws eks describe-cluster --name c` failed: No cluster found for name: c."
        );
        let e = json(&ok("not json")).unwrap_err().to_string();
        assert!(e.contains("its reply is not JSON"), "{e}");
    }

    #[test]
    fn the_default_at_the_target_is_the_marked_version() {
        let offered = json!({"addons": [
            {"addonName": "coredns", "addonVersions": [
                {"addonVersion": "v1.11.4-eksbuild.2", "compatibilities": [{"clusterVersion": "1.31", "defaultVersion": true}]}]},
            {"addonName": "vpc-cni", "addonVersions": [
                {"addonVersion": "v1.19.0-eksbuild.1", "compatibilities": [{"clusterVersion": "1.30", "defaultVersion": false}]},
                {"addonVersion": "v1.18.3-eksbuild.2", "compatibilities": [
                    {"clusterVersion": "1.29", "defaultVersion": false},
                    {"clusterVersion": "1.30", "defaultVersion": true}]}]},
        ]});
        assert_eq!(
            default_version(&offered, "vpc-cni", "1.30").as_deref(),
            Some("v1.18.3-eksbuild.2")
        );
        assert_eq!(default_version(&offered, "vpc-cni", "1.29"), None);
        assert_eq!(default_version(&offered, "kube-proxy", "1.30"), None);
        assert!(numbers("v1.18.3-eksbuild.2") < numbers("v1.18.3-eksbuild.10"));
        assert!(numbers("v1.9.0-eksbuild.1") < numbers("v1.18.0-eksbuild.1"));
    }
}
