//! For the real-cluster tests (the crate's `Cluster` and `Error` are not
//! public, and no command runs a drain yet): [`super::older_nodes`] and
//! [`super::drain`] on the cluster of a kubeconfig, an error as the user
//! would see it.

use std::cell::RefCell;
use std::path::Path;
use std::time::Duration;

use crate::error::Result;
use crate::kube::Cluster;
use crate::kube::wait::Limits;

/// An error: its exit code, its sentence and its help line.
#[derive(Debug)]
pub struct Failure {
    pub exit_code: u8,
    pub message: String,
    pub help: String,
}

fn failure(e: crate::error::Error) -> Failure {
    Failure {
        exit_code: e.exit_code(),
        help: e.help().unwrap_or_default(),
        message: e.to_string(),
    }
}

fn block_on<T>(kubeconfig: &Path, run: impl AsyncFnOnce(Cluster) -> Result<T>) -> Result<T> {
    let mut settings =
        crate::config::Settings::new(crate::config::DEFAULT_UPSTREAM.parse().expect("a name"));
    settings.kubeconfig = Some(kubeconfig.to_path_buf());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async { run(crate::kube::connect(&settings).await?).await })
}

/// `(name, kubelet, karpenter, nodegroup)` of each node older than `control_plane`.
#[allow(clippy::type_complexity)]
pub fn older_nodes(
    kubeconfig: &Path,
    control_plane: &str,
) -> Result<Vec<(String, String, bool, Option<String>)>, Failure> {
    let control_plane = crate::readiness::KubeVersion::parse(control_plane).map_err(failure)?;
    block_on(kubeconfig, async |cluster| {
        let old = super::older_nodes(&cluster, control_plane).await?;
        Ok(old
            .into_iter()
            .map(|n| (n.name, n.kubelet, n.karpenter, n.nodegroup))
            .collect())
    })
    .map_err(failure)
}

/// The drain's progress lines, and how it ended.
pub fn drain(
    kubeconfig: &Path,
    node: &str,
    timeout: Duration,
) -> (Vec<String>, Result<(), Failure>) {
    let lines = RefCell::new(Vec::new());
    let limits = Limits::new(timeout, Default::default());
    let progress = |line: &str| lines.borrow_mut().push(line.to_string());
    let out = block_on(kubeconfig, async |cluster| {
        super::drain(&cluster, node, &limits, &progress).await
    });
    (lines.into_inner(), out.map_err(failure))
}
