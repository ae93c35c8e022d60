//! Objects read from a cluster: is a client still applying them with an API
//! the target removes?

use serde_json::Value;

use super::deprecations::Table;
use super::finding::make_finding;
use super::report::Finding;
use super::version::KubeVersion;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A built-in kind whose live objects the scan reads.
pub(crate) struct LiveKind {
    pub(crate) group: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) plural: &'static str,
    /// Versions to list it at, newest first: the first the cluster serves
    /// (a cluster may predate the GA version).
    pub(crate) versions: &'static [&'static str],
}

const fn live(
    group: &'static str,
    kind: &'static str,
    plural: &'static str,
    versions: &'static [&'static str],
) -> LiveKind {
    LiveKind {
        group,
        kind,
        plural,
        versions,
    }
}

/// Every kind of the deprecation table that a manifest applies, but those
/// the tests' `NOT_READ` names with a reason (objects the cluster's own
/// components write, requests never stored), so the lists and the table
/// stay in step.
#[rustfmt::skip]
pub(crate) const LIVE_KINDS: &[LiveKind] = &[
    live("apps", "Deployment", "deployments", &["v1"]),
    live("apps", "DaemonSet", "daemonsets", &["v1"]),
    live("apps", "StatefulSet", "statefulsets", &["v1"]),
    live("apps", "ReplicaSet", "replicasets", &["v1"]),
    live("batch", "CronJob", "cronjobs", &["v1"]),
    live("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", &["v2"]),
    live("policy", "PodDisruptionBudget", "poddisruptionbudgets", &["v1"]),
    live("networking.k8s.io", "Ingress", "ingresses", &["v1"]),
    live("networking.k8s.io", "IngressClass", "ingressclasses", &["v1"]),
    live("networking.k8s.io", "NetworkPolicy", "networkpolicies", &["v1"]),
    live("networking.k8s.io", "ServiceCIDR", "servicecidrs", &["v1", "v1beta1"]),
    live("discovery.k8s.io", "EndpointSlice", "endpointslices", &["v1"]),
    live("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", &["v1"]),
    live("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", &["v1"]),
    live("rbac.authorization.k8s.io", "Role", "roles", &["v1"]),
    live("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", &["v1"]),
    live("storage.k8s.io", "StorageClass", "storageclasses", &["v1"]),
    live("storage.k8s.io", "CSIDriver", "csidrivers", &["v1"]),
    live("storage.k8s.io", "VolumeAttributesClass", "volumeattributesclasses", &["v1", "v1beta1"]),
    live("storagemigration.k8s.io", "StorageVersionMigration", "storageversionmigrations", &["v1beta1", "v1alpha1"]),
    live("scheduling.k8s.io", "PriorityClass", "priorityclasses", &["v1"]),
    live("node.k8s.io", "RuntimeClass", "runtimeclasses", &["v1"]),
    live("certificates.k8s.io", "CertificateSigningRequest", "certificatesigningrequests", &["v1"]),
    live("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", &["v1"]),
    live("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", &["v1"]),
    live("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", &["v1", "v1beta1"]),
    live("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", &["v1", "v1beta1"]),
    live("apiregistration.k8s.io", "APIService", "apiservices", &["v1"]),
    live("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions", &["v1"]),
    live("flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", &["v1", "v1beta3"]),
    live("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", "prioritylevelconfigurations", &["v1", "v1beta3"]),
    live("resource.k8s.io", "DeviceClass", "deviceclasses", &["v1", "v1beta2", "v1beta1"]),
    live("resource.k8s.io", "ResourceClaim", "resourceclaims", &["v1", "v1beta2", "v1beta1"]),
    live("resource.k8s.io", "ResourceClaimTemplate", "resourceclaimtemplates", &["v1", "v1beta2", "v1beta1"]),
];

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

