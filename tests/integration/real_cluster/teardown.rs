//! `teardown` on the rig, without the terraform step: Flux suspended, a
//! Karpenter NodePool stand-in and a Service of type LoadBalancer removed
//! and waited out before Flux's objects are deleted, then Flux uninstalled
//! with no namespace left `Terminating`. kube-controller-manager runs its
//! namespace controller and garbage collector (kube-apiserver alone never
//! finishes a namespace's deletion); the test stands in for Karpenter (it
//! deletes a deleted pool's nodes, then releases the pool) and for the
//! controller that made the load balancer (it releases the Service).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use harness::cluster::Options;
use serde_json::Value;

use super::fixture::Real;
use super::nodes::add_node;
use super::upgrade::{Terraform, kill_at_with, kill_run_at, with_terraform};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

const NODES: [&str; 2] = ["ip-10-0-4-1.ec2.internal", "ip-10-0-4-2.ec2.internal"];
const LB_FINALIZER: &str = "service.kubernetes.io/load-balancer-cleanup";
const POOL_FINALIZER: &str = "karpenter.sh/termination";
const NODEPOOL_CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: nodepools.karpenter.sh}
spec:
  group: karpenter.sh
  scope: Cluster
  names: {plural: nodepools, singular: nodepool, kind: NodePool}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

