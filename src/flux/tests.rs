//! Flux's objects and the differences between live and desired ones.

use super::*;

fn sync(token: &Secret) -> Sync<'_> {
    Sync {
        url: "https://github.com/me/w.git",
        branch: "main",
        login: "me",
        token,
        path: "./gitops/clusters/cluster-demo".into(),
    }
}

fn ar(kind: &str) -> ApiResource {
    ApiResource {
        group: "g".into(),
        version: "v1".into(),
        api_version: "g/v1".into(),
        kind: kind.into(),
        plural: "x".into(),
    }
}

#[test]
fn identical_objects_have_no_differences() {
    let token = Secret::new("tok".into());
    let s = sync(&token);
    for desired in [
        s.secret(),
        s.git_repository(&ar("GitRepository")),
        s.kustomization(&ar("Kustomization")),
    ] {
        let mut live = desired.clone();
        live["metadata"]["resourceVersion"] = json!("7");
        live["status"] = json!({"conditions": []});
        assert!(differences(Some(&live), &desired).is_empty(), "{desired}");
    }
}

#[test]
fn changed_fields_are_named_without_values() {
    let token = Secret::new("tok".into());
    let s = sync(&token);
    let other = Secret::new("new-token".into());
    let changed = Sync {
        token: &other,
        ..sync(&other)
    };
    let d = differences(Some(&s.secret()), &changed.secret());
    assert_eq!(d, ["data.password"]);
    let mut live = s.git_repository(&ar("GitRepository"));
    live["spec"]["ref"]["branch"] = json!("dev");
    let d = differences(Some(&live), &s.git_repository(&ar("GitRepository")));
    assert_eq!(d, ["spec.ref.branch"]);
    assert_eq!(differences(None, &s.namespace()), ["(missing)"]);
}

#[test]
fn intervals_and_paths_compare_by_meaning() {
    let token = Secret::new("tok".into());
    let s = sync(&token);
    let mut live = s.kustomization(&ar("Kustomization"));
    live["spec"]["interval"] = json!("10m");
    live["spec"]["path"] = json!("gitops/clusters/cluster-demo/");
    assert!(differences(Some(&live), &s.kustomization(&ar("Kustomization"))).is_empty());
    assert!(!same_path(
        "./gitops/clusters/other",
        "./gitops/clusters/cluster-demo"
    ));
}

#[test]
fn owners_and_helm_releases_come_from_metadata() {
    let live = json!({"metadata": {
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {"meta.helm.sh/release-name": "flux2-sync",
                        "meta.helm.sh/release-namespace": "flux-system"},
        "managedFields": [
            {"manager": "helm", "operation": "Update",
             "fieldsV1": {"f:spec": {"f:interval": {}, "f:ref": {"f:branch": {}}}}},
            {"manager": "eks-workshop", "operation": "Apply",
             "fieldsV1": {"f:spec": {"f:interval": {}}}},
            {"manager": "source-controller", "operation": "Update", "subresource": "status",
             "fieldsV1": {"f:spec": {"f:interval": {}}}},
        ],
    }});
    assert_eq!(owners_of(&live, "spec.interval"), ["helm"]);
    assert_eq!(owners_of(&live, "spec.ref.branch"), ["helm"]);
    assert!(owners_of(&live, "spec.url").is_empty());
    assert_eq!(
        helm_release(&live).as_deref(),
        Some("flux-system/flux2-sync")
    );
    assert_eq!(helm_release(&json!({"metadata": {}})), None);
}

#[test]
fn the_secret_holds_base64_credentials() {
    let token = Secret::new("tok".into());
    let v = sync(&token).secret();
    assert_eq!(v["data"]["username"], "bWU=");
    assert_eq!(v["data"]["password"], "dG9r");
    assert_eq!(v["metadata"]["namespace"], NAMESPACE);
}
