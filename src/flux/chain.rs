//! Driving Flux's dependency chain: which object to ask to reconcile, and
//! when. Pure; `follow.rs` asks.
//!
//! kustomize-controller reconciles every Kustomization of a source when its
//! artifact changes, all at once; one whose `dependsOn` has not applied the
//! new revision yet answers "dependency not ready" and is tried again only
//! after `--requeue-dependency` (30 s by default), per level of the chain.
//! helm-controller does the same with a HelmRelease's `dependsOn`. So the
//! wait asks the source first (the request), then each object once what it
//! depends on is Ready at the goal: no object is asked before its
//! dependencies are there (it would reconcile at the old revision, or fail
//! its dependency check), none is asked that the controller reconciles on
//! its own anyway, and none waits for the timer.

use serde_json::Value;

use super::synced::{Asked, Fresh, Goal, Observed, answered, from_our_source, text};
use crate::flux::{HELM_RELEASE, KUSTOMIZATION, Kind};
use crate::kube::wait::{condition, ready_condition};

/// Ask this object to reconcile now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ask {
    pub(crate) kind: Kind,
    pub(crate) namespace: String,
    pub(crate) name: String,
}

impl Ask {
    pub(crate) fn label(&self) -> String {
        format!("{} {}/{}", self.kind.kind, self.namespace, self.name)
    }

    pub(crate) fn key(&self) -> (&'static str, String, String) {
        (self.kind.kind, self.namespace.clone(), self.name.clone())
    }
}

fn key(obj: &Value) -> (String, String) {
    (
        text(obj, "/metadata/namespace").to_string(),
        text(obj, "/metadata/name").to_string(),
    )
}

fn ready_reason(obj: &Value) -> &str {
    ready_condition(obj)
        .and_then(|c| c["reason"].as_str())
        .unwrap_or_default()
}

/// The controller has reconciled the current spec.
fn spec_seen(obj: &Value) -> bool {
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let seen = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    generation == seen
}

/// Ready=True about the current spec: what Flux's controllers require of a
/// dependency (`checkDependencies`).
fn ready_now(obj: &Value) -> bool {
    spec_seen(obj) && ready_condition(obj).is_some_and(|c| c["status"] == "True")
}

/// Reconciling right now (not a failure it retries): its outcome is coming.
fn in_flight(obj: &Value) -> bool {
    condition(obj, "Reconciling")
        .is_some_and(|c| c["status"] == "True" && c["reason"] != "ProgressingWithRetry")
}

fn suspended_or_going(obj: &Value) -> bool {
    obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true)
        || !text(obj, "/metadata/deletionTimestamp").is_empty()
}

/// Our source holds the goal and has answered our request.
fn source_at_goal(obs: &Observed, goal: &Goal, fresh: &Fresh) -> bool {
    let Some(git) = &obs.git_repository else {
        return false;
    };
    let token = fresh.token.as_deref().unwrap_or_default();
    goal.matches(text(git, "/status/artifact/revision"))
        && text(git, "/status/lastHandledReconcileAt") == token
        && ready_now(git)
}

/// A Kustomization has applied the goal, Ready, and (when the wait wants
/// Flux's answer) did so for this wait. One of another source is judged by
/// its Ready alone: we neither ask it nor know its revision.
fn kustomization_done(ks: &Value, goal: &Goal, fresh: &Fresh) -> bool {
    if !from_our_source(ks) {
        return ready_now(ks);
    }
    goal.matches(text(ks, "/status/lastAppliedRevision"))
        && ready_now(ks)
        && (!fresh.answered || answered(ks, fresh))
}

/// The `dependsOn` of `obj` as (namespace, name), the namespace defaulting
/// to its own.
pub(super) fn depends_on(obj: &Value) -> Vec<(String, String)> {
    let own = text(obj, "/metadata/namespace");
    obj.pointer("/spec/dependsOn")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| {
            let ns = d["namespace"].as_str().filter(|s| !s.is_empty());
            let name = d["name"].as_str().unwrap_or_default();
            (ns.unwrap_or(own).to_string(), name.to_string())
        })
        .collect()
}

/// Whether to ask `obj` now, given whether each dependency is done (`None`:
/// not seen) and whether it is done itself.
fn due(kind: Kind, obj: &Value, done: bool, deps: &[Option<bool>], asked: &Asked) -> bool {
    if done || suspended_or_going(obj) || in_flight(obj) {
        return false;
    }
    let (ns, name) = key(obj);
    if let Some(token) = asked.get(&(kind.kind, ns, name)) {
        // Asked once: again only when it answered that its dependencies were
        // not ready (they moved meanwhile) and they are now.
        let handled = text(obj, "/status/lastHandledReconcileAt") == token;
        if !handled || ready_reason(obj) != "DependencyNotReady" {
            return false;
        }
    }
    deps.iter().all(|d| *d == Some(true))
}

/// What to ask to reconcile now, dependencies first: the Kustomizations of
/// our source once the source holds the goal and their `dependsOn` have
/// applied it; the HelmReleases waiting for their `dependsOn` once those are
/// Ready; each once (`fresh.chain`: whom we asked). Nothing before our
/// request reached the source (`fresh.token`).
pub(crate) fn asks(obs: &Observed, goal: &Goal, fresh: &Fresh) -> Vec<Ask> {
    let asked = &fresh.chain;
    let mut out = Vec::new();
    if fresh.token.is_none() || !source_at_goal(obs, goal, fresh) {
        return out;
    }
    for ks in obs.kustomizations.iter().filter(|k| from_our_source(k)) {
        // kustomize-controller reconciles it on its own when the source
        // moves for it (it was behind when we asked) or its spec changes (a
        // new object, too): asking as well would reconcile it twice. Only a
        // failed dependency check waits for the timer.
        let on_its_own = fresh.behind.contains(&key(ks)) || !spec_seen(ks);
        if on_its_own && ready_reason(ks) != "DependencyNotReady" {
            continue;
        }
        let deps: Vec<Option<bool>> = depends_on(ks)
            .iter()
            .map(|d| find(&obs.kustomizations, d).map(|d| kustomization_done(d, goal, fresh)))
            .collect();
        let done = kustomization_done(ks, goal, fresh);
        if due(KUSTOMIZATION, ks, done, &deps, asked) {
            out.push(ask(KUSTOMIZATION, ks));
        }
    }
    for hr in &obs.helm_releases {
        let deps = depends_on(hr);
        // helm-controller reconciles a release whose spec or chart changed
        // on its own; it is only the dependency check that waits a timer.
        if deps.is_empty() || ready_reason(hr) != "DependencyNotReady" {
            continue;
        }
        let deps: Vec<Option<bool>> = deps
            .iter()
            .map(|d| find(&obs.helm_releases, d).map(ready_now))
            .collect();
        if due(HELM_RELEASE, hr, false, &deps, asked) {
            out.push(ask(HELM_RELEASE, hr));
        }
    }
    out
}

/// The object of `list` at (namespace, name).
fn find<'a>(list: &'a [Value], at: &(String, String)) -> Option<&'a Value> {
    list.iter().find(|o| key(o) == *at)
}

fn ask(kind: Kind, obj: &Value) -> Ask {
    let (namespace, name) = key(obj);
    Ask {
        kind,
        namespace,
        name,
    }
}

#[cfg(test)]
#[path = "chain_tests.rs"]
mod tests;
