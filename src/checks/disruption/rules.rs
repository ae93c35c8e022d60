//! The rules, as pure functions of the objects read.

use std::collections::BTreeMap;

use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_yaml::Value;

use super::about;
use crate::manifests::objects::RepoObject;
use crate::verdict::{Item, Severity};

const WORKLOADS: [&str; 2] = ["Deployment", "StatefulSet"];
const ZONE: &str = "topology.kubernetes.io/zone";
const DO_NOT_DISRUPT: [&str; 2] = ["karpenter.sh/do-not-disrupt", "karpenter.sh/do-not-evict"];

/// Every rule over the repo's objects.
pub(super) fn repo(objects: &[RepoObject]) -> Vec<Item> {
    let workloads = Workloads::of(objects);
    let mut items = Vec::new();
    for o in objects {
        match o.kind() {
            "PodDisruptionBudget" => items.extend(budget(o, &workloads)),
            "NodePool" => items.extend(node_pool(o)),
            kind if WORKLOADS.contains(&kind) => items.extend(workload(o)),
            _ => {}
        }
    }
    items
}

/// A workload's replicas (1 when unset).
fn replicas(o: &RepoObject) -> u64 {
    o.at(&["spec", "replicas"])
        .and_then(Value::as_u64)
        .unwrap_or(1)
}

/// `a: b` pairs of a YAML mapping.
fn labels(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => return None,
                    };
                    Some((k.as_str()?.to_string(), v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The workloads of the budget's namespace whose pods its `matchLabels`
/// select (a budget with `matchExpressions` is not matched: never guessed).
/// The repo's workloads by namespace, each with its pods' labels: read once
/// for every budget (a repo of thousands of workloads and budgets would
/// otherwise read each workload once per budget).
struct Workloads<'a> {
    by_namespace: BTreeMap<&'a str, Vec<Workload<'a>>>,
}

/// A workload and its pods' labels.
type Workload<'a> = (&'a RepoObject, BTreeMap<String, String>);

impl<'a> Workloads<'a> {
    fn of(objects: &'a [RepoObject]) -> Workloads<'a> {
        let mut by_namespace: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for o in objects.iter().filter(|o| WORKLOADS.contains(&o.kind())) {
            let pod = labels(o.at(&["spec", "template", "metadata", "labels"]));
            by_namespace
                .entry(o.namespace())
                .or_default()
                .push((o, pod));
        }
        Workloads { by_namespace }
    }
}

fn covered<'a>(pdb: &RepoObject, workloads: &Workloads<'a>) -> Option<Vec<&'a RepoObject>> {
    if pdb.at(&["spec", "selector", "matchExpressions"]).is_some() {
        return None;
    }
    let selector = labels(pdb.at(&["spec", "selector", "matchLabels"]));
    let in_namespace = workloads.by_namespace.get(pdb.namespace());
    Some(
        in_namespace
            .into_iter()
            .flatten()
            .filter(|(_, pod)| {
                !selector.is_empty() && selector.iter().all(|(k, v)| pod.get(k) == Some(v))
            })
            .map(|(o, _)| *o)
            .collect(),
    )
}

/// `0`, `"0"` or `"0%"`; `"100%"`; or a number.
fn int_or_percent(v: &Value) -> Option<(u64, bool)> {
    match v {
        Value::Number(n) => n.as_u64().map(|n| (n, false)),
        Value::String(s) => match s.strip_suffix('%') {
            Some(p) => p.trim().parse().ok().map(|p| (p, true)),
            None => s.trim().parse().ok().map(|n| (n, false)),
        },
        _ => None,
    }
}

fn budget(pdb: &RepoObject, workloads: &Workloads) -> Option<Item> {
    let blocks = |why: String| {
        Some(
            about(pdb, Severity::Blocking, "pdb-allows-no-disruption", why).fix(
                "let the budget allow one disruption (`maxUnavailable: 1`, or `minAvailable` below the replicas) in Git, push, then `eks-workshop sync`",
            ),
        )
    };
    if let Some(max) = pdb.at(&["spec", "maxUnavailable"]).and_then(int_or_percent) {
        return match max {
            (0, _) => blocks(format!(
                "allows no disruption (maxUnavailable: {}): every eviction of its pods is refused, so no node they run on can be drained",
                if max.1 { "0%" } else { "0" }
            )),
            _ => None,
        };
    }
    let min = pdb.at(&["spec", "minAvailable"]).and_then(int_or_percent)?;
    if min == (100, true) {
        return blocks(
            "allows no disruption (minAvailable: 100%): every eviction of its pods is refused, so no node they run on can be drained".into(),
        );
    }
    if min.1 {
        return None;
    }
    let workloads = covered(pdb, workloads)?;
    let total: u64 = workloads.iter().map(|w| replicas(w)).sum();
    if workloads.is_empty() || min.0 < total {
        return None;
    }
    let names: Vec<String> = workloads
        .iter()
        .map(|w| format!("{} {} ({})", w.kind(), w.name(), w.place()))
        .collect();
    blocks(format!(
        "allows no disruption: minAvailable {} over {total} replica(s) of {}: every eviction is refused, so no node they run on can be drained",
        min.0,
        names.join(", ")
    ))
}

