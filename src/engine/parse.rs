//! Matching typed answers to a question's options the way a person would
//! mean them: labels, listed synonyms, a known answer among more words, and
//! small typos.

use super::words::edit_distance;
use super::yes_no::{clear_no, negated};
use crate::language::lexicon::Lexicon;
use crate::script::{Choice, Node, fold};

/// Which option a typed answer means, if exactly one fits.
///
/// Tries, in order: an exact match of value, label or synonym (case and
/// punctuation ignored); a known answer followed by more words ("no, not
/// really"); a known answer among other words and not negated ("I'd say
/// often", but not "not often"); a close misspelling ("yess", "dialy").
///
/// At a red-flag question a no is only taken when it is clear: exactly, or
/// from an answer that is a no and nothing else ("no, none of them"; not
/// "no, it went away" or "no, except…"). Negations and a clear no are the
/// language's words in `lex`.
pub fn match_option<'n>(lex: &Lexicon, node: &'n Node, input: &str) -> Option<&'n Choice> {
    let typed = fold(input);
    if typed.is_empty() {
        return None;
    }
    // At a red-flag question a no is doubtful unless it is a clear no (its
    // repeated letters written once: "noo") that names none of the yes
    // answers ("no, right now" at "did it come on suddenly?").
    let clear = |option: &'n Choice| {
        let doubtful = node.red_flag
            && option.value == "no"
            && (!(clear_no(lex, input) || clear_no(lex, &collapse(input)))
                || names_yes(node, &typed));
        (!doubtful).then_some(option)
    };
    exact_option(node, &typed)
        .or_else(|| {
            leading_option(lex, node, &typed, &first_clause(input)).and_then(|(o, _)| clear(o))
        })
        .or_else(|| {
            (!node.red_flag)
                .then(|| contained_option(lex, node, &typed))
                .flatten()
        })
        // A misspelt no is no clear no ("no, sudden" is one letter from
        // "not sudden").
        .or_else(|| close_option(node, &typed).and_then(clear))
}

/// Which option a typed answer names exactly (case and punctuation ignored).
pub fn match_option_exactly<'n>(node: &'n Node, input: &str) -> Option<&'n Choice> {
    exact_option(node, &fold(input))
}

/// Which quick pick a free-text answer asks for: named exactly, leading a
/// longer answer ("skip please"), as a phrase of several words inside it
/// ("I'd rather not say"), or as one of two words ("nah, skip"); one word
/// inside a longer answer ("it will pass") is just text.
pub fn match_quick_pick<'n>(lex: &Lexicon, node: &'n Node, input: &str) -> Option<&'n Choice> {
    let typed = fold(input);
    exact_option(node, &typed)
        .or_else(|| {
            leading_option(lex, node, &typed, &first_clause(input)).map(|(option, _)| option)
        })
        .or_else(|| {
            contained_option(lex, node, &typed)
                .filter(|_| typed.split(' ').count() <= 2 || several_words_inside(node, &typed))
        })
}

/// Whether the answer holds, as whole words, one of the question's own
/// phrases for yes (its label or a synonym of two words or more).
fn names_yes(node: &Node, typed: &str) -> bool {
    node.option("yes")
        .is_some_and(|yes| holds_phrase_of(yes, typed))
}

fn several_words_inside(node: &Node, typed: &str) -> bool {
    node.options.iter().any(|o| holds_phrase_of(o, typed))
}

/// Whether `typed` holds, as whole words, one of the option's phrases of two
/// words or more.
fn holds_phrase_of(option: &Choice, typed: &str) -> bool {
    let padded = format!(" {typed} ");
    words_of(option).any(|w| w.contains(' ') && padded.contains(&format!(" {w} ")))
}

/// Whether the typed answer is one of the option's own words exactly, so
/// that echoing it back would say nothing new.
pub fn names_option(option: &Choice, input: &str) -> bool {
    let typed = fold(input);
    words_of(option).any(|w| w == typed)
}

fn words_of(option: &Choice) -> impl Iterator<Item = String> + '_ {
    [fold(&option.value.replace('_', " ")), fold(&option.label)]
        .into_iter()
        .chain(option.synonyms.iter().map(|s| fold(s)))
        .filter(|w| !w.is_empty())
}

