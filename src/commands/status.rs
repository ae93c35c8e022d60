//! `status` (where each step stands: checked against the world, beside what
//! the state file recorded) and `addons` (what the clone's add-ons
//! kustomization enables). Both only read.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use crate::addon_catalog::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::config::Flags;
use crate::config::Output;
use crate::ctx::Ctx;
use crate::engine::{self, Access, Previewed};
use crate::error::{Error, Result, exit};
use crate::kustomize;
use crate::plan::{Step, StepId};
use crate::stand::Stand;
use crate::state::LastCommand;

/// One step: what the state file recorded, and (unless `--recorded`) what
/// its check finds now.
struct Row {
    step: StepId,
    /// What the state file recorded (`None`: nothing yet).
    recorded: Option<Stand>,
    recorded_detail: String,
    at: Option<u64>,
    now: Option<Previewed>,
}

impl Row {
    /// `now` as the table shows it.
    fn now_word(&self) -> &'static str {
        self.now.as_ref().map_or("", |p| p.status.now_word())
    }

    /// `recorded` as the table and JSON show it.
    fn recorded_word(&self) -> &'static str {
        self.recorded.map_or("pending", Stand::id)
    }

    /// The state file and the world disagree: recorded done but there is
    /// work now, or recorded not done but the world shows it done.
    fn differs(&self) -> bool {
        let now = self.now.as_ref().map(|p| p.status);
        match self.recorded {
            Some(recorded) if recorded.is_done() => now == Some(Stand::ToDo),
            Some(Stand::Failed) | None => now.is_some_and(Stand::is_done),
            Some(_) => false,
        }
    }

    fn detail(&self) -> &str {
        match &self.now {
            Some(p) if self.recorded_detail.is_empty() || !p.status.is_done() => &p.detail,
            _ => &self.recorded_detail,
        }
    }
}

pub(crate) async fn status(
    global: &Flags,
    recorded: bool,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let opened = engine::open(
        global,
        "status",
        Access::Read { prompts: false },
        interrupted,
    )?;
    let state = opened.ctx.state.clone();
    let last = state
        .last_command
        .clone()
        .unwrap_or(LastCommand::Setup { until: None });
    let plan = crate::plan::plan(&last)?;
    // Every step of setup, and any other step the last command's plan holds
    // or that ever ran (the conversion once `verify --fix` ran, the publish
    // once `sync` did). Each is checked as the last command's plan holds it;
    // one it does not hold (a conversion after `setup`) only as recorded.
    let ids: Vec<StepId> = StepId::ALL
        .into_iter()
        .filter(|s| {
            StepId::SETUP.contains(s)
                || plan.step(*s).is_some()
                || state.steps.contains_key(s.name())
        })
        .collect();
    let steps: Vec<Step> = ids
        .iter()
        .filter_map(|id| plan.step(*id).cloned().or_else(|| bare(*id, &plan)))
        .collect();
    // Status only reads: a wait that would ask Flux again is judged on what
    // Flux says now.
    let steps = crate::plan::Plan { steps }.judged_only().steps;
    let mut ctx = (!recorded).then_some(opened.ctx);
    // The cluster first: what it runs is the headline, read before the
    // checks take their time.
    let cluster = match &mut ctx {
        Some(ctx) => cluster_standing(ctx).await,
        None => None,
    };
    let mut now = match &mut ctx {
        Some(ctx) => engine::check_plan(ctx, &steps).await?,
        None => Vec::new(),
    };
    // The wait not done: why, traced through Flux's objects.
    let waiting = now
        .iter()
        .any(|p| p.step == StepId::Reconcile && matches!(p.status, Stand::ToDo | Stand::Failed));
    let why = match &ctx {
        Some(ctx) if waiting => flux_why(ctx).await,
        _ => Vec::new(),
    };
    let rows: Vec<Row> = ids
        .iter()
        .map(|&step| {
            let record = state.steps.get(step.name());
            Row {
                step,
                recorded: record.map(|r| r.status),
                recorded_detail: record.map(|r| r.detail.clone()).unwrap_or_default(),
                at: record.map(|r| r.at),
                now: now
                    .iter()
                    .position(|p| p.step == step)
                    .map(|i| now.remove(i)),
            }
        })
        .collect();
    let differ: Vec<&str> = rows
        .iter()
        .filter(|r| r.differs())
        .map(|r| r.step.name())
        .collect();
    if global.output == Output::Json {
        let steps: Vec<_> = rows
            .iter()
            .map(|r| {
                json!({
                    "step": r.step.name(),
                    "status": r.recorded_word(),
                    "detail": r.recorded_detail,
                    "at": r.at,
                    "now": r.now.as_ref().map(|p| p.status),
                    "now_detail": r.now.as_ref().map(|p| p.detail.as_str()),
                    "differs": r.differs(),
                })
            })
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
            "checked": !recorded,
            "differs": differ,
            "steps": steps,
            "cluster": cluster,
            "flux_why": why,
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
    let mut header = vec!["", "STEP", "RECORDED"];
    if !recorded {
        header.push("NOW");
    }
    header.push("DETAIL");
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let shown = if recorded {
                r.recorded
            } else {
                r.now.as_ref().map(|p| p.status)
            };
            let mark = match shown {
                Some(Stand::AlreadyDone | Stand::Ran) => console::style("✔").green(),
                Some(Stand::Failed | Stand::Unknown) => console::style("✘").red(),
                Some(Stand::ToDo) if r.differs() => console::style("!").yellow(),
                Some(Stand::Skipped) => console::style("-").dim(),
                Some(Stand::ToDo | Stand::After) | None => console::style("·").dim(),
            };
            let mut row = vec![
                mark.to_string(),
                r.step.name().into(),
                r.recorded_word().into(),
            ];
            if !recorded {
                row.push(r.now_word().into());
            }
            row.push(r.detail().to_string());
            row
        })
        .collect();
    for line in crate::table::lines(&header, &cells) {
        println!("{line}");
    }
    if let Some(c) = &cluster {
        println!("cluster: {}", c["summary"].as_str().unwrap_or_default());
    }
    if !why.is_empty() {
        println!("why Flux is not there yet:");
        for line in &why {
            println!("  {}", crate::outside::printable(line));
        }
    }
    if !differ.is_empty() {
        println!(
            "the state file and the world differ on: {} (what you see under NOW is the world)",
            differ.join(", ")
        );
    }
    let to_do = rows.iter().any(|r| match &r.now {
        Some(p) => p.status == Stand::ToDo,
        None => matches!(r.recorded, Some(Stand::Failed) | None),
    });
    if to_do && state.last_command.is_some() {
        println!("run `eks-workshop resume` to continue");
    }
    Ok(exit::OK)
}

