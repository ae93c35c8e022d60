//! The objects Flux applies from the repository, each with the file and
//! line it comes from: what checks on the objects themselves (not their
//! APIs) read. A document that does not parse is the scan's problem, not
//! ours: it is left out here.

use std::path::Path;

use serde_yaml::Value;

use super::yaml::{parse_doc, split_docs};
use crate::error::Result;

/// One object of a file Flux applies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RepoObject {
    pub(crate) file: String,
    /// The line its document's content starts on.
    pub(crate) line: usize,
    pub(crate) value: Value,
}

impl RepoObject {
    pub(crate) fn kind(&self) -> &str {
        self.str_at(&["kind"]).unwrap_or_default()
    }

    pub(crate) fn name(&self) -> &str {
        self.str_at(&["metadata", "name"]).unwrap_or_default()
    }

    /// Its namespace, `default` when the manifest names none.
    pub(crate) fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"]).unwrap_or("default")
    }

    /// The value at `path`, if there.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Value> {
        let mut v = &self.value;
        for key in path {
            v = v.get(*key)?;
        }
        Some(v)
    }

    pub(crate) fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)?.as_str()
    }

    /// `file:line`.
    pub(crate) fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Every object in the YAML files Flux applies from `cluster_path`.
pub(crate) fn applied_objects(root: &Path, cluster_path: &str) -> Result<Vec<RepoObject>> {
    let mut out = Vec::new();
    for file in super::scan::applied_files(root, cluster_path)? {
        if !(file.ends_with(".yaml") || file.ends_with(".yml")) {
            continue;
        }
        let Some(bytes) = crate::fsx::read_in(root, &file)? else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        out.extend(in_text(&text, &file));
    }
    Ok(out)
}

/// The objects of one file's text.
pub(crate) fn in_text(text: &str, file: &str) -> Vec<RepoObject> {
    let Some(docs) = split_docs(text) else {
        return Vec::new();
    };
    docs.iter()
        .filter_map(|doc| {
            let value = parse_doc(doc).ok()?;
            value.get("kind")?;
            Some(RepoObject {
                file: file.to_string(),
                line: doc.content_line,
                value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_object_carries_its_file_and_line() {
        let text = "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  namespace: shop\n---\nnot: an object\n";
        let found = in_text(text, "f.yaml");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].kind(), found[0].name(), found[0].namespace()),
            ("ConfigMap", "a", "default")
        );
        assert_eq!(found[0].place(), "f.yaml:2");
        assert_eq!(
            (found[1].name(), found[1].namespace(), found[1].line),
            ("b", "shop", 8)
        );
    }
}