/// The test's stand-ins for Karpenter and for the cloud's load-balancer
/// controller, polling the cluster until dropped.
struct StandIns {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for StandIns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn kubectl(bin: &PathBuf, kubeconfig: &PathBuf, args: &[&str]) -> Option<Value> {
    let out = Command::new(bin)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

fn stand_ins(r: &Real) -> StandIns {
    let stop = Arc::new(AtomicBool::new(false));
    let (bin, config) = (
        r.cluster.rig().kubectl(),
        r.cluster.kubeconfig().to_path_buf(),
    );
    let still = stop.clone();
    let thread = std::thread::spawn(move || {
        let run = |args: &[&str]| {
            let _ = Command::new(&bin)
                .arg("--kubeconfig")
                .arg(&config)
                .args(args)
                .output();
        };
        let unhold = r#"{"metadata": {"finalizers": null}}"#;
        while !still.load(Ordering::SeqCst) {
            let deleting = |v: &Value| v["metadata"]["deletionTimestamp"].is_string();
            if let Some(pools) = kubectl(&bin, &config, &["get", "nodepools", "-o", "json"]) {
                for pool in pools["items"].as_array().into_iter().flatten() {
                    if deleting(pool) {
                        let name = pool["metadata"]["name"].as_str().unwrap();
                        let selector = format!("karpenter.sh/nodepool={name}");
                        run(&["delete", "nodes", "-l", &selector, "--wait=false"]);
                        run(&["patch", "nodepool", name, "--type=merge", "-p", unhold]);
                    }
                }
            }
            if let Some(services) = kubectl(&bin, &config, &["get", "svc", "-A", "-o", "json"]) {
                for svc in services["items"].as_array().into_iter().flatten() {
                    if deleting(svc) {
                        let ns = svc["metadata"]["namespace"].as_str().unwrap();
                        let name = svc["metadata"]["name"].as_str().unwrap();
                        run(&["patch", "svc", "-n", ns, name, "--type=merge", "-p", unhold]);
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    StandIns {
        stop,
        thread: Some(thread),
    }
}

/// The rig with kube-controller-manager's namespace controller and garbage
/// collector (without them a namespace stays Terminating), and with
/// kube-apiserver's audit log when `audit`.
fn rig(audit: bool) -> Real {
    Real::start_with(Options {
        controller_manager: true,
        more_controllers: vec!["namespace", "garbagecollector"],
        audit,
        ..Options::default()
    })
}

/// A set-up workshop with an add-on enabled, a NodePool with its two
/// nodes, and a load-balancer Service.
fn set_up() -> Real {
    let mut r = rig(true);
    r.set_up();
    let out =
        r.w.cmd(&[
            "enable-addon",
            "metrics-server",
            "--yes",
            "--timeout",
            "120s",
        ])
        .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    r.cluster.apply_yaml(NODEPOOL_CRD);
    r.cluster.kubectl_ok(&[
        "wait",
        "--for=condition=Established",
        "crd/nodepools.karpenter.sh",
        "--timeout=60s",
    ]);
    r.cluster.apply_yaml(&format!(
        "apiVersion: karpenter.sh/v1\nkind: NodePool\n\
         metadata: {{name: default, finalizers: [{POOL_FINALIZER}]}}\nspec: {{}}\n"
    ));
    for node in NODES {
        add_node(
            &r.cluster,
            node,
            "v1.36.0",
            "{karpenter.sh/nodepool: default}",
            true,
        );
    }
    r.cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: Service\n\
         metadata: {{name: web, namespace: default, finalizers: [{LB_FINALIZER}]}}\n\
         spec: {{type: LoadBalancer, selector: {{app: web}}, ports: [{{port: 80}}]}}\n"
    ));
    r
}

/// eks-workshop's deletes in the audit log, in order: "resource ns/name".
fn our_deletes(r: &Real) -> Vec<String> {
    our_writes(r, 0, &["delete"])
}

/// eks-workshop's requests of `verbs` in the audit log after byte `from`,
/// in order: "resource ns/name".
fn our_writes(r: &Real, from: usize, verbs: &[&str]) -> Vec<String> {
    let text = std::fs::read_to_string(r.cluster.audit_log().unwrap()).unwrap();
    text[from..]
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| verbs.contains(&e["verb"].as_str().unwrap_or_default()))
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|a| a.starts_with("eks-workshop/"))
        })
        .map(|e| {
            let o = &e["objectRef"];
            format!(
                "{} {}/{}",
                o["resource"].as_str().unwrap_or_default(),
                o["namespace"].as_str().unwrap_or_default(),
                o["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// Nothing of Flux, Karpenter's pool or the load balancer is left, and no
/// namespace is Terminating.
fn assert_torn_down(r: &Real) {
    // `kubectl get --ignore-not-found` prints nothing for an empty list.
    let crds = r.find(&["crds"]).unwrap_or_default();
    let flux: Vec<&str> = crds["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["metadata"]["name"].as_str())
        .filter(|n| n.ends_with(".toolkit.fluxcd.io"))
        .collect();
    assert!(flux.is_empty(), "Flux CRDs left: {flux:?}");
    let namespaces = r.get(&["namespaces"]);
    for ns in namespaces["items"].as_array().unwrap() {
        assert_ne!(ns["metadata"]["name"], "flux-system", "{ns}");
        assert_ne!(ns["status"]["phase"], "Terminating", "{ns}");
    }
    // `kubectl get --ignore-not-found` prints nothing for an empty list.
    let none = |args: &[&str]| {
        let found = r.find(args);
        let items = found.as_ref().and_then(|l| l["items"].as_array());
        assert!(items.is_none_or(|i| i.is_empty()), "{args:?}: {found:?}");
    };
    none(&["clusterroles", "-l", "app.kubernetes.io/part-of=flux"]);
    if r.find(&["crd", "nodepools.karpenter.sh"]).is_some() {
        none(&["nodepools"]);
    }
    none(&["nodes", "-l", "karpenter.sh/nodepool"]);
    for node in NODES {
        assert!(r.find(&["node", node]).is_none(), "{node} gone");
    }
    assert!(r.find(&["-n", "default", "svc", "web"]).is_none());
}

/// The pool and the Service deleted before any Flux object.
fn assert_cloud_first(r: &Real) {
    let deletes = our_deletes(r);
    let at = |what: &str| deletes.iter().position(|d| d.starts_with(what));
    let pool = at("nodepools /default").expect("the pool deleted");
    let service = at("services default/web").expect("the Service deleted");
    let flux = at("kustomizations ").expect("the Kustomizations deleted");
    assert!(pool < flux && service < flux, "{deletes:#?}");
    assert!(pool < service, "Karpenter's pool first: {deletes:#?}");
}

#[test]
fn teardown_removes_the_cloud_makers_before_flux_and_leaves_nothing_terminating() {
    let r = set_up();
    let _stand_ins = stand_ins(&r);
    let before = std::fs::metadata(r.cluster.audit_log().unwrap())
        .unwrap()
        .len() as usize;

    let out = r.w.cmd(&["teardown", "--dry-run"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    for line in [
        "suspend Kustomization flux-system/flux-system",
        "suspend HelmRelease flux-system/metrics-server",
        "delete NodePool default",
        "delete Service default/web",
        "uninstall Flux: delete",
        "CustomResourceDefinition kustomizations.kustomize.toolkit.fluxcd.io",
        "Namespace flux-system",
        "no --terraform-dir",
    ] {
        assert!(out.stdout.contains(line), "{line}: {}", out.stdout);
    }
    let verbs = ["create", "update", "patch", "delete", "deletecollection"];
    let writes = our_writes(&r, before, &verbs);
    assert!(writes.is_empty(), "the dry run wrote {writes:?}");
    assert!(r.find(&["nodepool", "default"]).is_some());
    let shown: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("suspend "))
        .map(|o| o.to_string())
        .collect();

    let out = r.w.cmd(&["teardown", "--yes", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // The run suspended what the dry run showed, nothing else.
    let patched = our_writes(&r, before, &["patch"]);
    assert_eq!(patched.len(), shown.len(), "{patched:?} vs {shown:?}");
    for object in &shown {
        let name = object.rsplit('/').next().unwrap();
        assert!(
            patched.iter().any(|p| p.ends_with(&format!("/{name}"))),
            "{object} suspended: {patched:?}"
        );
    }
    assert!(
        !out.stderr.contains("by hand") && !out.stdout.contains("by hand"),
        "the controllers released their own objects: {}\n{}",
        out.stdout,
        out.stderr
    );
    assert_torn_down(&r);
    assert_cloud_first(&r);

    let again = r.w.cmd(&["teardown", "--yes"]).run();
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn teardown_killed_at_each_pause_point_resumes_to_the_same_end() {
    let r = set_up();
    let _stand_ins = stand_ins(&r);
    let first = ["teardown", "--yes", "--timeout", "120s"];
    let resume = ["resume", "--yes", "--timeout", "120s"];
    kill_at_with(&r, &first, "ran:suspend-flux");
    kill_at_with(&r, &resume, "karpenter:deleted");
    kill_at_with(&r, &resume, "load-balancers:deleted");
    kill_at_with(&r, &resume, "uninstall-flux:objects-deleted");
    kill_at_with(&r, &resume, "uninstall-flux:install-deleted");
    let out = r.w.cmd(&resume).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_torn_down(&r);
    assert_cloud_first(&r);
}

#[test]
fn teardown_destroys_through_tofu_with_the_variables_in_its_environment_never_argv() {
    let mut r = rig(false);
    r.set_up();
    let tf = Terraform::applied(&r, "teardown");
    let dir = tf.dir.path();
    let dir_arg = dir.to_str().unwrap();

    // OpenTofu, as the rig has it: a terraform elsewhere on PATH is left out.
    let tofu_cmd = |args: &[&str]| {
        let bin = r.cluster.rig().tofu();
        let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
        with_terraform(&r, &tf, args).env("PATH", &path)
    };
    let tofu = |args: &[&str]| tofu_cmd(args).run();
    let dry = tofu(&["teardown", "--dry-run", "--terraform-dir", dir_arg]);
    assert_eq!(dry.code, 0, "{}", r.diagnose(&dry));
    assert!(
        dry.stdout.contains(
            "`tofu state rm 'module.flux_v2'` (uninstalled above), then `tofu destroy` in"
        ),
        "{}",
        dry.stdout
    );
    assert!(
        !dir.join("argv-at-destroy.txt").exists(),
        "the dry run destroyed nothing"
    );

    let args = [
        "teardown",
        "--yes",
        "--terraform-dir",
        dir_arg,
        "--timeout",
        "120s",
    ];
    // Killed with Flux's module out of the state and the destroy about to
    // run: `resume` destroys the rest.
    let first = tofu_cmd(&args);
    kill_run_at(first, &args, "destroy:before-destroy");
    assert!(
        !dir.join("argv-at-destroy.txt").exists(),
        "killed before the destroy"
    );
    let out = tofu_cmd(&["resume", "--yes", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        !out.stdout.contains("module.flux_v2 removed from the state"),
        "the killed run had removed it: {}",
        out.stdout
    );

    // While tofu destroyed, every process's command line: ours and tofu's
    // were there, and the token in none of them.
    let argv = std::fs::read_to_string(dir.join("argv-at-destroy.txt")).unwrap();
    assert!(argv.contains("resume --yes --timeout 120s"), "{argv}");
    assert!(argv.contains("destroy -input=false"), "{argv}");
    assert!(!argv.contains(TOKEN), "the token in a command line: {argv}");
    // ... and the destroy had it, through TF_VAR_git_password.
    let password = std::fs::read_to_string(dir.join("password-at-destroy.txt")).unwrap();
    assert_eq!(password, TOKEN);
    // Flux's module was taken out of the state, not destroyed.
    assert!(!dir.join("flux-module-destroyed.txt").exists());
    let listed = r
        .cluster
        .rig()
        .tofu_command(tf.scratch.path())
        .current_dir(dir)
        .args(["state", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success());
    assert_eq!(
        String::from_utf8_lossy(&listed.stdout).trim(),
        "",
        "the state is empty"
    );

    let again = tofu(&args);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn delete_fork_is_refused_before_anything_without_the_scope_then_deletes_only_the_fork() {
    let mut r = rig(false);
    r.set_up();
    // A classic token that may push but not delete: stopped before anything.
    r.forge.set_token_scopes(TOKEN, &["repo"]);
    r.forge.reset_requests();
    let out = r.w.cmd(&["teardown", "--delete-fork", "--yes"]).run();
    assert_eq!(out.code, 3, "{}", r.diagnose(&out));
    assert!(out.stderr.contains("lack `delete_repo`"), "{}", out.stderr);
    assert!(out.stderr.contains("help:"), "{}", out.stderr);
    let ks = r.get(&["-n", "flux-system", "kustomization", "flux-system"]);
    assert_ne!(ks["spec"]["suspend"], true, "nothing was suspended: {ks}");
    assert!(r.forge.branch_head(LOGIN, NAME, "main").is_some());

    r.forge.set_token_scopes(TOKEN, &["repo", "delete_repo"]);
    let args = ["teardown", "--delete-fork", "--local"];
    let dry = r.w.cmd(&[&args[..], &["--dry-run"]].concat()).run();
    assert_eq!(dry.code, 0, "{}", r.diagnose(&dry));
    let fork = format!("{LOGIN}/{NAME}");
    assert!(
        dry.stdout
            .contains(&format!("delete the fork {fork} on GitHub")),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("--local: then remove the clone"),
        "{}",
        dry.stdout
    );
    assert!(
        r.forge.branch_head(LOGIN, NAME, "main").is_some(),
        "the dry run deleted nothing"
    );

    let clone = r.w.clone_dir();
    let out =
        r.w.cmd(&[&args[..], &["--yes", "--timeout", "120s"]].concat())
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        out.stdout
            .contains(&format!("deleted the fork {fork} on GitHub")),
        "{}",
        out.stdout
    );
    assert!(
        r.forge.branch_head(LOGIN, NAME, "main").is_none(),
        "the fork is gone"
    );
    assert!(
        r.forge.branch_head(UP_OWNER, NAME, "main").is_some(),
        "the upstream stays"
    );
    assert!(!clone.exists(), "the clone is gone");
    assert!(
        !r.w.dir().join(".eks-workshop").exists(),
        "the state dir is gone"
    );
}

#[test]
fn after_teardown_the_instances_and_load_balancers_tagged_with_the_cluster_are_listed() {
    use crate::aws::moto::{Moto, path_with};
    let moto = Moto::start(&serde_json::json!({}));
    let tag = "Key=kubernetes.io/cluster/eks-upgrades-workshop,Value=owned";
    let image = moto.aws(&["ec2", "describe-images", "--owners", "amazon"])["Images"][0]["ImageId"]
        .as_str()
        .unwrap()
        .to_string();
    let instance = |tags: Option<&str>| {
        let spec = tags.map(|t| format!("ResourceType=instance,Tags=[{{{t}}}]"));
        let mut args = vec!["ec2", "run-instances", "--image-id", &image, "--count", "1"];
        if let Some(spec) = &spec {
            args.extend(["--tag-specifications", spec]);
        }
        moto.aws(&args)["Instances"][0]["InstanceId"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (karpenters, someone_elses) = (instance(Some(tag)), instance(None));
    let vpc = moto.aws(&["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"])["Vpc"]["VpcId"]
        .as_str()
        .unwrap()
        .to_string();
    let subnets: Vec<String> = [("10.0.1.0/24", "us-west-2a"), ("10.0.2.0/24", "us-west-2b")]
        .iter()
        .map(|(cidr, zone)| {
            moto.aws(&[
                "ec2",
                "create-subnet",
                "--vpc-id",
                &vpc,
                "--cidr-block",
                cidr,
                "--availability-zone",
                zone,
            ])["Subnet"]["SubnetId"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let balancer = |name: &str, tags: Option<&str>| {
        let mut args = vec!["elbv2", "create-load-balancer", "--name", name, "--subnets"];
        args.extend(subnets.iter().map(String::as_str));
        if let Some(t) = tags {
            args.extend(["--tags", t]);
        }
        moto.aws(&args)["LoadBalancers"][0]["LoadBalancerArn"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (services, other) = (
        balancer("k8s-default-web", Some(tag)),
        balancer("other", None),
    );

    let mut r = rig(false);
    r.set_up();
    let mut cmd = r.w.cmd(&["teardown", "--yes", "--timeout", "120s"]);
    for (key, value) in moto.env() {
        cmd = cmd.env(key, &value);
    }
    let out = cmd.env("PATH", &path_with(&moto.bin)).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let said = &out.stdout;
    assert!(
        said.contains(
            "what may be left in AWS, tagged kubernetes.io/cluster/eks-upgrades-workshop:"
        ),
        "{said}"
    );
    assert!(
        said.contains(&format!("  EC2 instances: {karpenters}\n")),
        "{said}"
    );
    assert!(
        said.contains(&format!("  load balancers: {services}\n")),
        "{said}"
    );
    assert!(
        !said.contains(&someone_elses) && !said.contains(&other),
        "{said}"
    );
    assert!(said.contains("  volumes: none\n"), "{said}");
}

#[test]
fn finalizers_a_stopped_controller_leaves_are_removed_by_hand_and_said() {
    let mut r = rig(false);
    r.set_up();
    // No kustomize-controller: nothing removes the Kustomizations' finalizers.
    r.cluster.stop_flux_controller("kustomize-controller");
    let out = r.w.cmd(&["teardown", "--yes", "--timeout", "15s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("did not release Kustomization flux-system/"),
        "{said}"
    );
    assert!(
        said.contains("Kustomization flux-system/flux-system (held by finalizers.fluxcd.io)"),
        "{said}"
    );
    assert!(said.contains("removing their finalizers by hand"), "{said}");
    assert!(said.contains("(finalizers removed by hand from "), "{said}");
    assert_torn_down(&r);
}
