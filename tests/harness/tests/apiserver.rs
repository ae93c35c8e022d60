//! The local API server against its own raw HTTP client, and against kubectl.

use eks_workshop_harness::apiserver::ApiServer;
use eks_workshop_harness::apiserver::client::{RawResponse, WatchStream, request};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const JSON: &str = "application/json";
const MERGE: &str = "application/merge-patch+json";
const APPLY: &str = "application/apply-patch+yaml";

fn call(api: &ApiServer, method: &str, path: &str, ct: &str, body: Value) -> RawResponse {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(&body).unwrap()
    };
    request(&api.url(), method, path, &[("Content-Type", ct)], &bytes).expect("request")
}

fn get(api: &ApiServer, path: &str) -> RawResponse {
    call(api, "GET", path, JSON, Value::Null)
}

fn rv(obj: &Value) -> String {
    obj["metadata"]["resourceVersion"]
        .as_str()
        .expect("resourceVersion")
        .to_string()
}

fn cm(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data})
}

const GITREPO_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gitrepositories.source.toolkit.fluxcd.io
spec:
  group: source.toolkit.fluxcd.io
  names: {kind: GitRepository, listKind: GitRepositoryList, plural: gitrepositories, singular: gitrepository, shortNames: [gitrepo]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources: {status: {}}
"#;

fn crd_json() -> Value {
    serde_yaml::from_str(GITREPO_CRD).unwrap()
}

const CMS: &str = "/api/v1/namespaces/default/configmaps";

#[test]
fn crud_with_real_status_codes() {
    let api = ApiServer::start_blocking();
    let created = call(&api, "POST", CMS, JSON, cm("a", json!({"k": "v"})));
    assert_eq!(created.status, 201);
    let obj = created.json();
    assert_eq!(obj["metadata"]["generation"], 1);
    assert!(obj["metadata"]["uid"].as_str().unwrap().len() == 36);
    assert!(obj["metadata"]["creationTimestamp"].is_string());

    let dup = call(&api, "POST", CMS, JSON, cm("a", json!({})));
    assert_eq!(dup.status, 409);
    assert_eq!(dup.json()["reason"], "AlreadyExists");
    assert_eq!(dup.json()["kind"], "Status");

    let got = get(&api, &format!("{CMS}/a"));
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["data"]["k"], "v");
    assert_eq!(
        get(&api, &format!("{CMS}/nope")).json()["reason"],
        "NotFound"
    );
    assert_eq!(get(&api, &format!("{CMS}/nope")).status, 404);

    // Replace with the current resourceVersion works, a stale one is a 409 Conflict.
    let mut replace = obj.clone();
    replace["data"]["k"] = json!("w");
    let put = call(&api, "PUT", &format!("{CMS}/a"), JSON, replace.clone());
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    assert_ne!(rv(&put.json()), rv(&obj));
    let stale = call(&api, "PUT", &format!("{CMS}/a"), JSON, replace);
    assert_eq!(stale.status, 409);
    assert_eq!(stale.json()["reason"], "Conflict");

    // Merge patch, then list with a label selector.
    let patched = call(
        &api,
        "PATCH",
        &format!("{CMS}/a"),
        MERGE,
        json!({"metadata": {"labels": {"app": "x"}}}),
    );
    assert_eq!(patched.status, 200);
    call(&api, "POST", CMS, JSON, cm("b", json!({})));
    let list = get(&api, &format!("{CMS}?labelSelector=app%3Dx")).json();
    assert_eq!(list["kind"], "ConfigMapList");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a"]);
    assert_eq!(get(&api, CMS).json()["items"].as_array().unwrap().len(), 2);

    let del = call(&api, "DELETE", &format!("{CMS}/a"), JSON, Value::Null);
    assert_eq!(del.status, 200);
    assert_eq!(get(&api, &format!("{CMS}/a")).status, 404);
    assert_eq!(
        call(&api, "DELETE", &format!("{CMS}/a"), JSON, Value::Null).status,
        404
    );
}

