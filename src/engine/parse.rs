//! Understanding typed answers the way a person would mean them: option
//! labels, listed synonyms, small typos, and durations like "about 2 weeks".

use crate::script::{Choice, Node, fold};

/// The longest duration accepted, in days (a hundred years).
pub const MAX_DAYS: u32 = 36_500;

/// Which option a typed answer means, if exactly one fits.
///
/// Tries, in order: an exact match of value, label or synonym (case and
/// punctuation ignored); a known answer followed by more words ("no, not
/// really"); a close misspelling ("yess", "dialy").
pub fn match_option<'n>(node: &'n Node, input: &str) -> Option<&'n Choice> {
    let typed = fold(input);
    if typed.is_empty() {
        return None;
    }
    exact_option(node, &typed)
        .or_else(|| leading_option(node, &typed))
        .or_else(|| close_option(node, &typed))
}

/// Which option a typed answer names exactly (case and punctuation ignored).
pub fn match_option_exactly<'n>(node: &'n Node, input: &str) -> Option<&'n Choice> {
    exact_option(node, &fold(input))
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

fn leading_option<'n>(node: &'n Node, typed: &str) -> Option<&'n Choice> {
    let longest = node
        .options
        .iter()
        .filter_map(|o| {
            words_of(o)
                .filter(|w| typed.starts_with(&format!("{w} ")))
                .map(|w| w.len())
                .max()
                .map(|len| (len, o))
        })
        .max_by_key(|(len, _)| *len)?;
    let ties = node.options.iter().filter(|o| {
        o.value != longest.1.value
            && words_of(o).any(|w| w.len() == longest.0 && typed.starts_with(&format!("{w} ")))
    });
    (ties.count() == 0).then_some(longest.1)
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
                    let distance = edit_distance(&w, typed);
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

/// Edit distance over characters, counting a swap of neighbours as one edit
/// ("dialy" is one edit from "daily").
fn edit_distance(a: &str, b: &str) -> usize {
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

/// Why a typed duration was not understood; each says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Nothing but filler words.
    Empty,
    /// A number with no unit, such as "5".
    NeedsUnit(String),
    /// A word that is neither a number, a unit nor a filler.
    Unknown(String),
    /// Longer than a lifetime.
    TooLong,
}

impl DurationError {
    /// A short explanation for the re-prompt.
    pub fn explain(&self) -> String {
        match self {
            DurationError::Empty => "I could not find a length of time in that.".to_string(),
            DurationError::NeedsUnit(number) => {
                format!("“{number}” what — days, weeks or months?")
            }
            DurationError::Unknown(word) => format!("I did not understand “{word}”."),
            DurationError::TooLong => "That is longer than I can record.".to_string(),
        }
    }
}

/// Words that carry no length ("about", "since", "for the last"…).
const FILLERS: &[&str] = &[
    "about",
    "around",
    "approximately",
    "approx",
    "roughly",
    "maybe",
    "almost",
    "nearly",
    "over",
    "more",
    "than",
    "less",
    "under",
    "for",
    "since",
    "the",
    "last",
    "past",
    "ago",
    "just",
    "like",
    "probably",
    "it",
    "its",
    "has",
    "have",
    "been",
    "going",
    "on",
    "already",
    "i",
    "ive",
    "think",
    "or",
    "so",
    "and",
    "ish",
    "some",
    "only",
    "this",
    "before",
    "started",
    "start",
    "began",
    "from",
    "at",
    "least",
    "within",
    "lasted",
    "bit",
    "little",
    "still",
    "is",
    "was",
];

fn number_word(word: &str) -> Option<f64> {
    let n = match word {
        "a" | "an" | "one" => 1.0,
        "couple" | "two" => 2.0,
        "few" | "three" => 3.0,
        "several" => 4.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "half" => 0.5,
        _ => word
            .parse()
            .ok()
            .filter(|n: &f64| n.is_finite() && *n >= 0.0)?,
    };
    Some(n)
}

/// Days in one unit, and whether the word is a plural ("weeks").
fn unit_days(word: &str) -> Option<(f64, bool)> {
    let unit = match word {
        "min" | "mins" | "minute" => (1.0 / 1440.0, false),
        "minutes" => (1.0 / 1440.0, true),
        "h" | "hr" | "hour" => (1.0 / 24.0, false),
        "hrs" | "hours" => (1.0 / 24.0, true),
        "d" | "day" => (1.0, false),
        "days" => (1.0, true),
        "w" | "wk" | "week" => (7.0, false),
        "wks" | "weeks" => (7.0, true),
        "fortnight" => (14.0, false),
        "fortnights" => (14.0, true),
        "mo" | "mth" | "month" => (30.0, false),
        "mos" | "mths" | "months" => (30.0, true),
        "y" | "yr" | "year" => (365.0, false),
        "yrs" | "years" => (365.0, true),
        _ => return None,
    };
    Some(unit)
}

/// Words that stand for a whole length: "yesterday" is one day.
fn fixed_days(word: &str) -> Option<f64> {
    match word {
        "yesterday" => Some(1.0),
        "today" | "tonight" | "now" | "morning" | "recently" => Some(0.0),
        _ => None,
    }
}

