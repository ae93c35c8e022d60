//! The HTTP side: accept loop on a private runtime, request classification,
//! fault injection, request recording, and dispatch to the API or git handlers.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Method, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::{Fault, Request, RequestKind, Shared, api, git_http, json, state};

pub(super) type Resp = Response<Full<Bytes>>;

/// Request bodies above this are refused; workshop pushes are far smaller.
const MAX_BODY: usize = 256 << 20;

/// Returned by the service to make hyper close the connection unanswered.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("forge: injected connection drop")
    }
}

impl std::error::Error for DropConnection {}

/// Runs the server on its own thread and runtime until `shutdown` fires.
pub(super) fn spawn(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    shutdown: tokio::sync::oneshot::Receiver<()>,
) -> JoinHandle<()> {
    let run = move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("forge-worker")
            .enable_all()
            .build()
            .expect("forge: build runtime");
        rt.block_on(accept_loop(listener, shared, shutdown));
        // Aborts in-flight connections; their CGI children are killed on drop.
        rt.shutdown_timeout(Duration::from_secs(2));
    };
    std::thread::Builder::new()
        .name("forge".into())
        .spawn(run)
        .expect("forge: spawn thread")
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    listener
        .set_nonblocking(true)
        .expect("forge: set_nonblocking");
    let listener = tokio::net::TcpListener::from_std(listener).expect("forge: adopt listener");
    let mut conns = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else { continue };
                let shared = shared.clone();
                conns.spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                    // Errors here are client hang-ups or injected drops: nothing to report.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}

/// Where a request goes, decided from its path alone.
pub(super) enum Route {
    Api,
    /// `/{owner}/{repo}.git/{rest}`
    Git {
        owner: String,
        repo: String,
        rest: String,
    },
}

impl Route {
    fn parse(path: &str) -> Route {
        let mut parts = path.trim_start_matches('/').splitn(3, '/');
        let (Some(owner), Some(repo_git), Some(rest)) = (parts.next(), parts.next(), parts.next())
        else {
            return Route::Api;
        };
        let Some(repo) = repo_git.strip_suffix(".git") else {
            return Route::Api;
        };
        let git_path = matches!(
            rest,
            "info/refs" | "git-upload-pack" | "git-receive-pack" | "HEAD"
        ) || rest.starts_with("objects/");
        if owner.is_empty() || repo.is_empty() || !git_path {
            return Route::Api;
        }
        Route::Git {
            owner: owner.into(),
            repo: repo.into(),
            rest: rest.into(),
        }
    }

    fn kind(&self, method: &Method, query: &str) -> RequestKind {
        match self {
            Route::Api if method == Method::GET || method == Method::HEAD => RequestKind::ApiRead,
            Route::Api => RequestKind::ApiWrite,
            Route::Git { rest, .. } if is_receive_pack(rest, query) => RequestKind::GitWrite,
            Route::Git { .. } => RequestKind::GitRead,
        }
    }
}

fn is_receive_pack(rest: &str, query: &str) -> bool {
    rest == "git-receive-pack"
        || (rest == "info/refs" && query.split('&').any(|p| p == "service=git-receive-pack"))
}

async fn handle(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<Resp, DropConnection> {
    let (parts, body) = req.into_parts();
    let query = parts.uri.query().unwrap_or("").to_string();
    let route = Route::parse(parts.uri.path());
    let kind = route.kind(&parts.method, &query);
    let mut record = Request {
        method: parts.method.to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_string(), |p| p.to_string()),
        status: None,
        kind,
        login: None,
    };
    let fault = shared.lock().take_fault(kind);
    let (resp, login) = match fault {
        Some(Fault::Drop) => {
            shared.lock().requests.push(record);
            return Err(DropConnection);
        }
        Some(Fault::Slow(d)) => {
            tokio::time::sleep(d).await;
            serve(&shared, route, parts, body, &query).await
        }
        Some(f) => (fault_response(&shared, &f, kind), None),
        None => serve(&shared, route, parts, body, &query).await,
    };
    record.status = Some(resp.status().as_u16());
    record.login = login;
    shared.lock().requests.push(record);
    Ok(resp)
}

/// Answers a request normally; also returns the login it authenticated as.
async fn serve(
    shared: &Shared,
    route: Route,
    parts: hyper::http::request::Parts,
    body: Incoming,
    query: &str,
) -> (Resp, Option<String>) {
    // hyper has already undone chunked transfer encoding; gzip stays for the CGI.
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return (
                text(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request body too large or broken\n",
                ),
                None,
            );
        }
    };
    match route {
        Route::Api => api::handle(
            shared,
            &parts.method,
            parts.uri.path(),
            &parts.headers,
            &body,
        ),
        Route::Git { owner, repo, rest } => {
            let target = git_http::Target {
                owner: &owner,
                repo: &repo,
                rest: &rest,
                query,
            };
            git_http::handle(shared, &parts.method, target, &parts.headers, body).await
        }
    }
}

fn fault_response(shared: &Shared, fault: &Fault, kind: RequestKind) -> Resp {
    let is_api = matches!(kind, RequestKind::ApiRead | RequestKind::ApiWrite);
    let mut resp = match fault {
        Fault::Status(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Injected fault");
            if is_api {
                json_response(status, &json::error(reason, *code))
            } else {
                text(status, &format!("{reason}\n"))
            }
        }
        Fault::RateLimit { reset_epoch } => {
            let body = json::error("API rate limit exceeded for user ID 1.", 403);
            let mut r = json_response(StatusCode::FORBIDDEN, &body);
            set_rate_headers(&mut r, 0, *reset_epoch);
            return r;
        }
        Fault::TooManyRequests { retry_after } => {
            let msg = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, &json::error(msg, 429));
            set_header(&mut r, "retry-after", &retry_after.to_string());
            r
        }
        Fault::Reply {
            status,
            headers,
            body,
        } => {
            let mut r = Response::new(Full::new(Bytes::from(body.clone())));
            *r.status_mut() = StatusCode::from_u16(*status).unwrap_or(StatusCode::OK);
            for (name, value) in headers {
                set_header(&mut r, name, value);
            }
            return r;
        }
        Fault::Drop | Fault::Slow(_) => unreachable!("handled before answering"),
    };
    if is_api {
        add_rate_headers(shared, &mut resp);
    }
    resp
}

/// The `x-ratelimit-*` headers GitHub sends on every API response.
pub(super) fn add_rate_headers(shared: &Shared, resp: &mut Resp) {
    let remaining = shared.lock().rate_limit_remaining();
    set_rate_headers(resp, remaining, now_epoch() + 3600);
}

fn set_rate_headers(resp: &mut Resp, remaining: u64, reset: u64) {
    set_header(resp, "x-ratelimit-limit", &state::RATE_LIMIT.to_string());
    set_header(resp, "x-ratelimit-remaining", &remaining.to_string());
    set_header(
        resp,
        "x-ratelimit-used",
        &(state::RATE_LIMIT - remaining).to_string(),
    );
    set_header(resp, "x-ratelimit-reset", &reset.to_string());
    set_header(resp, "x-ratelimit-resource", "core");
}

pub(super) fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

pub(super) fn set_header(resp: &mut Resp, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
        resp.headers_mut().insert(n, v);
    }
}

pub(super) fn json_response(status: StatusCode, body: &Value) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

pub(super) fn text(status: StatusCode, body: &str) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}
