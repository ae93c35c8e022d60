//! JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
//!
//! Strategic merge patch is served as a merge patch: lists are replaced whole,
//! which is what strategic merge does for lists without a merge key anyway.

use serde_json::Value;

/// RFC 7386: `null` deletes, maps merge, everything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Some(p) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    let t = target.as_object_mut().expect("made an object");
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// RFC 6902 operations add, remove, replace, move, copy and test. `Err` is the reason.
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops.as_array().ok_or("json patch must be an array")?;
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).ok_or("op: missing")?;
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or("path: missing")?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or(format!("{name} {path}: missing value"))
        };
        match name {
            "add" => add(target, path, value()?)?,
            "remove" => {
                remove(target, path)?;
            }
            "replace" => {
                remove(target, path)?;
                add(target, path, value()?)?;
            }
            "move" | "copy" => {
                let from = op
                    .get("from")
                    .and_then(Value::as_str)
                    .ok_or("from: missing")?;
                let v = if name == "move" {
                    remove(target, from)?
                } else {
                    target
                        .pointer(from)
                        .cloned()
                        .ok_or(format!("{from}: not found"))?
                };
                add(target, path, v)?;
            }
            "test" => {
                if target.pointer(path) != Some(&value()?) {
                    return Err(format!("test failed for {path}"));
                }
            }
            other => return Err(format!("unknown op {other:?}")),
        }
    }
    Ok(())
}

fn split(path: &str) -> Result<(&str, String), String> {
    let i = path.rfind('/').ok_or(format!("invalid path {path:?}"))?;
    let last = path[i + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&path[..i], last))
}

fn add(target: &mut Value, path: &str, value: Value) -> Result<(), String> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, key) = split(path)?;
    let p = target
        .pointer_mut(parent)
        .ok_or(format!("{parent}: not found"))?;
    match p {
        Value::Object(m) => {
            m.insert(key, value);
        }
        Value::Array(a) if key == "-" => a.push(value),
        Value::Array(a) => {
            let i: usize = key.parse().map_err(|_| format!("bad index {key}"))?;
            if i > a.len() {
                return Err(format!("index {i} out of range"));
            }
            a.insert(i, value);
        }
        _ => return Err(format!("{parent}: not a container")),
    }
    Ok(())
}

fn remove(target: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, key) = split(path)?;
    let p = target
        .pointer_mut(parent)
        .ok_or(format!("{parent}: not found"))?;
    let removed = match p {
        Value::Object(m) => m.remove(&key),
        Value::Array(a) => key
            .parse::<usize>()
            .ok()
            .filter(|i| *i < a.len())
            .map(|i| a.remove(i)),
        _ => None,
    };
    removed.ok_or(format!("{path}: not found"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_deletes_and_merges() {
        let mut t = json!({"a":{"b":1,"c":2},"l":[1]});
        merge_patch(&mut t, &json!({"a":{"b":null,"d":3},"l":[2]}));
        assert_eq!(t, json!({"a":{"c":2,"d":3},"l":[2]}));
    }

    #[test]
    fn json_patch_ops() {
        let mut t = json!({"a":{"b":1},"l":[1]});
        let ops = json!([{"op":"add","path":"/l/-","value":2},{"op":"replace","path":"/a/b","value":5},
                         {"op":"test","path":"/a/b","value":5},{"op":"remove","path":"/l/0"}]);
        json_patch(&mut t, &ops).unwrap();
        assert_eq!(t, json!({"a":{"b":5},"l":[2]}));
        assert!(json_patch(&mut t, &json!([{"op":"remove","path":"/nope"}])).is_err());
    }
}
