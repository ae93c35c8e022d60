//! The cluster's EKS managed add-ons (vpc-cni, coredns, kube-proxy, …): is
//! each one's installed version among those EKS supports at the target?

use serde_json::Value;

use super::{could_not, parse};
use crate::aws_cli::{Failed, Reply};
use crate::readiness::KubeVersion;
use crate::verdict::{Item, Severity};

/// `aws eks list-addons --cluster-name NAME`: the add-ons' names.
pub(super) fn names(reply: &Reply) -> Result<Vec<String>, Failed> {
    super::names(reply, "addons")
}

/// One add-on: `installed` is the reply of `aws eks describe-addon`,
/// `supported` that of `aws eks describe-addon-versions --kubernetes-version
/// TARGET --addon-name NAME`.
pub(super) fn addon(
    cluster: &str,
    name: &str,
    target: KubeVersion,
    installed: &Reply,
    supported: &Reply,
) -> Item {
    let subject = format!("add-on {name}");
    let json = match parse(installed) {
        Ok(json) => json,
        Err(failed) => return could_not(&subject, "read its version", installed, &failed),
    };
    let Some(version) = json["addon"]["addonVersion"].as_str() else {
        return Item::new(Severity::ToDo, subject, "the reply gives no addonVersion");
    };
    let json = match parse(supported) {
        Ok(json) => json,
        Err(failed) => {
            return could_not(
                &subject,
                &format!("list the versions supported at {target}"),
                supported,
                &failed,
            );
        }
    };
    let offered = supported_versions(&json, name, target);
    let update = |to: &str| {
        format!(
            "`aws eks update-addon --cluster-name {cluster} --addon-name {name} --addon-version {to}`"
        )
    };
    if offered.versions.is_empty() {
        return Item::new(
            Severity::ToDo,
            subject,
            format!("{version} installed; EKS lists no version of {name} for {target}"),
        )
        .fix(format!("check `aws eks describe-addon-versions --addon-name {name} --kubernetes-version {target}` before the upgrade"));
    }
    if offered.versions.iter().any(|v| v == version) {
        return Item::new(
            Severity::Fine,
            subject,
            format!("{version} is supported at {target}"),
        );
    }
    let lowest = offered
        .versions
        .iter()
        .min_by(|a, b| numbers(a).cmp(&numbers(b)))
        .expect("not empty");
    let default = offered.default.as_deref().unwrap_or(lowest);
    if numbers(version) < numbers(lowest) {
        Item::new(
            Severity::Blocking,
            subject,
            format!("{version} is older than any version EKS supports at {target} (the oldest is {lowest})"),
        )
        .fix(format!("update it to {lowest} or later; {target}'s default is {default}: {}", update(default)))
    } else {
        Item::new(
            Severity::ToDo,
            subject,
            format!("{version} is not among the versions EKS supports at {target}"),
        )
        .fix(format!(
            "update it to {target}'s default, {default}: {}",
            update(default)
        ))
    }
}

struct Offered {
    versions: Vec<String>,
    /// The version EKS installs by default at the target, when it says.
    default: Option<String>,
}

/// The versions of `name` whose compatibilities name `target` (a version
/// listed with no compatibilities at all counts: the call was already
/// filtered by `--kubernetes-version`).
fn supported_versions(json: &Value, name: &str, target: KubeVersion) -> Offered {
    let mut offered = Offered {
        versions: Vec::new(),
        default: None,
    };
    let addons = json["addons"].as_array().cloned().unwrap_or_default();
    let target = target.to_string();
    for addon in addons.iter().filter(|a| a["addonName"] == name) {
        for v in addon["addonVersions"].as_array().into_iter().flatten() {
            let Some(version) = v["addonVersion"].as_str() else {
                continue;
            };
            let compat = v["compatibilities"].as_array().cloned().unwrap_or_default();
            let at_target: Vec<&Value> = compat
                .iter()
                .filter(|c| c["clusterVersion"] == target.as_str())
                .collect();
            if compat.is_empty() || !at_target.is_empty() {
                offered.versions.push(version.to_string());
            }
            if at_target.iter().any(|c| c["defaultVersion"] == true) {
                offered.default = Some(version.to_string());
            }
        }
    }
    offered
}

/// `v1.18.3-eksbuild.2` as `[1, 18, 3, 2]`, for ordering.
fn numbers(version: &str) -> Vec<u64> {
    version
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failed, ok};
    use super::*;

    const SUPPORTED: &str = r#"{"addons": [{"addonName": "vpc-cni", "type": "networking", "addonVersions": [
        {"addonVersion": "v1.18.3-eksbuild.2", "compatibilities": [{"clusterVersion": "1.30", "platformVersions": ["*"], "defaultVersion": true}]},
        {"addonVersion": "v1.16.0-eksbuild.1", "compatibilities": [{"clusterVersion": "1.30", "platformVersions": ["*"], "defaultVersion": false}]},
        {"addonVersion": "v1.10.0-eksbuild.1", "compatibilities": [{"clusterVersion": "1.24", "defaultVersion": true}]}
    ]}]}"#;

    fn at(version: &str) -> Item {
        let installed = ok(&format!(
            r#"{{"addon": {{"addonName": "vpc-cni", "addonVersion": "{version}"}}}}"#
        ));
        let target = KubeVersion::parse("1.30").unwrap();
        addon("c", "vpc-cni", target, &installed, &ok(SUPPORTED))
    }

    #[test]
    fn an_add_on_is_fine_when_the_target_supports_its_version() {
        let item = at("v1.16.0-eksbuild.1");
        assert_eq!(item.severity, Severity::Fine);
        assert_eq!(item.subject, "add-on vpc-cni");
        assert_eq!(item.message, "v1.16.0-eksbuild.1 is supported at 1.30");
    }

    #[test]
    fn an_older_one_blocks_with_the_lowest_and_default_as_fix() {
        let item = at("v1.12.0-eksbuild.1");
        assert_eq!(item.severity, Severity::Blocking);
        assert!(
            item.message.contains("the oldest is v1.16.0-eksbuild.1"),
            "{item:?}"
        );
        assert!(
            item.fix.contains("--addon-version v1.18.3-eksbuild.2"),
            "{item:?}"
        );
        // Not listed, not older: to do, towards the default.
        let odd = at("v1.17.0-eksbuild.9");
        assert_eq!(odd.severity, Severity::ToDo);
        assert!(odd.fix.contains("default, v1.18.3-eksbuild.2"), "{odd:?}");
    }

    #[test]
    fn nothing_offered_or_a_failed_call_is_to_do() {
        let installed = ok(r#"{"addon": {"addonVersion": "v1"}}"#);
        let target = KubeVersion::parse("1.30").unwrap();
        let none = addon("c", "x", target, &installed, &ok(r#"{"addons": []}"#));
        assert_eq!(none.severity, Severity::ToDo);
        assert!(
            none.message.contains("lists no version of x for 1.30"),
            "{none:?}"
        );
        let denied = addon(
            "c",
            "x",
            target,
            &installed,
            &failed(Failed::Other("AccessDenied".into())),
        );
        assert_eq!(denied.severity, Severity::ToDo);
        assert!(
            denied
                .message
                .starts_with("could not list the versions supported at 1.30"),
            "{denied:?}"
        );
        assert_eq!(
            names(&ok(r#"{"addons": ["vpc-cni"]}"#)).unwrap(),
            ["vpc-cni"]
        );
        assert_eq!(numbers("v1.18.3-eksbuild.2"), [1, 18, 3, 2]);
    }
}
