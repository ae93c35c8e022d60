//! `verify`'s first check: the kubeconfig's context is the cluster the
//! values name (`cluster_endpoint`), so what the other checks read is the
//! workshop's cluster. Connecting refuses another cluster before any request
//! (`kube::endpoint`), so a report that got this far shows the match, or
//! the skip and why (offline, no endpoint in the values, the example's
//! made-up one, no kubeconfig); a mismatch found here all the same is
//! blocking.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::kube::endpoint::Compared;
use crate::verdict::{Item, Section, Severity};

const NAME: &str = "kubeconfig context";

pub(crate) fn section(ctx: &Ctx) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(NAME, "offline (no cluster is read)"));
    }
    Ok(judged(crate::kube::same_cluster(&ctx.config.settings)))
}

/// The section for what the comparison found.
fn judged(compared: Result<Compared>) -> Section {
    let item = match compared {
        Ok(Compared::NotCompared(why)) => return Section::skipped(NAME, why),
        Ok(Compared::Same {
            context,
            server,
            endpoint,
        }) => Item::new(
            Severity::Fine,
            format!("context {context}"),
            format!("its server {server} is the values' cluster_endpoint {endpoint}"),
        )
        .fact("context", &context)
        .fact("server", &server)
        .fact("endpoint", &endpoint),
        Err(e @ Error::WrongCluster { .. }) => {
            let fix = e.help().unwrap_or_default();
            let Error::WrongCluster {
                context,
                server,
                endpoint,
                ..
            } = &e
            else {
                unreachable!("matched above")
            };
            Item::new(
                Severity::Blocking,
                format!("context {context}"),
                e.to_string(),
            )
            .fact("context", context)
            .fact("server", server)
            .fact("endpoint", endpoint)
            .fix(fix)
        }
        Err(e) => return Section::skipped(NAME, format!("stopped: {e}")),
    };
    Section::ran(NAME, vec![item.fact("check", "kubeconfig-context")])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_match_is_fine_a_skip_says_why_and_another_cluster_blocks() {
        let same = judged(Ok(Compared::Same {
            context: "eks".into(),
            server: "https://a".into(),
            endpoint: "https://A/".into(),
        }));
        assert_eq!(same.items[0].severity, Severity::Fine);
        assert_eq!(same.items[0].facts["context"], "eks");
        let skipped = judged(Ok(Compared::NotCompared("no cluster_endpoint".into())));
        assert_eq!(skipped.skipped.as_deref(), Some("no cluster_endpoint"));
        let wrong = judged(Err(Error::WrongCluster {
            context: "other".into(),
            server: "https://b".into(),
            endpoint: "https://a".into(),
            hint: Box::new(crate::error::ClusterHint {
                cluster_name: None,
                region: None,
                matching: vec!["eks".into()],
            }),
        }));
        assert_eq!(wrong.blocking().count(), 1);
        assert!(wrong.items[0].fix.starts_with("pass --context eks"));
    }
}
