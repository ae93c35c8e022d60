//! Label and field selectors for list and watch.

use super::util::{labels, meta_str};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
enum LabelReq {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// `labelSelector` + `fieldSelector` (only `metadata.name` and `metadata.namespace`, as for CRDs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    labels: Vec<LabelReq>,
    /// (field, value, equal?)
    fields: Vec<(String, String, bool)>,
}

impl Selector {
    /// Parses both selectors; `Err` is a BadRequest message.
    pub fn parse(label: Option<&str>, field: Option<&str>) -> Result<Self, String> {
        let mut s = Selector::default();
        if let Some(l) = label.filter(|l| !l.trim().is_empty()) {
            for term in split_terms(l) {
                s.labels.push(parse_label_term(term.trim())?);
            }
        }
        if let Some(f) = field.filter(|f| !f.trim().is_empty()) {
            for term in f.split(',') {
                let (k, v, eq) = if let Some((k, v)) = term.split_once("!=") {
                    (k, v, false)
                } else if let Some((k, v)) = term.split_once("==") {
                    (k, v, true)
                } else if let Some((k, v)) = term.split_once('=') {
                    (k, v, true)
                } else {
                    return Err(format!("invalid field selector: {term:?}"));
                };
                let k = k.trim();
                if k != "metadata.name" && k != "metadata.namespace" {
                    return Err(format!(
                        "field label not supported: {k} (only metadata.name and metadata.namespace)"
                    ));
                }
                s.fields.push((k.to_string(), v.trim().to_string(), eq));
            }
        }
        Ok(s)
    }

    pub fn matches(&self, obj: &Value) -> bool {
        let l = labels(obj);
        let get = |k: &str| l.get(k).and_then(Value::as_str);
        let labels_ok = self.labels.iter().all(|r| match r {
            LabelReq::Eq(k, v) => get(k) == Some(v.as_str()),
            LabelReq::NotEq(k, v) => get(k) != Some(v.as_str()),
            LabelReq::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelReq::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            LabelReq::Exists(k) => l.contains_key(k),
            LabelReq::NotExists(k) => !l.contains_key(k),
        });
        labels_ok
            && self.fields.iter().all(|(f, v, eq)| {
                let actual = meta_str(obj, &f["metadata.".len()..]).unwrap_or("");
                (actual == v) == *eq
            })
    }
}

/// Splits on commas outside parentheses (`a in (x,y),b`).
fn split_terms(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn parse_label_term(t: &str) -> Result<LabelReq, String> {
    let set = |rest: &str| -> Result<Vec<String>, String> {
        let inner = rest
            .trim()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or(format!("invalid label selector term {t:?}"))?;
        Ok(inner.split(',').map(|v| v.trim().to_string()).collect())
    };
    if let Some(k) = t.strip_prefix('!') {
        return Ok(LabelReq::NotExists(k.trim().into()));
    }
    if let Some((k, v)) = t.split_once("!=") {
        return Ok(LabelReq::NotEq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
        return Ok(LabelReq::Eq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, rest)) = t.split_once(" notin ") {
        return Ok(LabelReq::NotIn(k.trim().into(), set(rest)?));
    }
    if let Some((k, rest)) = t.split_once(" in ") {
        return Ok(LabelReq::In(k.trim().into(), set(rest)?));
    }
    if t.is_empty() || t.contains(' ') {
        return Err(format!("invalid label selector term {t:?}"));
    }
    Ok(LabelReq::Exists(t.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_and_field_selectors() {
        let obj =
            json!({"metadata":{"name":"a","namespace":"n","labels":{"app":"x","tier":"web"}}});
        let m = |l: &str, f: &str| Selector::parse(Some(l), Some(f)).unwrap().matches(&obj);
        assert!(m("app=x", ""));
        assert!(m("app in (y,x),tier", "metadata.name=a"));
        assert!(!m("app!=x", ""));
        assert!(!m("!tier", ""));
        assert!(m("app notin (y)", "metadata.namespace!=z"));
        assert!(!m("", "metadata.name=b"));
        assert!(Selector::parse(None, Some("spec.x=1")).is_err());
    }
}
