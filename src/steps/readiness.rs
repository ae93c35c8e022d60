//! readiness (`upgrade`): nothing blocks the hop's Kubernetes version but
//! what the plan itself fixes. It only reads: HEAD converted as the plan
//! would convert it and bump its add-on charts (in a scratch copy), then
//! scanned as `verify` scans; with the add-on, Helm-release and AWS checks
//! `verify` runs. What is left, and an add-on whose upgrade path needs a
//! person (a migration, named with its guide), stops the upgrade before
//! anything changes, named for the participant.

use super::Checked;
use crate::checks::{self, helm_releases::Fixing};
use crate::config::CLUSTER_PATH;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::plan::Driver;
use crate::readiness::KubeVersion;
use crate::{git, manifests};

pub(super) async fn check(
    ctx: &Ctx,
    to: KubeVersion,
    driver: &Driver,
    end: bool,
) -> Result<Checked> {
    // Resumed while the hop's own update runs: the gate was passed before
    // it began, and what the update shows meanwhile (an UPDATING cluster)
    // is the plan's doing.
    if let Driver::Eks { .. } = driver
        && let Some(id) = super::control_plane::eks(ctx, driver)?.version_update_in_progress()?
    {
        return Ok(Checked::done(format!(
            "the hop is under way: EKS update {id} in progress"
        )));
    }
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let scratch = crate::fsx::scratch_dir()?;
    git::export_head(&repo, scratch.path())?;
    let before = manifests::scan_repo(scratch.path(), to, CLUSTER_PATH)?;
    // What the conversion and chart steps change is the plan's to fix.
    manifests::fix_repo(scratch.path(), to)?;
    let charts = manifests::charts::plan(scratch.path(), CLUSTER_PATH, to)?;
    manifests::charts::bump_tree(scratch.path(), &charts)?;
    let tree = manifests::Tree::read(scratch.path(), CLUSTER_PATH)?;
    let after = manifests::report(&tree, to);
    let mut items: Vec<String> = after
        .failing_problems(false)
        .iter()
        .map(|p| match p.line {
            0 => format!("{}: {}", p.file, p.message),
            line => format!("{}:{line}: {}", p.file, p.message),
        })
        .collect();
    // A chart the plan bumps is pushed and applied before the control
    // plane moves; one whose path crosses a migration is named with it.
    let planned: Vec<String> = (charts.bumps.iter().map(|b| b.id()))
        .chain(charts.stops.iter().map(|s| s.id()))
        .collect();
    items.extend((charts.stops.iter()).map(|stop| format!("add-ons: {}", stop.describe(to))));
    if let Some(item) = flux_blocks(ctx, to).await? {
        items.push(item);
    }
    for section in checks::sections(ctx, &tree, to, Fixing::No).await? {
        // Flux's support is the flux-upgrade step's (and `flux_blocks`').
        if section.name == checks::flux_support::NAME {
            continue;
        }
        for item in section.blocking() {
            let add_on = item.facts.get("add_on").and_then(|v| v.as_str());
            if add_on.is_some_and(|id| planned.iter().any(|p| p == id)) {
                continue;
            }
            // The cluster behind the repo (a bump pushed before a kill, or
            // not yet applied): the hop pushes and waits for Flux to apply
            // it before the control plane moves. The repo's version itself
            // is judged by its own item.
            if item.facts.get("check").and_then(|v| v.as_str()) == Some("add-on-running") {
                continue;
            }
            items.push(format!(
                "{}: {}: {}",
                section.name, item.subject, item.message
            ));
        }
    }
    if !items.is_empty() {
        return Err(Error::UpgradeBlocked {
            to: to.to_string(),
            items,
            help: format!(
                "fix these in the clone and commit (`eks-workshop verify --target-version {to}` shows the whole report), then run `eks-workshop upgrade` again; nothing was changed"
            ),
        });
    }
    let cluster = ctx.cluster().await?;
    let now = crate::clock::unix_now();
    if end && let Some(hop) = ctx.state.outputs.hops.get(&to.to_string()) {
        let line = crate::upgrade::hop::summary(&cluster, &repo, hop, to, now).await?;
        return Ok(
            Checked::done(format!("nothing blocks Kubernetes {to}; {line}"))
                .learning(crate::state::Learned::HopEnded(to.to_string(), now)),
        );
    }
    let mut fixes = Vec::new();
    match before.failing_problems(false).len() {
        0 => {}
        n => fixes.push(format!("converts {n} object(s)")),
    }
    if !charts.bumps.is_empty() {
        let bumps: Vec<String> = charts.bumps.iter().map(|b| b.describe()).collect();
        fixes.push(format!("bumps {}", bumps.join(", ")));
    }
    let found = Checked::done(match fixes.is_empty() {
        true => format!("nothing blocks Kubernetes {to}"),
        false => format!(
            "nothing blocks Kubernetes {to} once the plan {}",
            fixes.join(" and ")
        ),
    });
    // The hop begins here: how the world was, for what its end says.
    if end || ctx.state.outputs.hops.contains_key(&to.to_string()) {
        return Ok(found);
    }
    let hop = crate::upgrade::hop::began(&cluster, &repo, to, now).await?;
    Ok(found.learning(crate::state::Learned::HopBegan(to.to_string(), hop)))
}

/// Flux running a release that does not support `to`, when the release
/// eks-workshop installs does not either: the plan cannot upgrade Flux there.
async fn flux_blocks(ctx: &Ctx, to: KubeVersion) -> Result<Option<String>> {
    use crate::readiness::flux_support::{FluxSupport, support};
    let cluster = ctx.cluster().await?;
    let Some(running) = crate::flux::installed_version(&cluster).await? else {
        return Ok(None);
    };
    let FluxSupport::No { tested } = support(&running, to) else {
        return Ok(None);
    };
    Ok(match support(crate::flux::FLUX_VERSION, to) {
        // The plan upgrades it, from where setup would install it.
        FluxSupport::Yes { .. } => match super::flux::install_source(ctx) {
            Ok(_) => None,
            Err(_) => Some(format!(
                "flux: Flux {running} does not support Kubernetes {to} ({tested}); the plan upgrades it, and has nowhere to take it from: pass --flux-manifests FILE (the output of `flux install --export` of {v} or later), put the flux CLI on PATH, or pass --flux-manifest-sha256 HEX of {v}'s install.yaml",
                v = crate::flux::FLUX_VERSION
            )),
        },
        _ => Some(format!(
            "flux: Flux {running} does not support Kubernetes {to} ({tested}), and neither does Flux {}, the release eks-workshop installs: upgrade Flux to a release that does first (`flux install` of it), then run `eks-workshop upgrade` again",
            crate::flux::FLUX_VERSION
        )),
    })
}
