//! What disruption readiness reads of an object's body: a workload's
//! replicas, pods and containers, a budget's rule and selector, a
//! NodePool's disruption budgets. Read once per object, in the walk that
//! reads the tree (see `manifests::scan`); `checks::disruption`'s rules are
//! functions of these.

use std::collections::BTreeMap;

use super::{Exact, Facts, View};

pub(crate) const WORKLOADS: [&str; 2] = ["Deployment", "StatefulSet"];
pub(crate) const ZONE: &str = "topology.kubernetes.io/zone";

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// A kind the rules do not read.
    None,
    Workload(Workload),
    Budget(Budget),
    NodePool {
        /// A budget of 0 nodes with no schedule (so at all times).
        zero_at_all_times: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Workload {
    /// `spec.replicas`, 1 when unset.
    pub(crate) replicas: u64,
    pub(crate) pod_labels: BTreeMap<String, String>,
    pub(crate) pod_annotations: BTreeMap<String, String>,
    /// Each container's name (when a string) and whether it has a readiness probe.
    pub(crate) containers: Vec<(Option<String>, bool)>,
    /// Topology spread or pod anti-affinity, on the zone key.
    pub(crate) spread_across_zones: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Budget {
    pub(crate) match_labels: BTreeMap<String, String>,
    pub(crate) match_expressions: bool,
    /// `(n, percent)`, when a number or a string that reads as one.
    pub(crate) max_unavailable: Option<(u64, bool)>,
    pub(crate) min_available: Option<(u64, bool)>,
}

impl Facts for Body {
    const KINDS: &'static [&'static str] = &[
        WORKLOADS[0],
        WORKLOADS[1],
        "PodDisruptionBudget",
        "NodePool",
    ];
    const OTHERS: bool = false;
    /// `spec.template.spec.containers[i].readinessProbe`.
    const DEPTH: usize = 5;

    fn read(kind: &str, body: View<'_>) -> Exact<Body> {
        Ok(match kind {
            "PodDisruptionBudget" => Body::Budget(budget(body)?),
            "NodePool" => Body::NodePool {
                zero_at_all_times: zero_at_all_times(body)?,
            },
            _ => Body::Workload(workload(body)?),
        })
    }

    fn none() -> Body {
        Body::None
    }
}

fn workload(o: View<'_>) -> Exact<Workload> {
    let replicas = match o.at(&["spec", "replicas"])? {
        Some(v) => v.as_u64()?.unwrap_or(1),
        None => 1,
    };
    let pod = o.at(&["spec", "template"])?;
    let pod_meta = |key| -> Exact<_> {
        match pod {
            Some(p) => labels(p.at(&["metadata", key])?),
            None => Ok(BTreeMap::new()),
        }
    };
    let spec = match pod {
        Some(p) => p.get("spec")?,
        None => None,
    };
    let mut containers = Vec::new();
    if let Some(list) = spec.map(|s| s.get("containers")).transpose()?.flatten() {
        for c in list.items()? {
            let name = match c.get("name")? {
                Some(n) => n.as_str()?.map(str::to_owned),
                None => None,
            };
            containers.push((name, c.get("readinessProbe")?.is_some()));
        }
    }
    let spread_across_zones = match spec {
        Some(s) => {
            let spreads = s.get("topologySpreadConstraints")?.is_some();
            let anti = match s.get("affinity")? {
                Some(a) => a.get("podAntiAffinity")?.is_some(),
                None => false,
            };
            (spreads || anti) && s.mentions(ZONE)?
        }
        None => false,
    };
    Ok(Workload {
        replicas,
        pod_labels: pod_meta("labels")?,
        pod_annotations: pod_meta("annotations")?,
        containers,
        spread_across_zones,
    })
}

fn budget(o: View<'_>) -> Exact<Budget> {
    let selector = o.at(&["spec", "selector"])?;
    let (match_labels, match_expressions) = match selector {
        Some(s) => (
            labels(s.get("matchLabels")?)?,
            s.get("matchExpressions")?.is_some(),
        ),
        None => (BTreeMap::new(), false),
    };
    Ok(Budget {
        match_labels,
        match_expressions,
        max_unavailable: int_or_percent(o.at(&["spec", "maxUnavailable"])?)?,
        min_available: int_or_percent(o.at(&["spec", "minAvailable"])?)?,
    })
}

fn zero_at_all_times(o: View<'_>) -> Exact<bool> {
    let Some(budgets) = o.at(&["spec", "disruption", "budgets"])? else {
        return Ok(false);
    };
    for b in budgets.items()? {
        let nodes = int_or_percent(b.get("nodes")?)?;
        if b.get("schedule")?.is_none() && nodes.is_some_and(|(n, _)| n == 0) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `a: b` pairs of a mapping whose values are scalars.
fn labels(v: Option<View<'_>>) -> Exact<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (k, v) in v.map(View::entries).transpose()?.unwrap_or_default() {
        if let Some(text) = v.scalar_text()? {
            out.insert(k.to_owned(), text);
        }
    }
    Ok(out)
}

/// `0`, `"0"` or `"0%"`; `"100%"`; or a number.
fn int_or_percent(v: Option<View<'_>>) -> Exact<Option<(u64, bool)>> {
    let Some(v) = v else { return Ok(None) };
    if let Some(n) = v.as_u64()? {
        return Ok(Some((n, false)));
    }
    Ok(v.as_str()?.and_then(|s| match s.strip_suffix('%') {
        Some(p) => p.trim().parse().ok().map(|p| (p, true)),
        None => s.trim().parse().ok().map(|n| (n, false)),
    }))
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
