//! `verify` against the real cluster after a setup: Flux's objects as the
//! real controllers wrote their status, the server's version through real
//! discovery, and live objects by the API version they were applied with.

use serde_json::Value;

use super::fixture::Real;

const HPA: &str = "gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml";

#[test]
fn verify_reads_live_objects_and_fluxs_status_through_real_discovery() {
    let mut r = Real::start();
    r.set_up();
    let out = r.w.cmd(&["verify", "-o", "json"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let report = out.json();
    let cluster = &report["cluster"];
    assert_eq!(cluster["server_version"]["git_version"], "v1.36.3");
    assert_eq!(
        report["target_version"], "1.37",
        "the next minor by default"
    );
    assert_eq!(cluster["flux_installed"], true);
    assert_eq!(cluster["at_head"], true, "{cluster}");
    assert_eq!(
        cluster["remote_head"],
        r.revision().trim_start_matches("main@sha1:")
    );
    let rows = cluster["rows"].as_array().unwrap();
    let names: Vec<String> = rows
        .iter()
        .map(|row| {
            format!(
                "{} {}",
                row["kind"].as_str().unwrap(),
                row["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            "GitRepository flux-system",
            "Kustomization apps",
            "Kustomization flux-system",
            "Kustomization infrastructure",
            "Kustomization sources",
            "HelmRelease metrics-server",
        ]
    );
    for row in rows {
        assert!(row["ok"] == true && row["ready"] == "True", "{row}");
    }
    let metrics = &rows[5];
    assert_eq!(
        metrics["revision"], "3.12.1",
        "the chart version, from status.history"
    );
    assert!(
        metrics["message"]
            .as_str()
            .unwrap()
            .starts_with("InstallSucceeded")
    );
    assert_eq!(report["problems_total"], 0, "{report}");
    // Each add-on: what the repo asks for beside what helm-controller
    // installed (status.history), and whether it supports the target.
    let addons = check(&report, "add-ons");
    let rows: Vec<Vec<&str>> = addons["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(
        rows[0],
        [
            "flux-system/metrics-server",
            "metrics-server",
            "3.12.1",
            "3.12.1",
            "yes (1.27 and later)",
            "3.5.0",
            "gitops/add-ons/01-metrics-server.yaml:17"
        ],
        "{addons}"
    );
    assert_eq!(rows[1][0], "flux-system/karpenter");
    assert_eq!(
        rows[1][3], "not installed",
        "not enabled: no HelmRelease live"
    );
    assert_eq!(rows[1][4], "no (up to 1.25)");
    assert_eq!(
        rows[1][5], "unknown",
        "no Karpenter in the table names 1.37"
    );
    // At 1.33, as the workshop's lesson asks: each add-on with its lowest
    // supporting chart, metrics-server running as helm-controller installed it.
    let out = r.w.cmd(&["verify", "--target-version", "1.33"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    for row in [
        "flux-system/metrics-server  metrics-server  3.12.1   3.12.1         yes (1.27 and later)  3.5.0             gitops/add-ons/01-metrics-server.yaml:17",
        "flux-system/karpenter       karpenter       v0.27.3  not installed  no (up to 1.25)       1.5.0             gitops/add-ons/02-karpenter.yaml:22",
        "flux-system/argo-workflows  argo-workflows  0.28.2   not installed  unknown               0.45.21           gitops/add-ons/03-argo-workflows.yaml:54",
    ] {
        assert!(out.stdout.contains(row), "{row}\n{}", out.stdout);
    }
    // The repo's deprecated HPA is found, but Flux does not apply it.
    let repo_hpa = finding(&report, "repo");
    assert_eq!(repo_hpa["file"], HPA);
    assert_eq!(repo_hpa["reachable"], false);

    // The workshop has participants `kubectl apply` that file. A 1.36 API
    // server refuses it (autoscaling/v2beta2 is served no more)...
    let file = r.w.clone_dir().join(HPA);
    let refused = r.cluster.kubectl(&["apply", "-f", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("no matches for kind"), "{stderr}");
    // ...so the object stands as it would after an upgrade from 1.25: served
    // as autoscaling/v2, its last-applied annotation still autoscaling/v2beta2.
    let old: Value = serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut live = old.clone();
    live["apiVersion"] = "autoscaling/v2".into();
    live["metadata"]["annotations"] = serde_json::json!({
        "kubectl.kubernetes.io/last-applied-configuration": old.to_string(),
    });
    r.cluster.apply_yaml(&serde_yaml::to_string(&live).unwrap());
    let out = r.w.cmd(&["verify", "-o", "json"]).run();
    assert_eq!(out.code, 4, "{}", r.diagnose(&out));
    let report = out.json();
    let live = finding(&report, "cluster");
    assert_eq!(live["api_version"], "autoscaling/v2beta2", "{live}");
    assert_eq!(live["removed_in"], "1.26");
    assert_eq!(live["reachable"], true);
    assert_eq!(report["problems_total"], 1, "{report}");
    assert_eq!(
        report["problems"][0]["message"],
        "HorizontalPodAutoscaler default/nginx-hpa uses autoscaling/v2beta2, removed in 1.26; use autoscaling/v2"
    );
    // Flux's side did not change: no problem there.
    assert_eq!(report["cluster"]["problems"], 0, "{report}");

    // A context that may read everything but Secrets: the Helm releases
    // check says so and is skipped; the rest of verify reads as before.
    let kubeconfig = all_but_secrets(&r);
    let out =
        r.w.cmd(&["verify", "-o", "json"])
            .env("KUBECONFIG", kubeconfig.to_str().unwrap())
            .run();
    assert_eq!(out.code, 4, "{}", r.diagnose(&out));
    let report = out.json();
    assert_eq!(
        check(&report, "helm releases")["skipped"],
        "context `rig-all-but-secrets` may not list Secrets in all namespaces (where Helm stores its releases), which this check reads",
        "{report}"
    );
    assert_eq!(report["problems_total"], 1, "the same HPA only: {report}");
}

/// A kubeconfig for a service account that may get, list and watch every
/// kind the server serves except Secrets (RBAC has no "deny", so the core
/// group's other resources are named one by one).
fn all_but_secrets(r: &Real) -> std::path::PathBuf {
    let groups: std::collections::BTreeSet<String> = r
        .cluster
        .kubectl_ok(&["api-versions"])
        .lines()
        .filter_map(|v| v.split_once('/').map(|(group, _)| format!("\"{group}\"")))
        .collect();
    let groups: Vec<String> = groups.into_iter().collect();
    let core = [
        "configmaps",
        "endpoints",
        "events",
        "limitranges",
        "namespaces",
        "nodes",
        "persistentvolumeclaims",
        "persistentvolumes",
        "pods",
        "podtemplates",
        "replicationcontrollers",
        "resourcequotas",
        "serviceaccounts",
        "services",
    ];
    let core: Vec<String> = core.iter().map(|r| format!("\"{r}\"")).collect();
    r.cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: all-but-secrets, namespace: default}}\n\
         ---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: all-but-secrets}}\n\
         rules:\n\
         - {{apiGroups: [\"\"], resources: [{}], verbs: [get, list, watch]}}\n\
         - {{apiGroups: [{}], resources: [\"*\"], verbs: [get, list, watch]}}\n\
         ---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: all-but-secrets}}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all-but-secrets}}\n\
         subjects: [{{kind: ServiceAccount, name: all-but-secrets, namespace: default}}]\n",
        core.join(", "),
        groups.join(", "),
    ));
    let token = r
        .cluster
        .kubectl_ok(&["create", "token", "all-but-secrets", "-n", "default"]);
    r.cluster.kubeconfig_for("all-but-secrets", token.trim())
}

/// The one HorizontalPodAutoscaler finding whose source is `source`.
fn finding<'a>(report: &'a Value, source: &str) -> &'a Value {
    let all: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["source"] == source && f["kind"] == "HorizontalPodAutoscaler")
        .collect();
    assert_eq!(all.len(), 1, "{report}");
    all[0]
}

/// The `checks` entry of `verify -o json` named `name`.
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}
