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

/// The bundle's entries: name → text.
pub(crate) fn unpack(file: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(file).unwrap());
    let mut archive = tar::Archive::new(gz);
    let mut out = std::collections::BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
        out.insert(name, text);
    }
    out
}

#[test]
fn the_support_bundle_holds_state_logs_clone_and_flux_status_and_no_token() {
    let e = crate::world::env(true);
    e.setup(&[]).success();
    // The participant's own uncommitted edit shows in the clone's status.
    let readme = e.w.clone_dir().join("README.md");
    std::fs::write(&readme, "my notes\n").unwrap();
    let file = e.w.dir().join("for-the-facilitator.tar.gz");
    let out =
        e.w.cmd(&["doctor", "--bundle", file.to_str().unwrap()])
            .run()
            .success();
    assert!(out.stdout.contains("wrote "), "{}", out.stdout);
    assert!(
        out.stdout.contains("state.json: the state file"),
        "{}",
        out.stdout
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let entries = unpack(&file);
    let names: Vec<&str> = entries.keys().map(String::as_str).collect();
    for wanted in [
        "eks-workshop-bundle/README.txt",
        "eks-workshop-bundle/doctor.json",
        "eks-workshop-bundle/state.json",
        "eks-workshop-bundle/clone/git-status.txt",
        "eks-workshop-bundle/clone/git-log.txt",
        "eks-workshop-bundle/cluster/flux.json",
    ] {
        assert!(names.contains(&wanted), "{wanted} in {names:?}");
    }
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("eks-workshop-bundle/logs/") && n.ends_with("-setup.log")),
        "{names:?}"
    );
    let get = |n: &str| &entries[&format!("eks-workshop-bundle/{n}")];
    assert_eq!(get("clone/git-status.txt").trim(), "M README.md");
    assert!(
        get("clone/git-log.txt").contains("Render workshop manifests with the cluster's values"),
        "{}",
        get("clone/git-log.txt")
    );
    let flux: serde_json::Value = serde_json::from_str(get("cluster/flux.json")).unwrap();
    let objects = flux["objects"].as_array().unwrap();
    let apps = objects
        .iter()
        .find(|o| o["kind"] == "Kustomization" && o["name"] == "apps")
        .expect("the apps Kustomization");
    assert_eq!(apps["conditions"][0]["type"], "Ready", "{apps}");
    assert!(get("README.txt").contains("cluster/flux.json"));
    let doctor: serde_json::Value = serde_json::from_str(get("doctor.json")).unwrap();
    assert_eq!(doctor["cluster"]["ok"], true, "{doctor}");
    for (name, text) in &entries {
        for secret in [crate::world::TOKEN, crate::world::KUBE_TOKEN] {
            assert!(!text.contains(secret), "{name} holds a secret");
        }
    }
}
