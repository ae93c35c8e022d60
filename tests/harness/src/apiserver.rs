//! A local, in-memory Kubernetes API server for tests.
//!
//! It speaks enough of the real API for `kube` (client, discovery, runtime
//! watcher) and `kubectl` v1.32: discovery (legacy and aggregated), built-in
//! types plus CRDs, CRUD with real `Status` errors, server-side apply with
//! managedFields, the status subresource, and watches with resumption, 410 Gone
//! and bookmarks. State lives in a [`Store`] that tests (and the Flux
//! stand-in) can also use directly.
//!
//! ```no_run
//! # async fn demo() {
//! let api = eks_workshop_harness::apiserver::ApiServer::start().await;
//! let dir = tempfile::tempdir().unwrap();
//! api.write_kubeconfig(&dir.path().join("config"), "test", None);
//! // ... point kube / kubectl at it ...
//! # }
//! ```

mod apply;
pub mod client;
pub(crate) mod controllers;
mod crd;
mod discovery;
pub mod errors;
mod fields;
mod http;
mod kubeconfig;
mod metavalid;
mod objmeta;
mod openapi;
mod ops;
mod patch;
mod select;
pub(crate) mod server;
pub mod store;
mod table;
pub mod types;
mod util;
mod watch;

pub use errors::ApiError;
pub use store::{EventType, Store, StoreEvent};
pub use types::ResourceType;
pub use util::now_rfc3339;

use ops::Target;
use server::RuntimeThread;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::task::JoinHandle;

/// One recorded request: (method, path and query, status code).
pub type RequestRecord = (String, String, u16);

/// What [`ApiServer::fail_share`] does to a chosen request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiFault {
    /// Answer with this status and a `Status` body (e.g. 503, 500, 429).
    Status(u16),
    /// Close the connection without an answer (recorded with status 0).
    Drop,
    /// Wait this long, then answer normally.
    Slow(Duration),
}

struct Settings {
    token: Option<String>,
    /// (verb, resource) pairs answered 403; `*` matches anything.
    denied: Vec<(String, String)>,
    bookmark_interval: Duration,
}

/// What the request handlers share.
pub(crate) struct Shared {
    pub store: Store,
    pub addr: SocketAddr,
    settings: Mutex<Settings>,
    requests: Mutex<Vec<RequestRecord>>,
    shares: Mutex<Vec<crate::share::Mix<ApiFault>>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    /// With a required token, anything but `Authorization: Bearer <token>` is 401.
    fn authenticate(&self, authorization: Option<&str>) -> Result<(), ApiError> {
        match &lock(&self.settings).token {
            Some(want) if authorization != Some(format!("Bearer {want}").as_str()) => {
                Err(ApiError::unauthorized())
            }
            _ => Ok(()),
        }
    }

    fn authorize(&self, verb: &str, t: &Target) -> Result<(), ApiError> {
        let resource = if t.status {
            format!("{}/status", t.rt.plural)
        } else {
            t.rt.plural.clone()
        };
        let denied = lock(&self.settings).denied.iter().any(|(v, r)| {
            (v == "*" || v == verb) && (r == "*" || *r == resource || *r == t.rt.plural)
        });
        if !denied {
            return Ok(());
        }
        let what = match &t.name {
            Some(n) if t.rt.group.is_empty() => format!("{} \"{n}\"", t.rt.plural),
            Some(n) => format!("{}.{} \"{n}\"", t.rt.plural, t.rt.group),
            None if t.rt.group.is_empty() => t.rt.plural.clone(),
            None => format!("{}.{}", t.rt.plural, t.rt.group),
        };
        let scope = match &t.namespace {
            Some(ns) => format!("in the namespace \"{ns}\""),
            None => "at the cluster scope".to_string(),
        };
        Err(ApiError::forbidden(format!(
            "{what} is forbidden: User \"eks-workshop-test\" cannot {verb} resource \"{resource}\" in API group \"{}\" {scope}",
            t.rt.group
        )))
    }

    /// The fault for this request, if a share picks it.
    fn draw_fault(&self) -> Option<ApiFault> {
        lock(&self.shares)
            .iter_mut()
            .find_map(crate::share::Mix::draw)
    }

    fn log_request(&self, method: String, path: String, status: u16) {
        lock(&self.requests).push((method, path, status));
    }

    fn bookmark_interval(&self) -> Duration {
        lock(&self.settings).bookmark_interval
    }
}

/// A running API server on `127.0.0.1:<free port>`. Dropping it stops it.
pub struct ApiServer {
    shared: Arc<Shared>,
    accept: Mutex<Option<JoinHandle<()>>>,
    deployments_available: Arc<AtomicBool>,
    // Last: dropped after the accept task was aborted.
    runtime: RuntimeThread,
}

