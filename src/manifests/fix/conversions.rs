//! The conversions, one per kind of change, as edits to a document's text.

use super::Plan;
use super::dom::{Dom, Edit};
use crate::manifests::yaml::fast::Scalar;
use crate::readiness::deprecations::Entry;

/// APIs whose replacement takes the same fields: only `apiVersion` changes.
const RENAMES: &[(&str, &str)] = &[
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("batch/v1beta1", "CronJob"),
    ("policy/v1beta1", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "Role"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("extensions/v1beta1", "NetworkPolicy"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("authentication.k8s.io/v1beta1", "TokenReview"),
    ("authorization.k8s.io/v1beta1", "LocalSubjectAccessReview"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectAccessReview"),
    ("authorization.k8s.io/v1beta1", "SelfSubjectRulesReview"),
    ("authorization.k8s.io/v1beta1", "SubjectAccessReview"),
    // Policies: v1 has the same fields, defaults and validation as v1beta1
    // and v1alpha1 (whose last served types match v1's).
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicy",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io/v1alpha1",
        "ValidatingAdmissionPolicy",
    ),
];

pub(crate) fn plan(dom: &Dom<'_>, entry: &Entry, to: &str) -> Plan {
    let Some(api) = dom.root("apiVersion") else {
        return Plan::Unconverted("no apiVersion line to change".into());
    };
    let Scalar::Str(current) = dom.nodes[api].value else {
        return Plan::Unconverted("the apiVersion is not a one-line string".into());
    };
    let mut edits = vec![Edit {
        range: dom.span(current),
        with: to.to_owned(),
    }];
    let from = entry.api_version.as_str();
    let changes = match (from, entry.kind.as_str()) {
        (_, "Ingress") => ingress(dom, &mut edits),
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler") => hpa_metrics(dom, &mut edits),
        (_, "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet") => apps(dom),
        ("policy/v1beta1", "PodDisruptionBudget") => Ok(pdb_note(dom)),
        ("admissionregistration.k8s.io/v1alpha1", "ValidatingAdmissionPolicyBinding") => {
            alpha_binding(dom)
        }
        (a, k) if RENAMES.contains(&(a, k)) => Ok(Vec::new()),
        (_, kind) => Err(why_not(from, kind)),
    };
    match changes {
        Ok(notes) => {
            let mut what = format!("{from} -> {to}");
            for note in notes {
                what.push_str("; ");
                what.push_str(&note);
            }
            Plan::Edits(edits, what)
        }
        Err(why) => Plan::Unconverted(why),
    }
}

fn why_not(api_version: &str, kind: &str) -> String {
    match api_version.split('/').next().unwrap_or_default() {
        "admissionregistration.k8s.io" if kind.ends_with("WebhookConfiguration") => {
            "admissionregistration.k8s.io/v1 requires sideEffects and admissionReviewVersions on every webhook"
        }
        "apiextensions.k8s.io" => "apiextensions.k8s.io/v1 requires a structural schema for every version",
        "certificates.k8s.io" => "certificates.k8s.io/v1 requires spec.signerName",
        "discovery.k8s.io" => "discovery.k8s.io/v1 changed the topology fields",
        "events.k8s.io" => "events.k8s.io/v1 renamed fields",
        "flowcontrol.apiserver.k8s.io" => "flow control fields changed between versions",
        _ if kind == "PodSecurityPolicy" => "PodSecurityPolicy is gone from 1.25 on, with no replacement API",
        _ => "no mechanical conversion is known for it",
    }
    .to_owned()
        + "; convert it by hand"
}

/// `extensions/v1beta1` workloads: apps/v1 requires a selector and dropped `rollbackTo`.
fn apps(dom: &Dom<'_>) -> Result<Vec<String>, String> {
    let spec = dom.root("spec");
    if spec.and_then(|s| dom.child(s, "selector")).is_none() {
        return Err(
            "apps/v1 requires spec.selector; add one matching the pod template's labels".into(),
        );
    }
    if spec.and_then(|s| dom.child(s, "rollbackTo")).is_some() {
        return Err("spec.rollbackTo does not exist in apps/v1".into());
    }
    Ok(Vec::new())
}

/// A v1alpha1 binding's `paramRef.parameterNotFoundAction` was defaulted (to
/// Deny) by the server; v1 has no default and refuses a paramRef without it.
fn alpha_binding(dom: &Dom<'_>) -> Result<Vec<String>, String> {
    let why = "admissionregistration.k8s.io/v1 requires spec.paramRef.parameterNotFoundAction, which v1alpha1 defaulted to Deny";
    let param_ref = dom.root("spec").and_then(|s| dom.child(s, "paramRef"));
    let Some(param_ref) = param_ref.filter(|&p| {
        // `paramRef:` alone is null: no paramRef.
        let node = &dom.nodes[p];
        !(matches!(node.value, Scalar::Block) && node.children.is_empty())
    }) else {
        return Ok(Vec::new());
    };
    if !matches!(dom.nodes[param_ref].value, Scalar::Block) {
        // A flow mapping is hidden from the tree: its fields cannot be read here.
        return Err(format!(
            "{why}; paramRef is not block style, so check it and convert it by hand"
        ));
    }
    match dom.child(param_ref, "parameterNotFoundAction") {
        Some(_) => Ok(Vec::new()),
        None => Err(format!(
            "{why}: add `parameterNotFoundAction: Deny` to paramRef"
        )),
    }
}

fn pdb_note(dom: &Dom<'_>) -> Vec<String> {
    let selector = dom.root("spec").and_then(|s| dom.child(s, "selector"));
    match selector.map(|s| (&dom.nodes[s].value, dom.nodes[s].children.is_empty())) {
        Some((Scalar::Block, false)) => Vec::new(),
        _ => vec!["note: in policy/v1 an empty selector selects every pod of the namespace".into()],
    }
}

/// Ingress to networking.k8s.io/v1: `spec.backend` is `spec.defaultBackend`,
/// backends name a `service`, and every path needs a `pathType`.
fn ingress(dom: &Dom<'_>, edits: &mut Vec<Edit>) -> Result<Vec<String>, String> {
    let Some(spec) = dom.root("spec") else {
        return Ok(Vec::new());
    };
    if let Some(default) = dom.child(spec, "backend") {
        let key = dom.nodes[default].key.unwrap_or_default();
        edits.push(Edit {
            range: dom.span(key),
            with: "defaultBackend".into(),
        });
        backend(dom, default, edits)?;
    }
    let rules = dom
        .child(spec, "rules")
        .into_iter()
        .flat_map(|r| dom.items(r));
    for rule in rules.collect::<Vec<_>>() {
        let paths = dom
            .path(rule, &["http", "paths"])
            .into_iter()
            .flat_map(|p| dom.items(p));
        for path in paths.collect::<Vec<_>>() {
            if let Some(b) = dom.child(path, "backend") {
                backend(dom, b, edits)?;
            }
            if dom.child(path, "pathType").is_none() {
                let (after, col) = match dom.child(path, "path") {
                    Some(p) => (dom.nodes[p].line, dom.nodes[p].col),
                    None => {
                        let first = *dom.nodes[path]
                            .children
                            .first()
                            .ok_or("an empty path entry")?;
                        (dom.last_line(path), dom.nodes[first].col)
                    }
                };
                edits.push(insert_after(
                    dom,
                    after,
                    &format!("{}pathType: ImplementationSpecific", " ".repeat(col)),
                ));
            }
        }
    }
    Ok(Vec::new())
}

/// `serviceName: x` + `servicePort: 80` -> `service: {name: x, port: {number: 80}}`.
fn backend(dom: &Dom<'_>, backend: usize, edits: &mut Vec<Edit>) -> Result<(), String> {
    let (name, port) = match (
        dom.child(backend, "serviceName"),
        dom.child(backend, "servicePort"),
    ) {
        (None, None) => return Ok(()),
        (Some(name), Some(port)) => (name, port),
        _ => return Err("a backend has only one of serviceName and servicePort".into()),
    };
    let (name_text, name_rest) = dom
        .raw_value(name)
        .ok_or("serviceName is not a one-line value")?;
    let (port_text, port_rest) = dom
        .raw_value(port)
        .ok_or("servicePort is not a one-line value")?;
    let port_field = match dom.nodes[port].value {
        Scalar::MaybeNumber(n) if n.bytes().all(|b| b.is_ascii_digit()) => "number",
        Scalar::Str(_) => "name",
        _ => {
            return Err(format!(
                "servicePort `{port_text}` is neither a number nor a port name"
            ));
        }
    };
    let (pad, step) = layout(dom, backend, name)?;
    let block = format!(
        "{pad}service:\n{pad}{step}name: {name_text}{}\n{pad}{step}port:\n{pad}{step}{step}{port_field}: {port_text}{}\n",
        comment(name_rest),
        comment(port_rest),
    );
    edits.push(Edit {
        range: dom.line_range(dom.nodes[name].line),
        with: block,
    });
    edits.push(Edit {
        range: dom.line_range(dom.nodes[port].line),
        with: String::new(),
    });
    Ok(())
}

/// autoscaling/v2beta1 to v2: `targetAverageUtilization: 50` ->
/// `target: {type: Utilization, averageUtilization: 50}` (and likewise
/// `targetAverageValue`) in Resource metrics; other metric types differ more.
fn hpa_metrics(dom: &Dom<'_>, edits: &mut Vec<Edit>) -> Result<Vec<String>, String> {
    let metrics = dom.root("spec").and_then(|s| dom.child(s, "metrics"));
    for metric in metrics
        .into_iter()
        .flat_map(|m| dom.items(m))
        .collect::<Vec<_>>()
    {
        for &field in &dom.nodes[metric].children {
            match dom.nodes[field].key {
                Some("type") => {}
                Some("resource") => resource_target(dom, field, edits)?,
                Some(other) => {
                    return Err(format!(
                        "autoscaling/v2beta1 `{other}` metrics need restructuring by hand"
                    ));
                }
                None => return Err("an unexpected metric entry".into()),
            }
        }
    }
    Ok(Vec::new())
}

fn resource_target(dom: &Dom<'_>, resource: usize, edits: &mut Vec<Edit>) -> Result<(), String> {
    for (old, kind, new) in [
        (
            "targetAverageUtilization",
            "Utilization",
            "averageUtilization",
        ),
        ("targetAverageValue", "AverageValue", "averageValue"),
    ] {
        let Some(field) = dom.child(resource, old) else {
            continue;
        };
        let (value, rest) = dom
            .raw_value(field)
            .ok_or_else(|| format!("{old} is not a one-line value"))?;
        let (pad, step) = layout(dom, resource, field)?;
        let block = format!(
            "{pad}target:\n{pad}{step}type: {kind}\n{pad}{step}{new}: {value}{}\n",
            comment(rest)
        );
        edits.push(Edit {
            range: dom.line_range(dom.nodes[field].line),
            with: block,
        });
    }
    Ok(())
}

/// The indentation of `child` (a key alone on its line) and the step from its parent.
fn layout(dom: &Dom<'_>, parent: usize, child: usize) -> Result<(String, String), String> {
    let (p, c) = (&dom.nodes[parent], &dom.nodes[child]);
    let line = &dom.text[dom.line_range(c.line)];
    if c.col <= p.col || !line[..c.col].bytes().all(|b| b == b' ') {
        return Err(format!(
            "`{}` does not start its own line",
            c.key.unwrap_or_default()
        ));
    }
    Ok((" ".repeat(c.col), " ".repeat(c.col - p.col)))
}

fn comment(rest: &str) -> String {
    if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    }
}

fn insert_after(dom: &Dom<'_>, line: usize, text: &str) -> Edit {
    let end = dom.line_range(line).end;
    let newline_first = !dom.text[..end].ends_with('\n');
    let with = if newline_first {
        format!("\n{text}")
    } else {
        format!("{text}\n")
    };
    Edit {
        range: end..end,
        with,
    }
}
