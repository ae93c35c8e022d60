//! `patchesStrategicMerge` and `patchesJson6902` (Kustomization v1beta1/v1beta2,
//! HelmRelease v2beta1 post-renderers) into `patches` entries, which v1/v2
//! keep as the only form: each patch becomes the `patch:` string of an entry
//! (a strategic-merge patch names its target itself; a JSON 6902 entry keeps
//! its `target`).

use super::dom::{Dom, Edit};

/// Convert the two fields under `parent` (`at` names it in messages).
pub(super) fn convert(
    dom: &Dom<'_>,
    parent: usize,
    at: &str,
    edits: &mut Vec<Edit>,
) -> Result<Vec<String>, String> {
    let strategic = dom.child(parent, "patchesStrategicMerge");
    let json = dom.child(parent, "patchesJson6902");
    if strategic.is_none() && json.is_none() {
        return Ok(Vec::new());
    }
    let existing = dom.child(parent, "patches");
    // Where new entries go, and the column of their `-`.
    let first_old = strategic
        .into_iter()
        .chain(json)
        .min_by_key(|&n| dom.nodes[n].line);
    let first_old = first_old.expect("one of the two is there");
    let dash_col = match existing.and_then(|p| dom.items(p).next()) {
        Some(item) => dom.nodes[item].col,
        None => [strategic, json]
            .into_iter()
            .flatten()
            .find_map(|n| dom.items(n).next())
            .map_or(dom.nodes[first_old].col + 2, |i| dom.nodes[i].col),
    };
    let mut entries = String::new();
    let mut notes = Vec::new();
    if let Some(s) = strategic {
        for item in items(dom, s, at, "patchesStrategicMerge")? {
            let body = dedented(dom, item, dom.nodes[item].line, dom.last_line(item))?;
            entries.push_str(&entry(dash_col, &[], &body));
        }
        notes.push(format!("{at}.patchesStrategicMerge -> {at}.patches"));
    }
    if let Some(j) = json {
        for item in items(dom, j, at, "patchesJson6902")? {
            let patch = dom
                .child(item, "patch")
                .filter(|&p| !dom.nodes[p].children.is_empty())
                .ok_or_else(|| format!("a {at}.patchesJson6902 entry has no block `patch:` list; convert it by hand"))?;
            let target = dom.child(item, "target").ok_or_else(|| {
                format!("a {at}.patchesJson6902 entry has no `target`; convert it by hand")
            })?;
            if dom.nodes[item].children.len() != 2 {
                return Err(format!(
                    "a {at}.patchesJson6902 entry has fields besides target and patch; convert it by hand"
                ));
            }
            let target_text = dedented(dom, target, dom.nodes[target].line, dom.last_line(target))?;
            let first_op = dom.nodes[patch].line + 1;
            let ops = dedented(dom, patch, first_op, dom.last_line(patch))?;
            entries.push_str(&entry(dash_col, &target_text, &ops));
        }
        notes.push(format!("{at}.patchesJson6902 -> {at}.patches"));
    }
    match existing {
        Some(p) => {
            let end = dom.line_range(dom.last_line(p)).end;
            edits.push(Edit {
                range: end..end,
                with: entries,
            });
            for old in [strategic, json].into_iter().flatten() {
                edits.push(remove(dom, old));
            }
        }
        None => {
            let key_col = dom.nodes[first_old].col;
            for old in [strategic, json].into_iter().flatten() {
                let mut e = remove(dom, old);
                if old == first_old {
                    e.with = format!("{}patches:\n{entries}", " ".repeat(key_col));
                }
                edits.push(e);
            }
        }
    }
    Ok(notes)
}

fn remove(dom: &Dom<'_>, node: usize) -> Edit {
    Edit {
        range: dom.node_lines(node),
        with: String::new(),
    }
}

fn items(dom: &Dom<'_>, list: usize, at: &str, key: &str) -> Result<Vec<usize>, String> {
    let items: Vec<usize> = dom.items(list).collect();
    if items.is_empty() || items.len() != dom.nodes[list].children.len() {
        let line = dom.text[dom.line_range(dom.nodes[list].line)].trim();
        return Err(format!(
            "{at}.{key} is not a block list of objects (`{line}`, flow style?); convert it by hand"
        ));
    }
    if items.iter().any(|&i| dom.nodes[i].children.is_empty()) {
        return Err(format!(
            "an entry of {at}.{key} is not a block mapping; convert it by hand"
        ));
    }
    Ok(items)
}

/// Lines `first..=last` of `node`'s text, moved left so its content starts at
/// column 0 (a `- ` on the first line becomes spaces). Lines are returned
/// without their newline.
fn dedented(dom: &Dom<'_>, node: usize, first: usize, last: usize) -> Result<Vec<String>, String> {
    let col = match dom.nodes[node].key {
        // An entry: its content starts at its first child's column.
        None => dom.nodes[dom.nodes[node].children[0]].col,
        // A key's children, or the key itself.
        Some(_) if first > dom.nodes[node].line => dom.nodes[node]
            .children
            .iter()
            .map(|&c| dom.nodes[c].col)
            .min()
            .unwrap_or(0),
        Some(_) => dom.nodes[node].col,
    };
    let mut out = Vec::new();
    for n in first..=last {
        let raw = &dom.text[dom.line_range(n)];
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        // The node's own line may start with the `- ` of its entry.
        let dashes = n == dom.nodes[node].line
            && line.len() >= col
            && line.as_bytes()[..col]
                .iter()
                .all(|&b| b == b' ' || b == b'-');
        let line = if dashes {
            // `  - a: 1` -> `    a: 1`
            format!("{}{}", " ".repeat(col), &line[col..])
        } else {
            line.to_owned()
        };
        if line.trim().is_empty() {
            out.push(String::new());
            continue;
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if spaces < col {
            return Err(
                "a patch has a line left of its own indentation (a comment?); convert it by hand"
                    .into(),
            );
        }
        out.push(line[col..].to_owned());
    }
    Ok(out)
}

/// One `patches` entry: `- patch: |` with the body, after the target's lines.
fn entry(dash_col: usize, target: &[String], body: &[String]) -> String {
    let pad = " ".repeat(dash_col);
    let mut out = String::new();
    let mut first = true;
    let mut field = |out: &mut String, text: &str| {
        let lead = if first { "- " } else { "  " };
        first = false;
        out.push_str(&format!("{pad}{lead}{text}\n"));
    };
    if !target.is_empty() {
        field(&mut out, "target:");
        for l in target.iter().skip(1) {
            // The target's own lines, one level under `target:`.
            if l.is_empty() {
                out.push('\n');
            } else {
                out.push_str(&format!("{pad}  {l}\n"));
            }
        }
    }
    field(&mut out, "patch: |");
    for l in body {
        if l.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("{pad}    {l}\n"));
        }
    }
    out
}
