//! PodDisruptionBudgets in a drain: how long a refusing budget is given,
//! which budgets select a refused pod, and the error that names them with
//! their numbers.

use std::collections::BTreeMap;
use std::time::Duration;

use ::kube::api::{Api, ListParams};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use tokio::time::Instant;

use super::{namespace, pod_list};
use crate::backoff::Backoff;
use crate::error::{Error, Result};
use crate::kube::{Cluster, retry};

/// How long a budget whose pods are coming back (fewer healthy than
/// expected) is given to open up, and how often eviction is tried meanwhile.
/// A budget with nothing coming back gets only the [`Backoff`]'s few tries.
const RECOVERY: Duration = Duration::from_secs(120);
const RECOVERY_POLL: Duration = Duration::from_secs(5);
/// What the help of a blocked drain says to do.
const BUDGET_HELP: &str = "let the budget allow a pod to go: scale the application up (more ready replicas than the budget requires), or relax the PodDisruptionBudget in your fork (the workshop's is gitops/applications/01-pdb-sample-app.yaml) and push it; then run `eks-workshop resume`";

/// A budget's refusals: since when, and the tries left.
pub(super) struct Patience {
    since: Instant,
    backoff: Backoff,
}

impl Patience {
    pub(super) fn new() -> Patience {
        Patience {
            since: Instant::now(),
            backoff: Backoff::new(),
        }
    }

    /// The wait before trying again, or `None` to give up: a few quick tries,
    /// longer only while the budget's own pods are coming back.
    pub(super) fn next_try(&mut self, recovering: bool) -> Option<Duration> {
        match self.backoff.next_delay() {
            Some(wait) => Some(wait),
            None if recovering && self.since.elapsed() < RECOVERY => Some(RECOVERY_POLL),
            None => None,
        }
    }
}

/// The budgets in the pods' namespaces that select any of them.
pub(super) async fn budgets_of(
    cluster: &Cluster,
    pods: &[(&Pod, String)],
) -> Result<Vec<PodDisruptionBudget>> {
    let mut namespaces: Vec<&str> = pods.iter().map(|(p, _)| namespace(p)).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let mut found = Vec::new();
    for ns in namespaces {
        let api: Api<PodDisruptionBudget> = Api::namespaced(cluster.client.clone(), ns);
        let params = ListParams::default();
        let list = retry::idempotent(|| api.list(&params))
            .await
            .map_err(|e| cluster.error(&format!("list PodDisruptionBudgets in {ns}"), e))?;
        found.extend(list.items.into_iter().filter(|pdb| {
            pods.iter()
                .any(|(p, _)| namespace(p) == ns && selects(pdb, p))
        }));
    }
    Ok(found)
}

/// Whether the budget's selector matches the pod's labels (a budget with no
/// selector selects nothing; an empty one, every pod in its namespace).
fn selects(pdb: &PodDisruptionBudget, pod: &Pod) -> bool {
    let Some(selector) = pdb.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return false;
    };
    let none = BTreeMap::new();
    matches(selector, pod.metadata.labels.as_ref().unwrap_or(&none))
}

