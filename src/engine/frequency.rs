//! How often something happens, typed the way people say it: "3 times a day",
//! "twice a week", "every few hours", "once or twice a month" (the higher
//! end), "hourly", "on and off all day", "constantly".

use crate::script::band::Rate;

use super::words::{correct, find, number_word, words};

const MINUTE: f64 = 1.0;
const HOUR: f64 = 60.0;
const DAY: f64 = 1_440.0;
const WEEK: f64 = 10_080.0;
const MONTH: f64 = 43_200.0;
const YEAR: f64 = 525_600.0;

/// Words typos are corrected towards.
const VOCABULARY: &[&str] = &[
    "times",
    "time",
    "every",
    "each",
    "twice",
    "once",
    "thrice",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "minute",
    "minutes",
    "year",
    "daily",
    "weekly",
    "hourly",
    "monthly",
    "several",
    "couple",
    "constantly",
    "constant",
    "continuous",
    "continuously",
    "nonstop",
    "always",
    "other",
];

/// Minutes in a period word ("week", "weeks", "night").
fn unit(word: &str) -> Option<f64> {
    let minutes = match word {
        "sec" | "secs" | "second" | "seconds" => MINUTE / 60.0,
        "min" | "mins" | "minute" | "minutes" => MINUTE,
        "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
        "d" | "day" | "days" | "night" | "nights" | "morning" | "mornings" | "evening"
        | "evenings" | "afternoon" | "today" => DAY,
        "w" | "wk" | "wks" | "week" | "weeks" | "weekend" => WEEK,
        "fortnight" => 2.0 * WEEK,
        "mo" | "month" | "months" => MONTH,
        "yr" | "year" | "years" => YEAR,
        _ => return None,
    };
    Some(minutes)
}

/// Once per the period a word names ("daily", "weekly").
fn adverb(word: &str) -> Option<f64> {
    let minutes = match word {
        "hourly" => HOUR,
        "daily" | "nightly" | "everyday" => DAY,
        "weekly" => WEEK,
        "fortnightly" => 2.0 * WEEK,
        "monthly" => MONTH,
        "yearly" | "annually" => YEAR,
        _ => return None,
    };
    Some(minutes)
}

/// A count of times written as one word ("twice" is 2 times).
fn times_word(word: &str) -> Option<f64> {
    match word {
        "once" => Some(1.0),
        "twice" => Some(2.0),
        "thrice" => Some(3.0),
        _ => None,
    }
}

/// A count, as a number or a word: "3", "three", "a few", "lots of".
fn count(word: &str) -> Option<f64> {
    match word {
        "many" | "lots" | "multiple" | "numerous" => Some(6.0),
        "dozens" => Some(24.0),
        "hundreds" => Some(200.0),
        _ => times_word(word).or_else(|| number_word(word)),
    }
}

const CONTINUOUS: &[&[&str]] = &[
    &["all", "day"],
    &["all", "the", "time"],
    &["all", "night"],
    &["whole", "day"],
    &["constantly"],
    &["constant"],
    &["continuous"],
    &["continuously"],
    &["continually"],
    &["nonstop"],
    &["non", "stop"],
    &["always"],
    &["24", "per", "7"],
    &["never", "stops"],
    &["doesnt", "stop"],
    &["without", "stopping"],
];

const ON_AND_OFF: &[&[&str]] = &[
    &["on", "and", "off"],
    &["off", "and", "on"],
    &["on", "off"],
    &["comes", "and", "goes"],
    &["throughout", "the", "day"],
];

/// Reads a typed frequency as a rate; `None` when it names none.
pub fn parse_rate(input: &str) -> Option<Rate> {
    let mut list = words(input);
    correct(&mut list, VOCABULARY, |w| {
        count(w).is_some() || unit(w).is_some() || adverb(w).is_some()
    });
    let denied = |at: usize| at > 0 && DENIALS.contains(&list[at - 1].as_str());
    let mut stated = None;
    for i in 0..list.len() {
        if let Some((rate, counted)) = explicit(&list, i) {
            // "not every day", "not daily": less often, but how much is unsaid.
            if denied(i) {
                return None;
            }
            // "less than once a week": just under the rate named.
            let below =
                i >= 2 && list[i - 1] == "than" && matches!(list[i - 2].as_str(), "less" | "fewer");
            let below = below || (i >= 1 && list[i - 1] == "under");
            let rate = if below {
                Rate::new(rate.times * 0.99, rate.minutes)
            } else {
                rate
            };
            stated = Some((rate, counted));
            break;
        }
    }
    if ON_AND_OFF.iter().any(|p| find(&list, p).is_some()) {
        // Coming and going through the day: several times a day.
        return stated.map(|(rate, _)| rate).or(Some(Rate::new(4.0, DAY)));
    }
    // "not constant", "not all the time" say nothing about the rate.
    let continuous = CONTINUOUS
        .iter()
        .any(|p| find(&list, p).is_some_and(|at| !denied(at)));
    match stated {
        // "all day, every day": the day is the period, the twitching constant;
        // a count ("once during the whole day") stays a count.
        Some((rate, false)) if continuous && rate.minutes >= DAY => Some(Rate::continuous()),
        Some((rate, _)) => Some(rate),
        None => continuous.then(Rate::continuous),
    }
}

/// Words that deny the rate right after them.
const DENIALS: &[&str] = &["not", "never", "isnt", "doesnt", "arent", "no"];

