//! Flux's own support of the Kubernetes version, on the stand-in (serving
//! 1.33, its Flux labelled v2.6.0: tested on 1.31-1.33): `verify` past the
//! running release's window blocks and names the releases that support the
//! target; `setup` refuses to install a release that does not support the
//! cluster, before installing anything.

use harness::flux::FluxStandIn;

use crate::world::env;

#[test]
fn verify_past_the_running_flux_s_window_blocks_naming_the_releases_that_support_it() {
    let e = env(true);
    e.setup(&[]).success();
    let out =
        e.w.cmd(&["verify", "--target-version", "1.34", "-o", "json"])
            .run();
    assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let flux = report.to_string();
    assert!(
        flux.contains("Flux v2.6.0 (running)")
            && flux.contains("does not support Kubernetes 1.34")
            && flux.contains("2.7+ (2.7, 2.8, 2.9)"),
        "{report}"
    );
    let fine =
        e.w.cmd(&["verify", "--target-version", "1.33", "-o", "json"])
            .run();
    assert!(
        fine.json().to_string().contains("supports Kubernetes 1.33"),
        "{}",
        fine.stdout
    );
}

#[test]
fn setup_refuses_a_flux_release_that_does_not_support_the_cluster_before_installing_it() {
    let e = env(false);
    let file = e.w.dir().join("flux-2.5.yaml");
    std::fs::write(
        &file,
        FluxStandIn::components_manifest().replace("v2.6.0", "v2.5.1"),
    )
    .unwrap();
    e.api.clear_requests();
    let out = e.setup(&["--flux-manifests", file.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("Flux v2.5.1, the release setup would install, does not support the Kubernetes 1.33")
            && out.stderr.contains("help: pass --flux-manifests FILE with `flux install --export` of Flux 2.6 or 2.7 or 2.8 or 2.9"),
        "{}",
        out.stderr
    );
    let crds: Vec<String> = e
        .api
        .requests()
        .into_iter()
        .filter(|(method, _, _)| method != "GET")
        .map(|(method, path, _)| format!("{method} {path}"))
        .filter(|r| r.contains("customresourcedefinitions"))
        .collect();
    assert!(crds.is_empty(), "nothing of Flux installed: {crds:?}");
}
