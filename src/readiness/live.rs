//! Objects read from a cluster: which API version were they applied with?

use serde_json::Value;

use super::deprecations::Table;
use super::finding::make_finding;
use super::report::Finding;
use super::version::KubeVersion;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Findings for live objects. The server answers in whatever version it is
/// asked for, so the object's own `apiVersion` says nothing; as
/// kube-no-trouble does, look at the version it was applied with
/// (`kubectl.kubernetes.io/last-applied-configuration`) and at the versions
/// its field managers wrote (`metadata.managedFields[].apiVersion`).
pub fn scan_live(objects: &[Value], target: KubeVersion) -> Vec<Finding> {
    let table = Table::get();
    let mut findings = Vec::new();
    for object in objects {
        let Some(kind) = object.get("kind").and_then(Value::as_str) else {
            continue;
        };
        let metadata = object.get("metadata");
        let text = |key: &str| {
            metadata
                .and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .unwrap_or_default()
        };
        let mut versions: Vec<String> = Vec::new();
        let last_applied = metadata
            .and_then(|m| m.pointer(&format!("/annotations/{}", LAST_APPLIED.replace('/', "~1"))))
            .and_then(Value::as_str)
            .and_then(|json| serde_json::from_str::<Value>(json).ok());
        if let Some(v) = last_applied
            .as_ref()
            .and_then(|l| l.get("apiVersion"))
            .and_then(Value::as_str)
        {
            versions.push(v.to_owned());
        }
        let managed = metadata
            .and_then(|m| m.get("managedFields"))
            .and_then(Value::as_array);
        for field in managed.into_iter().flatten() {
            let version = field.get("apiVersion").and_then(Value::as_str);
            if let Some(v) = version.filter(|v| !versions.iter().any(|seen| seen == v)) {
                versions.push(v.to_owned());
            }
        }
        for api_version in &versions {
            let Some(entry) = table
                .lookup(api_version, kind)
                .filter(|e| e.reported_at(target))
            else {
                continue;
            };
            let (name, namespace) = (text("name"), text("namespace"));
            findings.push(make_finding(
                "",
                0,
                kind,
                namespace,
                name,
                api_version,
                entry,
                target,
                true,
                "cluster",
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(s: &str) -> KubeVersion {
        KubeVersion::parse(s).unwrap()
    }

    #[test]
    fn applied_and_managed_versions_are_checked() {
        let last = json!({"apiVersion": "batch/v1beta1", "kind": "CronJob"}).to_string();
        let objects = vec![
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {
                "name": "hello", "namespace": "default",
                "annotations": {LAST_APPLIED: last},
                "managedFields": [{"apiVersion": "batch/v1beta1"}, {"apiVersion": "batch/v1"}]}}),
            json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {
                "name": "pdb", "managedFields": [{"apiVersion": "policy/v1beta1", "manager": "helm"}]}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            json!({"kind": "Broken", "metadata": {"annotations": {LAST_APPLIED: "{not json"}}}),
        ];
        let findings = scan_live(&objects, v("1.25"));
        assert_eq!(findings.len(), 2, "{findings:?}");
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
        assert_eq!(findings[1].api_version, "policy/v1beta1");
        // Before its deprecation an API is not reported.
        assert!(scan_live(&objects, v("1.20")).is_empty());
        let at_24 = scan_live(&objects, v("1.24"));
        assert!(at_24.iter().all(|f| !f.removed_in_target) && at_24.len() == 2);
    }
}
