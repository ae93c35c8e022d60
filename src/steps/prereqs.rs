//! prerequisites: the tools this run needs are on PATH (git itself is built
//! in, libgit2, so offline nothing outside is required), and the kubeconfig's
//! context is the cluster the values name.

use super::Checked;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::kube::endpoint::Compared;
use crate::tools::{TOOLS, Tool};

pub(super) fn check(ctx: &Ctx) -> Result<Checked> {
    let (found, missing): (Vec<_>, Vec<_>) =
        TOOLS.iter().partition(|t| which::which(t.name).is_ok());
    let names = |ts: &[&Tool]| ts.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
    let mut detail = format!(
        "git built in; found: {}",
        if found.is_empty() {
            "none".into()
        } else {
            names(&found)
        }
    );
    if !missing.is_empty() {
        detail.push_str(&format!("; not found (optional): {}", names(&missing)));
    }
    detail.push_str(&format!("; {}", cluster(ctx)?));
    Ok(Checked::done(detail))
}

/// The context against the values' endpoint, as the step's detail says it.
/// A plan that reaches the cluster was stopped on another cluster before
/// its first step (the engine); one that stops short of it (`--until`), or
/// `status` looking, is told and goes on.
fn cluster(ctx: &Ctx) -> Result<String> {
    if ctx.offline() {
        return Ok("cluster not compared: offline".into());
    }
    Ok(match crate::kube::same_cluster(&ctx.config.settings) {
        Ok(Compared::Same {
            context, endpoint, ..
        }) => format!("kubeconfig context `{context}` is the values' cluster ({endpoint})"),
        Ok(Compared::NotCompared(why)) => format!("cluster not compared: {why}"),
        Err(Error::WrongCluster {
            context, endpoint, ..
        }) => format!(
            "kubeconfig context `{context}` points at another cluster than the values' ({endpoint}): a step that reaches the cluster stops on it"
        ),
        Err(e) => return Err(e),
    })
}
