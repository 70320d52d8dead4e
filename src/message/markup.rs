//! The bot's own text markup: plain text with `<b>` and `<i>`, and `&lt;`,
//! `&gt;` and `&amp;` for the characters they stand for. It is a
//! subset both Telegram's HTML and Matrix's `formatted_body` take as it is;
//! a platform without markup shows [`plain_text`]. Everything from the
//! dialogue data or a person is escaped before it goes in.

/// The longest message any platform we serve takes (Telegram: 4096 UTF-16
/// units); longer texts are split before they are queued.
pub const MAX_MESSAGE: usize = 4096;

/// `text` with the markup's special characters escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// The text a person reads, without the markup: tags dropped, escapes read.
pub fn plain_text(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut rest = markup;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => {
                    out.push_str(rest);
                    rest = "";
                }
            }
            continue;
        }
        let entity = [
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&amp;", '&'),
            ("&quot;", '"'),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e));
        match entity {
            Some((e, c)) => {
                out.push(c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits text into messages within [`MAX_MESSAGE`], at paragraph breaks
/// where possible (so tags, which never span paragraphs, stay whole).
pub fn split(text: &str) -> Vec<String> {
    let fits = |s: &str| s.encode_utf16().count() <= MAX_MESSAGE;
    let mut messages = Vec::new();
    let mut current = String::new();
    for paragraph in text.split("\n\n") {
        let joined = if current.is_empty() {
            paragraph.to_string()
        } else {
            format!("{current}\n\n{paragraph}")
        };
        if fits(&joined) {
            current = joined;
            continue;
        }
        if !current.is_empty() {
            messages.push(std::mem::take(&mut current));
        }
        if fits(paragraph) {
            current = paragraph.to_string();
        } else {
            let mut piece = String::new();
            for c in paragraph.chars() {
                if piece.encode_utf16().count() + c.len_utf16() > MAX_MESSAGE {
                    messages.push(std::mem::take(&mut piece));
                }
                piece.push(c);
            }
            current = piece;
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_every_message_within_the_limit() {
        let long = format!(
            "{}\n\n{}\n\n{}",
            "a".repeat(3000),
            "b".repeat(3000),
            "c".repeat(9000)
        );
        let parts = split(&long);
        assert!(
            parts
                .iter()
                .all(|p| p.encode_utf16().count() <= MAX_MESSAGE)
        );
        assert_eq!(parts.concat().replace("\n\n", ""), long.replace("\n\n", ""));
        assert_eq!(split("short"), vec!["short".to_string()]);
    }

    #[test]
    fn plain_text_reads_what_escape_wrote() {
        let said = "<b>x</b> & \"y\" &amp;";
        let markup = format!("<b>Q</b> — <i>{}</i>", escape(said));
        assert_eq!(plain_text(&markup), format!("Q — {said}"));
        assert_eq!(plain_text("a & b <"), "a & b <");
    }
}
