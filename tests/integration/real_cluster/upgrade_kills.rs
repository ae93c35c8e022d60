//! A SIGKILL at each stage of a whole hop on the rig, then `resume`: the
//! add-on chart bump (written, not committed), the push, the wait, the
//! terraform apply about to run and just run, the node roll with one node
//! evicted and the next cordoned. The end is
//! an uninterrupted run's: one bump commit, the control plane at 1.34, the
//! chart upgraded, both old nodes drained and gone.

use super::nodes::{Kubelet, NS, OLD_KUBELET, REPLICA, add_node, add_pod};
use super::ready;
use super::upgrade::{Terraform, kill_at, serves, upgrade, upgrade_args, with_terraform};
use super::upgrade_charts::karpenter_1_5_at_1_33;
use crate::world::{LOGIN, NAME};

const NODES: [&str; 2] = ["ip-10-0-3-1.ec2.internal", "ip-10-0-3-2.ec2.internal"];

#[test]
fn killed_at_every_stage_of_a_hop_that_bumps_a_chart_and_rolls_nodes_resume_ends_as_one_run() {
    let r = karpenter_1_5_at_1_33();
    // Two of Karpenter's nodes at 1.33, one pod each.
    r.cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default, namespace: {NS}}}\n"
    ));
    for (i, node) in NODES.iter().enumerate() {
        add_node(
            &r.cluster,
            node,
            OLD_KUBELET,
            "{karpenter.sh/nodepool: default}",
            true,
        );
        add_pod(&r.cluster, &format!("web-{i}"), node, "web", REPLICA);
    }
    let kubelet = Kubelet::start(r.cluster.kubeconfig());

    let tf = Terraform::applied(&r, "control-plane");
    let first = upgrade_args(&tf);
    let resume = ["resume", "--yes", "--timeout", "300s"];
    kill_at(&r, &tf, &first, "charts:before-commit");
    kill_at(&r, &tf, &resume, "push:after-push");
    kill_at(&r, &tf, &resume, "control-plane:before-apply");
    assert_eq!(serves(&r), "1.33", "killed before the apply");
    kill_at(&r, &tf, &resume, "ran:control-plane");
    assert_eq!(serves(&r), "1.34");
    kill_at(&r, &tf, &resume, "nodes:evicted");
    assert!(
        r.cluster.get_json(&["node", NODES[0]]).is_some(),
        "killed between the eviction and the delete"
    );
    kill_at(&r, &tf, &resume, "nodes:cordoned");
    // A kill while Flux is asked on the new version is upgrade.rs's: here
    // that wait may find Flux already answered a request made after the
    // control plane moved (the resumed run's first wait can make one).
    let out = with_terraform(&r, &tf, &resume).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));

    assert_eq!(serves(&r), "1.34");
    let hr = r.get(&["-n", "flux-system", "helmrelease", "karpenter"]);
    assert!(ready(&hr), "{hr}");
    assert_eq!(hr["status"]["history"][0]["chartVersion"], "1.6.0", "{hr}");
    for node in NODES {
        assert!(
            r.cluster.get_json(&["node", node]).is_none(),
            "{node} drained and deleted"
        );
    }
    assert!(kubelet.stopped().contains(&format!("{NS}/web-0")));
    assert!(kubelet.stopped().contains(&format!("{NS}/web-1")));
    let subjects = crate::support::git(
        &r.forge.repo_dir(LOGIN, NAME),
        &["log", "--format=%s", "main"],
    );
    assert_eq!(
        subjects
            .matches("Bump add-on charts for Kubernetes 1.34")
            .count(),
        1,
        "one bump commit: {subjects}"
    );
    // The hop's last line, as the uninterrupted run's.
    assert!(
        out.stdout
            .contains("add-ons: flux-system/karpenter 1.5.0 → 1.6.0")
            && out
                .stdout
                .contains(&format!("nodes replaced: {}, {}", NODES[0], NODES[1])),
        "{}",
        out.stdout
    );
    let again = upgrade(&r, &tf, &[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}
