//! Add-on chart bumps for an upgrade: each HelmRelease Flux applies whose
//! chart version does not support the target, moved along its add-on's
//! upgrade path (`readiness/paths.yaml`) to the lowest version that does.
//! Only the version (and the workshop's `add-on-version` label) changes; a
//! path that crosses a migration is not bumped but named, for a person.

use std::path::Path;

use super::releases::{RepoRelease, repo_releases, set_version};
use crate::error::Result;
use crate::readiness::KubeVersion;
use crate::readiness::charts::ChartVersion;
use crate::readiness::paths::{self, Migration};

/// One release's chart moved to `to`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bump {
    pub(crate) release: RepoRelease,
    pub(crate) to: ChartVersion,
}

impl Bump {
    /// `flux-system/karpenter`
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.release.namespace, self.release.name)
    }

    /// `karpenter v0.27.3 → v0.28.0`
    pub(crate) fn describe(&self) -> String {
        format!(
            "{} {} → {}",
            self.release.chart, self.release.version, self.to
        )
    }
}

/// A release whose way to the target crosses a migration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stop {
    pub(crate) release: RepoRelease,
    pub(crate) to: String,
    pub(crate) migration: &'static Migration,
}

impl Stop {
    pub(crate) fn id(&self) -> String {
        format!("{}/{}", self.release.namespace, self.release.name)
    }

    /// What stops the plan, for the participant.
    pub(crate) fn describe(&self, target: KubeVersion) -> String {
        let r = &self.release;
        format!(
            "{} ({}:{}): chart {} {} does not support Kubernetes {target}; the lowest that does is {}, and the way there is a migration a person makes: {} (guide: {})",
            self.id(),
            r.file,
            r.line,
            r.chart,
            r.version,
            self.to,
            self.migration.needs,
            self.migration.guide
        )
    }
}

/// The bumps the plan makes for `target`, and the paths it cannot take.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Charts {
    pub(crate) bumps: Vec<Bump>,
    pub(crate) stops: Vec<Stop>,
}

/// What the repository under `root` needs for `target`. Releases Flux does
/// not apply (an add-on not enabled) are left alone, as `verify` leaves them.
pub(crate) fn plan(root: &Path, cluster_path: &str, target: KubeVersion) -> Result<Charts> {
    let mut out = Charts::default();
    for release in repo_releases(root, cluster_path)? {
        if !release.applied {
            continue;
        }
        match paths::path(&release.chart, &release.version, target) {
            Some(paths::Path::Bump { to }) => out.bumps.push(Bump { to, release }),
            Some(paths::Path::Migrate { to, migration }) => out.stops.push(Stop {
                to: paths::spelled_like(&release.version, to),
                release,
                migration,
            }),
            // None known: the add-on check reports it as blocking.
            Some(paths::Path::NoneKnown) | None => {}
        }
    }
    Ok(out)
}

/// One file's text with its bumps made; `None` when a bump does not find
/// its version where it was read (the file moved under us).
pub(crate) fn bumped(text: &str, bumps: &[&Bump]) -> Option<String> {
    let mut text = text.to_string();
    for bump in bumps {
        text = set_version(&text, &bump.release, bump.to)?;
    }
    Some(text)
}

/// The files of `charts`' bumps, each with its bumps (in file order).
pub(crate) fn by_file(charts: &Charts) -> Vec<(&str, Vec<&Bump>)> {
    let mut out: Vec<(&str, Vec<&Bump>)> = Vec::new();
    for bump in &charts.bumps {
        match out.iter_mut().find(|(f, _)| *f == bump.release.file) {
            Some((_, list)) => list.push(bump),
            None => out.push((&bump.release.file, vec![bump])),
        }
    }
    out
}

/// Makes the bumps in the tree under `root` (a scratch copy, for the gate).
pub(crate) fn bump_tree(root: &Path, charts: &Charts) -> Result<()> {
    for (file, bumps) in by_file(charts) {
        let Some(text) = crate::fsx::read_in(root, file)? else {
            continue;
        };
        let text = String::from_utf8_lossy(&text);
        if let Some(new) = bumped(&text, &bumps) {
            crate::fsx::write_in(root, file, new.as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLUSTER: &str = "clusters/demo";

    fn repo(karpenter: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |p: &str, t: &str| {
            let path = dir.path().join(p);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, t).unwrap();
        };
        write(
            "clusters/demo/kustomization.yaml",
            "resources:\n  - karpenter.yaml\n",
        );
        write(
            "clusters/demo/karpenter.yaml",
            &format!(
                "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: karpenter\n  namespace: flux-system\n  labels:\n    add-on-version: \"{karpenter}\"\nspec:\n  chart:\n    spec:\n      chart: karpenter\n      version: {karpenter}\n"
            ),
        );
        write(
            "off/metrics.yaml",
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: m\nspec:\n  chart:\n    spec:\n      chart: karpenter\n      version: 0.20.0\n",
        );
        dir
    }

    #[test]
    fn an_applied_release_is_bumped_in_place_and_one_not_applied_is_left() {
        let dir = repo("1.5.0");
        let to = KubeVersion::parse("1.34").unwrap();
        let charts = plan(dir.path(), CLUSTER, to).unwrap();
        assert!(charts.stops.is_empty());
        assert_eq!(charts.bumps.len(), 1, "{charts:?}");
        assert_eq!(charts.bumps[0].describe(), "karpenter 1.5.0 → 1.6.0");
        bump_tree(dir.path(), &charts).unwrap();
        let text =
            std::fs::read_to_string(dir.path().join("clusters/demo/karpenter.yaml")).unwrap();
        assert!(text.contains("add-on-version: \"1.6.0\"") && text.contains("version: 1.6.0\n"));
        assert_eq!(plan(dir.path(), CLUSTER, to).unwrap(), Charts::default());
    }

    #[test]
    fn a_path_across_a_migration_stops_with_its_guide() {
        let dir = repo("v0.27.3");
        let to = KubeVersion::parse("1.34").unwrap();
        let charts = plan(dir.path(), CLUSTER, to).unwrap();
        assert!(charts.bumps.is_empty());
        let said = charts.stops[0].describe(to);
        assert!(
            said.contains("clusters/demo/karpenter.yaml:12")
                && said.contains("v1.6.0")
                && said.contains("https://karpenter.sh/v0.32/upgrading/v1beta1-migration/"),
            "{said}"
        );
    }
}
