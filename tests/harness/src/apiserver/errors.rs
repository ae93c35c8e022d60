//! API errors, rendered as the `Status` objects a real API server returns.

use serde_json::{Value, json};
use std::fmt;

/// A failed API call: HTTP code, `Status.reason`, message and optional `details`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// `details` naming the object, as real servers attach them.
    fn about(mut self, group: &str, kind: &str, name: &str) -> Self {
        self.details = Some(json!({"name": name, "group": group, "kind": kind}));
        self
    }

    /// `<resource>.<group> "name" not found` (404 NotFound).
    pub fn not_found(group: &str, resource: &str, name: &str) -> Self {
        let what = qualified(group, resource);
        Self::new(404, "NotFound", format!("{what} \"{name}\" not found"))
            .about(group, resource, name)
    }

    /// An injected failure (`ApiServer::fail_share`): 503 ServiceUnavailable,
    /// 500 InternalError, 429 TooManyRequests, ...
    pub fn injected(code: u16) -> Self {
        let reason = match code {
            429 => "TooManyRequests",
            500 => "InternalError",
            504 => "Timeout",
            _ => "ServiceUnavailable",
        };
        Self::new(code, reason, "injected failure (fail_share)")
    }

    /// 404 for a path that names no resource at all.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    pub fn already_exists(group: &str, resource: &str, name: &str) -> Self {
        let what = qualified(group, resource);
        Self::new(
            409,
            "AlreadyExists",
            format!("{what} \"{name}\" already exists"),
        )
        .about(group, resource, name)
    }

    /// 409 for a stale `resourceVersion` (optimistic concurrency).
    pub fn stale(group: &str, resource: &str, name: &str) -> Self {
        let what = qualified(group, resource);
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {what} \"{name}\": the object has been modified; \
                 please apply your changes to the latest version and try again"
            ),
        )
        .about(group, resource, name)
    }

    /// 409 for server-side apply field-ownership conflicts.
    pub fn apply_conflicts(conflicts: &[(String, String, String)]) -> Self {
        // (manager, apiVersion, field path)
        let message = if let [(manager, version, field)] = conflicts {
            format!(
                "Apply failed with 1 conflict: conflict with \"{manager}\" using {version}: {field}"
            )
        } else {
            let mut m = format!("Apply failed with {} conflicts: ", conflicts.len());
            let lines: Vec<String> = conflicts
                .iter()
                .map(|(mgr, v, f)| format!("conflict with \"{mgr}\" using {v}: {f}"))
                .collect();
            m.push_str(&lines.join("\n"));
            m
        };
        let causes: Vec<Value> = conflicts
            .iter()
            .map(|(mgr, v, f)| {
                json!({"reason": "FieldManagerConflict",
                       "message": format!("conflict with \"{mgr}\" using {v}"), "field": f})
            })
            .collect();
        let mut e = Self::new(409, "Conflict", message);
        e.details = Some(json!({ "causes": causes }));
        e
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, "Invalid", message)
    }

    /// 500 with no reason at all, as the server answers when building a
    /// server-side apply's typed patch fails.
    pub fn unknown_internal(message: impl Into<String>) -> Self {
        Self::new(500, "", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(410, "Expired", message)
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    pub fn unsupported_media_type(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {ct:?})"
            ),
        )
    }

    /// The `Status` object sent on the wire.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if self.reason.is_empty() {
            // Real servers leave an unknown reason out.
            s.as_object_mut().expect("object").remove("reason");
        }
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}

/// `deployments.apps`, or `secrets` for the core group: how Kubernetes names resources in messages.
fn qualified(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}
