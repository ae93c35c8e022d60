//! The `kube` client (as eks-workshop uses it) against the harness's local API
//! server: kubeconfig loading, discovery, server-side apply of dynamic objects,
//! errors, the runtime watcher (also across a server restart) and await_condition.

use futures::{StreamExt, TryStreamExt};
use harness::apiserver::ApiServer;
use harness::flux::FluxStandIn;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::{ApiResource, Discovery, Scope};
use kube::runtime::{WatchStreamExt, wait::await_condition, watcher};
use serde_json::json;
use std::time::Duration;

async fn client_for(api: &ApiServer, token: Option<&str>) -> (kube::Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    api.write_kubeconfig(&path, "harness", token);
    let kubeconfig = Kubeconfig::read_from(&path).unwrap();
    let options = KubeConfigOptions {
        context: Some("harness".into()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .unwrap();
    (kube::Client::try_from(config).unwrap(), dir)
}

fn gitrepo_gvk() -> GroupVersionKind {
    GroupVersionKind::gvk("source.toolkit.fluxcd.io", "v1", "GitRepository")
}

fn is_ready(o: Option<&DynamicObject>) -> bool {
    o.and_then(|o| o.data.pointer("/status/conditions"))
        .and_then(|c| c.as_array())
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

#[tokio::test]
async fn kube_discovers_applies_and_reads_errors() {
    let api = ApiServer::start().await;
    api.require_token(Some("tok"));
    let (client, _dir) = client_for(&api, Some("tok")).await;
    FluxStandIn::install_crds(&api);

    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    let (ar, caps) = discovery
        .resolve_gvk(&gitrepo_gvk())
        .expect("GitRepository discovered");
    assert_eq!(caps.scope, Scope::Namespaced);
    assert_eq!(ar.plural, "gitrepositories");
    let aggregated = Discovery::new(client.clone())
        .run_aggregated()
        .await
        .unwrap();
    assert!(aggregated.resolve_gvk(&gitrepo_gvk()).is_some());
    assert!(aggregated.has_group("apps"));

    let repos: Api<DynamicObject> = Api::namespaced_with(client.clone(), "flux-system", &ar);
    let obj = DynamicObject::new("flux-system", &ar)
        .data(json!({"spec": {"url": "http://example/x.git", "ref": {"branch": "main"}, "interval": "1m"}}));
    let pp = PatchParams::apply("eks-workshop").force();
    let applied = repos
        .patch("flux-system", &pp, &Patch::Apply(&obj))
        .await
        .unwrap();
    let managers = applied.metadata.managed_fields.unwrap();
    assert_eq!(managers[0].manager.as_deref(), Some("eks-workshop"));
    assert_eq!(managers[0].operation.as_deref(), Some("Apply"));
    let rv = applied.metadata.resource_version.clone();
    let again = repos
        .patch("flux-system", &pp, &Patch::Apply(&obj))
        .await
        .unwrap();
    assert_eq!(
        again.metadata.resource_version, rv,
        "re-applying the same object is a no-op"
    );

    // Errors come back as kube's Status.
    let missing = repos.get("nope").await.unwrap_err();
    match missing {
        kube::Error::Api(s) => assert!(s.is_not_found(), "{s:?}"),
        other => panic!("expected a 404 Status, got {other:?}"),
    }
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm: ConfigMap =
        serde_json::from_value(json!({"metadata": {"name": "c"}, "data": {"k": "v"}})).unwrap();
    cms.create(&PostParams::default(), &cm).await.unwrap();
    match cms.create(&PostParams::default(), &cm).await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (409, "AlreadyExists")),
        other => panic!("expected 409, got {other:?}"),
    }
    api.deny("list", "configmaps");
    match cms.list(&Default::default()).await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!(s.code, 403),
        other => panic!("expected 403, got {other:?}"),
    }

    // Expired credentials: 401.
    api.require_token(Some("rotated"));
    match cms.get("c").await.unwrap_err() {
        kube::Error::Api(s) => assert_eq!(s.code, 401),
        other => panic!("expected 401, got {other:?}"),
    }
}

