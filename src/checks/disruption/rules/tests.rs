use super::*;
use crate::manifests::objects::in_text;

const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          readinessProbe: {httpGet: {path: /, port: 80}}
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: lonely
  namespace: shop
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: lonely}
      annotations: {karpenter.sh/do-not-disrupt: \"true\"}
    spec:
      containers:
        - {name: lonely, image: nginx}
";

fn items(text: &str) -> Vec<(String, Severity, String)> {
    let objects = in_text(text, "apps.yaml");
    repo(&objects)
        .into_iter()
        .map(|i| {
            let check = i.facts["check"].as_str().unwrap().to_string();
            (i.subject, i.severity, check)
        })
        .collect()
}

#[test]
fn a_workload_of_one_replica_without_probe_or_spread_is_to_do_each_by_its_line() {
    let found = items(APP);
    let lonely = "Deployment shop/lonely (apps.yaml:19)".to_string();
    assert_eq!(
        found,
        [
            (lonely.clone(), Severity::ToDo, "single-replica".into()),
            (lonely.clone(), Severity::ToDo, "no-readiness-probe".into()),
            (lonely, Severity::ToDo, "karpenter-do-not-disrupt".into()),
        ],
        "web has two spread replicas with a probe: nothing"
    );
}

fn with_budget(rule: &str) -> String {
    format!(
        "{APP}---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web-pdb\n  namespace: shop\nspec:\n  {rule}\n  selector:\n    matchLabels: {{app: web}}\n"
    )
}

#[test]
fn a_budget_that_allows_no_disruption_blocks_by_its_rule() {
    let blocking = |rule: &str| {
        items(&with_budget(rule))
            .into_iter()
            .filter(|(_, s, _)| *s == Severity::Blocking)
            .map(|(subject, _, check)| format!("{subject} {check}"))
            .collect::<Vec<_>>()
    };
    let web_pdb = ["PodDisruptionBudget shop/web-pdb (apps.yaml:34) pdb-allows-no-disruption"];
    assert_eq!(blocking("minAvailable: 2"), web_pdb, "2 of 2 replicas");
    assert_eq!(blocking("minAvailable: 3"), web_pdb);
    assert_eq!(blocking("maxUnavailable: 0"), web_pdb);
    assert_eq!(blocking("maxUnavailable: \"0%\""), web_pdb);
    assert_eq!(blocking("minAvailable: 100%"), web_pdb);
    assert!(blocking("minAvailable: 1").is_empty());
    assert!(blocking("minAvailable: 50%").is_empty());
    assert!(blocking("maxUnavailable: 1").is_empty());
    let message = repo(&in_text(&with_budget("minAvailable: 2"), "apps.yaml"))
        .into_iter()
        .find(|i| i.severity == Severity::Blocking)
        .unwrap()
        .message;
    assert!(
        message.contains("minAvailable 2 over 2 replica(s) of Deployment web (apps.yaml:1)"),
        "{message}"
    );
}

#[test]
fn a_node_pool_budget_of_zero_nodes_is_to_do() {
    let pool = "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: default\nspec:\n  disruption:\n    budgets:\n      - nodes: \"0\"\n";
    let found = items(pool);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].2, "nodepool-budget-zero");
    let scheduled = pool.replace(
        "- nodes: \"0\"",
        "- {nodes: \"0\", schedule: \"@daily\", duration: 10m}",
    );
    assert!(items(&scheduled).is_empty(), "only at times: not said");
}

#[test]
fn a_live_budget_that_allows_nothing_blocks_traced_to_its_file() {
    let objects = in_text(&with_budget("minAvailable: 1"), "apps.yaml");
    let pdb: PodDisruptionBudget = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web-pdb", "namespace": "shop",
                     "labels": {"kustomize.toolkit.fluxcd.io/name": "apps"}},
        "spec": {"minAvailable": 1},
        "status": {"currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1,
                   "disruptionsAllowed": 0, "observedGeneration": 1}
    }))
    .unwrap();
    let found = live(std::slice::from_ref(&pdb), &objects);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].subject,
        "PodDisruptionBudget shop/web-pdb (cluster, Kustomization apps, apps.yaml:34)"
    );
    assert!(
        found[0]
            .message
            .contains("minAvailable 1; currentHealthy 1"),
        "{}",
        found[0].message
    );
    let mut fine = pdb;
    fine.status.as_mut().unwrap().disruptions_allowed = 1;
    assert!(live(&[fine], &objects).is_empty());
}
