//! Bounded retries for idempotent calls to the API server (GET, discovery,
//! server-side apply): a 5xx, a 429 or a dropped connection is tried again
//! with the same capped backoff as the GitHub side; anything else (a 4xx, a
//! refused credential) fails at once. Watches re-establish on their own.

use std::future::Future;

use crate::backoff::Backoff;

/// Run `call` until it succeeds, fails for good, or the tries are used up.
pub(crate) async fn idempotent<T, F, Fut>(mut call: F) -> Result<T, ::kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ::kube::Error>>,
{
    let mut backoff = Backoff::new();
    loop {
        match call().await {
            Err(e) if transient(&e) => match backoff.next_delay() {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// Worth another try: the server or the connection failed, not the request.
fn transient(err: &::kube::Error) -> bool {
    match err {
        ::kube::Error::Api(s) => s.code >= 500 || s.code == 429,
        ::kube::Error::HyperError(_) | ::kube::Error::Service(_) => true,
        _ => false,
    }
}
