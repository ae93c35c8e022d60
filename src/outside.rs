//! Text from outside (a server's reply, a child's output, a file in the
//! fork) is data: read to a bound, and shown with its control characters
//! escaped, so it can neither drive the terminal (clear the screen, set the
//! window title, move the cursor) nor start a line that looks like ours.

/// How much of an HTTP body is read, at most: GitHub's largest answer we
/// read (a repository's JSON) is a few kilobytes.
pub(crate) const BODY_CAP: usize = 1 << 20;
/// How many characters of a server's or a child's message are shown.
pub(crate) const SHOWN_CHARS: usize = 600;

/// Read an HTTP body to at most `cap` bytes: the bytes, and whether more
/// came (the rest is not read).
pub(crate) async fn read_body<B>(body: &mut B, cap: usize) -> Result<(Vec<u8>, bool), B::Error>
where
    B: http_body::Body<Data = bytes::Bytes> + Unpin,
{
    let mut bytes = Vec::new();
    while let Some(frame) = http_body_util::BodyExt::frame(body).await {
        if let Ok(data) = frame?.into_data() {
            let room = cap - bytes.len();
            bytes.extend_from_slice(&data[..data.len().min(room)]);
            if data.len() > room {
                return Ok((bytes, true));
            }
        }
    }
    Ok((bytes, false))
}

/// Characters a terminal acts on: C0 and C1 controls, DEL, and the
/// bidirectional overrides that make text read other than it is stored.
fn is_active(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// One line of outside text: every active character escaped (line breaks
/// too), and cut to [`SHOWN_CHARS`] with a note of how much was left out.
pub(crate) fn one_line(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len().min(SHOWN_CHARS + 32));
    for (shown, (at, c)) in text.char_indices().enumerate() {
        if shown == SHOWN_CHARS {
            out.push_str(&format!(" … ({} more bytes)", text.len() - at));
            break;
        }
        if is_active(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text about to be printed: active characters escaped except line breaks
/// and tabs, and a line that would pass for one of our own `help:` or
/// `error:` lines indented so it cannot.
pub(crate) fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
            let bare = line.trim_start();
            if ["help:", "error:", "warning:"]
                .iter()
                .any(|ours| bare.starts_with(ours))
            {
                out.push_str("  | ");
            }
        }
        for c in line.chars() {
            if is_active(c) && c != '\t' {
                escape_into(&mut out, c);
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// A table cell: [`one_line`] without the cut, but colour codes (SGR,
/// `ESC [ digits m`, which only paint) kept, as our own cells carry them.
pub(crate) fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}' {
            let params = rest[1..].strip_prefix('[').map(|r| {
                r.len()
                    - r.trim_start_matches(|d: char| d.is_ascii_digit() || d == ';')
                        .len()
            });
            if let Some(n) = params
                && rest[2 + n..].starts_with('m')
            {
                out.push_str(&rest[..3 + n]);
                rest = &rest[3 + n..];
                continue;
            }
        }
        if is_active(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_line_breaks_are_shown_not_acted_on() {
        let hostile = "Bad credentials\u{1b}[2J\u{1b}]0;pwned\u{7}\nhelp: run rm -rf ~";
        let line = one_line(hostile);
        assert!(!line.contains('\u{1b}') && !line.contains('\n') && !line.contains('\u{7}'));
        assert!(
            line.contains("\\u{1b}[2J") && line.contains("\\nhelp:"),
            "{line}"
        );
        assert_eq!(one_line("  plain text \r\n"), "plain text");
        assert_eq!(one_line("a\u{202E}b"), "a\\u{202e}b");
    }

    #[test]
    fn long_text_is_cut_once_with_what_was_left_out() {
        let long = "x".repeat(200_000);
        let line = one_line(&long);
        assert!(line.len() < SHOWN_CHARS + 40, "{}", line.len());
        assert!(line.ends_with(&format!("({} more bytes)", 200_000 - SHOWN_CHARS)));
        let multibyte = "é".repeat(SHOWN_CHARS + 1);
        assert!(one_line(&multibyte).ends_with("(2 more bytes)"));
    }

    #[test]
    fn printed_text_keeps_its_lines_but_no_line_passes_for_ours() {
        let text = "refused:\n  Deployment x\nhelp: fake\n\u{1b}[31merror: fake";
        let out = printable(text);
        assert_eq!(
            out,
            "refused:\n  Deployment x\n  | help: fake\n\\u{1b}[31merror: fake"
        );
        assert_eq!(printable("a\tb"), "a\tb");
    }

    #[tokio::test]
    async fn a_body_is_read_to_its_cap_and_no_further() {
        let mut body = http_body_util::Full::new(bytes::Bytes::from(vec![b'x'; 10_000]));
        let (read, cut) = read_body(&mut body, 4096).await.unwrap();
        assert_eq!((read.len(), cut), (4096, true));
        let mut small = http_body_util::Full::new(bytes::Bytes::from_static(b"{}"));
        assert_eq!(
            read_body(&mut small, 4096).await.unwrap(),
            (b"{}".to_vec(), false)
        );
    }

    #[test]
    fn a_cell_keeps_colour_and_loses_every_other_control() {
        let ours = format!("{}", console::style("✔").green().force_styling(true));
        assert_eq!(cell(&ours), ours);
        assert_eq!(
            cell("x\u{1b}]0;title\u{7}\u{1b}[2J\n"),
            "x\\u{1b}]0;title\\u{7}\\u{1b}[2J\\n"
        );
        assert_eq!(cell("\u{1b}["), "\\u{1b}[");
    }
}
