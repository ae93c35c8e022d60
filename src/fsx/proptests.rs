//! Arbitrary bytes through each reader of local input: a values file, a
//! terraform state file, the state file, the add-ons kustomization. None may
//! panic, and each refusal is the reader's own classed error with a `help:`
//! line, never a bare io error or the catch-all.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::error::{Error, exit};

/// Any bytes; text near each format (so the parsers get past the first
/// byte); and such text with a stray byte that is not UTF-8.
fn bytes() -> impl Strategy<Value = Vec<u8>> {
    let near = "[a-z_{}\\[\\]:\"#,. 0-9\n-]{0,160}";
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        near.prop_map(String::into_bytes),
        (near, any::<u8>(), any::<prop::sample::Index>()).prop_map(|(text, byte, at)| {
            let mut bytes = text.into_bytes();
            bytes.insert(at.index(bytes.len() + 1), byte);
            bytes
        }),
        prop::sample::select(SEEDS).prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// Documents each reader accepts, or nearly does.
const SEEDS: &[&str] = &[
    "{\"version\": 1}",
    "{\"version\": 4, \"outputs\": {\"aws_region\": {\"value\": \"us-west-2\"}}}",
    "{\"version\": 99999999999}",
    "aws_region: us-west-2\ncluster_endpoint: https://x..com\n",
    "resources:\n  - 01-metrics-server.yaml\n  # - 02-karpenter.yaml\n",
    "resources: 3\n",
];

/// The error is the one `expected` names, with its exit code and a help line.
fn classed(err: &Error, expected: bool, code: u8) -> Result<(), TestCaseError> {
    prop_assert!(expected, "unexpected error: {err:?}");
    prop_assert_eq!(err.exit_code(), code, "{:?}", err);
    prop_assert!(err.help().is_some_and(|h| !h.is_empty()), "{:?}", err);
    Ok(())
}

fn file_with(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

proptest! {
    #[test]
    fn a_values_file_is_read_or_refused_as_a_usage_error(bytes in bytes()) {
        let (_dir, path) = file_with(&bytes);
        for read in [crate::values::Values::from_file, crate::values::Values::from_terraform_state] {
            match read(&path).and_then(|values| values.check_all()) {
                Ok(()) => {}
                Err(e) => {
                    let expected = matches!(e, Error::ValuesFile { .. } | Error::InvalidValue { .. });
                    classed(&e, expected, exit::USAGE)?;
                }
            }
        }
    }

    #[test]
    fn the_state_file_is_read_or_refused_as_corrupt_or_newer(bytes in bytes()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(crate::state::path(dir.path()), &bytes).unwrap();
        match crate::state::load(dir.path()) {
            Ok(found) => prop_assert!(found.is_some()),
            Err(e) => {
                let expected = matches!(e, Error::StateCorrupt { .. } | Error::StateTooNew { .. });
                classed(&e, expected, exit::FAILURE)?;
            }
        }
    }

    #[test]
    fn the_kustomization_is_edited_or_refused_as_a_usage_error(
        bytes in bytes(),
        wishes in prop::collection::btree_map(
            prop::sample::select(vec!["metrics-server", "karpenter", "argo-workflows"]),
            any::<bool>(),
            0..3,
        ),
    ) {
        let clone = tempfile::tempdir().unwrap();
        let path = clone.path().join(crate::addon_catalog::ADDONS_KUSTOMIZATION);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        let wishes: BTreeMap<String, bool> =
            wishes.into_iter().map(|(n, on)| (n.to_string(), on)).collect();
        match crate::steps::addons::edit(clone.path(), &wishes) {
            Ok((text, edited)) => prop_assert!(!wishes.is_empty() || edited == text),
            Err(e) => classed(&e, matches!(e, Error::Kustomization { .. }), exit::USAGE)?,
        }
    }
}
