//! The deprecation table: `deprecations.yaml`, embedded, parsed once.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::version::{KubeVersion, Release};

const TABLE: &str = include_str!("deprecations.yaml");

pub(crate) const KUBERNETES: &str = "kubernetes";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) project: &'static str,
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) deprecated_in: Release,
    pub(crate) removed_in: Release,
    pub(crate) replacement: Option<Replacement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replacement {
    pub(crate) api_version: String,
    pub(crate) kind: String,
    pub(crate) available_in: Release,
}

impl Entry {
    pub(crate) fn is_kubernetes(&self) -> bool {
        self.project == KUBERNETES
    }

    /// Does a scan for `target` report this entry at all? Kubernetes APIs once
    /// deprecated by the target; other projects' APIs always (their table
    /// entries are all deprecated in releases already out).
    pub(crate) fn reported_at(&self, target: KubeVersion) -> bool {
        !self.is_kubernetes() || self.deprecated_in <= target.0
    }

    pub(crate) fn removed_at(&self, target: KubeVersion) -> bool {
        self.is_kubernetes() && self.removed_in <= target.0
    }

    /// `1.25` for Kubernetes, `flux 2.7` for the others.
    pub(crate) fn version_label(&self, release: Release) -> String {
        if self.is_kubernetes() {
            release.to_string()
        } else {
            format!("{} {release}", self.project)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default)]
    project: Option<String>,
    api_version: String,
    kind: String,
    deprecated_in: String,
    removed_in: String,
    #[serde(default)]
    replacement: Option<String>,
    #[serde(default)]
    replacement_kind: Option<String>,
    #[serde(default)]
    replacement_available_in: Option<String>,
    /// Where the removal is stated; checked present, not used at run time.
    #[allow(dead_code)]
    source: String,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
    by_gvk: HashMap<(String, String), usize>,
}