#[test]
fn namespaced_objects_need_their_namespace() {
    let api = ApiServer::start_blocking();
    let r = call(
        &api,
        "POST",
        "/api/v1/namespaces/ghost/configmaps",
        JSON,
        cm("a", json!({})),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], "namespaces \"ghost\" not found");
    let apply = call(
        &api,
        "PATCH",
        "/api/v1/namespaces/ghost/configmaps/a?fieldManager=t",
        APPLY,
        cm("a", json!({})),
    );
    assert_eq!(apply.status, 404);
    // Deleting a namespace deletes what is in it.
    call(
        &api,
        "POST",
        "/api/v1/namespaces",
        JSON,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ghost"}}),
    );
    assert_eq!(
        call(
            &api,
            "POST",
            "/api/v1/namespaces/ghost/configmaps",
            JSON,
            cm("a", json!({}))
        )
        .status,
        201
    );
    assert_eq!(
        call(
            &api,
            "DELETE",
            "/api/v1/namespaces/ghost",
            JSON,
            Value::Null
        )
        .status,
        200
    );
    assert!(
        api.store()
            .get("v1", "ConfigMap", Some("ghost"), "a")
            .is_none()
    );
}

#[test]
fn crd_registers_its_type_in_discovery() {
    let api = ApiServer::start_blocking();
    let before = get(&api, "/apis").json();
    assert!(!before.to_string().contains("source.toolkit.fluxcd.io"));
    assert_eq!(get(&api, "/apis/source.toolkit.fluxcd.io/v1").status, 404);

    let r = call(
        &api,
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        JSON,
        crd_json(),
    );
    assert_eq!(r.status, 201);
    let conds = r.json()["status"]["conditions"].clone();
    let established = conds
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Established" && c["status"] == "True");
    assert!(established, "{conds}");

    let groups = get(&api, "/apis").json();
    let g = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "source.toolkit.fluxcd.io")
        .expect("group listed");
    assert_eq!(
        g["preferredVersion"]["groupVersion"],
        "source.toolkit.fluxcd.io/v1"
    );
    let list = get(&api, "/apis/source.toolkit.fluxcd.io/v1").json();
    let res = list["resources"].as_array().unwrap();
    let main = res.iter().find(|r| r["name"] == "gitrepositories").unwrap();
    assert_eq!(main["kind"], "GitRepository");
    assert_eq!(main["namespaced"], true);
    assert_eq!(main["shortNames"], json!(["gitrepo"]));
    assert!(res.iter().any(|r| r["name"] == "gitrepositories/status"));

    // Aggregated discovery for clients that ask for nothing else.
    let agg = request(
        &api.url(),
        "GET",
        "/apis",
        &[(
            "Accept",
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        )],
        b"",
    )
    .unwrap();
    assert_eq!(agg.json()["kind"], "APIGroupDiscoveryList");
    assert!(
        agg.header("content-type")
            .unwrap()
            .contains("apidiscovery.k8s.io")
    );

    // The new type is usable; deleting the CRD removes type and objects.
    let path = "/apis/source.toolkit.fluxcd.io/v1/namespaces/default/gitrepositories";
    let obj = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": {"name": "r"}, "spec": {"url": "x"}});
    assert_eq!(call(&api, "POST", path, JSON, obj).status, 201);
    let del = call(
        &api,
        "DELETE",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io",
        JSON,
        Value::Null,
    );
    assert_eq!(del.status, 200);
    assert_eq!(get(&api, path).status, 404);
    assert_eq!(get(&api, "/apis/source.toolkit.fluxcd.io/v1").status, 404);
}

