//! Writing kubeconfig files that point at the local server.

use serde_yaml::{Mapping, Value};
use std::path::Path;

fn named(name: &str, key: &str, body: Value) -> Value {
    let mut m = Mapping::new();
    m.insert("name".into(), name.into());
    m.insert(key.into(), body);
    Value::Mapping(m)
}

/// Replaces the entry called `name` in the list `section`, or appends it.
fn upsert(doc: &mut Mapping, section: &str, entry: Value) {
    let list = doc
        .entry(section.into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if !list.is_sequence() {
        *list = Value::Sequence(Vec::new());
    }
    let seq = list.as_sequence_mut().expect("just made a sequence");
    let name = entry.get("name").cloned();
    seq.retain(|e| e.get("name") != name.as_ref());
    seq.push(entry);
}

/// Cluster, user and context all named `context`; the file's other entries are kept
/// and `current-context` becomes `context`.
pub fn write(path: &Path, context: &str, server: &str, token: Option<&str>) -> std::io::Result<()> {
    let mut doc: Mapping = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_yaml::from_str(&s).ok())
        .unwrap_or_default();
    doc.insert("apiVersion".into(), "v1".into());
    doc.insert("kind".into(), "Config".into());
    let mut cluster = Mapping::new();
    cluster.insert("server".into(), server.into());
    upsert(
        &mut doc,
        "clusters",
        named(context, "cluster", Value::Mapping(cluster)),
    );
    let mut user = Mapping::new();
    if let Some(t) = token {
        user.insert("token".into(), t.into());
    }
    upsert(
        &mut doc,
        "users",
        named(context, "user", Value::Mapping(user)),
    );
    let mut ctx = Mapping::new();
    ctx.insert("cluster".into(), context.into());
    ctx.insert("user".into(), context.into());
    ctx.insert("namespace".into(), "default".into());
    upsert(
        &mut doc,
        "contexts",
        named(context, "context", Value::Mapping(ctx)),
    );
    doc.insert("current-context".into(), context.into());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_yaml::to_string(&doc).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
}
