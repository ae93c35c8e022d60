//! control-plane (`upgrade`): the API server serves the hop's Kubernetes
//! version. Done when it does (the version a cluster serves: the emulated
//! one when the server reports one). The driver moves it: the participant's
//! terraform (its plan reviewed first), EKS's own update, or the participant
//! (eks-workshop says what to run and waits).

use std::time::{Duration, Instant};

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::plan::Driver;
use crate::readiness::KubeVersion;
use crate::upgrade::eks::{AddonMove, Eks};
use crate::upgrade::terraform::{self, Terraform};

pub(super) async fn check(ctx: &Ctx, to: KubeVersion, driver: &Driver) -> Result<Checked> {
    let served = served_by(ctx, driver).await?;
    if served >= to {
        // With the eks driver, its managed add-ons move with it.
        if let Driver::Eks { .. } = driver {
            let moves = eks(ctx, driver)?.addon_moves(&to.to_string())?;
            if !moves.is_empty() {
                return Ok(Checked::to_do(format!(
                    "the control plane serves Kubernetes {served}; managed add-ons to move: {}",
                    describe_moves(&moves)
                )));
            }
        }
        return Ok(Checked::done(format!(
            "the control plane serves Kubernetes {served}"
        )));
    }
    Ok(Checked::to_do(format!(
        "the control plane serves Kubernetes {served}; the {} driver moves it to {to}",
        driver.name()
    )))
}

/// The move, as the plan shows it.
pub(super) fn effects(to: KubeVersion, driver: &Driver) -> Vec<Effect> {
    let how = match driver {
        Driver::Terraform { dir } => format!(
            "`terraform plan` in {} with cluster_version = \"{to}\" (every variable through TF_VAR_*, never the command line); applied only when it changes nothing but the cluster's version and its managed add-ons",
            dir.display()
        ),
        Driver::Eks { cluster, region } => format!(
            "`aws eks update-cluster-version --name {cluster} --kubernetes-version {to}` in {region}, waited for (a resumed run waits for the same update)"
        ),
        Driver::Manual => manual_command(to),
    };
    vec![Effect::ControlPlane {
        to: to.to_string(),
        how,
        driver: driver.clone(),
    }]
}

/// Move the control plane, then wait until it serves `to`; when, is
/// recorded (Flux is asked again after it).
pub(crate) async fn perform(ctx: &mut Ctx, to: KubeVersion, driver: &Driver) -> Result<String> {
    let moved = moving(ctx, to, driver).await?;
    let now = humantime::format_rfc3339_nanos(std::time::SystemTime::now()).to_string();
    ctx.state.outputs.control_plane_moved = Some(now);
    ctx.save()?;
    Ok(moved)
}

async fn moving(ctx: &Ctx, to: KubeVersion, driver: &Driver) -> Result<String> {
    match driver {
        Driver::Eks { .. } => {
            let eks = eks(ctx, driver)?;
            let from = eks_version(&eks)?;
            by_eks(ctx, &eks, from, to).await
        }
        Driver::Terraform { dir } => {
            let from = served(ctx).await?;
            let did = by_terraform(ctx, dir, from, to).await?;
            wait_serving(ctx, to).await?;
            Ok(format!("Kubernetes {from} → {to}: {did}"))
        }
        Driver::Manual => {
            let from = served(ctx).await?;
            ctx.ui.note(&format!(
                "upgrade the control plane to Kubernetes {to} now: {}",
                manual_command(to)
            ));
            wait_serving(ctx, to).await?;
            Ok(format!("Kubernetes {from} → {to}: you moved it"))
        }
    }
}

/// The EKS cluster of the eks driver, through the participant's `aws` CLI.
pub(crate) fn eks(ctx: &Ctx, driver: &Driver) -> Result<Eks> {
    let Driver::Eks { cluster, region } = driver else {
        return Err(Error::usage("not the eks driver", "pass --driver eks"));
    };
    let aws = crate::aws_cli::Aws::find(region, ctx.interrupted.clone())?;
    Ok(Eks::new(aws, cluster))
}

/// What EKS says the control plane runs.
fn eks_version(eks: &Eks) -> Result<KubeVersion> {
    KubeVersion::parse(&eks.version()?)
}

