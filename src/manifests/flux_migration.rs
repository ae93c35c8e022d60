//! Migrating Flux objects to the API versions a cluster's Flux serves, as
//! pure functions over a file's bytes: the `migrate` step calls them.
//!
//! - Kustomization `kustomize.toolkit.fluxcd.io/v1beta1`/`v1beta2` to `v1`:
//!   `validation` dropped, `patchesStrategicMerge`/`patchesJson6902` become
//!   `patches` entries.
//! - HelmRelease `helm.toolkit.fluxcd.io/v2beta1`/`v2beta2` to `v2`:
//!   `chart.spec.valuesFile` joins `valuesFiles`, post-renderer patches as above.
//! - `source.toolkit.fluxcd.io` `v1beta1`/`v1beta2` to `v1` (GitRepository,
//!   HelmRepository, HelmChart, Bucket, OCIRepository): GitRepository's
//!   ignored `gitImplementation` dropped, HelmChart's `valuesFile` as above.
//! - In every object, label and annotation values that YAML reads as
//!   something other than a string (`true`, `3`) are quoted.
//!
//! Only the lines that change are rewritten; a second run changes nothing.
//! Where only `apiVersion` changes the output is what `flux migrate -f`
//! writes. Fields the target version does not have, and Karpenter's alpha
//! APIs, are reported, never guessed at. Sources: each controller's CRDs
//! (`config/crd/bases/`) and the `docs/spec/<version>` pages of
//! fluxcd/kustomize-controller v1.9.5, helm-controller v1.6.4 and
//! source-controller v1.9.5.

use super::edit::dom::{self, Dom, Edit};
use super::edit::mask;
use super::yaml::{self, Doc};

mod acceptance;
mod kinds;
mod labels;
mod patches;
mod target;

pub(crate) use acceptance::{AppliedObject, objects_of, preflight, walked};
pub(crate) use labels::NonStrings;
pub(crate) use target::flux_apis;

/// The apiVersion the target Flux serves for each Flux kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FluxApis {
    /// `(kind, apiVersion)`, e.g. `("Kustomization", "kustomize.toolkit.fluxcd.io/v1")`.
    pub(crate) served: Vec<(String, String)>,
}

impl FluxApis {
    /// What today's Flux serves (kustomize-controller 1.9, helm-controller 1.6,
    /// source-controller 1.9: one version per CRD).
    pub(crate) fn current() -> FluxApis {
        let served = [
            ("Kustomization", "kustomize.toolkit.fluxcd.io/v1"),
            ("HelmRelease", "helm.toolkit.fluxcd.io/v2"),
            ("GitRepository", "source.toolkit.fluxcd.io/v1"),
            ("HelmRepository", "source.toolkit.fluxcd.io/v1"),
            ("HelmChart", "source.toolkit.fluxcd.io/v1"),
            ("Bucket", "source.toolkit.fluxcd.io/v1"),
            ("OCIRepository", "source.toolkit.fluxcd.io/v1"),
        ];
        FluxApis {
            served: served
                .iter()
                .map(|(k, a)| ((*k).to_owned(), (*a).to_owned()))
                .collect(),
        }
    }

    pub(crate) fn version_for(&self, kind: &str) -> Option<&str> {
        self.served
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, a)| a.as_str())
    }
}

/// One change (or one thing left alone, and why), at a 1-based line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) line: usize,
    pub(crate) what: String,
}

/// What [`migrate`] makes of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Migrated {
    /// The new bytes; equal to the input when nothing changed.
    pub(crate) bytes: Vec<u8>,
    pub(crate) changes: Vec<Change>,
    /// Objects that need a change the migration cannot make.
    pub(crate) unconverted: Vec<Change>,
}

