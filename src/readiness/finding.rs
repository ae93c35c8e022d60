//! A finding: an object whose API the deprecation table lists, with what the
//! table says of that API at the target version (its replacement, when it
//! was deprecated and removed). Where the object was read — a manifest of the
//! repository, a live object, a Helm release's manifest — is the caller's.

use super::deprecations::{Entry, Table};
use super::report::Finding;
use super::version::KubeVersion;

#[allow(clippy::too_many_arguments)]
pub(crate) fn make_finding(
    file: &str,
    line: usize,
    kind: &str,
    namespace: &str,
    name: &str,
    api_version: &str,
    entry: &Entry,
    target: KubeVersion,
    reachable: bool,
    source: &'static str,
) -> Finding {
    let replacement = Table::get().replacement_at(entry, target);
    let (replacement, replacement_kind, replacement_since) = match replacement {
        Some(r) => {
            let kind = if r.kind == kind {
                String::new()
            } else {
                r.kind
            };
            (r.api_version, kind, entry.version_label(r.available_in))
        }
        None => Default::default(),
    };
    Finding {
        file: file.to_owned(),
        line,
        kind: kind.to_owned(),
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        api_version: api_version.to_owned(),
        replacement,
        deprecated_in: entry.version_label(entry.deprecated_in),
        removed_in: entry.version_label(entry.removed_in),
        removed_in_target: entry.removed_at(target),
        reachable,
        source,
        kustomization: String::new(),
        replacement_kind,
        replacement_since,
    }
}
