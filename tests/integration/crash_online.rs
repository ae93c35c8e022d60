//! Crash anywhere, resume — online: the full `setup` (all eight steps) against
//! the forge, the API server and the Flux stand-in, killed with SIGKILL at
//! every step boundary and at points inside steps; then `resume` (or `setup`
//! again) must end like an uninterrupted run: the same remote tree and one
//! commit per change, the same flux-system objects with the stand-in at the
//! pushed revision, a state file with no failed step, a clean clone.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::crash::kill_at;
use crate::support::{example_values, git};
use crate::world::{Env, FS, GIT_API, KS_API, LOGIN, NAME, env, ready};

const STEPS: &[&str] = &[
    "prerequisites",
    "fork",
    "clone",
    "render",
    "addons",
    "migrate",
    "push",
    "flux",
    "reconcile",
];

/// Points inside steps (see src/pause.rs and the `pause::point` calls).
const INSIDE: &[&str] = &[
    "fork:after-request",
    "clone:before-rename",
    "render:mid",
    "push:after-commit",
    "push:after-push",
    // The stand-in's install made the Namespace; the Secret is the first apply.
    "flux:applied:Secret",
    "flux:applied:GitRepository",
    "reconcile:watching",
];

/// Every step boundary the engine reaches on a fresh run, then the inside points.
fn points() -> Vec<String> {
    let mut all = Vec::new();
    for step in STEPS {
        all.push(format!("before:{step}"));
        // prerequisites only checks; it never runs, so it has no `ran:` point;
        // nor has migrate on the embedded workshop (nothing to migrate: its
        // points are tried on the upstream's shape in current_flux.rs).
        if !["prerequisites", "migrate"].contains(step) {
            all.push(format!("ran:{step}"));
        }
    }
    all.extend(INSIDE.iter().map(|p| p.to_string()));
    all
}

fn world() -> Env {
    let e = env(true);
    e.flux.set_delay(Duration::ZERO);
    e
}

fn setup_args(values: &str) -> Vec<&str> {
    let args = vec!["setup", "--yes", "--values", values, "--timeout", "60s"];
    [args, vec!["--addons", "karpenter"]].concat()
}

/// What an uninterrupted run leaves, with the forge's address taken out so
/// runs against different forges compare equal.
fn end_state(e: &Env) -> Value {
    let fork = e.forge.repo_dir(LOGIN, NAME);
    let tree = git(&fork, &["rev-parse", "main^{tree}"]);
    let subjects: Vec<String> = e
        .forge
        .commits(LOGIN, NAME, "main")
        .into_iter()
        .map(|(_, subject)| subject)
        .collect();
    let revision = e.revision();
    assert_eq!(
        e.w.git(&["rev-parse", "HEAD"]),
        e.head(),
        "clone at the fork's head"
    );
    assert_eq!(e.w.git(&["status", "--porcelain"]), "", "clean clone");
    let git_repo = e.get(GIT_API, "GitRepository", FS);
    assert_eq!(
        git_repo["status"]["artifact"]["revision"],
        revision.as_str()
    );
    for k in e.api.store().list(KS_API, "Kustomization", None) {
        let name = &k["metadata"]["name"];
        assert_eq!(
            k["status"]["lastAppliedRevision"],
            revision.as_str(),
            "{name}"
        );
        assert!(ready(&k), "Kustomization {name} is Ready");
    }
    let state = e.w.cmd(&["status", "-o", "json"]).run().success().json();
    let steps = state["steps"].as_array().expect("steps").clone();
    assert!(steps.iter().all(|s| s["status"] != "failed"), "{state}");
    let text = json!({
        "tree": tree,
        "subjects": subjects,
        "namespace": e.api.store().get("v1", "Namespace", None, FS).map(|n| n["metadata"]["name"].clone()),
        "secret": e.get("v1", "Secret", FS)["data"],
        "git_repository": git_repo["spec"],
        "kustomization": e.get(KS_API, "Kustomization", FS)["spec"],
        "steps": steps.iter().map(|s| (s["step"].clone(), s["status"].clone())).collect::<Vec<_>>(),
    })
    .to_string();
    let text = text.replace(&e.forge.clone_url(LOGIN, NAME), "<fork>");
    serde_json::from_str(&text).unwrap()
}

/// Kill at `point`, finish with `finish`; `Err` says what differed.
fn crash_and_finish(
    point: &str,
    finish: &str,
    values: &str,
    expected: &Value,
) -> Result<(), String> {
    let e = world();
    if !kill_at(&e.w, &setup_args(values), point) {
        return Err(format!("never reached {point}"));
    }
    let out = if finish == "resume" {
        e.w.cmd(&["--yes", "resume"]).run()
    } else {
        e.w.cmd(&setup_args(values)).run()
    };
    if out.code != 0 {
        return Err(format!(
            "{finish} after {point}: exit {}\n{}\n{}",
            out.code, out.stdout, out.stderr
        ));
    }
    let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| end_state(&e)))
        .map_err(|_| format!("{finish} after {point}: end state assertions failed"))?;
    if &got != expected {
        return Err(format!(
            "{finish} after {point}:\n got {got}\nwant {expected}"
        ));
    }
    Ok(())
}

#[test]
fn killed_anywhere_online_then_resumed_ends_like_an_uninterrupted_run() {
    let values = example_values();
    let values = values.to_str().unwrap();
    let reference = world();
    reference.w.cmd(&setup_args(values)).run().success();
    let expected = end_state(&reference);
    let subjects = expected["subjects"].as_array().unwrap();
    assert_eq!(subjects.len(), 2, "seed + one commit: {subjects:?}");

    let cases: Vec<(String, &str)> = points()
        .into_iter()
        .flat_map(|p| [(p.clone(), "resume"), (p, "setup")])
        .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // Each case has its own forge, API server and stand-in: run a few at once.
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while let Some((point, finish)) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Err(why) = crash_and_finish(point, finish, values, &expected) {
                        failures.lock().unwrap().push(why);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let recovered = cases.len() - failures.len();
    eprintln!(
        "online kill points tried: {}, recovered: {recovered}",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
