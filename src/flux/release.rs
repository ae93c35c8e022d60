//! Flux without the flux CLI: the install manifest of the Flux release
//! eks-workshop pins (`install.yaml` of the flux2 release), fetched over
//! HTTP(S) and checked against its sha256 before anything is applied. The
//! URL and its sha256 can be given instead (a mirror, another release).

use sha2::Digest;

use crate::error::{Error, Result};
use crate::flux::FLUX_VERSION;
use crate::kube::wait::Limits;

/// The release's own asset.
pub(crate) const RELEASE_URL: &str =
    "https://github.com/fluxcd/flux2/releases/download/v2.9.5/install.yaml";

/// Its sha256, pinned when the version moves. Not known to this build: the
/// project's machines reach no GitHub, so it cannot be computed here (see
/// README, "Flux without the flux CLI"); until it is, the release is used
/// only with `--flux-manifest-sha256`.
pub(crate) const RELEASE_SHA256: Option<&str> = None;

/// Where the manifest comes from, and the sha256 it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Source {
    pub(crate) url: String,
    pub(crate) sha256: String,
}

/// The URL and sha256 given, else the pinned release.
pub(crate) fn source(url: Option<&str>, sha256: Option<&str>) -> Result<Source> {
    let pinned = sha256.or(RELEASE_SHA256).ok_or_else(|| Error::ToolMissing {
        tool: "flux",
        needed_for: format!(
            "to install Flux, which the cluster lacks: this build has no sha256 pinned for Flux {FLUX_VERSION}'s install.yaml ({RELEASE_URL}), so it will not fetch it unchecked; pass --flux-manifest-sha256 HEX (from the release you trust), or --flux-manifests FILE with the output of `flux install --export`"
        ),
    })?;
    Ok(Source {
        url: url.unwrap_or(RELEASE_URL).to_string(),
        sha256: pinned.to_ascii_lowercase(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `bytes` are the file pinned.
pub(crate) fn verify(source: &Source, bytes: &[u8]) -> Result<()> {
    let got = hex(&sha2::Sha256::digest(bytes));
    if got == source.sha256 {
        Ok(())
    } else {
        Err(Error::Checksum {
            url: source.url.clone(),
            want: source.sha256.clone(),
            got,
        })
    }
}

/// GET the manifest (no credentials: GitHub's release assets are public, and
/// a mirror gets no token of ours) and check it.
pub(crate) async fn fetch(source: &Source, limits: &Limits) -> Result<String> {
    let network = |message: String| {
        Error::Network {
        service: source.url.clone(),
        message,
        help: "check the URL and your connection, or pass --flux-manifests FILE with the output of `flux install --export`".into(),
    }
    };
    let client = octocrab::Octocrab::builder()
        .build()
        .map_err(|e| network(e.to_string()))?;
    let get = async {
        let started = std::time::Instant::now();
        let sent = client._get(source.url.as_str()).await;
        let logged = sent.as_ref().map(|r| r.status().as_u16());
        let logged = logged.map_err(|e| e.to_string());
        crate::log::http("GET", &source.url, logged, started.elapsed());
        let response = sent.map_err(|e| network(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(Error::Remote {
                service: source.url.clone(),
                status: status.as_u16(),
                message: status.canonical_reason().unwrap_or_default().to_string(),
            });
        }
        // Bounded like a --flux-manifests file: Flux's install manifest is
        // a few MiB, and the URL may answer with anything.
        let cap = crate::fsx::MANIFEST_CAP as usize;
        let (bytes, cut) = crate::outside::read_body(&mut response.into_body(), cap)
            .await
            .map_err(|e| network(e.to_string()))?;
        if cut {
            return Err(Error::Checksum {
                url: source.url.clone(),
                want: source.sha256.clone(),
                got: format!(
                    "not computed: the answer is larger than {}",
                    crate::fsx::size(cap as u64)
                ),
            });
        }
        String::from_utf8(bytes).map_err(|e| network(format!("the answer is not UTF-8 text: {e}")))
    };
    let Some(text) = limits.within(get).await? else {
        return Err(Error::Timeout {
            what: format!("fetching {}", source.url),
            detail: "no complete answer".into(),
            after: limits.timeout,
        });
    };
    let text = text?;
    verify(source, text.as_bytes())?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_needs_a_sha256_until_the_release_is_pinned() {
        let err = source(None, None).unwrap_err();
        assert!(err.to_string().contains("flux"), "{err}");
        let given = source(Some("http://127.0.0.1:1/install.yaml"), Some("AB")).unwrap();
        assert_eq!(given.sha256, "ab");
        assert_eq!(source(None, Some("cd")).unwrap().url, RELEASE_URL);
    }

    #[test]
    fn only_the_pinned_bytes_pass() {
        let s = Source {
            url: "u".into(),
            // sha256("flux\n")
            sha256: hex(&sha2::Sha256::digest(b"flux\n")),
        };
        assert!(verify(&s, b"flux\n").is_ok());
        let err = verify(&s, b"flux \n").unwrap_err();
        assert!(err.to_string().contains("is not the file pinned"), "{err}");
    }
}
