//! A no-op re-run writes nothing: after a finished command, running it again
//! makes no write request to the forge (REST or git) or to the API server.
//! Counts, not times (the benchmark in `benches/online.rs` reports both).

use std::collections::BTreeMap;

use harness::forge::RequestKind;

use crate::world::{Env, env};

/// Requests since the last reset: (forge kind → count, API server writes).
pub(crate) fn writes(e: &Env) -> (BTreeMap<String, usize>, Vec<String>) {
    let mut forge = BTreeMap::new();
    for r in e.forge.requests() {
        if matches!(r.kind, RequestKind::ApiWrite | RequestKind::GitWrite) {
            *forge
                .entry(format!("{:?} {} {}", r.kind, r.method, r.path))
                .or_default() += 1;
        }
    }
    let api = e
        .api
        .requests()
        .into_iter()
        .filter(|(method, _, _)| method != "GET")
        .map(|(method, path, _)| format!("{method} {path}"))
        .collect();
    (forge, api)
}

fn reset(e: &Env) {
    e.forge.reset_requests();
    e.api.clear_requests();
}

#[test]
fn re_running_a_finished_command_writes_nothing_anywhere() {
    let e = env(true);
    e.setup(&["--addons", "karpenter"]).success();
    let commands: [&[&str]; 4] = [
        &["setup", "--yes", "--timeout", "60s"],
        &["enable-addon", "karpenter", "--yes", "--timeout", "60s"],
        &["sync", "--timeout", "60s"],
        &["--yes", "resume"],
    ];
    for args in commands {
        let mut args = args.to_vec();
        let values = crate::support::example_values();
        if args[0] == "setup" {
            args.extend_from_slice(&["--values", values.to_str().unwrap()]);
        }
        reset(&e);
        let out = e.w.cmd(&args).run();
        assert_eq!(out.code, 0, "{args:?}: {}\n{}", out.stdout, out.stderr);
        let (forge, mut api) = writes(&e);
        assert!(forge.is_empty(), "{args:?} wrote to the forge: {forge:?}");
        if args[0] == "sync" {
            // sync always has Flux reconcile (after an upgrade the same
            // revision can fail): its only writes are those requests, a
            // merge patch of the annotation on Flux's source and
            // Kustomizations, which change no object's spec.
            // (A server-side apply would carry `force=true`.)
            api.retain(|w| {
                let flux = w
                    .starts_with("PATCH /apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/")
                    || w.starts_with(
                        "PATCH /apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/",
                    );
                !flux || w.contains("force=true")
            });
        }
        assert!(api.is_empty(), "{args:?} wrote to the API server: {api:?}");
        // And it did talk to both: the checks look at the world.
        assert!(!e.forge.requests().is_empty(), "{args:?} asked the forge");
        assert!(
            !e.api.requests().is_empty(),
            "{args:?} asked the API server"
        );
    }
}
