//! Reading yes/no answers the way people hedge them: "not sure" is neither
//! yes nor no, "a little" is a yes, "not even a little" is not.
//!
//! English only for now; the words move to each language's data with the
//! languages issue.

use super::words::{correct, find, words};

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

/// Words that on their own say the person is not sure.
const UNSURE_WORDS: &[&str] = &[
    "maybe",
    "mayb",
    "perhaps",
    "possibly",
    "possible",
    "probably",
    "prob",
    "probs",
    "idk",
    "idunno",
    "dunno",
    "unsure",
    "uncertain",
    "unclear",
    "guess",
    "might",
];

/// Runs of words that say the person is not sure.
const UNSURE_PHRASES: &[&[&str]] = &[
    &["dont", "no"],
    &["dont", "kno"],
    &["do", "not", "no"],
    &["no", "idea"],
    &["no", "clue"],
    &["not", "a", "clue"],
    &["cant", "tell"],
    &["cannot", "tell"],
    &["can", "not", "tell"],
    &["cant", "say"],
    &["cannot", "say"],
    &["hard", "to", "say"],
    &["hard", "to", "tell"],
    &["difficult", "to", "say"],
    &["difficult", "to", "tell"],
    &["tough", "to", "say"],
    &["think", "so"],
    &["i", "think"],
    &["believe", "so"],
    &["could", "be"],
    &["may", "be"],
    &["who", "knows"],
    &["who", "know"],
    &["not", "positive"],
    &["cant", "remember"],
    &["dont", "remember"],
    &["not", "that", "i", "know"],
];

/// Words that, after a negation in the same clause, say the person is not sure
/// ("I'm not really sure", "I don't really know").
const DOUBTED: &[&str] = &["sure", "certain", "know", "knw"];

/// Qualified yeses.
const HEDGES: &[&[&str]] = &[
    &["a", "little"],
    &["a", "bit"],
    &["a", "tad"],
    &["little", "bit"],
    &["bit"],
    &["slightly"],
    &["slight"],
    &["somewhat"],
    &["sometimes"],
    &["occasionally"],
    &["kind", "of"],
    &["kinda"],
    &["sort", "of"],
    &["sorta"],
    &["mild"],
    &["mildly"],
    &["now", "and", "then"],
    &["from", "time", "to", "time"],
    &["at", "times"],
    &["on", "and", "off"],
    &["here", "and", "there"],
    &["partly"],
    &["hurts"],
    &["hurt"],
    &["hurting"],
    &["aches"],
    &["ache"],
    &["aching"],
    &["achy"],
    &["sore"],
    &["tender"],
    &["painful"],
    &["stings"],
    &["throbs"],
    &["throbbing"],
    &["uncomfortable"],
];

/// Words that negate what follows them in a clause.
pub const NEGATIONS: &[&str] = &[
    "no", "not", "nope", "nah", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt",
    "werent", "havent", "hasnt", "hadnt", "without", "nothing", "none", "neither", "nor", "wont",
];

/// Words typos are corrected towards before reading.
const VOCABULARY: &[&str] = &[
    "sure",
    "know",
    "maybe",
    "idea",
    "certain",
    "probably",
    "possibly",
    "perhaps",
    "think",
    "guess",
    "little",
    "slightly",
    "sometimes",
    "somewhat",
    "occasionally",
    "hurts",
    "dont",
    "doesnt",
    "really",
    "remember",
];

/// How an answer to a yes/no question leans.
pub fn leaning(text: &str) -> Leaning {
    let clauses = clauses(text);
    let all: Vec<String> = clauses.iter().flatten().cloned().collect();
    let unsure = all.iter().any(|w| UNSURE_WORDS.contains(&w.as_str()))
        || UNSURE_PHRASES.iter().any(|p| find(&all, p).is_some())
        || clauses.iter().any(|clause| {
            clause
                .iter()
                .enumerate()
                .any(|(i, w)| DOUBTED.contains(&w.as_str()) && negated(clause, i))
        });
    if unsure {
        return Leaning::Unsure;
    }
    let mut denied = false;
    for clause in &clauses {
        for hedge in HEDGES {
            match find(clause, hedge) {
                Some(at) if negated(clause, at) => denied = true,
                Some(_) => return Leaning::Hedged,
                None => {}
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
pub fn negated(clause: &[String], at: usize) -> bool {
    clause[..at]
        .iter()
        .rev()
        .take(4)
        .any(|w| NEGATIONS.contains(&w.as_str()))
}

/// The text's clauses (split at punctuation and "but"), each as corrected words.
pub fn clauses(text: &str) -> Vec<Vec<String>> {
    text.split([',', '.', ';', '!', '?', '\n', '(', ')'])
        .flat_map(|part| {
            let mut list = words(part);
            correct(&mut list, VOCABULARY, |w| NEGATIONS.contains(&w));
            let mut out = vec![Vec::new()];
            for word in list {
                if word == "but" {
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
        ] {
            assert_eq!(leaning(typed), Leaning::Unsure, "{typed}");
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
            assert_eq!(leaning(typed), Leaning::Hedged, "{typed}");
        }
        for typed in [
            "not even a little",
            "it doesn't hurt",
            "no, it doesn't hurt",
        ] {
            assert_eq!(leaning(typed), Leaning::Denied, "{typed}");
        }
        for typed in ["no", "yes", "not at all", "no, not really"] {
            assert_eq!(leaning(typed), Leaning::Plain, "{typed}");
        }
    }
}
