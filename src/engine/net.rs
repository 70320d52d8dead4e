//! The red-flag net: an emergency sign described in a person's own words,
//! at any point of the conversation, is caught here before anything else
//! reads the message.
//!
//! A phrase of the dialogue's `[red_flags]` matches a message that holds each
//! of its words, in any order: a word of four letters or more also matches
//! the start of a longer word ("droop" matches "drooping"), and one of five
//! or more also matches with one typo ("speach"); shorter words match whole.

use crate::language::lexicon::Lexicon;
use crate::script::{RedFlags, Sign, fold};

use super::words::within_one_edit;

/// The first sign (in file order) one of whose phrases the message holds.
/// A word denied right before it in its own clause ("no numbness") does not
/// count; a denial that ends a clause ("no, slurred speech") denies nothing.
/// A phrase holding a denial itself ("no feeling in my face") is matched
/// against every word. Denials are the language's `net.denials`.
pub fn caught<'s>(lex: &Lexicon, red_flags: &'s RedFlags, text: &str) -> Option<&'s Sign> {
    let denials = &lex.net.denials;
    let mut every: Vec<String> = Vec::new();
    let mut affirmed: Vec<String> = Vec::new();
    for clause in text.split([',', '.', ';', '!', '?', '\n', ':', '(', ')']) {
        let words: Vec<String> = fold(clause).split(' ').map(str::to_string).collect();
        for (i, word) in words.iter().enumerate() {
            if i == 0 || !denials.has(&words[i - 1]) {
                affirmed.push(word.clone());
            }
        }
        every.extend(words);
    }
    let (every, affirmed) = (Words::new(every), Words::new(affirmed));
    red_flags.signs.iter().find(|sign| {
        sign.phrases.iter().any(|phrase| {
            let denial_inside = phrase.iter().any(|p| denials.has(p));
            let pool = if denial_inside { &every } else { &affirmed };
            phrase.iter().all(|p| pool.hold(p))
        })
    })
}

/// A message's distinct words, each also as letters for the typo check, so
/// that the hundreds of phrase words every message is held against do not
/// split them again each time.
struct Words {
    /// Each distinct word, and its letters.
    words: Vec<(String, Vec<char>)>,
    /// The most letters a word has: no typo of a phrase word two letters
    /// longer can be among them.
    longest: usize,
}

impl Words {
    fn new(mut words: Vec<String>) -> Self {
        words.retain(|w| !w.is_empty());
        words.sort_unstable();
        words.dedup();
        let words: Vec<(String, Vec<char>)> = words
            .into_iter()
            .map(|w| {
                let letters = w.chars().collect();
                (w, letters)
            })
            .collect();
        let longest = words.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
        Self { words, longest }
    }

    /// Whether a word of the message is the phrase word `p`, a longer form of
    /// it or a typo of it.
    fn hold(&self, p: &str) -> bool {
        let len = p.chars().count();
        if len < 4 {
            return self.words.iter().any(|(w, _)| w == p);
        }
        if self.words.iter().any(|(w, _)| w.starts_with(p)) {
            return true;
        }
        if len < 5 || self.longest + 1 < len {
            return false;
        }
        let mut phrase = Vec::with_capacity(len);
        phrase.extend(p.chars());
        self.words.iter().any(|(_, typed)| typo(&phrase, typed))
    }
}

/// Whether the typed word starts with the phrase word (of five letters or
/// more) written with one typo.
fn typo(p: &[char], w: &[char]) -> bool {
    let len = p.len();
    if w.len() + 1 < len {
        return false;
    }
    (len - 1..=len + 1)
        .filter(|&n| n <= w.len())
        .any(|n| within_one_edit(p, &w[..n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(p: &str, w: &str) -> bool {
        Words::new(vec![w.to_string()]).hold(p)
    }

    #[test]
    fn words_match_by_start_and_small_typos() {
        assert!(matches("droop", "drooping"));
        assert!(matches("droop", "drooped"));
        assert!(matches("speech", "speach"));
        assert!(matches("slurred", "slured"));
        assert!(matches("face", "faces"));
        assert!(!matches("face", "fac"));
        assert!(!matches("arm", "army"));
        assert!(matches("arm", "arm"));
    }
}
