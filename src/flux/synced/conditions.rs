//! How real Flux writes its conditions, where kstatus alone misjudges them:
//! a failed apply it retries, and a Kustomization waiting for a kind an
//! add-on's chart will bring (see [`crate::flux::depends`]).

use serde_json::Value;

use super::{Fresh, Judged, Verdict, text};
use crate::flux::depends::{self, Release};
use crate::kube::wait::{condition, describe, ready_condition};

/// Ready=False reasons that say the controller is waiting for something
/// else, not that what it applied failed.
const WAITING_REASONS: &[&str] = &["DependencyNotReady", "Progressing", "HealthCheckCanceled"];

/// A failure Flux retries: real kustomize-controller leaves a failed apply
/// at Ready=False with Reconciling=True (ProgressingWithRetry) and updates
/// `status.observedGeneration` only on success, so kstatus calls it "in
/// progress". The Ready condition's own `observedGeneration` says it is
/// about the current spec; whether it answers our request is [`is_fresh`]'s
/// to say, as `flux reconcile` does with `lastHandledReconcileAt`.
pub(super) fn retrying_failure(obj: &Value) -> Option<String> {
    let ready = ready_condition(obj)?;
    if ready.get("status").and_then(Value::as_str) != Some("False") {
        return None;
    }
    let reason = ready
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if WAITING_REASONS.contains(&reason) {
        return None;
    }
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let seen = ready.get("observedGeneration").and_then(Value::as_i64);
    if generation.is_none() || seen != generation {
        return None;
    }
    match condition(obj, "Reconciling") {
        None => Some(describe(ready)),
        Some(r) if r.get("reason").and_then(Value::as_str) == Some("ProgressingWithRetry") => {
            Some(describe(ready))
        }
        Some(_) => None,
    }
}

/// A Kustomization failing only because kinds are not served: waiting while
/// the add-on whose chart brings them installs (the release returned), then
/// asked once to apply again; failed, with the fix, when nothing brings a
/// kind or the kinds are still missing after that.
pub(super) fn through_dependency<'a>(
    judged: &mut Judged,
    ks: &Value,
    releases: &[Release<'a>],
    release: &dyn Fn(&Release) -> Option<Judged>,
    fresh: &Fresh,
) -> Option<Release<'a>> {
    let Verdict::Failed { message, .. } = &judged.verdict else {
        return None;
    };
    let kinds = depends::unserved(message);
    let first = kinds.first()?;
    let mut bringers = Vec::new();
    for what in &kinds {
        match depends::bringer(releases, what) {
            Some(r) => bringers.push((what, *r)),
            None => {
                judged.hint = Some(format!(
                    "no add-on enabled in the fork brings {what}: `eks-workshop verify` names the file; migrate it to a served version, or enable the add-on whose chart brings it (`eks-workshop addons`), commit, then run `eks-workshop resume`"
                ));
                return None;
            }
        }
    }
    let installing = bringers
        .iter()
        .find(|(_, r)| !matches!(release(r).map(|j| j.verdict), Some(Verdict::Ready(_))));
    if let Some((what, r)) = installing {
        judged.verdict = Verdict::Waiting(format!(
            "waits for {} to install {what}, which it applies",
            r.label()
        ));
        return Some(*r);
    }
    let (_, r) = bringers[0];
    let key = (judged.namespace.clone(), judged.name.clone());
    let asked = fresh.nudges.get(&key);
    if asked.is_some_and(|token| text(ks, "/status/lastHandledReconcileAt") == token) {
        judged.hint = Some(format!(
            "{} is Ready, but the cluster still serves no {first}: check that the add-on's chart version brings it (`kubectl get crds`), fix the manifest or the chart version, commit, then run `eks-workshop resume`",
            r.label()
        ));
        judged.verdict = Verdict::Failed {
            message: message.clone(),
            fresh: true,
        };
        return None;
    }
    judged.verdict = Verdict::Waiting(format!("{} brought {first}; Flux applies again", r.label()));
    judged.nudge = asked.is_none();
    Some(r)
}