#[tokio::test]
async fn watcher_and_await_condition_see_status_changes() {
    let api = ApiServer::start().await;
    let (client, _dir) = client_for(&api, None).await;
    FluxStandIn::install_crds(&api);
    let ar = ApiResource::from_gvk_with_plural(&gitrepo_gvk(), "gitrepositories");
    let repos: Api<DynamicObject> = Api::namespaced_with(client.clone(), "flux-system", &ar);
    let obj = DynamicObject::new("repo", &ar).data(json!({"spec": {"url": "x"}}));
    repos
        .patch(
            "repo",
            &PatchParams::apply("eks-workshop"),
            &Patch::Apply(&obj),
        )
        .await
        .unwrap();

    let cfg = watcher::Config::default().fields("metadata.name=repo");
    let mut seen = watcher(repos.clone(), cfg)
        .default_backoff()
        .applied_objects()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(10), seen.try_next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!is_ready(Some(&first)));

    let wait = tokio::spawn(await_condition(repos.clone(), "repo", is_ready));
    let store = api.store();
    let status = json!({"conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded", "message": "ok"}]});
    store
        .patch_status(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            Some("flux-system"),
            "repo",
            status,
        )
        .unwrap();

    let ready = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let o = seen.try_next().await.unwrap().unwrap();
            if is_ready(Some(&o)) {
                return o;
            }
        }
    })
    .await
    .expect("watcher saw the status change");
    assert_eq!(ready.metadata.name.as_deref(), Some("repo"));
    let done = tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(is_ready(done.as_ref()));

    // An API server restart cuts the watch; the watcher reconnects and keeps
    // going. A try that meets the restart is an error item (a reset
    // connection, say), which the watcher's backoff follows with another.
    api.restart().await;
    store
        .merge_patch(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            Some("flux-system"),
            "repo",
            json!({"metadata": {"labels": {"after": "restart"}}}),
        )
        .unwrap();
    let relabelled = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            let Ok(o) = seen.next().await.expect("the watch goes on") else {
                continue;
            };
            if o.metadata
                .labels
                .as_ref()
                .is_some_and(|l| l.get("after").is_some())
            {
                return o;
            }
        }
    })
    .await
    .expect("watcher recovered after the restart");
    assert_eq!(relabelled.metadata.name.as_deref(), Some("repo"));
}

#[tokio::test]
async fn typed_crds_metadata_lists_and_raw_watches() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use kube::api::{ListParams, WatchEvent, WatchParams};

    let api = ApiServer::start().await;
    api.set_crd_establish_delay(Duration::from_millis(300));
    let (client, _dir) = client_for(&api, None).await;
    let docs = harness::flux::parse_documents(&FluxStandIn::components_manifest(), "flux").unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    let pp = PatchParams::apply("eks-workshop").force();
    let mut names = Vec::new();
    for d in docs
        .iter()
        .filter(|d| d["kind"] == "CustomResourceDefinition")
    {
        let name = d["metadata"]["name"].as_str().unwrap();
        let crd = crds.patch(name, &pp, &Patch::Apply(d)).await.unwrap();
        let conds = crd.status.unwrap().conditions.unwrap();
        assert!(
            conds
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "False")
        );
        names.push(name.to_string());
    }
    // Typed watch until every CRD is Established.
    let mut stream = watcher(crds.clone(), watcher::Config::default())
        .applied_objects()
        .boxed();
    let mut established = std::collections::BTreeSet::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while established.len() < names.len() {
            let crd = stream.try_next().await.unwrap().unwrap();
            let ok = crd
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c.type_ == "Established" && c.status == "True")
                });
            if ok {
                established.insert(crd.metadata.name.clone().unwrap());
            }
        }
    })
    .await
    .expect("all CRDs established");

    // Metadata-only list, as a cheap permission/presence probe.
    let ar = ApiResource::from_gvk_with_plural(&gitrepo_gvk(), "gitrepositories");
    let repos: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let meta = repos
        .list_metadata(&ListParams::default().limit(1))
        .await
        .unwrap();
    assert!(meta.items.is_empty());
    let rv = meta.metadata.resource_version.clone().unwrap();

    // Api::watch from the list's resourceVersion sees a later creation.
    let ns_repos: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let mut events = repos
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    let obj = DynamicObject::new("w", &ar).data(json!({"spec": {"url": "x"}}));
    ns_repos.patch("w", &pp, &Patch::Apply(&obj)).await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(10), events.try_next())
        .await
        .unwrap()
        .unwrap();
    match first {
        Some(WatchEvent::Added(o)) => assert_eq!(o.metadata.name.as_deref(), Some("w")),
        other => panic!("expected ADDED, got {other:?}"),
    }
}
