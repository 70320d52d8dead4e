//! Placeholders in dialogue texts: `{name}`, where the name is spelled like
//! an id ([`is_id`](super::is_id)), so every node id can be one. Checking a
//! dialogue, checking a translation against it and filling in answers all
//! find them here, so they never disagree about what a placeholder is.

/// The placeholders of `text` in order, each with the byte offset of its
/// `{`: every `{name}` whose name is an id. Anything else in braces is text.
pub fn placeholders(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(open) = text[from..].find('{').map(|at| from + at) {
            let after = &text[open + 1..];
            let name = &after[..after.find(|c| !is_id_char(c)).unwrap_or(after.len())];
            from = open + 1;
            if !name.is_empty() && after[name.len()..].starts_with('}') {
                from += name.len() + 1;
                return Some((open, name));
            }
        }
        None
    })
}

/// Whether `text` holds the placeholder `{name}` (a count's `{days}`).
pub fn holds(text: &str, name: &str) -> bool {
    placeholders(text).any(|(_, found)| found == name)
}

/// `text` with each placeholder replaced by `value(name)`, or kept as
/// written where that is `None` (a name this text cannot fill).
pub fn fill(text: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut written = 0;
    for (open, name) in placeholders(text) {
        if let Some(value) = value(name) {
            out.push_str(&text[written..open]);
            out.push_str(&value);
            written = open + name.len() + 2;
        }
    }
    out.push_str(&text[written..]);
    out
}

/// A character an id, and so a placeholder's name, may hold.
pub(super) fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(usize, &str)> {
        placeholders(text).collect()
    }

    #[test]
    fn a_placeholder_is_an_id_in_braces() {
        assert_eq!(names("{a} and {b_2}"), [(0, "a"), (8, "b_2")]);
        assert_eq!(names("you said {other-details}."), [(9, "other-details")]);
        assert_eq!(names("{} { a} {a b} {a.b} {ä} {a"), []);
    }

    #[test]
    fn braces_around_no_id_do_not_hide_the_next_placeholder() {
        assert_eq!(names("{ {a}"), [(2, "a")]);
        assert_eq!(names("{{a}}"), [(1, "a")]);
        assert_eq!(names("{x {days}"), [(3, "days")]);
    }

    #[test]
    fn fill_replaces_what_it_knows_and_keeps_the_rest() {
        let value = |name: &str| (name == "days").then(|| "5".to_string());
        assert_eq!(fill("in {days} days", value), "in 5 days");
        assert_eq!(fill("{days}/{days}", value), "5/5");
        assert_eq!(fill("{other} {days}", value), "{other} 5");
        assert_eq!(fill("{{days}}", value), "{5}");
        assert_eq!(fill("no braces", value), "no braces");
        assert_eq!(fill("", value), "");
    }
}
