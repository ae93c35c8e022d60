//! The rules, as pure functions of the objects read.

use std::collections::BTreeMap;

use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Object, about};
use crate::manifests::objects::body::{Body, Budget, WORKLOADS, Workload, ZONE};
use crate::verdict::{Item, Severity};

const DO_NOT_DISRUPT: [&str; 2] = ["karpenter.sh/do-not-disrupt", "karpenter.sh/do-not-evict"];

/// Every rule over the repo's objects.
pub(super) fn repo(objects: &[Object]) -> Vec<Item> {
    let workloads = Workloads::of(objects);
    let mut items = Vec::new();
    for o in objects {
        match &o.facts {
            Body::Budget(b) => items.extend(budget(o, b, &workloads)),
            Body::NodePool { zero_at_all_times } => items.extend(node_pool(o, *zero_at_all_times)),
            Body::Workload(w) => items.extend(workload(o, w)),
            Body::None => {}
        }
    }
    items
}

/// The repo's workloads by namespace, each with its facts: read once for
/// every budget (a repo of thousands of workloads and budgets would
/// otherwise read each workload once per budget).
struct Workloads<'a> {
    by_namespace: BTreeMap<&'a str, Vec<(&'a Object, &'a Workload)>>,
}

impl<'a> Workloads<'a> {
    fn of(objects: &'a [Object]) -> Workloads<'a> {
        let mut by_namespace: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for o in objects {
            if let Body::Workload(w) = &o.facts
                && WORKLOADS.contains(&o.kind())
            {
                by_namespace.entry(o.namespace()).or_default().push((o, w));
            }
        }
        Workloads { by_namespace }
    }
}

/// The workloads of the budget's namespace whose pods its `matchLabels`
/// select (a budget with `matchExpressions` is not matched: never guessed).
fn covered<'a>(
    pdb: &Object,
    b: &Budget,
    workloads: &Workloads<'a>,
) -> Option<Vec<(&'a Object, &'a Workload)>> {
    if b.match_expressions {
        return None;
    }
    let selector = &b.match_labels;
    let in_namespace = workloads.by_namespace.get(pdb.namespace());
    Some(
        in_namespace
            .into_iter()
            .flatten()
            .filter(|(_, w)| {
                !selector.is_empty() && selector.iter().all(|(k, v)| w.pod_labels.get(k) == Some(v))
            })
            .copied()
            .collect(),
    )
}

fn budget(pdb: &Object, b: &Budget, workloads: &Workloads) -> Option<Item> {
    let blocks = |why: String| {
        Some(
            about(pdb, Severity::Blocking, "pdb-allows-no-disruption", why).fix(
                "let the budget allow one disruption (`maxUnavailable: 1`, or `minAvailable` below the replicas) in Git, push, then `eks-workshop sync`",
            ),
        )
    };
    if let Some(max) = b.max_unavailable {
        return match max {
            (0, _) => blocks(format!(
                "allows no disruption (maxUnavailable: {}): every eviction of its pods is refused, so no node they run on can be drained",
                if max.1 { "0%" } else { "0" }
            )),
            _ => None,
        };
    }
    let min = b.min_available?;
    if min == (100, true) {
        return blocks(
            "allows no disruption (minAvailable: 100%): every eviction of its pods is refused, so no node they run on can be drained".into(),
        );
    }
    if min.1 {
        return None;
    }
    let workloads = covered(pdb, b, workloads)?;
    let total: u64 = workloads.iter().map(|(_, w)| w.replicas).sum();
    if workloads.is_empty() || min.0 < total {
        return None;
    }
    let names: Vec<String> = workloads
        .iter()
        .map(|(o, _)| format!("{} {} ({})", o.kind(), o.name(), o.place()))
        .collect();
    blocks(format!(
        "allows no disruption: minAvailable {} over {total} replica(s) of {}: every eviction is refused, so no node they run on can be drained",
        min.0,
        names.join(", ")
    ))
}

fn workload(o: &Object, w: &Workload) -> Vec<Item> {
    let mut items = Vec::new();
    let n = w.replicas;
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
    for (name, readiness) in &w.containers {
        if !readiness {
            let name = name.as_deref().unwrap_or("?");
            items.push(
                about(o, Severity::ToDo, "no-readiness-probe", format!(
                    "container {name} has no readiness probe: it counts as ready (and its budget as healthy) before it serves, so a node roll can take the last serving replica"
                ))
                .fix("add a readinessProbe to the container"),
            );
        }
    }
    if n > 1 && !w.spread_across_zones {
        items.push(
            about(o, Severity::ToDo, "not-spread", format!(
                "{n} replicas with no topologySpreadConstraints or pod anti-affinity on {ZONE}: they may share a zone, or a node"
            ))
            .fix(format!("add a topologySpreadConstraint on {ZONE}")),
        );
    }
    for key in DO_NOT_DISRUPT {
        if w.pod_annotations.get(key).map(String::as_str) == Some("true") {
            items.push(about(o, Severity::ToDo, "karpenter-do-not-disrupt", format!(
                "its pods carry {key}: \"true\": Karpenter does not replace their node by itself (drift, consolidation); the upgrade's node roll evicts them through the Eviction API all the same"
            )));
        }
    }
    items
}

fn node_pool(o: &Object, zero_at_all_times: bool) -> Option<Item> {
    zero_at_all_times.then(|| {
        about(o, Severity::ToDo, "nodepool-budget-zero", "a disruption budget of 0 nodes at all times: Karpenter replaces none of its nodes for drift (the new version's AMI); the upgrade's node roll drains them itself".into())
    })
}

/// The live budgets that allow no disruption now over pods they expect,
/// named with the repo file they come from when Flux applies one.
pub(super) fn live(pdbs: &[PodDisruptionBudget], objects: &[Object]) -> Vec<Item> {
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
