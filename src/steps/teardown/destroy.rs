//! destroy (`teardown`): the cluster destroyed through the participant's
//! workshop terraform, as the workshop's last lesson does — Flux's module
//! taken out of the state first when it still holds it (Flux was
//! uninstalled by the step before) — with every variable through
//! `TF_VAR_*`, never argv (the lesson's `-var="git_password=$GITHUB_TOKEN"`
//! shows the token to `ps`). Done when the state holds nothing. Without
//! `--terraform-dir`, the exact commands are printed instead.

use std::path::{Path, PathBuf};

use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::Result;
use crate::steps::Checked;
use crate::teardown::Removal;
use crate::upgrade::terraform::Terraform;

const FLUX_MODULE: &str = "module.flux_v2";
const NEEDED_FOR: &str = "destroying the cluster (--terraform-dir)";

/// What to run by hand, without a terraform directory.
pub(crate) fn by_hand() -> String {
    format!(
        "in the workshop's terraform directory: `terraform state rm '{FLUX_MODULE}'` (when `terraform state list` shows it), then `TF_VAR_git_password=\"$GITHUB_TOKEN\" terraform destroy` (the token through the environment, never -var)"
    )
}

pub(in crate::steps) fn check(ctx: &Ctx, dir: &Option<PathBuf>) -> Result<Checked> {
    let Some(dir) = dir else {
        return Ok(Checked::skipped(format!(
            "no --terraform-dir; to destroy the cluster, run {}",
            by_hand()
        )));
    };
    let tf = Terraform::find_for(&ctx.limits(), NEEDED_FOR)?;
    let held = match held(&tf, dir) {
        Ok(held) => held,
        // A directory never initialised here: the run's `init` comes first.
        Err(e) => {
            return Ok(Checked::to_do(format!(
                "the state is not readable yet ({e})"
            )));
        }
    };
    Ok(match held.is_empty() {
        true => Checked::done(format!(
            "the {} state in {} holds nothing",
            tf.name(),
            dir.display()
        )),
        false => Checked::to_do(format!(
            "the {} state in {} holds {} resource(s)",
            tf.name(),
            dir.display(),
            held.len()
        )),
    })
}

/// What the state holds; nothing before any `init` made it.
fn held(tf: &Terraform, dir: &Path) -> Result<Vec<String>> {
    tf.state_list(dir)
}

pub(in crate::steps) fn effects(ctx: &Ctx, dir: &Option<PathBuf>) -> Result<Vec<Effect>> {
    let Some(dir) = dir else {
        return Ok(Vec::new());
    };
    let tf = Terraform::find_for(&ctx.limits(), NEEDED_FOR)?;
    let flux_module = held(&tf, dir)
        .unwrap_or_default()
        .iter()
        .any(|a| a.starts_with(FLUX_MODULE));
    Ok(vec![Effect::Teardown(Removal::Destroy {
        dir: dir.clone(),
        tool: tf.name().to_string(),
        flux_module,
    })])
}

pub(super) async fn destroy(ctx: &Ctx, dir: &Path) -> Result<String> {
    let tf = Terraform::find_for(&ctx.limits(), NEEDED_FOR)?;
    let vars = crate::steps::terraform_vars(ctx).await?;
    ctx.ui.progress(&format!("{} init", tf.name()));
    tf.init(dir, &vars)?;
    let mut said = Vec::new();
    if held(&tf, dir)?.iter().any(|a| a.starts_with(FLUX_MODULE)) {
        tf.state_rm(dir, FLUX_MODULE)?;
        said.push(format!("{FLUX_MODULE} removed from the state"));
    }
    crate::pause::point("destroy:before-destroy");
    ctx.ui.progress(&format!("{} destroy", tf.name()));
    tf.destroy(dir, &vars)?;
    said.push(format!("{} destroy in {}", tf.name(), dir.display()));
    Ok(said.join("; "))
}
