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
    "doubt",
    "unknown",
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

/// Words that, after a negation anywhere before them in the same clause, say
/// the person is not sure ("I'm not really sure", "I can't really tell",
/// "not as far as I can tell", "not 100%").
const DOUBTED: &[&str] = &[
    "sure", "certain", "know", "knw", "tell", "say", "aware", "100", "positive", "remember",
];

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
    "cant", "cannot", "couldnt", "wouldnt",
];

/// Answer words that only negate the word right after them: in "no just a
/// bit" the "no" answers the question and the hedge still stands.
const ANSWER_NOES: &[&str] = &["no", "nope", "nah"];

/// Words that may follow a no and keep it a clear no ("no, none of them",
/// "nope, not at all, thanks"). A no followed by anything else ("no, it
/// went away", "no, except…") is not clear enough for a red-flag question.
const NO_WORDS: &[&str] = &[
    "no",
    "nope",
    "nah",
    "none",
    "not",
    "at",
    "all",
    "of",
    "them",
    "these",
    "those",
    "nothing",
    "like",
    "that",
    "this",
    "really",
    "thanks",
    "thank",
    "you",
    "i",
    "dont",
    "do",
    "have",
    "any",
    "im",
    "fine",
    "ok",
    "okay",
    "definitely",
    "absolutely",
    "certainly",
    "way",
    "never",
    "none",
    "whatsoever",
    "sorry",
    "nothing",
    "the",
    "above",
    "listed",
    "signs",
    "symptoms",
    "it",
    "s",
    "course",
    "now",
    "right",
    "currently",
    "good",
    "thankfully",
    "luckily",
    "to",
    "just",
    "only",
    "twitch",
    "twitching",
    "twitches",
    "nose",
    "my",
    "on",
    "one",
    "side",
    "a",
    "well",
    "great",
    "alright",
    "everything",
    "normal",
    "am",
    "feel",
    "feeling",
];

/// Words that say a sign started or stopped, which makes it a yes to "is
/// this happening now, or did it start suddenly?" ("no, it stopped an hour ago").
const STARTED_OR_STOPPED: &[&str] = &[
    "sudden",
    "suddenly",
    "started",
    "began",
    "begun",
    "stopped",
    "ago",
    "earlier",
    "went",
    "gone",
    "passed",
    "faded",
    "came",
    "comes",
    "before",
    "minutes",
    "hour",
    "hours",
    "today",
    "morning",
    "yesterday",
    "anymore",
    "longer",
];

/// The plain yes words of a confirmation.
const YES_WORDS: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "ya",
    "yea",
    "sure",
    "definitely",
    "correct",
    "true",
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

/// Words never corrected: a typo fix must not turn a hedge into a doubt
/// ("sore" is not "sure").
fn known(word: &str) -> bool {
    NEGATIONS.contains(&word)
        || UNSURE_WORDS.contains(&word)
        || HEDGES.iter().any(|h| h.len() == 1 && h[0] == word)
        || NO_WORDS.contains(&word)
        || YES_WORDS.contains(&word)
        || STARTED_OR_STOPPED.contains(&word)
}

/// Whether the whole answer is a clear no: a no-word, then only words that
/// keep it one. What a red-flag question and its confirmation require.
pub fn clear_no(text: &str) -> bool {
    let all: Vec<String> = clauses(text).into_iter().flatten().collect();
    let starts_no = all
        .first()
        .is_some_and(|w| matches!(w.as_str(), "no" | "nope" | "nah" | "none" | "not" | "n"));
    starts_no && all.iter().all(|w| NO_WORDS.contains(&w.as_str()))
}

/// Whether the answer is one plain yes word ("yes", "yep").
pub fn plain_yes(text: &str) -> bool {
    let all: Vec<String> = clauses(text).into_iter().flatten().collect();
    all.len() == 1 && YES_WORDS.contains(&all[0].as_str())
}

/// Yes or no to a confirmation question ("is this happening now, or did it
/// start suddenly?"): doubt, a hedge, or a sign that started or stopped is a
/// yes; only a clear no is a no; `None` when it says neither.
pub fn confirmation(text: &str) -> Option<bool> {
    if matches!(leaning(text), Leaning::Unsure | Leaning::Hedged) {
        return Some(true);
    }
    let all: Vec<String> = clauses(text).into_iter().flatten().collect();
    if all.iter().any(|w| STARTED_OR_STOPPED.contains(&w.as_str())) {
        return Some(true);
    }
    if clear_no(text) {
        return Some(false);
    }
    all.first()
        .filter(|w| YES_WORDS.contains(&w.as_str()))
        .map(|_| true)
}

/// How an answer to a yes/no question leans.
pub fn leaning(text: &str) -> Leaning {
    let clauses = clauses(text);
    let all: Vec<String> = clauses.iter().flatten().cloned().collect();
    let unsure = all.iter().any(|w| UNSURE_WORDS.contains(&w.as_str()))
        || UNSURE_PHRASES.iter().any(|p| find(&all, p).is_some())
        || clauses.iter().any(|clause| {
            clause.iter().enumerate().any(|(i, w)| {
                DOUBTED.contains(&w.as_str())
                    && clause[..i].iter().any(|n| NEGATIONS.contains(&n.as_str()))
            })
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
        .enumerate()
        .any(|(distance, w)| {
            NEGATIONS.contains(&w.as_str()) && (distance == 0 || !ANSWER_NOES.contains(&w.as_str()))
        })
}

/// The text's clauses (split at punctuation and "but"), each as corrected words.
pub fn clauses(text: &str) -> Vec<Vec<String>> {
    text.split([',', '.', ';', '!', '?', '\n', '(', ')'])
        .flat_map(|part| {
            let mut list = words(part);
            correct(&mut list, VOCABULARY, known);
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
    fn only_a_clear_no_is_clear() {
        for typed in [
            "no",
            "No, none of them",
            "nope, not at all",
            "no none of those thanks",
            "NO.",
        ] {
            assert!(clear_no(typed), "{typed}");
        }
        for typed in [
            "no it went away",
            "no, except I feel confused",
            "no wait yes",
            "never until now",
            "no i feel a little numb",
            "i dont feel anything on the left",
        ] {
            assert!(!clear_no(typed), "{typed}");
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
            assert_eq!(confirmation(typed), Some(true), "{typed}");
        }
        assert_eq!(confirmation("no, not now"), Some(false));
        assert_eq!(confirmation("purple"), None);
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
