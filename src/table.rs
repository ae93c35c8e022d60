//! The one table printer: columns padded to their widest cell as a
//! terminal shows it (characters, not bytes; ANSI colours not counted), two
//! spaces apart, the last column unpadded, no trailing spaces.

/// The header line and one line per row, without newlines.
pub(crate) fn lines(header: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    // Cells quote the fork and the cluster: shown, never acted on.
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| crate::outside::cell(c)).collect())
        .collect();
    let rows = &rows;
    let width = console::measure_text_width;
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, cell) in cells.enumerate() {
            s.push_str(cell);
            if i + 1 < widths.len() {
                s.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = vec![line(&mut header.iter().copied())];
    out.extend(rows.iter().map(|r| line(&mut r.iter().map(String::as_str))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_what_a_terminal_shows() {
        let rows = vec![
            vec!["Kustomization".into(), "✘ failed".into(), "x".into()],
            vec!["a".into(), "ok".into(), "a longer last cell".into()],
        ];
        let out = lines(&["KIND", "READY", "MESSAGE"], &rows);
        assert_eq!(
            out,
            [
                "KIND           READY     MESSAGE",
                "Kustomization  ✘ failed  x",
                "a              ok        a longer last cell",
            ]
        );
    }

    #[test]
    fn an_empty_last_cell_leaves_no_trailing_space() {
        let out = lines(&["A", "B"], &[vec!["x".into(), String::new()]]);
        assert_eq!(out[1], "x");
    }
}
