//! `teardown`'s cluster side: what of Flux, Karpenter and the load
//! balancers is still on the cluster, and removing it. Everything here is
//! safe to repeat: an object already gone is no error, and each wait is
//! bounded and names what is still there when it gives up.

pub(crate) mod cloud;
pub(crate) mod flux;
pub(crate) mod leftovers;
mod removal;

pub(crate) use removal::{Removal, Wait};

use std::time::{Duration, Instant};

use ::kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::kube::wait::Limits;
use crate::kube::{Cluster, label, retry};

/// An object found on the cluster: enough to name it and to change it.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub(crate) resource: ApiResource,
    pub(crate) namespace: Option<String>,
    pub(crate) name: String,
    pub(crate) finalizers: Vec<String>,
    /// It has a deletion timestamp: someone's finalizer holds it.
    pub(crate) deleting: bool,
    /// `spec.suspend` is true (Flux's objects).
    pub(crate) suspended: bool,
}

impl Found {
    fn from(resource: &ApiResource, obj: &DynamicObject) -> Found {
        Found {
            resource: resource.clone(),
            namespace: obj.metadata.namespace.clone(),
            name: obj.metadata.name.clone().unwrap_or_default(),
            finalizers: obj.metadata.finalizers.clone().unwrap_or_default(),
            deleting: obj.metadata.deletion_timestamp.is_some(),
            suspended: obj.data.pointer("/spec/suspend") == Some(&Value::Bool(true)),
        }
    }

    /// "Kind ns/name".
    pub(crate) fn label(&self) -> String {
        label(&self.resource.kind, self.namespace.as_deref(), &self.name)
    }

    fn api(&self, cluster: &Cluster) -> Api<DynamicObject> {
        cluster.api(&self.resource, self.namespace.as_deref())
    }
}

/// Every object of `resource` (across namespaces) matching `selector`; none
/// when the type is not served (any more).
pub(crate) async fn list(
    cluster: &Cluster,
    resource: &ApiResource,
    selector: Option<&str>,
) -> Result<Vec<Found>> {
    let api: Api<DynamicObject> = cluster.api(resource, None);
    let mut params = ListParams::default();
    if let Some(s) = selector {
        params = params.labels(s);
    }
    match retry::idempotent(|| api.list(&params)).await {
        Ok(list) => Ok(list
            .items
            .iter()
            .map(|o| Found::from(resource, o))
            .collect()),
        Err(::kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
        Err(e) => Err(cluster.error(&format!("list {}", resource.plural), e)),
    }
}

/// Delete `found` (its dependents in the background); gone already is fine.
pub(crate) async fn delete(cluster: &Cluster, found: &Found) -> Result<()> {
    let api = found.api(cluster);
    let params = DeleteParams::background();
    match retry::idempotent(|| api.delete(&found.name, &params)).await {
        Ok(_) => Ok(()),
        Err(::kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(cluster.error(&format!("delete {}", found.label()), e)),
    }
}

/// A JSON merge patch of `found`; gone already is fine.
pub(crate) async fn merge(cluster: &Cluster, found: &Found, patch: &Value) -> Result<()> {
    let api = found.api(cluster);
    let params = PatchParams::default();
    let patch = Patch::Merge(patch);
    match retry::idempotent(|| api.patch(&found.name, &params, &patch)).await {
        Ok(_) => Ok(()),
        Err(::kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(e) => Err(cluster.error(&format!("patch {}", found.label()), e)),
    }
}

/// Until `still` finds nothing, within `bound` (and the run's Ctrl-C): a
/// wait that gives up names what is still there. `progress` hears each
/// look's answer.
pub(crate) async fn until_gone<F, Fut>(
    what: &str,
    bound: Duration,
    limits: &Limits,
    progress: &dyn Fn(&str),
    mut still: F,
) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>>>,
{
    let started = Instant::now();
    let mut delays = crate::backoff::polling(Duration::from_millis(250));
    loop {
        let left = still().await?;
        if left.is_empty() {
            return Ok(());
        }
        limits.check_interrupt()?;
        if started.elapsed() >= bound {
            return Err(Error::Timeout {
                what: what.to_string(),
                detail: format!("still there: {}", left.join(", ")),
                after: bound,
            });
        }
        progress(&format!(
            "waiting for {what} ({}s): {}",
            started.elapsed().as_secs(),
            left.join(", ")
        ));
        let delay = delays.next().expect("polling never ends");
        tokio::time::sleep(delay.min(Duration::from_secs(3))).await;
    }
}

/// Labels of `found`, for messages.
pub(crate) fn labels(found: &[Found]) -> Vec<String> {
    found.iter().map(Found::label).collect()
}
