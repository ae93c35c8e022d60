//! Installing Flux when the cluster has none: from `--flux-manifests`, else
//! the manifest at `--flux-manifest-url`, else `flux install`, else (no CLI)
//! the pinned release's install manifest (see `flux::release`).

use std::path::{Path, PathBuf};

use crate::child::Child;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::flux;
use crate::flux::release;
use crate::kube::wait::Limits;
use crate::kube::{self, Cluster};
use crate::readiness::KubeVersion;

/// Where Flux would come from.
pub(super) enum Source {
    File(PathBuf),
    Release(release::Source),
    Cli(PathBuf),
}

impl Source {
    /// As the dry run names it.
    pub(super) fn describe(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Release(s) => format!("{} (sha256 {}… checked first)", s.url, &s.sha256[..12]),
            Source::Cli(_) => "`flux install`".into(),
        }
    }
}

/// The source [`install`] uses, in that order.
pub(super) fn install_source(ctx: &Ctx) -> Result<Source> {
    let settings = &ctx.config.settings;
    if let Some(path) = &settings.flux_manifests {
        return Ok(Source::File(path.clone()));
    }
    let given = settings.flux_manifest_url.is_some();
    if let Some(cli) = which::which("flux").ok().filter(|_| !given) {
        return Ok(Source::Cli(cli));
    }
    // No CLI (or a URL given): the release's install manifest, checked.
    Ok(Source::Release(release::source(
        settings.flux_manifest_url.as_deref(),
        settings.flux_manifest_sha256.as_deref(),
    )?))
}

/// Refuse a Flux release that does not support the Kubernetes version the
/// cluster serves, before installing it: the release eks-workshop pins, or
/// the one a `--flux-manifests` file labels its controllers with. `flux
/// install` is the CLI's own release: not judged here.
pub(super) fn supports(source: &Source, served: KubeVersion) -> Result<()> {
    use crate::readiness::flux_support::{FluxSupport, support, supporting};
    let version = match source {
        Source::Release(_) => flux::FLUX_VERSION.to_string(),
        Source::File(path) => {
            let text = crate::config::read_manifests(path)?;
            match labelled_version(&text) {
                Some(v) => v,
                None => return Ok(()),
            }
        }
        Source::Cli(_) => return Ok(()),
    };
    let FluxSupport::No { tested } = support(&version, served) else {
        return Ok(());
    };
    let others = supporting(served);
    Err(Error::usage(
        format!(
            "Flux {version}, the release setup would install, does not support the Kubernetes {served} this cluster serves ({tested})"
        ),
        match others.is_empty() {
            true => format!(
                "no Flux release eks-workshop knows supports Kubernetes {served}; upgrade the cluster first"
            ),
            false => format!(
                "pass --flux-manifests FILE with `flux install --export` of Flux {} (it supports {served}), or upgrade the cluster first",
                others.join(" or ")
            ),
        },
    ))
}

/// The `app.kubernetes.io/version` a Flux install manifest labels its
/// objects with (the first one).
fn labelled_version(text: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let value = line.trim().strip_prefix("app.kubernetes.io/version:")?;
        let value = value.trim().trim_matches(['"', '\'']);
        (!value.is_empty()).then(|| value.to_string())
    })
}

async fn install_file(
    ctx: &Ctx,
    cluster: &Cluster,
    path: &Path,
    limits: &Limits,
) -> Result<String> {
    ctx.ui
        .progress(&format!("installing Flux from {}", path.display()));
    let text = crate::config::read_manifests(path)?;
    let count = kube::apply_manifest(cluster, &path.display().to_string(), &text, limits).await?;
    Ok(format!(
        "installed Flux from {} ({count} objects)",
        path.display()
    ))
}

async fn install_release(
    ctx: &Ctx,
    cluster: &Cluster,
    source: &release::Source,
    limits: &Limits,
) -> Result<String> {
    ctx.ui.progress(&format!(
        "fetching Flux's install manifest from {}",
        source.url
    ));
    let text = release::fetch(source, limits).await?;
    let count = kube::apply_manifest(cluster, &source.url, &text, limits).await?;
    Ok(format!(
        "installed Flux from {} (sha256 {}…, {count} objects)",
        source.url,
        &source.sha256[..12]
    ))
}

/// Install Flux: the `--flux-manifests` file when given; else the manifest
/// at `--flux-manifest-url`; else `flux install`; else, with no CLI, the
/// pinned release's install manifest (see `flux::release`).
pub(super) async fn install(ctx: &Ctx, cluster: &Cluster, limits: &Limits) -> Result<String> {
    let flux_cli = match install_source(ctx)? {
        Source::File(path) => return install_file(ctx, cluster, &path, limits).await,
        Source::Release(source) => return install_release(ctx, cluster, &source, limits).await,
        Source::Cli(flux_cli) => flux_cli,
    };
    let mut args = vec!["install".to_string()];
    if cluster.context != "in-cluster" {
        args.push(format!("--context={}", cluster.context));
    }
    if let Some(path) = &cluster.kubeconfig {
        args.push(format!("--kubeconfig={}", path.display()));
    }
    let shown = format!("flux {}", args.join(" "));
    ctx.ui.progress(&format!("running `{shown}`"));
    let child = Child::at(&flux_cli)
        .named("flux")
        .args(&args)
        .timeout(limits.remaining())
        .interrupted(limits.interrupted());
    tokio::task::spawn_blocking(move || child.run())
        .await
        .map_err(|e| Error::Command {
            command: shown.clone(),
            message: e.to_string(),
        })??;
    let crds: Vec<String> = flux::CRDS.iter().map(|s| s.to_string()).collect();
    ctx.ui.progress("waiting for Flux's CRDs to be Established");
    kube::wait_crds_established(cluster, &crds, limits).await?;
    cluster.forget_resources();
    Ok(format!("installed Flux with `{shown}`"))
}
