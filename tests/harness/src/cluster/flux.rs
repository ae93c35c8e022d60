//! The real Flux controllers against the rig's API server, run as local
//! processes the way each controller's DEVELOPMENT.md runs it outside a cluster.

use super::{RealCluster, kubectl};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The namespace the controllers treat as their own (`RUNTIME_NAMESPACE`).
pub const FLUX_NAMESPACE: &str = "flux-system";

/// The controllers the rig runs, by binary (and Deployment) name.
pub const FLUX_CONTROLLERS: [&str; 3] = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
];

/// What `flux install` labels its objects with; a tool reading versions sees these.
const FLUX_VERSION: &str = "v2.9.5";

fn controller_image(name: &str) -> &'static str {
    match name {
        "source-controller" => "ghcr.io/fluxcd/source-controller:v1.9.5",
        "kustomize-controller" => "ghcr.io/fluxcd/kustomize-controller:v1.9.5",
        _ => "ghcr.io/fluxcd/helm-controller:v1.6.4",
    }
}

impl RealCluster {
    /// Applies every Flux CRD from the rig (server-side: the CRDs are too big for
    /// client-side apply's annotation) and waits until each is Established.
    pub fn install_flux_crds(&self) {
        for file in self.rig.flux_crds() {
            let text =
                std::fs::read(&file).unwrap_or_else(|e| panic!("cluster: read {file:?}: {e}"));
            let args = [
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager=rig",
                "-f",
                "-",
            ];
            kubectl::ok(&self.kubeconfig, &args, Some(&text));
        }
        let timeout = format!("--timeout={}s", self.opts.timeout.as_secs());
        let args = [
            "wait",
            "--for=condition=Established",
            "crd",
            "--all",
            timeout.as_str(),
        ];
        self.kubectl_ok(&args);
    }

    /// Starts source-, kustomize- and helm-controller (the CRDs must exist: see
    /// [`RealCluster::install_flux_crds`]) and waits for each one's `/readyz`.
    /// Leader election is off, every port is on 127.0.0.1, artifacts are served
    /// from `<dir>/artifacts` at [`RealCluster::artifact_addr`], and the
    /// controllers reach the API server as admin.
    pub fn start_flux_controllers(&mut self) {
        assert!(
            self.artifact_addr.is_none(),
            "cluster: Flux controllers already started"
        );
        for name in FLUX_CONTROLLERS {
            self.start_flux_controller(name);
        }
    }

    /// Starts one Flux controller, as [`RealCluster::start_flux_controllers`]
    /// does (say, helm-controller late, to hold HelmReleases back).
    /// source-controller comes first: the others are told its artifact address.
    pub fn start_flux_controller(&mut self, name: &str) {
        assert!(
            FLUX_CONTROLLERS.contains(&name),
            "cluster: {name} is not a Flux controller"
        );
        if name == "source-controller" {
            assert!(
                self.artifact_addr.is_none(),
                "cluster: source-controller already started"
            );
            self.apply_yaml(&format!(
                "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {FLUX_NAMESPACE}}}\n"
            ));
            self.start_source_controller();
            return;
        }
        let storage = self.artifact_addr.clone().unwrap_or_else(|| {
            panic!("cluster: start source-controller before {name}: it needs the artifact address")
        });
        let cmd = self.controller_command(name, &storage);
        self.procs.spawn(name, cmd);
        self.wait_healthy(name);
    }

