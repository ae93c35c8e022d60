//! `verify`'s add-on versions: each HelmRelease in the repo (and, with a
//! cluster, each one live), its chart and version, the version running, and
//! whether that version supports the target by the add-on's own
//! documentation (`readiness/charts.yaml`), with the lowest version that does.

use std::collections::BTreeMap;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::flux::reported::LiveRelease;
use crate::manifests::Tree;
use crate::manifests::releases::{self, RepoRelease};
use crate::readiness::KubeVersion;
use crate::readiness::charts::{Support, lowest_supporting, support};
use crate::verdict::{Item, Section, Severity, Table};

const NAME: &str = "add-ons";

pub(crate) async fn section(ctx: &Ctx, tree: &Tree, target: KubeVersion) -> Result<Section> {
    let repo = releases::in_tree(tree);
    let live = if ctx.offline() {
        None
    } else {
        let cluster = ctx.cluster().await?;
        match crate::flux::types(&cluster).await? {
            Some(types) => Some(crate::flux::reported::helm_releases(&cluster, &types).await?),
            None => None,
        }
    };
    Ok(build(&repo, live.as_deref(), target))
}

/// One row per release: the repo's (matched with the live one by namespace
/// and name), then the live ones the repo does not have.
pub(super) fn build(
    repo: &[RepoRelease],
    live: Option<&[LiveRelease]>,
    target: KubeVersion,
) -> Section {
    let mut live_by_name: BTreeMap<(&str, &str), &LiveRelease> = live
        .unwrap_or_default()
        .iter()
        .map(|l| ((l.namespace.as_str(), l.name.as_str()), l))
        .collect();
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for r in repo {
        let running = live_by_name.remove(&(r.namespace.as_str(), r.name.as_str()));
        let running = running.and_then(|l| l.running.clone());
        let release = Release {
            id: format!("{}/{}", r.namespace, r.name),
            chart: &r.chart,
            version: &r.version,
            label: r.label.as_deref(),
            running: running.as_deref(),
            place: format!("{}:{}", r.file, r.line),
            file: Some((&r.file, r.line)),
            applied: r.applied,
            live: live.is_some(),
        };
        release.judge(target, &mut rows, &mut items);
    }
    for l in live_by_name.into_values() {
        let release = Release {
            id: format!("{}/{}", l.namespace, l.name),
            chart: &l.chart,
            version: &l.version,
            label: None,
            running: l.running.as_deref(),
            place: format!("HelmRelease {}/{} (cluster only)", l.namespace, l.name),
            file: None,
            applied: true,
            live: true,
        };
        release.judge(target, &mut rows, &mut items);
    }
    let mut section = Section::ran(NAME, items);
    let supports = format!("SUPPORTS {}", target.0);
    let header = [
        "ADD-ON",
        "CHART",
        "VERSION",
        "RUNNING",
        &supports,
        "LOWEST THAT DOES",
        "WHERE",
    ];
    section.table = Some(Table {
        header: header.iter().map(|h| h.to_string()).collect(),
        rows,
    });
    section
}

struct Release<'a> {
    id: String,
    chart: &'a str,
    version: &'a str,
    label: Option<&'a str>,
    running: Option<&'a str>,
    place: String,
    /// The repo file and line of `spec.chart.spec.version`, if in the repo.
    file: Option<(&'a str, usize)>,
    applied: bool,
    /// A cluster was read (else RUNNING is "not checked").
    live: bool,
}

