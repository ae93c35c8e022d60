use super::*;

const EKS: &str = "https://ABC123.gr7.us-west-2.eks.amazonaws.com";
const OTHER: &str = "https://DEF456.yl4.eu-west-1.eks.amazonaws.com";

fn settings(endpoint: Option<&str>) -> Settings {
    let mut s = Settings::new(crate::config::DEFAULT_UPSTREAM.parse().unwrap());
    if let Some(e) = endpoint {
        s.values.set("cluster_endpoint", e);
    }
    s.values.set("cluster_name", "workshop");
    s.region = Some("us-west-2".into());
    s
}

/// A kubeconfig with one context per `(name, server)`, each its own cluster.
fn kubeconfig(contexts: &[(&str, &str)], current: &str) -> Kubeconfig {
    let named = |key: &str, body: serde_json::Value| {
        contexts
            .iter()
            .map(|(n, s)| {
                let body = match key {
                    "cluster" => serde_json::json!({"server": s}),
                    "context" => serde_json::json!({"cluster": n, "user": n}),
                    _ => body.clone(),
                };
                serde_json::json!({"name": n, key: body})
            })
            .collect::<Vec<_>>()
    };
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": named("cluster", serde_json::Value::Null),
        "users": named("user", serde_json::json!({"token": "t"})),
        "contexts": named("context", serde_json::Value::Null),
        "current-context": current,
    });
    serde_json::from_value(doc).expect("a kubeconfig")
}

#[test]
fn a_server_is_its_host_port_and_path_whatever_the_spelling() {
    for (a, b) in [
        (EKS, "https://abc123.gr7.us-west-2.eks.amazonaws.com/"),
        (EKS, "https://ABC123.gr7.us-west-2.eks.amazonaws.com:443"),
        (EKS, "ABC123.gr7.us-west-2.eks.amazonaws.com"),
        ("HTTPS://127.0.0.1:6443", "https://127.0.0.1:6443/"),
        // One address serves one protocol: the scheme only gives the port.
        ("https://127.0.0.1:6443", "http://127.0.0.1:6443"),
        (
            "https://h/k8s/clusters/c-1",
            "https://h:443/k8s/clusters/c-1/",
        ),
    ] {
        assert!(same_server(a, b), "{a} = {b}");
    }
    for (a, b) in [
        (EKS, OTHER),
        ("https://127.0.0.1:6443", "https://127.0.0.1:6444"),
        ("https://127.0.0.1", "http://127.0.0.1"),
        ("https://h/k8s/clusters/c-1", "https://h/k8s/clusters/c-2"),
        ("not a url", "not a url"),
        ("ftp://h", "ftp://h"),
    ] {
        assert!(!same_server(a, b), "{a} != {b}");
    }
}

#[test]
fn the_values_cluster_is_found_in_the_context() {
    let kc = kubeconfig(
        &[("eks", "https://abc123.gr7.us-west-2.eks.amazonaws.com/")],
        "eks",
    );
    assert_eq!(
        compare(&settings(Some(EKS)), &kc, "eks").unwrap(),
        Compared::Same {
            context: "eks".into(),
            server: "https://abc123.gr7.us-west-2.eks.amazonaws.com/".into(),
            endpoint: EKS.into(),
        }
    );
}

#[test]
fn a_tunnel_whose_tls_server_name_is_the_endpoints_host_is_the_values_cluster() {
    let mut kc = kubeconfig(
        &[("tunnel", "https://localhost:8443"), ("other", OTHER)],
        "tunnel",
    );
    let named = |kc: &mut Kubeconfig, i: usize, name: &str| {
        kc.clusters[i].cluster.as_mut().unwrap().tls_server_name = Some(name.into());
    };
    named(&mut kc, 0, "abc123.gr7.us-west-2.eks.amazonaws.com");
    assert!(matches!(
        compare(&settings(Some(EKS)), &kc, "tunnel").unwrap(),
        Compared::Same { .. }
    ));
    // The name of another host is another cluster, and the help lists the tunnel.
    named(&mut kc, 1, "someone-else.example");
    match compare(&settings(Some(EKS)), &kc, "other").unwrap_err() {
        Error::WrongCluster { hint, .. } => assert_eq!(hint.matching, ["tunnel"]),
        e => panic!("{e:?}"),
    }
}

#[test]
fn another_cluster_is_an_error_naming_both_and_the_contexts_that_fit() {
    let kc = kubeconfig(
        &[("other", OTHER), ("eks", EKS), ("eks-admin", EKS)],
        "other",
    );
    let err = compare(&settings(Some(EKS)), &kc, "other").unwrap_err();
    assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    let text = err.to_string();
    for says in ["context `other`", OTHER, EKS, "cluster `workshop`"] {
        assert!(text.contains(says), "{says}: {text}");
    }
    let help = err.help().unwrap();
    assert!(help.starts_with("pass --context eks "), "{help}");
    assert!(help.contains("contexts for"), "{help}");
    assert!(help.contains("eks, eks-admin"), "{help}");
    assert!(help.contains("correct cluster_endpoint"), "{help}");
}

#[test]
fn with_no_context_for_the_values_cluster_the_help_says_how_to_get_one() {
    let kc = kubeconfig(&[("other", OTHER)], "other");
    let err = compare(&settings(Some(EKS)), &kc, "other").unwrap_err();
    let help = err.help().unwrap();
    assert!(
        help.contains("aws eks update-kubeconfig --name workshop --region us-west-2"),
        "{help}"
    );
    assert!(help.contains("correct cluster_endpoint"), "{help}");
}

#[test]
fn without_an_endpoint_to_compare_with_it_says_why() {
    let kc = kubeconfig(&[("other", OTHER)], "other");
    let why = |s: Settings| match compare(&s, &kc, "other").unwrap() {
        Compared::NotCompared(why) => why,
        same => panic!("{same:?}"),
    };
    assert!(why(settings(None)).contains("no cluster_endpoint"));
    assert!(why(settings(Some(EXAMPLE_ENDPOINT))).contains("values.example.yaml"));
    let nameless = kubeconfig(&[], "");
    assert!(
        matches!(compare(&settings(Some(EKS)), &nameless, "x").unwrap(), Compared::NotCompared(w) if w.contains("no cluster server"))
    );
}

#[test]
fn the_example_endpoint_is_the_example_files() {
    let v = crate::values::Values::parse(include_str!("../../../templates/values.example.yaml"))
        .unwrap();
    assert_eq!(v.get("cluster_endpoint"), Some(EXAMPLE_ENDPOINT));
}

#[test]
fn check_reads_the_context_named_by_the_flag_else_the_current_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    let kc = kubeconfig(&[("other", OTHER), ("eks", EKS)], "other");
    std::fs::write(&path, serde_json::to_string(&kc).unwrap()).unwrap();
    let mut s = settings(Some(EKS));
    s.kubeconfig = Some(path);
    assert!(matches!(
        crate::kube::same_cluster(&s),
        Err(Error::WrongCluster { .. })
    ));
    s.context = Some("eks".into());
    assert!(matches!(
        crate::kube::same_cluster(&s).unwrap(),
        Compared::Same { .. }
    ));
    s.context = Some("gone".into());
    assert!(
        matches!(crate::kube::same_cluster(&s).unwrap(), Compared::NotCompared(w) if w.contains("no context `gone`"))
    );
}
