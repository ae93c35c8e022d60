//! Is the cluster at the pushed commit? Flux's objects judged against a goal
//! revision, as kstatus would, telling what is still in progress from what
//! will not recover. Pure: `observe.rs` reads the objects, `follow.rs`
//! watches them.

use serde_json::Value;

use super::depends::Release;
use crate::error::Error;
use crate::flux::{self, GIT_REPOSITORY, HELM_RELEASE, KUSTOMIZATION, Kind};
use crate::kube::wait::{KStatus, kstatus, ready_condition};

/// The annotation that asks a Flux controller to reconcile now.
pub(crate) const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// The revision Flux should reach: a commit on a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Goal {
    pub(crate) branch: String,
    pub(crate) commit: String,
}

impl Goal {
    /// As Flux writes it: `main@sha1:<sha>`.
    pub(crate) fn revision(&self) -> String {
        format!("{}@sha1:{}", self.branch, self.commit)
    }

    pub(crate) fn short(&self) -> String {
        flux::short_revision(&self.revision())
    }

    /// Also accepts the `main/<sha>` form of Flux before v2.0.
    pub(crate) fn matches(&self, revision: &str) -> bool {
        revision == self.revision() || revision == format!("{}/{}", self.branch, self.commit)
    }
}

/// The Flux objects, as last seen.
#[derive(Clone, Debug, Default)]
pub(crate) struct Observed {
    pub(crate) git_repository: Option<Value>,
    pub(crate) kustomizations: Vec<Value>,
    pub(crate) helm_releases: Vec<Value>,
}

impl Observed {
    /// Fields of an unexpected type, by object and field: reported, and the
    /// objects judged without them.
    pub(crate) fn odd(&self) -> Vec<String> {
        self.git_repository
            .iter()
            .chain(&self.kustomizations)
            .chain(&self.helm_releases)
            .flat_map(crate::kube::loose::odd_fields)
            .collect()
    }
}

/// An object (kind, namespace, name) and the token of our last request to it.
pub(crate) type Asked = std::collections::BTreeMap<(&'static str, String, String), String>;

/// When a failure counts as an answer to our reconcile request rather than
/// left over from before it. The default (for `check`): never.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fresh {
    pub(crate) token: Option<String>,
    /// Unix seconds of the request.
    pub(crate) since: Option<u64>,
    /// Our later requests to single Kustomizations, by (namespace, name):
    /// after a dependency became Ready (see [`depends`]).
    pub(crate) nudges: std::collections::BTreeMap<(String, String), String>,
    /// Our requests to single Kustomizations and HelmReleases as the chain
    /// of dependencies gets there (see `flux/chain.rs`).
    pub(crate) chain: Asked,
    /// The Kustomizations of our source not at the goal when we asked the
    /// source: kustomize-controller reconciles them on its own when the
    /// source's revision changes, and applying the goal answers our request.
    pub(crate) behind: std::collections::BTreeSet<(String, String)>,
    /// A Ready the source or a Kustomization reported before it handled our
    /// request does not count: after an upgrade the same revision can fail,
    /// and only Flux's answer to the request says whether it does.
    pub(crate) answered: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Ready(String),
    Waiting(String),
    Failed { message: String, fresh: bool },
    Suspended,
}

/// One object's standing.
#[derive(Clone, Debug)]
pub(crate) struct Judged {
    pub(crate) kind: Kind,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) verdict: Verdict,
    /// Ask it to reconcile now: what it waited for is there.
    pub(crate) nudge: bool,
    /// A HelmRelease that must be gone.
    pub(crate) removed: bool,
    /// The fix, when it is not the kind's usual one.
    hint: Option<String>,
}

impl Judged {
    pub(crate) fn label(&self) -> String {
        format!("{} {}/{}", self.kind.kind, self.namespace, self.name)
    }

