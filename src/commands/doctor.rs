//! `doctor`: which tools are on PATH, their versions, what each is needed
//! for, and whether the cluster answers; `--bundle FILE` also writes it all,
//! with the state, logs and Flux's status, into a file for the facilitator.

mod bundle;

use std::path::Path;

use serde_json::json;

use crate::child::Child;
use crate::config::Flags;
use crate::config::Output;
use crate::error::{Result, exit};
use crate::tools::TOOLS;

pub(crate) async fn doctor(global: &Flags, bundle: Option<&Path>) -> Result<u8> {
    if let Some(file) = bundle {
        bundle::check_target(file)?;
    }
    let output = global.output;
    let cluster = cluster(global).await;
    let rows: Vec<_> = TOOLS
        .iter()
        .map(|tool| {
            let path = which::which(tool.name).ok();
            let version = path.as_ref().and_then(|p| version(p, tool.version_args));
            (tool, path, version)
        })
        .collect();
    let list: Vec<_> = rows
        .iter()
        .map(|(t, p, v)| json!({"tool": t.name, "found": p.is_some(), "path": p, "version": v, "needed_for": t.needed_for}))
        .collect();
    let report = json!({ "version": crate::VERSION, "tools": list, "cluster": cluster });
    let contents = match bundle {
        Some(file) => Some(bundle::write(global, &report, file).await?),
        None => None,
    };
    if output == Output::Json {
        let mut report = report;
        if let (Some(file), Some(contents)) = (bundle, &contents) {
            report["bundle"] = json!({"file": file, "contains": contents});
        }
        println!("{report}");
        return Ok(exit::OK);
    }
    for (tool, path, version) in rows {
        let mark = if path.is_some() {
            console::style("✔").green()
        } else {
            console::style("-").yellow()
        };
        let found = match (&path, version) {
            (Some(_), Some(v)) => v,
            (Some(p), None) => p.display().to_string(),
            (None, _) => "not found".into(),
        };
        println!(
            "{mark} {:<10} {found}\n  {:<10} needed for: {}",
            tool.name, "", tool.needed_for
        );
    }
    match (&cluster["ok"], &cluster["error"]) {
        (serde_json::Value::Bool(true), _) => println!(
            "{} {:<10} context {}, {} (Kubernetes {})",
            console::style("✔").green(),
            "cluster",
            cluster["context"].as_str().unwrap_or_default(),
            cluster["server"].as_str().unwrap_or_default(),
            cluster["version"].as_str().unwrap_or_default()
        ),
        (_, error) => {
            println!(
                "{} {:<10} {}",
                console::style("-").yellow(),
                "cluster",
                error.as_str().unwrap_or_default()
            );
            if let Some(help) = cluster["help"].as_str() {
                println!("  {:<10} help: {help}", "");
            }
        }
    }
    if let (Some(file), Some(contents)) = (bundle, contents) {
        println!(
            "wrote {} for the facilitator (no token in it); it holds:",
            file.display()
        );
        for line in contents {
            println!("  {line}");
        }
    }
    Ok(exit::OK)
}

/// Can the kubeconfig (flags, remembered settings, KUBECONFIG) reach a
/// cluster? Reported, never an error: doctor says what it finds.
async fn cluster(global: &Flags) -> serde_json::Value {
    let reach = async {
        let access = crate::engine::Access::Inspect;
        let opened = crate::engine::open(global, "doctor", access, Default::default())?;
        let cluster = crate::kube::connect(&opened.ctx.config.settings).await?;
        let version = crate::flux::cluster_report::server_version(&cluster).await?;
        Ok::<_, crate::error::Error>(json!({
            "ok": true, "context": cluster.context, "server": cluster.server, "version": version.git_version,
        }))
    };
    match tokio::time::timeout(std::time::Duration::from_secs(10), reach).await {
        Ok(Ok(found)) => found,
        Ok(Err(e)) => json!({"ok": false, "error": e.to_string(), "help": e.help()}),
        Err(_) => {
            json!({"ok": false, "error": "no answer from the cluster within 10s", "help": null})
        }
    }
}

/// The first line the tool prints about its version. The child gets no
/// GITHUB_TOKEN: it has no use for it.
fn version(path: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = Child::at(path)
        .args(args)
        .timeout(std::time::Duration::from_secs(10))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim().to_string())
}
