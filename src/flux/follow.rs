//! Watch Flux's objects until the cluster is at the goal revision: one
//! watcher per kind, merged; each event updates what we know and the whole
//! set is judged again. The watchers re-list after a lost connection, so an
//! API server restart costs a retry, not the wait.

use std::collections::BTreeMap;

use ::kube::api::{Api, ApiResource};

use crate::kube::loose::Loose;
use ::kube::runtime::{WatchStreamExt, watcher};
use futures::StreamExt;
use futures::stream::{BoxStream, SelectAll};
use serde_json::Value;

use super::depends::Release;
use super::synced::{self, Fresh, Goal, Observed, Outcome};
use crate::backoff::WatchPace;
use crate::error::{Error, Result};
use crate::flux::{self, Types};
use crate::kube::Cluster;
use crate::kube::wait::{Limits, Next, watch_failure};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    GitRepository,
    Kustomization,
    HelmRelease,
}

type Key = (String, String);
type Item = (
    usize,
    std::result::Result<watcher::Event<Loose>, watcher::Error>,
);

/// What one watcher has seen.
struct Slot {
    which: Which,
    objects: BTreeMap<Key, Value>,
    /// Objects of a re-list in progress, swapped in when it is done.
    relist: Option<BTreeMap<Key, Value>>,
    listed: bool,
}

fn key(obj: &Value) -> Key {
    let t = |p: &str| {
        obj.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (t("/metadata/namespace"), t("/metadata/name"))
}

impl Slot {
    fn update(&mut self, event: watcher::Event<Loose>) {
        let value = |o: Loose| o.value;
        match event {
            watcher::Event::Apply(o) => {
                let v = value(o);
                self.objects.insert(key(&v), v);
            }
            watcher::Event::Delete(o) => {
                self.objects.remove(&key(&value(o)));
            }
            watcher::Event::Init => self.relist = Some(BTreeMap::new()),
            watcher::Event::InitApply(o) => {
                let v = value(o);
                self.relist
                    .get_or_insert_with(BTreeMap::new)
                    .insert(key(&v), v);
            }
            watcher::Event::InitDone => {
                self.objects = self.relist.take().unwrap_or_default();
                self.listed = true;
            }
        }
    }
}

fn stream(
    cluster: &Cluster,
    ar: &ApiResource,
    ns: Option<&str>,
    config: watcher::Config,
    index: usize,
) -> BoxStream<'static, Item> {
    let api: Api<Loose> = cluster.api(ar, ns);
    watcher(api, config)
        .backoff(WatchPace::new())
        .map(move |e| (index, e))
        .boxed()
}

/// What the wait reports as it goes.
pub(crate) trait Progress {
    fn progress(&self, message: &str);
}

impl Progress for crate::ui::Ui {
    fn progress(&self, message: &str) {
        crate::ui::Ui::progress(self, message)
    }
}

