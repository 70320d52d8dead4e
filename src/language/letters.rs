//! Letters as matching sees them: lowercase, without the accents people
//! often leave out when typing ("días" is "dias", "всё" is "все").

/// The letter `c` folded for matching: lowercase, a Latin letter without its
/// accent ("á" is "a", "ñ" is "n", "ç" is "c"), "ё" as "е". Anything else
/// comes back lowercased.
pub fn plain(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' | 'ĺ' | 'ļ' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' => 's',
        'ţ' | 'ť' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ё' => 'е',
        other => other,
    }
}

/// The characters of `text` folded by [`plain`], with combining accents
/// (typed as a letter followed by a separate mark) dropped, except the
/// breve that makes "и" into "й", a letter of its own.
pub fn plain_letters(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        loop {
            let c = chars.next()?;
            if is_combining_mark(c) {
                continue;
            }
            let c = plain(c);
            if c == 'и' && chars.peek() == Some(&'\u{306}') {
                chars.next();
                return Some('й');
            }
            return Some(c);
        }
    })
}

/// Whether `c` is a combining accent (U+0300 to U+036F).
fn is_combining_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Folds typed text for comparison: lowercase, accents dropped (see
/// [`plain_letters`]), punctuation to spaces, one space between
/// words, apostrophes dropped (so "Don't!" and "dont", "Sí" and "si" are the same).
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in plain_letters(text).filter(|&c| c != '\'' && c != '’') {
        if c.is_alphanumeric() {
            folded.push(c);
        } else if !folded.is_empty() && !folded.ends_with(' ') {
            folded.push(' ');
        }
    }
    let trimmed = folded.trim_end().len();
    folded.truncate(trimmed);
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        plain_letters(text).collect()
    }

    #[test]
    fn accents_and_case_fold_away() {
        assert_eq!(folded("Sí"), "si");
        assert_eq!(folded("DÍAS"), "dias");
        assert_eq!(folded("año, pingüino, façade"), "ano, pinguino, facade");
        assert_eq!(folded("Всё"), "все");
        assert_eq!(folded("ЁЛКА"), "елка");
        assert_eq!(folded("di\u{301}as"), "dias");
        assert_eq!(folded("и\u{306}од"), "йод");
        assert_eq!(folded("йод"), "йод");
        assert_eq!(folded("Don't"), "don't");
    }
}
