//! A no-op re-run of `setup` on real Kubernetes and Flux asks little and
//! writes nothing: counted from kube-apiserver's audit log (the tool's
//! User-Agent only), discovery included.

use std::io::{Read, Seek, SeekFrom};

use harness::cluster::Options;
use serde_json::Value;

use super::fixture::Real;

/// At most this many requests for a no-op re-run.
const MOST: usize = 12;
const WRITES: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];

/// eks-workshop's completed requests in the audit log after `offset`, as
/// "verb URI".
fn ours(r: &Real, offset: u64) -> Vec<(String, String)> {
    let log = r.cluster.audit_log().expect("started with an audit log");
    let mut file = std::fs::File::open(log).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|a| a.starts_with("eks-workshop/"))
        })
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("verb"), s("requestURI"))
        })
        .collect()
}

#[test]
fn a_no_op_setup_on_real_flux_makes_few_requests_and_no_write() {
    let mut r = Real::start_with(Options {
        audit: true,
        ..Options::default()
    });
    r.set_up();
    let log = r.cluster.audit_log().unwrap();
    for round in 0..2 {
        let offset = std::fs::metadata(&log).unwrap().len();
        let out = r.setup(&[]);
        assert_eq!(out.code, 0, "{}", r.diagnose(&out));
        let seen = ours(&r, offset);
        let listed: Vec<String> = seen.iter().map(|(v, u)| format!("{v} {u}")).collect();
        let writes: Vec<&String> = listed
            .iter()
            .filter(|l| WRITES.iter().any(|w| l.starts_with(&format!("{w} "))))
            .collect();
        assert!(writes.is_empty(), "round {round} wrote: {writes:#?}");
        assert!(
            seen.len() <= MOST,
            "round {round}: {} requests, more than {MOST}:\n{}",
            seen.len(),
            listed.join("\n")
        );
    }
}