    /// source-controller's artifact server binds a port it is told, and
    /// cannot share one (see [`crate::port`]), so the port is chosen free,
    /// then proven: the server must hand back a file only this cluster
    /// wrote. When the port was taken meanwhile the controller exits
    /// ("address already in use"); it is started again on another, a few
    /// times at most.
    fn start_source_controller(&mut self) {
        const NAME: &str = "source-controller";
        const TRIES: usize = 5;
        let artifacts = self.dir.path().join("artifacts");
        std::fs::create_dir_all(&artifacts).expect("cluster: create artifacts dir");
        let token = super::random_token();
        let marker = format!("rig-{token}");
        std::fs::write(artifacts.join(&marker), &token).expect("cluster: write artifact marker");
        for attempt in 1..=TRIES {
            let storage = format!("127.0.0.1:{}", unreserved_port());
            let mut cmd = self.controller_command(NAME, &storage);
            cmd.arg(format!("--storage-path={}", artifacts.display()))
                .arg(format!("--storage-addr={storage}"))
                .arg(format!("--storage-adv-addr={storage}"));
            self.procs.spawn(NAME, cmd);
            let procs = &mut self.procs;
            let served = kubectl::wait_until(
                &format!("{NAME}'s artifact server on {storage}"),
                self.opts.timeout,
                || {
                    if let Some((status, log)) = procs.exited(NAME) {
                        if log.contains("address already in use") && attempt < TRIES {
                            return Some(false);
                        }
                        panic!("cluster: {NAME} exited ({status}); the end of its log:\n{log}");
                    }
                    serves(&storage, &format!("/{marker}"), &token).then_some(true)
                },
                String::new,
            );
            if served {
                self.artifact_addr = Some(storage);
                self.wait_healthy(NAME);
                return;
            }
            eprintln!("cluster: {storage} was taken before {NAME} bound it; trying another port");
            self.procs.stop(NAME);
        }
    }

    /// A controller's command line: leader election off, watching every
    /// namespace, reaching the API server as admin; its health server on a
    /// port it picks itself (read back from its log by [`Self::wait_healthy`]).
    fn controller_command(&self, name: &str, storage: &str) -> Command {
        let home = self.dir.path().join("flux-home");
        // Each controller's own temp dir: kustomize-controller builds in
        // TMPDIR/kustomization-*, which a shared /tmp once lost under it
        // mid-build (BuildFailed: evalsymlink … no such file or directory).
        let tmp = self.dir.path().join(format!("tmp-{name}"));
        for d in [&home, &tmp] {
            std::fs::create_dir_all(d).expect("cluster: create flux dirs");
        }
        let mut cmd = Command::new(self.rig.bin(name));
        // No --kubeconfig flag: controller-runtime reads KUBECONFIG (below).
        cmd.arg("--enable-leader-election=false")
            .arg("--watch-all-namespaces=true")
            // No metrics server: one port fewer (controller-runtime's "0"
            // disables it).
            .arg("--metrics-addr=0")
            // Port 0: the kernel picks, the controller logs what it got.
            .arg("--health-addr=127.0.0.1:0")
            .arg("--log-level=debug")
            .env("RUNTIME_NAMESPACE", FLUX_NAMESPACE)
            .env("SOURCE_CONTROLLER_LOCALHOST", storage)
            // Helm and git caches land here, never in the developer's home.
            .env("HOME", &home)
            .env("TMPDIR", &tmp)
            .env("KUBECONFIG", &self.kubeconfig);
        // Flux's default is 30 s per dependency level (sources, then
        // infrastructure, then apps); most tests need not wait that long.
        if let Some(d) = self.opts.requeue_dependency {
            cmd.arg(format!("--requeue-dependency={}ms", d.as_millis()));
        }
        cmd
    }

    /// Waits for the controller to log where its health server listens,
    /// then for `/readyz` there.
    fn wait_healthy(&mut self, name: &str) {
        let log = self.log(name);
        let procs = &mut self.procs;
        let addr = kubectl::wait_until(
            &format!("{name} to log its health address"),
            self.opts.timeout,
            || {
                procs.assert_running();
                health_addr(&std::fs::read_to_string(&log).ok()?)
            },
            String::new,
        );
        let url = format!("http://{addr}");
        kubectl::wait_until(
            &format!("{name} /readyz"),
            self.opts.timeout,
            || {
                procs.assert_running();
                let r = crate::apiserver::client::request(&url, "GET", "/readyz", &[], b"").ok()?;
                (r.status == 200).then_some(())
            },
            String::new,
        );
    }

    /// Stops one Flux controller (say, to test what a tool does when it is down).
    pub fn stop_flux_controller(&mut self, name: &str) {
        self.procs.stop(name);
    }

