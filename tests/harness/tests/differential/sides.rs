//! The two sides of a differential test: the real rig (kube-apiserver, and
//! Flux when asked) and the stand-ins, behind the same few calls.

use eks_workshop_harness::apiserver::ApiServer;
use eks_workshop_harness::apiserver::client::request;
use eks_workshop_harness::cluster::{Options, RealCluster};
use eks_workshop_harness::flux::{FluxApis, FluxStandIn, parse_documents};
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub enum Side {
    Real(Box<RealCluster>),
    Stand(ApiServer, Option<FluxStandIn>),
}

/// A status code and the JSON body of one raw request.
pub type Answer = (u16, Value);

impl Side {
    /// The real API server with the Flux CRDs; the controllers too when `controllers`.
    pub fn real(controllers: bool) -> Side {
        let mut c = RealCluster::start(Options::default());
        c.install_flux_crds();
        if controllers {
            c.start_flux_controllers();
        }
        Side::Real(Box::new(c))
    }

    /// The stand-in API server serving what Flux 2.9.5 serves; its Flux when `controllers`.
    pub fn stand(controllers: bool) -> Side {
        let api = ApiServer::start_blocking();
        FluxStandIn::install_crds_for(&api, FluxApis::Current);
        let flux = controllers.then(|| FluxStandIn::start(&api));
        Side::Stand(api, flux)
    }

    pub fn name(&self) -> &'static str {
        match self {
            Side::Real(_) => "real",
            Side::Stand(..) => "stand-in",
        }
    }

    pub fn flux(&self) -> Option<&FluxStandIn> {
        match self {
            Side::Stand(_, f) => f.as_ref(),
            Side::Real(_) => None,
        }
    }

    /// One request, as admin; the body is sent as is.
    pub fn raw(&self, method: &str, path: &str, content_type: &str, body: &str) -> Answer {
        match self {
            Side::Stand(api, _) => {
                let headers = [("Content-Type", content_type)];
                let r = request(&api.url(), method, path, &headers, body.as_bytes())
                    .expect("stand-in request");
                (r.status, r.json())
            }
            Side::Real(c) => curl(c, method, path, content_type, body),
        }
    }

    /// Server-side apply of every document of `yaml` (field manager `rig`, forced).
    pub fn apply_yaml(&self, yaml: &str) {
        match self {
            Side::Real(c) => {
                c.apply_yaml(yaml);
            }
            Side::Stand(api, _) => {
                for doc in parse_documents(yaml, "test").expect("yaml") {
                    api.store()
                        .apply(doc, "rig", true)
                        .unwrap_or_else(|e| panic!("stand-in apply: {e}"));
                }
            }
        }
    }

    /// `kind` (`apiVersion` as given) `namespace/name`, or `None`.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        match self {
            Side::Stand(api, _) => api.store().get(api_version, kind, ns, name),
            Side::Real(c) => {
                let (group, _) = api_version.split_once('/').unwrap_or(("", api_version));
                let what = if group.is_empty() {
                    kind.to_lowercase()
                } else {
                    format!("{}.{group}", kind.to_lowercase())
                };
                let mut args = vec![what.as_str(), name];
                if let Some(ns) = ns {
                    args.extend(["-n", ns]);
                }
                c.get_json(&args)
            }
        }
    }

    /// Polls `f` every 100 ms for up to `limit`; panics saying `what` (and, for
    /// the real side, the controllers' log tails).
    pub fn wait<T>(&self, what: &str, limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(v) = f() {
                return v;
            }
            if Instant::now() > deadline {
                let logs = match self {
                    Side::Real(c) => c.log_tails(20),
                    Side::Stand(..) => String::new(),
                };
                panic!("{}: timed out waiting for {what}\n{logs}", self.name());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn curl(c: &RealCluster, method: &str, path: &str, content_type: &str, body: &str) -> Answer {
    let ca = c.dir().join("pki").join("ca.crt");
    let mut child = Command::new("curl")
        .args(["-s", "-X", method, "--cacert"])
        .arg(&ca)
        .arg("-H")
        .arg(format!("Authorization: Bearer {}", c.admin_token()))
        .arg("-H")
        .arg(format!("Content-Type: {content_type}"))
        .args(["--data-binary", "@-", "-w", "\n%{http_code}"])
        .arg(format!("{}{path}", c.server_url()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run curl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .expect("write curl stdin");
    let out = child.wait_with_output().expect("curl output");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (json, code) = text.rsplit_once('\n').expect("curl -w code");
    (
        code.trim().parse().expect("status code"),
        serde_json::from_str(json).unwrap_or(Value::Null),
    )
}

/// The condition `ty` of `obj`, if any.
pub fn condition(obj: &Value, ty: &str) -> Option<Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == ty)
        .cloned()
}
