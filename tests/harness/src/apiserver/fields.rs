//! Field sets and `metadata.managedFields`: the bookkeeping behind server-side apply.
//!
//! A field set is the set of leaf paths of an object: maps are walked, anything
//! else (scalars, lists, empty maps) is a leaf. Lists are atomic, like
//! `x-kubernetes-list-type: atomic`: keyed list merges are out of scope.

use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

pub type FieldPath = Vec<String>;
pub type FieldSet = BTreeSet<FieldPath>;

/// Which part of an object a write may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything but identity/system metadata.
    All,
    /// Everything but `status` (main resource of a type with a status subresource).
    NoStatus,
    /// Only `status` (the `/status` subresource).
    StatusOnly,
}

/// Metadata the server owns: never part of anybody's field set.
const SYSTEM_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "deletionTimestamp",
    "selfLink",
    "generateName",
];

/// The leaf paths of `obj` within `scope`. `null` values count as absent.
pub fn field_set(obj: &Value, scope: Scope) -> FieldSet {
    let mut out = FieldSet::new();
    let Some(map) = obj.as_object() else {
        return out;
    };
    for (k, v) in map {
        let keep = match scope {
            Scope::All => k != "apiVersion" && k != "kind",
            Scope::NoStatus => k != "apiVersion" && k != "kind" && k != "status",
            Scope::StatusOnly => k == "status",
        };
        if !keep {
            continue;
        }
        if k == "metadata" {
            for (mk, mv) in v.as_object().into_iter().flatten() {
                if !SYSTEM_METADATA.contains(&mk.as_str()) {
                    leaves(mv, vec![k.clone(), mk.clone()], &mut out);
                }
            }
        } else {
            leaves(v, vec![k.clone()], &mut out);
        }
    }
    out
}

fn leaves(v: &Value, path: FieldPath, out: &mut FieldSet) {
    match v {
        Value::Null => {}
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                let mut p = path.clone();
                p.push(k.clone());
                leaves(child, p, out);
            }
        }
        _ => {
            out.insert(path);
        }
    }
}

/// True when one path is a prefix of (or equal to) the other: they touch the same data.
pub fn overlaps(a: &FieldPath, b: &FieldPath) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

pub fn get_path<'a>(obj: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    let mut cur = obj;
    for k in path {
        cur = cur.as_object()?.get(k)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// Removes the leaf at `path`, then any parent map left empty that nobody else
/// keeps (`keep` says whether a path is still owned as a leaf).
pub fn remove_path(obj: &mut Value, path: &FieldPath, keep: &dyn Fn(&FieldPath) -> bool) {
    if path.is_empty() {
        return;
    }
    let (last, parent) = path.split_last().expect("non-empty");
    let parent_path: FieldPath = parent.to_vec();
    let Some(map) = get_map_mut(obj, &parent_path) else {
        return;
    };
    map.remove(last);
    if map.is_empty() && !parent_path.is_empty() && !keep(&parent_path) {
        remove_path(obj, &parent_path, keep);
    }
}

fn get_map_mut<'a>(obj: &'a mut Value, path: &FieldPath) -> Option<&'a mut Map<String, Value>> {
    let mut cur = obj;
    for k in path {
        cur = cur.as_object_mut()?.get_mut(k)?;
    }
    cur.as_object_mut()
}

/// Merges `applied` into `target`: maps recursively, everything else replaced; `null` skipped.
pub fn merge_applied(target: &mut Value, applied: &Value) {
    match (target.as_object_mut(), applied.as_object()) {
        (Some(t), Some(a)) => {
            for (k, v) in a {
                if v.is_null() {
                    continue;
                }
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_applied(existing, v)
                    }
                    _ => {
                        t.insert(k.clone(), strip_nulls(v));
                    }
                }
            }
        }
        _ => *target = strip_nulls(applied),
    }
}

fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `.spec.replicas`: how conflicts name a field.
pub fn display_path(path: &FieldPath) -> String {
    path.iter().map(|p| format!(".{p}")).collect()
}

/// One `metadata.managedFields` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagedEntry {
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    pub api_version: String,
    pub time: String,
    pub subresource: Option<String>,
    pub fields: FieldSet,
}

