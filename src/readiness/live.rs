//! Objects read from a cluster: is a client still applying them with an API
//! the target removes?

use serde_json::Value;

use super::deprecations::Table;
use super::finding::make_finding;
use super::report::Finding;
use super::version::KubeVersion;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Findings for live objects. A stored object is served at every version
/// its API still has, and the server converts it on upgrade, so what can
/// break is a client that keeps sending the removed version. The object's
/// own `apiVersion` is only the version it was read at, so, as
/// kube-no-trouble does, look at the manifest `kubectl apply` last sent
/// (`kubectl.kubernetes.io/last-applied-configuration`, rewritten on every
/// apply and dropped by Flux when it takes an object over).
///
/// `metadata.managedFields[].apiVersion` is not evidence: an entry keeps the
/// version of its manager's last write, and a manager that finds nothing to
/// change (Flux skips an unchanged object) leaves it there after the manifest
/// moved to the new version. What Flux applies is judged by the repository
/// scan, what Helm keeps by the stored-release check.
pub fn scan_live(objects: &[Value], target: KubeVersion) -> Vec<Finding> {
    let table = Table::get();
    let mut findings = Vec::new();
    for object in objects {
        let Some(kind) = object.get("kind").and_then(Value::as_str) else {
            continue;
        };
        let Some(api_version) = last_applied_version(object) else {
            continue;
        };
        let Some(entry) = table
            .lookup(&api_version, kind)
            .filter(|e| e.reported_at(target))
        else {
            continue;
        };
        let text = |key: &str| {
            object
                .pointer(&format!("/metadata/{key}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        findings.push(make_finding(
            "",
            0,
            kind,
            text("namespace"),
            text("name"),
            &api_version,
            entry,
            target,
            true,
            "cluster",
        ));
    }
    findings
}

/// The apiVersion of the manifest `kubectl apply` last sent, if any.
fn last_applied_version(object: &Value) -> Option<String> {
    let pointer = format!("/metadata/annotations/{}", LAST_APPLIED.replace('/', "~1"));
    let json = object.pointer(&pointer)?.as_str()?;
    let applied = serde_json::from_str::<Value>(json).ok()?;
    Some(applied.get("apiVersion")?.as_str()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> KubeVersion {
        KubeVersion::parse(s).unwrap()
    }

    #[test]
    fn the_last_applied_version_is_checked() {
        let last = json!({"apiVersion": "batch/v1beta1", "kind": "CronJob"}).to_string();
        let objects = vec![
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {
                "name": "hello", "namespace": "default",
                "annotations": {LAST_APPLIED: last},
                "managedFields": [{"apiVersion": "batch/v1beta1"}, {"apiVersion": "batch/v1"}]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            json!({"kind": "Broken", "metadata": {"annotations": {LAST_APPLIED: "{not json"}}}),
        ];
        let findings = scan_live(&objects, v("1.25"));
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(
            (f.kind.as_str(), f.name.as_str(), f.namespace.as_str()),
            ("CronJob", "hello", "default")
        );
        assert_eq!(
            (f.api_version.as_str(), f.replacement.as_str()),
            ("batch/v1beta1", "batch/v1")
        );
        assert!(f.removed_in_target && f.reachable);
        assert_eq!((f.source, f.file.as_str(), f.line), ("cluster", "", 0));
        // Before its deprecation an API is not reported.
        assert!(scan_live(&objects, v("1.20")).is_empty());
        let at_24 = scan_live(&objects, v("1.24"));
        assert!(at_24.len() == 1 && !at_24[0].removed_in_target);
    }

    /// After `verify --fix` lands, Flux finds the policy unchanged and skips
    /// it: its managedFields entry still names v1beta1, while the object is
    /// served (and read) at v1 and the repository says v1.
    #[test]
    fn a_managed_fields_entry_at_the_removed_version_is_not_a_finding() {
        let policy = json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingAdmissionPolicy",
            "metadata": {
                "name": "demo-replica-limit",
                "labels": {"kustomize.toolkit.fluxcd.io/name": "apps"},
                "managedFields": [{
                    "apiVersion": "admissionregistration.k8s.io/v1beta1",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:spec": {"f:failurePolicy": {}}},
                    "manager": "kustomize-controller",
                    "operation": "Apply",
                    "time": "2026-05-01T10:00:00Z"
                }]
            },
            "spec": {"failurePolicy": "Fail"}
        });
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {
            "name": "pdb", "managedFields": [{"apiVersion": "policy/v1beta1", "manager": "helm"}]}});
        assert_eq!(scan_live(&[policy, pdb], v("1.34")), []);
    }
}
