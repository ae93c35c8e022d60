//! The in-memory object store: one global resourceVersion counter, a bounded
//! event history for watch resumption, and a broadcast channel for subscribers.

use super::errors::ApiError;
use super::ops::{self, PatchKind, Target, WriteOptions};
use super::select::Selector;
use super::types::{Registry, ResourceType};
use super::util::split_api_version;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    /// The watch event `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as subscribers and watches see it. `object` is in the storage version.
#[derive(Clone, Debug)]
pub struct StoreEvent {
    pub event_type: EventType,
    pub group: String,
    pub resource: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub object: Value,
    pub resource_version: u64,
}

/// (group, plural) → (namespace or "", name) → object.
pub(crate) type Tables = BTreeMap<(String, String), BTreeMap<(String, String), Value>>;

pub(crate) struct State {
    pub rv: u64,
    pub registry: Registry,
    pub objects: Tables,
    pub history: VecDeque<StoreEvent>,
    pub history_limit: usize,
    /// Events up to this resourceVersion have fallen out of `history`.
    pub compacted_rv: u64,
    pub crd_establish_delay: Duration,
    pub tx: broadcast::Sender<StoreEvent>,
}

impl State {
    /// Records an event: history (bounded) and subscribers. Called with the lock held,
    /// so subscribers see events in resourceVersion order.
    pub fn emit(&mut self, event: StoreEvent) {
        self.history.push_back(event.clone());
        while self.history.len() > self.history_limit {
            if let Some(old) = self.history.pop_front() {
                self.compacted_rv = old.resource_version;
            }
        }
        let _ = self.tx.send(event);
    }

    pub fn table(&self, rt: &ResourceType) -> Option<&BTreeMap<(String, String), Value>> {
        self.objects.get(&(rt.group.clone(), rt.plural.clone()))
    }

    pub fn namespace_exists(&self, ns: &str) -> bool {
        self.objects
            .get(&(String::new(), "namespaces".to_string()))
            .is_some_and(|t| t.contains_key(&(String::new(), ns.to_string())))
    }
}

/// Shared handle on the store. Cheap to clone; every clone sees the same objects.
#[derive(Clone)]
pub struct Store {
    state: Arc<Mutex<State>>,
    /// The field manager that this handle's convenience writes use.
    manager: String,
}

impl Store {
    pub(crate) fn new() -> Store {
        let (tx, _) = broadcast::channel(16_384);
        let state = State {
            rv: 0,
            registry: Registry::builtin(),
            objects: Tables::new(),
            history: VecDeque::new(),
            history_limit: 10_000,
            compacted_rv: 0,
            crd_establish_delay: Duration::ZERO,
            tx,
        };
        let store = Store {
            state: Arc::new(Mutex::new(state)),
            manager: "harness".into(),
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            store
                .create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
                .expect("fresh store");
        }
        store
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not make every later call panic too.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The same store, writing as field manager `manager`.
    pub fn with_manager(&self, manager: &str) -> Store {
        Store {
            state: self.state.clone(),
            manager: manager.to_string(),
        }
    }

    /// Every change from now on. Lagging receivers get `RecvError::Lagged`.
    pub fn subscribe(&self) -> broadcast::Receiver<StoreEvent> {
        self.lock().tx.subscribe()
    }

    /// The current (global) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Keeps at most `n` events for watch resumption; older resourceVersions get 410 Gone.
    pub fn set_history_limit(&self, n: usize) {
        let mut st = self.lock();
        st.history_limit = n;
        while st.history.len() > n {
            if let Some(old) = st.history.pop_front() {
                st.compacted_rv = old.resource_version;
            }
        }
    }

    /// Drops the whole watch history: any watch from an older resourceVersion gets 410 Gone.
    pub fn compact(&self) {
        let mut st = self.lock();
        st.history.clear();
        st.compacted_rv = st.rv;
    }

    pub(crate) fn set_crd_establish_delay(&self, d: Duration) {
        self.lock().crd_establish_delay = d;
    }

    /// The established type for `apiVersion` + `kind`, if any.
    pub fn resource_for_kind(&self, api_version: &str, kind: &str) -> Option<ResourceType> {
        let (g, v) = split_api_version(api_version);
        self.lock().registry.by_kind(g, v, kind).cloned()
    }

    /// The established type served at `group/version/plural`.
    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.lock().registry.find(group, version, plural).cloned()
    }

    /// All established types.
    pub fn resource_types(&self) -> Vec<ResourceType> {
        self.lock().registry.visible().cloned().collect()
    }

    pub(crate) fn registry(&self) -> Registry {
        self.lock().registry.clone()
    }

    fn target(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Result<Target, ApiError> {
        let rt = self
            .resource_for_kind(api_version, kind)
            .ok_or_else(|| ApiError::not_found("", &kind.to_lowercase(), name.unwrap_or("")))?;
        let (_, version) = split_api_version(api_version);
        Ok(Target {
            version: version.to_string(),
            namespace: if rt.namespaced {
                Some(namespace.unwrap_or("default").to_string())
            } else {
                None
            },
            name: name.map(str::to_string),
            status: false,
            rt,
        })
    }

    fn opts(&self) -> WriteOptions {
        WriteOptions {
            manager: self.manager.clone(),
            dry_run: false,
        }
    }

    /// One object, or `None`.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let t = self.target(api_version, kind, namespace, Some(name)).ok()?;
        self.get_target(&t).ok()
    }

    /// All objects of a kind (in one namespace, or all when `None`).
    pub fn list(&self, api_version: &str, kind: &str, namespace: Option<&str>) -> Vec<Value> {
        let Ok(mut t) = self.target(api_version, kind, namespace, None) else {
            return Vec::new();
        };
        if namespace.is_none() {
            t.namespace = None;
        }
        self.list_target(&t, &Selector::default()).0
    }

