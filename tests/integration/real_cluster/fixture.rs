//! The fixture most real-cluster scenarios share: the forge seeded with the
//! workshop repo, a loopback Helm repository with the add-on charts, a real
//! cluster, and the binary pointed at all three.

use harness::cluster::helmrepo::{Chart, HelmRepo};
use harness::cluster::{Options, RealCluster};
use harness::forge::Forge;
use serde_json::Value;

use super::{flux_manifests, ready, upstream_for, watchdog};
use crate::support::{Outcome, Workshop, example_values, git};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

/// The Kustomizations the workshop repo makes with no add-on that brings
/// its own: flux-system, sources, infrastructure and apps.
pub(super) const SEED_KUSTOMIZATIONS: usize = 4;

pub(super) struct Real {
    pub(super) forge: Forge,
    pub(super) helm: HelmRepo,
    pub(super) cluster: RealCluster,
    pub(super) w: Workshop,
    _upstream: tempfile::TempDir,
    _watchdog: super::Watchdog,
}

impl Real {
    pub(super) fn start() -> Real {
        Real::start_with(Options::default())
    }

    /// With `Options { flux: true, .. }` the Flux CRDs are installed and the
    /// controllers run before eks-workshop does anything (it still installs
    /// Flux's Deployments from the manifest, and applies the CRDs again).
    pub(super) fn start_with(options: Options) -> Real {
        let watchdog = watchdog();
        let helm = HelmRepo::start();
        helm.add(&Chart::configmap(
            "metrics-server",
            "3.12.1",
            "metrics-server-installed",
            &[("by", "helm-controller")],
        ));
        helm.add(&Chart::configmap(
            "argo-workflows",
            "0.28.2",
            "argo-installed",
            &[("by", "helm-controller")],
        ));
        helm.add(&Chart::configmap(
            "karpenter",
            "v0.27.3",
            "karpenter-installed",
            &[("by", "helm-controller")],
        ));
        let upstream = tempfile::tempdir().unwrap();
        upstream_for(&helm, upstream.path());
        let forge = Forge::start_blocking();
        forge.add_user(LOGIN, TOKEN);
        forge.seed_repo(UP_OWNER, NAME, upstream.path(), "main");
        let cluster = RealCluster::start(options);
        let w = Workshop::new()
            .env("GITHUB_API_URL", &forge.api_url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("EKS_WORKSHOP_RETRY_BASE_MS", "20")
            .env("KUBECONFIG", cluster.kubeconfig().to_str().unwrap());
        Real {
            forge,
            helm,
            cluster,
            w,
            _upstream: upstream,
            _watchdog: watchdog,
        }
    }

    pub(super) fn setup(&self, extra: &[&str]) -> Outcome {
        let values = example_values();
        let mut args = vec![
            "setup",
            "--yes",
            "--values",
            values.to_str().unwrap(),
            "--timeout",
            "180s",
        ];
        args.extend_from_slice(extra);
        self.w.cmd(&args).run()
    }

    /// The whole setup as a participant's first run: Flux installed from the
    /// rig's manifest, the controllers started once their CRDs exist, then
    /// setup to the end. Asserts each run succeeded.
    pub(super) fn set_up(&mut self) {
        let manifests = flux_manifests(&self.cluster, self.w.dir());
        let out = self.setup(&[
            "--until",
            "flux",
            "--flux-manifests",
            manifests.to_str().unwrap(),
        ]);
        assert_eq!(out.code, 0, "{}", self.diagnose(&out));
        self.cluster.start_flux_controllers();
        let out = self.setup(&[]);
        assert_eq!(out.code, 0, "{}", self.diagnose(&out));
    }

    /// The participant's own commit of `files` (path, text) in the clone,
    /// pushed to their fork as they would with their own credentials.
    pub(super) fn participant_pushes(&self, message: &str, files: &[(&str, &str)]) -> String {
        let clone = self.w.clone_dir();
        for (rel, text) in files {
            std::fs::write(clone.join(rel), text).unwrap();
            git(&clone, &["add", rel]);
        }
        let id = ["-c", "user.name=p", "-c", "user.email=p@example.com"];
        git(&clone, &[&id[..], &["commit", "-qm", message]].concat());
        let fork = self.forge.repo_dir(LOGIN, NAME);
        git(&clone, &["push", "-q", fork.to_str().unwrap(), "HEAD:main"]);
        git(&clone, &["rev-parse", "HEAD"])
    }

    /// The sync objects as a clean run leaves them: our specs, applied by us
    /// alone (the controllers own only their status and finalizers).
    pub(super) fn assert_sync_objects_as_applied(&self) {
        let url = self.forge.clone_url(LOGIN, NAME);
        let shown = |kind: &str| {
            self.get(&[
                "--show-managed-fields",
                "-n",
                "flux-system",
                kind,
                "flux-system",
            ])
        };
        let git = shown("gitrepository");
        assert_eq!(
            git["spec"],
            serde_json::json!({
                "interval": "1m0s", "ref": {"branch": "main"},
                "secretRef": {"name": "flux-system"}, "url": url, "timeout": "60s",
            }),
            "{git}"
        );
        let ks = shown("kustomization");
        assert_eq!(ks["spec"]["path"], "./gitops/clusters/cluster-demo", "{ks}");
        assert_eq!(ks["spec"]["interval"], "10m0s", "{ks}");
        assert_eq!(ks["spec"]["prune"], true, "{ks}");
        for obj in [&git, &ks] {
            assert_eq!(obj["metadata"]["generation"], 1, "{obj}");
            for m in obj["metadata"]["managedFields"].as_array().unwrap() {
                let spec_writer = m["fieldsV1"]["f:spec"].is_object();
                assert!(
                    !spec_writer || (m["manager"] == "eks-workshop" && m["operation"] == "Apply"),
                    "{m}"
                );
            }
        }
    }

    /// `kubectl get -o json`, `None` when not found.
    pub(super) fn find(&self, args: &[&str]) -> Option<Value> {
        self.cluster.get_json(args)
    }

    /// Every Kustomization Ready with `revision` applied (panics naming one
    /// that is not, or when there is none), and how many there are.
    pub(super) fn assert_all_applied(&self, revision: &str) -> usize {
        let list = self.get(&["kustomizations", "-A"]);
        let items = list["items"].as_array().unwrap();
        assert!(!items.is_empty(), "no Kustomization at all: {list}");
        for ks in items {
            assert_eq!(
                ks["status"]["lastAppliedRevision"], revision,
                "{}",
                ks["metadata"]["name"]
            );
            assert!(ready(ks), "{ks}");
        }
        items.len()
    }

    pub(super) fn get(&self, args: &[&str]) -> Value {
        self.cluster
            .get_json(args)
            .unwrap_or_else(|| panic!("kubectl get {args:?}"))
    }

    pub(super) fn revision(&self) -> String {
        format!(
            "main@sha1:{}",
            self.forge.branch_head(LOGIN, NAME, "main").unwrap()
        )
    }

    /// resourceVersions of the objects eks-workshop owns.
    pub(super) fn owned_versions(&self) -> Vec<String> {
        [
            vec!["namespace", "flux-system"],
            vec!["-n", "flux-system", "secret", "flux-system"],
            vec!["-n", "flux-system", "gitrepository", "flux-system"],
            vec!["-n", "flux-system", "kustomization", "flux-system"],
        ]
        .iter()
        .map(|a| {
            self.get(a)["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
    }

    pub(super) fn diagnose(&self, out: &Outcome) -> String {
        format!(
            "{}\n{}\n--- rig logs ---\n{}",
            out.stdout,
            out.stderr,
            self.cluster.log_tails(30)
        )
    }
}
