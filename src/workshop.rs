//! The workshop's GitOps mono repo (`workshop/`), embedded in the binary: the
//! upstream the tool seeds a fork from when it works offline.

use include_dir::{Dir, DirEntry, include_dir};

static WORKSHOP: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/workshop");

/// Every file of the workshop repo: its path relative to the repo root
/// (`/`-separated) and its bytes, sorted by path.
pub(crate) fn files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    let mut files = Vec::new();
    collect(&WORKSHOP, &mut files);
    files.sort_unstable_by_key(|(path, _)| *path);
    files.into_iter()
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static [u8])>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(dir) => collect(dir, out),
            DirEntry::File(file) => {
                // include_dir records paths relative to the embedded root.
                if let Some(path) = file.path().to_str() {
                    out.push((path, file.contents()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> &'static str {
        let (_, bytes) = files()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("{path} missing"));
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn addons_kustomization_has_lines_5_and_6_commented() {
        let text = file(crate::addon_catalog::ADDONS_KUSTOMIZATION);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[4], "  # - 02-karpenter.yaml");
        assert_eq!(lines[5], "  # - 03-argo-workflows.yaml");
        assert_eq!(lines[3], "  - 01-metrics-server.yaml");
    }

    #[test]
    fn files_are_sorted_relative_and_slash_separated() {
        let paths: Vec<&str> = files().map(|(p, _)| p).collect();
        assert!(paths.windows(2).all(|w| w[0] < w[1]));
        assert!(
            paths
                .iter()
                .all(|p| !p.starts_with('/') && !p.contains('\\'))
        );
        assert!(paths.contains(&"README.md"));
        assert!(paths.contains(&"gitops/clusters/cluster-demo/infrastructure.yaml"));
    }

    #[test]
    fn every_kustomization_lists_files_that_exist() {
        let paths: Vec<&str> = files().map(|(p, _)| p).collect();
        for path in paths.iter().filter(|p| p.ends_with("kustomization.yaml")) {
            let dir = path.trim_end_matches("kustomization.yaml");
            for (resource, _) in crate::kustomize::entries(file(path)).unwrap() {
                let target = format!("{dir}{resource}");
                assert!(
                    paths.contains(&target.as_str()),
                    "{path} lists {resource}, which is missing"
                );
            }
        }
    }

    #[test]
    fn every_manifest_is_yaml() {
        use serde::Deserialize;
        for (path, bytes) in files().filter(|(p, _)| p.ends_with(".yaml")) {
            let text = std::str::from_utf8(bytes).unwrap();
            for document in serde_yaml::Deserializer::from_str(text) {
                let parsed = serde_yaml::Value::deserialize(document);
                assert!(parsed.is_ok(), "{path}: {parsed:?}");
            }
        }
    }
}
