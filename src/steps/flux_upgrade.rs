//! flux-upgrade (`upgrade`): Flux is one of the cluster's self-managed
//! add-ons. When the release running on the cluster does not support the
//! hop's Kubernetes version (`readiness/flux.yaml`), it is upgraded before
//! the control plane moves, from the same source setup installs it from
//! (`--flux-manifests`, `flux install`, or the pinned release's manifest),
//! applied over the running one. Done when the running release supports the
//! version; a release whose version is not labelled is not judged.

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::Result;
use crate::flux;
use crate::readiness::KubeVersion;
use crate::readiness::flux_support::{FluxSupport, support};

/// Where the running Flux stands at `to`.
enum Running {
    Supports(String),
    Unsupported { version: String, why: String },
    Unjudged(String),
}

async fn running(ctx: &Ctx, to: KubeVersion) -> Result<Running> {
    let cluster = ctx.cluster().await?;
    let Some(version) = flux::installed_version(&cluster).await? else {
        return Ok(Running::Unjudged(
            "Flux's controllers carry no version label: not judged".into(),
        ));
    };
    Ok(match support(&version, to) {
        FluxSupport::Yes { tested } => Running::Supports(format!(
            "Flux {version} supports Kubernetes {to} ({tested})"
        )),
        FluxSupport::No { tested } => Running::Unsupported {
            version,
            why: tested,
        },
        FluxSupport::Unknown { why } => Running::Unjudged(format!("{why}: not judged")),
    })
}

pub(super) async fn check(ctx: &Ctx, to: KubeVersion) -> Result<Checked> {
    Ok(match running(ctx, to).await? {
        Running::Supports(detail) | Running::Unjudged(detail) => Checked::done(detail),
        Running::Unsupported { version, why } => Checked::to_do(format!(
            "Flux {version} does not support Kubernetes {to} ({why}): to upgrade to {}",
            flux::FLUX_VERSION
        )),
    })
}

/// The install over the running Flux. The step is planned again after it:
/// a release that still does not support `to` stops the step (see `run`).
pub(super) async fn effects(ctx: &Ctx, to: KubeVersion) -> Result<Vec<Effect>> {
    match running(ctx, to).await? {
        Running::Supports(_) | Running::Unjudged(_) => Ok(Vec::new()),
        Running::Unsupported { version, .. } => Ok(vec![
            Effect::Say {
                message: format!(
                    "upgrading Flux {version} to a release that supports Kubernetes {to}"
                ),
                warning: false,
            },
            Effect::InstallFlux {
                from: super::flux::install_source(ctx)?,
            },
        ]),
    }
}