/// A step the last command's plan does not hold, as `status` checks it:
/// the wait as the plan's own would wait; a conversion not at all (it
/// needs the version `verify --fix` was given).
fn bare(id: StepId, plan: &crate::plan::Plan) -> Option<Step> {
    match id {
        StepId::Prerequisites => Some(Step::Prerequisites),
        StepId::Fork => Some(Step::Fork),
        StepId::Clone => Some(Step::Clone),
        StepId::Render => Some(Step::Render),
        StepId::Addons => Some(Step::Addons),
        StepId::Convert => None,
        // Which command's end it goes back to is the plan's.
        StepId::Reset => None,
        StepId::Migrate => Some(Step::Migrate),
        StepId::Push => Some(Step::Push),
        StepId::Publish => Some(Step::Publish),
        StepId::Flux => Some(Step::Flux),
        StepId::Reconcile => Some(Step::Reconcile(plan.wait())),
        // An upgrade's steps need the version of their hop.
        StepId::FluxUpgrade
        | StepId::Charts
        | StepId::Readiness
        | StepId::ControlPlane
        | StepId::Nodes => None,
        // A teardown's steps are checked only in its own plan: out of it,
        // they would read a cluster torn down as work to do.
        StepId::SuspendFlux
        | StepId::Karpenter
        | StepId::LoadBalancers
        | StepId::UninstallFlux
        | StepId::Destroy
        | StepId::DeleteFork => None,
    }
}

/// Whether the cluster runs the fork's tip, read from the world: the
/// revision Flux applied (Kustomization flux-system) against the branch's
/// head on the fork, and how many commits lie between. `None` offline or
/// with no cluster or token to ask; never an error (status only reads).
async fn cluster_standing(ctx: &Ctx) -> Option<serde_json::Value> {
    if ctx.offline() {
        return None;
    }
    let cluster = ctx.cluster_if_reachable().await?;
    let types = crate::flux::types(&cluster).await.ok()??;
    let ks = crate::kube::get(
        &cluster,
        &types.kustomization,
        Some(crate::flux::NAMESPACE),
        crate::flux::NAME,
    )
    .await
    .ok()??;
    let applied = crate::flux::synced::text(&ks, "/status/lastAppliedRevision").to_string();
    let branch = ctx.config.settings.branch.clone();
    ctx.remote_url()?;
    let tip = ctx.fork_head().await.ok()??.to_string();
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

/// Why Flux is not done, read from the cluster (see `flux::trace`); empty
/// offline or when the cluster cannot be read (status only reads).
async fn flux_why(ctx: &Ctx) -> Vec<String> {
    if ctx.offline() {
        return Vec::new();
    }
    let Some(cluster) = ctx.cluster_if_reachable().await else {
        return Vec::new();
    };
    let Ok(Some(types)) = crate::flux::types(&cluster).await else {
        return Vec::new();
    };
    crate::flux::trace::stuck(&cluster, &types).await
}

pub(crate) fn addons(global: &Flags) -> Result<u8> {
    let access = Access::Read { prompts: false };
    let state = engine::open(global, "addons", access, Default::default())?
        .ctx
        .state;
    let clone = state
        .outputs
        .clone_path
        .clone()
        .unwrap_or_else(|| crate::config::clone_dir(&global.dir, &state.settings.upstream));
    let path = clone.join(ADDONS_KUSTOMIZATION);
    let text = crate::addon_catalog::read_kustomization(&crate::fsx::in_clone(
        &clone,
        ADDONS_KUSTOMIZATION,
    )?)?;
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