    /// Creates `obj` (its namespace defaults to `default`): 409 when it exists.
    pub fn create(&self, obj: Value) -> Result<Value, ApiError> {
        let t = self.target_of(&obj)?;
        self.create_target(&t, obj, &self.opts())
    }

    /// A back door for what an older server stored: puts `obj` into storage
    /// as it is, skipping the decoding a request body gets, so a label or
    /// annotation value may be a boolean or a number. Kubernetes 1.36 refuses
    /// such an object on every write path, but custom resources written before
    /// servers decoded their metadata strictly can still be in etcd; reading
    /// them must not break a client. Nothing but tests should call this.
    pub fn insert_as_stored(&self, obj: Value) -> Result<Value, ApiError> {
        let t = self.target_of(&obj)?;
        let out = ops::create_unchecked(&mut self.lock(), &t, obj, &self.opts())?;
        Ok(relabel(&t, out))
    }

    /// Server-side apply of `obj` as `manager`.
    pub fn apply(&self, obj: Value, manager: &str, force: bool) -> Result<Value, ApiError> {
        let mut t = self.target_of(&obj)?;
        t.name = super::util::meta_str(&obj, "name").map(str::to_string);
        let opts = WriteOptions {
            manager: manager.to_string(),
            dry_run: false,
        };
        Ok(self
            .patch_target(&t, PatchKind::Apply { force }, obj, &opts)?
            .0)
    }

    /// Server-side apply with `dryRun=All`: what [`apply`](Self::apply) would
    /// answer, without storing anything.
    pub(crate) fn dry_run_apply(&self, obj: Value, manager: &str) -> Result<Value, ApiError> {
        let mut t = self.target_of(&obj)?;
        t.name = super::util::meta_str(&obj, "name").map(str::to_string);
        let opts = WriteOptions {
            manager: manager.to_string(),
            dry_run: true,
        };
        let kind = PatchKind::Apply { force: true };
        Ok(self.patch_target(&t, kind, obj, &opts)?.0)
    }

    /// JSON merge patch of the main resource.
    pub fn merge_patch(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        patch: Value,
    ) -> Result<Value, ApiError> {
        let t = self.target(api_version, kind, namespace, Some(name))?;
        Ok(self
            .patch_target(&t, PatchKind::Merge, patch, &self.opts())?
            .0)
    }

    /// JSON merge patch of `status` through the status subresource (`status` is the
    /// patch of the status object itself, `{"conditions": [...]}`).
    pub fn patch_status(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        status: Value,
    ) -> Result<Value, ApiError> {
        let mut t = self.target(api_version, kind, namespace, Some(name))?;
        t.status = true;
        let patch = json!({ "status": status });
        Ok(self
            .patch_target(&t, PatchKind::Merge, patch, &self.opts())?
            .0)
    }

    pub fn delete(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        let t = self.target(api_version, kind, namespace, Some(name))?;
        self.delete_target(&t)
    }

    fn target_of(&self, obj: &Value) -> Result<Target, ApiError> {
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("");
        let ns = super::util::meta_str(obj, "namespace");
        self.target(s("apiVersion"), s("kind"), ns, None)
    }

    // ---- the operations the HTTP layer calls ----

    pub(crate) fn get_target(&self, t: &Target) -> Result<Value, ApiError> {
        let st = self.lock();
        ops::get(&st, t).map(|o| relabel(t, o.clone()))
    }

    /// Matching objects and the list's resourceVersion.
    pub(crate) fn list_target(&self, t: &Target, sel: &Selector) -> (Vec<Value>, u64) {
        let st = self.lock();
        let items = ops::list(&st, t, sel)
            .into_iter()
            .map(|o| relabel(t, o))
            .collect();
        (items, st.rv)
    }

    pub(crate) fn create_target(
        &self,
        t: &Target,
        body: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let out = ops::create(&mut self.lock(), t, body, opts)?;
        self.after_write(t, &out);
        Ok(relabel(t, out))
    }

    pub(crate) fn update_target(
        &self,
        t: &Target,
        body: Value,
        opts: &WriteOptions,
    ) -> Result<Value, ApiError> {
        let out = ops::update(&mut self.lock(), t, body, opts)?;
        self.after_write(t, &out);
        Ok(relabel(t, out))
    }

    /// Patch (or apply): the object and whether it was created.
    pub(crate) fn patch_target(
        &self,
        t: &Target,
        kind: PatchKind,
        body: Value,
        opts: &WriteOptions,
    ) -> Result<(Value, bool), ApiError> {
        let (obj, created) = ops::patch(&mut self.lock(), t, kind, body, opts)?;
        self.after_write(t, &obj);
        Ok((relabel(t, obj), created))
    }

    pub(crate) fn delete_target(&self, t: &Target) -> Result<Value, ApiError> {
        ops::delete(&mut self.lock(), t).map(|o| relabel(t, o))
    }

    /// CRDs that are not established yet get established after the configured delay.
    fn after_write(&self, t: &Target, obj: &Value) {
        if t.rt.group != "apiextensions.k8s.io" || t.rt.plural != "customresourcedefinitions" {
            return;
        }
        let delay = self.lock().crd_establish_delay;
        let name = super::util::meta_str(obj, "name")
            .unwrap_or_default()
            .to_string();
        let store = self.clone();
        if !super::crd::crd_established(obj) {
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                super::crd::establish_crd(&mut store.lock(), &name);
            });
        }
    }
}

/// Objects are stored in one version; clients see the version they asked for.
fn relabel(t: &Target, mut obj: Value) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(t.api_version()));
    }
    obj
}
