//! Server-side apply and managedFields bookkeeping for ordinary updates.

use super::errors::ApiError;
use super::fields::{
    FieldPath, FieldSet, ManagedEntry, Scope, display_path, field_set, get_path, merge_applied,
    overlaps, read_managed, remove_path, write_managed,
};
use super::ops::Target;
use super::util::{ensure_object, now_rfc3339};
use serde_json::{Value, json};

fn subresource(t: &Target) -> Option<&'static str> {
    t.status.then_some("status")
}

/// An `Update` operation (create/put/patch): `manager` takes ownership of every field
/// whose value changed, and other managers lose those fields.
pub fn record_update(old: Option<&Value>, new: &mut Value, t: &Target, manager: &str) {
    let mut entries = old.map(read_managed).unwrap_or_default();
    let before = old.cloned().unwrap_or(Value::Null);
    let changed: FieldSet = field_set(new, t.scope())
        .into_iter()
        .filter(|p| get_path(&before, p) != get_path(new, p))
        .collect();
    if !changed.is_empty() {
        let sub = subresource(t);
        for e in entries
            .iter_mut()
            .filter(|e| !e.same_slot(manager, "Update", sub))
        {
            e.fields.retain(|p| !changed.iter().any(|c| overlaps(p, c)));
        }
        let entry = slot(&mut entries, manager, "Update", sub, t);
        entry.fields.extend(changed);
        entry.time = now_rfc3339();
        entry.api_version = t.api_version();
    }
    prune_missing(&mut entries, new);
    write_managed(new, &entries);
}

/// The entry for (manager, operation, subresource), created empty when missing.
fn slot<'a>(
    entries: &'a mut Vec<ManagedEntry>,
    manager: &str,
    operation: &str,
    sub: Option<&str>,
    t: &Target,
) -> &'a mut ManagedEntry {
    let i = match entries
        .iter()
        .position(|e| e.same_slot(manager, operation, sub))
    {
        Some(i) => i,
        None => {
            entries.push(ManagedEntry {
                manager: manager.into(),
                operation: operation.into(),
                api_version: t.api_version(),
                time: now_rfc3339(),
                subresource: sub.map(str::to_string),
                fields: FieldSet::new(),
            });
            entries.len() - 1
        }
    };
    &mut entries[i]
}

/// Fields nobody can own any more (they are gone from the object) leave every entry.
fn prune_missing(entries: &mut Vec<ManagedEntry>, obj: &Value) {
    for e in entries.iter_mut() {
        e.fields.retain(|p| get_path(obj, p).is_some());
    }
    entries.retain(|e| !e.fields.is_empty());
}

/// The part of an applied configuration this target may write.
fn scoped(applied: &Value, scope: Scope) -> Value {
    let mut out = applied.clone();
    let map = ensure_object(&mut out);
    match scope {
        Scope::All => {}
        Scope::NoStatus => {
            map.remove("status");
        }
        Scope::StatusOnly => map.retain(|k, _| k == "status"),
    }
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "resourceVersion",
            "uid",
            "generation",
            "creationTimestamp",
            "managedFields",
        ] {
            meta.remove(k);
        }
    }
    out
}

/// Server-side apply of `applied` by `manager` onto `old` (or a new object).
///
/// Conflicts: a field in the applied set that another manager owns and whose value
/// would change. With `force` the field changes hands; without it, 409.
/// Fields this manager applied before and omits now are removed unless another
/// manager still owns them.
pub fn server_side_apply(
    old: Option<&Value>,
    applied: &Value,
    t: &Target,
    manager: &str,
    force: bool,
) -> Result<Value, ApiError> {
    let scope = t.scope();
    let sub = subresource(t);
    let applied = scoped(applied, scope);
    let base = old.cloned().unwrap_or_else(|| json!({}));
    let applied_set = field_set(&applied, scope);
    let mut entries = read_managed(&base);

    let conflicts = find_conflicts(&entries, &base, &applied, &applied_set, manager);
    if !conflicts.is_empty() {
        if !force {
            let list: Vec<(String, String, String)> = conflicts
                .iter()
                .map(|(i, p)| {
                    (
                        entries[*i].manager.clone(),
                        entries[*i].api_version.clone(),
                        display_path(p),
                    )
                })
                .collect();
            return Err(ApiError::apply_conflicts(&list));
        }
        // Forced: the conflicting fields move to this manager.
        for (i, p) in &conflicts {
            entries[*i].fields.retain(|q| !overlaps(p, q));
        }
    }

    let previous = entries
        .iter()
        .find(|e| e.same_slot(manager, "Apply", sub))
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let mut obj = base.clone();
    for gone in previous.difference(&applied_set) {
        if applied_set.iter().any(|p| covers(&applied, p, gone)) {
            continue; // still (partly) applied: the merge below decides its value
        }
        let shared = entries
            .iter()
            .filter(|e| !e.same_slot(manager, "Apply", sub))
            .any(|e| e.fields.iter().any(|q| overlaps(q, gone)));
        if !shared {
            let owned_leaf = |p: &FieldPath| entries.iter().any(|e| e.fields.contains(p));
            remove_path(&mut obj, gone, &owned_leaf);
        }
    }
    merge_applied(&mut obj, &applied);

    let entry = slot(&mut entries, manager, "Apply", sub, t);
    if entry.fields != applied_set || entry.api_version != t.api_version() {
        entry.fields = applied_set;
        entry.api_version = t.api_version();
        entry.time = now_rfc3339();
    }
    prune_missing(&mut entries, &obj);
    write_managed(&mut obj, &entries);
    Ok(obj)
}

/// (entry index, applied path) for every field another manager owns with a different value.
fn find_conflicts(
    entries: &[ManagedEntry],
    base: &Value,
    applied: &Value,
    applied_set: &FieldSet,
    manager: &str,
) -> Vec<(usize, FieldPath)> {
    let mut out = Vec::new();
    for (i, e) in entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.manager != manager)
    {
        for p in applied_set {
            let owned = e.fields.iter().any(|q| covers(applied, p, q));
            if owned && get_path(base, p) != get_path(applied, p) {
                out.push((i, p.clone()));
            }
        }
    }
    out
}

/// Whether applying the leaf `p` decides the value at `q`. An empty map at `p`
/// merges into what is there, so it does not decide the fields below it.
fn covers(applied: &Value, p: &FieldPath, q: &FieldPath) -> bool {
    if !overlaps(p, q) {
        return false;
    }
    let empty_map =
        get_path(applied, p).is_some_and(|v| v.as_object().is_some_and(|m| m.is_empty()));
    !(empty_map && q.len() > p.len())
}
