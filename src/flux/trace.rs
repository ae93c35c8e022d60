//! Why Flux is stuck, as `flux trace` and `flux events` would tell it: from
//! the object a wait names, down its `dependsOn` to the first dependency not
//! Ready, to that one's source and the source's last error, then the
//! warning Events of the object at the end of the chain; and which
//! Kustomizations it holds up. [`chain`] walks what the wait already
//! watches (pure); [`explain`] reads the little it lacks (the source, the
//! Events) and never fails: a chain it cannot read is left shorter.

use std::collections::BTreeSet;

use ::kube::api::{Api, ListParams};
use serde_json::Value;

use super::chain::depends_on;
use super::synced::{Observed, text};
use crate::flux::{GIT_REPOSITORY, HELM_RELEASE, KUSTOMIZATION, Kind, Types};
use crate::kube::Cluster;
use crate::kube::wait::{describe, ready_condition};

/// How deep a `dependsOn` chain is followed (Flux refuses cycles; this
/// only bounds a hostile one).
const DEPTH: usize = 16;
/// Warning Events shown per object, newest first.
const EVENTS: usize = 3;
/// An Event's message is cut to this many characters.
const MESSAGE: usize = 300;

/// An object by kind, namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct At {
    pub(crate) kind: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
}

impl At {
    pub(crate) fn new(kind: &str, namespace: &str, name: &str) -> At {
        At {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    fn of(obj: &Value, kind: &str) -> At {
        At::new(
            kind,
            text(obj, "/metadata/namespace"),
            text(obj, "/metadata/name"),
        )
    }

    pub(crate) fn label(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// The walk down from one object: the lines to show, and what it could not
/// see from the watched objects (the source at its end, when it is not our
/// GitRepository; the object whose Events to read).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Chain {
    pub(crate) lines: Vec<String>,
    pub(crate) source: Option<At>,
    pub(crate) events_of: Option<At>,
}

fn ready(obj: &Value) -> bool {
    ready_condition(obj).is_some_and(|c| c["status"] == "True")
        && obj.pointer("/metadata/generation") == obj.pointer("/status/observedGeneration")
}

/// "Ready=False, Reason: message" of an object, or what it lacks.
fn standing(obj: &Value) -> String {
    if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return "suspended (spec.suspend: true)".into();
    }
    match ready_condition(obj) {
        Some(c) => format!(
            "Ready={}, {}",
            c["status"].as_str().unwrap_or("Unknown"),
            one_line(&describe(c))
        ),
        None => "not reconciled yet (no Ready condition)".into(),
    }
}

/// A controller's message on one line: its lines joined, the ends trimmed.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn list<'a>(obs: &'a Observed, kind: &str) -> &'a [Value] {
    if kind == HELM_RELEASE.kind {
        &obs.helm_releases
    } else {
        &obs.kustomizations
    }
}

fn find<'a>(obs: &'a Observed, at: &At) -> Option<&'a Value> {
    if at.kind == GIT_REPOSITORY.kind {
        return obs
            .git_repository
            .as_ref()
            .filter(|g| At::of(g, GIT_REPOSITORY.kind) == *at);
    }
    list(obs, &at.kind)
        .iter()
        .find(|o| At::of(o, &at.kind) == *at)
}

/// A Kustomization's `sourceRef`, its namespace defaulting to its own.
fn source_of(ks: &Value) -> Option<At> {
    let kind = text(ks, "/spec/sourceRef/kind");
    let name = text(ks, "/spec/sourceRef/name");
    if kind.is_empty() || name.is_empty() {
        return None;
    }
    let ns = match text(ks, "/spec/sourceRef/namespace") {
        "" => text(ks, "/metadata/namespace"),
        ns => ns,
    };
    Some(At::new(kind, ns, name))
}

/// The chain down from `start`: each `dependsOn` not Ready, to the first
/// whose own dependencies are; then, for a Kustomization, its source when
/// that is not Ready (looked up in `obs`, or left in `source` to read).
pub(crate) fn chain(obs: &Observed, start: &At) -> Chain {
    let mut out = Chain::default();
    let Some(mut obj) = find(obs, start) else {
        return out;
    };
    let mut at = start.clone();
    let mut seen = BTreeSet::from([at.clone()]);
    for _ in 0..DEPTH {
        let blocking = depends_on(obj).into_iter().find_map(|(ns, name)| {
            let dep = At::new(&at.kind, &ns, &name);
            match find(obs, &dep) {
                Some(d) if ready(d) => None,
                found => Some((dep, found)),
            }
        });
        let Some((dep, found)) = blocking else { break };
        match found {
            None => {
                out.lines.push(format!(
                    "{} waits for its dependsOn {}, which does not exist",
                    at.label(),
                    dep.label()
                ));
                out.events_of = Some(at);
                return out;
            }
            Some(d) => {
                out.lines.push(format!(
                    "{} waits for its dependsOn {}: {}",
                    at.label(),
                    dep.label(),
                    standing(d)
                ));
                if !seen.insert(dep.clone()) {
                    out.lines.push(
                        "the dependsOn chain loops back here; Flux never gets past it".into(),
                    );
                    return out;
                }
                at = dep;
                obj = d;
            }
        }
    }
    out.events_of = Some(at.clone());
    if at.kind != KUSTOMIZATION.kind {
        return out;
    }
    let Some(source) = source_of(obj) else {
        return out;
    };
    match find(obs, &source) {
        Some(s) if ready(s) => {}
        Some(s) => {
            out.lines.push(source_line(&at, &source, Some(s)));
            out.events_of = Some(source);
        }
        None => out.source = Some(source),
    }
    out
}