#[test]
fn crd_types_404_until_established() {
    let api = ApiServer::start_blocking();
    api.set_crd_establish_delay(Duration::from_millis(600));
    let r = call(
        &api,
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        JSON,
        crd_json(),
    );
    assert_eq!(r.status, 201);
    let not_yet = r.json()["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["type"] == "Established" && c["status"] == "False");
    assert!(not_yet);
    assert_eq!(
        get(&api, "/apis/source.toolkit.fluxcd.io/v1/gitrepositories").status,
        404
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while get(&api, "/apis/source.toolkit.fluxcd.io/v1/gitrepositories").status != 200 {
        assert!(Instant::now() < deadline, "CRD never became established");
        std::thread::sleep(Duration::from_millis(50));
    }
    let crd = get(&api, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gitrepositories.source.toolkit.fluxcd.io").json();
    assert!(
        crd["status"]["conditions"]
            .to_string()
            .contains("InitialNamesAccepted")
    );
}

fn apply(api: &ApiServer, name: &str, manager: &str, force: bool, body: &Value) -> RawResponse {
    let path = format!("{CMS}/{name}?fieldManager={manager}&force={force}");
    call(api, "PATCH", &path, APPLY, body.clone())
}

#[test]
fn server_side_apply_tracks_field_ownership() {
    let api = ApiServer::start_blocking();
    let first = apply(
        &api,
        "ssa",
        "alice",
        false,
        &cm("ssa", json!({"a": "1", "b": "2"})),
    );
    assert_eq!(first.status, 201);
    let obj = first.json();
    let mf = &obj["metadata"]["managedFields"][0];
    assert_eq!(mf["manager"], "alice");
    assert_eq!(mf["operation"], "Apply");
    assert_eq!(mf["fieldsType"], "FieldsV1");
    assert_eq!(mf["fieldsV1"]["f:data"]["f:a"], json!({}));

    // Same configuration again: nothing changes, not even the resourceVersion.
    let again = apply(
        &api,
        "ssa",
        "alice",
        false,
        &cm("ssa", json!({"a": "1", "b": "2"})),
    );
    assert_eq!(again.status, 200);
    assert_eq!(rv(&again.json()), rv(&obj));

    // YAML bodies are fine too.
    let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {a: '1', b: '2'}\n";
    let y = request(
        &api.url(),
        "PATCH",
        &format!("{CMS}/ssa?fieldManager=alice"),
        &[("Content-Type", APPLY)],
        yaml.as_bytes(),
    )
    .unwrap();
    assert_eq!(y.status, 200);
    assert_eq!(rv(&y.json()), rv(&obj));

    // bob shares `a` (same value: no conflict) and adds `c`.
    let bob = apply(
        &api,
        "ssa",
        "bob",
        false,
        &cm("ssa", json!({"a": "1", "c": "3"})),
    );
    assert_eq!(bob.status, 200);
    // alice drops `a` and `b`: `b` goes, `a` stays because bob owns it too.
    let dropped = apply(&api, "ssa", "alice", false, &cm("ssa", json!({})));
    assert_eq!(dropped.json()["data"], json!({"a": "1", "c": "3"}));

    // A different value for a field bob owns is a conflict...
    let conflict = apply(&api, "ssa", "alice", false, &cm("ssa", json!({"c": "x"})));
    assert_eq!(conflict.status, 409);
    let status = conflict.json();
    assert_eq!(status["reason"], "Conflict");
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("conflict with \"bob\""),
        "{status}"
    );
    assert_eq!(status["details"]["causes"][0]["field"], ".data.c");
    // ...unless forced: then alice owns `c` and bob no longer does.
    let forced = apply(&api, "ssa", "alice", true, &cm("ssa", json!({"c": "x"})));
    assert_eq!(forced.status, 200);
    let obj = forced.json();
    assert_eq!(obj["data"]["c"], "x");
    let bob_fields = obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager"] == "bob")
        .unwrap()["fieldsV1"]
        .clone();
    assert!(bob_fields["f:data"].get("f:c").is_none(), "{bob_fields}");
    assert!(bob_fields["f:data"].get("f:a").is_some());

    // An Update by another manager is recorded as such.
    let upd = call(
        &api,
        "PATCH",
        &format!("{CMS}/ssa?fieldManager=carol"),
        MERGE,
        json!({"data": {"d": "4"}}),
    );
    let carol = upd.json()["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager"] == "carol")
        .cloned()
        .unwrap();
    assert_eq!(carol["operation"], "Update");

    // Apply needs a field manager.
    let none = call(
        &api,
        "PATCH",
        &format!("{CMS}/ssa"),
        APPLY,
        cm("ssa", json!({})),
    );
    assert_eq!(none.status, 400);
}

fn deployment(replicas: i64) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "d", "namespace": "default", "labels": {"app": "d"}},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
           "status": {"replicas": 99}})
}