/// Wait until every object is at `goal` and Ready; fail fast on what will
/// not recover, time out with what is still not ready.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn wait_synced(
    cluster: &Cluster,
    types: &Types,
    goal: &Goal,
    releases: &[Release<'_>],
    fresh: &Fresh,
    limits: &Limits,
    ui: &dyn Progress,
) -> Result<String> {
    let mut slots = Vec::new();
    let mut streams: SelectAll<BoxStream<'static, Item>> = SelectAll::new();
    let by_name = watcher::Config::default().fields(&format!("metadata.name={}", flux::NAME));
    streams.push(stream(
        cluster,
        &types.git_repository,
        Some(flux::NAMESPACE),
        by_name,
        slots.len(),
    ));
    slots.push(Slot::new(Which::GitRepository));
    let scope = super::observe::kustomization_scope(cluster, types).await?;
    streams.push(stream(
        cluster,
        &types.kustomization,
        scope,
        watcher::Config::default(),
        slots.len(),
    ));
    slots.push(Slot::new(Which::Kustomization));
    let mut fresh = fresh.clone();
    let mut namespaces: Vec<&str> = releases.iter().map(|r| r.namespace).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    for ns in namespaces {
        streams.push(stream(
            cluster,
            &types.helm_release,
            Some(ns),
            watcher::Config::default(),
            slots.len(),
        ));
        slots.push(Slot::new(Which::HelmRelease));
    }
    let mut shown = String::new();
    let mut noted = std::collections::BTreeSet::new();
    let mut last = (
        "the cluster".to_string(),
        "no answer from the API server yet".to_string(),
    );
    loop {
        let (index, event) = match limits.next(&mut streams).await? {
            Next::Item(item) => item,
            Next::End => return Err(lost(cluster)),
            Next::TimedOut => {
                let err = Error::Timeout {
                    what: format!("Flux to apply {}", goal.short()),
                    detail: format!("{} is not ready ({})", last.0, last.1),
                    after: limits.timeout,
                };
                if !slots.iter().all(|s| s.listed) {
                    return Err(err);
                }
                let observed = observed(&slots);
                let judged = synced::judge(&observed, goal, releases, &fresh);
                return Err(why(cluster, types, &observed, &judged, err).await);
            }
        };
        match event {
            Ok(e) => slots[index].update(e),
            Err(e) => {
                let note = watch_failure(cluster, "watch Flux's objects", e)?;
                if note != shown {
                    ui.progress(&note);
                    shown = note;
                }
                continue;
            }
        }
        if !slots.iter().all(|s| s.listed) {
            continue;
        }
        crate::pause::point("reconcile:watching");
        let observed = observed(&slots);
        for odd in observed.odd() {
            if noted.insert(odd.clone()) {
                ui.progress(&format!("{odd}; judged without it"));
            }
        }
        let judged = synced::judge(&observed, goal, releases, &fresh);
        for j in judged.iter().filter(|j| j.nudge) {
            let (ns, name) = (&j.namespace, &j.name);
            let asked = super::observe::nudge(cluster, &types.kustomization, ns, name).await?;
            let Some(token) = asked else { continue };
            ui.progress(&format!(
                "{}: what it waited for is there; asked Flux to apply it now",
                j.label()
            ));
            fresh.nudges.insert((ns.clone(), name.clone()), token);
        }
        for ask in super::chain::asks(&observed, goal, &fresh) {
            let ar = if ask.kind == flux::HELM_RELEASE {
                &types.helm_release
            } else {
                &types.kustomization
            };
            let asked = super::observe::nudge(cluster, ar, &ask.namespace, &ask.name).await?;
            let Some(token) = asked else { continue };
            ui.progress(&format!(
                "{}: its dependencies are Ready at {}; asked Flux to reconcile it now",
                ask.label(),
                goal.short()
            ));
            fresh.chain.insert(ask.key(), token);
        }
        match synced::outcome(&judged, goal) {
            Outcome::Synced(detail) => return Ok(detail),
            Outcome::Failed(err) => {
                return Err(why(cluster, types, &observed, &judged, err).await);
            }
            Outcome::Pending {
                summary,
                first,
                why,
            } => {
                last = (first, why);
                if summary != shown {
                    ui.progress(&summary);
                    shown = summary;
                }
            }
        }
    }
}

impl Slot {
    fn new(which: Which) -> Slot {
        Slot {
            which,
            objects: BTreeMap::new(),
            relist: None,
            listed: false,
        }
    }
}

fn observed(slots: &[Slot]) -> Observed {
    let mut obs = Observed::default();
    for slot in slots {
        let values = slot.objects.values().cloned();
        match slot.which {
            Which::GitRepository => {
                let ours = (flux::NAMESPACE.to_string(), flux::NAME.to_string());
                obs.git_repository = slot.objects.get(&ours).cloned();
            }
            Which::Kustomization => obs.kustomizations.extend(values),
            Which::HelmRelease => obs.helm_releases.extend(values),
        }
    }
    obs
}

/// `err` with why Flux is stuck, traced from the object it names.
async fn why(
    cluster: &Cluster,
    types: &Types,
    observed: &Observed,
    judged: &[synced::Judged],
    err: Error,
) -> Error {
    let Some((kind, ns, name)) = synced::blamed(judged) else {
        return err;
    };
    let at = super::trace::At::new(kind, &ns, &name);
    err.with_why(&super::trace::explain(cluster, types, observed, &at).await)
}

fn lost(cluster: &Cluster) -> Error {
    Error::Network {
        service: format!(
            "the Kubernetes API server {} (context `{}`)",
            cluster.server, cluster.context
        ),
        message: "the watch ended".into(),
        help: "run `eks-workshop resume` to keep waiting".into(),
    }
}
