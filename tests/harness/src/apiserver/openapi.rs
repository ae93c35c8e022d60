//! The minimum of OpenAPI v3 that kubectl needs: it only asks whether PATCH of a
//! kind takes the `fieldValidation` query parameter. With a yes, kubectl leaves
//! validation to the server and never needs schemas (nor OpenAPI v2).

use super::types::Registry;
use super::util::api_version;
use serde_json::{Map, Value, json};

/// `/openapi/v3`: one entry per served group-version.
pub fn root(reg: &Registry) -> Value {
    let mut paths = Map::new();
    let mut add = |gv_path: String| {
        let url = format!("/openapi/v3/{gv_path}?hash=0");
        paths.insert(gv_path, json!({ "serverRelativeURL": url }));
    };
    add("api/v1".into());
    for (g, versions) in reg.groups() {
        for v in versions {
            add(format!("apis/{g}/{v}"));
        }
    }
    json!({ "paths": paths })
}

/// `/openapi/v3/api/v1` or `/openapi/v3/apis/{g}/{v}`: a PATCH operation per kind.
pub fn group_version(reg: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut paths = Map::new();
    for t in reg
        .visible()
        .filter(|t| t.group == group && t.serves(version))
    {
        let prefix = if group.is_empty() {
            "/api/v1".to_string()
        } else {
            format!("/apis/{}", api_version(group, version))
        };
        let path = if t.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}/{{name}}", t.plural)
        } else {
            format!("{prefix}/{}/{{name}}", t.plural)
        };
        let op = json!({
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": t.kind},
            "x-kubernetes-action": "patch",
            "parameters": [
                {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
                {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}}
            ],
            "responses": {"200": {"description": "OK"}}
        });
        paths.insert(path, json!({ "patch": op }));
    }
    if paths.is_empty() && !(group.is_empty() && version == "v1") {
        return None;
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.33.0"},
        "paths": paths,
        "components": {"schemas": {}}
    }))
}
