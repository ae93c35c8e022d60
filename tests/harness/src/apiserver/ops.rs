//! The write paths (create, update, patch, apply, delete) on a locked [`State`].
//!
//! Every write ends in [`commit`]: system metadata is filled in, a write that
//! changes nothing is a no-op (same resourceVersion, no event), anything else
//! bumps the global resourceVersion and emits one event.

use super::apply;
use super::errors::ApiError;
use super::fields::Scope;
use super::metavalid::{self, Decode};
use super::select::Selector;
use super::store::{EventType, State, StoreEvent};
use super::types::{ResourceType, type_from_crd};
use super::util::{meta_str, metadata_mut, new_uid};
use serde_json::{Value, json};

/// What a request addresses: a type at a version, maybe a namespace, name and `/status`.
#[derive(Clone, Debug)]
pub struct Target {
    pub rt: ResourceType,
    pub version: String,
    /// `Some` for namespaced types (for lists: `None` means all namespaces).
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// The `/status` subresource.
    pub status: bool,
}

impl Target {
    fn table_key(&self) -> (String, String) {
        (self.rt.group.clone(), self.rt.plural.clone())
    }

    fn obj_key(&self, name: &str) -> (String, String) {
        (self.namespace.clone().unwrap_or_default(), name.to_string())
    }

    /// The apiVersion the client used.
    pub fn api_version(&self) -> String {
        super::util::api_version(&self.rt.group, &self.version)
    }

    /// Which fields this target may write.
    pub fn scope(&self) -> Scope {
        if self.status {
            Scope::StatusOnly
        } else if self.rt.status_subresource {
            Scope::NoStatus
        } else {
            Scope::All
        }
    }

    fn not_found(&self, name: &str) -> ApiError {
        ApiError::not_found(&self.rt.group, &self.rt.plural, name)
    }
}

#[derive(Clone, Debug)]
pub struct WriteOptions {
    pub manager: String,
    pub dry_run: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchKind {
    Merge,
    Strategic,
    Json,
    Apply { force: bool },
}

pub fn get<'a>(st: &'a State, t: &Target) -> Result<&'a Value, ApiError> {
    let name = t.name.as_deref().unwrap_or_default();
    st.table(&t.rt)
        .and_then(|tab| tab.get(&t.obj_key(name)))
        .ok_or_else(|| t.not_found(name))
}

pub fn list(st: &State, t: &Target, sel: &Selector) -> Vec<Value> {
    st.table(&t.rt)
        .into_iter()
        .flat_map(|tab| tab.iter())
        .filter(|((ns, _), _)| t.namespace.as_ref().is_none_or(|want| want == ns))
        .map(|(_, obj)| obj)
        .filter(|obj| sel.matches(obj))
        .cloned()
        .collect()
}

/// Checks apiVersion/kind/namespace of a request body against the target.
pub fn check_identity(t: &Target, body: &Value) -> Result<(), ApiError> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the request body must be an object"));
    }
    if let Some(av) = body.get("apiVersion").and_then(Value::as_str) {
        let (g, v) = super::util::split_api_version(av);
        if g != t.rt.group || !t.rt.serves(v) {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                t.api_version()
            )));
        }
    }
    if let Some(kind) = body.get("kind").and_then(Value::as_str)
        && kind != t.rt.kind
    {
        return Err(ApiError::bad_request(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            t.rt.kind
        )));
    }
    if let (Some(ns), Some(want)) = (meta_str(body, "namespace"), &t.namespace)
        && !ns.is_empty()
        && ns != want
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}

fn check_namespace(st: &State, t: &Target) -> Result<(), ApiError> {
    match &t.namespace {
        Some(ns) if t.rt.namespaced && !st.namespace_exists(ns) => {
            Err(ApiError::not_found("", "namespaces", ns))
        }
        _ => Ok(()),
    }
}