fn source_line(of: &At, source: &At, obj: Option<&Value>) -> String {
    let standing = match obj {
        Some(s) => standing(s),
        None => "does not exist".into(),
    };
    format!(
        "{} gets its files from {}: {standing}",
        of.label(),
        source.label()
    )
}

/// The Kustomizations held up by `start`: those whose `dependsOn` reach it.
pub(crate) fn held_up(obs: &Observed, start: &At) -> Vec<At> {
    let mut held: Vec<At> = Vec::new();
    let mut frontier = vec![start.clone()];
    while let Some(at) = frontier.pop() {
        for obj in list(obs, &at.kind) {
            let waiter = At::of(obj, &at.kind);
            let waits = depends_on(obj)
                .iter()
                .any(|(ns, name)| *ns == at.namespace && *name == at.name);
            if waits && waiter != *start && !held.contains(&waiter) && held.len() < DEPTH {
                held.push(waiter.clone());
                frontier.push(waiter);
            }
        }
    }
    held
}

/// The objects not Ready that nothing else not Ready waits for: where a
/// reader starts (`status`). Suspended ones are their own answer.
pub(crate) fn tops(obs: &Observed) -> Vec<At> {
    let not_ready = |kind: Kind| {
        list(obs, kind.kind)
            .iter()
            .filter(|o| !ready(o) && text(o, "/metadata/deletionTimestamp").is_empty())
            .map(move |o| At::of(o, kind.kind))
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for kind in [KUSTOMIZATION, HELM_RELEASE] {
        let stuck = not_ready(kind);
        for at in &stuck {
            let waited_for = stuck.iter().any(|other| {
                find(obs, other).is_some_and(|o| {
                    depends_on(o)
                        .iter()
                        .any(|(ns, name)| *ns == at.namespace && *name == at.name)
                })
            });
            if !waited_for {
                out.push(at.clone());
            }
        }
    }
    out
}

/// The chain from `start`, with what the watched objects lack read from the
/// cluster: the source at its end and the warning Events of the object
/// where it ends; then what it holds up. Lines to show under the error.
pub(crate) async fn explain(
    cluster: &Cluster,
    types: &Types,
    obs: &Observed,
    start: &At,
) -> Vec<String> {
    let mut found = chain(obs, start);
    if let Some(source) = found.source.take() {
        let obj = read_source(cluster, types, &source).await;
        if obj.as_ref().is_none_or(|s| !ready(s)) {
            let of = found.events_of.clone().unwrap_or_else(|| start.clone());
            found.lines.push(source_line(&of, &source, obj.as_ref()));
            found.events_of = Some(source);
        }
    }
    let mut lines = found.lines;
    if let Some(at) = &found.events_of {
        lines.extend(warnings(cluster, at).await);
    }
    let held = held_up(obs, start);
    if !held.is_empty() {
        let names: Vec<String> = held.iter().map(At::label).collect();
        lines.push(format!("held up by it: {}", names.join(", ")));
    }
    lines
}

/// Why Flux is not done, for `status`: each object not Ready that nothing
/// else not Ready waits for, with its chain. Empty when every Kustomization
/// is Ready or nothing can be read.
pub(crate) async fn stuck(cluster: &Cluster, types: &Types) -> Vec<String> {
    let Ok(obs) = super::observe::observe(cluster, types, &[]).await else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for top in tops(&obs) {
        let Some(obj) = find(&obs, &top) else {
            continue;
        };
        lines.push(format!("{}: {}", top.label(), standing(obj)));
        let why = explain(cluster, types, &obs, &top).await;
        lines.extend(why.into_iter().map(|l| format!("  ↳ {l}")));
    }
    lines
}

/// The source a chain ends at, read by its kind (GitRepository at the
/// version the wait uses; another source kind at the version served).
async fn read_source(cluster: &Cluster, types: &Types, at: &At) -> Option<Value> {
    let ar = if at.kind == GIT_REPOSITORY.kind {
        types.git_repository.clone()
    } else {
        let found = cluster
            .resources(&[(GIT_REPOSITORY.group, at.kind.as_str(), &[])])
            .await
            .ok()?;
        found.into_iter().next().flatten()?
    };
    crate::kube::get(cluster, &ar, Some(&at.namespace), &at.name)
        .await
        .ok()
        .flatten()
}

/// The newest warning Events of `at`, one line each.
async fn warnings(cluster: &Cluster, at: &At) -> Vec<String> {
    use k8s_openapi::api::core::v1::Event;
    let api: Api<Event> = Api::namespaced(cluster.client.clone(), &at.namespace);
    let fields = format!(
        "involvedObject.kind={},involvedObject.name={},type=Warning",
        at.kind, at.name
    );
    let params = ListParams::default().fields(&fields);
    let Ok(list) = crate::kube::retry::idempotent(|| api.list(&params)).await else {
        return Vec::new();
    };
    let mut events = list.items;
    let when = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0.as_second())
            .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
            .unwrap_or(0)
    };
    events.sort_by_key(|e| std::cmp::Reverse(when(e)));
    events
        .iter()
        .take(EVENTS)
        .map(|e| {
            let message = one_line(e.message.as_deref().unwrap_or_default());
            let message: String = message.chars().take(MESSAGE).collect();
            let count = match e.count {
                Some(n) if n > 1 => format!(" (×{n})"),
                _ => String::new(),
            };
            format!(
                "event of {}: Warning {}{count}: {message}",
                at.label(),
                e.reason.as_deref().unwrap_or_default()
            )
        })
        .collect()
}

#[cfg(test)]
#[path = "trace_tests.rs"]
mod tests;
