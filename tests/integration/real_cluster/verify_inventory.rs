//! verify on what Flux applied: kustomize-controller records in each
//! Kustomization's inventory the API version it applied every object at,
//! so a live object at an API the target removes is found with its
//! Kustomization and the file and line of the fork it comes from; once the
//! fix is applied the inventory moves on (unlike managedFields).

use serde_json::Value;

use super::upgrade::at_1_33_with_the_policy;

const FILE: &str = "gitops/applications/04-policy.yaml";

/// The cluster's findings: (kind, apiVersion, kustomization, file:line).
fn cluster_findings(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == "cluster")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                s("kind"),
                s("api_version"),
                s("kustomization"),
                format!("{}:{}", s("file"), f["line"]),
            )
        })
        .collect()
}

#[test]
fn a_live_object_flux_applied_at_a_removed_api_is_named_with_its_kustomization_and_file() {
    let r = at_1_33_with_the_policy();
    let out =
        r.w.cmd(&["verify", "--target-version", "1.34", "-o", "json"])
            .run();
    assert_eq!(out.code, 4, "{}", r.diagnose(&out));
    let found = cluster_findings(&out.json());
    let api = "admissionregistration.k8s.io/v1beta1".to_string();
    let apps = "flux-system/apps".to_string();
    assert!(
        found.contains(&(
            "ValidatingAdmissionPolicy".into(),
            api.clone(),
            apps.clone(),
            format!("{FILE}:1")
        )) && found.contains(&(
            "ValidatingAdmissionPolicyBinding".into(),
            api,
            apps,
            format!("{FILE}:16")
        )),
        "{found:#?}"
    );
    let text = r.w.cmd(&["verify", "--target-version", "1.34"]).run();
    assert!(
        text.stdout.contains(&format!(
            "(cluster, Kustomization flux-system/apps, {FILE}:1)"
        )),
        "{}",
        text.stdout
    );

    // Fixed in Git and applied by Flux: the inventory is at v1, nothing left.
    let fix =
        r.w.cmd(&[
            "verify",
            "--fix",
            "--target-version",
            "1.34",
            "--yes",
            "--timeout",
            "180s",
        ])
        .run();
    assert_eq!(fix.code, 0, "{}", r.diagnose(&fix));
    let after =
        r.w.cmd(&["verify", "--target-version", "1.34", "-o", "json"])
            .run();
    let left = cluster_findings(&after.json());
    assert!(left.is_empty(), "{left:#?}");
}
