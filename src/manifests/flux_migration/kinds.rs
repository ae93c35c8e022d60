//! The per-kind conversions, as edits to a document's text.

use serde_yaml::Value;

use super::FluxApis;
use super::dom::{self, Dom, Edit};
use super::patches;
use crate::manifests::yaml::fast::Scalar;

mod fields;

use fields::{FROM, HANDLED, V1_SPEC};

pub(super) enum Outcome {
    Unchanged,
    /// The edits and what they do.
    Converted(Vec<Edit>, Vec<String>),
    Unconverted(String),
}

/// The target apiVersion when `api_version`/`kind` is a Flux API the target
/// replaces and the migration converts from.
pub(super) fn outdated<'t>(api_version: &str, kind: &str, target: &'t FluxApis) -> Option<&'t str> {
    let (group, version) = api_version.split_once('/')?;
    let (_, versions) = FROM.iter().find(|(g, _)| *g == group)?;
    let to = target.version_for(kind)?;
    (to.split_once('/')?.0 == group && to != api_version && versions.contains(&version))
        .then_some(to)
}

pub(super) fn convert(dom: &Dom<'_>, api_version: &str, kind: &str, target: &FluxApis) -> Outcome {
    if let Some(why) = karpenter(api_version, kind) {
        return Outcome::Unconverted(why);
    }
    let Some(to) = outdated(api_version, kind, target) else {
        return Outcome::Unchanged;
    };
    if !matches!(to.rsplit('/').next(), Some("v1" | "v2")) {
        return Outcome::Unconverted(format!(
            "the cluster serves {to}, which this tool does not convert to; convert it by hand"
        ));
    }
    let Some(api) = dom.root("apiVersion") else {
        return Outcome::Unconverted("no apiVersion line to change".into());
    };
    let Scalar::Str(current) = dom.nodes[api].value else {
        return Outcome::Unconverted("the apiVersion is not a one-line string".into());
    };
    let mut edits = vec![Edit {
        range: dom.span(current),
        with: to.to_owned(),
    }];
    let mut notes = vec![format!("{api_version} -> {to}")];
    let Some(spec) = dom.root("spec") else {
        return Outcome::Converted(edits, notes);
    };
    if let Some(unknown) = unknown_field(dom, spec, kind) {
        return Outcome::Unconverted(format!(
            "spec.{unknown} is not a field of {kind} {to}; convert it by hand"
        ));
    }
    let more = match kind {
        "Kustomization" => kustomization(dom, spec, &mut edits),
        "HelmRelease" => helm_release(dom, spec, &mut edits),
        "GitRepository" => Ok(drop_field(dom, spec, "gitImplementation", &mut edits)
            .then(|| "dropped spec.gitImplementation (ignored since Flux v0.40)".to_owned())
            .into_iter()
            .collect()),
        "HelmChart" => values_file(dom, spec, "spec", &mut edits).map(|n| n.into_iter().collect()),
        _ => Ok(Vec::new()),
    };
    match more {
        Ok(more) => {
            notes.extend(more);
            Outcome::Converted(edits, notes)
        }
        Err(why) => Outcome::Unconverted(why),
    }
}

/// Karpenter's alpha APIs: a different schema, so the upgrade path, not a guess.
fn karpenter(api_version: &str, kind: &str) -> Option<String> {
    let replacement = match (api_version, kind) {
        ("karpenter.sh/v1alpha5", "Provisioner") => "karpenter.sh/v1 NodePool",
        ("karpenter.sh/v1alpha5", "Machine") => "karpenter.sh/v1 NodeClaim",
        ("karpenter.k8s.aws/v1alpha1", "AWSNodeTemplate") => "karpenter.k8s.aws/v1 EC2NodeClass",
        _ => return None,
    };
    Some(format!(
        "{api_version} {kind} does not convert mechanically (its replacement, {replacement}, has a different schema). \
         It is served up to the karpenter chart v0.32 (the workshop pins v0.27.3); from chart v0.33 on it is gone. \
         Upgrade path: chart v0.32, convert with `karpenter-convert` to karpenter.sh/v1beta1 NodePool and \
         karpenter.k8s.aws/v1beta1 EC2NodeClass (https://karpenter.sh/v0.32/upgrading/v1beta1-migration/), \
         then chart v1.0+ to the v1 APIs (https://karpenter.sh/docs/upgrading/v1-migration/)"
    ))
}

fn unknown_field<'a>(dom: &Dom<'a>, spec: usize, kind: &str) -> Option<&'a str> {
    let (_, known) = V1_SPEC.iter().find(|(k, _)| *k == kind)?;
    let handled = HANDLED
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, h)| h);
    dom.nodes[spec]
        .children
        .iter()
        .filter_map(|&c| dom.nodes[c].key)
        .find(|k| !known.contains(k) && !handled.contains(k))
}

fn kustomization(dom: &Dom<'_>, spec: usize, edits: &mut Vec<Edit>) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    if drop_field(dom, spec, "validation", edits) {
        notes.push("dropped spec.validation (v1 always validates server-side)".into());
    }
    notes.extend(patches::convert(dom, spec, "spec", edits)?);
    Ok(notes)
}

fn helm_release(dom: &Dom<'_>, spec: usize, edits: &mut Vec<Edit>) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    if let Some(chart_spec) = dom.path(spec, &["chart", "spec"]) {
        notes.extend(values_file(dom, chart_spec, "spec.chart.spec", edits)?);
    }
    if let Some(renderers) = dom.child(spec, "postRenderers") {
        for (i, r) in dom.items(renderers).enumerate() {
            if let Some(k) = dom.child(r, "kustomize") {
                let at = format!("spec.postRenderers[{i}].kustomize");
                notes.extend(patches::convert(dom, k, &at, edits)?);
            }
        }
    }
    Ok(notes)
}

