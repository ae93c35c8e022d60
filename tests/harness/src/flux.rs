//! A Flux stand-in: source-, kustomize- and helm-controller behaviour against the
//! local API server's store, so "wait until Flux applied the pushed commit" can be
//! tested without a cluster.
//!
//! It reacts to store changes (plus a 200 ms tick that re-resolves git branches at
//! most once a second per GitRepository). Reconcile requests are the
//! `reconcile.fluxcd.io/requestedAt` annotation, answered in
//! `status.lastHandledReconcileAt`. A Kustomization whose apply fails is
//! retried, as Flux does, after `spec.retryInterval` (scaled: see
//! [`FluxStandIn::set_interval_scale`]); other failures, and those a test asks
//! for with [`FluxStandIn::fail`], are terminal (Ready=False, Stalled=True, no
//! Reconciling) until the object, its source revision or a reconcile request
//! changes.

mod apply;
mod git;
mod helm;
mod kustomization;
mod kustomize;
mod manifests;
mod source;
mod status;

use crate::apiserver::server::RuntimeThread;
use crate::apiserver::{ApiServer, Store};
use crate::cluster::helmrepo::Chart;
use status::{FluxObject, HELM_API, KUSTOMIZE_API, Outcome, SOURCE_API};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::sync::broadcast::error::TryRecvError;

pub use kustomize::parse_documents;
pub use manifests::FluxApis;
pub use status::REQUESTED_AT;

struct Settings {
    delay: Duration,
    /// The charts HelmReleases can install (see [`FluxStandIn::add_chart`]).
    charts: Vec<Chart>,
    /// (lowercase kind, namespace, name) → message
    failures: HashMap<(String, String, String), String>,
    /// How much faster than real time Flux intervals pass (retries after a failure).
    interval_scale: f64,
    /// kustomize-controller's `--requeue-dependency` (real time, unscaled);
    /// `None`: a Kustomization whose dependency was not ready is tried again
    /// on the next pass.
    requeue_dependency: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            delay: Duration::ZERO,
            charts: Vec::new(),
            failures: HashMap::new(),
            interval_scale: DEFAULT_INTERVAL_SCALE,
            requeue_dependency: None,
        }
    }
}

/// By default a Flux interval passes 60 times faster: `retryInterval: 1m` is 1 s.
pub const DEFAULT_INTERVAL_SCALE: f64 = 1.0 / 60.0;

/// A failed reconcile waiting for its retry: what it failed on, and when.
struct Retry {
    due: Instant,
    generation: i64,
    revision: String,
}

fn lock(m: &Mutex<Settings>) -> MutexGuard<'_, Settings> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What reconcilers get: the store, the git cache and the test's settings.
pub(crate) struct Ctx {
    pub store: Store,
    pub cache: PathBuf,
    settings: Arc<Mutex<Settings>>,
    last_check: HashMap<String, Instant>,
    retries: HashMap<String, Retry>,
    /// Kustomizations whose dependencies were not ready, until they are
    /// tried again (see [`FluxStandIn::set_requeue_dependency`]).
    dependency_waits: HashMap<String, Retry>,
}

impl Ctx {
    /// The chart `name` a HelmRelease asks for: at `version` when one is
    /// given (not a range), else the last one added.
    pub fn chart(&self, name: &str, version: Option<&str>) -> Option<Chart> {
        let settings = lock(&self.settings);
        let mut named = settings.charts.iter().rev().filter(|c| c.name == name);
        match version.filter(|v| !v.contains('*')) {
            Some(v) => named.find(|c| c.version == v).cloned(),
            None => named.next().cloned(),
        }
    }

    /// Schedules the retry of a failed reconcile of `o` at `revision`, after
    /// `interval` (a Flux duration) scaled by the interval scale.
    pub fn retry_after(&mut self, o: &FluxObject, revision: &str, interval: Duration) {
        let scale = lock(&self.settings).interval_scale;
        let wait = interval.mul_f64(scale).max(Duration::from_millis(50));
        let retry = Retry {
            due: Instant::now() + wait,
            generation: o.generation,
            revision: revision.to_string(),
        };
        self.retries.insert(o.key(), retry);
    }

    /// Whether `o` failed at `revision` and its retry is not due yet. A new
    /// generation, revision or reconcile request ends the wait at once.
    pub fn waiting_to_retry(&mut self, o: &FluxObject, revision: &str) -> bool {
        let Some(r) = self.retries.get(&o.key()) else {
            return false;
        };
        let same = r.generation == o.generation && r.revision == revision;
        if same && o.requested_at().is_none() && Instant::now() < r.due {
            return true;
        }
        self.retries.remove(&o.key());
        false
    }

    /// `o` found a dependency not ready at `revision`: with a
    /// `--requeue-dependency` set, it is not tried again before that long.
    pub fn wait_for_dependency(&mut self, o: &FluxObject, revision: &str) {
        let Some(wait) = lock(&self.settings).requeue_dependency else {
            return;
        };
        let retry = Retry {
            due: Instant::now() + wait,
            generation: o.generation,
            revision: revision.to_string(),
        };
        self.dependency_waits.insert(o.key(), retry);
    }

