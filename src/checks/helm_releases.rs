//! `verify`'s look inside the cluster's Helm releases: removed APIs in each
//! release's stored manifest, and `--fix-helm-releases`.
//!
//! Helm builds the objects of the current release from its stored manifest
//! before each upgrade; once the cluster no longer serves an API that
//! manifest uses, every upgrade of the release fails, whatever the new chart
//! says. The fix rewrites the stored manifest as `helm mapkubeapis` does,
//! after saving the Secret next to the state file: it edits cluster state
//! that is not in git, so it runs only when asked.

use std::path::{Path, PathBuf};

use crate::config::Output;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::flux::helm_secrets::{self as store, Listing, Replaced, Stored};
use crate::kube::Cluster;
use crate::manifests::stored_release::{self as release, Fix, Hit};
use crate::readiness::KubeVersion;
use crate::verdict::{Item, Section, Severity};

const NAME: &str = "helm releases";
const FIX: &str = "eks-workshop verify --fix-helm-releases";
/// Under the work dir, beside the state file.
const SAVED: &str = "helm-releases";

/// `--fix-helm-releases`, with `--dry-run` or without, or not asked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Fixing {
    No,
    /// Say what each rewrite would be and where the original would go.
    Plan,
    Write,
}

pub(crate) async fn section(ctx: &Ctx, target: KubeVersion, fix: Fixing) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(
            NAME,
            "offline: there is no cluster to read them from",
        ));
    }
    let cluster = ctx.cluster().await?;
    let releases = match store::current_releases(&cluster).await? {
        Listing::Found(releases) => releases,
        Listing::Forbidden(what) => {
            return Ok(Section::skipped(
                NAME,
                format!(
                    "context `{}` may not {what}, which this check reads",
                    cluster.context
                ),
            ));
        }
    };
    let saved = ctx.config.work_dir().join(SAVED);
    let decoded: Vec<Decoded> = releases
        .iter()
        .map(|stored| (stored, release::decode(&stored.value)))
        .collect();
    let asks = ctx.config.interactive() && ctx.config.output == Output::Text;
    let fix = if fix == Fixing::Write && asks {
        confirm_rewrites(ctx, &decoded, target, &saved)?
    } else {
        fix
    };
    let mut items = Vec::new();
    for (stored, rel) in &decoded {
        items.extend(check(&cluster, stored, rel, target, fix, &saved).await?);
    }
    Ok(Section::ran(NAME, items))
}

/// A release Secret, and the release it holds (or why Helm could not read it).
type Decoded<'a> = (&'a Stored, std::result::Result<release::Release, String>);

/// What became of a rewrite.
enum Outcome {
    /// Written; the original is in this file; these hits remain.
    Written(PathBuf, Vec<Hit>),
    /// The Secret changed under us; nothing written.
    Conflict,
    /// A dry run: the original would be saved to this file.
    Planned(PathBuf),
}

/// The items of one release; when fixing, its stored manifest rewritten
/// first (the original saved in `saved`), or only planned.
async fn check(
    cluster: &Cluster,
    stored: &Stored,
    rel: &std::result::Result<release::Release, String>,
    target: KubeVersion,
    fix: Fixing,
    saved: &Path,
) -> Result<Vec<Item>> {
    let rel = match rel {
        Ok(rel) => rel,
        Err(why) => {
            let label = label(stored, None);
            let message = format!(
                "Secret {} holds no release Helm can read ({why}); `helm history {} -n {}` shows what Helm makes of it",
                stored.secret_name, stored.release, stored.namespace
            );
            return Ok(vec![Item::new(Severity::ToDo, label, message)]);
        }
    };
    let label = label(stored, Some(rel));
    let hits = release::scan(&rel.manifest, target);
    if hits.is_empty() {
        let message = format!(
            "{}: no deprecated or removed API in its stored manifest",
            rel.status
        );
        return Ok(vec![Item::new(Severity::Fine, label, message)]);
    }
    let mut outcome = None;
    if fix != Fixing::No
        && let Some(manifest) = release::rewrite(&rel.manifest, target)
    {
        outcome = Some(if fix == Fixing::Plan {
            Outcome::Planned(original_path(saved, stored))
        } else {
            let path = save_original(saved, stored)?;
            let value = rel.with_manifest(&manifest).encode();
            match store::replace_release(cluster, stored, value, crate::clock::unix_now()).await? {
                Replaced::Done => Outcome::Written(path, release::scan(&manifest, target)),
                Replaced::Conflict => Outcome::Conflict,
            }
        });
    }
    Ok(hits
        .iter()
        .map(|hit| item(&label, hit, outcome.as_ref()))
        .collect())
}