/// What Flux applied, by the inventories of `kustomizations`: each entry
/// (`id` `namespace_name_group_kind`, `v` the version) records the API
/// version kustomize-controller applied the object at, so an entry at an
/// API the target deprecates or removes is a finding, with its
/// Kustomization. Unlike `managedFields`, the inventory moves to the new
/// version once Flux applies the converted manifest.
pub fn scan_inventory(kustomizations: &[Value], target: KubeVersion) -> Vec<Finding> {
    let table = Table::get();
    let mut findings = Vec::new();
    for ks in kustomizations {
        let text = |p: &str| ks.pointer(p).and_then(Value::as_str).unwrap_or_default();
        let owner = format!("{}/{}", text("/metadata/namespace"), text("/metadata/name"));
        let entries = ks
            .pointer("/status/inventory/entries")
            .and_then(Value::as_array);
        for entry in entries.into_iter().flatten() {
            let (Some(id), Some(version)) = (entry["id"].as_str(), entry["v"].as_str()) else {
                continue;
            };
            let mut parts = id.splitn(4, '_');
            let (Some(namespace), Some(name), Some(group), Some(kind)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let api_version = match group {
                "" => version.to_string(),
                g => format!("{g}/{version}"),
            };
            let Some(found) = table
                .lookup(&api_version, kind)
                .filter(|e| e.reported_at(target))
            else {
                continue;
            };
            let mut finding = make_finding(
                "",
                0,
                kind,
                namespace,
                name,
                &api_version,
                found,
                target,
                true,
                "cluster",
            );
            finding.kustomization = owner.clone();
            findings.push(finding);
        }
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

    #[test]
    fn what_a_kustomization_s_inventory_holds_at_a_removed_api_is_found_with_it() {
        let ks = json!({"metadata": {"name": "apps", "namespace": "flux-system"},
        "status": {"inventory": {"entries": [
            {"id": "_replica-limit_admissionregistration.k8s.io_ValidatingAdmissionPolicy", "v": "v1beta1"},
            {"id": "default_web_apps_Deployment", "v": "v1"},
            {"id": "default_cfg__ConfigMap", "v": "v1"},
            {"id": "odd"}
        ]}}});
        let found = scan_inventory(std::slice::from_ref(&ks), v("1.34"));
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(
            (
                f.kind.as_str(),
                f.namespace.as_str(),
                f.name.as_str(),
                f.api_version.as_str()
            ),
            (
                "ValidatingAdmissionPolicy",
                "",
                "replica-limit",
                "admissionregistration.k8s.io/v1beta1"
            )
        );
        assert!(f.removed_in_target && f.source == "cluster");
        assert_eq!(f.kustomization, "flux-system/apps");
        assert_eq!(
            f.cluster_place(),
            "(cluster, Kustomization flux-system/apps)"
        );
    }

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

    /// Kubernetes kinds of the deprecation table the live scan does not read, and why.
    #[rustfmt::skip]
    const NOT_READ: &[(&str, &str)] = &[
        ("Event", "written by the cluster's components, gone within the hour (audit.k8s.io's: a file kube-apiserver writes)"),
        ("Lease", "written by the cluster's components (leader election, node heartbeats)"),
        ("CSINode", "written by the kubelet"),
        ("VolumeAttachment", "written by the attach-detach controller"),
        ("CSIStorageCapacity", "written by CSI drivers"),
        ("ResourceSlice", "written by DRA drivers"),
        ("IPAddress", "written by kube-apiserver, one per Service IP"),
        ("PodSecurityPolicy", "no version of it is served from 1.25 on"),
        ("TokenReview", "a request, never stored"),
        ("SubjectAccessReview", "a request, never stored"),
        ("LocalSubjectAccessReview", "a request, never stored"),
        ("SelfSubjectAccessReview", "a request, never stored"),
        ("SelfSubjectRulesReview", "a request, never stored"),
        ("SelfSubjectReview", "a request, never stored"),
        ("Policy", "audit.k8s.io: a file kube-apiserver reads, never served"),
    ];

    /// The table's Kubernetes kinds are each read live or named with a reason;
    /// the other projects' CRDs (Flux, Karpenter, ...) are theirs to serve,
    /// at versions their release decides, and the repository scan judges the
    /// manifests Flux applies.
    #[test]
    fn every_kubernetes_kind_of_the_table_is_read_live_or_has_a_reason() {
        let read: Vec<&str> = LIVE_KINDS.iter().map(|k| k.kind).collect();
        let skipped: Vec<&str> = NOT_READ.iter().map(|(k, _)| *k).collect();
        for entry in Table::get().entries.iter().filter(|e| e.is_kubernetes()) {
            let kind = entry.kind.as_str();
            assert!(
                read.contains(&kind) || skipped.contains(&kind),
                "{} {kind}: add it to LIVE_KINDS or NOT_READ",
                entry.api_version
            );
        }
        for kind in LIVE_KINDS {
            assert!(!skipped.contains(&kind.kind), "{} is in both", kind.kind);
            // Read at a version the table does not deprecate first.
            let newest = format!("{}/{}", kind.group, kind.versions[0]);
            assert!(
                Table::get().lookup(&newest, kind.kind).is_none(),
                "{newest} {}",
                kind.kind
            );
        }
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
