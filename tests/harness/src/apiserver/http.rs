//! HTTP routing: authentication, authorization (deny rules), discovery and the
//! resource paths `/api/v1/...` and `/apis/{group}/{version}/...`.

use super::discovery;
use super::errors::ApiError;
use super::ops::{PatchKind, Target, WriteOptions};
use super::select::Selector;
use super::watch::{self, WatchParams};
use super::{Shared, table};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode, header};
use serde_json::Value;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

pub type Body = BoxBody<Bytes, Infallible>;

/// An injected dropped connection ([`ApiFault::Drop`](super::ApiFault::Drop)).
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("apiserver: injected connection drop")
    }
}

impl std::error::Error for Dropped {}

/// Entry point for every request: answers, and records (method, path, status).
pub async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Dropped> {
    let method = req.method().to_string();
    let pq = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    let resp = match shared.draw_fault() {
        Some(super::ApiFault::Drop) => {
            shared.log_request(method, pq, 0);
            return Err(Dropped);
        }
        Some(super::ApiFault::Status(code)) => error_response(&ApiError::injected(code)),
        Some(super::ApiFault::Slow(d)) => {
            tokio::time::sleep(d).await;
            route(&shared, req)
                .await
                .unwrap_or_else(|e| error_response(&e))
        }
        None => route(&shared, req)
            .await
            .unwrap_or_else(|e| error_response(&e)),
    };
    if std::env::var_os("HARNESS_LOG").is_some() {
        // Debugging aid: `HARNESS_LOG=1 cargo test ... -- --nocapture`.
        eprintln!("apiserver: {method} {pq} -> {}", resp.status().as_u16());
    }
    shared.log_request(method, pq, resp.status().as_u16());
    Ok(resp)
}

pub fn json_response(code: u16, v: &Value) -> Response<Body> {
    json_typed(code, v, "application/json")
}

fn json_typed(code: u16, v: &Value, content_type: &str) -> Response<Body> {
    let body = serde_json::to_vec(v).expect("Value serializes");
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, content_type)
        .body(Full::new(Bytes::from(body)).boxed())
        .expect("valid response")
}

fn error_response(e: &ApiError) -> Response<Body> {
    json_response(e.code, &e.to_status())
}

