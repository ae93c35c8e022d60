//! A Helm repository on loopback: `GET /index.yaml` and `GET /<name>-<version>.tgz`,
//! with charts packaged in memory at [`HelmRepo::add`] time.
//!
//! ```no_run
//! use eks_workshop_harness::cluster::helmrepo::{Chart, HelmRepo};
//! let repo = HelmRepo::start();
//! repo.add(&Chart::configmap("hello", "0.1.0", "hello", &[("greeting", "hi")]));
//! // HelmRepository spec.url: repo.url()
//! ```

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A chart to package: `Chart.yaml` from name and version, plus files.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub version: String,
    /// `templates/<file>` → text (Go templates, rendered by helm).
    pub templates: Vec<(String, String)>,
    /// `crds/<file>` → text (installed by helm before templates, never upgraded).
    pub crds: Vec<(String, String)>,
    /// `values.yaml`.
    pub values: String,
}

impl Chart {
    pub fn new(name: &str, version: &str) -> Chart {
        Chart {
            name: name.into(),
            version: version.into(),
            templates: Vec::new(),
            crds: Vec::new(),
            values: String::new(),
        }
    }

    /// Adds `templates/<file>`.
    pub fn template(mut self, file: &str, text: &str) -> Chart {
        self.templates.push((file.into(), text.into()));
        self
    }

    /// Adds `crds/<file>`.
    pub fn crd(mut self, file: &str, text: &str) -> Chart {
        self.crds.push((file.into(), text.into()));
        self
    }

    /// Sets `values.yaml`.
    pub fn values(mut self, yaml: &str) -> Chart {
        self.values = yaml.into();
        self
    }

    /// A chart whose only object is ConfigMap `cm_name` (in the release
    /// namespace) with `data`: nothing for a kubelet to run, so the release
    /// becomes Ready on an API server alone.
    pub fn configmap(name: &str, version: &str, cm_name: &str, data: &[(&str, &str)]) -> Chart {
        let data: BTreeMap<&str, &str> = data.iter().copied().collect();
        let cm = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": cm_name, "labels": {"app.kubernetes.io/managed-by": "{{ .Release.Service }}"}},
            "data": data,
        });
        Chart::new(name, version).template("configmap.yaml", &to_yaml(&cm))
    }

    /// [`Chart::configmap`] plus PodDisruptionBudget `pdb_name` at
    /// `policy/v1`, selecting no pod: an API server alone keeps it (kstatus
    /// calls any PDB current), and its API is the one a chart installed
    /// before Kubernetes 1.21 stored as `policy/v1beta1`.
    pub fn configmap_and_pdb(
        name: &str,
        version: &str,
        cm_name: &str,
        pdb_name: &str,
        data: &[(&str, &str)],
    ) -> Chart {
        let pdb = json!({
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": pdb_name},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": pdb_name}}},
        });
        Chart::configmap(name, version, cm_name, data).template("pdb.yaml", &to_yaml(&pdb))
    }

    fn file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }

    /// The `.tgz` helm would package: every file under `<name>/`.
    pub fn package(&self) -> Vec<u8> {
        let chart_yaml = to_yaml(&json!({
            "apiVersion": "v2", "name": self.name, "version": self.version,
            "type": "application", "description": "eks-workshop test chart",
        }));
        let mut files = vec![
            ("Chart.yaml".to_string(), chart_yaml),
            ("values.yaml".to_string(), self.values.clone()),
        ];
        files.extend(
            self.templates
                .iter()
                .map(|(f, t)| (format!("templates/{f}"), t.clone())),
        );
        files.extend(
            self.crds
                .iter()
                .map(|(f, t)| (format!("crds/{f}"), t.clone())),
        );
        let mut tar = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::default()));
        for (path, text) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(text.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(1_700_000_000);
            header.set_cksum();
            let full = format!("{}/{path}", self.name);
            tar.append_data(&mut header, full, text.as_bytes())
                .expect("chart: tar append");
        }
        tar.into_inner()
            .and_then(|gz| gz.finish())
            .expect("chart: finish tgz")
    }
}

fn to_yaml(v: &Value) -> String {
    serde_yaml::to_string(v).expect("to yaml")
}

#[derive(Default)]
struct Files {
    /// `http://127.0.0.1:PORT/`, for the charts' URLs in the index.
    base: String,
    /// name → version → (file name, digest)
    index: BTreeMap<String, BTreeMap<String, (String, String)>>,
    blobs: BTreeMap<String, Vec<u8>>,
    requests: Vec<String>,
}

/// A running Helm repository; dropping it stops the server.
pub struct HelmRepo {
    addr: SocketAddr,
    files: Arc<Mutex<Files>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl HelmRepo {
    /// Serves on 127.0.0.1 with an OS-chosen port, one connection at a time.
    pub fn start() -> HelmRepo {
        let listener = TcpListener::bind("127.0.0.1:0").expect("helm repo: bind");
        let addr = listener.local_addr().expect("helm repo: addr");
        let files = Arc::new(Mutex::new(Files {
            base: format!("http://{addr}/"),
            ..Files::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, s) = (files.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let _ = serve(conn, &f);
                }
            }
        });
        HelmRepo {
            addr,
            files,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/` — a HelmRepository's `spec.url`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Packages `chart` and lists it in `index.yaml` (replacing the same version).
    pub fn add(&self, chart: &Chart) {
        let tgz = chart.package();
        let digest = hex(&Sha256::digest(&tgz));
        let mut f = lock(&self.files);
        f.index
            .entry(chart.name.clone())
            .or_default()
            .insert(chart.version.clone(), (chart.file_name(), digest));
        f.blobs.insert(chart.file_name(), tgz);
    }

    /// Serves `bytes` at `/<name>` too (say, a Flux install manifest).
    pub fn add_file(&self, name: &str, bytes: &[u8]) {
        lock(&self.files)
            .blobs
            .insert(name.to_string(), bytes.to_vec());
    }

    /// Paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.files).requests.clone()
    }
}

fn index_yaml(f: &Files) -> String {
    let mut entries = serde_json::Map::new();
    for (name, versions) in &f.index {
        // Newest first, as helm writes it (versions here compare as strings).
        let list: Vec<Value> = versions
            .iter()
            .rev()
            .map(|(version, (file, digest))| {
                json!({
                    "apiVersion": "v2", "name": name, "version": version, "type": "application",
                    "urls": [format!("{}{file}", f.base)], "digest": digest,
                    "created": "2024-01-01T00:00:00Z",
                })
            })
            .collect();
        entries.insert(name.clone(), Value::Array(list));
    }
    to_yaml(&json!({"apiVersion": "v1", "entries": entries, "generated": "2024-01-01T00:00:00Z"}))
}

fn lock(m: &Mutex<Files>) -> std::sync::MutexGuard<'_, Files> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Answers one request and closes the connection.
fn serve(mut conn: TcpStream, files: &Mutex<Files>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let (status, ctype, body) = {
        let mut f = lock(files);
        f.requests.push(format!("{method} /{path}"));
        match (method, path) {
            ("GET" | "HEAD", "index.yaml") => {
                ("200 OK", "application/x-yaml", index_yaml(&f).into_bytes())
            }
            ("GET" | "HEAD", file) if f.blobs.contains_key(file) => {
                ("200 OK", "application/gzip", f.blobs[file].clone())
            }
            _ => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes())?;
    if method != "HEAD" {
        conn.write_all(&body)?;
    }
    conn.flush()
}

impl Drop for HelmRepo {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
