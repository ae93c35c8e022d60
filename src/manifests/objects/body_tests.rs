//! The facts read by the fast reader against the same read by serde_yaml,
//! over generated workloads, budgets and NodePools.

use proptest::prelude::*;

use super::*;
use crate::manifests::objects::both_ways;

/// Values as written: numbers sure and unsure, strings quoted and escaped,
/// booleans, nulls, flow collections.
const VALUES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "010",
    "0x1F",
    "1e3",
    "-1",
    "2.0",
    "\"0\"",
    "\"0%\"",
    "100%",
    "50%",
    "'1'",
    "web",
    "\"web\"",
    "true",
    "\"true\"",
    "yes",
    "null",
    "~",
    "\"a\\tb\"",
    "'it''s'",
    "{}",
    "[]",
    "[a, b]",
    "{app: web}",
    "topology.kubernetes.io/zone",
    "\"topology.kubernetes.io/zon\\u0065\"",
    "kubernetes.io/hostname",
];

fn value() -> impl Strategy<Value = &'static str> {
    prop::sample::select(VALUES)
}

/// `key: value` lines at `indent`, or the key absent.
fn field(key: &'static str) -> impl Strategy<Value = Option<(&'static str, &'static str)>> {
    prop::option::of(value().prop_map(move |v| (key, v)))
}

fn lines(indent: usize, fields: &[Option<(&str, &str)>]) -> String {
    let pad = " ".repeat(indent);
    fields
        .iter()
        .flatten()
        .map(|(k, v)| format!("{pad}{k}: {v}\n"))
        .collect()
}

/// A mapping under `key` at `indent`: absent, a written value, or entries.
fn mapping(key: &'static str, indent: usize) -> impl Strategy<Value = String> {
    let entries = (
        field("app"),
        field("tier"),
        field("karpenter.sh/do-not-disrupt"),
    );
    prop_oneof![
        Just(String::new()),
        value().prop_map(move |v| format!("{}{key}: {v}\n", " ".repeat(indent))),
        entries.prop_map(move |(a, b, c)| format!(
            "{}{key}:\n{}",
            " ".repeat(indent),
            lines(indent + 2, &[a, b, c])
        )),
    ]
}

fn container() -> impl Strategy<Value = String> {
    prop_oneof![
        value().prop_map(|v| format!("        - {v}\n")),
        (field("name"), prop::option::of(value()), any::<bool>()).prop_map(
            |(name, probe, nested)| {
                let mut out = format!("        - image: nginx\n{}", lines(10, &[name]));
                match (probe, nested) {
                    (Some(p), false) => out.push_str(&format!("          readinessProbe: {p}\n")),
                    (Some(_), true) => out.push_str(
                        "          readinessProbe:\n            httpGet:\n              port: 80\n",
                    ),
                    (None, _) => {}
                }
                out
            }
        ),
    ]
}

fn workload() -> impl Strategy<Value = String> {
    (
        field("replicas"),
        mapping("labels", 6),
        mapping("annotations", 6),
        prop::collection::vec(container(), 0..3),
        prop::option::of(value()),
        prop::option::of(value()),
    )
        .prop_map(|(replicas, labels, annotations, containers, spread, anti)| {
            let mut doc = format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n{}  template:\n    metadata:\n{labels}{annotations}    spec:\n",
                lines(2, &[replicas])
            );
            if !containers.is_empty() {
                doc.push_str("      containers:\n");
                doc.extend(containers);
            }
            if let Some(key) = spread {
                doc.push_str(&format!(
                    "      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: {key}\n"
                ));
            }
            if let Some(key) = anti {
                doc.push_str(&format!(
                    "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 1\n              podAffinityTerm:\n                topologyKey: {key}\n"
                ));
            }
            doc
        })
}

fn budget() -> impl Strategy<Value = String> {
    (
        field("minAvailable"),
        field("maxUnavailable"),
        mapping("matchLabels", 4),
        any::<bool>(),
    )
        .prop_map(|(min, max, labels, expressions)| {
            let mut doc = format!(
                "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: pdb\nspec:\n{}  selector:\n{labels}",
                lines(2, &[min, max])
            );
            if expressions {
                doc.push_str("    matchExpressions:\n      - key: app\n        operator: Exists\n");
            }
            doc
        })
}

fn node_pool() -> impl Strategy<Value = String> {
    let entry = (field("nodes"), field("schedule"))
        .prop_map(|(n, s)| format!("      - reasons: [Drifted]\n{}", lines(8, &[n, s])));
    prop::collection::vec(entry, 0..3).prop_map(|budgets| {
        format!(
            "apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: default\nspec:\n  disruption:\n    budgets:\n{}",
            budgets.concat()
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// Wherever the fast reader answers, it answers as serde_yaml does.
    #[test]
    fn the_fast_reader_reads_the_facts_serde_yaml_reads(
        doc in prop_oneof![workload(), budget(), node_pool()]
    ) {
        let (fast, slow) = both_ways::<Body>(&doc);
        if let Some(fast) = fast {
            prop_assert_eq!(Some(fast), slow, "{}", doc);
        }
    }
}

/// The common shapes are read by the fast reader (not each one again by
/// serde_yaml): plain values, nested blocks, a flow mapping the rules only
/// test for.
#[test]
fn common_shapes_are_read_fast() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      securityContext: {}\n      containers:\n        - name: web\n          args: [\"--port\", \"80\"]\n          readinessProbe:\n            httpGet: {path: /, port: 80}\n      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: topology.kubernetes.io/zone\n";
    let (fast, slow) = both_ways::<Body>(deployment);
    assert!(fast.is_some(), "read fast");
    assert_eq!(fast, slow);
    let Some(Body::Workload(w)) = fast else {
        panic!("a workload")
    };
    assert_eq!(w.replicas, 3);
    assert!(w.spread_across_zones);
    assert_eq!(w.containers, [(Some("web".to_string()), true)]);
    let budget = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: web\n";
    assert!(both_ways::<Body>(budget).0.is_some());
}