impl Migrated {
    pub(crate) fn changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// Migrate one manifest file (`path` is only used to tell JSON from YAML).
/// Never fails: what it cannot convert is in `unconverted`, and the bytes of
/// such objects are left as they are.
pub(crate) fn migrate(path: &str, bytes: &[u8], target: &FluxApis) -> Migrated {
    let mut out = Migrated {
        bytes: bytes.to_vec(),
        ..Migrated::default()
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return out; // the scan reports it
    };
    if text.contains("\r\n") {
        return migrate_crlf(path, text, target, out);
    }
    if path.ends_with(".json") {
        let _ = yaml::read_json(text, &mut |m| {
            if let Some((a, k)) = m.head.gvk()
                && kinds::outdated(a, k, target).is_some()
            {
                out.unconverted.push(Change {
                    line: m.line,
                    what: format!("{k} {a} in a JSON manifest: convert it by hand"),
                });
            }
        });
        return out;
    }
    let Some(docs) = yaml::split_docs(text) else {
        return out; // directives: not edited
    };
    let mut edits = Vec::new();
    for doc in docs {
        let offset = doc.text.as_ptr() as usize - text.as_ptr() as usize;
        let planned = plan_doc(&doc, target);
        out.unconverted.extend(planned.unconverted);
        if planned.edits.is_empty() {
            continue;
        }
        out.changes.extend(planned.changes);
        edits.extend(planned.edits.into_iter().map(|mut e| {
            e.range = e.range.start + offset..e.range.end + offset;
            e
        }));
    }
    if !edits.is_empty() {
        match dom::apply(text, edits) {
            Some(new) => out.bytes = new.into_bytes(),
            None => {
                // A bug here, not the user's: write nothing.
                out.unconverted.push(Change {
                    line: 1,
                    what: "the migration's edits overlap; nothing was changed".into(),
                });
                out.changes.clear();
            }
        }
    }
    out
}

/// A file with CRLF line endings (Windows editors, `core.autocrlf`): the
/// edits are planned on its LF text, whose lines are the same, and the
/// result gets its CRLFs back. Mixed endings leave no one right ending for
/// the lines the migration adds: reported, not guessed.
fn migrate_crlf(path: &str, text: &str, target: &FluxApis, mut out: Migrated) -> Migrated {
    let lf = text.replace("\r\n", "\n");
    let mut migrated = migrate(path, lf.as_bytes(), target);
    if !migrated.changed() {
        migrated.bytes = out.bytes;
        return migrated;
    }
    if text.matches("\r\n").count() != text.matches('\n').count() {
        out.unconverted.extend(migrated.unconverted);
        out.unconverted.push(Change {
            line: migrated.changes[0].line,
            what: "the file mixes CRLF and LF line endings, so the migration does not edit it: give it one kind (e.g. `dos2unix`), then run the command again".into(),
        });
        return out;
    }
    let new = String::from_utf8_lossy(&migrated.bytes).replace('\n', "\r\n");
    migrated.bytes = new.into_bytes();
    migrated
}

/// The edits for one document.
#[derive(Default)]
struct DocPlan {
    edits: Vec<Edit>,
    changes: Vec<Change>,
    unconverted: Vec<Change>,
}

fn plan_doc(doc: &Doc<'_>, target: &FluxApis) -> DocPlan {
    let mut plan = DocPlan::default();
    let line = |l: usize| doc.start_line + l;
    // Flow-style lines never change (see `edit::mask`); the tree is built with
    // them hidden when the fast reader declines the document.
    let masked = mask::mask(doc.text);
    if let Some(dom) = Dom::parse(doc.text).or_else(|| Dom::parse(&masked.text)) {
        return plan_dom(doc, &dom, &masked, target);
    }
    // Neither: a Flux object in it is reported, the rest left to the scan.
    let _ = yaml::read_yaml(doc.text, &mut |m| {
        if let Some((a, k)) = m.head.gvk()
            && kinds::outdated(a, k, target).is_some()
        {
            plan.unconverted.push(Change {
                line: line(m.line - 1),
                what: format!(
                    "{k} {a}: not block-style YAML the migration can edit (a flow-style document, anchors, tags or the like); convert it by hand"
                ),
            });
        }
    });
    plan
}

fn plan_dom(doc: &Doc<'_>, dom: &Dom<'_>, masked: &mask::Masked, target: &FluxApis) -> DocPlan {
    let mut plan = DocPlan::default();
    let Some((api_version, kind, name)) = identity(doc, dom) else {
        return plan;
    };
    let (api_version, kind) = (api_version.as_str(), kind.as_str());
    let at = doc.start_line + dom.root("apiVersion").map_or(0, |n| dom.nodes[n].line);
    let mut edits = Vec::new();
    let mut notes = Vec::new();
    match kinds::convert(dom, api_version, kind, target) {
        kinds::Outcome::Unchanged => {}
        kinds::Outcome::Converted(e, n) => {
            edits.extend(e);
            notes.extend(n);
        }
        kinds::Outcome::Unconverted(why) => plan.unconverted.push(Change {
            line: at,
            what: format!("{kind} {name}: {}", unmasked(doc, dom, masked, why)),
        }),
    }
    let (label_edits, label_notes) = labels::quote_values(dom);
    edits.extend(label_edits);
    notes.extend(label_notes);
    if edits.is_empty() {
        return plan;
    }
    if let Some(why) = refused(doc, masked, &edits) {
        plan.unconverted.push(Change {
            line: at,
            what: format!("{kind} {name}: {why}"),
        });
        return plan;
    }
    if let Err(why) = kinds::check(doc.text, &edits, kind, target) {
        plan.unconverted.push(Change {
            line: at,
            what: format!("{kind} {name}: {why}; nothing was changed"),
        });
        return plan;
    }
    plan.changes.push(Change {
        line: at,
        what: format!("{kind} {name}: {}", notes.join("; ")),
    });
    plan.edits = edits;
    plan
}

/// apiVersion, kind and name: from the fast reader, or from serde_yaml when
/// the fast reader declines the head (`metadata: {name: x}`).
fn identity(doc: &Doc<'_>, dom: &Dom<'_>) -> Option<(String, String, String)> {
    let own = |h: &yaml::Head<'_>| {
        let (a, k) = h.gvk()?;
        Some((
            a.to_owned(),
            k.to_owned(),
            h.name.as_deref().unwrap_or_default().to_owned(),
        ))
    };
    match yaml::fast::head(dom.text) {
        Some(head) => own(&head),
        None => own(&yaml::head_of(&serde_yaml::from_str(doc.text).ok()?)),
    }
}

/// A message quoting a line of the masked text, with the line as written.
fn unmasked(doc: &Doc<'_>, dom: &Dom<'_>, masked: &mask::Masked, mut why: String) -> String {
    if dom.text == doc.text {
        return why;
    }
    for span in &masked.spans {
        let (hidden, real) = (
            masked
                .text
                .lines()
                .nth(span.line)
                .unwrap_or_default()
                .trim(),
            doc.text.lines().nth(span.line).unwrap_or_default().trim(),
        );
        if !hidden.is_empty() {
            why = why.replace(hidden, real);
        }
    }
    why
}

/// An edit that touches a masked (flow-style) line: the line, named.
fn refused(doc: &Doc<'_>, masked: &mask::Masked, edits: &[Edit]) -> Option<String> {
    let span = edits.iter().find_map(|e| masked.touched(&e.range))?;
    let text = doc.text.lines().nth(span.line).unwrap_or_default().trim();
    Some(format!(
        "line {} must change but is flow style (or a `- -` entry), which the migration does not edit: `{text}`; convert it by hand",
        doc.start_line + span.line
    ))
}

#[cfg(test)]
mod tests;
