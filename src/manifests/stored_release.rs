//! Helm 3 releases as Helm stores them: the `release` key of Secret
//! `sh.helm.release.v1.<name>.v<revision>` holds the release as JSON, gzipped,
//! then base64-encoded (on top of the base64 the API shows Secret data in).
//! Read one, find the objects of its manifest whose API the target removes,
//! and rewrite those objects' `apiVersion` to the replacement, as
//! `helm mapkubeapis` does, so the next `helm upgrade` can build the objects
//! of the current release again.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::Value;

use super::yaml::{self, Doc};
use crate::readiness::deprecations::{Entry, Table};
use crate::readiness::{Finding, KubeVersion};

/// The first bytes of a gzip stream (with deflate); releases stored before
/// Helm compressed them lack it and are plain JSON.
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// A decoded release. Every field not read here is kept as it was.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) revision: u64,
    /// `info.status`: deployed, failed, superseded, pending-upgrade…
    pub(crate) status: String,
    /// The rendered objects, a multi-document YAML stream.
    pub(crate) manifest: String,
    json: Value,
}

/// Decode Helm's stored value (the Secret's `data.release` once the API's
/// base64 is undone): base64, then gunzip when it starts as gzip, then JSON.
pub(crate) fn decode(stored: &[u8]) -> Result<Release, String> {
    let text: Vec<u8> = stored
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("not base64: {e}"))?;
    let json = if bytes.len() > GZIP_MAGIC.len() && bytes.starts_with(&GZIP_MAGIC) {
        let mut out = Vec::new();
        GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| format!("not gzip: {e}"))?;
        out
    } else {
        bytes
    };
    let json: Value = serde_json::from_slice(&json).map_err(|e| format!("not JSON: {e}"))?;
    let text = |pointer: &str| {
        json.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if !json.is_object() {
        return Err("not a release: the JSON is not an object".into());
    }
    Ok(Release {
        name: text("/name"),
        namespace: text("/namespace"),
        revision: json.get("version").and_then(Value::as_u64).unwrap_or(0),
        status: text("/info/status"),
        manifest: text("/manifest"),
        json,
    })
}

impl Release {
    /// The same release with another manifest.
    pub(crate) fn with_manifest(&self, manifest: &str) -> Release {
        let mut json = self.json.clone();
        json["manifest"] = Value::String(manifest.to_string());
        Release {
            manifest: manifest.to_string(),
            json,
            ..self.clone()
        }
    }

    /// Encoded as Helm stores it: JSON, gzip at best compression, base64.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let json = serde_json::to_vec(&self.json).expect("a JSON value serializes");
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&json).expect("gzip into memory");
        let bytes = gz.finish().expect("gzip into memory");
        STANDARD.encode(bytes).into_bytes()
    }
}

/// What `--fix-helm-releases` does with an object whose API the target removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fix {
    /// Its `apiVersion` becomes this one.
    Rewrite(String),
    /// No API replaces it: it leaves the stored manifest (as mapkubeapis does).
    Drop,
    /// Left alone, for this reason.
    Manual(String),
}

/// One object of a release's manifest using a deprecated or removed API.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// `file` is empty, `line` is the line in the manifest, `source` is `helm`.
    pub(crate) finding: Finding,
    /// `None` unless the target removes the API.
    pub(crate) fix: Option<Fix>,
}

/// The objects of `manifest` whose API is deprecated or removed at `target`.
pub(crate) fn scan(manifest: &str, target: KubeVersion) -> Vec<Hit> {
    let table = Table::get();
    let mut hits = Vec::new();
    // A document that does not parse: Helm could not build it either, and
    // the release's own status says so; nothing for this scan.
    let _ = yaml::read_yaml(manifest, &mut |m| {
        let Some((api_version, kind)) = m.head.gvk() else {
            return;
        };
        let Some(entry) = table
            .lookup(api_version, kind)
            .filter(|e| e.reported_at(target))
        else {
            return;
        };
        let name = m.head.name.as_deref().unwrap_or_default();
        let namespace = m.head.namespace.as_deref().unwrap_or_default();
        let finding = crate::readiness::finding::make_finding(
            "",
            m.line,
            kind,
            namespace,
            name,
            api_version,
            entry,
            target,
            true,
            "helm",
        );
        let fix = entry.removed_at(target).then(|| fix_for(entry, target));
        hits.push(Hit { finding, fix });
    });
    hits
}

fn fix_for(entry: &Entry, target: KubeVersion) -> Fix {
    let Some(replacement) = Table::get().replacement_at(entry, target) else {
        return Fix::Drop;
    };
    if replacement.kind != entry.kind {
        return Fix::Manual(format!(
            "its replacement is another kind ({} {}): upgrade the chart",
            replacement.api_version, replacement.kind
        ));
    }
    // The cluster runs the version before the target at the latest; the
    // rewritten manifest must build there now.
    if replacement.available_in > target.prev_minor().0 {
        return Fix::Manual(format!(
            "{} is only served from {}: upgrade the chart after that upgrade",
            replacement.api_version, replacement.available_in
        ));
    }
    Fix::Rewrite(replacement.api_version)
}

/// `manifest` with each object whose API the target removes rewritten to
/// the replacement's `apiVersion` (that line alone) or, without a
/// replacement, dropped; `None` when nothing changes.
pub(crate) fn rewrite(manifest: &str, target: KubeVersion) -> Option<String> {
    let docs = yaml::split_docs(manifest)?;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for doc in &docs {
        let offset = doc.text.as_ptr() as usize - manifest.as_ptr() as usize;
        let Some((api_version, fix)) = doc_fix(doc, target) else {
            continue;
        };
        match fix {
            Fix::Rewrite(new) => {
                if let Some(range) = api_version_value(doc.text, &api_version) {
                    edits.push((range.start + offset..range.end + offset, new));
                }
            }
            Fix::Drop => edits.push((offset..offset + doc.text.len(), String::new())),
            Fix::Manual(_) => {}
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = manifest.to_string();
    for (range, text) in edits.into_iter().rev() {
        out.replace_range(range, &text);
    }
    Some(out)
}

/// The document's apiVersion and what to do with it, when the target removes it.
fn doc_fix(doc: &Doc<'_>, target: KubeVersion) -> Option<(String, Fix)> {
    let table = Table::get();
    let owned;
    let head = match yaml::fast::head(doc.text) {
        Some(head) => head,
        None => {
            owned = yaml::parse_doc(doc).ok()?;
            yaml::head_of(&owned)
        }
    };
    let (api_version, kind) = head.gvk()?;
    let entry = table
        .lookup(api_version, kind)
        .filter(|e| e.removed_at(target))?;
    Some((api_version.to_string(), fix_for(entry, target)))
}

/// Where the value of the document's top-level `apiVersion: <old>` line is
/// (quotes and comments excluded); `None` when it is not written that way.
fn api_version_value(doc: &str, old: &str) -> Option<std::ops::Range<usize>> {
    let mut pos = 0;
    for line in doc.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("apiVersion:") {
            let value = rest.trim_start();
            let quoted = value.starts_with(['"', '\'']);
            let unquoted = if quoted { &value[1..] } else { value };
            let after = unquoted.strip_prefix(old)?;
            let ends = match after.chars().next() {
                None => true,
                Some(c) if quoted => c == value.as_bytes()[0] as char,
                Some(c) => c.is_whitespace(),
            };
            if !ends {
                return None;
            }
            let at = pos + (line.len() - unquoted.len());
            return Some(at..at + old.len());
        }
        pos += line.len();
    }
    None
}

#[cfg(test)]
#[path = "stored_release_tests.rs"]
mod tests;