    fn failure(&self, message: String) -> Error {
        let (ns, name) = (&self.namespace, &self.name);
        let help = match self.kind.kind {
            _ if self.hint.is_some() => self.hint.clone().unwrap_or_default(),
            "GitRepository" => format!(
                "Flux cannot fetch the fork: check its URL and branch, and that the token in Secret {}/{} may read it (`flux get sources git -A`); then run `eks-workshop resume`",
                flux::NAMESPACE,
                flux::NAME
            ),
            "Kustomization" => format!(
                "fix the manifests in the fork (`flux get kustomizations -A`, `kubectl -n {ns} describe kustomization {name}`), push, then run `eks-workshop resume`"
            ),
            _ => format!(
                "see `flux get helmreleases -A` and `kubectl -n {ns} describe helmrelease {name}`; then run `eks-workshop resume`"
            ),
        };
        Error::FluxFailed {
            kind: self.kind.kind.to_string(),
            name: format!("{ns}/{name}"),
            message,
            help,
        }
    }

    fn suspended(&self) -> Error {
        Error::FluxFailed {
            kind: self.kind.kind.to_string(),
            name: format!("{}/{}", self.namespace, self.name),
            message: "it is suspended (spec.suspend: true), so Flux will not apply anything".into(),
            help: format!(
                "resume it with `flux resume {} {} -n {}`, then run `eks-workshop resume`",
                self.kind.cli, self.name, self.namespace
            ),
        }
    }
}

pub(crate) fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

pub(crate) use crate::clock::unix;

/// Whether a Kustomization syncs from our GitRepository.
pub(crate) fn from_our_source(ks: &Value) -> bool {
    let ns = text(ks, "/spec/sourceRef/namespace");
    let ns = if ns.is_empty() {
        text(ks, "/metadata/namespace")
    } else {
        ns
    };
    text(ks, "/spec/sourceRef/kind") == GIT_REPOSITORY.kind
        && text(ks, "/spec/sourceRef/name") == flux::NAME
        && ns == flux::NAMESPACE
}

fn is_fresh(obj: &Value, goal: &Goal, fresh: &Fresh) -> bool {
    if handled_ours(obj, fresh) {
        return true;
    }
    if goal.matches(text(obj, "/status/lastAttemptedRevision")) && fresh.since.is_some() {
        return true;
    }
    let changed = ready_condition(obj)
        .and_then(|c| c.get("lastTransitionTime"))
        .and_then(Value::as_str)
        .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
        .map(unix);
    matches!((changed, fresh.since), (Some(c), Some(s)) if c >= s)
}

/// The object handled one of our requests to reconcile: the first one, a
/// nudge, or the chain's.
fn handled_ours(obj: &Value, fresh: &Fresh) -> bool {
    let handled = text(obj, "/status/lastHandledReconcileAt");
    let key = key_of(obj);
    // Only Kustomizations answer this wait's judgement (a HelmRelease's
    // failure is always an answer: see `judge`).
    let chained = (KUSTOMIZATION.kind, key.0.clone(), key.1.clone());
    fresh.token.as_deref() == Some(handled)
        || fresh.nudges.get(&key).map(String::as_str) == Some(handled)
        || fresh.chain.get(&chained).map(String::as_str) == Some(handled)
}

/// At the goal, the object answers this wait: it handled our request, or
/// it was behind when we asked (so it applied the goal since).
pub(crate) fn answered(obj: &Value, fresh: &Fresh) -> bool {
    handled_ours(obj, fresh) || fresh.behind.contains(&key_of(obj))
}

fn key_of(obj: &Value) -> (String, String) {
    (
        text(obj, "/metadata/namespace").to_string(),
        text(obj, "/metadata/name").to_string(),
    )
}

