//! `doctor`: tools on PATH and whether the kubeconfig reaches a cluster.

use harness::apiserver::ApiServer;

use crate::support::Workshop;

#[test]
fn doctor_lists_tools_and_reaches_the_cluster_of_the_kubeconfig() {
    let api = ApiServer::start_blocking();
    api.require_token(Some(crate::world::KUBE_TOKEN));
    let w = Workshop::new();
    let kubeconfig = w.dir().join("kubeconfig");
    api.write_kubeconfig(&kubeconfig, "workshop", Some(crate::world::KUBE_TOKEN));
    let out = w
        .cmd(&["doctor", "-o", "json"])
        .env("KUBECONFIG", kubeconfig.to_str().unwrap())
        .run()
        .success();
    let json = out.json();
    let tools: Vec<_> = json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tool"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tools, ["git", "kubectl", "flux", "aws", "terraform"]);
    let git = &json["tools"][0];
    assert_eq!(git["found"], true);
    assert!(
        git["version"].as_str().unwrap().starts_with("git version"),
        "{git}"
    );
    assert_eq!(json["cluster"]["ok"], true, "{}", json["cluster"]);
    assert_eq!(json["cluster"]["context"], "workshop");
    assert_eq!(
        json["cluster"]["server"]
            .as_str()
            .unwrap()
            .trim_end_matches('/'),
        api.url()
    );
}

#[test]
fn doctor_without_a_kubeconfig_says_how_to_get_one_and_still_exits_0() {
    let w = Workshop::new();
    let out = w.cmd(&["doctor"]).run().success();
    assert!(
        out.stdout.contains("cluster") && out.stdout.contains("kubeconfig not found"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("help:"), "{}", out.stdout);
}
