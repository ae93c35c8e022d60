//! Watch streams: newline-delimited JSON events over a chunked response.
//!
//! A watch from resourceVersion R replays the history after R, then follows the
//! store's broadcast. R older than the retained history gets an ERROR event with
//! a 410 Gone Status (clients then relist). R absent or "0" starts with synthetic
//! ADDED events for what exists now.

use super::errors::ApiError;
use super::http::Body;
use super::ops::Target;
use super::select::Selector;
use super::store::{Store, StoreEvent};
use bytes::Bytes;
use futures::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use hyper::{Response, header};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{Instant, Interval};

pub struct WatchParams {
    pub resource_version: Option<String>,
    pub bookmarks: bool,
    pub timeout: Option<Duration>,
    pub send_initial_events: bool,
    pub bookmark_interval: Duration,
    /// Events carry PartialObjectMetadata (kube's `watch_metadata`).
    pub metadata_only: bool,
}

struct WatchState {
    t: Target,
    metadata_only: bool,
    sel: Selector,
    pending: VecDeque<Bytes>,
    rx: broadcast::Receiver<StoreEvent>,
    /// Highest resourceVersion this stream has seen (sent or filtered out).
    seen_rv: u64,
    bookmarks: Option<Interval>,
    deadline: Option<Instant>,
    done: bool,
}

fn line(v: &Value) -> Bytes {
    let mut b = serde_json::to_vec(v).expect("Value serializes");
    b.push(b'\n');
    Bytes::from(b)
}

fn event_line(t: &Target, ty: &str, obj: &Value, metadata_only: bool) -> Bytes {
    let obj = if metadata_only {
        super::table::partial(obj)
    } else {
        let mut obj = obj.clone();
        obj["apiVersion"] = json!(t.api_version());
        obj
    };
    line(&json!({"type": ty, "object": obj}))
}

fn bookmark(t: &Target, rv: u64, initial_end: bool) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(&json!({"type": "BOOKMARK",
                 "object": {"kind": t.rt.kind, "apiVersion": t.api_version(), "metadata": meta}}))
}

fn gone(rv: u64, oldest: u64) -> Bytes {
    let e = ApiError::gone(format!("too old resource version: {rv} ({oldest})"));
    line(&json!({"type": "ERROR", "object": e.to_status()}))
}

fn matches(t: &Target, sel: &Selector, e: &StoreEvent) -> bool {
    e.group == t.rt.group
        && e.resource == t.rt.plural
        && t.namespace
            .as_ref()
            .is_none_or(|ns| e.namespace.as_ref() == Some(ns))
        && t.name.as_ref().is_none_or(|n| *n == e.name)
        && sel.matches(&e.object)
}

/// Starts a watch: the initial events are computed under the store lock together
/// with the subscription, so nothing falls between replay and live events.
pub fn response(store: &Store, t: Target, sel: Selector, p: WatchParams) -> Response<Body> {
    let mut pending = VecDeque::new();
    let (rx, seen_rv, done) = {
        let st = store.lock();
        let rx = st.tx.subscribe();
        let requested = p
            .resource_version
            .as_deref()
            .filter(|r| !r.is_empty() && *r != "0");
        let mut done = false;
        match requested.map(str::parse::<u64>) {
            None | Some(_) if p.send_initial_events || requested.is_none() => {
                for obj in super::ops::list(&st, &t, &sel) {
                    pending.push_back(event_line(&t, "ADDED", &obj, p.metadata_only));
                }
                if p.send_initial_events {
                    pending.push_back(bookmark(&t, st.rv, true));
                }
            }
            Some(Ok(rv)) if rv < st.compacted_rv => {
                pending.push_back(gone(rv, st.compacted_rv + 1));
                done = true;
            }
            Some(Ok(rv)) => {
                for e in st
                    .history
                    .iter()
                    .filter(|e| e.resource_version > rv && matches(&t, &sel, e))
                {
                    pending.push_back(event_line(
                        &t,
                        e.event_type.as_str(),
                        &e.object,
                        p.metadata_only,
                    ));
                }
            }
            None | Some(Err(_)) => {
                let e = ApiError::bad_request(format!(
                    "invalid resource version {:?}",
                    p.resource_version
                ));
                pending.push_back(line(&json!({"type": "ERROR", "object": e.to_status()})));
                done = true;
            }
        }
        (rx, st.rv, done)
    };
    let bookmarks = p.bookmarks.then(|| {
        let mut i =
            tokio::time::interval_at(Instant::now() + p.bookmark_interval, p.bookmark_interval);
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    });
    let state = WatchState {
        t,
        metadata_only: p.metadata_only,
        sel,
        pending,
        rx,
        seen_rv,
        bookmarks,
        deadline: p.timeout.map(|d| Instant::now() + d),
        done,
    };
    let stream =
        futures::stream::unfold(state, next_chunk).map(|b| Ok::<_, Infallible>(Frame::data(b)));
    Response::builder()
        .status(200)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache, private")
        .body(BodyExt::boxed(StreamBody::new(stream)))
        .expect("valid response")
}

enum Wake {
    Event(Result<StoreEvent, RecvError>),
    Tick,
    Timeout,
}

async fn tick(i: &mut Option<Interval>) {
    match i {
        Some(i) => {
            i.tick().await;
        }
        None => futures::future::pending().await,
    }
}

async fn until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => futures::future::pending().await,
    }
}

async fn next_chunk(mut s: WatchState) -> Option<(Bytes, WatchState)> {
    loop {
        if let Some(b) = s.pending.pop_front() {
            return Some((b, s));
        }
        if s.done {
            return None;
        }
        let wake = tokio::select! {
            ev = s.rx.recv() => Wake::Event(ev),
            _ = tick(&mut s.bookmarks) => Wake::Tick,
            _ = until(s.deadline) => Wake::Timeout,
        };
        match wake {
            Wake::Event(Ok(e)) if e.resource_version <= s.seen_rv => {}
            Wake::Event(Ok(e)) => {
                s.seen_rv = e.resource_version;
                if matches(&s.t, &s.sel, &e) {
                    s.pending.push_back(event_line(
                        &s.t,
                        e.event_type.as_str(),
                        &e.object,
                        s.metadata_only,
                    ));
                }
            }
            Wake::Event(Err(RecvError::Lagged(_))) => {
                // We lost events: the client has to relist, exactly like after compaction.
                s.pending.push_back(gone(s.seen_rv, s.seen_rv + 1));
                s.done = true;
            }
            Wake::Event(Err(RecvError::Closed)) | Wake::Timeout => return None,
            Wake::Tick => {
                let b = bookmark(&s.t, s.seen_rv, false);
                s.pending.push_back(b);
            }
        }
    }
}
