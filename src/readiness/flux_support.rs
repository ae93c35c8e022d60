//! Flux as an add-on of the cluster: which Kubernetes versions each Flux
//! minor release supports (`flux.yaml`, embedded, read from fluxcd/flux2's
//! tags), and whether the release eks-workshop installs is the way to one.

use std::sync::OnceLock;

use serde::Deserialize;

use super::version::{KubeVersion, Release};

const TABLE: &str = include_str!("flux.yaml");

#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    flux: Release,
    minimum: Release,
    tested: (Release, Release),
    tag: String,
}

/// What the table says of one Flux version at one Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FluxSupport {
    Yes {
        tested: String,
    },
    /// Below the minimum `flux check --pre` enforces, or after the versions
    /// the release was tested on.
    No {
        tested: String,
    },
    /// Not a Flux version the table lists (or not a version at all).
    Unknown {
        why: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    flux: String,
    minimum: String,
    tested: String,
    tag: String,
}

fn table() -> &'static [Row] {
    static PARSED: OnceLock<Vec<Row>> = OnceLock::new();
    PARSED.get_or_init(|| parse(TABLE).expect("flux.yaml is checked by its tests"))
}

fn parse(text: &str) -> Result<Vec<Row>, String> {
    let raw: Vec<RawRow> = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let release = |s: &str| Release::parse(s).ok_or_else(|| format!("bad version `{s}`"));
    raw.into_iter()
        .map(|r| {
            let (low, high) = r
                .tested
                .split_once('-')
                .ok_or_else(|| format!("bad range `{}`", r.tested))?;
            Ok(Row {
                flux: release(&r.flux)?,
                minimum: release(&r.minimum)?,
                tested: (release(low)?, release(high)?),
                tag: r.tag,
            })
        })
        .collect()
}

/// Whether Flux `version` (`v2.6.0`) supports Kubernetes `k`.
pub(crate) fn support(version: &str, k: KubeVersion) -> FluxSupport {
    let Some(release) = Release::parse(version) else {
        return FluxSupport::Unknown {
            why: format!("`{version}` is not a Flux version eks-workshop can read"),
        };
    };
    let Some(row) = table().iter().find(|r| r.flux == release) else {
        return FluxSupport::Unknown {
            why: format!("Flux {release} is not in eks-workshop's Flux table"),
        };
    };
    let tested = format!(
        "Flux {} is tested on Kubernetes {}-{} and needs at least {} (fluxcd/flux2 {})",
        row.flux, row.tested.0, row.tested.1, row.minimum, row.tag
    );
    if row.minimum <= k.0 && k.0 <= row.tested.1 {
        FluxSupport::Yes { tested }
    } else {
        FluxSupport::No { tested }
    }
}

/// The Flux minor releases the table says support `k`, oldest first (`2.8`).
pub(crate) fn supporting(k: KubeVersion) -> Vec<String> {
    table()
        .iter()
        .filter(|r| r.minimum <= k.0 && k.0 <= r.tested.1)
        .map(|r| r.flux.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KubeVersion {
        KubeVersion::parse(s).unwrap()
    }

    #[test]
    fn the_table_parses_in_release_order() {
        let rows = parse(TABLE).unwrap();
        assert!(rows.windows(2).all(|w| w[0].flux < w[1].flux));
        assert!(
            rows.iter()
                .all(|r| r.minimum <= r.tested.0 && r.tested.0 < r.tested.1)
        );
        assert!(parse("- { flux: \"2.0\", minimum: \"1.24\", tested: \"1.25\", tag: x }").is_err());
    }

    #[test]
    fn a_release_supports_its_floor_to_its_newest_tested_version() {
        assert!(matches!(
            support("v2.6.0", k("1.33")),
            FluxSupport::Yes { .. }
        ));
        assert!(matches!(
            support("v2.6.0", k("1.34")),
            FluxSupport::No { .. }
        ));
        assert!(matches!(
            support("v2.6.0", k("1.30")),
            FluxSupport::No { .. }
        ));
        assert!(matches!(
            support("v2.9.5", k("1.33")),
            FluxSupport::Yes { .. }
        ));
        assert!(matches!(
            support("v2.9.5", k("1.36")),
            FluxSupport::Yes { .. }
        ));
        assert!(matches!(
            support("v2.9.5", k("1.37")),
            FluxSupport::No { .. }
        ));
        let FluxSupport::No { tested } = support("2.6.4", k("1.34")) else {
            panic!()
        };
        assert!(
            tested.contains("1.31-1.33") && tested.contains("v2.6.4"),
            "{tested}"
        );
    }

    #[test]
    fn the_releases_that_support_a_version_are_listed_oldest_first() {
        assert_eq!(supporting(k("1.34")), ["2.7", "2.8", "2.9"]);
        assert!(supporting(k("1.40")).is_empty());
    }

    #[test]
    fn a_version_the_table_lacks_is_unknown() {
        assert!(matches!(
            support("v3.0.0", k("1.34")),
            FluxSupport::Unknown { .. }
        ));
        assert!(matches!(
            support("main", k("1.34")),
            FluxSupport::Unknown { .. }
        ));
    }
}
