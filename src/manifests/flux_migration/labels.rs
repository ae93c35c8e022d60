//! Label and annotation values must be strings: the API server refuses
//! `self-managed-add-on: true` ("true is of the type bool, expected string"),
//! and with it the whole Kustomization that applies the object. Quoting the
//! value as written (`"true"`) is what was meant.

use super::dom::{Dom, Edit};
use crate::manifests::yaml::fast::{Scalar, Sink};

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

/// The same values as [`non_strings`], gathered as the fast reader walks
/// the document (no tree is built): a [`Sink`] to tee beside another.
pub(crate) struct NonStrings<'a> {
    text: &'a str,
    /// The key (or `None`, a sequence entry) at each depth above the event.
    path: Vec<Option<&'a str>>,
    /// Each with its metadata map's and field's rank, to list them in
    /// [`non_strings`]'s order.
    found: Vec<(usize, usize, NonString)>,
}

impl<'a> NonStrings<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        NonStrings {
            text,
            path: Vec::new(),
            found: Vec::new(),
        }
    }

    /// What was found, in [`non_strings`]'s order.
    pub(crate) fn found(mut self) -> Vec<NonString> {
        self.found
            .sort_by_key(|(map, field, n)| (*map, *field, n.line));
        self.found.into_iter().map(|(_, _, n)| n).collect()
    }

    /// The metadata map's and field's rank when the path above is one of
    /// theirs (`metadata.labels`, `spec.template.metadata.annotations`, ...).
    fn place(&self) -> Option<(usize, usize, &'static str)> {
        let (field, meta) = self.path.split_last()?;
        let (rank, field) = match field {
            Some("labels") => (0, "labels"),
            Some("annotations") => (1, "annotations"),
            _ => return None,
        };
        let is = |keys: &[&str]| {
            meta.len() == keys.len() && meta.iter().zip(keys).all(|(m, k)| *m == Some(*k))
        };
        let map = std::iter::once(&["metadata"][..])
            .chain(NESTED.iter().copied())
            .position(is)?;
        Some((map, rank, field))
    }
}

impl<'a> Sink<'a> for NonStrings<'a> {
    fn key(&mut self, depth: usize, line: usize, _: usize, key: &'a str, value: &Scalar<'a>) {
        self.path.truncate(depth);
        if self.path.len() == depth
            && let Some((map, rank, field)) = self.place()
            && let Some(value) = non_string(self.text, key, value)
        {
            let n = NonString {
                line,
                field,
                key: key.to_owned(),
                value,
            };
            self.found.push((map, rank, n));
        }
        self.path.push(Some(key));
    }

    fn item(&mut self, depth: usize, _: usize, _: usize, _: &Scalar<'a>) {
        self.path.truncate(depth);
        self.path.push(None);
    }
}

/// `value` as written, when YAML does not read it as a string; `key` is a
/// slice of `text`, on the value's line.
fn non_string(text: &str, key: &str, value: &Scalar<'_>) -> Option<String> {
    match value {
        Scalar::Str(_) | Scalar::Cooked | Scalar::Block => None,
        Scalar::MaybeNumber(text) => match serde_yaml::from_str::<serde_yaml::Value>(text) {
            Ok(serde_yaml::Value::String(_)) => None,
            _ => Some((*text).to_owned()),
        },
        Scalar::Other | Scalar::FlowMap => {
            let key_end = key.as_ptr() as usize - text.as_ptr() as usize + key.len();
            let rest = &text[key_end..];
            let line = rest.split('\n').next().unwrap_or(rest);
            after_key(line).map(str::to_owned)
        }
    }
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
            if let Some(value) = non_string(dom.text, key, &node.value) {
                out.push(NonString {
                    line: node.line,
                    field,
                    key: key.to_owned(),
                    value,
                });
            }
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

/// What follows a key on its line (from the key's end): the value, before
/// any comment.
fn after_key(rest: &str) -> Option<&str> {
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

    /// The walk's values, or `None` when the reader declines the document.
    fn walked(text: &str) -> Option<Vec<NonString>> {
        let mut sink = NonStrings::new(text);
        crate::manifests::yaml::fast::walk(text, &mut sink)?;
        Some(sink.found())
    }

    #[test]
    fn the_walk_finds_what_the_tree_finds() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  annotations:\n    a: [1] # c\n    b: {x: 1}\n    s: \"1\"\n  labels:\n    top: true\n    n: 0x1F\nspec:\n  template:\n    metadata:\n      labels:\n        pod: 1\n";
        let dom = Dom::parse(text).unwrap();
        assert_eq!(walked(text), Some(non_strings(&dom)));
        assert_eq!(non_strings(&dom).len(), 5);
    }

    use crate::manifests::yaml::proptests::{cases, document, mutate, root};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

        /// At the top, in a pod template, and broken the ways people break
        /// YAML: the walk and the tree agree.
        #[test]
        fn the_walk_agrees_with_the_tree(
            root in root(),
            style in prop::collection::vec(any::<u8>(), 1..16),
            nested in any::<bool>(),
            at in any::<usize>(),
            how in any::<u8>(),
            ch in prop::sample::select(&[' ', ':', '-', '"', '#', 'x'][..]),
        ) {
            let doc = document(&root, style);
            let doc = if nested {
                let inner: String = doc.lines().map(|l| format!("    {l}\n")).collect();
                format!("kind: Deployment\nspec:\n  template:\n{inner}")
            } else {
                doc
            };
            for text in [doc.clone(), mutate(&doc, at, how, ch)] {
                let tree = Dom::parse(&text).map(|d| non_strings(&d));
                prop_assert_eq!(walked(&text), tree);
            }
        }
    }
}