    /// Whether `o` waits out `--requeue-dependency`. As on real Flux, a new
    /// generation, a new source revision or a reconcile request ends the
    /// wait at once.
    pub fn waiting_for_dependency(&mut self, o: &FluxObject, revision: &str) -> bool {
        let Some(r) = self.dependency_waits.get(&o.key()) else {
            return false;
        };
        let same = r.generation == o.generation && r.revision == revision;
        if same && o.requested_at().is_none() && Instant::now() < r.due {
            return true;
        }
        self.dependency_waits.remove(&o.key());
        false
    }

    /// The message `fail()` set for this object, if any.
    pub fn failure(&self, o: &FluxObject) -> Option<String> {
        let key = (o.kind.to_lowercase(), o.namespace.clone(), o.name.clone());
        lock(&self.settings).failures.get(&key).cloned()
    }

    /// What every reconcile does first: leave a suspended object alone, and
    /// write a failure a test asked for (with `reason`). True when the
    /// caller should stop there.
    pub fn held(&self, o: &FluxObject, manager: &str, reason: &'static str) -> bool {
        if o.suspended() {
            return true;
        }
        let Some(msg) = self.failure(o) else {
            return false;
        };
        status::write(
            &self.store,
            manager,
            o,
            Outcome::Failed(reason, msg),
            serde_json::Map::new(),
            &[],
        );
        true
    }

    /// Whether a periodic re-check of `key` is due: at most once a scaled
    /// minute (the workshop's `interval: 1m`), a second by default.
    pub fn recheck_due(&mut self, key: &str) -> bool {
        let now = Instant::now();
        let period = Duration::from_secs(60).mul_f64(lock(&self.settings).interval_scale);
        match self.last_check.get(key) {
            Some(t) if now.duration_since(*t) < period => false,
            _ => {
                self.last_check.insert(key.to_string(), now);
                true
            }
        }
    }

    /// With a delay configured: shows the object as Reconciling, then waits.
    pub async fn progress(&self, manager: &str, o: &FluxObject, message: &str) {
        let delay = lock(&self.settings).delay;
        if delay.is_zero() {
            return;
        }
        let p = Outcome::Progressing {
            ready: "Unknown",
            reason: "Progressing",
            message: message.into(),
        };
        status::write(&self.store, manager, o, p, Default::default(), &[]);
        tokio::time::sleep(delay).await;
    }
}

fn objects(store: &Store, api: &'static str, kind: &'static str) -> Vec<FluxObject> {
    store
        .list(api, kind, None)
        .into_iter()
        .map(|v| FluxObject::new(api, kind, v))
        .collect()
}

/// One pass over every Flux object: sources, then Kustomizations, then HelmReleases.
async fn pass(ctx: &mut Ctx) {
    for o in objects(&ctx.store, SOURCE_API, "GitRepository") {
        source::reconcile_git(ctx, o).await;
    }
    for kind in ["HelmRepository", "OCIRepository"] {
        for o in objects(&ctx.store, SOURCE_API, kind) {
            source::reconcile_other(ctx, o).await;
        }
    }
    let snapshot = kustomization::snapshot(&ctx.store);
    for o in snapshot.clone() {
        kustomization::reconcile(ctx, o, &snapshot).await;
    }
    let snapshot = helm::snapshot(ctx);
    for o in snapshot.clone() {
        helm::reconcile(ctx, o, &snapshot).await;
    }
}