fn matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let by_label = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let by_expression = selector.match_expressions.iter().flatten().all(|r| {
        let values = r.values.as_deref().unwrap_or_default();
        let value = labels.get(&r.key);
        match r.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    by_label && by_expression
}

/// Counted by the disruption controller, with fewer pods healthy than
/// expected: pods are coming back, and the budget may open up.
pub(super) fn recovering(pdb: &PodDisruptionBudget) -> bool {
    pdb.status
        .as_ref()
        .is_some_and(|s| counted(pdb) && s.current_healthy < s.expected_pods)
}

/// Whether the disruption controller has counted the budget as it stands.
fn counted(pdb: &PodDisruptionBudget) -> bool {
    let observed = pdb.status.as_ref().and_then(|s| s.observed_generation);
    observed.is_some() && observed >= pdb.metadata.generation
}

/// `PodDisruptionBudget ns/name (minAvailable 1; currentHealthy …)`.
fn describe_budget(pdb: &PodDisruptionBudget) -> String {
    let spec = pdb.spec.as_ref();
    let given = |v: Option<&IntOrString>| match v? {
        IntOrString::Int(n) => Some(n.to_string()),
        IntOrString::String(s) => Some(crate::outside::one_line(s)),
    };
    let mut parts: Vec<String> = [
        (
            "minAvailable",
            given(spec.and_then(|s| s.min_available.as_ref())),
        ),
        (
            "maxUnavailable",
            given(spec.and_then(|s| s.max_unavailable.as_ref())),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some(format!("{k} {}", v?)))
    .collect();
    let status = pdb.status.clone().unwrap_or_default();
    parts.push(format!(
        "currentHealthy {}, desiredHealthy {}, expectedPods {}, disruptionsAllowed {}",
        status.current_healthy,
        status.desired_healthy,
        status.expected_pods,
        status.disruptions_allowed
    ));
    if !counted(pdb) {
        parts.push("not counted yet by the disruption controller".into());
    }
    let meta = &pdb.metadata;
    format!(
        "PodDisruptionBudget {}/{} ({})",
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default(),
        parts.join("; ")
    )
}

/// [`Error::Blocked`] naming the refused pods, the budgets and the server's words.
pub(super) fn blocked(
    node: &str,
    refused: &[(&Pod, String)],
    budgets: &[PodDisruptionBudget],
) -> Error {
    let pods = pod_list(refused.iter().map(|(p, _)| *p));
    let by = match budgets {
        [] => "a PodDisruptionBudget (none selects them now)".to_string(),
        _ => budgets
            .iter()
            .map(describe_budget)
            .collect::<Vec<_>>()
            .join(" and "),
    };
    let said = refused.first().map(|(_, m)| m.as_str()).unwrap_or_default();
    Error::Blocked {
        what: format!("node {node} cannot be drained"),
        detail: format!(
            "evicting {pods} would violate {by}; the API server said: {}",
            crate::outside::one_line(said)
        ),
        help: BUDGET_HELP.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn pdb(spec: Value, status: Value) -> PodDisruptionBudget {
        serde_json::from_value(json!({
            "metadata": {"namespace": "default", "name": "web-pdb", "generation": 2},
            "spec": spec, "status": status,
        }))
        .unwrap()
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn selector(value: Value) -> LabelSelector {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn selectors_match_as_the_api_server_does() {
        let web = labels(&[("app", "web"), ("tier", "front")]);
        assert!(matches(&selector(json!({})), &web), "empty selects all");
        assert!(matches(
            &selector(json!({"matchLabels": {"app": "web"}})),
            &web
        ));
        assert!(!matches(
            &selector(json!({"matchLabels": {"app": "db"}})),
            &web
        ));
        let expr = |op: &str, values: Value| {
            selector(
                json!({"matchExpressions": [{"key": "tier", "operator": op, "values": values}]}),
            )
        };
        assert!(matches(&expr("In", json!(["front", "x"])), &web));
        assert!(!matches(&expr("In", json!(["back"])), &web));
        assert!(matches(&expr("NotIn", json!(["back"])), &web));
        assert!(!matches(&expr("NotIn", json!(["front"])), &web));
        assert!(matches(&expr("Exists", Value::Null), &web));
        assert!(!matches(&expr("DoesNotExist", Value::Null), &web));
        assert!(matches(&expr("NotIn", json!(["front"])), &labels(&[])));
        assert!(
            !matches(&expr("Gt", json!(["1"])), &web),
            "unknown operator"
        );
        let pod: Pod =
            serde_json::from_value(json!({"metadata": {"labels": {"app": "web"}}})).unwrap();
        let none: PodDisruptionBudget =
            serde_json::from_value(json!({"metadata": {"name": "x"}, "spec": {}})).unwrap();
        assert!(!selects(&none, &pod), "no selector selects nothing");
    }

    #[test]
    fn a_budget_is_described_with_its_numbers() {
        let counted = pdb(
            json!({"minAvailable": 1, "selector": {}}),
            json!({"observedGeneration": 2, "currentHealthy": 1, "desiredHealthy": 1,
                   "expectedPods": 3, "disruptionsAllowed": 0}),
        );
        assert_eq!(
            describe_budget(&counted),
            "PodDisruptionBudget default/web-pdb (minAvailable 1; currentHealthy 1, desiredHealthy 1, expectedPods 3, disruptionsAllowed 0)"
        );
        assert!(recovering(&counted), "1 of 3 healthy: pods are coming back");
        let fresh = pdb(
            json!({"maxUnavailable": "10%", "selector": {}}),
            json!({"currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0, "disruptionsAllowed": 0}),
        );
        let text = describe_budget(&fresh);
        assert!(
            text.contains("(maxUnavailable 10%; currentHealthy 0,"),
            "{text}"
        );
        assert!(
            text.ends_with("; not counted yet by the disruption controller)"),
            "{text}"
        );
        assert!(!recovering(&fresh));
        let stale = pdb(
            json!({"minAvailable": 1, "selector": {}}),
            json!({"observedGeneration": 1, "currentHealthy": 0, "desiredHealthy": 1,
                   "expectedPods": 1, "disruptionsAllowed": 0}),
        );
        assert!(!recovering(&stale), "counted for an older generation");
    }

    #[test]
    fn patience_is_a_few_tries_unless_pods_are_coming_back() {
        let mut p = Patience {
            since: Instant::now(),
            backoff: Backoff::with_base(Duration::from_millis(1)),
        };
        let quick: Vec<_> = std::iter::from_fn(|| p.next_try(false)).collect();
        assert_eq!(quick.len() as u32, crate::backoff::TRIES - 1);
        assert_eq!(p.next_try(true), Some(RECOVERY_POLL));
        p.since -= RECOVERY;
        assert_eq!(p.next_try(true), None);
    }

    #[test]
    fn the_blocked_error_names_pods_budgets_and_what_to_do() {
        let pod: Pod =
            serde_json::from_value(json!({"metadata": {"namespace": "default", "name": "web-1"}}))
                .unwrap();
        let budget = pdb(
            json!({"minAvailable": 1, "selector": {}}),
            json!({"observedGeneration": 2, "currentHealthy": 1, "desiredHealthy": 1,
                   "expectedPods": 1, "disruptionsAllowed": 0}),
        );
        let said = "Cannot evict pod as it would violate the pod's disruption budget.\n\u{1b}[2J";
        let err = blocked("n1", &[(&pod, said.into())], &[budget]);
        assert_eq!(err.exit_code(), crate::error::exit::BLOCKED);
        let text = err.to_string();
        assert!(
            text.starts_with("node n1 cannot be drained: evicting pod default/web-1 would violate PodDisruptionBudget default/web-pdb (minAvailable 1;"),
            "{text}"
        );
        assert!(
            !text.contains('\u{1b}'),
            "the server's words are escaped: {text}"
        );
        assert!(err.help().unwrap().contains("eks-workshop resume"));
        let none = blocked("n1", &[(&pod, String::new())], &[]);
        assert!(none.to_string().contains("none selects them now"), "{none}");
    }
}