/// Query string → map (last value wins), percent-decoded.
pub fn parse_query(q: Option<&str>) -> HashMap<String, String> {
    q.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
                {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn route(shared: &Arc<Shared>, req: Request<Incoming>) -> Result<Response<Body>, ApiError> {
    shared.authenticate(
        req.headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    )?;
    let path = req.uri().path().to_string();
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let get = req.method() == Method::GET;
    let reg = || shared.store.registry();
    match segs.as_slice() {
        ["version"] if get => Ok(json_response(200, &discovery::version())),
        ["healthz" | "readyz" | "livez"] if get => {
            Ok(Response::new(Full::new(Bytes::from("ok")).boxed()))
        }
        ["api"] if get && discovery::wants_aggregated(&accept) => Ok(json_typed(
            200,
            &discovery::aggregated(&reg(), true),
            discovery::AGGREGATED_V2,
        )),
        ["api"] if get => Ok(json_response(
            200,
            &discovery::core_versions(&shared.addr.to_string()),
        )),
        ["api", "v1"] if get => discovery::resource_list(&reg(), "", "v1")
            .map(|v| json_response(200, &v))
            .ok_or_else(ApiError::no_route),
        ["apis"] if get && discovery::wants_aggregated(&accept) => Ok(json_typed(
            200,
            &discovery::aggregated(&reg(), false),
            discovery::AGGREGATED_V2,
        )),
        ["apis"] if get => Ok(json_response(200, &discovery::group_list(&reg()))),
        ["apis", g] if get => discovery::group(&reg(), g)
            .map(|v| json_response(200, &v))
            .ok_or_else(ApiError::no_route),
        ["apis", g, v] if get => discovery::resource_list(&reg(), g, v)
            .map(|d| json_response(200, &d))
            .ok_or_else(ApiError::no_route),
        ["openapi", "v3"] if get => Ok(json_response(200, &super::openapi::root(&reg()))),
        ["openapi", "v3", "api", "v1"] if get => super::openapi::group_version(&reg(), "", "v1")
            .map(|d| json_response(200, &d))
            .ok_or_else(ApiError::no_route),
        ["openapi", "v3", "apis", g, v] if get => super::openapi::group_version(&reg(), g, v)
            .map(|d| json_response(200, &d))
            .ok_or_else(ApiError::no_route),
        ["api", "v1", rest @ ..] => {
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            resource_request(shared, req, "", "v1", &rest, &accept).await
        }
        ["apis", g, v, rest @ ..] => {
            let (g, v) = (g.to_string(), v.to_string());
            let rest: Vec<String> = rest.iter().map(|s| s.to_string()).collect();
            resource_request(shared, req, &g, &v, &rest, &accept).await
        }
        _ => Err(ApiError::no_route()),
    }
}

/// Resolves `[namespaces/{ns}/]{plural}[/{name}[/{sub}]]` against the registry.
fn parse_target(
    shared: &Shared,
    group: &str,
    version: &str,
    rest: &[String],
) -> Result<Target, ApiError> {
    let store = &shared.store;
    let namespaced = rest.len() >= 3
        && rest[0] == "namespaces"
        && store
            .resource(group, version, &rest[2])
            .is_some_and(|t| t.namespaced);
    let (ns, tail) = if namespaced {
        (Some(rest[1].clone()), &rest[2..])
    } else {
        (None, rest)
    };
    if tail.is_empty() || tail.len() > 3 {
        return Err(ApiError::no_route());
    }
    let rt = store
        .resource(group, version, &tail[0])
        .ok_or_else(ApiError::no_route)?;
    let name = tail.get(1).cloned();
    let status = match tail.get(2).map(String::as_str) {
        None => false,
        Some("status") if rt.status_subresource => true,
        Some(_) => return Err(ApiError::no_route()),
    };
    // A namespaced object must be addressed through its namespace.
    if rt.namespaced && ns.is_none() && name.is_some() {
        return Err(ApiError::no_route());
    }
    Ok(Target {
        rt,
        version: version.to_string(),
        namespace: ns,
        name,
        status,
    })
}

async fn resource_request(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    group: &str,
    version: &str,
    rest: &[String],
    accept: &str,
) -> Result<Response<Body>, ApiError> {
    let t = parse_target(shared, group, version, rest)?;
    let q = parse_query(req.uri().query());
    let is_watch = matches!(q.get("watch").map(String::as_str), Some("true" | "1"));
    let verb = match (req.method().clone(), t.name.is_some()) {
        (Method::GET, true) => "get",
        (Method::GET, false) if is_watch => "watch",
        (Method::GET, false) => "list",
        (Method::POST, false) => "create",
        (Method::PUT, true) => "update",
        (Method::PATCH, true) => "patch",
        (Method::DELETE, true) => "delete",
        _ => return Err(ApiError::method_not_allowed()),
    };
    shared.authorize(verb, &t)?;
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let opts = WriteOptions {
        manager: q
            .get("fieldManager")
            .cloned()
            .unwrap_or_else(|| default_manager(&agent)),
        dry_run: q.get("dryRun").is_some_and(|d| d == "All"),
    };
    let store = &shared.store;
    let table = accept.contains("as=Table");
    // kube's metadata-only calls: `as=PartialObjectMetadata` / `...List`.
    let partial = accept.contains("as=PartialObjectMetadata");
    match verb {
        "get" => {
            let obj = store.get_target(&t)?;
            Ok(if partial {
                json_response(200, &table::partial(&obj))
            } else if table {
                json_response(200, &table::render(&t, &[obj], None))
            } else {
                json_response(200, &obj)
            })
        }
        "list" => {
            let sel = selector(&q)?;
            let (items, rv) = store.list_target(&t, &sel);
            if table {
                return Ok(json_response(200, &table::render(&t, &items, Some(rv))));
            }
            if partial {
                return Ok(json_response(200, &table::partial_list(&items, rv)));
            }
            Ok(json_response(200, &list_doc(&t, items, rv)))
        }
        "watch" => {
            let params = WatchParams {
                resource_version: q.get("resourceVersion").cloned(),
                bookmarks: q.get("allowWatchBookmarks").is_some_and(|v| v == "true"),
                timeout: q
                    .get("timeoutSeconds")
                    .and_then(|s| s.parse().ok())
                    .map(Duration::from_secs),
                send_initial_events: q.get("sendInitialEvents").is_some_and(|v| v == "true"),
                bookmark_interval: shared.bookmark_interval(),
                metadata_only: partial,
            };
            Ok(watch::response(store, t, selector(&q)?, params))
        }
        _ => {
            let body = read_body(req).await?;
            write(shared, &t, verb, &ct, &q, body, &opts)
        }
    }
}

fn write(
    shared: &Shared,
    t: &Target,
    verb: &str,
    ct: &str,
    q: &HashMap<String, String>,
    body: Bytes,
    opts: &WriteOptions,
) -> Result<Response<Body>, ApiError> {
    let store = &shared.store;
    match verb {
        "create" => Ok(json_response(
            201,
            &store.create_target(t, parse_json(&body)?, opts)?,
        )),
        "update" => Ok(json_response(
            200,
            &store.update_target(t, parse_json(&body)?, opts)?,
        )),
        "delete" => Ok(json_response(200, &store.delete_target(t)?)),
        _ => {
            let media = ct.split(';').next().unwrap_or("").trim();
            let (kind, doc) = match media {
                "application/merge-patch+json" => (PatchKind::Merge, parse_json(&body)?),
                "application/strategic-merge-patch+json" => {
                    (PatchKind::Strategic, parse_json(&body)?)
                }
                "application/json-patch+json" => (PatchKind::Json, parse_json(&body)?),
                "application/apply-patch+yaml" | "application/apply-patch+cbor" => {
                    if !q.contains_key("fieldManager") {
                        return Err(ApiError::bad_request(
                            "PATCH, fieldManager is required for apply requests",
                        ));
                    }
                    let force = q.get("force").is_some_and(|f| f == "true");
                    (PatchKind::Apply { force }, parse_yaml(&body)?)
                }
                other => return Err(ApiError::unsupported_media_type(other)),
            };
            let (obj, created) = store.patch_target(t, kind, doc, opts)?;
            Ok(json_response(if created { 201 } else { 200 }, &obj))
        }
    }
}

/// Without `fieldManager`, real servers name the manager after the User-Agent's program.
fn default_manager(agent: &str) -> String {
    let prog = agent.split('/').next().unwrap_or("").trim();
    if prog.is_empty() {
        "unknown".into()
    } else {
        prog.to_string()
    }
}

fn selector(q: &HashMap<String, String>) -> Result<Selector, ApiError> {
    Selector::parse(
        q.get("labelSelector").map(String::as_str),
        q.get("fieldSelector").map(String::as_str),
    )
    .map_err(ApiError::bad_request)
}

fn list_doc(t: &Target, items: Vec<Value>, rv: u64) -> Value {
    let av = t.api_version();
    let items: Vec<Value> = items
        .into_iter()
        .map(|mut o| {
            o["apiVersion"] = Value::String(av.clone());
            o
        })
        .collect();
    serde_json::json!({
        "kind": format!("{}List", t.rt.kind), "apiVersion": av,
        "metadata": {"resourceVersion": rv.to_string()}, "items": items,
    })
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, ApiError> {
    req.into_body()
        .collect()
        .await
        .map(|c| c.to_bytes())
        .map_err(|e| ApiError::bad_request(format!("reading the request body: {e}")))
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))
}

/// Apply bodies are YAML (JSON is YAML too).
fn parse_yaml(body: &[u8]) -> Result<Value, ApiError> {
    let y: serde_yaml::Value = serde_yaml::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
    serde_json::to_value(y).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}
