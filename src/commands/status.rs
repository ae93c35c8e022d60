//! `status` (where each step stands, from the state file) and `addons` (what
//! the clone's add-ons kustomization enables). Both only read.

use serde_json::json;

use super::load_required;
use crate::addons::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::cli::Global;
use crate::config::Output;
use crate::error::{Error, Result, exit};
use crate::state::StepStatus;
use crate::steps::Step;
use crate::{fsx, kustomize};

pub(crate) fn status(global: &Global) -> Result<u8> {
    let state = load_required(global, "status")?;
    let rows: Vec<_> = Step::ALL
        .iter()
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
    if rows.iter().any(|r| r.1 == "failed" || r.1 == "pending") && state.last_command.is_some() {
        println!("run `eks-workshop resume` to continue");
    }
    Ok(exit::OK)
}

pub(crate) fn addons(global: &Global) -> Result<u8> {
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