async fn run(mut ctx: Ctx, wake: Arc<Notify>) {
    let mut rx = ctx.store.subscribe();
    loop {
        pass(&mut ctx).await;
        tokio::select! {
            r = rx.recv() => {
                if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                    return;
                }
                // Coalesce a burst of changes into one pass.
                while !matches!(rx.try_recv(), Err(TryRecvError::Empty | TryRecvError::Closed)) {}
            }
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
}

/// The running stand-in. Dropping it stops it.
pub struct FluxStandIn {
    store: Store,
    settings: Arc<Mutex<Settings>>,
    wake: Arc<Notify>,
    _cache: tempfile::TempDir,
    _runtime: RuntimeThread,
}

impl FluxStandIn {
    /// Starts reconciling against `api`'s store (install the CRDs first, or let the
    /// code under test apply [`components_manifest`](Self::components_manifest)).
    pub fn start(api: &ApiServer) -> FluxStandIn {
        let cache = tempfile::tempdir().expect("git cache dir");
        let settings = Arc::new(Mutex::new(Settings::default()));
        let wake = Arc::new(Notify::new());
        let ctx = Ctx {
            store: api.store(),
            cache: cache.path().to_path_buf(),
            settings: settings.clone(),
            last_check: HashMap::new(),
            retries: HashMap::new(),
            dependency_waits: HashMap::new(),
        };
        let runtime = RuntimeThread::start("harness-flux");
        runtime.handle.spawn(run(ctx, wake.clone()));
        FluxStandIn {
            store: api.store(),
            settings,
            wake,
            _cache: cache,
            _runtime: runtime,
        }
    }

    /// Each reconcile step that changes something takes `d` (and shows Reconciling meanwhile).
    pub fn set_delay(&self, d: Duration) {
        lock(&self.settings).delay = d;
        self.wake.notify_one();
    }

    /// Makes `chart` known to the stand-in helm-controller, as if a
    /// HelmRepository served it. A HelmRelease of that chart (and version)
    /// installs the chart's `crds/` when it installs (unless `install.crds:
    /// Skip`) and, with `upgrade.crds: Create` or `CreateReplace`, when it
    /// upgrades: their kinds become served. Templates are not rendered.
    pub fn add_chart(&self, chart: &Chart) {
        lock(&self.settings).charts.push(chart.clone());
        self.wake.notify_one();
    }

    /// Flux intervals pass `scale` times as fast as real time (default
    /// [`DEFAULT_INTERVAL_SCALE`]): a Kustomization that failed is retried after
    /// `spec.retryInterval` (else `spec.interval`) times `scale`, and a source
    /// looks for new commits every minute times `scale`. A test that pushes
    /// and then checks that only an asked reconcile applies it sets 1.0.
    pub fn set_interval_scale(&self, scale: f64) {
        lock(&self.settings).interval_scale = scale;
        self.wake.notify_one();
    }

    /// kustomize-controller's `--requeue-dependency`: a Kustomization whose
    /// `dependsOn` was not ready is tried again only after `wait` (real time),
    /// or at once on a new spec, a new source revision or a reconcile
    /// request. `None` (the default): on the next pass.
    pub fn set_requeue_dependency(&self, wait: Option<Duration>) {
        lock(&self.settings).requeue_dependency = wait;
        self.wake.notify_one();
    }

    /// Makes `kind` (e.g. `Kustomization`) `namespace/name` fail terminally with `message`.
    pub fn fail(&self, kind: &str, namespace: &str, name: &str, message: &str) {
        let key = (kind.to_lowercase(), namespace.to_string(), name.to_string());
        lock(&self.settings)
            .failures
            .insert(key, message.to_string());
        self.wake.notify_one();
    }

    /// Undoes [`fail`](Self::fail); the object reconciles normally again on its next change
    /// or reconcile request.
    pub fn clear_failure(&self, kind: &str, namespace: &str, name: &str) {
        let key = (kind.to_lowercase(), namespace.to_string(), name.to_string());
        lock(&self.settings).failures.remove(&key);
        self.wake.notify_one();
    }

    /// Sets `spec.suspend: true` on the object.
    pub fn suspend(&self, kind: &str, namespace: &str, name: &str) {
        self.set_suspend(kind, namespace, name, true);
    }

    /// Sets `spec.suspend: false` on the object.
    pub fn resume(&self, kind: &str, namespace: &str, name: &str) {
        self.set_suspend(kind, namespace, name, false);
    }

    fn set_suspend(&self, kind: &str, namespace: &str, name: &str, suspend: bool) {
        let api = match kind {
            "Kustomization" => KUSTOMIZE_API,
            "HelmRelease" => HELM_API,
            _ => SOURCE_API,
        };
        let patch = serde_json::json!({"spec": {"suspend": suspend}});
        self.store
            .with_manager("flux")
            .merge_patch(api, kind, Some(namespace), name, patch)
            .unwrap_or_else(|e| panic!("suspend {kind} {namespace}/{name}: {e}"));
    }

    /// Creates the Flux CRDs, the flux-system namespace and the controller Deployments
    /// (already Available) directly in `api`'s store, serving [`FluxApis::Legacy`].
    pub fn install_crds(api: &ApiServer) {
        Self::install_crds_for(api, FluxApis::Legacy);
    }

    /// [`install_crds`](Self::install_crds) with the API versions `apis` says:
    /// `FluxApis::Current` serves exactly what real Flux 2.9.5 serves.
    pub fn install_crds_for(api: &ApiServer, apis: FluxApis) {
        let store = api.store();
        for obj in manifests::objects(apis) {
            let d = store
                .apply(obj, "flux", true)
                .unwrap_or_else(|e| panic!("installing Flux: {e}"));
            if d["kind"] == "Deployment" {
                crate::apiserver::controllers::mark_available(&store, &d);
            }
        }
    }

    /// The same objects as multi-document YAML (CRDs first), for `--flux-manifests`
    /// or a stub `flux install`.
    pub fn components_manifest() -> String {
        manifests::manifest(FluxApis::Legacy)
    }

    /// [`components_manifest`](Self::components_manifest) serving `apis`.
    pub fn components_manifest_for(apis: FluxApis) -> String {
        manifests::manifest(apis)
    }

    /// The controller Deployment names in flux-system.
    pub fn controller_names() -> &'static [&'static str] {
        manifests::controllers()
    }
}