    /// Makes the cluster look like `flux install` ran, where a tool looks: the
    /// `flux-system` Namespace and the three controller Deployments, labelled as
    /// Flux labels them, with a status patched to say one replica is available;
    /// and the Flux CRDs (if installed) get the same labels, which `flux
    /// install` adds but the controllers' own CRD files lack.
    ///
    /// Only the objects are fake: no Pod exists or ever will (there is no
    /// kubelet or kube-controller-manager, so nothing rewrites the status
    /// either). The controllers doing the work are the processes
    /// [`RealCluster::start_flux_controllers`] started.
    pub fn fake_flux_install(&self) {
        let mut docs = vec![json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": FLUX_NAMESPACE, "labels": flux_labels(None)},
        })];
        for name in FLUX_CONTROLLERS {
            docs.push(deployment(name));
        }
        let yaml: String = docs
            .iter()
            .map(|d| format!("---\n{}", serde_yaml::to_string(d).expect("to yaml")))
            .collect();
        self.apply_yaml(&yaml);
        for name in FLUX_CONTROLLERS {
            patch_available(&self.kubeconfig, name);
        }
        self.label_flux_crds();
    }

    fn label_flux_crds(&self) {
        let names = self.kubectl_ok(&["get", "crd", "-o", "name"]);
        let mut args = vec!["label", "--overwrite"];
        args.extend(names.lines().filter(|n| n.ends_with(".toolkit.fluxcd.io")));
        if args.len() == 2 {
            return;
        }
        let labels = [
            format!("app.kubernetes.io/instance={FLUX_NAMESPACE}"),
            "app.kubernetes.io/part-of=flux".to_string(),
            format!("app.kubernetes.io/version={FLUX_VERSION}"),
        ];
        args.extend(labels.iter().map(String::as_str));
        self.kubectl_ok(&args);
    }
}

fn flux_labels(component: Option<&str>) -> serde_json::Value {
    let mut labels = json!({
        "app.kubernetes.io/instance": FLUX_NAMESPACE,
        "app.kubernetes.io/part-of": "flux",
        "app.kubernetes.io/version": FLUX_VERSION,
    });
    if let Some(c) = component {
        labels["app.kubernetes.io/component"] = json!(c);
        labels["control-plane"] = json!("controller");
    }
    labels
}

fn deployment(name: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": FLUX_NAMESPACE, "labels": flux_labels(Some(name))},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "manager", "image": controller_image(name)}]},
            },
        },
    })
}

/// What the deployment controller would write once the Pod is available.
fn patch_available(kubeconfig: &Path, name: &str) {
    let now = "2024-01-01T00:00:00Z";
    let status = json!({"status": {
        "observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
        "readyReplicas": 1, "availableReplicas": 1,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
             "message": "Deployment has minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": format!("ReplicaSet \"{name}\" has successfully progressed."),
             "lastUpdateTime": now, "lastTransitionTime": now},
        ],
    }});
    let patch = status.to_string();
    let args = [
        "patch",
        "deployment",
        name,
        "-n",
        FLUX_NAMESPACE,
        "--subresource=status",
        "--type=merge",
        "-p",
        patch.as_str(),
    ];
    kubectl::ok(kubeconfig, &args, None);
}

/// Where controller-runtime's health server listens, from its JSON log line
/// `{"msg":"starting server","name":"health probe","addr":"127.0.0.1:PORT"}`.
fn health_addr(log: &str) -> Option<String> {
    log.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["msg"] == "starting server" && v["name"] == "health probe")
        .and_then(|v| v["addr"].as_str().map(str::to_string))
}

/// A loopback port nothing had bound a moment ago. It is free only until
/// someone takes it: the caller proves the server it starts there is its own.
fn unreserved_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("cluster: bind 127.0.0.1:0")
        .port()
}

/// Whether the HTTP server at `addr` answers `GET path` with 200 and exactly
/// `token`. Asked with a short bound: a server that is not ours may never
/// answer at all.
fn serves(addr: &str, path: &str, token: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut conn) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    if conn.set_read_timeout(Some(Duration::from_secs(2))).is_err()
        || conn.write_all(request.as_bytes()).is_err()
    {
        return false;
    }
    let mut reply = Vec::new();
    let _ = conn.take(64 * 1024).read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    let status = reply.lines().next().unwrap_or("");
    status.starts_with("HTTP/1.")
        && status.contains(" 200 ")
        && reply.ends_with(&format!("\r\n\r\n{token}"))
}
