//! Waiting: the deadline and Ctrl-C every wait honours, readiness judged as
//! kstatus does, and the retry pace of watches that lost their connection.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use futures::{Stream, StreamExt};
use serde_json::Value;
use tokio::time::Instant;

use crate::error::Result;

/// How often a wait looks at the Ctrl-C flag.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

/// A wait's deadline and the Ctrl-C flag.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) timeout: Duration,
    deadline: Instant,
    interrupted: Arc<AtomicBool>,
}

/// What [`Limits::next`] got.
pub(crate) enum Next<T> {
    Item(T),
    /// The stream ended.
    End,
    TimedOut,
}

impl Limits {
    pub(crate) fn new(timeout: Duration, interrupted: Arc<AtomicBool>) -> Limits {
        Limits {
            timeout,
            deadline: Instant::now() + timeout,
            interrupted,
        }
    }

    /// What is left of the timeout.
    pub(crate) fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The Ctrl-C flag, for what waits outside the async runtime.
    pub(crate) fn interrupted(&self) -> Arc<AtomicBool> {
        self.interrupted.clone()
    }

    pub(crate) fn check_interrupt(&self) -> Result<()> {
        crate::error::check_interrupt(&self.interrupted)
    }

    /// Run `fut` until it finishes (`Some`) or the deadline passes (`None`);
    /// Ctrl-C is [`Error::Interrupted`].
    pub(crate) async fn within<F: std::future::Future>(&self, fut: F) -> Result<Option<F::Output>> {
        let mut fut = std::pin::pin!(fut);
        loop {
            self.check_interrupt()?;
            tokio::select! {
                out = &mut fut => return Ok(Some(out)),
                _ = tokio::time::sleep_until(self.deadline) => return Ok(None),
                _ = tokio::time::sleep(INTERRUPT_POLL) => {}
            }
        }
    }

    /// The stream's next item, unless the deadline passes first.
    pub(crate) async fn next<S: Stream + Unpin>(&self, stream: &mut S) -> Result<Next<S::Item>> {
        Ok(match self.within(stream.next()).await? {
            Some(Some(item)) => Next::Item(item),
            Some(None) => Next::End,
            None => Next::TimedOut,
        })
    }
}

/// Where an object stands, judged as kstatus does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum KStatus {
    /// Ready for its current generation; the Ready message.
    Current(String),
    /// Still being worked on (including Ready=False while Reconciling=True).
    InProgress(String),
    /// Failed for its current generation with nothing in progress, or Stalled.
    Failed(String),
    /// `spec.suspend: true`: the controller ignores it.
    Suspended,
}

pub(crate) fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn is_true(cond: Option<&Value>) -> bool {
    cond.and_then(|c| c.get("status")).and_then(Value::as_str) == Some("True")
}

/// "Reason: message" of a condition.
pub(crate) fn describe(cond: &Value) -> String {
    let text = |k: &str| cond.get(k).and_then(Value::as_str).unwrap_or_default();
    match (text("reason"), text("message")) {
        ("", "") => format!("{}={}", text("type"), text("status")),
        ("", m) => m.to_string(),
        (r, "") => r.to_string(),
        (r, m) => format!("{r}: {m}"),
    }
}

/// The object's Ready condition, if any.
pub(crate) fn ready_condition(obj: &Value) -> Option<&Value> {
    condition(obj, "Ready")
}

pub(crate) fn kstatus(obj: &Value) -> KStatus {
    if obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return KStatus::Suspended;
    }
    let generation = obj.pointer("/metadata/generation").and_then(Value::as_i64);
    let stale =
        |observed: Option<i64>| matches!((generation, observed), (Some(g), Some(o)) if o < g);
    // kustomize-controller leaves `status.observedGeneration: -1` on a
    // Kustomization it could not build (its source or a dependency not
    // ready) while its Ready condition speaks of the current generation:
    // seen, and not ready for the condition's reason.
    // (Only a Ready that is not True: a success counts once the status says
    // so.)
    let ready_seen = ready_condition(obj).is_some_and(|c| {
        c.get("status").and_then(Value::as_str) != Some("True")
            && c.get("observedGeneration").and_then(Value::as_i64) == generation
            && generation.is_some()
    });
    if !ready_seen
        && stale(
            obj.pointer("/status/observedGeneration")
                .and_then(Value::as_i64),
        )
    {
        return KStatus::InProgress(format!(
            "the controller has not yet seen generation {}",
            generation.unwrap_or_default()
        ));
    }
    let stalled = condition(obj, "Stalled");
    if is_true(stalled) {
        return KStatus::Failed(describe(stalled.expect("true means present")));
    }
    let reconciling = condition(obj, "Reconciling");
    let Some(ready) = ready_condition(obj) else {
        return KStatus::InProgress(match reconciling {
            Some(r) if is_true(Some(r)) => describe(r),
            _ => "not reconciled yet".into(),
        });
    };
    if stale(ready.get("observedGeneration").and_then(Value::as_i64)) {
        return KStatus::InProgress(format!(
            "reconciling generation {}",
            generation.unwrap_or_default()
        ));
    }
    if is_true(reconciling) {
        return KStatus::InProgress(describe(reconciling.expect("true means present")));
    }
    match ready.get("status").and_then(Value::as_str) {
        Some("True") => KStatus::Current(describe(ready)),
        Some("False") => KStatus::Failed(describe(ready)),
        _ => KStatus::InProgress(describe(ready)),
    }
}

