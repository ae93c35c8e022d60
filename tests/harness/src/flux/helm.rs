//! The stand-in helm-controller: a HelmRelease becomes Ready once its chart
//! source exists and its `dependsOn` releases are Ready. Nothing is installed.

use super::Ctx;
use super::source::get_source;
use super::status::{FluxObject, HELM_API, Outcome, write};
use serde_json::{Map, Value, json};

const MANAGER: &str = "helm-controller";

/// (kind, namespace, name) of the chart source: `spec.chart.spec.sourceRef` or `spec.chartRef`.
fn source_ref(o: &FluxObject) -> Option<(String, String, String)> {
    let r = o
        .spec("/chart/spec/sourceRef")
        .or_else(|| o.spec("/chartRef"))?;
    let kind = r["kind"].as_str().unwrap_or("HelmRepository").to_string();
    let ns = r["namespace"].as_str().unwrap_or(&o.namespace).to_string();
    Some((kind, ns, r["name"].as_str()?.to_string()))
}

fn unready_dependency(o: &FluxObject, snapshot: &[FluxObject]) -> Option<String> {
    for d in o
        .spec("/dependsOn")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let name = d["name"].as_str().unwrap_or_default();
        let ns = d["namespace"].as_str().unwrap_or(&o.namespace);
        if !snapshot
            .iter()
            .any(|x| x.name == name && x.namespace == ns && x.is_ready())
        {
            return Some(format!("dependency '{ns}/{name}' is not ready"));
        }
    }
    None
}

pub async fn reconcile(ctx: &mut Ctx, o: FluxObject, snapshot: &[FluxObject]) {
    if ctx.held(&o, MANAGER, "InstallFailed") {
        return;
    }
    if o.is_ready() && o.requested_at().is_none() {
        return;
    }
    let Some((kind, ns, name)) = source_ref(&o) else {
        let msg = "spec.chart or spec.chartRef is required".to_string();
        write(
            &ctx.store,
            MANAGER,
            &o,
            Outcome::Failed("InvalidChartReference", msg),
            Map::new(),
            &[],
        );
        return;
    };
    if get_source(ctx, &kind, &ns, &name).is_none() {
        let message = format!(
            "could not get Source object: {kind}.source.toolkit.fluxcd.io \"{name}\" not found"
        );
        let p = Outcome::Progressing {
            ready: "False",
            reason: "ArtifactFailed",
            message,
        };
        write(&ctx.store, MANAGER, &o, p, Map::new(), &[]);
        return;
    }
    if let Some(message) = unready_dependency(&o, snapshot) {
        let p = Outcome::Progressing {
            ready: "False",
            reason: "DependencyNotReady",
            message,
        };
        write(&ctx.store, MANAGER, &o, p, Map::new(), &[]);
        return;
    }
    let release = o
        .spec_str("/releaseName")
        .map(str::to_string)
        .unwrap_or_else(|| match o.spec_str("/targetNamespace") {
            Some(t) => format!("{t}-{}", o.name),
            None => o.name.clone(),
        });
    let release_ns = o
        .spec_str("/targetNamespace")
        .unwrap_or(&o.namespace)
        .to_string();
    let chart = o
        .spec_str("/chart/spec/chart")
        .unwrap_or(&o.name)
        .to_string();
    let version = o
        .spec_str("/chart/spec/version")
        .filter(|v| !v.contains('*'))
        .unwrap_or("1.0.0")
        .to_string();
    let previous = o
        .status("/history")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let (verb, reason) = if previous == 0 {
        ("install", "InstallSucceeded")
    } else {
        ("upgrade", "UpgradeSucceeded")
    };
    ctx.progress(
        MANAGER,
        &o,
        &format!("Running '{verb}' action with timeout of 5m0s"),
    )
    .await;
    let n = previous + 1;
    let msg = format!(
        "Helm {verb} succeeded for release {release_ns}/{release}.v{n} with chart {chart}@{version}"
    );
    let mut extra = Map::new();
    let mut history = o
        .status("/history")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    history.insert(
        0,
        json!({"name": release, "namespace": release_ns, "version": n, "status": "deployed",
                             "chartName": chart, "chartVersion": version, "appVersion": version}),
    );
    extra.insert("history".into(), Value::Array(history));
    extra.insert("lastAttemptedRevision".into(), json!(version));
    extra.insert("lastAttemptedGeneration".into(), json!(o.generation));
    extra.insert("lastAttemptedReleaseAction".into(), json!(verb));
    write(
        &ctx.store,
        MANAGER,
        &o,
        Outcome::Ready(reason, msg),
        extra,
        &[("Released", "True", reason)],
    );
}

pub fn snapshot(ctx: &Ctx) -> Vec<FluxObject> {
    ctx.store
        .list(HELM_API, "HelmRelease", None)
        .into_iter()
        .map(|v| FluxObject::new(HELM_API, "HelmRelease", v))
        .collect()
}