fn judge_one(kind: Kind, obj: &Value, goal: &Goal, fresh: &Fresh) -> Judged {
    let revision_of = |o: &Value| match kind.kind {
        "GitRepository" => Some(text(o, "/status/artifact/revision").to_string()),
        "Kustomization" if from_our_source(o) => {
            Some(text(o, "/status/lastAppliedRevision").to_string())
        }
        _ => None,
    };
    let verdict = match kstatus(obj) {
        KStatus::Suspended => Verdict::Suspended,
        KStatus::InProgress(_) if retrying_failure(obj).is_some() => Verdict::Failed {
            message: retrying_failure(obj).unwrap_or_default(),
            fresh: is_fresh(obj, goal, fresh),
        },
        // A fetch the git host failed for a moment (a 502, a dropped
        // connection): source-controller fetches again on its own.
        KStatus::Failed(message) if kind.kind == "GitRepository" && transient_fetch(&message) => {
            Verdict::Waiting(format!("source-controller fetches again after: {message}"))
        }
        KStatus::Failed(message) => Verdict::Failed {
            message,
            fresh: is_fresh(obj, goal, fresh),
        },
        // Applied the goal, and reconciling again at it (its interval, or
        // a request after it answered): it got there. Not when the wait
        // wants Flux's answer to its own request.
        KStatus::InProgress(_)
            if !fresh.answered
                && again_at(obj, goal)
                && revision_of(obj).is_some_and(|r| goal.matches(&r)) =>
        {
            Verdict::Ready(format!("at {}; reconciling it again", goal.short()))
        }
        KStatus::InProgress(message) => Verdict::Waiting(message),
        KStatus::Current(message) => match revision_of(obj) {
            Some(rev) if !goal.matches(&rev) => {
                let at = if rev.is_empty() {
                    "no revision yet".to_string()
                } else {
                    format!("at {rev}")
                };
                Verdict::Waiting(format!("{at}, waiting for {}", goal.short()))
            }
            Some(_) if fresh.answered && !answered(obj, fresh) => Verdict::Waiting(
                "Ready from before it was asked to reconcile; waiting for its answer".into(),
            ),
            _ => Verdict::Ready(message),
        },
    };
    Judged {
        kind,
        namespace: text(obj, "/metadata/namespace").to_string(),
        name: text(obj, "/metadata/name").to_string(),
        verdict,
        nudge: false,
        removed: false,
        hint: None,
    }
}

/// Reconciling its current spec again, having applied `goal` (Ready
/// Unknown while a reconcile runs; nothing failed).
fn again_at(obj: &Value, goal: &Goal) -> bool {
    let generation = obj.pointer("/metadata/generation");
    let seen = obj.pointer("/status/observedGeneration");
    let running = ready_condition(obj).is_some_and(|c| c["status"] == "Unknown");
    generation.is_some() && generation == seen && running && !goal.commit.is_empty()
}

/// The reason of an object's Ready condition, or "".
fn ready_reason(obj: &Value) -> &str {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["reason"].as_str())
        .unwrap_or_default()
}

fn absent(kind: Kind, namespace: &str, name: &str, why: &str) -> Judged {
    Judged {
        kind,
        namespace: namespace.into(),
        name: name.into(),
        verdict: Verdict::Waiting(why.into()),
        nudge: false,
        removed: false,
        hint: None,
    }
}

