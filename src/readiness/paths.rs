//! The add-ons' upgrade paths (`paths.yaml`, embedded): how a chart version
//! that does not support a Kubernetes version gets to one that does. A bump
//! to the lowest supporting version (`charts.yaml`), unless a migration that
//! needs a person lies between: then the path names it and its guide.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::charts::{ChartVersion, Support, lowest_supporting, support};
use super::version::KubeVersion;

const TABLE: &str = include_str!("paths.yaml");

/// A step of an add-on's upgrade that a version bump does not make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Migration {
    /// The first chart version after it.
    pub(crate) at: ChartVersion,
    /// The lowest chart version the guide starts from.
    pub(crate) from: ChartVersion,
    pub(crate) needs: String,
    pub(crate) guide: String,
}

/// How a release gets to a chart version that supports the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Path {
    /// Set the chart version to `to`: nothing between needs a person.
    Bump { to: ChartVersion },
    /// `to` supports the target, but the way there crosses `migration`.
    Migrate {
        to: ChartVersion,
        migration: &'static Migration,
    },
    /// No chart version eks-workshop knows supports the target.
    NoneKnown,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigration {
    at: String,
    from: String,
    needs: String,
    guide: String,
}

fn table() -> &'static BTreeMap<String, Vec<Migration>> {
    static TABLE_PARSED: OnceLock<BTreeMap<String, Vec<Migration>>> = OnceLock::new();
    TABLE_PARSED.get_or_init(|| parse(TABLE).expect("paths.yaml is checked by its tests"))
}

fn parse(text: &str) -> Result<BTreeMap<String, Vec<Migration>>, String> {
    let raw: BTreeMap<String, Vec<RawMigration>> =
        serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let version = |s: &str| ChartVersion::parse(s).ok_or_else(|| format!("bad version `{s}`"));
    let mut out = BTreeMap::new();
    for (chart, rows) in raw {
        let mut migrations = Vec::new();
        for r in rows {
            migrations.push(Migration {
                at: version(&r.at)?,
                from: version(&r.from)?,
                needs: r.needs,
                guide: r.guide,
            });
        }
        migrations.sort_by_key(|m| m.at);
        out.insert(chart, migrations);
    }
    Ok(out)
}

/// The way from `version` of `chart` to one that supports `target`, or
/// `None` when nothing needs to move: the version supports it, or its
/// support is unknown (never guessed into a bump).
pub(crate) fn path(chart: &str, version: &str, target: KubeVersion) -> Option<Path> {
    let (Support::No { .. }, _) = support(chart, version, target) else {
        return None;
    };
    let from = ChartVersion::parse(version)?;
    let Some(to) = lowest_supporting(chart, target).filter(|to| *to > from) else {
        return Some(Path::NoneKnown);
    };
    let crossed = table()
        .get(chart)
        .into_iter()
        .flatten()
        .find(|m| from < m.at && m.at <= to);
    Some(match crossed {
        Some(migration) => Path::Migrate { to, migration },
        None => Path::Bump { to },
    })
}

/// `to` written the way `was` is: with its `v` prefix, or without.
pub(crate) fn spelled_like(was: &str, to: ChartVersion) -> String {
    match was.trim().trim_matches(['"', '\'']).starts_with('v') {
        true => format!("v{to}"),
        false => to.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KubeVersion {
        KubeVersion::parse(s).unwrap()
    }

    fn v(s: &str) -> ChartVersion {
        ChartVersion::parse(s).unwrap()
    }

    #[test]
    fn the_table_parses_and_every_guide_is_a_link() {
        let t = parse(TABLE).unwrap();
        for m in t.values().flatten() {
            assert!(m.guide.starts_with("https://"), "{m:?}");
            assert!(m.from < m.at, "{m:?}");
        }
        assert!(parse("karpenter:\n  - {at: x, from: 1.0.0, needs: a, guide: b}\n").is_err());
    }

    #[test]
    fn a_supported_or_unknown_version_has_no_path() {
        assert_eq!(path("karpenter", "1.6.0", k("1.34")), None);
        assert_eq!(path("argo-workflows", "0.28.2", k("1.34")), None, "unknown");
        assert_eq!(path("nope", "1.0.0", k("1.34")), None);
    }

    #[test]
    fn within_a_series_the_path_is_a_bump_to_the_lowest_supporting_version() {
        assert_eq!(
            path("karpenter", "1.5.0", k("1.34")),
            Some(Path::Bump { to: v("1.6.0") })
        );
        assert_eq!(
            path("karpenter", "v0.27.3", k("1.26")),
            Some(Path::Bump { to: v("0.28.0") })
        );
        assert_eq!(
            path("metrics-server", "3.8.4", k("1.28")),
            None,
            "0.6 is documented 1.25+: supported"
        );
    }

    #[test]
    fn a_path_across_a_migration_names_the_first_one_crossed() {
        let Some(Path::Migrate { to, migration }) = path("karpenter", "v0.27.3", k("1.34")) else {
            panic!("the workshop's Karpenter needs two migrations to reach 1.34")
        };
        assert_eq!(to, v("1.6.0"));
        assert_eq!(migration.at, v("0.32.0"));
        assert!(migration.needs.contains("NodePool"), "{}", migration.needs);
        let Some(Path::Migrate { migration, .. }) = path("karpenter", "0.37.0", k("1.31")) else {
            panic!("0.37 to 1.0.5 crosses v1")
        };
        assert_eq!(migration.at, v("1.0.0"));
    }

    #[test]
    fn the_bump_keeps_the_way_the_version_was_written() {
        assert_eq!(spelled_like("v0.27.3", v("0.28.0")), "v0.28.0");
        assert_eq!(spelled_like("\"3.12.1\"", v("3.13.0")), "3.13.0");
    }
}
