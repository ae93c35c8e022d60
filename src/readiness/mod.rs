//! Upgrade readiness: what a Kubernetes version deprecates and removes, and
//! what that means for the objects found.
//!
//! The deprecated and removed APIs come from `deprecations.yaml`
//! ([`deprecations`]), the add-on chart versions that support a Kubernetes
//! version from `charts.yaml` ([`charts`]). An object using a listed API is a
//! [`Finding`]; a scan's findings and problems make a [`Report`].
//! [`scan_live`] checks objects read from a cluster; the repository's
//! manifests are read and checked by [`crate::manifests`].

pub(crate) mod charts;
pub(crate) mod deprecations;
pub(crate) mod finding;
pub(crate) mod flux_support;
mod live;
pub(crate) mod paths;
pub(crate) mod reading;
mod report;
pub(crate) mod version;

pub(crate) use live::LIVE_KINDS;
pub use live::{scan_inventory, scan_live};
pub use report::{Finding, Problem, Report};
pub use version::KubeVersion;