/// Remove `key` and everything under it; whether it was there.
pub(super) fn drop_field(dom: &Dom<'_>, parent: usize, key: &str, edits: &mut Vec<Edit>) -> bool {
    let Some(node) = dom.child(parent, key) else {
        return false;
    };
    edits.push(Edit {
        range: dom.node_lines(node),
        with: String::new(),
    });
    true
}

/// `valuesFile: x` -> the first entry of `valuesFiles` (v2beta1 merged it
/// before the others, so it goes first).
fn values_file(
    dom: &Dom<'_>,
    parent: usize,
    at: &str,
    edits: &mut Vec<Edit>,
) -> Result<Option<String>, String> {
    let Some(file) = dom.child(parent, "valuesFile") else {
        return Ok(None);
    };
    let (value, comment) = dom
        .raw_value(file)
        .ok_or_else(|| format!("{at}.valuesFile is not a one-line value; convert it by hand"))?;
    let node = &dom.nodes[file];
    let pad = " ".repeat(node.col);
    let comment = if comment.is_empty() {
        String::new()
    } else {
        format!(" {comment}")
    };
    let line = dom.line_range(node.line);
    if !dom.text[line.clone()].starts_with(&pad)
        || dom.text.as_bytes()[line.start + node.col] == b'-'
    {
        return Err(format!(
            "{at}.valuesFile does not start its own line; convert it by hand"
        ));
    }
    match dom.child(parent, "valuesFiles") {
        None => edits.push(Edit {
            range: line,
            with: format!("{pad}valuesFiles:\n{pad}  - {value}{comment}\n"),
        }),
        Some(files) => {
            let Some(first) = dom.items(files).next() else {
                return Err(format!(
                    "{at} has valuesFile and a valuesFiles that is not a block list; convert it by hand"
                ));
            };
            let item = &dom.nodes[first];
            let start = dom.line_range(item.line).start;
            edits.push(Edit {
                range: start..start,
                with: format!("{}- {value}{comment}\n", " ".repeat(item.col)),
            });
            edits.push(Edit {
                range: line,
                with: String::new(),
            });
        }
    }
    Ok(Some(format!("{at}.valuesFile -> {at}.valuesFiles")))
}

/// The converted document must parse, carry the target apiVersion, and agree
/// with the original everywhere the conversion does not touch.
pub(super) fn check(
    doc: &str,
    edits: &[Edit],
    kind: &str,
    target: &FluxApis,
) -> Result<(), String> {
    let new = dom::apply(doc, edits.to_vec()).ok_or("the edits overlap")?;
    let old: Value =
        serde_yaml::from_str(doc).map_err(|e| format!("the document does not parse: {e}"))?;
    let new: Value = serde_yaml::from_str(&new)
        .map_err(|e| format!("the converted document would not parse ({e})"))?;
    let api = |v: &Value| {
        v.get("apiVersion")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let (old_api, new_api) = (api(&old), api(&new));
    if old_api != new_api && new_api.as_deref() != target.version_for(kind) {
        return Err("the converted document has the wrong apiVersion".into());
    }
    let touched: &[&str] = &[
        "validation",
        "patchesStrategicMerge",
        "patchesJson6902",
        "patches",
        "gitImplementation",
        "valuesFile",
        "valuesFiles",
        "chart",
        "postRenderers",
    ];
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_mapping_mut() {
            m.remove("apiVersion");
            if let Some(spec) = m.get_mut("spec").and_then(Value::as_mapping_mut) {
                for k in touched {
                    spec.remove(*k);
                }
            }
            if let Some(meta) = m.get_mut("metadata").and_then(Value::as_mapping_mut) {
                for k in ["labels", "annotations"] {
                    // Quoting keeps the text of a value, not its YAML reading
                    // (`True` becomes "True"), so only the keys must agree.
                    if let Some(map) = meta.get_mut(k).and_then(Value::as_mapping_mut) {
                        for (_, value) in map.iter_mut() {
                            *value = Value::Null;
                        }
                    }
                }
            }
        }
        v
    };
    if strip(&old) != strip(&new) {
        return Err("the conversion would change more than it means to".into());
    }
    if old_api != new_api
        && let Some(field) = leftover(kind, &new)
    {
        return Err(format!(
            "{field} is not a field of the target version and sits where the migration does not edit (flow style?); convert it by hand"
        ));
    }
    Ok(())
}

/// A field the target version does not have, still in the converted object
/// (in a flow collection the edits did not reach).
fn leftover(kind: &str, new: &Value) -> Option<String> {
    let spec = new.get("spec")?;
    let (_, known) = V1_SPEC.iter().find(|(k, _)| *k == kind)?;
    if let Some(m) = spec.as_mapping() {
        for k in m.keys().filter_map(Value::as_str) {
            if !known.contains(&k) {
                return Some(format!("spec.{k}"));
            }
        }
    }
    if spec
        .get("chart")
        .and_then(|c| c.get("spec"))
        .and_then(|s| s.get("valuesFile"))
        .is_some()
    {
        return Some("spec.chart.spec.valuesFile".into());
    }
    let renderers = spec.get("postRenderers").and_then(Value::as_sequence);
    for r in renderers.into_iter().flatten() {
        let k = r.get("kustomize");
        for f in ["patchesStrategicMerge", "patchesJson6902"] {
            if k.and_then(|k| k.get(f)).is_some() {
                return Some(format!("spec.postRenderers[].kustomize.{f}"));
            }
        }
    }
    None
}
