//! Secret audit: with GITHUB_TOKEN set, run the paths that spawn child tools
//! (`terraform output -json` for --terraform-dir, `flux install` when the
//! cluster lacks Flux, `doctor`'s version probes) against stubs that record
//! their command line and environment, and look for the token everywhere it
//! must not be: the children's args and environment, every file under the
//! working dir (and the clone's history), stdout and stderr. The state file
//! is readable by its owner only.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use harness::flux::FluxStandIn;

use crate::support::{Outcome, example_values};
use crate::world::{Env, FS, GIT_API, TOKEN, env};

/// `terraform output -json` for the example values.
fn terraform_outputs() -> String {
    let text = std::fs::read_to_string(example_values()).unwrap();
    let map: serde_json::Map<String, serde_json::Value> = serde_yaml::from_str(&text).unwrap();
    let outputs: serde_json::Map<String, serde_json::Value> = map
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                serde_json::json!({"sensitive": false, "type": "string", "value": v}),
            )
        })
        .collect();
    serde_json::Value::Object(outputs).to_string()
}

/// Stub `flux` and `terraform` in `stubs/bin`; each run leaves its command
/// line and environment (NUL-separated, as /proc has them) in `stubs/records`.
fn stubs(root: &Path) -> (PathBuf, PathBuf) {
    let bin = root.join("bin");
    let records = root.join("records");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&records).unwrap();
    let outputs = root.join("outputs.json");
    std::fs::write(&outputs, terraform_outputs()).unwrap();
    let components = root.join("components.yaml");
    std::fs::write(&components, FluxStandIn::components_manifest()).unwrap();
    let record = format!(
        "cat /proc/$$/cmdline > {r}/$(basename $0).$$.cmdline\ncat /proc/$$/environ > {r}/$(basename $0).$$.environ\n",
        r = records.display()
    );
    let terraform = format!(
        "#!/bin/sh\n{record}case \"$1\" in\n  output) cat {} ;;\n  *) echo 'Terraform v1.5.7' ;;\nesac\n",
        outputs.display()
    );
    let flux = format!(
        "#!/bin/sh\n{record}case \"$1\" in\n  install) kubectl apply --server-side --force-conflicts -f {} >/dev/null ;;\n  *) echo 'flux version 2.2.3' ;;\nesac\n",
        components.display()
    );
    for (name, script) in [("terraform", terraform), ("flux", flux)] {
        let path = bin.join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (bin, records)
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            out.extend(files(&entry.path()));
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// The token and its base64 (as a Secret or a Basic header would carry it).
fn forms() -> [String; 3] {
    // "ghp_fluxTok3n_51d2c9e8a7b6" in base64, as the cluster Secret holds it.
    let b64 = "Z2hwX2ZsdXhUb2szbl81MWQyYzllOGE3YjY=";
    assert_eq!(
        TOKEN, "ghp_fluxTok3n_51d2c9e8a7b6",
        "update the base64 form"
    );
    [
        TOKEN.to_string(),
        b64.trim_end_matches('=').to_string(),
        // The kubeconfig's token: the tool reads it, and never repeats it.
        crate::world::KUBE_TOKEN.to_string(),
    ]
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for form in forms() {
        assert!(!contains(bytes, &form), "the token ({form}) is in {what}");
    }
}

fn run_with_stubs(e: &Env, bin: &Path, args: &[&str]) -> Outcome {
    e.w.cmd(args).env("PATH", &e.path_with(bin)).run()
}

#[test]
fn the_token_reaches_no_child_no_file_and_no_output() {
    let e = env(false); // no Flux: `flux install` runs
    crate::world::admit_kubectl(&e.api); // the stub `flux install` is kubectl
    let stubs_dir = tempfile::tempdir().unwrap();
    let (bin, records) = stubs(stubs_dir.path());
    let tf_dir = e.w.dir().join("terraform");
    std::fs::create_dir_all(&tf_dir).unwrap();
    let tf = tf_dir.to_str().unwrap();
    let setup = ["setup", "--yes", "--terraform-dir", tf, "--timeout", "60s"];
    let mut outcomes = vec![run_with_stubs(&e, &bin, &setup).success()];
    // doctor probes each stub's version: it exits 0 and reports what the
    // stubs printed, so the probes below were really made.
    let doctor = run_with_stubs(&e, &bin, &["doctor", "-o", "json"]).success();
    let json = doctor.json();
    let probed = |tool: &str| {
        let row = json["tools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tool"] == tool)
            .unwrap_or_else(|| panic!("doctor lists {tool}: {json}"));
        row["version"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(probed("flux"), "flux version 2.2.3", "{json}");
    assert_eq!(probed("terraform"), "Terraform v1.5.7", "{json}");
    outcomes.push(doctor);
    // `-v` prints the log's detail (each request) on screen too.
    outcomes.push(
        run_with_stubs(
            &e,
            &bin,
            &[
                "enable-addon",
                "karpenter",
                "--yes",
                "--timeout",
                "60s",
                "-v",
            ],
        )
        .success(),
    );
    assert!(
        outcomes.last().unwrap().stderr.contains("GET "),
        "-v shows the requests: {}",
        outcomes.last().unwrap().stderr
    );
    // The support bundle a participant hands the facilitator.
    let bundle = e.w.dir().join("support.tar.gz");
    outcomes.push(
        run_with_stubs(&e, &bin, &["doctor", "--bundle", bundle.to_str().unwrap()]).success(),
    );
    let entries = crate::doctor::unpack(&bundle);
    assert!(
        entries.keys().any(|n| n.ends_with("-enable-addon.log")),
        "the logs are in the bundle: {:?}",
        entries.keys()
    );
    for (name, text) in &entries {
        assert_clean(&format!("the bundle's {name}"), text.as_bytes());
    }
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["status"]["artifact"]["revision"],
        e.revision().as_str()
    );

    // The children ran, and none got the token in its args or environment.
    let recorded = files(&records);
    for tool in ["terraform", "flux"] {
        let cmdlines: Vec<String> = recorded
            .iter()
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&format!("{tool}."))
            })
            .filter(|p| p.extension().unwrap() == "cmdline")
            .map(|p| std::fs::read_to_string(p).unwrap().replace('\0', " "))
            .collect();
        assert!(!cmdlines.is_empty(), "{tool} never ran");
        // The run's own call, and doctor's version probe.
        let wants: [&str; 2] = if tool == "flux" {
            [" install ", " --version"]
        } else {
            [" output -json", " version"]
        };
        for want in wants {
            assert!(
                cmdlines.iter().any(|c| c.contains(want)),
                "{tool} {want:?}: {cmdlines:?}"
            );
        }
    }
    for path in &recorded {
        let bytes = std::fs::read(path).unwrap();
        assert_clean(&path.display().to_string(), &bytes);
        if path.extension().unwrap() == "environ" {
            let env = String::from_utf8_lossy(&bytes);
            assert!(
                !env.split('\0').any(|kv| kv.starts_with("GITHUB_TOKEN=")),
                "{}",
                path.display()
            );
            assert!(
                env.split('\0').any(|kv| kv.starts_with("PATH=")),
                "a real environment was recorded"
            );
        }
    }

    // No file under the working dir holds it, nor the clone's history.
    let all = files(e.w.dir());
    assert!(all.iter().any(|p| p.ends_with(".eks-workshop/state.json")));
    // Among them each run's log (setup's, enable-addon's).
    let logs = crate::logs::logs(e.w.dir());
    for command in ["setup", "enable-addon"] {
        let suffix = format!("-{command}.log");
        assert!(
            logs.iter()
                .any(|l| l.to_string_lossy().ends_with(&suffix) && all.contains(l)),
            "{command}'s log among the files checked: {logs:?}"
        );
    }
    // (The kubeconfig is where the participant keeps the cluster's token.)
    for path in all.iter().filter(|p| **p != e.kubeconfig) {
        assert_clean(&path.display().to_string(), &std::fs::read(path).unwrap());
    }
    let history = e.w.git(&["log", "-p", "--all"]);
    assert_clean("the clone's history", history.as_bytes());
    for o in &outcomes {
        assert_clean("stdout", o.stdout.as_bytes());
        assert_clean("stderr", o.stderr.as_bytes());
    }

    // The state file and its lock: owner read/write only.
    for name in ["state.json", "lock"] {
        let path = e.w.dir().join(".eks-workshop").join(name);
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{name} mode {mode:o}");
    }
    // The token is in the cluster Secret, where Flux needs it (the only copy).
    assert_eq!(
        e.get("v1", "Secret", FS)["data"]["password"],
        forms()[1].clone() + "="
    );
}
