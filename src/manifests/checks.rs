//! Repository checks besides APIs: unrendered placeholders, kustomize
//! `resources:` entries, `kubectl kustomize` builds.

use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

use memchr::memmem;

use crate::child::Child;

/// `{{ ... }}` that belongs to Argo Workflows, which templates at run time.
const ARGO_VARIABLES: &[&str] = &[
    "=",
    "inputs.",
    "outputs.",
    "workflow.",
    "steps.",
    "tasks.",
    "item",
    "pod.",
    "node.",
    "retries",
    "lastRetry.",
    "cronworkflow.",
];

/// Placeholders left in a manifest: `{{ ... }}` / `{% ... %}` (minijinja) and
/// the uppercase ones above. Not flagged: comments, `$VAR` / `${VAR}` /
/// `$(VAR)` references, and `name: VAR` (an environment variable's name).
pub(crate) fn placeholders(text: &str) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut hits: Vec<(usize, String)> = Vec::new();
    let at = |pos: usize,
              len: usize,
              hits: &mut Vec<(usize, String)>,
              what: &dyn Fn(&str) -> Option<String>| {
        let line_start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let before = &text[line_start..pos];
        if before.trim_start().starts_with('#') || before.contains(" #") {
            return;
        }
        if let Some(message) = what(&text[pos..line_end.max(pos + len)]) {
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..line_start]).count();
            hits.push((line, message));
        }
    };
    for open in ["{{", "{%"] {
        for pos in memmem::find_iter(bytes, open) {
            at(pos, 2, &mut hits, &|rest| {
                let inner = rest[2..].trim_start_matches(['-', ' ']);
                if open == "{{" && ARGO_VARIABLES.iter().any(|v| inner.starts_with(v)) {
                    return None;
                }
                let close = if open == "{{" { "}}" } else { "%}" };
                let shown = rest.find(close).map_or(rest, |i| &rest[..i + 2]);
                let shown: String = shown.chars().take(60).collect();
                Some(format!("unrendered template expression `{shown}`"))
            });
        }
    }
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut last_end = 0;
    for pos in memchr::memchr_iter(b'_', bytes) {
        if pos < last_end {
            continue;
        }
        let start = bytes[..pos]
            .iter()
            .rposition(|&b| !word(b))
            .map_or(0, |i| i + 1);
        let end = bytes[pos..]
            .iter()
            .position(|&b| !word(b))
            .map_or(bytes.len(), |i| pos + i);
        last_end = end;
        let token = &text[start..end];
        if !crate::placeholders::is_token(token) {
            continue;
        }
        let prefix = &text[..start];
        if prefix.ends_with('$') || prefix.ends_with("${") || prefix.ends_with("$(") {
            continue;
        }
        let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
        let lead = text[line_start..start]
            .trim_start()
            .trim_start_matches("- ");
        if lead == "name: " {
            continue;
        }
        at(start, token.len(), &mut hits, &|_| {
            Some(format!("unrendered placeholder `{token}`"))
        });
    }
    hits.sort();
    hits
}

/// Is this file a kustomization (kustomize's own file, not a Flux object)?
pub(crate) fn is_kustomization_file(name: &str) -> bool {
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

/// The `resources:` entries of a kustomization file with their lines;
/// commented-out entries are not entries. `Err` = the file does not parse.
pub(crate) fn kustomize_resources(text: &str) -> Result<Vec<(usize, String)>, String> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| format!("invalid YAML: {e}"))?;
    let Some(list) = value.get("resources").and_then(|r| r.as_sequence()) else {
        return Ok(Vec::new());
    };
    let mut entries = Vec::new();
    for entry in list.iter().filter_map(|e| e.as_str()) {
        let line = text
            .lines()
            .position(|l| {
                let l = l.trim_start();
                l.starts_with('-') && l[1..].trim().trim_matches(['"', '\'']) == entry
            })
            .map_or(0, |i| i + 1);
        entries.push((line, entry.to_owned()));
    }
    Ok(entries)
}

/// A kustomize resource that is fetched, not read from the repository.
pub(crate) fn is_remote(entry: &str) -> bool {
    entry.contains("://") || entry.starts_with("github.com/") || entry.starts_with("git@")
}

/// At most this many `kubectl` processes at once.
const KUBECTL_AT_ONCE: usize = 4;
/// One `kubectl kustomize` of a workshop directory takes well under a second.
const KUSTOMIZE_TIMEOUT: Duration = Duration::from_secs(60);
/// The address space one build may take: a workshop build needs well under
/// 100 MB; a YAML alias bomb from the fork stops here, in seconds.
const KUSTOMIZE_MEMORY: u64 = 2 << 30;