/// A rate written from word `i` on, if one starts there, and whether it was
/// a count of times ("3 times a day") rather than a period ("every day").
fn explicit(list: &[String], i: usize) -> Option<(Rate, bool)> {
    let at = |j: usize| list.get(j).map(String::as_str);
    let word = at(i)?;
    if let Some(minutes) = adverb(word) {
        return Some((Rate::new(1.0, minutes), false));
    }
    if matches!(word, "every" | "each") {
        // "every 3 hours", "every few days", "every other day", "every day".
        let (n, next) = match at(i + 1) {
            Some("other") | Some("second") => (2.0, i + 2),
            Some(w) => match number_word(w) {
                Some(n) if !matches!(w, "a" | "an" | "single") => {
                    let mut next = i + 2 + usize::from(at(i + 2) == Some("of"));
                    // "every 3 or 4 days": the shorter gap is the higher rate.
                    let mut n = n;
                    if matches!(at(next), Some("to" | "or"))
                        && let Some(m) = at(next + 1).and_then(number_word)
                    {
                        n = n.min(m);
                        next += 2;
                    }
                    (n, next)
                }
                _ => (1.0, i + 1 + usize::from(matches!(w, "single" | "a" | "an"))),
            },
            None => return None,
        };
        let minutes = unit(at(next)?)?;
        return (n > 0.0).then(|| (Rate::new(1.0, n * minutes), false));
    }
    // "3 times a day", "once or twice a week", "2-3 times per day", "3 a day".
    let (times, mut j) = counted(list, i)?;
    let said_times = matches!(at(j), Some("times" | "time"));
    if said_times {
        j += 1;
    }
    let explicit_count = said_times || times_word(word).is_some();
    if let Some(minutes) = at(j).and_then(adverb) {
        return explicit_count.then(|| (Rate::new(times, minutes), true));
    }
    if at(j) == Some("today") {
        return explicit_count.then(|| (Rate::new(times, DAY), true));
    }
    let marker = matches!(
        at(j),
        Some(
            "a" | "an"
                | "per"
                | "each"
                | "every"
                | "in"
                | "within"
                | "during"
                | "over"
                | "on"
                | "this"
        )
    );
    if !marker || !(explicit_count || matches!(at(j), Some("a" | "an" | "per" | "each"))) {
        return None;
    }
    j += 1;
    while matches!(at(j), Some("the" | "last" | "past" | "a" | "an" | "single")) {
        j += 1;
    }
    let periods = match at(j).and_then(number_word) {
        Some(n) if unit(at(j)?).is_none() => {
            j += 1;
            n
        }
        _ => 1.0,
    };
    let minutes = unit(at(j)?)?;
    (periods > 0.0).then(|| (Rate::new(times, periods * minutes), true))
}

/// A count at word `i` ("3", "a few", "once or twice", "2 to 3", "lots of"),
/// taken at its higher end, and the word after it.
fn counted(list: &[String], i: usize) -> Option<(f64, usize)> {
    let at = |j: usize| list.get(j).map(String::as_str);
    let mut n = count(at(i)?)?;
    let mut j = i + 1;
    if matches!(at(i), Some("a" | "an")) {
        // "a few times", "a couple of times", "a dozen times"; a lone "a" is no count.
        n = count(at(j)?).filter(|_| matches!(at(j), Some("few" | "couple" | "dozen")))?;
        j += 1;
    }
    if at(j) == Some("of") {
        j += 1;
    }
    if matches!(at(j), Some("to" | "or"))
        && let Some(m) = at(j + 1).and_then(count)
    {
        n = n.max(m);
        j += 2;
    }
    Some((n, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_day(typed: &str) -> Option<f64> {
        parse_rate(typed).map(|r| {
            if r.minutes == 0.0 {
                f64::INFINITY
            } else {
                r.times * DAY / r.minutes
            }
        })
    }

    #[test]
    fn rates_as_people_type_them() {
        for (typed, want) in [
            ("3 times a day", 3.0),
            ("a few times a day", 3.0),
            ("twice a week", 2.0 / 7.0),
            ("once a week", 1.0 / 7.0),
            ("every hour", 24.0),
            ("every few hours", 8.0),
            ("every other day", 0.5),
            ("every day", 1.0),
            ("every single day", 1.0),
            ("every 10 minutes", 144.0),
            ("every half hour", 48.0),
            ("once or twice a week", 2.0 / 7.0),
            ("2-3 times per day", 3.0),
            ("3x/day", 3.0),
            ("3 a day", 3.0),
            ("twice daily", 2.0),
            ("hourly", 24.0),
            ("daily", 1.0),
            ("a couple of times a month", 2.0 / 30.0),
            ("several times a week", 4.0 / 7.0),
            ("5 or 6 times a day", 6.0),
            ("it happens like 10 times in an hour", 240.0),
            ("twise a weak", 2.0 / 7.0),
            ("evry day", 1.0),
            ("on and off all day", 4.0),
            ("3 times today", 3.0),
            ("many times an hour", 144.0),
            ("every few seconds", 28_800.0),
            ("every 3 or 4 days", 1.0 / 3.0),
            ("only twice this month", 2.0 / 30.0),
        ] {
            let got = per_day(typed).unwrap_or_else(|| panic!("{typed}: no rate"));
            assert!(
                (got - want).abs() < 1e-9,
                "{typed}: {got} per day, want {want}"
            );
        }
        for typed in [
            "constantly",
            "all day long",
            "non stop",
            "all the time",
            "all day every day",
        ] {
            assert_eq!(parse_rate(typed), Some(Rate::continuous()), "{typed}");
        }
        for typed in [
            "3 days",
            "sometimes",
            "a lot",
            "twice",
            "purple",
            "a day",
            "once in a while",
        ] {
            assert_eq!(parse_rate(typed), None, "{typed}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,200}") {
            let _ = parse_rate(&input);
        }
    }
}