fn workload(o: &RepoObject) -> Vec<Item> {
    let mut items = Vec::new();
    let n = replicas(o);
    if n == 1 {
        items.push(
            about(
                o,
                Severity::ToDo,
                "single-replica",
                "runs one replica: it is down while its node is drained".into(),
            )
            .fix("run two or more replicas (with a PodDisruptionBudget) before the node roll"),
        );
    }
    let spec = ["spec", "template", "spec"];
    let containers = o
        .at(&[spec[0], spec[1], spec[2], "containers"])
        .and_then(Value::as_sequence)
        .cloned()
        .unwrap_or_default();
    for c in &containers {
        if c.get("readinessProbe").is_none() {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
            items.push(
                about(o, Severity::ToDo, "no-readiness-probe", format!(
                    "container {name} has no readiness probe: it counts as ready (and its budget as healthy) before it serves, so a node roll can take the last serving replica"
                ))
                .fix("add a readinessProbe to the container"),
            );
        }
    }
    if n > 1 && !spread_across_zones(o) {
        items.push(
            about(o, Severity::ToDo, "not-spread", format!(
                "{n} replicas with no topologySpreadConstraints or pod anti-affinity on {ZONE}: they may share a zone, or a node"
            ))
            .fix(format!("add a topologySpreadConstraint on {ZONE}")),
        );
    }
    let annotations = labels(o.at(&["spec", "template", "metadata", "annotations"]));
    for key in DO_NOT_DISRUPT {
        if annotations.get(key).map(String::as_str) == Some("true") {
            items.push(about(o, Severity::ToDo, "karpenter-do-not-disrupt", format!(
                "its pods carry {key}: \"true\": Karpenter does not replace their node by itself (drift, consolidation); the upgrade's node roll evicts them through the Eviction API all the same"
            )));
        }
    }
    items
}

fn spread_across_zones(o: &RepoObject) -> bool {
    let spec = o.at(&["spec", "template", "spec"]);
    let text = spec
        .map(|s| serde_yaml::to_string(s).unwrap_or_default())
        .unwrap_or_default();
    let spreads = spec
        .and_then(|s| s.get("topologySpreadConstraints"))
        .is_some();
    let anti = spec
        .and_then(|s| s.get("affinity")?.get("podAntiAffinity"))
        .is_some();
    (spreads || anti) && text.contains(ZONE)
}

fn node_pool(o: &RepoObject) -> Option<Item> {
    let budgets = o.at(&["spec", "disruption", "budgets"])?.as_sequence()?;
    let zero = budgets.iter().any(|b| {
        b.get("schedule").is_none()
            && b.get("nodes")
                .and_then(int_or_percent)
                .is_some_and(|(n, _)| n == 0)
    });
    zero.then(|| {
        about(o, Severity::ToDo, "nodepool-budget-zero", "a disruption budget of 0 nodes at all times: Karpenter replaces none of its nodes for drift (the new version's AMI); the upgrade's node roll drains them itself".into())
    })
}

/// The live budgets that allow no disruption now over pods they expect,
/// named with the repo file they come from when Flux applies one.
pub(super) fn live(pdbs: &[PodDisruptionBudget], objects: &[RepoObject]) -> Vec<Item> {
    let mut items = Vec::new();
    for pdb in pdbs {
        let Some(status) = &pdb.status else { continue };
        if status.disruptions_allowed != 0 || status.expected_pods == 0 {
            continue;
        }
        let ns = pdb.metadata.namespace.as_deref().unwrap_or("default");
        let name = pdb.metadata.name.as_deref().unwrap_or_default();
        let from = objects
            .iter()
            .find(|o| o.kind() == "PodDisruptionBudget" && o.namespace() == ns && o.name() == name);
        let kustomization = pdb
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kustomize.toolkit.fluxcd.io/name"));
        let mut subject = format!("PodDisruptionBudget {ns}/{name} (cluster");
        if let Some(k) = kustomization {
            subject.push_str(&format!(", Kustomization {k}"));
        }
        if let Some(o) = from {
            subject.push_str(&format!(", {}", o.place()));
        }
        subject.push(')');
        let spec = pdb.spec.as_ref();
        let rule = match (
            spec.and_then(|s| s.min_available.as_ref()),
            spec.and_then(|s| s.max_unavailable.as_ref()),
        ) {
            (Some(m), _) => format!("minAvailable {}", shown(m)),
            (_, Some(m)) => format!("maxUnavailable {}", shown(m)),
            _ => "no rule".into(),
        };
        let mut item = Item::new(
            Severity::Blocking,
            &subject,
            format!(
                "allows no disruption now ({rule}; currentHealthy {}, desiredHealthy {}, expectedPods {}, disruptionsAllowed 0): the node roll cannot evict its pods",
                status.current_healthy, status.desired_healthy, status.expected_pods
            ),
        )
        .fix("let it allow a disruption (more replicas, or a looser budget) in Git, or wait until its pods are healthy")
        .fact("check", "pdb-live")
        .fact("namespace", ns)
        .fact("name", name);
        if let Some(o) = from {
            item = item.fact("file", &o.file).fact("line", o.line);
        }
        items.push(item);
    }
    items
}

fn shown(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests;
