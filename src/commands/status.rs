//! `status` (where each step stands, from the state file) and `addons` (what
//! the clone's add-ons kustomization enables). Both only read.

use serde_json::json;

use super::load_required;
use crate::addons::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::config::Flags;
use crate::config::Output;
use crate::error::{Error, Result, exit};
use crate::state::StepStatus;
use crate::steps::Step;
use crate::{fsx, kustomize};

pub(crate) async fn status(global: &Flags) -> Result<u8> {
    let state = load_required(global, "status")?;
    let cluster = cluster_standing(global, &state).await;
    let convert = state.steps.contains_key(Step::Convert.id());
    let rows: Vec<_> = Step::SETUP
        .iter()
        .chain(convert.then_some(&Step::Convert))
        .map(|step| {
            let record = state.steps.get(step.id());
            let status = match record.map(|r| r.status) {
                Some(StepStatus::Done) => "done",
                Some(StepStatus::Skipped) => "skipped",
                Some(StepStatus::Failed) => "failed",
                None => "pending",
            };
            (
                step.id(),
                status,
                record.map(|r| r.detail.clone()).unwrap_or_default(),
                record.map(|r| r.at),
            )
        })
        .collect();
    if global.output == Output::Json {
        let steps: Vec<_> = rows
            .iter()
            .map(|(id, st, detail, at)| json!({"step": id, "status": st, "detail": detail, "at": at}))
            .collect();
        let out = json!({
            "dir": global.dir,
            "offline": state.settings.offline,
            "upstream": state.settings.upstream,
            "branch": state.settings.branch,
            "fork": state.outputs.fork,
            "clone": state.outputs.clone_path,
            "pushed_commit": state.outputs.pushed_commit,
            "addons": state.settings.addons,
            "last_command": state.last_command,
            "steps": steps,
            "cluster": cluster,
        });
        println!("{out}");
        return Ok(exit::OK);
    }
    let mode = if state.settings.offline {
        " (offline)"
    } else {
        ""
    };
    println!(
        "{} on {}{mode}",
        state.settings.upstream, state.settings.branch
    );
    for (id, st, detail, _) in &rows {
        let mark = match *st {
            "done" => console::style("✔").green(),
            "failed" => console::style("✘").red(),
            "skipped" => console::style("-").dim(),
            _ => console::style("·").dim(),
        };
        println!("{mark} {id:<14} {st:<8} {detail}");
    }
    if let Some(c) = &cluster {
        println!("cluster: {}", c["summary"].as_str().unwrap_or_default());
    }
    if rows.iter().any(|r| r.1 == "failed" || r.1 == "pending") && state.last_command.is_some() {
        println!("run `eks-workshop resume` to continue");
    }
    Ok(exit::OK)
}

/// Whether the cluster runs the fork's tip, read from the world: the
/// revision Flux applied (Kustomization flux-system) against the branch's
/// head on the fork, and how many commits lie between. `None` offline or
/// with no cluster or token to ask; never an error (status only reads).
async fn cluster_standing(
    global: &Flags,
    state: &crate::state::State,
) -> Option<serde_json::Value> {
    if state.settings.offline {
        return None;
    }
    let config = crate::config::resolve(global, Some(&state.settings)).ok()?;
    let ui = crate::ui::Ui::new(config.output, true, false);
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut ctx = crate::ctx::Ctx::new(config, state.clone(), ui, interrupted);
    let cluster = ctx.cluster_if_reachable().await?;
    let types = crate::kube::flux::types(&cluster).await.ok()??;
    let ks = crate::kube::get(
        &cluster,
        &types.kustomization,
        Some(crate::kube::flux::NAMESPACE),
        crate::kube::flux::NAME,
    )
    .await
    .ok()??;
    let applied = crate::kube::sync::text(&ks, "/status/lastAppliedRevision").to_string();
    let branch = ctx.config.settings.branch.clone();
    let url = crate::steps::remote_url(&ctx)?;
    let pair = ctx.git_auth().await.ok()?;
    let tip = crate::git::remote_head(&url, &branch, crate::ctx::auth(&pair))
        .ok()??
        .to_string();
    let at = applied.rsplit(':').next().unwrap_or_default().to_string();
    let behind = crate::git::open(&ctx.config.clone_dir())
        .ok()
        .and_then(|repo| {
            let (tip, at) = (tip.parse().ok()?, at.parse().ok()?);
            repo.graph_ahead_behind(tip, at)
                .ok()
                .map(|(ahead, _)| ahead)
        });
    let short = crate::git::short;
    let summary = match behind {
        _ if at == tip => format!("runs the fork's tip ({branch}@sha1:{})", short(&tip)),
        Some(n) => format!(
            "runs {branch}@sha1:{}, {n} commit(s) behind the fork's tip {} (`eks-workshop sync`)",
            short(&at),
            short(&tip)
        ),
        None => format!(
            "runs {}, not the fork's tip {} (`eks-workshop sync`)",
            if applied.is_empty() {
                "nothing yet".to_string()
            } else {
                applied.clone()
            },
            short(&tip)
        ),
    };
    Some(
        json!({"applied": applied, "tip": tip, "at_tip": at == tip, "behind": behind, "summary": summary}),
    )
}

pub(crate) fn addons(global: &Flags) -> Result<u8> {
    let state = load_required(global, "addons")?;
    let clone = state
        .outputs
        .clone_path
        .clone()
        .unwrap_or_else(|| global.dir.join(&state.settings.upstream.name));
    let path = clone.join(ADDONS_KUSTOMIZATION);
    let text = fsx::read_to_string(&path)?;
    let entries =
        kustomize::entries(&text).map_err(|reason| Error::Kustomization { path, reason })?;
    let rows: Vec<_> = ADDONS
        .iter()
        .map(|a| {
            let enabled = entries
                .iter()
                .find(|(r, _)| r == a.entry_in(&text))
                .map(|(_, on)| *on);
            (a, enabled)
        })
        .collect();
    if global.output == Output::Json {
        let list: Vec<_> = rows
            .iter()
            .map(|(a, on)| json!({"name": a.name, "enabled": on, "resource": a.entry_in(&text), "description": a.description}))
            .collect();
        println!("{}", json!({ "addons": list }));
        return Ok(exit::OK);
    }
    for (a, on) in rows {
        let state = match on {
            Some(true) => console::style("enabled").green(),
            Some(false) => console::style("disabled").dim(),
            None => console::style("not listed").yellow(),
        };
        println!("{:<16} {:<10} {}", a.name, state, a.description);
    }
    Ok(exit::OK)
}
