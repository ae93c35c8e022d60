//! Where the whole set of judged objects stands: synced, still pending
//! (naming the first object not ready), or failed for good.

use super::{Goal, HELM_RELEASE, Judged, KUSTOMIZATION, Verdict};
use crate::error::Error;

/// Where the whole set stands.
pub(crate) enum Outcome {
    Synced(String),
    /// Not yet: a one-line summary naming the first object not ready.
    Pending {
        summary: String,
        first: String,
        why: String,
    },
    /// Will not get there by waiting.
    Failed(Error),
}

/// The object [`outcome`] names when the set is not synced (kind,
/// namespace, name): a suspended one, else a failure that answers the wait,
/// else the first not Ready.
pub(crate) fn blamed(judged: &[Judged]) -> Option<(&'static str, String, String)> {
    let at = |j: &Judged| (j.kind.kind, j.namespace.clone(), j.name.clone());
    let failed = |j: &&Judged| matches!(j.verdict, Verdict::Failed { fresh: true, .. });
    judged
        .iter()
        .find(|j| j.verdict == Verdict::Suspended)
        .or_else(|| judged.iter().find(failed))
        .or_else(|| {
            judged
                .iter()
                .find(|j| !matches!(j.verdict, Verdict::Ready(_)))
        })
        .map(at)
}

pub(crate) fn outcome(judged: &[Judged], goal: &Goal) -> Outcome {
    if let Some(j) = judged.iter().find(|j| j.verdict == Verdict::Suspended) {
        return Outcome::Failed(j.suspended());
    }
    for j in judged {
        if let Verdict::Failed {
            message,
            fresh: true,
        } = &j.verdict
        {
            return Outcome::Failed(j.failure(message.clone()));
        }
    }
    let ready = judged
        .iter()
        .filter(|j| matches!(j.verdict, Verdict::Ready(_)))
        .count();
    let Some(first) = judged
        .iter()
        .find(|j| !matches!(j.verdict, Verdict::Ready(_)))
    else {
        let kustomizations = judged.iter().filter(|j| j.kind == KUSTOMIZATION).count();
        let releases = |removed: bool| -> Vec<&str> {
            judged
                .iter()
                .filter(|j| j.kind == HELM_RELEASE && j.removed == removed)
                .map(|j| j.name.as_str())
                .collect()
        };
        let mut s = format!(
            "GitRepository and {kustomizations} Kustomization(s) at {}",
            goal.short()
        );
        if !releases(false).is_empty() {
            s.push_str(&format!(
                "; HelmRelease {} Ready",
                releases(false).join(", ")
            ));
        }
        if !releases(true).is_empty() {
            s.push_str(&format!(
                "; HelmRelease {} uninstalled",
                releases(true).join(", ")
            ));
        }
        return Outcome::Synced(s);
    };
    let why = match &first.verdict {
        Verdict::Waiting(m) => m.clone(),
        Verdict::Failed { message, .. } => format!("failed: {message}"),
        _ => String::new(),
    };
    let first = first.label();
    Outcome::Pending {
        summary: format!("{ready}/{} ready; {first}: {why}", judged.len()),
        first,
        why,
    }
}
