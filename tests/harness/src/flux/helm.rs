//! The stand-in helm-controller: a HelmRelease becomes Ready once its chart
//! source exists and its `dependsOn` releases are Ready. Of a chart the test
//! declared ([`FluxStandIn::add_chart`](super::FluxStandIn::add_chart)) only
//! the CRDs are installed, as Helm does (on install by default, on upgrade
//! only when `upgrade.crds` says so); templates are not rendered.

use super::Ctx;
use super::kustomize::parse_documents;
use super::source::get_source;
use super::status::{FluxObject, HELM_API, Outcome, write};
use crate::cluster::helmrepo::Chart;
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
    let wanted = o.spec_str("/chart/spec/version");
    let known = ctx.chart(&chart, wanted);
    let version = known
        .as_ref()
        .map(|c| c.version.clone())
        .or_else(|| wanted.filter(|v| !v.contains('*')).map(str::to_string))
        .unwrap_or_else(|| "1.0.0".to_string());
    let previous = o
        .status("/history")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let (verb, reason) = if previous == 0 {
        ("install", "InstallSucceeded")
    } else {
        ("upgrade", "UpgradeSucceeded")
    };
    if let Some(known) = &known
        && let Err(msg) = install_crds(ctx, &o, known, verb)
    {
        let failed = if verb == "install" {
            "InstallFailed"
        } else {
            "UpgradeFailed"
        };
        let msg = format!(
            "Helm {verb} failed for release {release_ns}/{release} with chart {chart}@{version}: {msg}"
        );
        write(
            &ctx.store,
            MANAGER,
            &o,
            Outcome::Failed(failed, msg),
            Map::new(),
            &[],
        );
        return;
    }
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

/// Applies the chart's `crds/` files when `spec.<verb>.crds` allows it
/// (install: unless `Skip`; upgrade: only `Create` or `CreateReplace`).
fn install_crds(ctx: &Ctx, o: &FluxObject, chart: &Chart, verb: &str) -> Result<(), String> {
    let policy = o.spec_str(&format!("/{verb}/crds"));
    let wanted = match verb {
        "install" => policy != Some("Skip"),
        _ => matches!(policy, Some("Create" | "CreateReplace")),
    };
    if !wanted {
        return Ok(());
    }
    for (file, text) in &chart.crds {
        for doc in parse_documents(text, &format!("{}/crds/{file}", chart.name))? {
            ctx.store
                .apply(doc, MANAGER, true)
                .map_err(|e| format!("failed to install CRD crds/{file}: {}", e.message))?;
        }
    }
    Ok(())
}

pub fn snapshot(ctx: &Ctx) -> Vec<FluxObject> {
    ctx.store
        .list(HELM_API, "HelmRelease", None)
        .into_iter()
        .map(|v| FluxObject::new(HELM_API, "HelmRelease", v))
        .collect()
}
