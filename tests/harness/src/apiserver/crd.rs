//! CustomResourceDefinitions: registering their types, Established conditions
//! (at once, or after the configured delay), and removing types with their CRD.

use super::errors::ApiError;
use super::fields::{read_managed, write_managed};
use super::ops::{emit, remove_object};
use super::store::{EventType, State};
use super::types::{ResourceType, type_from_crd};
use super::util::{ensure_object, metadata_mut, now_rfc3339};
use serde_json::{Value, json};

/// A deleted CRD takes its type and all its objects with it.
pub fn drop_type(st: &mut State, crd_type: &ResourceType) {
    if let Some(rt) = st
        .registry
        .get_any(&crd_type.group, &crd_type.plural)
        .cloned()
    {
        let keys: Vec<(String, String)> = st
            .table(&rt)
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        for k in keys {
            remove_object(st, &rt, &k);
        }
        st.registry.remove(&rt.group, &rt.plural);
    }
}

/// Registers (or re-registers) the CRD's type and writes its status conditions.
pub fn crd_hook(st: &mut State, crd: &mut Value, dry_run: bool) -> Result<(), ApiError> {
    let mut rt = type_from_crd(crd).map_err(ApiError::invalid)?;
    let existing = st.registry.get_any(&rt.group, &rt.plural).cloned();
    if existing.as_ref().is_some_and(|e| !e.from_crd) {
        return Err(ApiError::invalid(format!(
            "{}.{} is a built-in resource",
            rt.plural, rt.group
        )));
    }
    rt.established = existing.is_some_and(|e| e.established) || st.crd_establish_delay.is_zero();
    set_crd_status(crd, &rt);
    if !dry_run {
        st.registry.upsert(rt);
    }
    Ok(())
}

fn set_crd_status(crd: &mut Value, rt: &ResourceType) {
    let old = crd.get("status").cloned().unwrap_or_default();
    let since = |ty: &str| {
        old.get("conditions")
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| c["type"] == ty && c["status"] == "True"))
            .and_then(|c| c.get("lastTransitionTime").cloned())
            .unwrap_or_else(|| json!(now_rfc3339()))
    };
    let mut conditions = vec![
        json!({"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
        "message": "no conflicts found", "lastTransitionTime": since("NamesAccepted")}),
    ];
    conditions.push(if rt.established {
        json!({"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
               "message": "the initial names have been accepted", "lastTransitionTime": since("Established")})
    } else {
        json!({"type": "Established", "status": "False", "reason": "Installing",
               "message": "the initial names have not been accepted yet", "lastTransitionTime": since("Established")})
    });
    let names = crd.pointer("/spec/names").cloned().unwrap_or_default();
    let mut status = json!({"conditions": conditions, "acceptedNames": names, "storedVersions": [rt.storage_version()]});
    if !rt.established {
        status["acceptedNames"] = json!({"plural": "", "kind": ""});
    }
    ensure_object(crd).insert("status".into(), status);
}

/// Whether a CRD object says Established=True.
pub fn crd_established(crd: &Value) -> bool {
    crd.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Established" && c["status"] == "True")
        })
}

/// Marks a pending CRD Established (called after the configured delay).
pub fn establish_crd(st: &mut State, name: &str) {
    let key = (
        "apiextensions.k8s.io".to_string(),
        "customresourcedefinitions".to_string(),
    );
    let Some(old) = st
        .objects
        .get(&key)
        .and_then(|t| t.get(&(String::new(), name.to_string())))
        .cloned()
    else {
        return;
    };
    let Ok(mut rt) = type_from_crd(&old) else {
        return;
    };
    rt.established = true;
    st.registry.set_established(&rt.group, &rt.plural);
    let mut new = old.clone();
    set_crd_status(&mut new, &rt);
    if new == old {
        return;
    }
    let entries = read_managed(&new);
    write_managed(&mut new, &entries);
    st.rv += 1;
    metadata_mut(&mut new).insert("resourceVersion".into(), json!(st.rv.to_string()));
    st.objects
        .entry(key)
        .or_default()
        .insert((String::new(), name.to_string()), new.clone());
    let crd_rt = st
        .registry
        .get_any("apiextensions.k8s.io", "customresourcedefinitions")
        .cloned()
        .expect("built-in");
    emit(st, &crd_rt, EventType::Modified, &new);
}
