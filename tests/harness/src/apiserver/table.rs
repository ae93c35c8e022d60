//! Alternative views of objects: `as=Table` for kubectl's `get` (Name and Age,
//! plus Ready/Status when the object has a Ready condition) and
//! `as=PartialObjectMetadata(List)` for metadata-only clients.

use super::ops::Target;
use super::util::{human_age, meta_str, now_secs, parse_rfc3339};
use serde_json::{Value, json};

fn ready_condition(obj: &Value) -> Option<&Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")
}

pub fn render(t: &Target, items: &[Value], rv: Option<u64>) -> Value {
    let with_ready = t.rt.from_crd && items.iter().any(|o| ready_condition(o).is_some());
    let mut columns = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "Name", "priority": 0}),
        json!({"name": "Age", "type": "date", "format": "", "description": "Age", "priority": 0}),
    ];
    if with_ready {
        columns.push(json!({"name": "Ready", "type": "string", "format": "", "description": "", "priority": 0}));
        columns.push(json!({"name": "Status", "type": "string", "format": "", "description": "", "priority": 0}));
    }
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let created = meta_str(o, "creationTimestamp")
                .and_then(parse_rfc3339)
                .unwrap_or(now_secs());
            let mut cells = vec![
                json!(meta_str(o, "name").unwrap_or_default()),
                json!(human_age(now_secs().saturating_sub(created))),
            ];
            if with_ready {
                let c = ready_condition(o);
                cells.push(
                    c.and_then(|c| c.get("status"))
                        .cloned()
                        .unwrap_or(json!("Unknown")),
                );
                cells.push(
                    c.and_then(|c| c.get("message"))
                        .cloned()
                        .unwrap_or(json!("")),
                );
            }
            let meta = o.get("metadata").cloned().unwrap_or_default();
            json!({"cells": cells, "object": {"kind": "PartialObjectMetadata",
                   "apiVersion": "meta.k8s.io/v1", "metadata": meta}})
        })
        .collect();
    let mut table = json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
                           "columnDefinitions": columns, "rows": rows});
    if let Some(rv) = rv {
        table["metadata"]["resourceVersion"] = json!(rv.to_string());
    }
    table
}

/// The metadata-only view of an object.
pub fn partial(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
           "metadata": obj.get("metadata").cloned().unwrap_or_default()})
}

pub fn partial_list(items: &[Value], rv: u64) -> Value {
    let items: Vec<Value> = items.iter().map(partial).collect();
    json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1",
           "metadata": {"resourceVersion": rv.to_string()}, "items": items})
}
