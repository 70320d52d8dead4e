//! Typed text as words: the shared first step of every reader of answers.

use crate::language::letters::plain_letters;
use crate::language::lexicon::{Lexicon, Words};

/// Splits text into folded words (lowercase, accents dropped, see
/// [`crate::language::letters`]): apostrophes dropped ("don't" is "dont"),
/// digits and letters apart ("10d" is "10", "d"), decimals kept ("1.5"), a
/// dash or slash between numbers read as the language's word for it ("3-4"
/// is "3 to 4"; a dash right before a letter, as in "20-го", is a hyphen),
/// and a `times_letters` letter after a number read as "times" ("3x a day").
pub fn words(lex: &Lexicon, input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_is_number = false;
    let chars: Vec<char> = plain_letters(input).collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '\'' || c == '’' {
            continue;
        }
        let next_is_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        // ".5 weeks" is half a week; "1.5" and "1,5" are one and a half.
        if c == '.' && current.is_empty() && next_is_digit {
            current.push_str("0.");
            current_is_number = true;
            continue;
        }
        let decimal_point = (c == '.' || c == ',') && current_is_number && next_is_digit;
        let is_number = c.is_ascii_digit() || decimal_point;
        let is_word = c.is_alphanumeric() && !c.is_ascii_digit();
        let boundary = !is_number && !is_word || is_number != current_is_number;
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if is_number || is_word {
            current.push(if decimal_point { '.' } else { c });
            current_is_number = is_number;
        } else if matches!(c, '-' | '–' | '—' | '~')
            && last_is_number(&out)
            && !chars.get(i + 1).is_some_and(|n| n.is_alphabetic())
        {
            // "3-4 days": a range; "~4" has no number before it and is dropped.
            out.push(lex.symbols.dash.clone());
        } else if c == '/' {
            out.push(lex.symbols.slash.clone());
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    for i in 1..out.len() {
        if lex.symbols.times_letters.has(&out[i]) && is_number(&out[i - 1]) {
            out[i] = lex.symbols.times.clone();
        }
    }
    out
}

fn last_is_number(words: &[String]) -> bool {
    words.last().is_some_and(|w| is_number(w))
}

/// Whether a word is written in digits.
pub fn is_number(word: &str) -> bool {
    word.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Replaces each word that is not in `known` but is one typo away from a
/// word of `vocabulary` ("twise" → "twice", "weak" → "week"). Words of three
/// letters are only corrected for swapped letters ("dya" → "day").
pub fn correct(words: &mut [String], vocabulary: &Words, known: impl Fn(&str) -> bool) {
    for word in words.iter_mut() {
        if known(word) || vocabulary.has(word) || is_number(word) {
            continue;
        }
        let close = vocabulary.iter().find(|v| typo_of(word, v));
        if let Some(close) = close {
            *word = close.to_string();
        }
    }
}

/// Whether `typed` is one small typo away from `word`.
pub fn typo_of(typed: &str, word: &str) -> bool {
    let (a, b) = (typed.chars().count(), word.chars().count());
    match a.min(b) {
        0..=2 => false,
        3 => a == b && swapped(typed, word),
        _ => within_one_edit(&chars(typed), &chars(word)),
    }
}

fn chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// Whether `a` and `b` are at most one edit apart: the same, one letter
/// changed, added or dropped, or two neighbours swapped ("dialy", "daily").
/// The same answer as `edit_distance(a, b) <= 1`, in one pass and without
/// a table: the red-flag net asks it of every phrase word and typed word.
pub fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let Some(first) = short.iter().zip(long).position(|(x, y)| x != y) else {
        // One is the other, or the other with one more letter at the end.
        return long.len() - short.len() <= 1;
    };
    match long.len() - short.len() {
        // Changed, or swapped with its neighbour.
        0 => {
            short[first + 1..] == long[first + 1..]
                || (first + 1 < short.len()
                    && short[first] == long[first + 1]
                    && short[first + 1] == long[first]
                    && short[first + 2..] == long[first + 2..])
        }
        // One letter more in the longer one, here.
        1 => short[first..] == long[first + 1..],
        _ => false,
    }
}

fn swapped(a: &str, b: &str) -> bool {
    let mut x: Vec<char> = a.chars().collect();
    let mut y: Vec<char> = b.chars().collect();
    x.sort_unstable();
    y.sort_unstable();
    x == y && edit_distance(a, b) == 1
}

/// Edit distance over characters, counting a swap of neighbours as one edit
/// ("dialy" is one edit from "daily").
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Vec<String> {
        words(Lexicon::english(), text)
    }

    #[test]
    fn splits_the_way_people_type() {
        assert_eq!(w("Don't know!"), ["dont", "know"]);
        assert_eq!(w("10d"), ["10", "d"]);
        assert_eq!(w("1.5 weeks"), ["1.5", "weeks"]);
        assert_eq!(w("1,5 weeks"), ["1.5", "weeks"]);
        assert_eq!(w(".5 weeks"), ["0.5", "weeks"]);
        assert_eq!(w("3-4 days"), ["3", "to", "4", "days"]);
        assert_eq!(w("3 – 4 days"), ["3", "to", "4", "days"]);
        assert_eq!(w("~4 days"), ["4", "days"]);
        assert_eq!(w("3x/day"), ["3", "times", "per", "day"]);
        assert_eq!(w("yes 😕"), ["yes"]);
        assert_eq!(
            w("twitching - on and off"),
            ["twitching", "on", "and", "off"]
        );
        assert_eq!(w("Días, SÍ"), ["dias", "si"]);
        assert_eq!(w("с 20-го"), ["с", "20", "го"]);
    }

    #[test]
    fn one_edit_is_what_the_edit_distance_says() {
        let words = [
            "daily",
            "dialy",
            "daly",
            "dailly",
            "daiyl",
            "adily",
            "week",
            "weak",
            "wek",
            "weeks",
            "speech",
            "speach",
            "spech",
            "sppeech",
            "peech",
            "speehc",
            "a",
            "",
            "ab",
            "ba",
            "онемел",
            "онемела",
            "онемнл",
            "нмеел",
        ];
        for a in words {
            for b in words {
                assert_eq!(
                    within_one_edit(&chars(a), &chars(b)),
                    edit_distance(a, b) <= 1,
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn typos_are_corrected_only_when_close() {
        let mut typed = w("twise a weak evry dya four");
        let vocabulary = ["twice", "week", "every", "day", "hour"].map(String::from);
        let vocabulary = Words::try_from(vocabulary.to_vec()).unwrap();
        correct(&mut typed, &vocabulary, |w| w == "four");
        assert_eq!(typed, ["twice", "a", "week", "every", "day", "four"]);
        assert!(!typo_of("no", "on"));
        assert!(typo_of("dya", "day"));
        assert!(!typo_of("dry", "day"));
    }
}