/// A failed watch: 401/403 end the wait (as our error); anything else (a
/// lost connection, a restarting API server) is described and retried.
pub(crate) fn watch_failure(
    cluster: &super::Cluster,
    action: &str,
    err: ::kube::runtime::watcher::Error,
) -> Result<String> {
    use ::kube::runtime::watcher::Error as W;
    match err {
        W::InitialListFailed(e) | W::WatchStartFailed(e) | W::WatchFailed(e)
            if super::is_auth_error(&e) =>
        {
            Err(cluster.error(action, e))
        }
        W::WatchError(s) if s.code == 401 || s.code == 403 => {
            Err(cluster.error(action, ::kube::Error::Api(s)))
        }
        other => Ok(format!(
            "watch interrupted ({}); retrying",
            super::chain(&other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(generation: i64, observed: i64, conditions: Value) -> Value {
        json!({
            "metadata": {"generation": generation},
            "status": {"observedGeneration": observed, "conditions": conditions},
        })
    }

    fn cond(kind: &str, status: &str, reason: &str, message: &str) -> Value {
        json!({"type": kind, "status": status, "reason": reason, "message": message})
    }

    #[test]
    fn ready_for_the_current_generation_is_current() {
        let o = obj(
            2,
            2,
            json!([cond(
                "Ready",
                "True",
                "ReconciliationSucceeded",
                "Applied revision: main@sha1:abc"
            )]),
        );
        assert_eq!(
            kstatus(&o),
            KStatus::Current("ReconciliationSucceeded: Applied revision: main@sha1:abc".into())
        );
    }

    #[test]
    fn an_unobserved_generation_is_in_progress_even_when_ready() {
        let o = obj(3, 2, json!([cond("Ready", "True", "Succeeded", "")]));
        assert!(matches!(kstatus(&o), KStatus::InProgress(_)));
        let mut o = obj(3, 3, json!([cond("Ready", "True", "Succeeded", "")]));
        o["status"]["conditions"][0]["observedGeneration"] = json!(2);
        assert!(matches!(kstatus(&o), KStatus::InProgress(_)));
    }

    #[test]
    fn a_kustomization_flux_could_not_build_is_seen_and_not_ready_for_its_reason() {
        let mut o = obj(
            1,
            -1,
            json!([cond(
                "Ready",
                "False",
                "DependencyNotReady",
                "dependency 'flux-system/stuck' is not ready"
            )]),
        );
        o["status"]["conditions"][0]["observedGeneration"] = json!(1);
        assert_eq!(
            kstatus(&o),
            KStatus::Failed(
                "DependencyNotReady: dependency 'flux-system/stuck' is not ready".into()
            )
        );
        // A success counts only once the status says it saw the generation.
        o["status"]["conditions"][0]["status"] = json!("True");
        assert!(matches!(kstatus(&o), KStatus::InProgress(_)));
    }

    #[test]
    fn ready_false_while_reconciling_is_progress() {
        let o = obj(
            1,
            1,
            json!([
                cond(
                    "Ready",
                    "False",
                    "DependencyNotReady",
                    "dependency 'flux-system/infra' is not ready"
                ),
                cond("Reconciling", "True", "ProgressingWithRetry", "retrying"),
            ]),
        );
        assert_eq!(
            kstatus(&o),
            KStatus::InProgress("ProgressingWithRetry: retrying".into())
        );
    }

    #[test]
    fn ready_false_with_nothing_in_progress_is_a_failure() {
        let o = obj(
            1,
            1,
            json!([cond(
                "Ready",
                "False",
                "BuildFailed",
                "kustomize build failed"
            )]),
        );
        assert_eq!(
            kstatus(&o),
            KStatus::Failed("BuildFailed: kustomize build failed".into())
        );
    }

    #[test]
    fn stalled_is_a_failure_even_when_reconciling() {
        let o = obj(
            1,
            1,
            json!([
                cond("Stalled", "True", "InvalidURL", "bad url"),
                cond("Reconciling", "True", "", "")
            ]),
        );
        assert_eq!(kstatus(&o), KStatus::Failed("InvalidURL: bad url".into()));
    }

    #[test]
    fn suspended_wins_and_no_conditions_is_in_progress() {
        let mut o = obj(1, 1, json!([cond("Ready", "True", "", "")]));
        o["spec"] = json!({"suspend": true});
        assert_eq!(kstatus(&o), KStatus::Suspended);
        assert_eq!(
            kstatus(&json!({"metadata": {"generation": 1}})),
            KStatus::InProgress("not reconciled yet".into())
        );
    }
}