pub fn create(
    st: &mut State,
    t: &Target,
    mut body: Value,
    o: &WriteOptions,
) -> Result<Value, ApiError> {
    metavalid::check(t, &body, Decode::Body)?;
    check_identity(t, &body)?;
    if t.status {
        return Err(ApiError::method_not_allowed());
    }
    let name = match meta_str(&body, "name") {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => match meta_str(&body, "generateName") {
            Some(prefix) => format!("{prefix}{}", &new_uid()[..5]),
            None => {
                return Err(ApiError::invalid(
                    "metadata.name: Required value: name or generateName is required",
                ));
            }
        },
    };
    let mut t = t.clone();
    t.name = Some(name.clone());
    check_namespace(st, &t)?;
    if get(st, &t).is_ok() {
        return Err(ApiError::already_exists(&t.rt.group, &t.rt.plural, &name));
    }
    super::objmeta::guard_status(&t, None, &mut body);
    super::objmeta::normalize_secret(&t.rt, &mut body);
    apply::record_update(None, &mut body, &t, &o.manager);
    commit(st, &t, None, body, o)
}

pub fn update(
    st: &mut State,
    t: &Target,
    mut body: Value,
    o: &WriteOptions,
) -> Result<Value, ApiError> {
    metavalid::check(t, &body, Decode::Body)?;
    check_identity(t, &body)?;
    let name = t.name.clone().unwrap_or_default();
    if meta_str(&body, "name").is_some_and(|n| n != name) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            meta_str(&body, "name").unwrap_or_default()
        )));
    }
    let old = get(st, t)?.clone();
    if let Some(rv) = meta_str(&body, "resourceVersion")
        && Some(rv) != meta_str(&old, "resourceVersion")
    {
        return Err(ApiError::stale(&t.rt.group, &t.rt.plural, &name));
    }
    super::objmeta::guard_status(t, Some(&old), &mut body);
    super::objmeta::normalize_secret(&t.rt, &mut body);
    apply::record_update(Some(&old), &mut body, t, &o.manager);
    commit(st, t, Some(&old), body, o)
}

/// Patches (or applies); returns the object and whether it was created.
pub fn patch(
    st: &mut State,
    t: &Target,
    kind: PatchKind,
    body: Value,
    o: &WriteOptions,
) -> Result<(Value, bool), ApiError> {
    if let PatchKind::Apply { force } = kind {
        return apply_patch(st, t, body, force, o);
    }
    let name = t.name.clone().unwrap_or_default();
    let old = get(st, t)?.clone();
    let mut obj = old.clone();
    match kind {
        PatchKind::Json => super::patch::json_patch(&mut obj, &body).map_err(|e| {
            ApiError::invalid(format!(
                "the server rejected our request due to an error in our request: {e}"
            ))
        })?,
        _ => {
            if let Some(rv) = body
                .get("metadata")
                .and_then(|m| m.get("resourceVersion"))
                .and_then(Value::as_str)
                && Some(rv) != meta_str(&old, "resourceVersion")
            {
                return Err(ApiError::stale(&t.rt.group, &t.rt.plural, &name));
            }
            super::patch::merge_patch(&mut obj, &body)
        }
    }
    metavalid::check(t, &obj, Decode::Patched)?;
    check_identity(t, &obj)?;
    super::objmeta::guard_status(t, Some(&old), &mut obj);
    super::objmeta::normalize_secret(&t.rt, &mut obj);
    apply::record_update(Some(&old), &mut obj, t, &o.manager);
    Ok((commit(st, t, Some(&old), obj, o)?, false))
}

fn apply_patch(
    st: &mut State,
    t: &Target,
    mut body: Value,
    force: bool,
    o: &WriteOptions,
) -> Result<(Value, bool), ApiError> {
    check_identity(t, &body)?;
    metavalid::check(t, &body, Decode::Apply)?;
    if body.get("apiVersion").is_none() || body.get("kind").is_none() {
        return Err(ApiError::bad_request(
            "apiVersion and kind must be set in an apply patch",
        ));
    }
    let name = t.name.clone().unwrap_or_default();
    if meta_str(&body, "name") != Some(name.as_str()) {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({}) does not match the name on the URL ({name})",
            meta_str(&body, "name").unwrap_or_default()
        )));
    }
    let old = get(st, t).ok().cloned();
    if old.is_none() {
        if t.status {
            return Err(t.not_found(&name));
        }
        check_namespace(st, t)?;
    }
    super::objmeta::normalize_secret(&t.rt, &mut body);
    let obj = apply::server_side_apply(old.as_ref(), &body, t, &o.manager, force)?;
    let created = old.is_none();
    Ok((commit(st, t, old.as_ref(), obj, o)?, created))
}