#[test]
fn status_subresource_and_generation() {
    let api = ApiServer::start_blocking();
    api.set_deployments_available(false);
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let created = call(&api, "POST", path, JSON, deployment(1)).json();
    assert!(
        created.get("status").is_none(),
        "status is ignored on create: {created}"
    );
    assert_eq!(created["metadata"]["generation"], 1);

    // Labels are metadata: no new generation.
    let labelled = call(
        &api,
        "PATCH",
        &format!("{path}/d"),
        MERGE,
        json!({"metadata": {"labels": {"x": "y"}}}),
    )
    .json();
    assert_eq!(labelled["metadata"]["generation"], 1);
    // Status through the main resource is ignored.
    let ignored = call(
        &api,
        "PATCH",
        &format!("{path}/d"),
        MERGE,
        json!({"status": {"replicas": 5}}),
    )
    .json();
    assert!(ignored.get("status").is_none());
    assert_eq!(rv(&ignored), rv(&labelled));
    // Through /status it lands, and generation stays.
    let st = call(
        &api,
        "PATCH",
        &format!("{path}/d/status"),
        MERGE,
        json!({"status": {"replicas": 5}, "spec": {"replicas": 7}}),
    )
    .json();
    assert_eq!(st["status"]["replicas"], 5);
    assert_eq!(st["spec"]["replicas"], 1, "/status ignores spec");
    assert_eq!(st["metadata"]["generation"], 1);
    assert_eq!(
        get(&api, &format!("{path}/d/status")).json()["status"]["replicas"],
        5
    );
    // A spec change bumps generation and keeps status.
    let spec = call(
        &api,
        "PATCH",
        &format!("{path}/d"),
        MERGE,
        json!({"spec": {"replicas": 3}}),
    )
    .json();
    assert_eq!(spec["metadata"]["generation"], 2);
    assert_eq!(spec["status"]["replicas"], 5);
    // Status apply by a controller.
    let sa = call(&api, "PATCH", &format!("{path}/d/status?fieldManager=ctrl&force=true"), APPLY,
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "status": {"readyReplicas": 3}})).json();
    assert_eq!(sa["status"]["readyReplicas"], 3);
    let entry = sa["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manager"] == "ctrl")
        .cloned()
        .unwrap();
    assert_eq!(entry["subresource"], "status");
}