/// Splits "10d" into "10", "d" and keeps "1.5" whole.
fn tokens(input: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_is_number = false;
    let chars: Vec<char> = input.to_lowercase().chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let decimal_point =
            c == '.' && current_is_number && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let is_number = c.is_ascii_digit() || decimal_point;
        let is_word = c.is_alphabetic();
        if c == '\'' || c == '’' {
            continue;
        }
        let boundary = !is_number && !is_word || is_number != current_is_number;
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if is_number || is_word {
            current.push(c);
            current_is_number = is_number;
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Reads how long something has lasted, in whole days (hours round down to 0).
///
/// Understands "3 days", "2 weeks", "a week", "since yesterday", "about a
/// month", "10d", "1.5 weeks", "a couple of days", "1 week and 2 days".
pub fn parse_duration(input: &str) -> Result<u32, DurationError> {
    let mut total = 0.0_f64;
    let mut pending: Option<(f64, String)> = None;
    let mut found = false;
    for word in tokens(input) {
        if let Some(days) = fixed_days(&word) {
            total += days;
            found = true;
        } else if let Some((days, plural)) = unit_days(&word) {
            let count = match pending.take() {
                Some((n, _)) => n,
                None if plural => 2.0,
                None => 1.0,
            };
            total += count * days;
            found = true;
        } else if let Some(n) = number_word(&word) {
            pending = match pending {
                // "a couple", "a few": the article gives way to the amount.
                Some((1.0, ref previous)) if previous == "a" || previous == "an" => Some((n, word)),
                Some((_, previous)) => return Err(DurationError::NeedsUnit(previous)),
                None => Some((n, word)),
            };
        } else if word == "of" || FILLERS.contains(&word.as_str()) {
            continue;
        } else {
            return Err(DurationError::Unknown(word));
        }
    }
    if let Some((_, number)) = pending {
        return Err(DurationError::NeedsUnit(number));
    }
    if !found {
        return Err(DurationError::Empty);
    }
    if total > f64::from(MAX_DAYS) {
        return Err(DurationError::TooLong);
    }
    Ok(total.floor() as u32)
}

/// Says a number of days the way a person would.
pub fn describe_days(days: u32) -> String {
    match days {
        0 => "less than a day".to_string(),
        1 => "1 day".to_string(),
        d if d >= 365 && d % 365 == 0 => plural(d / 365, "year"),
        d if d >= 30 && d % 30 == 0 => plural(d / 30, "month"),
        d if d >= 7 && d % 7 == 0 => plural(d / 7, "week"),
        d => plural(d, "day"),
    }
}

fn plural(n: u32, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
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
        }
    }

    fn node(options: Vec<Choice>) -> Node {
        Node {
            id: "q".into(),
            kind: NodeKind::Choice,
            prompt: crate::script::Text {
                text: "?".into(),
                sources: vec![],
            },
            hint: None,
            options,
            next: None,
            max_length: 300,
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
                match_option(&n, typed).map(|o| o.value.as_str()),
                Some(want),
                "{typed}"
            );
        }
        for typed in ["maybe", "", "???", "ye no", "x"] {
            assert!(match_option(&n, typed).is_none(), "{typed}");
        }
    }

    #[test]
    fn choices_by_label_synonym_and_typo() {
        let n = frequency();
        let pick = |t| match_option(&n, t).map(|o| o.value.clone());
        assert_eq!(pick("several times a day"), Some("daily".into()));
        assert_eq!(pick("Often"), Some("daily".into()));
        assert_eq!(pick("daily"), Some("daily".into()));
        assert_eq!(pick("dialy"), Some("daily".into()));
        assert_eq!(pick("seldom"), Some("rarely".into()));
        assert_eq!(pick("a few times a weak"), Some("weekly".into()));
        assert_eq!(pick("purple"), None);
    }

    #[test]
    fn durations() {
        for (typed, days) in [
            ("3 days", 3),
            ("2 weeks", 14),
            ("a week", 7),
            ("since yesterday", 1),
            ("about a month", 30),
            ("10d", 10),
            ("1.5 weeks", 10),
            ("a couple of days", 2),
            ("a few weeks", 21),
            ("1 week and 2 days", 9),
            ("today", 0),
            ("5 hours", 0),
            ("for weeks", 14),
            ("two years", 730),
            ("Last week", 7),
            ("~4 days", 4),
            ("3 days.", 3),
            ("It's been 4 days", 4),
        ] {
            assert_eq!(parse_duration(typed), Ok(days), "{typed}");
        }
        assert_eq!(
            parse_duration("5"),
            Err(DurationError::NeedsUnit("5".into()))
        );
        assert_eq!(
            parse_duration("since monday"),
            Err(DurationError::Unknown("monday".into()))
        );
        assert_eq!(parse_duration("about"), Err(DurationError::Empty));
        assert_eq!(parse_duration("1000 years"), Err(DurationError::TooLong));
        assert_eq!(
            parse_duration("3 4 days"),
            Err(DurationError::NeedsUnit("3".into()))
        );
    }

    #[test]
    fn days_read_naturally() {
        assert_eq!(describe_days(0), "less than a day");
        assert_eq!(describe_days(1), "1 day");
        assert_eq!(describe_days(3), "3 days");
        assert_eq!(describe_days(14), "2 weeks");
        assert_eq!(describe_days(60), "2 months");
        assert_eq!(describe_days(365), "1 year");
    }

    proptest! {
        #[test]
        fn parsers_never_panic(input in "\\PC{0,200}") {
            let _ = parse_duration(&input);
            let _ = match_option(&frequency(), &input);
            let _ = match_option(&yes_no(), &input);
        }

        #[test]
        fn typed_days_round_trip(n in 0u32..5000) {
            prop_assert_eq!(parse_duration(&format!("{n} days")), Ok(n));
            prop_assert_eq!(parse_duration(&format!("{n}d")), Ok(n));
        }
    }
}
