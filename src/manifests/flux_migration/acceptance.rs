//! Before a push: would the cluster accept what Flux is about to apply? Each
//! object's kind and version must be served, and label and annotation values
//! must be strings. Pure: the caller reads the clone ([`applied_objects`]) and
//! the cluster's discovery, and decides what counts as "will be served"
//! (an add-on whose chart brings the CRD).

use std::collections::BTreeSet;

use super::dom::Dom;
use super::labels;
use crate::manifests::edit::mask;
use crate::manifests::{Tree, yaml};

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
    for o in objects {
        if !served.contains(&(o.api_version.clone(), o.kind.clone())) {
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

/// Every object of the files Flux applies in `tree`, read on every core.
/// Files that do not parse are skipped (the scan reports them).
pub(crate) fn applied_objects(tree: &Tree) -> Vec<AppliedObject> {
    use rayon::prelude::*;
    let files: Vec<_> = tree.applied_files().collect();
    files
        .par_iter()
        .flat_map_iter(|f| {
            let mut out = Vec::new();
            objects_of(f.name, f.text, &mut out);
            out
        })
        .collect()
}

fn objects_of(rel: &str, text: &str, out: &mut Vec<AppliedObject>) {
    let mut push = |line: usize, head: &yaml::Head<'_>, non_strings: Vec<(usize, String)>| {
        if let Some((a, k)) = head.gvk() {
            out.push(AppliedObject {
                file: rel.to_owned(),
                line,
                api_version: a.to_owned(),
                kind: k.to_owned(),
                name: head.name.as_deref().unwrap_or_default().to_owned(),
                non_strings,
            });
        }
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
        // No `labels` or `annotations` key: its head is all there is to read.
        let text = doc.text.as_bytes();
        let metadata_maps = ["labels", "annotations"]
            .iter()
            .any(|k| memchr::memmem::find(text, k.as_bytes()).is_some());
        if !metadata_maps && let Some(head) = yaml::fast::head(doc.text) {
            push(doc.content_line, &head, Vec::new());
            continue;
        }
        // The values masked only when the document does not read as it is.
        let masked;
        let mut sink = labels::NonStrings::new(doc.text);
        let read = match yaml::fast::head_and(doc.text, &mut sink) {
            Some(head) => Some((head, sink.found())),
            None => {
                masked = mask::mask(doc.text);
                Dom::parse_headed(&masked.text).map(|(dom, head)| (head, labels::non_strings(&dom)))
            }
        };
        match read.and_then(|(head, found)| Some((head?, found))) {
            Some((head, found)) => {
                let non_strings = found
                    .into_iter()
                    .map(|n| {
                        let what = format!(
                            "{}.{}: {} is not a string; quote it",
                            n.field, n.key, n.value
                        );
                        (doc.start_line + n.line, what)
                    })
                    .collect();
                push(doc.content_line, &head, non_strings);
            }
            None => {
                let _ = yaml::read_yaml(doc.text, &mut |m| {
                    push(doc.start_line + m.line - 1, &m.head, Vec::new())
                });
            }
        }
    }
}
