//! `verify --fix`: rewrite manifests to the replacement API where the change is
//! mechanical, editing only the lines that change (comments, indentation and
//! everything else stay byte for byte), and say what could not be converted.

use super::edit::dom::{self, Dom};
use super::edit::mask;
use super::yaml::{self, Doc};
use crate::readiness::KubeVersion;
use crate::readiness::deprecations::{Entry, Table};

mod conversions;
mod whole_repo;

pub(crate) use whole_repo::fix_repo;

#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// The new text, when something changed.
    pub(crate) text: Option<String>,
    pub(crate) changed: Vec<String>,
    pub(crate) unconverted: Vec<(usize, String)>,
}

/// What a conversion makes of one document.
pub(crate) enum Plan {
    Edits(Vec<dom::Edit>, String),
    Unconverted(String),
}

pub(crate) fn fix_text(text: &str, json: bool, target: KubeVersion) -> Outcome {
    let mut out = Outcome::default();
    let table = Table::get();
    if json {
        let _ = yaml::read_json(text, &mut |m| {
            let entry = m.head.gvk().and_then(|(a, k)| table.lookup(a, k));
            if entry.is_some_and(|e| e.reported_at(target)) {
                out.unconverted
                    .push((m.line, "a JSON manifest: convert it by hand".into()));
            }
        });
        return out;
    }
    let Some(docs) = yaml::split_docs(text) else {
        return out; // directives: the scan reports its objects; nothing mechanical here
    };
    let mut edits = Vec::new();
    for doc in docs {
        let offset = doc.text.as_ptr() as usize - text.as_ptr() as usize;
        match plan_doc(&doc, target) {
            None => {}
            Some(Plan::Unconverted(why)) => out.unconverted.push((doc.content_line, why)),
            Some(Plan::Edits(doc_edits, what)) => {
                edits.extend(doc_edits.into_iter().map(|mut e| {
                    e.range = e.range.start + offset..e.range.end + offset;
                    e
                }));
                out.changed
                    .push(format!("line {}: {what}", doc.content_line));
            }
        }
    }
    if !edits.is_empty() {
        out.text = dom::apply(text, edits);
    }
    out
}

/// The plan for a document holding an object to convert; `None` when there is none.
fn plan_doc(doc: &Doc<'_>, target: KubeVersion) -> Option<Plan> {
    // Flow collections (`install: {}`, `verbs: ["*"]`) and `- --flag` entries:
    // the document converts as long as no line that must change is one. When
    // the fast reader declines the document, its tree is built with them hidden.
    let masked = mask::mask(doc.text);
    if let Some(dom) = Dom::parse(doc.text).or_else(|| Dom::parse(&masked.text)) {
        return plan_dom(doc, &dom, &masked, target);
    }
    let table = Table::get();
    // Not read by the fast reader: see whether it holds anything to convert.
    let mut hit = false;
    let _ = yaml::read_yaml(doc.text, &mut |m| {
        hit |= m
            .head
            .gvk()
            .and_then(|(a, k)| table.lookup(a, k))
            .is_some_and(|e| e.reported_at(target));
    });
    let why = "not block-style YAML the fixer can edit (a flow-style document, anchors, tags, multi-line quoted scalars, a List or the like): convert it by hand";
    hit.then(|| Plan::Unconverted(why.into()))
}

/// [`plan_doc`] on the document's tree (built from its text or its masked
/// text, which has the same offsets).
fn plan_dom(
    doc: &Doc<'_>,
    dom: &Dom<'_>,
    masked: &mask::Masked,
    target: KubeVersion,
) -> Option<Plan> {
    let table = Table::get();
    let head = yaml::fast::head(dom.text)?;
    let (api_version, kind) = head.gvk()?;
    let entry = table
        .lookup(api_version, kind)
        .filter(|e| e.reported_at(target))?;
    let name = head.name.as_deref().unwrap_or_default();
    let plan = match plan_entry(dom, entry, target) {
        Plan::Edits(edits, what) => match refused_line(doc, masked, &edits) {
            Some(why) => Plan::Unconverted(why),
            None => {
                let what = format!("{kind} {name}: {what}");
                check(doc.text, &edits, entry).map_or(Plan::Edits(edits, what), Plan::Unconverted)
            }
        },
        unconverted => unconverted,
    };
    Some(plan)
}

/// Why the edits cannot be made: one touches a masked line (named).
pub(crate) fn refused_line(
    doc: &Doc<'_>,
    masked: &mask::Masked,
    edits: &[dom::Edit],
) -> Option<String> {
    let span = edits.iter().find_map(|e| masked.touched(&e.range))?;
    let line = doc.text.lines().nth(span.line).unwrap_or_default().trim();
    Some(format!(
        "line {} must change but is flow style (or a `- -` entry), which the fixer does not edit: `{line}`; convert it by hand",
        doc.start_line + span.line
    ))
}

fn plan_entry(dom: &Dom<'_>, entry: &Entry, target: KubeVersion) -> Plan {
    if !entry.is_kubernetes() {
        return Plan::Unconverted(match entry.project {
            "flux" => "a Flux API: fields changed between its versions; `flux migrate` or the Flux upgrade notes convert it",
            "cert-manager" => "a cert-manager API: `cmctl convert` converts it (cert-manager's \"Migrating Deprecated API Resources\")",
            "istio" => "an Istio alpha security API: its replacement has a different schema; see Istio's \"Migrate pre-Istio 1.4 Alpha security policy\"",
            _ => "a Karpenter API: its replacement has a different schema; see Karpenter's upgrade guide",
        }
        .into());
    }
    let Some(replacement) = &entry.replacement else {
        return Plan::Unconverted(format!(
            "{} has no replacement API (use Pod Security Admission instead)",
            entry.kind
        ));
    };
    if replacement.available_in > target.prev_minor().0 {
        return Plan::Unconverted(format!(
            "{} is only served from {}; a cluster on {} would reject it, so convert it after that upgrade",
            replacement.api_version,
            replacement.available_in,
            target.prev_minor()
        ));
    }
    conversions::plan(dom, entry, &replacement.api_version)
}

/// The converted document must still parse and carry the new apiVersion;
/// `Some(why)` if not (which would be a bug here, so nothing is written).
fn check(doc: &str, edits: &[dom::Edit], entry: &Entry) -> Option<String> {
    let Some(new) = dom::apply(doc, edits.to_vec()) else {
        return Some("the conversion's edits overlap; convert it by hand".into());
    };
    let expected = entry.replacement.as_ref().map(|r| r.api_version.as_str());
    match serde_yaml::from_str::<serde_yaml::Value>(&new) {
        Ok(v) if yaml::head_of(&v).api_version.as_deref() == expected => None,
        _ => Some("the conversion did not give a valid document; convert it by hand".into()),
    }
}

#[cfg(test)]
mod tests;