/// `release <namespace>/<name> v<revision>`: what the release itself says,
/// where it says it (the Secret's labels are Helm's copy for selecting); its
/// namespace is the objects', which helm-controller may keep apart from the
/// Secret's (storageNamespace).
fn label(stored: &Stored, rel: Option<&release::Release>) -> String {
    let name = rel
        .map(|r| r.name.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or(&stored.release);
    let revision = rel
        .map(|r| r.revision)
        .filter(|r| *r != 0)
        .unwrap_or(stored.revision);
    let mut label = format!("release {}/{name} v{revision}", stored.namespace);
    if let Some(rel) = rel
        && !rel.namespace.is_empty()
        && rel.namespace != stored.namespace
    {
        label.push_str(&format!(" (objects in {})", rel.namespace));
    }
    label
}

/// The releases whose stored manifest `--fix-helm-releases` would rewrite.
fn to_rewrite(releases: &[Decoded], target: KubeVersion) -> Vec<String> {
    releases
        .iter()
        .filter_map(|(stored, rel)| {
            let rel = rel.as_ref().ok()?;
            release::rewrite(&rel.manifest, target)?;
            Some(format!(
                "{} (Secret {}/{})",
                label(stored, Some(rel)),
                stored.namespace,
                stored.secret_name
            ))
        })
        .collect()
}

/// In a terminal, the rewrites first and a question; declined, nothing is
/// rewritten and the section reports as without the flag.
fn confirm_rewrites(
    ctx: &Ctx,
    releases: &[Decoded],
    target: KubeVersion,
    saved: &Path,
) -> Result<Fixing> {
    let list = to_rewrite(releases, target);
    if list.is_empty() {
        return Ok(Fixing::Write);
    }
    println!("--fix-helm-releases would rewrite the stored manifest of:");
    for release in &list {
        println!("  {release}");
    }
    println!("each Secret saved first under {}", saved.display());
    if ctx.ui.confirm("Rewrite these stored releases?")? {
        return Ok(Fixing::Write);
    }
    ctx.ui.note("the stored releases were left as they are");
    Ok(Fixing::No)
}

fn item(label: &str, hit: &Hit, outcome: Option<&Outcome>) -> Item {
    let f = &hit.finding;
    let subject = format!("{label} {}/{}", f.kind, f.name);
    let Some(fix) = &hit.fix else {
        let message = format!(
            "stored as {}, deprecated in {} and removed in {}; use {}",
            f.api_version, f.deprecated_in, f.removed_in, f.replacement
        );
        return Item::new(Severity::ToDo, subject, message).fix(format!(
            "upgrade the chart to a version using {}",
            f.replacement
        ));
    };
    let stored_as = format!(
        "stored as {}, removed in {}: Helm cannot build the release's current objects, so its next upgrade fails",
        f.api_version, f.removed_in
    );
    let what = match fix {
        Fix::Rewrite(new) => format!("rewritten to {new}"),
        Fix::Drop => "no API replaces it: dropped from the stored manifest".to_string(),
        Fix::Manual(why) => {
            return Item::new(Severity::Blocking, subject, stored_as).fix(why.clone());
        }
    };
    match outcome {
        None => {
            let message = match fix {
                Fix::Drop => format!("{stored_as}; no API replaces it"),
                _ => format!("{stored_as}; use {}", f.replacement),
            };
            Item::new(Severity::Blocking, subject, message).fix(FIX)
        }
        Some(Outcome::Conflict) => Item::new(
            Severity::Blocking,
            subject,
            format!("{stored_as}; the release changed while it was being rewritten, so nothing was written"),
        )
        .fix(FIX),
        Some(Outcome::Planned(path)) => Item::new(
            Severity::Blocking,
            subject,
            format!(
                "{stored_as}; --fix-helm-releases would write: {what} (dry run: nothing written; the original would be saved to {})",
                path.display()
            ),
        )
        .fix(FIX),
        Some(Outcome::Written(_, remaining)) if remaining.iter().any(|r| same(r, hit)) => {
            Item::new(
                Severity::Blocking,
                subject,
                format!("{stored_as}; its apiVersion is not on a top-level line of its own, so it was left"),
            )
            .fix("rewrite the stored release by hand (`helm mapkubeapis`)")
        }
        Some(Outcome::Written(path, _)) => Item::new(
            Severity::Fine,
            subject,
            format!(
                "was stored as {}: {what} (original saved to {})",
                f.api_version,
                path.display()
            ),
        ),
    }
}

fn same(a: &Hit, b: &Hit) -> bool {
    let (a, b) = (&a.finding, &b.finding);
    (&a.kind, &a.namespace, &a.name, &a.api_version)
        == (&b.kind, &b.namespace, &b.name, &b.api_version)
}

/// The Secret as read, in `dir/<namespace>.<secret>.json` (0600); a file
/// already there is the earlier original and is kept.
fn save_original(dir: &Path, stored: &Stored) -> Result<PathBuf> {
    let path = original_path(dir, stored);
    if path.exists() {
        return Ok(path);
    }
    crate::fsx::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(&stored.secret).expect("a Secret serializes");
    crate::fsx::write_atomic(&path, &json, Some(0o600))?;
    Ok(path)
}

fn original_path(dir: &Path, stored: &Stored) -> PathBuf {
    dir.join(format!("{}.{}.json", stored.namespace, stored.secret_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(manifest: &str) -> Vec<Hit> {
        release::scan(manifest, KubeVersion::parse("1.33").unwrap())
    }

    const PDB: &str =
        "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: m\n";

    #[test]
    fn items_say_what_blocks_and_what_the_fix_did() {
        let hit = &hits(PDB)[0];
        let label = "release kube-system/m v1";
        let blocking = item(label, hit, None);
        assert_eq!(blocking.severity, Severity::Blocking);
        assert_eq!(
            blocking.subject,
            "release kube-system/m v1 PodDisruptionBudget/m"
        );
        assert!(
            blocking
                .message
                .starts_with("stored as policy/v1beta1, removed in 1.25")
                && blocking.message.ends_with("; use policy/v1"),
            "{blocking:?}"
        );
        assert_eq!(blocking.fix, FIX);
        let written = Outcome::Written(PathBuf::from("/w/x.json"), Vec::new());
        let fine = item(label, hit, Some(&written));
        assert_eq!(fine.severity, Severity::Fine);
        assert_eq!(
            fine.message,
            "was stored as policy/v1beta1: rewritten to policy/v1 (original saved to /w/x.json)"
        );
        let left = Outcome::Written(PathBuf::from("/w/x.json"), hits(PDB));
        assert_eq!(item(label, hit, Some(&left)).severity, Severity::Blocking);
        let conflict = item(label, hit, Some(&Outcome::Conflict));
        assert!(conflict.message.contains("nothing was written"));
        let planned = item(label, hit, Some(&Outcome::Planned("/w/x.json".into())));
        assert_eq!(planned.severity, Severity::Blocking);
        assert!(
            planned
                .message
                .ends_with("--fix-helm-releases would write: rewritten to policy/v1 (dry run: nothing written; the original would be saved to /w/x.json)"),
            "{planned:?}"
        );
        let deprecated = &release::scan(PDB, KubeVersion::parse("1.24").unwrap())[0];
        assert_eq!(item(label, deprecated, None).severity, Severity::ToDo);
    }

    #[test]
    fn the_first_original_saved_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("helm-releases");
        let mut stored = Stored {
            namespace: "kube-system".into(),
            secret_name: "sh.helm.release.v1.m.v1".into(),
            release: "m".into(),
            revision: 1,
            value: Vec::new(),
            secret: Default::default(),
        };
        stored.secret.metadata.resource_version = Some("1".into());
        let path = save_original(&dir, &stored).unwrap();
        assert_eq!(path, dir.join("kube-system.sh.helm.release.v1.m.v1.json"));
        let first = std::fs::read_to_string(&path).unwrap();
        assert!(first.contains("\"resourceVersion\": \"1\""), "{first}");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        stored.secret.metadata.resource_version = Some("2".into());
        assert_eq!(save_original(&dir, &stored).unwrap(), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
    }
}
