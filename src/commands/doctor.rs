//! `doctor`: which tools are on PATH, their versions, what each is needed for.

use std::process::{Command, Stdio};

use serde_json::json;

use crate::config::Output;
use crate::error::{Result, exit};
use crate::steps::TOOLS;

pub(crate) fn doctor(output: Output) -> Result<u8> {
    let rows: Vec<_> = TOOLS
        .iter()
        .map(|tool| {
            let path = which::which(tool.name).ok();
            let version = path.as_ref().and_then(|p| version(p, tool.version_args));
            (tool, path, version)
        })
        .collect();
    if output == Output::Json {
        let list: Vec<_> = rows
            .iter()
            .map(|(t, p, v)| json!({"tool": t.name, "found": p.is_some(), "path": p, "version": v, "needed_for": t.needed_for}))
            .collect();
        println!("{}", json!({ "tools": list }));
        return Ok(exit::OK);
    }
    for (tool, path, version) in rows {
        let mark = if path.is_some() { console::style("✔").green() } else { console::style("-").yellow() };
        let found = match (&path, version) {
            (Some(_), Some(v)) => v,
            (Some(p), None) => p.display().to_string(),
            (None, _) => "not found".into(),
        };
        println!("{mark} {:<10} {found}\n  {:<10} needed for: {}", tool.name, "", tool.needed_for);
    }
    Ok(exit::OK)
}

/// The first line the tool prints about its version. The child gets no
/// GITHUB_TOKEN: it has no use for it.
fn version(path: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = Command::new(path)
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_string())
}