/// Every object the reconcile step waits for, judged: our GitRepository,
/// every Kustomization, and the HelmReleases `releases` requires (with those
/// a Kustomization waits for, see [`depends`]).
pub(crate) fn judge(
    obs: &Observed,
    goal: &Goal,
    releases: &[Release],
    fresh: &Fresh,
) -> Vec<Judged> {
    let mut out = Vec::new();
    match &obs.git_repository {
        Some(g) => out.push(judge_one(GIT_REPOSITORY, g, goal, fresh)),
        None => out.push(absent(
            GIT_REPOSITORY,
            flux::NAMESPACE,
            flux::NAME,
            "does not exist (the flux step makes it)",
        )),
    }
    if !obs
        .kustomizations
        .iter()
        .any(|k| named(k, flux::NAMESPACE, flux::NAME))
    {
        out.push(absent(
            KUSTOMIZATION,
            flux::NAMESPACE,
            flux::NAME,
            "does not exist (the flux step makes it)",
        ));
    }
    // We never ask a HelmRelease to reconcile, so its failures are answers.
    let release_fresh = Fresh {
        since: fresh.since.map(|_| 0),
        ..Fresh::default()
    };
    let release = |r: &Release| {
        obs.helm_releases
            .iter()
            .find(|h| named(h, r.namespace, r.name))
            .map(|h| judge_one(HELM_RELEASE, h, goal, &release_fresh))
    };
    // Real kustomize-controller answers a Kustomization whose source has no
    // artifact yet with Ready=False, ArtifactFailed ("Source artifact not
    // found, retrying in 30s") and no Reconciling condition, and marks our
    // request handled: it retries, and applies when the artifact comes (our
    // GitRepository's own failures are judged on it), so that is waiting.
    let mut waits_for: Vec<Release> = Vec::new();
    let mut through = 0;
    for k in &obs.kustomizations {
        let mut judged = judge_one(KUSTOMIZATION, k, goal, fresh);
        if let Verdict::Failed { message, .. } = &judged.verdict {
            if from_our_source(k) && ready_reason(k) == "ArtifactFailed" {
                judged.verdict = Verdict::Waiting(format!("waiting for its source: {message}"));
            } else if ready_reason(k) == "DependencyNotReady" {
                // Real Flux writes it without a Reconciling condition when the
                // last reconcile succeeded, and retries: waiting.
                judged.verdict =
                    Verdict::Waiting(format!("waiting for its dependencies: {message}"));
            } else if let Some(bringer) =
                through_dependency(&mut judged, k, releases, &release, fresh)
            {
                through += 1;
                if !waits_for.contains(&bringer) {
                    waits_for.push(bringer);
                }
            }
        }
        out.push(judged);
    }
    // A HelmRelease is judged once the Kustomizations have applied the goal
    // (before that its spec may be the old one).
    let applied = out
        .iter()
        .filter(|j| !matches!(j.verdict, Verdict::Ready(_)))
        .count()
        == through;
    // Disabled add-ons: pruned by their Kustomization, then uninstalled by
    // helm-controller's finalizer; gone is done.
    for r in releases.iter().filter(|r| r.removed) {
        let mut judged = absent(HELM_RELEASE, r.namespace, r.name, "");
        judged.removed = true;
        judged.verdict = match obs
            .helm_releases
            .iter()
            .find(|h| named(h, r.namespace, r.name))
        {
            None => Verdict::Ready("uninstalled".into()),
            Some(h) if text(h, "/metadata/deletionTimestamp").is_empty() => {
                Verdict::Waiting(format!("waiting for Flux to prune it at {}", goal.short()))
            }
            Some(_) => Verdict::Waiting("being uninstalled by helm-controller".into()),
        };
        out.push(judged);
    }
    let required = releases.iter().filter(|r| r.required);
    for r in required.chain(waits_for.iter().filter(|r| !r.required)) {
        let waiting = format!("waiting for the Kustomizations to apply {}", goal.short());
        let (ns, name) = (r.namespace, r.name);
        match obs.helm_releases.iter().find(|h| named(h, ns, name)) {
            Some(h) if applied => out.push(judge_one(HELM_RELEASE, h, goal, &release_fresh)),
            Some(h) if kstatus(h) == KStatus::Suspended => {
                out.push(judge_one(HELM_RELEASE, h, goal, fresh))
            }
            Some(_) => out.push(absent(HELM_RELEASE, ns, name, &waiting)),
            None => out.push(absent(HELM_RELEASE, ns, name, "not created yet")),
        }
    }
    out
}

fn named(o: &Value, ns: &str, name: &str) -> bool {
    text(o, "/metadata/namespace") == ns && text(o, "/metadata/name") == name
}

mod conditions;
mod outcome;
mod transient;

use conditions::{retrying_failure, through_dependency};
pub(crate) use outcome::{Outcome, blamed, outcome};
use transient::transient_fetch;

#[cfg(test)]
#[path = "synced_tests.rs"]
mod tests;
