//! `sync`: the seed's reconciliation flow in one command. Push what the
//! participant committed (fast-forward only; uncommitted work stays), ask
//! Flux to reconcile now, wait until the cluster runs the branch's tip, and
//! say what Flux changed for it: per Kustomization, the objects created and
//! pruned (its inventory before and after) and the events it emitted.
//!
//! The push and the wait are the plan's steps (`clone, publish, reconcile`),
//! run by the engine like every other command's, so `--dry-run` shows them
//! and `resume` replays them; this file reads Flux's objects before and
//! after, and reports.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::{Value, json};

use crate::config::Flags;
use crate::config::Output;
use crate::ctx::Ctx;
use crate::engine::{Job, Prepared, StepResult};
use crate::error::{Error, Result, exit};
use crate::flux;
use crate::flux::synced::{Goal, text};
use crate::plan::{StepId, Wait};
use crate::stand::Stand;

pub(crate) async fn sync(global: &Flags, job: Job, interrupted: Arc<AtomicBool>) -> Result<u8> {
    let wait = match &job.last {
        Some(last) => crate::plan::plan(last)?.wait(),
        None => Wait::commit(),
    };
    let Prepared::Ready(ready) = crate::engine::prepare(global, job, interrupted).await? else {
        return Ok(exit::OK);
    };
    let before = kustomizations(&ready.ctx, &wait).await?;
    // Whether Flux ran the tip before it is asked again.
    let judged = crate::plan::Step::Reconcile(Wait {
        always: false,
        ..wait.clone()
    });
    let was_synced = crate::steps::check(&judged, &ready.ctx)
        .await
        .is_ok_and(|c| c.stand.is_done());
    let since = crate::flux::synced::unix(std::time::SystemTime::now());
    // Events carry whole seconds: those already there in this second (a
    // reconcile that ended just before) are not this sync's.
    let earlier = event_keys(&ready.ctx, since).await;
    let (mut ctx, results) = ready.run().await?;
    let goal = ctx.goal(&wait).await?;
    let result = |step: StepId| results.iter().find(|r| r.step == step.name());
    let ran = |step: StepId| result(step).is_some_and(|r| r.status == Stand::Ran);
    let pushed = ran(StepId::Publish).then(|| goal.commit.clone());
    let dirty = crate::git::open(&ctx.config.clone_dir())
        .map(|repo| uncommitted(&repo))
        .unwrap_or(0);
    if dirty > 0 {
        ctx.ui.note(&format!(
            "{dirty} file(s) with uncommitted changes stay in the clone (sync pushes commits only)"
        ));
    }
    let reconcile = result(StepId::Reconcile);
    let detail = reconcile.map_or("", |r| r.detail.as_str());
    let (already, message, changes) = match reconcile.map(|r| r.status) {
        Some(Stand::Skipped) => (false, format!("Flux was not asked: {detail}"), Vec::new()),
        Some(Stand::Ran) => {
            let changes = what_changed(&mut ctx, &wait, &before, since, &earlier).await?;
            let quiet = changes.iter().all(Changes::is_empty);
            if pushed.is_none() && quiet && was_synced {
                // Asked again and judged: the same revision still applies.
                let message = format!(
                    "the cluster already runs {} (Flux, asked again, applies it: {detail})",
                    goal.short()
                );
                (true, message, changes)
            } else {
                let message = format!("✔ Flux applied {}: {detail}", goal.short());
                (false, message, changes)
            }
        }
        _ => {
            let message = format!("the cluster already runs {}", goal.short());
            (true, message, Vec::new())
        }
    };
    let pushed = pushed.as_deref();
    report(&ctx, &results, &goal, pushed, already, &message, &changes);
    Ok(exit::OK)
}

/// Per Kustomization, what Flux created, updated and pruned since `since`:
/// its inventory now against `before`, and its events.
async fn what_changed(
    ctx: &mut Ctx,
    wait: &Wait,
    before: &[Value],
    since: u64,
    earlier: &BTreeSet<(String, String)>,
) -> Result<Vec<Changes>> {
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Err(Error::StepNotDone {
            step: "flux",
            detail: "Flux is not installed on the cluster (run `eks-workshop setup`)".into(),
        });
    };
    let releases = ctx.releases(wait);
    let after = flux::observe::observe(&cluster, &types, &releases).await?;
    let mut events = flux::observe::events_since(&cluster, since).await?;
    events.retain(|e| !earlier.contains(&event_key(e)));
    Ok(changes(before, &after.kustomizations, &events))
}

/// An Event as it stands: its uid and resourceVersion (a repeat of the
/// same Event bumps its count, and so its resourceVersion).
fn event_key(event: &Value) -> (String, String) {
    (
        text(event, "/metadata/uid").to_string(),
        text(event, "/metadata/resourceVersion").to_string(),
    )
}

/// The Events of flux-system already there in the second `since` falls in
/// (none when they cannot be read: nothing is then left out).
async fn event_keys(ctx: &Ctx, since: u64) -> BTreeSet<(String, String)> {
    if ctx.offline() {
        return BTreeSet::new();
    }
    let Ok(cluster) = ctx.cluster().await else {
        return BTreeSet::new();
    };
    flux::observe::events_since(&cluster, since)
        .await
        .map(|events| events.iter().map(event_key).collect())
        .unwrap_or_default()
}

/// The Kustomizations as they are before the sync (none when Flux is not
/// there yet: the reconcile step then says so).
async fn kustomizations(ctx: &Ctx, wait: &Wait) -> Result<Vec<Value>> {
    if ctx.offline() {
        return Ok(Vec::new());
    }
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Vec::new());
    };
    let releases = ctx.releases(wait);
    Ok(flux::observe::observe(&cluster, &types, &releases)
        .await?
        .kustomizations)
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

impl Changes {
    /// No object was created, updated or pruned (events aside).
    fn is_empty(&self) -> bool {
        self.created.is_empty() && self.updated.is_empty() && self.pruned.is_empty()
    }
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
    steps: &[StepResult],
    goal: &Goal,
    pushed: Option<&str>,
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
                "pushed": pushed,
                "already_at_tip": already,
                "kustomizations": list,
                "steps": steps,
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
