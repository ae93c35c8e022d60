//! Label and annotation values must be strings: the API server refuses
//! `self-managed-add-on: true` ("true is of the type bool, expected string"),
//! and with it the whole Kustomization that applies the object. Quoting the
//! value as written (`"true"`) is what was meant.

use super::dom::{Dom, Edit};
use crate::manifests::yaml::fast::Scalar;

/// A label or annotation whose value YAML does not read as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NonString {
    /// 0-based line in the document.
    pub(crate) line: usize,
    /// `labels` or `annotations`.
    pub(crate) field: &'static str,
    pub(crate) key: String,
    /// The value as written.
    pub(crate) value: String,
}

/// Where object metadata sits besides the top: pod templates (Deployment,
/// StatefulSet, DaemonSet, ReplicaSet, Job) and a CronJob's job template
/// and its pod template. The API server decodes each into a typed
/// `ObjectMeta`, so their label values must be strings too.
const NESTED: &[&[&str]] = &[
    &["spec", "template", "metadata"],
    &["spec", "jobTemplate", "metadata"],
    &["spec", "jobTemplate", "spec", "template", "metadata"],
];

/// The metadata maps of a document: the top one, then the nested ones.
fn metadata_maps(dom: &Dom<'_>) -> Vec<usize> {
    let mut out: Vec<usize> = dom.root("metadata").into_iter().collect();
    for path in NESTED {
        let mut node = dom.root(path[0]);
        for key in &path[1..] {
            node = node.and_then(|n| dom.child(n, key));
        }
        out.extend(node);
    }
    out
}

/// The non-string values of `metadata.labels` and `metadata.annotations`,
/// at the top and in templates.
pub(crate) fn non_strings(dom: &Dom<'_>) -> Vec<NonString> {
    let mut out = Vec::new();
    for meta in metadata_maps(dom) {
        non_strings_in(dom, meta, &mut out);
    }
    out
}

fn non_strings_in(dom: &Dom<'_>, meta: usize, out: &mut Vec<NonString>) {
    for field in ["labels", "annotations"] {
        let Some(map) = dom.child(meta, field) else {
            continue;
        };
        for &entry in &dom.nodes[map].children {
            let node = &dom.nodes[entry];
            let Some(key) = node.key else { continue };
            let value = match node.value {
                Scalar::Str(_) | Scalar::Cooked | Scalar::Block => continue,
                Scalar::MaybeNumber(text) => {
                    match serde_yaml::from_str::<serde_yaml::Value>(text) {
                        Ok(serde_yaml::Value::String(_)) => continue,
                        _ => text.to_owned(),
                    }
                }
                Scalar::Other | Scalar::FlowMap => match value_text(dom, entry) {
                    Some(text) => text.to_owned(),
                    None => continue,
                },
            };
            out.push(NonString {
                line: node.line,
                field,
                key: key.to_owned(),
                value,
            });
        }
    }
}

/// Quote each non-string value, as written.
pub(super) fn quote_values(dom: &Dom<'_>) -> (Vec<Edit>, Vec<String>) {
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    for v in non_strings(dom) {
        let Some(range) = value_range(dom, v.line, &v.value) else {
            continue;
        };
        if v.value.starts_with(['[', '{']) || v.value == "~" || v.value == "null" {
            continue; // not a value anyone meant as a string: left to the preflight
        }
        edits.push(Edit {
            range,
            with: format!("\"{}\"", v.value),
        });
        notes.push(format!(
            "quoted {} `{}: {}`",
            &v.field[..v.field.len() - 1],
            v.key,
            v.value
        ));
    }
    (edits, notes)
}

/// The text after `key:` on an entry's line, before any comment.
fn value_text<'a>(dom: &Dom<'a>, entry: usize) -> Option<&'a str> {
    let node = &dom.nodes[entry];
    let range = dom.line_range(node.line);
    let line: &'a str = &dom.text[range.clone()];
    let key_end = dom.span(node.key?).end - range.start;
    let rest = &line[key_end..];
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(rest);
    let rest = rest.strip_prefix(':')?;
    let rest = rest.split(" #").next().unwrap_or(rest);
    let text = rest.trim();
    (!text.is_empty()).then_some(text)
}

/// Bytes of `value` on `line`, after its key.
fn value_range(dom: &Dom<'_>, line: usize, value: &str) -> Option<std::ops::Range<usize>> {
    let range = dom.line_range(line);
    let text = &dom.text[range.clone()];
    let colon = text.find(':')?;
    let at = text[colon..].find(value)? + colon;
    Some(range.start + at..range.start + at + value.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_labels_count_too() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n  labels:\n    top: true\nspec:\n  template:\n    metadata:\n      labels:\n        pod: 1\n        ok: \"yes\"\n";
        let dom = Dom::parse(text).unwrap();
        let found: Vec<(usize, String)> = non_strings(&dom)
            .into_iter()
            .map(|n| (n.line, n.key))
            .collect();
        assert_eq!(found, [(5, "top".to_string()), (10, "pod".to_string())]);
        let cron = "kind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          annotations:\n            n: 2\n";
        let dom = Dom::parse(cron).unwrap();
        assert_eq!(non_strings(&dom).len(), 1);
    }
}