fn describe_moves(moves: &[AddonMove]) -> String {
    moves
        .iter()
        .map(|m| format!("{} {} → {}", m.name, m.from, m.to))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `update-cluster-version` (or the update already in progress: a resumed
/// run waits for the same update, never starts a second), waited for; then
/// each managed add-on to the new version's default, one at a time.
async fn by_eks(ctx: &Ctx, eks: &Eks, from: KubeVersion, to: KubeVersion) -> Result<String> {
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    let target = to.to_string();
    let mut said = Vec::new();
    if eks_version(eks)? < to {
        let id = match eks.version_update_in_progress()? {
            Some(id) => {
                said.push(format!("waited for EKS update {id}, already in progress"));
                id
            }
            None => {
                let id = eks.start_version_update(&target)?;
                said.push(format!("EKS update {id}"));
                id
            }
        };
        crate::pause::point("control-plane:update-started");
        let what = format!("the control plane's update to Kubernetes {to}");
        eks.wait_update(&id, &what, None, None, &limits, &progress)
            .await?;
    }
    let moves = eks.addon_moves(&target)?;
    for m in &moves {
        let id = match eks.addon_update_in_progress(&m.name)? {
            Some(id) => id,
            None => eks.update_addon(&m.name, &m.to)?,
        };
        let what = format!("add-on {}'s update to {}", m.name, m.to);
        eks.wait_update(&id, &what, None, Some(&m.name), &limits, &progress)
            .await?;
    }
    if !moves.is_empty() {
        said.push(format!("add-ons {}", describe_moves(&moves)));
    }
    Ok(format!("Kubernetes {from} → {to}: {}", said.join("; ")))
}

fn manual_command(to: KubeVersion) -> String {
    format!(
        "in the workshop's terraform directory, `TF_VAR_cluster_version={to} terraform apply` (the token as TF_VAR_git_password, never -var), or `aws eks update-cluster-version --name <cluster> --kubernetes-version {to}`; eks-workshop waits until the API server serves {to}"
    )
}

async fn by_terraform(
    ctx: &Ctx,
    dir: &std::path::Path,
    from: KubeVersion,
    to: KubeVersion,
) -> Result<String> {
    let tf = Terraform::find(&ctx.limits())?;
    let mut vars = vec![("cluster_version", to.to_string())];
    vars.extend(terraform_vars(ctx).await?);
    // The saved plan holds the variables (the token too): it lives in a
    // private scratch dir, gone when the step ends.
    let scratch = crate::fsx::scratch_dir()?;
    let plan_file = terraform::plan_path(scratch.path(), &to.to_string());
    ctx.ui
        .progress(&format!("{} plan with cluster_version = {to}", tf.name()));
    let plan = tf.plan(dir, &vars, &plan_file)?;
    let review = terraform::review(&plan, &from.to_string(), &to.to_string());
    let listed = |cs: &[terraform::Change]| {
        cs.iter()
            .map(terraform::Change::describe)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !review.refused.is_empty() {
        return Err(Error::Blocked {
            what: format!("the {} plan for Kubernetes {to}", tf.name()),
            detail: format!(
                "besides the cluster's version it would change {}; nothing was applied",
                listed(&review.refused)
            ),
            help: format!(
                "an upgrade's apply changes only the cluster's version and its managed add-ons: look at `{} plan` in {}, settle the rest (Flux is eks-workshop's: the workshop's cleanup runs `terraform state rm 'module.flux_v2'`), then `eks-workshop resume`",
                tf.name(),
                dir.display()
            ),
        });
    }
    if review.allowed.is_empty() {
        return Err(Error::Blocked {
            what: format!("the {} plan for Kubernetes {to}", tf.name()),
            detail: format!(
                "it changes nothing, yet the cluster serves {from}: does {} take its version from the variable cluster_version?",
                dir.display()
            ),
            help: "pass the workshop's terraform directory with --terraform-dir, or use --driver manual".into(),
        });
    }
    ctx.ui
        .progress(&format!("{} apply: {}", tf.name(), listed(&review.allowed)));
    crate::pause::point("control-plane:before-apply");
    tf.apply(dir, &vars, &plan_file)?;
    Ok(format!("{} applied {}", tf.name(), listed(&review.allowed)))
}

/// The workshop's terraform variables eks-workshop knows (the token is
/// `git_password`), for `TF_VAR_*`: never a command line.
pub(crate) async fn terraform_vars(ctx: &Ctx) -> Result<Vec<(&'static str, String)>> {
    let mut vars = vec![("git_branch", ctx.config.settings.branch.clone())];
    if let Some(url) = ctx.remote_url() {
        vars.push(("git_url", url));
    }
    if let Some((login, token)) = ctx.git_auth().await? {
        vars.push(("git_username", login));
        vars.push(("git_password", token.expose().to_string()));
    }
    Ok(vars)
}

/// The Kubernetes version the control plane serves, as the driver's world
/// says it: EKS's own word for the eks driver, else the API server's.
pub(crate) async fn served_by(ctx: &Ctx, driver: &Driver) -> Result<KubeVersion> {
    match driver {
        Driver::Eks { .. } => eks_version(&eks(ctx, driver)?),
        Driver::Terraform { .. } | Driver::Manual => served(ctx).await,
    }
}

/// The Kubernetes version the API server serves now.
pub(crate) async fn served(ctx: &Ctx) -> Result<KubeVersion> {
    let cluster = ctx.cluster().await?;
    let version = crate::flux::cluster_report::server_version(&cluster).await?;
    KubeVersion::parse(&version.minor_version())
}

/// Until the API server serves `to`; while it restarts it does not answer,
/// which is waited out like the rest.
async fn wait_serving(ctx: &Ctx, to: KubeVersion) -> Result<()> {
    let started = Instant::now();
    let mut delays = crate::backoff::polling(Duration::from_millis(500));
    loop {
        let now = served(ctx).await;
        if let Ok(v) = &now
            && *v >= to
        {
            return Ok(());
        }
        ctx.check_interrupt()?;
        if started.elapsed() > ctx.config.timeout {
            let detail = match now {
                Ok(v) => format!("it still serves {v}"),
                Err(e) => format!("it does not answer: {e}"),
            };
            return Err(Error::Timeout {
                what: format!("the control plane to serve Kubernetes {to}"),
                detail,
                after: ctx.config.timeout,
            });
        }
        ctx.ui.progress(&format!(
            "waiting for the API server to serve Kubernetes {to} ({}s)",
            started.elapsed().as_secs()
        ));
        let delay = delays.next().expect("polling never ends");
        tokio::time::sleep(delay.min(Duration::from_secs(5))).await;
    }
}
