//! `sync`: the seed's reconciliation flow in one command. Push what the
//! participant committed (fast-forward only; uncommitted work stays), ask
//! Flux to reconcile now, wait until the cluster runs the branch's tip, and
//! say what Flux changed for it: per Kustomization, the objects created and
//! pruned (its inventory before and after) and the events it emitted.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::{Value, json};

use super::load_required;
use crate::config::Flags;
use crate::config::Output;
use crate::ctx::{Ctx, auth};
use crate::error::{Error, Result, exit};
use crate::git::{self, short};
use crate::kube::sync::{self as judge, Fresh, Goal, Outcome, text};
use crate::kube::{self, flux};
use crate::state;
use crate::ui::Ui;

pub(crate) async fn sync(
    global: &Flags,
    no_push: bool,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let state = load_required(global, "sync")?;
    let config = crate::config::resolve(global, Some(&state.settings))?;
    let ui = Ui::new(config.output, config.yes, config.tty);
    let mut ctx = Ctx::new(config, state, ui, interrupted);
    ctx.targets.enabled_addons = true;
    let _lock = state::lock(&ctx.config.dir, &ctx.config.work_dir())?;
    let branch = ctx.config.settings.branch.clone();
    let repo = git::open(&ctx.config.clone_dir())?;
    let url = crate::steps::fork_url(&ctx)?;
    let pair = ctx.git_auth().await?;
    let remote = git::remote_head(&url, &branch, auth(&pair))?;
    let local = repo
        .refname_to_id(&format!("refs/heads/{branch}"))
        .map_err(|e| Error::git(format!("read branch {branch} of the clone"), &e))?;
    let mut pushed = None;
    let tip = if no_push {
        remote.ok_or_else(|| Error::NotFound {
            what: "branch on the remote",
            name: branch.clone(),
            help: "push it first: run `eks-workshop sync` without --no-push".into(),
        })?
    } else {
        if remote != Some(local) {
            push(&repo, &branch, remote, local, auth(&pair))?;
            pushed = Some(local);
            ctx.ui.note(&format!(
                "✔ pushed {} to {branch}",
                short(&local.to_string())
            ));
        }
        local
    };
    let dirty = uncommitted(&repo);
    if dirty > 0 {
        ctx.ui.note(&format!(
            "{dirty} file(s) with uncommitted changes stay in the clone (sync pushes commits only)"
        ));
    }
    let goal = Goal {
        branch,
        commit: tip.to_string(),
    };
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Err(Error::StepNotDone {
            step: "flux",
            detail: "Flux is not installed on the cluster (run `eks-workshop setup`)".into(),
        });
    };
    let releases = crate::steps::releases(&ctx);
    let before = kube::observe::observe(&cluster, &types, &releases).await?;
    let judged = judge::judge(&before, &goal, &releases, &Fresh::default());
    if let Outcome::Synced(_) = judge::outcome(&judged, &goal) {
        let message = format!("the cluster already runs {}", goal.short());
        report(&ctx, &goal, pushed, true, &message, &[]);
        return Ok(exit::OK);
    }
    ctx.ui.progress("asking Flux to reconcile now");
    let fresh = kube::observe::request_reconcile(&cluster, &types).await?;
    let limits = ctx.limits();
    let detail =
        kube::follow::wait_synced(&cluster, &types, &goal, &releases, &fresh, &limits, &ctx.ui)
            .await?;
    let after = kube::observe::observe(&cluster, &types, &releases).await?;
    let events = kube::observe::events_since(&cluster, fresh.since.unwrap_or(0)).await?;
    let changes = changes(&before.kustomizations, &after.kustomizations, &events);
    report(
        &ctx,
        &goal,
        pushed,
        false,
        &format!("✔ Flux applied {}: {detail}", goal.short()),
        &changes,
    );
    Ok(exit::OK)
}

/// Fast-forward the fork's branch to `local`; anything else is refused with
/// what to do.
fn push(
    repo: &git2::Repository,
    branch: &str,
    remote: Option<git2::Oid>,
    local: git2::Oid,
    auth: Option<git::Auth>,
) -> Result<()> {
    let rejected = |why: String| Error::PushRejected {
        branch: branch.to_string(),
        message: why,
        help: format!(
            "`git pull --rebase origin {branch}` in the clone, then `eks-workshop sync` again"
        ),
    };
    if let Some(remote) = remote
        && !(repo.find_commit(remote).is_ok() && git::is_ancestor(repo, remote, local))
    {
        return Err(rejected(format!(
            "the fork's {branch} ({}) has commits the clone lacks; sync pushes fast-forwards only",
            short(&remote.to_string())
        )));
    }
    match git::push(repo, branch, auth)? {
        git::PushOutcome::Pushed => Ok(()),
        git::PushOutcome::NonFastForward => Err(rejected(format!(
            "the fork's {branch} moved on meanwhile; sync pushes fast-forwards only"
        ))),
    }
}

/// How many files `git status` would list (untracked ones aside).
fn uncommitted(repo: &git2::Repository) -> usize {
    let mut options = git2::StatusOptions::new();
    options.include_untracked(false);
    repo.statuses(Some(&mut options)).map_or(0, |s| s.len())
}