impl ManagedEntry {
    /// Same manager, operation and subresource: the identity of an entry.
    pub fn same_slot(&self, manager: &str, operation: &str, sub: Option<&str>) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.as_deref() == sub
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": to_fields_v1(&self.fields),
        });
        if let Some(s) = &self.subresource {
            v["subresource"] = json!(s);
        }
        v
    }
}

/// Reads `metadata.managedFields` (entries we cannot read are dropped).
pub fn read_managed(obj: &Value) -> Vec<ManagedEntry> {
    let Some(entries) = obj
        .get("metadata")
        .and_then(|m| m.get("managedFields"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|e| {
            let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
            Some(ManagedEntry {
                manager: s("manager")?,
                operation: s("operation").unwrap_or_else(|| "Update".into()),
                api_version: s("apiVersion").unwrap_or_default(),
                time: s("time").unwrap_or_default(),
                subresource: s("subresource"),
                fields: e.get("fieldsV1").map(from_fields_v1).unwrap_or_default(),
            })
        })
        .collect()
}

/// Writes entries back (empty ones dropped; no key at all when none are left).
pub fn write_managed(obj: &mut Value, entries: &[ManagedEntry]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.is_empty())
        .map(ManagedEntry::to_json)
        .collect();
    let meta = super::util::metadata_mut(obj);
    if list.is_empty() {
        meta.remove("managedFields");
    } else {
        meta.insert("managedFields".into(), Value::Array(list));
    }
}

/// FieldsV1 encoding: `{"f:spec":{"f:replicas":{}}}`; parents carry `".":{}`.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut cur = &mut root;
        for (i, k) in path.iter().enumerate() {
            let entry = cur
                .entry(format!("f:{k}"))
                .or_insert_with(|| Value::Object(Map::new()));
            let m = entry.as_object_mut().expect("always a map");
            if i + 1 < path.len() {
                m.entry(".").or_insert_with(|| json!({}));
            }
            cur = m;
        }
    }
    // Top-level sections (metadata, spec, status) carry no "." marker in real servers.
    for v in root.values_mut() {
        if let Some(m) = v.as_object_mut() {
            m.remove(".");
        }
    }
    Value::Object(root)
}

/// Parses FieldsV1 back into leaf paths; keyed list items (`k:`/`v:`/`i:`) make their list a leaf.
pub fn from_fields_v1(v: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    walk_fields_v1(v, Vec::new(), &mut out);
    out
}

fn walk_fields_v1(v: &Value, path: FieldPath, out: &mut FieldSet) {
    let Some(m) = v.as_object() else { return };
    let children: Vec<(&String, &Value)> = m.iter().filter(|(k, _)| k.as_str() != ".").collect();
    if children.iter().any(|(k, _)| !k.starts_with("f:")) && !path.is_empty() {
        out.insert(path);
        return;
    }
    if children.is_empty() && !path.is_empty() {
        out.insert(path);
        return;
    }
    for (k, child) in children {
        let mut p = path.clone();
        p.push(k[2..].to_string());
        walk_fields_v1(child, p, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_sets_round_trip_through_fields_v1() {
        let obj = json!({"apiVersion":"v1","kind":"ConfigMap",
            "metadata":{"name":"x","labels":{"a":"1"}},"data":{"k":"v","l":"w"},"list":[1,2]});
        let set = field_set(&obj, Scope::All);
        assert!(set.contains(&vec!["metadata".into(), "labels".into(), "a".into()]));
        assert!(set.contains(&vec!["list".into()]));
        assert!(
            !set.iter()
                .any(|p| p[..] == ["metadata".to_string(), "name".into()])
        );
        let v1 = to_fields_v1(&set);
        assert_eq!(v1["f:data"]["f:k"], json!({}));
        assert_eq!(from_fields_v1(&v1), set);
    }

    #[test]
    fn remove_path_prunes_empty_parents() {
        let mut obj = json!({"spec":{"a":{"b":1},"c":2}});
        remove_path(
            &mut obj,
            &vec!["spec".into(), "a".into(), "b".into()],
            &|_| false,
        );
        assert_eq!(obj, json!({"spec":{"c":2}}));
    }
}