#[test]
fn deployments_become_available() {
    let api = ApiServer::start_blocking();
    call(
        &api,
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        JSON,
        deployment(2),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let d = api
            .store()
            .get("apps/v1", "Deployment", Some("default"), "d")
            .unwrap();
        if d["status"]["availableReplicas"] == 2 {
            assert!(
                d["status"]["conditions"]
                    .to_string()
                    .contains("MinimumReplicasAvailable")
            );
            break;
        }
        assert!(Instant::now() < deadline, "never available: {d}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn watch_replays_expires_and_bookmarks() {
    let api = ApiServer::start_blocking();
    api.set_bookmark_interval(Duration::from_millis(200));
    let a = call(&api, "POST", CMS, JSON, cm("a", json!({}))).json();
    let start = rv(&a);
    call(&api, "POST", CMS, JSON, cm("b", json!({})));
    call(
        &api,
        "PATCH",
        &format!("{CMS}/a"),
        MERGE,
        json!({"data": {"x": "1"}}),
    );

    // Replay after `start`: b ADDED, a MODIFIED; then live events, then bookmarks.
    let t = Duration::from_secs(5);
    let mut w = WatchStream::open(
        &api.url(),
        &format!("{CMS}?watch=true&resourceVersion={start}&allowWatchBookmarks=true"),
        &[],
    )
    .unwrap();
    assert_eq!(w.status, 200);
    let e1 = w.next_event(t).unwrap();
    assert_eq!(
        (
            e1["type"].as_str(),
            e1["object"]["metadata"]["name"].as_str()
        ),
        (Some("ADDED"), Some("b"))
    );
    let e2 = w.next_event(t).unwrap();
    assert_eq!(
        (
            e2["type"].as_str(),
            e2["object"]["metadata"]["name"].as_str()
        ),
        (Some("MODIFIED"), Some("a"))
    );
    call(&api, "DELETE", &format!("{CMS}/b"), JSON, Value::Null);
    let e3 = w.next_event(t).unwrap();
    assert_eq!(e3["type"], "DELETED");
    let bm = w.next_event(t).unwrap();
    assert_eq!(bm["type"], "BOOKMARK");
    assert_eq!(
        bm["object"]["metadata"]["resourceVersion"],
        e3["object"]["metadata"]["resourceVersion"]
    );

    // Field selector and RV 0: synthetic ADDED for current objects only.
    let mut w0 = WatchStream::open(
        &api.url(),
        &format!("{CMS}?watch=1&fieldSelector=metadata.name%3Da"),
        &[],
    )
    .unwrap();
    let e = w0.next_event(t).unwrap();
    assert_eq!(
        (e["type"].as_str(), e["object"]["metadata"]["name"].as_str()),
        (Some("ADDED"), Some("a"))
    );

    // After compaction the old resourceVersion is gone: ERROR 410.
    api.store().compact();
    let mut old = WatchStream::open(
        &api.url(),
        &format!("{CMS}?watch=true&resourceVersion={start}"),
        &[],
    )
    .unwrap();
    let err = old.next_event(t).unwrap();
    assert_eq!(err["type"], "ERROR");
    assert_eq!(err["object"]["code"], 410);
    assert_eq!(err["object"]["reason"], "Expired");

    // timeoutSeconds ends the stream.
    let mut short = WatchStream::open(
        &api.url(),
        &format!(
            "{CMS}?watch=true&timeoutSeconds=1&resourceVersion={}",
            api.store().resource_version()
        ),
        &[],
    )
    .unwrap();
    // The bound only catches a hang; `ended` tells the server's own end
    // (after its second) from our wait running out.
    assert!(short.next_event(Duration::from_secs(30)).is_none());
    assert!(short.ended(), "the server ended the watch");
}

#[test]
fn streaming_list_watch_ends_initial_events_with_a_bookmark() {
    let api = ApiServer::start_blocking();
    call(&api, "POST", CMS, JSON, cm("x", json!({})));
    call(&api, "POST", CMS, JSON, cm("y", json!({})));
    let path = format!(
        "{CMS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true"
    );
    let mut w = WatchStream::open(&api.url(), &path, &[]).unwrap();
    let t = Duration::from_secs(5);
    let names: Vec<Value> = (0..2)
        .map(|_| w.next_event(t).unwrap()["object"]["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, [json!("x"), json!("y")]);
    let end = w.next_event(t).unwrap();
    assert_eq!(end["type"], "BOOKMARK");
    assert_eq!(
        end["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(
        end["object"]["metadata"]["resourceVersion"],
        json!(api.store().resource_version().to_string())
    );
}

#[test]
fn restart_keeps_state_and_port_and_drops_watches() {
    let api = ApiServer::start_blocking();
    let url = api.url();
    call(&api, "POST", CMS, JSON, cm("keep", json!({"k": "v"})));
    let mut w = WatchStream::open(
        &url,
        &format!(
            "{CMS}?watch=true&resourceVersion={}",
            api.store().resource_version()
        ),
        &[],
    )
    .unwrap();
    api.restart_blocking();
    assert!(
        w.next_event(Duration::from_secs(5)).is_none(),
        "watch must be cut"
    );
    assert!(w.ended());
    assert_eq!(api.url(), url);
    assert_eq!(get(&api, &format!("{CMS}/keep")).json()["data"]["k"], "v");
}

#[test]
fn tokens_and_permissions() {
    let api = ApiServer::start_blocking();
    api.require_token(Some("s3cret"));
    let anon = get(&api, "/api/v1/namespaces");
    assert_eq!(anon.status, 401);
    assert_eq!(anon.json()["reason"], "Unauthorized");
    let wrong = request(
        &api.url(),
        "GET",
        "/api/v1/namespaces",
        &[("Authorization", "Bearer nope")],
        b"",
    )
    .unwrap();
    assert_eq!(wrong.status, 401);
    let ok = request(
        &api.url(),
        "GET",
        "/api/v1/namespaces",
        &[("Authorization", "Bearer s3cret")],
        b"",
    )
    .unwrap();
    assert_eq!(ok.status, 200);
    api.require_token(None);

    api.deny("create", "secrets");
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "p"}});
    let denied = call(
        &api,
        "POST",
        "/api/v1/namespaces/default/secrets",
        JSON,
        secret.clone(),
    );
    assert_eq!(denied.status, 403);
    assert_eq!(denied.json()["reason"], "Forbidden");
    assert!(
        denied.json()["message"]
            .as_str()
            .unwrap()
            .contains("cannot create resource \"secrets\"")
    );
    assert_eq!(
        get(&api, "/api/v1/namespaces/default/secrets").status,
        200,
        "only create is denied"
    );
    api.allow_all();
    let created = call(
        &api,
        "POST",
        "/api/v1/namespaces/default/secrets",
        JSON,
        secret,
    )
    .json();
    assert_eq!(
        created["data"]["password"], "cA==",
        "stringData is stored base64 in data"
    );

    let log = api.requests();
    assert!(
        log.iter()
            .any(|(m, p, s)| m == "POST" && p == "/api/v1/namespaces/default/secrets" && *s == 403)
    );
}

/// The rig's kubectl (it panics naming tests/setup.sh when that is missing).
fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> Option<(bool, String)> {
    let kubectl = eks_workshop_harness::cluster::Rig::locate().kubectl();
    let out = std::process::Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some((out.status.success(), text))
}

#[test]
fn kubectl_gets_and_applies_server_side() {
    let api = ApiServer::start_blocking();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    // kubectl (client-go) sends credentials only over TLS, so no require_token here.
    api.write_kubeconfig(&kc, "harness", Some("tok"));
    let Some((ok, out)) = kubectl(&kc, &["get", "ns"]) else {
        panic!("the rig's kubectl did not run (tests/setup.sh builds it)");
    };
    assert!(ok, "{out}");
    assert!(out.contains("kube-system"), "{out}");

    let crd = dir.path().join("crd.yaml");
    std::fs::write(&crd, GITREPO_CRD).unwrap();
    let (ok, out) = kubectl(
        &kc,
        &["apply", "--server-side", "-f", crd.to_str().unwrap()],
    )
    .unwrap();
    assert!(ok, "{out}");
    assert!(out.contains("serverside-applied"), "{out}");

    let repo = dir.path().join("repo.yaml");
    std::fs::write(&repo, "apiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {url: 'http://x/y.git', ref: {branch: main}}\n").unwrap();
    let (ok, out) = kubectl(
        &kc,
        &["apply", "--server-side", "-f", repo.to_str().unwrap()],
    )
    .unwrap();
    assert!(ok, "{out}");
    let (ok, out) = kubectl(&kc, &["get", "gitrepositories", "-A"]).unwrap();
    assert!(ok && out.contains("flux-system"), "{out}");
    let stored = api
        .store()
        .get(
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            Some("flux-system"),
            "flux-system",
        )
        .unwrap();
    assert_eq!(stored["metadata"]["managedFields"][0]["manager"], "kubectl");
    let (ok, out) = kubectl(
        &kc,
        &[
            "get",
            "gitrepo",
            "-n",
            "flux-system",
            "flux-system",
            "-o",
            "jsonpath={.spec.ref.branch}",
        ],
    )
    .unwrap();
    assert!(ok && out == "main", "{out}");
}
