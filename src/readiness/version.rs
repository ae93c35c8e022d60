//! Versions: the Kubernetes version a scan targets, and the `major.minor`
//! release numbers the deprecation table is written in.

use std::fmt;

use crate::error::{Error, Result};

/// A `major.minor` release number. Kubernetes versions, and the releases of
/// the projects in the deprecation table (Flux, Karpenter), are compared by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Release {
    pub(crate) major: u32,
    pub(crate) minor: u32,
}

impl Release {
    /// `1.26`, `v1.26` or `1.26.3` (the patch is dropped); `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<Release> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = text.split('.');
        let major = number(parts.next()?)?;
        let minor = number(parts.next()?)?;
        if let Some(patch) = parts.next() {
            number(patch)?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(Release { major, minor })
    }
}

/// Digits only: `u32::from_str` would also take a leading `+`.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The Kubernetes version a scan checks manifests against (`--target-version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion(pub(crate) Release);

impl serde::Serialize for KubeVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl KubeVersion {
    /// Accepts `1.26`, `v1.26` and `1.26.3`; anything else is a usage error
    /// naming `--target-version`.
    pub(crate) fn parse(text: &str) -> Result<KubeVersion> {
        match Release::parse(text) {
            Some(release) if release.major == 1 => Ok(KubeVersion(release)),
            _ => Err(Error::usage(
                format!("invalid --target-version `{text}`"),
                "give a Kubernetes minor version such as `1.26` (also accepted: `v1.26`, `1.26.3`)",
            )),
        }
    }

    pub(crate) fn next_minor(self) -> KubeVersion {
        KubeVersion(Release {
            major: self.0.major,
            minor: self.0.minor + 1,
        })
    }

    /// The version before this one; EKS upgrades one minor at a time, so this
    /// is the version a cluster runs while its manifests are prepared for `self`.
    pub(crate) fn prev_minor(self) -> KubeVersion {
        KubeVersion(Release {
            major: self.0.major,
            minor: self.0.minor.saturating_sub(1),
        })
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for text in ["1.26", "v1.26", "1.26.3", " 1.26 "] {
            assert_eq!(
                KubeVersion::parse(text).unwrap().to_string(),
                "1.26",
                "{text}"
            );
        }
        assert_eq!(
            KubeVersion::parse("1.9").unwrap().next_minor().to_string(),
            "1.10"
        );
        assert!(KubeVersion::parse("1.9").unwrap() < KubeVersion::parse("1.10").unwrap());
    }

    #[test]
    fn rejected_forms_name_the_flag() {
        for text in [
            "", "1", "2.1", "1.x", "1.26.3.4", "+1.26", "1.-2", "v", "1..2", "latest",
        ] {
            let err = KubeVersion::parse(text).unwrap_err();
            assert!(
                err.to_string().contains("--target-version"),
                "{text}: {err}"
            );
            assert!(err.help().unwrap().contains("1.26"), "{text}");
            assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        }
    }
}
