//! Label and annotation values must be strings. A real API server decodes
//! every body into its typed `ObjectMeta` (CRD objects too), so a boolean or
//! number there is refused, in three wordings that depend on the request:
//!
//! - create and update: 400 BadRequest, "ConfigMap in version "v1" cannot be
//!   handled as a ConfigMap: json: cannot unmarshal bool into Go struct field
//!   ObjectMeta.metadata.labels of type string" (`ObjectMeta.labels` for CRD objects);
//! - server-side apply: 500 with no reason, "failed to create typed patch object
//!   (/c2; /v1, Kind=ConfigMap): .metadata.labels.a: expected string, got
//!   &value.valueUnstructured{Value:true}";
//! - merge (and other) patches: 422 Invalid, ` "" is invalid: patch: Invalid
//!   value: "<the patched object as JSON>": json: cannot unmarshal ...`.

use super::errors::ApiError;
use super::ops::Target;
use super::util::meta_str;
use serde_json::{Value, json};

/// Which request the object came with.
#[derive(Clone, Copy, Debug)]
pub enum Decode {
    /// A create or update body.
    Body,
    /// A server-side apply configuration.
    Apply,
    /// The object a (non-apply) patch produced.
    Patched,
}

/// The first label or annotation that is not a string: (map, key, value);
/// the key is `None` when the map itself is not a map.
fn offender(obj: &Value) -> Option<(&'static str, Option<String>, Value)> {
    for map in ["labels", "annotations"] {
        match obj.pointer(&format!("/metadata/{map}")) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                if let Some((k, v)) = m.iter().find(|(_, v)| !(v.is_string() || v.is_null())) {
                    return Some((map, Some(k.clone()), v.clone()));
                }
            }
            Some(other) => return Some((map, None, other.clone())),
        }
    }
    None
}

/// Go's name for a JSON value's type in `json: cannot unmarshal <type>`.
fn go_json_type(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Null => "null",
    }
}

/// How structured-merge-diff prints the value it did not expect (`%#v`).
fn go_value(v: &Value) -> String {
    match v {
        Value::Object(_) => format!("map[string]interface {{}}{v}"),
        Value::Array(_) => format!("[]interface {{}}{v}"),
        other => other.to_string(),
    }
}

/// Refuses `obj` as the real server would when a label or annotation value is
/// not a string.
pub fn check(t: &Target, obj: &Value, how: Decode) -> Result<(), ApiError> {
    let Some((map, key, value)) = offender(obj) else {
        return Ok(());
    };
    let kind = &t.rt.kind;
    let field = if t.rt.from_crd {
        format!("ObjectMeta.{map}")
    } else {
        format!("ObjectMeta.metadata.{map}")
    };
    let go_type = if key.is_some() {
        "string"
    } else {
        "map[string]string"
    };
    let unmarshal = format!(
        "json: cannot unmarshal {} into Go struct field {field} of type {go_type}",
        go_json_type(&value)
    );
    match how {
        Decode::Body => Err(ApiError::bad_request(format!(
            "{kind} in version \"{}\" cannot be handled as a {kind}: {unmarshal}",
            t.version
        ))),
        Decode::Apply => {
            let ns = meta_str(obj, "namespace").unwrap_or_default();
            let name = meta_str(obj, "name").unwrap_or_default();
            let gvk = format!("{}/{}, Kind={kind}", t.rt.group, t.version);
            let (path, want) = match &key {
                Some(k) => (format!(".metadata.{map}.{k}"), "string"),
                None => (format!(".metadata.{map}"), "map"),
            };
            Err(ApiError::unknown_internal(format!(
                "failed to create typed patch object ({ns}/{name}; {gvk}): {path}: expected {want}, got &value.valueUnstructured{{Value:{}}}",
                go_value(&value)
            )))
        }
        Decode::Patched => {
            let quoted = Value::String(obj.to_string()).to_string();
            let invalid = format!("Invalid value: {quoted}: {unmarshal}");
            let mut e = ApiError::invalid(format!(" \"\" is invalid: patch: {invalid}"));
            e.details = Some(json!({"causes": [
                {"reason": "FieldValueInvalid", "message": invalid, "field": "patch"}
            ]}));
            Err(e)
        }
    }
}
