//! Pure text edits of a `kustomization.yaml`: list the entries of its
//! `resources:` block and comment one in or out.
//!
//! The workshop enables an add-on by uncommenting its line (`sed -i "5s/^#//g"`),
//! and participants read the diff, so we edit the text rather than parse and
//! re-serialize the YAML: only the one matching line changes, and every other
//! byte (indentation, comments, CRLF, a missing final newline) is kept.

/// One line of the file, split into its text and its line ending.
struct Line<'a> {
    text: &'a str,
    ending: &'a str,
}

/// A list item found in the `resources:` block.
struct Entry<'a> {
    /// Index of the line in the file.
    line: usize,
    /// Leading whitespace before `-` (or before `#` when commented out).
    indent: &'a str,
    /// Everything after the `-`: the space, the value, any trailing comment.
    after_dash: &'a str,
    /// The resource itself, without quotes or trailing comment.
    value: &'a str,
    enabled: bool,
}

/// Whether `resource` is listed, uncommented, in the kustomization `text`.
pub(crate) fn is_enabled(text: &str, resource: &str) -> bool {
    entries(text).is_ok_and(|all| all.iter().any(|(name, on)| name == resource && *on))
}

/// Every resource of the `resources:` list, in file order, with whether it is
/// enabled (`true`) or commented out (`false`).
pub(crate) fn entries(text: &str) -> Result<Vec<(String, bool)>, String> {
    let lines = split_lines(text);
    Ok(resource_entries(&lines)?
        .into_iter()
        .map(|e| (e.value.to_string(), e.enabled))
        .collect())
}

/// Comment `resource` in (`enabled`) or out of the `resources:` list.
///
/// `Ok(None)` means it already is in that state and nothing changes.
/// `Err(reason)` when there is no `resources:` list, or `resource` is not
/// listed there at all (neither enabled nor commented out).
pub(crate) fn set_enabled(
    text: &str,
    resource: &str,
    enabled: bool,
) -> Result<Option<String>, String> {
    let lines = split_lines(text);
    let found = resource_entries(&lines)?;
    let matching: Vec<&Entry> = found.iter().filter(|e| e.value == resource).collect();
    if matching.is_empty() {
        return Err(format!(
            "`{resource}` is not listed under `resources:`, neither enabled nor commented out"
        ));
    }
    let mut replacements = Vec::new();
    if enabled {
        if matching.iter().any(|e| e.enabled) {
            return Ok(None);
        }
        // Line the item up with its enabled siblings; with none, keep the
        // indentation the commented line had before its `#`.
        let indent = found
            .iter()
            .find(|e| e.enabled)
            .map_or(matching[0].indent, |e| e.indent);
        replacements.push((
            matching[0].line,
            format!("{indent}-{}", matching[0].after_dash),
        ));
    } else {
        // Normally one line; a resource listed twice is commented out twice,
        // so that afterwards it really is disabled.
        for entry in matching.iter().filter(|e| e.enabled) {
            replacements.push((
                entry.line,
                format!("{}# -{}", entry.indent, entry.after_dash),
            ));
        }
        if replacements.is_empty() {
            return Ok(None);
        }
    }
    let mut out = String::with_capacity(text.len() + 2);
    let mut replacements = replacements.into_iter().peekable();
    for (index, line) in lines.iter().enumerate() {
        match replacements.peek() {
            Some((at, new)) if *at == index => {
                out.push_str(new);
                replacements.next();
            }
            _ => out.push_str(line.text),
        }
        out.push_str(line.ending);
    }
    Ok(Some(out))
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|raw| {
            let body = raw.strip_suffix('\n').unwrap_or(raw);
            let body = body.strip_suffix('\r').unwrap_or(body);
            Line {
                text: body,
                ending: &raw[body.len()..],
            }
        })
        .collect()
}

/// The entries of the first top-level `resources:` block.
fn resource_entries<'a>(lines: &[Line<'a>]) -> Result<Vec<Entry<'a>>, String> {
    let header = lines
        .iter()
        .position(|l| is_resources_header(l.text))
        .ok_or_else(|| "there is no `resources:` list".to_string())?;
    let mut entries = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(header + 1) {
        if !in_block(line.text) {
            break;
        }
        if let Some(mut entry) = parse_entry(line.text) {
            entry.line = index;
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// `resources:` at column 0, optionally followed by a comment. A flow list
/// (`resources: [a.yaml]`) has no lines to comment out, so it does not count.
fn is_resources_header(text: &str) -> bool {
    text.strip_prefix("resources:")
        .map(|rest| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with('#')
        })
        .unwrap_or(false)
}

/// Whether a line after the header still belongs to the block: blank,
/// indented, a comment, or a list item at column 0 (`- a.yaml` is valid YAML
/// right under its key). The next top-level key or `---` ends it.
fn in_block(text: &str) -> bool {
    text.trim().is_empty()
        || text.starts_with([' ', '\t', '#'])
        || text == "-"
        || text.starts_with("- ")
        || text.starts_with("-\t")
}

/// `  - value # comment` (enabled) or `  # - value`, `#- value`,
/// `#  - value` (commented out).
fn parse_entry(text: &str) -> Option<Entry<'_>> {
    let rest = text.trim_start_matches([' ', '\t']);
    let indent = &text[..text.len() - rest.len()];
    let (enabled, item) = match rest.strip_prefix('#') {
        Some(commented) => (false, commented.trim_start_matches([' ', '\t'])),
        None => (true, rest),
    };
    let after_dash = item.strip_prefix('-')?;
    if !(after_dash.is_empty() || after_dash.starts_with([' ', '\t'])) {
        return None;
    }
    let value = scalar(after_dash);
    if value.is_empty() {
        return None;
    }
    Some(Entry {
        line: 0,
        indent,
        after_dash,
        value,
        enabled,
    })
}

/// The scalar after `- `: quoted (`"a.yaml"`, `'a.yaml'`) or plain, where a
/// plain scalar ends at ` #` (a trailing comment).
fn scalar(after_dash: &str) -> &str {
    let item = after_dash.trim_start_matches([' ', '\t']);
    for quote in ['"', '\''] {
        if let Some(quoted) = item.strip_prefix(quote) {
            return quoted.find(quote).map_or("", |end| &quoted[..end]);
        }
    }
    let mut end = item.len();
    for (at, _) in item.match_indices('#') {
        if at > 0 && item[..at].ends_with([' ', '\t']) {
            end = at;
            break;
        }
    }
    item[..end].trim_end()
}

#[cfg(test)]
mod tests;
