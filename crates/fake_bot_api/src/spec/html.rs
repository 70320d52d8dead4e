//! Telegram's HTML parse mode, as strictly as its documentation states it:
//! only the tags it lists (`b strong i em u ins s strike del`,
//! `span class="tg-spoiler"`, `tg-spoiler`, `a`, `tg-emoji`, `tg-time`,
//! `code`, `pre`, `blockquote`; names in any case, as Telegram lowercases them), every tag
//! closed in order, and every `<`, `>` and `&` outside a tag written as an
//! entity: `&lt;` `&gt;` `&amp;` `&quot;` or a numeric one (`&#39;`,
//! `&#x27;`). Telegram itself lets a stray `>` or `&` through as text; the
//! documentation asks for them escaped, so the fake does. Errors are worded
//! as Telegram words them (`Unsupported start tag "div" at byte offset 0`).

/// The tags Telegram's HTML parse mode knows.
pub const TAGS: [&str; 17] = [
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "tg-time",
    "code",
    "pre",
    "blockquote",
];

/// The text `html` shows once parsed (tags removed, entities decoded), or
/// why Telegram would not parse it.
pub fn plain(html: &str) -> Result<String, String> {
    let bytes = html.as_bytes();
    let mut plain = String::with_capacity(html.len());
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'<' if bytes.get(i + 1) == Some(&b'/') => {
                let Some(len) = html[i..].find('>') else {
                    return Err(format!("Unclosed end tag at byte offset {i}"));
                };
                let name = html[i + 2..i + len].trim().to_ascii_lowercase();
                match open.pop() {
                    Some(expected) if expected == name => {}
                    Some(expected) => {
                        return Err(format!(
                            "Unmatched end tag at byte offset {i}, expected \"</{expected}>\", found \"</{name}>\""
                        ));
                    }
                    None => return Err(format!("Unexpected end tag at byte offset {i}")),
                }
                i += len + 1;
            }
            b'<' => {
                let (name, end) = start_tag(html, i)?;
                open.push(name);
                i = end;
            }
            b'>' => return Err(format!("Unescaped \">\" at byte offset {i}: write &gt;")),
            b'&' => {
                let (c, len) = entity(html, i)?;
                plain.push(c);
                i += len;
            }
            _ => {
                let c = html[i..].chars().next().expect("a character starts here");
                plain.push(c);
                i += c.len_utf8();
            }
        }
    }
    match open.pop() {
        Some(name) => Err(format!(
            "Can't find end tag corresponding to start tag \"{name}\""
        )),
        None => Ok(plain),
    }
}

/// The start tag at byte `at`: its lowercased name and the byte after it.
fn start_tag(html: &str, at: usize) -> Result<(String, usize), String> {
    let bytes = html.as_bytes();
    let name_len = html[at + 1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(html.len() - at - 1);
    let name = html[at + 1..at + 1 + name_len].to_ascii_lowercase();
    if !TAGS.contains(&name.as_str()) {
        return Err(format!(
            "Unsupported start tag \"{name}\" at byte offset {at}"
        ));
    }
    let mut i = at + 1 + name_len;
    let mut class = None;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        match bytes.get(i) {
            None => return Err(format!("Unclosed start tag at byte offset {at}")),
            Some(b'>') => break,
            Some(_) => {}
        }
        let key_len = html[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(html.len() - i);
        if key_len == 0 {
            return Err(format!(
                "Empty attribute name in the tag \"{name}\" at byte offset {at}"
            ));
        }
        let key = html[i..i + key_len].to_ascii_lowercase();
        i += key_len;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            continue; // an attribute without a value (`expandable`)
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let raw = match bytes.get(i) {
            Some(&quote @ (b'"' | b'\'')) => {
                let Some(len) = html[i + 1..].find(quote as char) else {
                    return Err(format!("Unclosed start tag at byte offset {at}"));
                };
                let raw = &html[i + 1..i + 1 + len];
                i += len + 2;
                raw
            }
            _ => {
                let len = html[i..]
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(html.len() - i);
                let raw = &html[i..i + len];
                i += len;
                raw
            }
        };
        let value = decoded(raw)?;
        if key == "class" {
            class = Some(value);
        }
    }
    if name == "span" && class.as_deref() != Some("tg-spoiler") {
        return Err(format!(
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset {at}"
        ));
    }
    Ok((name, i + 1))
}

/// An attribute's value with its entities decoded (a `&` in it must begin
/// an entity, as in text).
fn decoded(raw: &str) -> Result<String, String> {
    let mut value = String::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw.as_bytes()[i] == b'&' {
            let (c, len) = entity(raw, i)?;
            value.push(c);
            i += len;
        } else {
            let c = raw[i..].chars().next().expect("a character starts here");
            value.push(c);
            i += c.len_utf8();
        }
    }
    Ok(value)
}

/// The entity at byte `at` (which holds `&`): the character it stands for
/// and its length in bytes.
fn entity(html: &str, at: usize) -> Result<(char, usize), String> {
    let unescaped = || format!("Unescaped \"&\" at byte offset {at}: write &amp;");
    let rest = &html[at + 1..];
    let Some(len) = rest.find(';').filter(|&n| n <= 10) else {
        return Err(unescaped());
    };
    let name = &rest[..len];
    let c = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(decimal) = name.strip_prefix('#') {
                decimal.parse().ok()
            } else if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "Unsupported HTML entity \"&{name};\" at byte offset {at}: only &lt; &gt; &amp; &quot; and numeric ones"
                ));
            } else {
                return Err(unescaped());
            };
            code.and_then(char::from_u32).ok_or_else(unescaped)?
        }
    };
    Ok((c, len + 2))
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn allowed_tags_and_entities_parse_to_their_text() {
        let html = "<b>Bold</b> <I>it</I> <a href=\"https://x.org/?a=1&amp;b=2\">link</a> \
            <span class=\"tg-spoiler\">s</span> <blockquote expandable>q</blockquote> \
            <tg-time unix=\"1700000000\" format=\"wDT\">t</tg-time> \
            &lt;&gt;&amp;&quot;&#39;&#x27;";
        assert_eq!(plain(html).unwrap(), "Bold it link s q t <>&\"''");
        assert_eq!(
            plain("<pre><code class=\"language-rust\">x</code></pre>").unwrap(),
            "x"
        );
    }

    #[test]
    fn what_telegram_refuses_is_refused() {
        let cases = [
            (
                "<div>x</div>",
                "Unsupported start tag \"div\" at byte offset 0",
            ),
            ("<br>", "Unsupported start tag \"br\""),
            (
                "a <b>b",
                "Can't find end tag corresponding to start tag \"b\"",
            ),
            (
                "<b><i>x</b></i>",
                "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\"",
            ),
            ("x</b>", "Unexpected end tag"),
            ("1 < 2", "Unsupported start tag \"\" at byte offset 2"),
            ("1 > 2", "Unescaped \">\""),
            ("fish & chips", "Unescaped \"&\""),
            ("&nbsp;", "Unsupported HTML entity \"&nbsp;\""),
            ("<span>x</span>", "must have class \"tg-spoiler\""),
            ("<b", "Unclosed start tag"),
        ];
        for (html, want) in cases {
            let why = plain(html).unwrap_err();
            assert!(why.contains(want), "{html:?}: {why}");
        }
    }
}