impl ApiServer {
    /// Starts the server. It runs on its own thread and runtime, so it keeps answering
    /// while the calling test blocks; `start` only exists for symmetry with async tests.
    pub async fn start() -> ApiServer {
        Self::start_blocking()
    }

    /// Starts the server from synchronous code.
    pub fn start_blocking() -> ApiServer {
        let runtime = RuntimeThread::start("harness-apiserver");
        let listener = server::bind(SocketAddr::from(([127, 0, 0, 1], 0)));
        let addr = listener.local_addr().expect("bound address");
        let shared = Arc::new(Shared {
            store: Store::new(),
            addr,
            settings: Mutex::new(Settings {
                token: None,
                denied: Vec::new(),
                bookmark_interval: Duration::from_secs(1),
            }),
            requests: Mutex::new(Vec::new()),
            shares: Mutex::new(Vec::new()),
        });
        let deployments_available = Arc::new(AtomicBool::new(true));
        controllers::spawn_deployment_controller(
            &runtime.handle,
            shared.store.clone(),
            deployments_available.clone(),
        );
        let accept = server::serve(&runtime.handle, listener, shared.clone());
        ApiServer {
            shared,
            accept: Mutex::new(Some(accept)),
            deployments_available,
            runtime,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// Writes (or updates) a kubeconfig at `path` whose context `context` points
    /// here, with `token` as bearer token. Other contexts in the file are kept.
    pub fn write_kubeconfig(&self, path: &Path, context: &str, token: Option<&str>) {
        kubeconfig::write(path, context, &self.url(), token).expect("write kubeconfig");
    }

    /// When `Some`, every request without `Authorization: Bearer <token>` gets 401.
    pub fn require_token(&self, token: Option<&str>) {
        lock(&self.shared.settings).token = token.map(str::to_string);
    }

    /// Answers 403 Forbidden for `verb` (`get`, `list`, `watch`, `create`, `update`,
    /// `patch`, `delete` or `*`) on `resource` (plural, `plural/status`, or `*`).
    pub fn deny(&self, verb: &str, resource: &str) {
        lock(&self.shared.settings)
            .denied
            .push((verb.to_string(), resource.to_string()));
    }

    /// Lifts every `deny`.
    pub fn allow_all(&self) {
        lock(&self.shared.settings).denied.clear();
    }

    /// Drops every open connection (watches included) and listens again on the same
    /// port with the same store, like an API server restart.
    pub async fn restart(&self) {
        let old = lock(&self.accept).take();
        if let Some(task) = old {
            task.abort();
            let _ = task.await;
        }
        let listener = server::bind(self.shared.addr);
        let task = server::serve(&self.runtime.handle, listener, self.shared.clone());
        *lock(&self.accept) = Some(task);
    }

    /// [`restart`](Self::restart) from synchronous code.
    pub fn restart_blocking(&self) {
        let handle = self.runtime.handle.clone();
        std::thread::scope(|s| {
            s.spawn(|| handle.block_on(self.restart()));
        });
    }

    /// Direct access to the objects (writes as field manager `harness`).
    pub fn store(&self) -> Store {
        self.shared.store.clone()
    }

    /// Every request so far: (method, path+query, status).
    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.shared.requests).clone()
    }

    /// Fails about `percent`% of all requests (watches included) with
    /// `fault`, from a fixed seed (repeatable), for as long as the server runs.
    pub fn fail_share(&self, percent: u8, fault: ApiFault) {
        self.fail_share_mix(percent, vec![fault]);
    }

    /// Fails about `percent`% of all requests, one draw per request, taking
    /// `faults` in turn: the share is the rate asked for, however many kinds
    /// of fault make it up.
    pub fn fail_share_mix(&self, percent: u8, faults: Vec<ApiFault>) {
        let mut shares = lock(&self.shared.shares);
        let seed = 0xa915 + shares.len() as u64;
        shares.push(crate::share::Mix::new(percent, seed, faults));
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// New CRDs become Established only after `d` (their types 404 until then).
    pub fn set_crd_establish_delay(&self, d: Duration) {
        self.shared.store.set_crd_establish_delay(d);
    }

    /// How often watches that allow bookmarks get one (default 1 s).
    pub fn set_bookmark_interval(&self, d: Duration) {
        lock(&self.shared.settings).bookmark_interval = d;
    }

    /// Keeps only `n` events for watch resumption: older resourceVersions get 410.
    pub fn set_watch_history(&self, n: usize) {
        self.shared.store.set_history_limit(n);
    }

    /// Whether Deployments become Available by themselves (default: yes).
    pub fn set_deployments_available(&self, yes: bool) {
        self.deployments_available.store(yes, Ordering::SeqCst);
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        if let Some(task) = lock(&self.accept).take() {
            task.abort();
        }
    }
}
