//! Objects read as raw JSON, so that one object with a field of an
//! unexpected type (a boolean label, a number where a string belongs) cannot
//! fail a whole list or watch. kube's `DynamicObject` parses `metadata` as a
//! typed `ObjectMeta`; [`Loose`] keeps only the identity fields the list and
//! watch machinery needs from it, and the whole object as JSON beside.
//! [`odd_fields`] then names what is unexpected, so the command can say so
//! and go on judging the rest.

use std::borrow::Cow;

use ::kube::api::{ApiResource, ObjectMeta};
use ::kube::core::{DynamicResourceScope, Resource};
use serde_json::Value;

/// An object of any kind: its JSON, and identity metadata for kube's
/// list/watch bookkeeping.
#[derive(Clone, Debug)]
pub(crate) struct Loose {
    meta: ObjectMeta,
    pub(crate) value: Value,
}

impl<'de> serde::Deserialize<'de> for Loose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        let text = |field: &str| value["metadata"][field].as_str().map(str::to_string);
        let meta = ObjectMeta {
            name: text("name"),
            namespace: text("namespace"),
            resource_version: text("resourceVersion"),
            uid: text("uid"),
            generation: value["metadata"]["generation"].as_i64(),
            ..ObjectMeta::default()
        };
        Ok(Loose { meta, value })
    }
}

impl serde::Serialize for Loose {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl Resource for Loose {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.kind)
    }
    fn group(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.group)
    }
    fn version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.version)
    }
    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.api_version)
    }
    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        Cow::Borrowed(&dt.plural)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.meta
    }
}

/// The fields eks-workshop reads from a Flux object that do not have the
/// type it expects, as `Kind ns/name: field is a T, expected a U`.
pub(crate) fn odd_fields(obj: &Value) -> Vec<String> {
    let mut odd = Vec::new();
    let mut expect = |path: String, v: &Value, want: &'static str| {
        let ok = match want {
            "a string" => v.is_string(),
            "a boolean" => v.is_boolean(),
            "a list" => v.is_array(),
            "an object" => v.is_object(),
            _ => true,
        };
        if !ok && !v.is_null() {
            odd.push(format!("{path} is {}, expected {want}", type_name(v)));
        }
    };
    for field in ["name", "namespace"] {
        expect(
            format!("metadata.{field}"),
            &obj["metadata"][field],
            "a string",
        );
    }
    for map in ["labels", "annotations"] {
        let v = &obj["metadata"][map];
        expect(format!("metadata.{map}"), v, "an object");
        for (key, value) in v.as_object().into_iter().flatten() {
            expect(format!("metadata.{map}.{key}"), value, "a string");
        }
    }
    expect("spec.suspend".into(), &obj["spec"]["suspend"], "a boolean");
    for field in [
        "lastAppliedRevision",
        "lastAttemptedRevision",
        "lastHandledReconcileAt",
    ] {
        expect(format!("status.{field}"), &obj["status"][field], "a string");
    }
    expect(
        "status.artifact.revision".into(),
        &obj["status"]["artifact"]["revision"],
        "a string",
    );
    let conditions = &obj["status"]["conditions"];
    expect("status.conditions".into(), conditions, "a list");
    for (i, c) in conditions.as_array().into_iter().flatten().enumerate() {
        for field in ["type", "status", "reason", "message"] {
            expect(
                format!("status.conditions[{i}].{field}"),
                &c[field],
                "a string",
            );
        }
    }
    if odd.is_empty() {
        return odd;
    }
    let who = format!(
        "{} {}/{}",
        obj["kind"].as_str().unwrap_or("object"),
        obj["metadata"]["namespace"].as_str().unwrap_or_default(),
        obj["metadata"]["name"].as_str().unwrap_or("?"),
    );
    odd.into_iter().map(|o| format!("{who}: {o}")).collect()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn odd_release() -> Value {
        json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {
                "name": "karpenter",
                "namespace": "flux-system",
                "resourceVersion": "7",
                "labels": {"self-managed-add-on": true, "add-on-version": "v0.27.3"}
            },
            "status": {"conditions": [{"type": "Ready", "status": true, "reason": "x"}]}
        })
    }

    #[test]
    fn an_odd_object_deserializes_and_keeps_its_identity() {
        let loose: Loose = serde_json::from_value(odd_release()).unwrap();
        assert_eq!(loose.meta().name.as_deref(), Some("karpenter"));
        assert_eq!(loose.meta().resource_version.as_deref(), Some("7"));
        assert_eq!(loose.value, odd_release());
        // Where kube's typed metadata would fail on the boolean label:
        assert!(serde_json::from_value::<::kube::api::DynamicObject>(odd_release()).is_err());
    }

    #[test]
    fn odd_fields_are_named() {
        assert_eq!(
            odd_fields(&odd_release()),
            [
                "HelmRelease flux-system/karpenter: metadata.labels.self-managed-add-on is a boolean, expected a string",
                "HelmRelease flux-system/karpenter: status.conditions[0].status is a boolean, expected a string",
            ]
        );
        let mut fine = odd_release();
        fine["metadata"]["labels"]["self-managed-add-on"] = json!("true");
        fine["status"]["conditions"][0]["status"] = json!("True");
        assert!(odd_fields(&fine).is_empty());
    }
}
