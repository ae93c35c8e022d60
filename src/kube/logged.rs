//! A tower layer under the kube client: every request to the API server goes
//! into the run's log with its method, path, status and duration (never a
//! header or body). Watches are logged when their answer starts.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// The layer [`super::connect`] puts under the client; `server` prefixes
/// the paths the client sends (its base URL is applied below this layer).
#[derive(Clone, Debug)]
pub(crate) struct LogLayer {
    pub(crate) server: String,
}

impl<S> tower::Layer<S> for LogLayer {
    type Service = Logged<S>;

    fn layer(&self, inner: S) -> Logged<S> {
        Logged {
            inner,
            server: self.server.clone(),
        }
    }
}

/// The service [`LogLayer`] makes.
#[derive(Clone, Debug)]
pub(crate) struct Logged<S> {
    inner: S,
    server: String,
}

impl<S, B, R> tower::Service<http::Request<B>> for Logged<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<R>>,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let method = request.method().to_string();
        let uri = request.uri();
        let url = match uri.host() {
            Some(_) => uri.to_string(),
            None => format!("{}{uri}", self.server),
        };
        let started = Instant::now();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let answer = answer.await;
            let status = match &answer {
                Ok(response) => Ok(response.status().as_u16()),
                Err(e) => Err(e.to_string()),
            };
            crate::log::http(&method, &url, status, started.elapsed());
            answer
        })
    }
}