/// Stores `body` as it comes, without the checks a request's body gets (see
/// [`Store::insert_as_stored`](super::Store::insert_as_stored)).
pub fn create_unchecked(
    st: &mut State,
    t: &Target,
    body: Value,
    o: &WriteOptions,
) -> Result<Value, ApiError> {
    let mut t = t.clone();
    t.name = meta_str(&body, "name").map(str::to_string);
    let name = t.name.clone().unwrap_or_default();
    if get(st, &t).is_ok() {
        return Err(ApiError::already_exists(&t.rt.group, &t.rt.plural, &name));
    }
    commit(st, &t, None, body, o)
}

pub fn delete(st: &mut State, t: &Target) -> Result<Value, ApiError> {
    let name = t.name.clone().unwrap_or_default();
    get(st, t)?;
    let obj = remove_object(st, &t.rt, &t.obj_key(&name)).ok_or_else(|| t.not_found(&name))?;
    if t.rt.group.is_empty() && t.rt.plural == "namespaces" {
        delete_namespace_contents(st, &name);
    }
    if t.rt.plural == "customresourcedefinitions"
        && let Ok(crd_type) = type_from_crd(&obj)
    {
        super::crd::drop_type(st, &crd_type);
    }
    Ok(obj)
}

/// Removes one object, with its DELETED event; returns it as deleted (new resourceVersion).
pub(super) fn remove_object(
    st: &mut State,
    rt: &ResourceType,
    key: &(String, String),
) -> Option<Value> {
    let mut obj = st
        .objects
        .get_mut(&(rt.group.clone(), rt.plural.clone()))?
        .remove(key)?;
    st.rv += 1;
    metadata_mut(&mut obj).insert("resourceVersion".into(), json!(st.rv.to_string()));
    emit(st, rt, EventType::Deleted, &obj);
    Some(obj)
}

/// Namespaces go away with everything in them (no Terminating phase here).
fn delete_namespace_contents(st: &mut State, ns: &str) {
    let types: Vec<ResourceType> = st
        .registry
        .visible()
        .filter(|t| t.namespaced)
        .cloned()
        .collect();
    for rt in types {
        let keys: Vec<(String, String)> = st
            .table(&rt)
            .map(|tab| tab.keys().filter(|(n, _)| n == ns).cloned().collect())
            .unwrap_or_default();
        for k in keys {
            remove_object(st, &rt, &k);
        }
    }
}

/// Fills in system metadata, then stores the object unless nothing changed.
fn commit(
    st: &mut State,
    t: &Target,
    old: Option<&Value>,
    mut new: Value,
    o: &WriteOptions,
) -> Result<Value, ApiError> {
    let name = t
        .name
        .clone()
        .or_else(|| meta_str(&new, "name").map(String::from))
        .unwrap_or_default();
    super::objmeta::finalize(t, old, &mut new, &name);
    if t.rt.group == "apiextensions.k8s.io" && t.rt.plural == "customresourcedefinitions" {
        super::crd::crd_hook(st, &mut new, o.dry_run)?;
    }
    if let Some(old) = old
        && *old == new
    {
        return Ok(new);
    }
    if o.dry_run {
        return Ok(new);
    }
    st.rv += 1;
    metadata_mut(&mut new).insert("resourceVersion".into(), json!(st.rv.to_string()));
    st.objects
        .entry(t.table_key())
        .or_default()
        .insert(t.obj_key(&name), new.clone());
    let kind = if old.is_some() {
        EventType::Modified
    } else {
        EventType::Added
    };
    emit(st, &t.rt, kind, &new);
    Ok(new)
}

pub(super) fn emit(st: &mut State, rt: &ResourceType, event_type: EventType, obj: &Value) {
    let event = StoreEvent {
        event_type,
        group: rt.group.clone(),
        resource: rt.plural.clone(),
        kind: rt.kind.clone(),
        namespace: meta_str(obj, "namespace").map(String::from),
        name: meta_str(obj, "name").unwrap_or_default().to_string(),
        resource_version: st.rv,
        object: obj.clone(),
    };
    st.emit(event);
}
