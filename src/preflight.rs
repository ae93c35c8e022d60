//! The preflight before a push: would the cluster accept what Flux is about
//! to apply from HEAD? Every object reachable from the cluster path must be
//! of a kind and version the cluster serves, or will serve (the Flux that the
//! flux step installs, the CRDs an enabled add-on's chart brings), and its
//! label and annotation values must be strings.
//!
//! Offline (no cluster), only the Flux kinds are checked, against the Flux
//! eks-workshop installs; label values always are.

use std::collections::{BTreeSet, HashSet};

use crate::addon_catalog::{self, ADDONS_KUSTOMIZATION};
use crate::config::CLUSTER_PATH;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::git;
use crate::manifests::Tree;
use crate::manifests::flux_migration::{self, FluxApis};
use crate::readiness::Problem;

/// Stop with every problem, by `file:line`, before anything is pushed.
pub(super) async fn check_head(ctx: &Ctx, repo: &git2::Repository) -> Result<()> {
    let tmp = crate::fsx::scratch_dir()?;
    git::export_head(repo, tmp.path())?;
    let tree = Tree::read(tmp.path(), CLUSTER_PATH)?;
    let found = problems(ctx, &tree).await?;
    // Each kustomization builds (verify's scan checks the same, so not in
    // `problems`).
    let kubectl = which::which("kubectl").ok();
    let builds = crate::manifests::applied_builds(&tree, kubectl.as_deref());
    if found.is_empty() && builds.is_empty() {
        return Ok(());
    }
    let mut help = Vec::new();
    if !found.is_empty() {
        // Every plan with a push runs the migrate step first, and under
        // --no-migrate that step stops on what it would convert: what is left
        // here is what it cannot convert, so rerunning it would not help.
        help.push("eks-workshop's migrate step converts Flux APIs and label values where it can and warns about the rest: convert those lines by hand, commit, then run the command again; other APIs: `eks-workshop verify --fix`, or by hand");
    }
    if !builds.is_empty() {
        help.push("fix the kustomization (add the file it lists, or remove the entry), commit, then run the command again");
    }
    Err(Error::Preflight {
        problems: found
            .iter()
            .chain(&builds)
            .map(|p| format!("  {}:{}: {}", p.file, p.line, p.message))
            .collect(),
        help: help.join("; "),
    })
}

/// What the cluster would refuse of what Flux applies from `tree` (a
/// clone's working tree, or HEAD exported): objects of a kind and version
/// nothing serves or will serve, and label or annotation values that are
/// not strings. For `verify` too.
pub(crate) async fn problems(ctx: &Ctx, tree: &Tree) -> Result<Vec<Problem>> {
    let objects = tree.preflight_objects();
    let served = served(ctx, &objects, tree.root()).await;
    let found = flux_migration::preflight(&objects, &served);
    let mut out = Vec::new();
    for u in &found.unserved {
        let instead = if u.served_instead.is_empty() {
            "nothing of that group and kind is served".to_string()
        } else {
            format!("the cluster serves {}", u.served_instead.join(", "))
        };
        out.push(Problem {
            file: u.file.clone(),
            line: u.line,
            message: format!(
                "{} {} is {}, which the cluster does not serve; {instead}",
                u.kind, u.name, u.api_version
            ),
        });
    }
    for (file, line, what) in &found.non_strings {
        out.push(Problem {
            file: file.clone(),
            line: *line,
            message: what.clone(),
        });
    }
    Ok(out)
}

/// What the cluster serves or will serve. Offline: the objects' own kinds,
/// except Flux's, which must be what eks-workshop's Flux serves.
async fn served(
    ctx: &Ctx,
    objects: &[flux_migration::AppliedObject],
    head: &std::path::Path,
) -> BTreeSet<(String, String)> {
    let flux: BTreeSet<(String, String)> = FluxApis::current()
        .served
        .into_iter()
        .map(|(kind, api)| (api, kind))
        .collect();
    let cluster = if ctx.offline() {
        None
    } else {
        ctx.cluster_if_reachable().await
    };
    let mut served = match cluster {
        Some(cluster) => match crate::kube::served(&cluster).await {
            Ok(served) => served,
            Err(_) => not_flux(objects),
        },
        None => not_flux(objects),
    };
    // The flux step installs Flux when the cluster has none yet.
    if !served.iter().any(|(a, _)| is_flux(a)) {
        served.extend(flux);
    }
    // An enabled add-on's chart brings its CRDs.
    // Not through a link (the push refuses one there; verify reports it).
    let text = crate::fsx::read_string_in(head, ADDONS_KUSTOMIZATION)
        .ok()
        .flatten()
        .unwrap_or_default();
    for addon in addon_catalog::ADDONS {
        if crate::kustomize::is_enabled(&text, addon.entry_in(&text)) {
            served.extend(
                addon
                    .brings
                    .iter()
                    .map(|(a, k)| (a.to_string(), k.to_string())),
            );
        }
    }
    served
}

fn is_flux(api_version: &str) -> bool {
    api_version.contains(".toolkit.fluxcd.io/")
}

fn not_flux(objects: &[flux_migration::AppliedObject]) -> BTreeSet<(String, String)> {
    // Each kind once, then owned: not two strings per object.
    let kinds: HashSet<(&str, &str)> = objects
        .iter()
        .filter(|o| !is_flux(&o.api_version))
        .map(|o| (o.api_version.as_str(), o.kind.as_str()))
        .collect();
    kinds
        .into_iter()
        .map(|(a, k)| (a.to_owned(), k.to_owned()))
        .collect()
}