impl Release<'_> {
    /// The fields every add-on item carries as data.
    fn facts(&self, item: Item, check: &'static str) -> Item {
        item.fact("check", check)
            .fact("add_on", &self.id)
            .fact("chart", self.chart)
            .fact("version", self.version)
            .fact("running", self.running)
            .fact("file", self.file.map(|(f, _)| f))
            .fact("line", self.file.map(|(_, l)| l))
    }

    fn judge(&self, target: KubeVersion, rows: &mut Vec<Vec<String>>, items: &mut Vec<Item>) {
        let (verdict, _app) = support(self.chart, self.version, target);
        let lowest = lowest_supporting(self.chart, target);
        let lowest_text = lowest.map_or("unknown".to_string(), |v| v.to_string());
        let running = match (self.running, self.live) {
            (Some(v), _) => v.to_string(),
            (None, true) => "not installed".to_string(),
            (None, false) => "not checked".to_string(),
        };
        let supports = match &verdict {
            Support::Yes { range, .. } => format!("yes ({range})"),
            Support::No { range, .. } => format!("no ({range})"),
            Support::Unknown { .. } => "unknown".to_string(),
        };
        rows.push(vec![
            self.id.clone(),
            self.chart.to_string(),
            self.version.to_string(),
            running,
            supports,
            lowest_text.clone(),
            self.place.clone(),
        ]);
        let subject = format!("{} ({})", self.id, self.place);
        let migration = match crate::readiness::paths::path(self.chart, self.version, target) {
            Some(crate::readiness::paths::Path::Migrate { migration, .. }) => Some(migration),
            _ => None,
        };
        let bump = match (lowest, migration) {
            (Some(v), Some(m)) => format!(
                "{v} or later supports it, and the way there is a migration a person makes: {} (guide: {})",
                m.needs, m.guide
            ),
            (Some(v), None) => format!(
                "set spec.chart.spec.version (and the add-on-version label) to {v} or later"
            ),
            (None, _) => {
                "check the chart's documentation for a version that supports the target".into()
            }
        };
        let at = format!("chart {} {}", self.chart, self.version);
        let item = match &verdict {
            Support::Yes { source, .. } => Item::new(
                Severity::Fine,
                &subject,
                format!("{at} supports Kubernetes {} ({source})", target.0),
            ),
            Support::No { range, source } => {
                let severity = if self.applied {
                    Severity::Blocking
                } else {
                    Severity::ToDo
                };
                let enabled = if self.applied {
                    ""
                } else {
                    " (not enabled: Flux does not apply it yet)"
                };
                Item::new(
                    severity,
                    &subject,
                    format!(
                        "{at} does not support Kubernetes {}: it supports {range} ({source}){enabled}",
                        target.0
                    ),
                )
                .fix(bump)
            }
            Support::Unknown { why } => Item::new(
                Severity::ToDo,
                &subject,
                format!("{at}: support for Kubernetes {} unknown: {why}", target.0),
            )
            .fix(bump),
        };
        let supported = match &verdict {
            Support::Yes { .. } => Some(true),
            Support::No { .. } => Some(false),
            Support::Unknown { .. } => None,
        };
        let range = match &verdict {
            Support::Yes { range, .. } | Support::No { range, .. } => Some(range.as_str()),
            Support::Unknown { .. } => None,
        };
        let item = self
            .facts(item, "add-on-version")
            .fact("target", target.0.to_string())
            .fact("supported", supported)
            .fact("supported_range", range)
            .fact("lowest_supported", lowest.map(|v| v.to_string()))
            .fact("applied", self.applied);
        items.push(item);
        if let Some(label) = self
            .label
            .filter(|l| l.trim_start_matches('v') != self.version.trim_start_matches('v'))
        {
            items.push(
                Item::new(
                    Severity::ToDo,
                    &subject,
                    format!(
                        "the add-on-version label says {label}, the chart version is {}",
                        self.version
                    ),
                )
                .fix("make the label match spec.chart.spec.version"),
            );
            let last = items.pop().expect("just pushed");
            items.push(self.facts(last, "add-on-label").fact("label", label));
        }
        if let Some(running) = self
            .running
            .filter(|r| r.trim_start_matches('v') != self.version.trim_start_matches('v'))
        {
            let (now, _) = support(self.chart, running, target);
            let severity = match now {
                Support::No { .. } => Severity::Blocking,
                _ => Severity::ToDo,
            };
            items.push(
                Item::new(
                    severity,
                    &subject,
                    format!(
                        "the cluster runs {running}, the repo asks for {}",
                        self.version
                    ),
                )
                .fix("push, then wait for Flux (`eks-workshop sync`) before upgrading the cluster"),
            );
            let last = items.pop().expect("just pushed");
            items.push(self.facts(last, "add-on-running"));
        }
    }
}

#[cfg(test)]
mod tests;