/// What Flux did to one Kustomization's objects.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    pub(crate) kustomization: String,
    pub(crate) created: Vec<String>,
    pub(crate) updated: Vec<String>,
    pub(crate) pruned: Vec<String>,
    pub(crate) events: Vec<String>,
}

/// `Kind namespace/name` of an inventory id (`<ns>_<name>_<group>_<Kind>`).
fn object_of(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('_').collect();
    let [ns, name, _group, kind] = parts[..] else {
        return None;
    };
    Some(if ns.is_empty() {
        format!("{kind} {name}")
    } else {
        format!("{kind} {ns}/{name}")
    })
}

fn inventory(ks: &Value) -> BTreeSet<String> {
    ks.pointer("/status/inventory/entries")
        .and_then(Value::as_array)
        .map(|es| {
            es.iter()
                .filter_map(|e| e["id"].as_str().and_then(object_of))
                .collect()
        })
        .unwrap_or_default()
}

fn label(ks: &Value) -> String {
    format!(
        "{}/{}",
        text(ks, "/metadata/namespace"),
        text(ks, "/metadata/name")
    )
}

/// Per Kustomization: created and pruned from the inventories, updated from
/// the events' change sets (`Kind/ns/name configured`), and the events.
pub(crate) fn changes(before: &[Value], after: &[Value], events: &[Value]) -> Vec<Changes> {
    let mut out = Vec::new();
    for ks in after {
        let name = label(ks);
        let old = before
            .iter()
            .find(|b| label(b) == name)
            .map(inventory)
            .unwrap_or_default();
        let new = inventory(ks);
        let said: Vec<String> = events
            .iter()
            .filter(|e| {
                text(e, "/involvedObject/kind") == "Kustomization"
                    && format!(
                        "{}/{}",
                        text(e, "/involvedObject/namespace"),
                        text(e, "/involvedObject/name")
                    ) == name
            })
            .map(|e| text(e, "/message").to_string())
            .collect();
        let updated = said
            .iter()
            .flat_map(|m| m.lines())
            .filter_map(|l| l.strip_suffix(" configured"))
            .filter_map(|o| {
                let (kind, rest) = o.split_once('/')?;
                Some(format!("{kind} {rest}"))
            })
            .collect();
        let c = Changes {
            kustomization: name,
            created: new.difference(&old).cloned().collect(),
            updated,
            pruned: old.difference(&new).cloned().collect(),
            events: said,
        };
        if !(c.created.is_empty()
            && c.updated.is_empty()
            && c.pruned.is_empty()
            && c.events.is_empty())
        {
            out.push(c);
        }
    }
    out
}

fn report(
    ctx: &Ctx,
    goal: &Goal,
    pushed: Option<git2::Oid>,
    already: bool,
    message: &str,
    changes: &[Changes],
) {
    if ctx.config.output == Output::Json {
        let list: Vec<Value> = changes
            .iter()
            .map(|c| {
                json!({"kustomization": c.kustomization, "created": c.created,
                       "updated": c.updated, "pruned": c.pruned, "events": c.events})
            })
            .collect();
        println!(
            "{}",
            json!({
                "revision": goal.revision(),
                "pushed": pushed.map(|p| p.to_string()),
                "already_at_tip": already,
                "kustomizations": list,
            })
        );
        return;
    }
    println!("{message}");
    for c in changes {
        println!("Kustomization {}:", c.kustomization);
        for o in &c.created {
            println!("  + {o} created");
        }
        for o in &c.updated {
            println!("  ~ {o} updated");
        }
        for o in &c.pruned {
            println!("  - {o} pruned");
        }
        if c.created.is_empty() && c.updated.is_empty() && c.pruned.is_empty() {
            println!("  (no object changed)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ks(name: &str, ids: &[&str]) -> Value {
        let entries: Vec<Value> = ids.iter().map(|id| json!({"id": id, "v": "v1"})).collect();
        json!({"metadata": {"namespace": "flux-system", "name": name},
               "status": {"inventory": {"entries": entries}}})
    }

    #[test]
    fn created_and_pruned_come_from_the_inventories_updated_from_the_events() {
        let before = [ks(
            "apps",
            &[
                "default_nginx_apps_Deployment",
                "_default__Namespace",
                "default_cm__ConfigMap",
            ],
        )];
        let after = [ks(
            "apps",
            &[
                "default_nginx-new_apps_Deployment",
                "_default__Namespace",
                "default_cm__ConfigMap",
            ],
        )];
        let events = [json!({
            "involvedObject": {"kind": "Kustomization", "namespace": "flux-system", "name": "apps"},
            "message": "ConfigMap/default/cm configured\nDeployment/default/nginx-new created\nDeployment/default/nginx deleted",
        })];
        let got = changes(&before, &after, &events);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].created, ["Deployment default/nginx-new"]);
        assert_eq!(got[0].pruned, ["Deployment default/nginx"]);
        assert_eq!(got[0].updated, ["ConfigMap default/cm"]);
        assert_eq!(
            object_of("_default__Namespace").unwrap(),
            "Namespace default"
        );
        // Nothing changed, nothing said: not listed.
        assert!(changes(&after, &after, &[]).is_empty());
    }
}