/// The single option among `found`, or none when zero or several fit.
fn only<'n>(found: impl Iterator<Item = &'n Choice>) -> Option<&'n Choice> {
    let mut found = found.peekable();
    let first = found.next()?;
    found
        .all(|other| other.value == first.value)
        .then_some(first)
}

fn exact_option<'n>(node: &'n Node, typed: &str) -> Option<&'n Choice> {
    only(
        node.options
            .iter()
            .filter(|o| words_of(o).any(|w| w == typed)),
    )
}

/// The option whose word starts a longer answer, with that word; a word
/// turned round by a negation after it ("I have no…") does not count.
fn leading_option<'n>(
    lex: &Lexicon,
    node: &'n Node,
    typed: &str,
    first: &str,
) -> Option<(&'n Choice, String)> {
    // A phrase that is the whole first clause ("sí, no puedo dormir") is
    // not turned by what the next clause says.
    let leads = |w: &str| {
        typed
            .strip_prefix(w)
            .and_then(|rest| rest.strip_prefix(' '))
            .is_some_and(|rest| first == w || !turned(lex, w, rest.split(' ').next()))
    };
    let longest = node
        .options
        .iter()
        .filter_map(|o| {
            words_of(o)
                .filter(|w| leads(w))
                .max_by_key(String::len)
                .map(|w| (w, o))
        })
        .max_by_key(|(w, _)| w.len())?;
    let ties = node.options.iter().filter(|o| {
        o.value != longest.1.value && words_of(o).any(|w| w.len() == longest.0.len() && leads(&w))
    });
    (ties.count() == 0).then_some((longest.1, longest.0))
}

/// The first clause of typed text (up to a comma, full stop, semicolon,
/// colon, question or exclamation mark), folded.
fn first_clause(input: &str) -> String {
    fold(
        input
            .split([',', '.', ';', ':', '!', '?', '¡', '¿'])
            .find(|c| !c.trim().is_empty())
            .unwrap_or(""),
    )
}

/// Whether `next`, the word after a matched `phrase`, negates it ("I have
/// no…"); a phrase that is itself negative ("no, not really") stays.
fn turned(lex: &Lexicon, phrase: &str, next: Option<&str>) -> bool {
    let negations = &lex.yes_no.negations;
    let negative = phrase
        .split(' ')
        .next()
        .is_some_and(|first| negations.has(first));
    !negative && next.is_some_and(|w| negations.has(w))
}

/// The option one of whose words appears among the typed words, not negated;
/// the longest such word wins, and two options tied mean none.
fn contained_option<'n>(lex: &Lexicon, node: &'n Node, typed: &str) -> Option<&'n Choice> {
    let words: Vec<String> = typed.split(' ').map(str::to_string).collect();
    let found = |phrase: &str| {
        let phrase: Vec<&str> = phrase.split(' ').collect();
        (0..words.len().saturating_sub(phrase.len() - 1)).any(|at| {
            let here = phrase.iter().zip(&words[at..]).all(|(p, w)| p == w);
            let next = words.get(at + phrase.len()).map(String::as_str);
            here && !negated(lex, &words, at) && !turned(lex, &phrase.join(" "), next)
        })
    };
    let scored: Vec<(usize, &Choice)> = node
        .options
        .iter()
        .filter_map(|o| {
            words_of(o)
                .filter(|w| found(w))
                .map(|w| w.split(' ').count())
                .max()
                .map(|n| (n, o))
        })
        .collect();
    let best = scored.iter().map(|(n, _)| *n).max()?;
    only(scored.iter().filter(|(n, _)| *n == best).map(|(_, o)| *o))
}

fn close_option<'n>(node: &'n Node, typed: &str) -> Option<&'n Choice> {
    let allowed = |len: usize| match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let scored: Vec<(usize, &Choice)> = node
        .options
        .iter()
        .filter_map(|o| {
            words_of(o)
                .filter_map(|w| {
                    // "noo", "yesss": repeated letters are one.
                    let distance = edit_distance(&collapse(&w), &collapse(typed));
                    let longer = w.chars().count().max(typed.chars().count());
                    (distance <= allowed(longer)).then_some(distance)
                })
                .min()
                .map(|d| (d, o))
        })
        .collect();
    let best = scored.iter().map(|(d, _)| *d).min()?;
    only(scored.iter().filter(|(d, _)| *d == best).map(|(_, o)| *o))
}

