//! `verify`'s Flux section: Flux is one of the cluster's add-ons, and each
//! Flux release supports a window of Kubernetes versions
//! (`readiness/flux.yaml`). The release running on the cluster (its
//! controllers' version label) is judged against the target; with no Flux
//! yet, the release `setup` would install is.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::flux::FLUX_VERSION;
use crate::readiness::KubeVersion;
use crate::readiness::flux_support::{FluxSupport, support, supporting};
use crate::verdict::{Item, Section, Severity};

pub(crate) const NAME: &str = "flux";

pub(crate) async fn section(ctx: &Ctx, target: KubeVersion) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(NAME, "offline (no cluster is asked)"));
    }
    let cluster = ctx.cluster().await?;
    let running = crate::flux::installed_version(&cluster).await?;
    let absent = !crate::flux::missing(&cluster).await?.is_empty();
    let item = match (running, absent) {
        (Some(version), _) => judge(&version, target, "running"),
        (None, true) => judge(FLUX_VERSION, target, "setup installs"),
        (None, false) => Item::new(
            Severity::ToDo,
            "Flux",
            "Flux's controllers carry no version label (app.kubernetes.io/version): its support of the target is not judged",
        )
        .fix("run `flux version` and compare with the release's supported Kubernetes versions"),
    };
    Ok(Section::ran(NAME, vec![item.fact("check", "flux-support")]))
}

/// One item: `version` of Flux (the release `role`: running, or setup
/// installs) at `target`.
fn judge(version: &str, target: KubeVersion, role: &str) -> Item {
    let subject = format!("Flux {version} ({role})");
    let (severity, message) = match support(version, target) {
        FluxSupport::Yes { tested } => (
            Severity::Fine,
            format!("supports Kubernetes {target}: {tested}"),
        ),
        // Past the release's window: what an upgrade to the target meets.
        // Below its floor (a target older than the release): only a
        // downgrade would, which nothing here does.
        FluxSupport::No { tested } if newer_than_running(version, &supporting(target)) => (
            Severity::Blocking,
            format!("does not support Kubernetes {target}: {tested}"),
        ),
        FluxSupport::No { tested } => (
            Severity::ToDo,
            format!("Kubernetes {target} is below what it supports: {tested}"),
        ),
        FluxSupport::Unknown { why } => (Severity::ToDo, why),
    };
    let releases = supporting(target);
    let fix = match releases.first() {
        Some(oldest) => format!(
            "Flux {oldest}+ ({}) supports Kubernetes {target}: `eks-workshop upgrade` upgrades Flux to {FLUX_VERSION} before the control plane moves, or run `flux install` of one of them",
            releases.join(", ")
        ),
        None => format!(
            "no Flux release eks-workshop knows supports Kubernetes {target}: check Flux's release notes"
        ),
    };
    let item = Item::new(severity, &subject, message)
        .fact("flux_version", version)
        .fact("target", target.to_string())
        .fact("supported_by", &releases);
    match severity {
        Severity::Fine => item,
        _ => item.fix(fix),
    }
}

/// Whether the releases that support the target (or, with none known,
/// any) are newer than `running`.
fn newer_than_running(running: &str, releases: &[String]) -> bool {
    use crate::readiness::version::Release;
    let Some(running) = Release::parse(running) else {
        return false;
    };
    match releases.first().and_then(|r| Release::parse(r)) {
        Some(oldest) => oldest > running,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> KubeVersion {
        KubeVersion::parse(s).unwrap()
    }

    #[test]
    fn a_release_past_its_window_blocks_and_names_the_releases_that_support_the_target() {
        let item = judge("v2.6.0", k("1.34"), "running");
        assert_eq!(item.severity, Severity::Blocking);
        assert!(item.message.contains("1.31-1.33"), "{}", item.message);
        assert!(item.fix.contains("2.7+ (2.7, 2.8, 2.9)"), "{}", item.fix);
        assert_eq!(
            judge("v2.9.5", k("1.34"), "running").severity,
            Severity::Fine
        );
        assert_eq!(
            judge("v9.0.0", k("1.34"), "running").severity,
            Severity::ToDo
        );
        assert!(
            judge("v2.9.5", k("1.40"), "running")
                .fix
                .contains("no Flux release")
        );
    }
}