impl Table {
    pub(crate) fn get() -> &'static Table {
        static TABLE_ONCE: OnceLock<Table> = OnceLock::new();
        TABLE_ONCE.get_or_init(|| {
            Table::parse(TABLE)
                .expect("src/readiness/deprecations.yaml is valid (checked by tests)")
        })
    }

    fn parse(text: &str) -> Result<Table, String> {
        let raw: Vec<RawEntry> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let mut entries = Vec::with_capacity(raw.len());
        for r in raw {
            let release = |field: &str, text: &str| {
                Release::parse(text)
                    .ok_or_else(|| format!("{} {}: bad {field} `{text}`", r.api_version, r.kind))
            };
            let replacement = match (&r.replacement, &r.replacement_available_in) {
                (Some(api_version), Some(since)) => Some(Replacement {
                    api_version: api_version.clone(),
                    kind: r.replacement_kind.clone().unwrap_or_else(|| r.kind.clone()),
                    available_in: release("replacement_available_in", since)?,
                }),
                (None, None) if r.replacement_kind.is_none() => None,
                _ => {
                    return Err(format!(
                        "{} {}: replacement fields incomplete",
                        r.api_version, r.kind
                    ));
                }
            };
            let project: &'static str = match r.project.as_deref() {
                None | Some(KUBERNETES) => KUBERNETES,
                Some("flux") => "flux",
                Some("karpenter") => "karpenter",
                Some("cert-manager") => "cert-manager",
                Some("istio") => "istio",
                Some(other) => return Err(format!("unknown project `{other}`")),
            };
            entries.push(Entry {
                project,
                deprecated_in: release("deprecated_in", &r.deprecated_in)?,
                removed_in: release("removed_in", &r.removed_in)?,
                api_version: r.api_version,
                kind: r.kind,
                replacement,
            });
        }
        let mut by_gvk = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            if by_gvk
                .insert((e.api_version.clone(), e.kind.clone()), i)
                .is_some()
            {
                return Err(format!("duplicate entry {} {}", e.api_version, e.kind));
            }
        }
        Ok(Table { entries, by_gvk })
    }

    pub(crate) fn lookup(&self, api_version: &str, kind: &str) -> Option<&Entry> {
        // Cheap pre-check: every entry's apiVersion has a group, so core `v1`
        // objects (most of any repo) never allocate a key.
        if !api_version.contains('/') {
            return None;
        }
        self.by_gvk
            .get(&(api_version.to_owned(), kind.to_owned()))
            .map(|&i| &self.entries[i])
    }

    /// The replacement to suggest at `target`: follow the chain while the
    /// suggested API is itself removed by then.
    pub(crate) fn replacement_at(&self, entry: &Entry, target: KubeVersion) -> Option<Replacement> {
        let mut current = entry.replacement.clone()?;
        for _ in 0..self.entries.len() {
            match self.lookup(&current.api_version, &current.kind) {
                Some(next) if next.removed_at(target) || !next.is_kubernetes() => {
                    match &next.replacement {
                        Some(r) => current = r.clone(),
                        None => break,
                    }
                }
                _ => break,
            }
        }
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by cargo-mutants: a replacement kind without the replacement
    /// itself is refused, not dropped.
    #[test]
    fn a_replacement_kind_alone_is_incomplete() {
        let text = "- {api_version: x.io/v1beta1, kind: A, deprecated_in: \"1.9\", removed_in: \"1.16\", replacement_kind: B, source: \"s\"}\n";
        let Err(err) = Table::parse(text) else {
            panic!("refused")
        };
        assert!(err.contains("replacement fields incomplete"), "{err}");
    }

    #[test]
    fn table_is_consistent() {
        let table = Table::parse(TABLE).unwrap();
        assert!(table.entries.len() > 60);
        for e in &table.entries {
            let name = format!("{} {}", e.api_version, e.kind);
            // A project may drop a version in the release that deprecates it
            // (cert-manager 0.11 renamed its group); Kubernetes never does.
            assert!(
                e.removed_in > e.deprecated_in
                    || (!e.is_kubernetes() && e.removed_in == e.deprecated_in),
                "{name}: removed must follow deprecated"
            );
            assert!(
                e.api_version.contains('/'),
                "{name}: built-in core APIs are not in the table"
            );
            let Some(r) = &e.replacement else {
                assert_eq!(
                    (e.api_version.as_str(), e.kind.as_str()),
                    ("policy/v1beta1", "PodSecurityPolicy")
                );
                continue;
            };
            assert!(
                r.available_in <= e.removed_in,
                "{name}: replacement must exist before the removal"
            );
            assert_ne!(
                (&r.api_version, &r.kind),
                (&e.api_version, &e.kind),
                "{name}"
            );
            if let Some(next) = table.lookup(&r.api_version, &r.kind) {
                assert_eq!(next.project, e.project, "{name}");
                assert!(
                    next.removed_in > e.removed_in,
                    "{name}: replacement removed no later than it"
                );
            }
        }
        assert!(table.lookup("apps/v1", "Deployment").is_none());
        assert!(table.lookup("v1", "Pod").is_none());
    }

    #[test]
    fn every_entry_cites_a_url() {
        let raw: Vec<serde_yaml::Value> = serde_yaml::from_str(TABLE).unwrap();
        for e in &raw {
            let source = e["source"].as_str().unwrap_or_default();
            assert!(source.starts_with("https://"), "{e:?}: source `{source}`");
        }
    }

    #[test]
    fn every_kubernetes_removal_version_is_covered() {
        let table = Table::get();
        let removals: std::collections::BTreeSet<String> = table
            .entries
            .iter()
            .filter(|e| e.is_kubernetes())
            .map(|e| e.removed_in.to_string())
            .collect();
        for v in [
            "1.16", "1.22", "1.23", "1.24", "1.25", "1.26", "1.27", "1.29", "1.32", "1.33", "1.34",
            "1.35",
        ] {
            assert!(removals.contains(v), "{v}");
        }
    }

    #[test]
    fn replacement_chain_is_followed_past_removed_versions() {
        let table = Table::get();
        let fs = table
            .lookup("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema")
            .unwrap();
        let at = |v: &str| {
            table
                .replacement_at(fs, KubeVersion::parse(v).unwrap())
                .unwrap()
                .api_version
        };
        assert_eq!(at("1.26"), "flowcontrol.apiserver.k8s.io/v1beta2");
        assert_eq!(at("1.29"), "flowcontrol.apiserver.k8s.io/v1beta3");
        assert_eq!(at("1.32"), "flowcontrol.apiserver.k8s.io/v1");
        let provisioner = table
            .lookup("karpenter.sh/v1alpha5", "Provisioner")
            .unwrap();
        let r = table
            .replacement_at(provisioner, KubeVersion::parse("1.26").unwrap())
            .unwrap();
        assert_eq!(
            (r.api_version.as_str(), r.kind.as_str()),
            ("karpenter.sh/v1", "NodePool")
        );
    }

    #[test]
    fn bad_tables_are_rejected() {
        let dup = "- {api_version: a/v1, kind: K, deprecated_in: '1.1', removed_in: '1.2', source: s}\n\
                   - {api_version: a/v1, kind: K, deprecated_in: '1.1', removed_in: '1.2', source: s}\n";
        assert!(Table::parse(dup).unwrap_err().contains("duplicate"));
        let half = "- {api_version: a/v1, kind: K, deprecated_in: '1.1', removed_in: '1.2', replacement: b/v1, source: s}\n";
        assert!(Table::parse(half).is_err());
        assert!(
            Table::parse(
                "- {api_version: a/v1, kind: K, deprecated_in: 'x', removed_in: '1.2', source: s}"
            )
            .is_err()
        );
        assert!(
            Table::parse("- {api_version: a/v1, kind: K, deprecated_in: '1.1', removed_in: '1.2'}")
                .unwrap_err()
                .contains("source"),
            "an entry without a source is refused"
        );
    }
}