/// The text with each run of one repeated character written once.
fn collapse(text: &str) -> String {
    let mut out: Vec<char> = text.chars().collect();
    out.dedup();
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::NodeKind;
    use proptest::prelude::*;

    fn option(value: &str, label: &str, synonyms: &[&str]) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            next: None,
            days: None,
            band: None,
        }
    }

    fn node(options: Vec<Choice>) -> Node {
        Node {
            id: "q".into(),
            kind: NodeKind::Choice,
            prompt: crate::script::Text {
                text: "?".into(),
                sources: vec![],
                forms: vec![],
            },
            hint: None,
            options,
            next: None,
            max_length: 300,
            red_flag: false,
            unsure: None,
        }
    }

    fn yes_no() -> Node {
        node(vec![
            option("yes", "Yes", &["y", "yeah", "yep"]),
            option("no", "No", &["n", "nope", "none", "not really"]),
        ])
    }

    fn frequency() -> Node {
        node(vec![
            option("daily", "Several times a day", &["often"]),
            option("weekly", "A few times a week", &["sometimes"]),
            option("rarely", "Once in a while", &["rarely", "seldom"]),
        ])
    }

    #[test]
    fn yes_no_variants() {
        let n = yes_no();
        for (typed, want) in [
            ("yes", "yes"),
            ("Y", "yes"),
            ("Yeah!", "yes"),
            ("yess", "yes"),
            ("no", "no"),
            ("Nope.", "no"),
            ("none", "no"),
            ("NOT REALLY", "no"),
            ("no, it doesn't hurt", "no"),
            ("yes it does", "yes"),
        ] {
            assert_eq!(
                match_option(Lexicon::english(), &n, typed).map(|o| o.value.as_str()),
                Some(want),
                "{typed}"
            );
        }
        for typed in ["maybe", "", "???", "x"] {
            assert!(
                match_option(Lexicon::english(), &n, typed).is_none(),
                "{typed}"
            );
        }
        let pick = |t| match_option(Lexicon::english(), &n, t).map(|o| o.value.clone());
        assert_eq!(pick("i would say no"), Some("no".into()));
        assert_eq!(pick("n, i have not"), Some("no".into()));
    }

    #[test]
    fn a_red_flag_no_must_be_clear() {
        let mut n = yes_no();
        n.options[1].synonyms.push("i dont".into());
        n.red_flag = true;
        let pick = |t| match_option(Lexicon::english(), &n, t).map(|o| o.value.clone());
        assert_eq!(pick("no, not really"), Some("no".into()));
        assert_eq!(pick("nope none of them"), Some("no".into()));
        assert_eq!(pick("i dont"), Some("no".into()));
        assert_eq!(pick("i dont feel anything on the left"), None);
        assert_eq!(pick("well it is not like that"), None);
        assert_eq!(pick("ye no"), None);
    }

    #[test]
    fn choices_by_label_synonym_and_typo() {
        let n = frequency();
        let pick = |t| match_option(Lexicon::english(), &n, t).map(|o| o.value.clone());
        assert_eq!(pick("several times a day"), Some("daily".into()));
        assert_eq!(pick("Often"), Some("daily".into()));
        assert_eq!(pick("daily"), Some("daily".into()));
        assert_eq!(pick("dialy"), Some("daily".into()));
        assert_eq!(pick("seldom"), Some("rarely".into()));
        assert_eq!(pick("a few times a weak"), Some("weekly".into()));
        assert_eq!(pick("purple"), None);
    }

    proptest! {
        #[test]
        fn parsers_never_panic(input in "\\PC{0,200}") {
            let _ = match_option(Lexicon::english(), &frequency(), &input);
            let _ = match_option(Lexicon::english(), &yes_no(), &input);
        }

    }
}
