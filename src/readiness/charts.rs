//! The add-on chart table (`charts.yaml`, embedded): whether a chart version
//! of Karpenter, metrics-server or Argo Workflows supports a Kubernetes
//! version, by the projects' own documentation, and the lowest chart version
//! that does. What the table does not cover is unknown, never guessed.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::version::{KubeVersion, Release};

const TABLE: &str = include_str!("charts.yaml");

/// A chart version, compared numerically: `v0.27.3`, `3.12.1`, `0.46.00`.
/// A pre-release or build suffix is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ChartVersion(u32, u32, u32);

impl ChartVersion {
    pub(crate) fn parse(text: &str) -> Option<ChartVersion> {
        let text = text.trim().trim_matches('"');
        let text = text.strip_prefix('v').unwrap_or(text);
        let core = text.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| {
            (!p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        });
        let major = parts.next()??;
        let minor = parts.next()??;
        let patch = parts.next().unwrap_or(Some(0))?;
        if parts.next().is_some() {
            return None;
        }
        Some(ChartVersion(major, minor, patch))
    }
}

impl std::fmt::Display for ChartVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// What the table says of one chart version at one Kubernetes version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "support", rename_all = "kebab-case")]
pub(crate) enum Support {
    Yes {
        range: String,
        source: String,
    },
    No {
        range: String,
        source: String,
    },
    /// The project has not said (untested there), or the table does not cover
    /// the chart or version: `why` says which.
    Unknown {
        why: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    from: String,
    until: String,
    app: String,
    kubernetes: String,
    outside: Outside,
    source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Outside {
    Unsupported,
    Unknown,
}

#[derive(Debug, Clone)]
struct Row {
    from: ChartVersion,
    until: ChartVersion,
    app: String,
    range: String,
    low: Option<Release>,
    high: Option<Release>,
    outside: Outside,
    source: String,
}

impl Row {
    fn covers(&self, v: ChartVersion) -> bool {
        self.from <= v && v < self.until
    }

    fn supports(&self, target: Release) -> bool {
        self.low.is_none_or(|l| l <= target) && self.high.is_none_or(|h| target <= h)
    }
}

fn table() -> &'static BTreeMap<String, Vec<Row>> {
    static ONCE: OnceLock<BTreeMap<String, Vec<Row>>> = OnceLock::new();
    ONCE.get_or_init(|| parse(TABLE).expect("charts.yaml is valid"))
}

fn parse(text: &str) -> Result<BTreeMap<String, Vec<Row>>, String> {
    let raw: BTreeMap<String, Vec<RawRow>> =
        serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    raw.into_iter()
        .map(|(chart, rows)| {
            let rows = rows
                .into_iter()
                .map(|r| row(r).map_err(|e| format!("{chart}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((chart, rows))
        })
        .collect()
}

fn row(r: RawRow) -> Result<Row, String> {
    let version = |t: &str| ChartVersion::parse(t).ok_or(format!("bad chart version {t}"));
    let release = |t: &str| Release::parse(t).ok_or(format!("bad Kubernetes version {t}"));
    let range = r.kubernetes.trim();
    let (low, high) = if let Some(low) = range.strip_suffix('+') {
        (Some(release(low)?), None)
    } else if let Some(high) = range.strip_prefix('-') {
        (None, Some(release(high)?))
    } else {
        let (low, high) = range.split_once('-').ok_or(format!("bad range {range}"))?;
        (Some(release(low)?), Some(release(high)?))
    };
    let range = match (low, high) {
        (Some(l), None) => format!("{l} and later"),
        (None, Some(h)) => format!("up to {h}"),
        (Some(l), Some(h)) => format!("{l} to {h}"),
        (None, None) => unreachable!("a range has a bound"),
    };
    Ok(Row {
        from: version(&r.from)?,
        until: version(&r.until)?,
        app: r.app,
        range,
        low,
        high,
        outside: r.outside,
        source: r.source,
    })
}

/// Whether `version` of `chart` supports `target`, and the app release it ships.
pub(crate) fn support(
    chart: &str,
    version: &str,
    target: KubeVersion,
) -> (Support, Option<String>) {
    let Some(rows) = table().get(chart) else {
        let why = format!("chart `{chart}` is not in eks-workshop's compatibility table");
        return (Support::Unknown { why }, None);
    };
    let Some(v) = ChartVersion::parse(version) else {
        let why = format!("`{version}` is not a version eks-workshop can compare");
        return (Support::Unknown { why }, None);
    };
    let Some(row) = rows.iter().find(|r| r.covers(v)) else {
        let why = format!("{chart} {version} is not in eks-workshop's compatibility table");
        return (Support::Unknown { why }, None);
    };
    let app = Some(row.app.clone());
    let (range, source) = (row.range.clone(), row.source.clone());
    let support = if row.supports(target.0) {
        Support::Yes { range, source }
    } else if row.outside == Outside::Unsupported && row.high.is_some_and(|h| h < target.0) {
        Support::No { range, source }
    } else if row.low.is_some_and(|l| target.0 < l) {
        // A target below what the release documents is not an upgrade the
        // table answers (metrics-server's README raised 0.7's floor to 1.27
        // after 0.7 ran on older clusters): unknown, not "no".
        let why = format!(
            "{chart} {} is documented for Kubernetes {range}, not for {} ({source})",
            row.app, target.0
        );
        Support::Unknown { why }
    } else {
        let why = format!(
            "{chart} {} is documented for Kubernetes {range}, not tested on {} ({source})",
            row.app, target.0
        );
        Support::Unknown { why }
    };
    (support, app)
}

/// The lowest chart version the table says supports `target`.
pub(crate) fn lowest_supporting(chart: &str, target: KubeVersion) -> Option<ChartVersion> {
    table()
        .get(chart)?
        .iter()
        .filter(|r| r.supports(target.0))
        .map(|r| r.from)
        .min()
}

#[cfg(test)]
mod tests;
