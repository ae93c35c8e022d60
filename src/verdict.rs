//! What `verify`'s checks beyond the API scan found (add-on versions, Helm
//! releases, AWS), in the shape its report shows: each finding blocking the
//! upgrade, to do before it, or fine, with what it is about and the fix; and
//! each check that could not run, with why (a skip is said, never a pass).

use std::collections::BTreeMap;

use serde::Serialize;

/// The version of `verify -o json`'s shape (README: verify's JSON). Raised
/// when a field is renamed or removed, not when one is added.
pub(crate) const JSON_SCHEMA: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Severity {
    /// The upgrade fails, or breaks something, until this is fixed.
    Blocking,
    /// Worth doing before the upgrade; `verify` still passes.
    ToDo,
    Fine,
}

impl Severity {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Severity::Blocking => "blocking",
            Severity::ToDo => "to do",
            Severity::Fine => "fine",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Item {
    pub(crate) severity: Severity,
    /// `file:line`, `Kind namespace/name`, or an AWS resource id.
    pub(crate) subject: String,
    pub(crate) message: String,
    /// What to do about it; empty when fine.
    pub(crate) fix: String,
    /// The finding as data, beside the sentence: `check`, and the check's
    /// own fields (`chart`, `version`, `supported`, `file`, `line`, …), at
    /// the item's top level in the JSON.
    #[serde(flatten)]
    pub(crate) facts: BTreeMap<&'static str, serde_json::Value>,
}

impl Item {
    pub(crate) fn new(
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) -> Item {
        Item {
            severity,
            subject: subject.into(),
            message: message.into(),
            fix: String::new(),
            facts: BTreeMap::new(),
        }
    }

    /// One field of the finding as data.
    pub(crate) fn fact(mut self, key: &'static str, value: impl Serialize) -> Item {
        let value = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
        self.facts.insert(key, value);
        self
    }

    pub(crate) fn fix(mut self, fix: impl Into<String>) -> Item {
        self.fix = fix.into();
        self
    }
}

/// One check: what it needs to run, and what it found or why it did not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Section {
    /// `add-ons`, `helm releases`, `aws`, `kustomize builds`.
    pub(crate) name: &'static str,
    /// Set when the check could not run: what it needed and what is missing.
    pub(crate) skipped: Option<String>,
    pub(crate) items: Vec<Item>,
    /// A table to show before the items (the add-on versions, say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) table: Option<Table>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Section {
    pub(crate) fn ran(name: &'static str, items: Vec<Item>) -> Section {
        Section {
            name,
            skipped: None,
            items,
            table: None,
        }
    }

    pub(crate) fn skipped(name: &'static str, why: impl Into<String>) -> Section {
        Section {
            name,
            skipped: Some(why.into()),
            items: Vec::new(),
            table: None,
        }
    }

    /// The items that make `verify` fail.
    pub(crate) fn blocking(&self) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(|i| i.severity == Severity::Blocking)
    }
}