/// `kubectl kustomize DIR` for each directory, a few side by side; the
/// failures as (directory, kubectl's message).
pub(crate) fn kustomize_builds(
    kubectl: &Path,
    root: &Path,
    dirs: &[String],
) -> Vec<(String, String)> {
    dirs.chunks(KUBECTL_AT_ONCE)
        .flat_map(|batch| kustomize_batch(kubectl, root, batch))
        .collect()
}

fn kustomize_batch(kubectl: &Path, root: &Path, dirs: &[String]) -> Vec<(String, String)> {
    // The batch's builds run at once, each on its own thread.
    std::thread::scope(|scope| {
        let builds: Vec<_> = dirs
            .iter()
            .map(|dir| {
                let child = Child::at(kubectl)
                    .args([OsString::from("kustomize"), root.join(dir).into()])
                    .timeout(KUSTOMIZE_TIMEOUT)
                    .memory(KUSTOMIZE_MEMORY);
                (dir, scope.spawn(move || child.output()))
            })
            .collect();
        let mut failures = Vec::new();
        for (dir, build) in builds {
            let message = match build.join().expect("a kustomize thread") {
                Ok(out) if out.status.success() => continue,
                Ok(out) => kubectl_message(&String::from_utf8_lossy(&out.stderr)),
                Err(e) => format!("could not run {}: {e}", kubectl.display()),
            };
            failures.push((dir.clone(), message));
        }
        failures
    })
}

/// kubectl logs `E1123 ... "command failed" err="<message>"`; keep the message.
fn kubectl_message(stderr: &str) -> String {
    let text = stderr.trim();
    if text.contains("fatal error: out of memory") {
        return format!(
            "`kubectl kustomize` ran out of the {} GiB it may use: the build expands to far more than a workshop's manifests (YAML aliases that multiply?)",
            KUSTOMIZE_MEMORY >> 30
        );
    }
    let message = match text.find("err=\"") {
        Some(i) => text[i + 5..].strip_suffix('"').unwrap_or(&text[i + 5..]),
        None => text.strip_prefix("error: ").unwrap_or(text),
    };
    format!(
        "`kubectl kustomize` failed: {}",
        message.replace("\\\"", "\"")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_found_outside_comments_and_env_names() {
        let text = "\
apiVersion: v1
kind: ConfigMap
data:
  role: KARPENTER_IRSA # Replace
  # CLUSTER_ENDPOINT in a comment
  endpoint: https://CLUSTER_ENDPOINT/x
  shell: echo $AWS_REGION ${AWS_REGION} $(AWS_REGION)
  env:
    - name: AWS_REGION
      value: AWS_REGION
  bucket: ARGO_WORKFLOWS_BUCKET_NAME
  other: MY_AWS_REGION_X
  tmpl: \"{{ cluster_name }}\"
  argo: \"{{inputs.parameters.x}}\"
  stmt: \"{% if x %}\"
";
        let hits = placeholders(text);
        let lines: Vec<(usize, &str)> = hits.iter().map(|(l, m)| (*l, m.as_str())).collect();
        assert_eq!(
            lines,
            vec![
                (4, "unrendered placeholder `KARPENTER_IRSA`"),
                (6, "unrendered placeholder `CLUSTER_ENDPOINT`"),
                (10, "unrendered placeholder `AWS_REGION`"),
                (11, "unrendered placeholder `ARGO_WORKFLOWS_BUCKET_NAME`"),
                (13, "unrendered template expression `{{ cluster_name }}`"),
                (15, "unrendered template expression `{% if x %}`"),
            ]
        );
    }

    #[test]
    fn resources_skip_commented_entries() {
        let text = "resources:\n  - a.yaml\n  # - b.yaml\n  - \"sub\"\n";
        assert_eq!(
            kustomize_resources(text).unwrap(),
            vec![(2, "a.yaml".into()), (4, "sub".into())]
        );
        assert!(kustomize_resources("resources: [").is_err());
    }

    #[test]
    fn kubectl_messages_are_unwrapped() {
        let stderr = "E1123 15:51:04 run.go:72] \"command failed\" err=\"accumulating resources: 'b.yaml' missing\"\n";
        assert_eq!(
            kubectl_message(stderr),
            "`kubectl kustomize` failed: accumulating resources: 'b.yaml' missing"
        );
        assert_eq!(
            kubectl_message("error: boom\n"),
            "`kubectl kustomize` failed: boom"
        );
    }
}
