//! Reading yes/no answers the way people hedge them: "not sure" is neither
//! yes nor no, "a little" is a yes, "not even a little" is not. The words are
//! the language's [`YesNoWords`].

use super::words::{correct, words};
use crate::language::lexicon::{Lexicon, YesNoWords};

/// What a typed answer to a yes/no question leans to, before its options are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaning {
    /// The person does not know: never read as yes or no.
    Unsure,
    /// A qualified yes ("a little", "sometimes", "it hurts").
    Hedged,
    /// A qualified yes, denied ("not even a little", "it doesn't hurt"): a no.
    Denied,
    /// Neither: read the answer against the options.
    Plain,
}

/// Words never corrected: a typo fix must not turn a hedge into a doubt
/// ("sore" is not "sure").
fn known(words: &YesNoWords, word: &str) -> bool {
    words.negations.has(word)
        || words.unsure.has(word)
        || words.hedges.iter().any(|h| h.len() == 1 && h[0] == word)
        || words.clear_no_words.has(word)
        || words.yes.has(word)
        || words.started_or_stopped.has(word)
}

/// Whether the whole answer is a clear no: a no-word, then only words that
/// keep it one. What a red-flag question and its confirmation require.
pub fn clear_no(lex: &Lexicon, text: &str) -> bool {
    let all: Vec<String> = clauses(lex, text).into_iter().flatten().collect();
    let words = &lex.yes_no;
    words.clear_no_starts.starting_at(&all, 0).is_some()
        && all.iter().all(|w| words.clear_no_words.has(w))
}

/// Whether the answer is one plain yes word ("yes", "yep").
pub fn plain_yes(lex: &Lexicon, text: &str) -> bool {
    let all: Vec<String> = clauses(lex, text).into_iter().flatten().collect();
    all.len() == 1 && lex.yes_no.yes.has(&all[0])
}

/// Yes or no to a confirmation question ("is this happening now, or did it
/// start suddenly?"): doubt, a hedge, or a sign that started or stopped is a
/// yes; only a clear no is a no; `None` when it says neither.
pub fn confirmation(lex: &Lexicon, text: &str) -> Option<bool> {
    if matches!(leaning(lex, text), Leaning::Unsure | Leaning::Hedged) {
        return Some(true);
    }
    let all: Vec<String> = clauses(lex, text).into_iter().flatten().collect();
    if all.iter().any(|w| lex.yes_no.started_or_stopped.has(w)) {
        return Some(true);
    }
    if clear_no(lex, text) {
        return Some(false);
    }
    all.first().filter(|w| lex.yes_no.yes.has(w)).map(|_| true)
}

/// How an answer to a yes/no question leans.
pub fn leaning(lex: &Lexicon, text: &str) -> Leaning {
    let words = &lex.yes_no;
    let clauses = clauses(lex, text);
    let all: Vec<String> = clauses.iter().flatten().cloned().collect();
    let unsure = all.iter().any(|w| words.unsure.has(w))
        || words.unsure_phrases.in_words(&all)
        || clauses.iter().any(|clause| {
            clause.iter().enumerate().any(|(i, w)| {
                words.doubted.has(w) && clause[..i].iter().any(|n| words.negations.has(n))
            })
        });
    if unsure {
        return Leaning::Unsure;
    }
    let mut denied = false;
    for clause in &clauses {
        for at in words.hedges.found_at(clause) {
            if negated(lex, clause, at) {
                denied = true;
            } else {
                return Leaning::Hedged;
            }
        }
    }
    if denied {
        Leaning::Denied
    } else {
        Leaning::Plain
    }
}

/// Whether the word at `at` follows a negation in its clause ("not even a
/// little", "it doesn't hurt").
pub fn negated(lex: &Lexicon, clause: &[String], at: usize) -> bool {
    let words = &lex.yes_no;
    clause[..at]
        .iter()
        .rev()
        .take(4)
        .enumerate()
        .any(|(distance, w)| words.negations.has(w) && (distance == 0 || !words.answer_noes.has(w)))
}

/// The text's clauses (split at punctuation and at words such as "but"),
/// each as corrected words.
pub fn clauses(lex: &Lexicon, text: &str) -> Vec<Vec<String>> {
    let yes_no = &lex.yes_no;
    text.split([',', '.', ';', '!', '?', '\n', '(', ')'])
        .flat_map(|part| {
            let mut list = words(lex, part);
            correct(&mut list, &yes_no.typos, |w| known(yes_no, w));
            let mut out = vec![Vec::new()];
            for word in list {
                if yes_no.clause_breaks.has(&word) {
                    out.push(Vec::new());
                } else if let Some(last) = out.last_mut() {
                    last.push(word);
                }
            }
            out
        })
        .filter(|clause| !clause.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> &'static Lexicon {
        Lexicon::english()
    }

    #[test]
    fn only_a_clear_no_is_clear() {
        for typed in [
            "no",
            "No, none of them",
            "nope, not at all",
            "no none of those thanks",
            "NO.",
        ] {
            assert!(clear_no(en(), typed), "{typed}");
        }
        for typed in [
            "no it went away",
            "no, except I feel confused",
            "no wait yes",
            "never until now",
            "no i feel a little numb",
            "i dont feel anything on the left",
        ] {
            assert!(!clear_no(en(), typed), "{typed}");
        }
    }

    #[test]
    fn a_confirmation_leans_to_yes() {
        for typed in [
            "yes",
            "no, it started suddenly an hour ago",
            "nope, it stopped 10 minutes ago",
            "no, can't be sure",
            "maybe",
        ] {
            assert_eq!(confirmation(en(), typed), Some(true), "{typed}");
        }
        assert_eq!(confirmation(en(), "no, not now"), Some(false));
        assert_eq!(confirmation(en(), "purple"), None);
    }

    #[test]
    fn uncertainty_is_never_a_plain_answer() {
        for typed in [
            "I don't know",
            "dont no",
            "not sure",
            "not shure",
            "I'm not really sure",
            "maybe",
            "no idea",
            "probably not",
            "i think so",
            "no, I'm not sure",
            "idk",
            "hard to say",
            "not that i know of",
            "no, can't be sure",
            "no, i couldn't say",
            "no, i can't really tell",
            "no... not 100%",
            "no, not as far as i can tell",
            "no i doubt it",
        ] {
            assert_eq!(leaning(en(), typed), Leaning::Unsure, "{typed}");
        }
    }

    #[test]
    fn hedges_are_yes_unless_negated() {
        for typed in [
            "a little",
            "slightly",
            "sometimes",
            "it hurts",
            "no, just a bit",
            "kinda",
        ] {
            assert_eq!(leaning(en(), typed), Leaning::Hedged, "{typed}");
        }
        for typed in [
            "not even a little",
            "it doesn't hurt",
            "no, it doesn't hurt",
        ] {
            assert_eq!(leaning(en(), typed), Leaning::Denied, "{typed}");
        }
        for typed in ["no", "yes", "not at all", "no, not really"] {
            assert_eq!(leaning(en(), typed), Leaning::Plain, "{typed}");
        }
    }
}
