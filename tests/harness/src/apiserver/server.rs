//! The listener: its own thread and Tokio runtime (so the server keeps answering
//! while a test blocks, e.g. on `kubectl`), an accept loop that owns every
//! connection, and restart (drop all connections, listen again on the same port).

use super::Shared;
use super::http;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

/// The runtime thread: lives until `shutdown` fires (or its sender is dropped).
pub struct RuntimeThread {
    pub handle: Handle,
    shutdown: Option<oneshot::Sender<()>>,
}

impl RuntimeThread {
    pub fn start(name: &str) -> RuntimeThread {
        let (htx, hrx) = std::sync::mpsc::channel();
        let (stx, srx) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                htx.send(rt.handle().clone()).expect("caller waits");
                let _ = rt.block_on(srx);
                // Dropping the runtime here cancels every task: listener, connections, watches.
                rt.shutdown_timeout(Duration::from_millis(200));
            })
            .expect("spawn runtime thread");
        RuntimeThread {
            handle: hrx.recv().expect("runtime started"),
            shutdown: Some(stx),
        }
    }
}

impl Drop for RuntimeThread {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0: any free port), retrying briefly: right after a restart
/// the old socket may still be closing.
pub fn bind(addr: SocketAddr) -> StdListener {
    let mut last = None;
    for _ in 0..100 {
        match StdListener::bind(addr) {
            Ok(l) => {
                l.set_nonblocking(true).expect("nonblocking listener");
                return l;
            }
            Err(e) => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    panic!("cannot listen on {addr}: {last:?}");
}

/// Spawns the accept loop; aborting the returned task drops the listener and every connection.
pub fn serve(handle: &Handle, listener: StdListener, shared: Arc<Shared>) -> JoinHandle<()> {
    handle.spawn(async move {
        let listener = TcpListener::from_std(listener).expect("tokio listener");
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let shared = shared.clone();
                    conns.spawn(async move {
                        let svc = service_fn(move |req| http::handle(shared.clone(), req));
                        let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), svc).await;
                    });
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
            }
        }
    })
}
