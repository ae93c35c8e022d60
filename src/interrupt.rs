//! Ctrl-C, for the commands that change things or wait on the world.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::exit;

/// First Ctrl-C: stop at the next safe point (the engine checks between
/// steps and inside waits). Second: abort at once.
///
/// Each listener is armed before the moment it is for: a Ctrl-C that came
/// before the first listened would kill the process outright, and one that
/// came between the message and the second would be lost, leaving a run that
/// ignores the key it was just told to press.
pub(crate) fn watch_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    let first = armed_ctrl_c();
    tokio::spawn(async move {
        if first.await.is_err() {
            return;
        }
        seen.store(true, Ordering::SeqCst);
        crate::pause::interrupt();
        let second = armed_ctrl_c();
        eprintln!("\nstopping at the next safe point; press Ctrl-C again to abort now");
        if second.await.is_ok() {
            eprintln!("aborted; `eks-workshop resume` continues from the last finished step");
            std::process::exit(exit::INTERRUPTED as i32);
        }
    });
    flag
}

/// A Ctrl-C listener that already listens: tokio's `ctrl_c()` starts to
/// when first polled, so poll it once now.
fn armed_ctrl_c() -> impl Future<Output = std::io::Result<()>> {
    use futures::FutureExt;
    let mut listener = Box::pin(tokio::signal::ctrl_c());
    let early = (&mut listener).now_or_never();
    async move {
        match early {
            Some(result) => result,
            None => listener.await,
        }
    }
}
