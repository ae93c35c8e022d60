//! Before a push: would the cluster accept what Flux is about to apply? Each
//! object's kind and version must be served, and label and annotation values
//! must be strings. Pure: the caller reads the clone (`Tree::preflight_objects`) and
//! the cluster's discovery, and decides what counts as "will be served"
//! (an add-on whose chart brings the CRD).

use std::collections::{BTreeSet, HashSet};

use super::dom::Dom;
use super::labels::{self, NonStrings};
use crate::manifests::edit::mask;
use crate::manifests::yaml;
use crate::manifests::yaml::{Doc, Head};

/// One object Flux applies, as the preflight needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppliedObject {
    pub(crate) file: String,
    /// 1-based line of its document.
    pub(crate) line: usize,
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    /// Label and annotation values that are not strings: (1-based line, `labels.key: value`).
    pub(crate) non_strings: Vec<(usize, String)>,
}

/// An object whose kind and version the cluster does not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unserved {
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) name: String,
    /// The versions of the same group and kind that are served.
    pub(crate) served_instead: Vec<String>,
}

/// What the preflight found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Preflight {
    pub(crate) unserved: Vec<Unserved>,
    /// (file, 1-based line, what): a label or annotation value that is not a string.
    pub(crate) non_strings: Vec<(String, usize, String)>,
}

impl Preflight {
    // Only the tests ask: the push preflight reads the two lists.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn ok(&self) -> bool {
        self.unserved.is_empty() && self.non_strings.is_empty()
    }
}

/// Check `objects` against `served`, the `(apiVersion, kind)` pairs of the
/// cluster's discovery (`("v1", "ConfigMap")`, `("kustomize.toolkit.fluxcd.io/v1", "Kustomization")`).
pub(crate) fn preflight(
    objects: &[AppliedObject],
    served: &BTreeSet<(String, String)>,
) -> Preflight {
    let mut out = Preflight::default();
    // Looked up by reference: no two strings built per object.
    let served_ref: HashSet<(&str, &str)> = served
        .iter()
        .map(|(a, k)| (a.as_str(), k.as_str()))
        .collect();
    for o in objects {
        if !served_ref.contains(&(o.api_version.as_str(), o.kind.as_str())) {
            let group = group_of(&o.api_version);
            let served_instead = served
                .iter()
                .filter(|(a, k)| *k == o.kind && group_of(a) == group)
                .map(|(a, _)| a.clone())
                .collect();
            out.unserved.push(Unserved {
                file: o.file.clone(),
                line: o.line,
                api_version: o.api_version.clone(),
                kind: o.kind.clone(),
                name: o.name.clone(),
                served_instead,
            });
        }
        for (line, what) in &o.non_strings {
            out.non_strings.push((o.file.clone(), *line, what.clone()));
        }
    }
    out
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The object of a document of `rel` the fast reader read, with the label
/// and annotation values a [`NonStrings`] gathered in the same walk (the
/// tree's read tees one beside each document's head).
pub(crate) fn walked(
    rel: &str,
    doc: &Doc<'_>,
    head: &Head<'_>,
    sink: NonStrings<'_>,
) -> Option<AppliedObject> {
    object(rel, doc.content_line, head, described(doc, sink.found()))
}

fn object(
    rel: &str,
    line: usize,
    head: &Head<'_>,
    non_strings: Vec<(usize, String)>,
) -> Option<AppliedObject> {
    let (a, k) = head.gvk()?;
    Some(AppliedObject {
        file: rel.to_owned(),
        line,
        api_version: a.to_owned(),
        kind: k.to_owned(),
        name: head.name.as_deref().unwrap_or_default().to_owned(),
        non_strings,
    })
}

/// Each value, at its line in the file, as the preflight words it.
fn described(doc: &Doc<'_>, found: Vec<labels::NonString>) -> Vec<(usize, String)> {
    found
        .into_iter()
        .map(|n| {
            let what = format!(
                "{}.{}: {} is not a string; quote it",
                n.field, n.key, n.value
            );
            (doc.start_line + n.line, what)
        })
        .collect()
}

/// Every object of a file, read alone (the tree's read gathers them in its
/// walk when the fast reader reads every document).
pub(crate) fn objects_of(rel: &str, text: &str, out: &mut Vec<AppliedObject>) {
    let mut push = |line: usize, head: &Head<'_>, non_strings: Vec<(usize, String)>| {
        out.extend(object(rel, line, head, non_strings));
    };
    if rel.ends_with(".json") {
        let _ = yaml::read_json(text, &mut |m| push(m.line, &m.head, Vec::new()));
        return;
    }
    let Some(docs) = yaml::split_docs(text) else {
        let _ = yaml::read_yaml(text, &mut |m| push(m.line, &m.head, Vec::new()));
        return;
    };
    for doc in docs {
        // The values masked only when the document does not read as it is.
        let masked;
        let mut sink = NonStrings::new(doc.text);
        let read = match yaml::fast::head_and(doc.text, &mut sink) {
            Some(head) => Some((head, sink.found())),
            None => {
                masked = mask::mask(doc.text);
                Dom::parse_headed(&masked.text).map(|(dom, head)| (head, labels::non_strings(&dom)))
            }
        };
        match read.and_then(|(head, found)| Some((head?, found))) {
            Some((head, found)) => push(doc.content_line, &head, described(&doc, found)),
            None => {
                let _ = yaml::read_yaml(doc.text, &mut |m| {
                    push(doc.start_line + m.line - 1, &m.head, Vec::new())
                });
            }
        }
    }
}
