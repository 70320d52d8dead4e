//! How often something happens, typed the way people say it: "3 times a day",
//! "twice a week", "every few hours", "once or twice a month" (the higher
//! end), "hourly", "on and off all day", "constantly". The words are the
//! language's [`FrequencyWords`]: "dos veces por semana" and "3 раза в день"
//! read the same way.

use crate::language::lexicon::{FrequencyWords, Lexicon, Unit};
use crate::script::band::Rate;

use super::words::{correct, words};

/// Minutes in a day, the period of a continuous or coming-and-going rate.
const DAY: f64 = 1_440.0;

/// Minutes in a period word ("week", "weeks", "night").
fn unit(lex: &Lexicon, word: &str) -> Option<f64> {
    let minutes = |w: &str| lex.frequency.units.get(w).map(Unit::minutes);
    // "полчаса": half an hour.
    minutes(word).or_else(|| lex.halved(word, minutes))
}

/// Once per the period a word names ("daily", "weekly").
fn adverb(words: &FrequencyWords, word: &str) -> Option<f64> {
    words.adverbs.get(word).map(Unit::minutes)
}

/// A count, as a number or a word: "3", "three", "twice", "lots".
fn count(lex: &Lexicon, word: &str) -> Option<f64> {
    let f = &lex.frequency;
    f.counts
        .get(word)
        .or_else(|| f.one_word_times.get(word))
        .or_else(|| lex.number(word))
}

/// Reads a typed frequency as a rate; `None` when it names none.
pub fn parse_rate(lex: &Lexicon, input: &str) -> Option<Rate> {
    let f = &lex.frequency;
    let mut list = words(lex, input);
    correct(&mut list, &f.typos, |w| {
        count(lex, w).is_some() || unit(lex, w).is_some() || adverb(f, w).is_some()
    });
    let denied = |at: usize| at > 0 && f.denials.has(&list[at - 1]);
    let mut stated = None;
    for i in 0..list.len() {
        if let Some((rate, counted)) = explicit(lex, &list, i) {
            // "not every day", "not daily": less often, but how much is unsaid.
            if denied(i) {
                return None;
            }
            // "less than once a week": just under the rate named.
            let rate = if f.below.ending_before(&list, i) {
                Rate::new(rate.times * 0.99, rate.minutes)
            } else {
                rate
            };
            stated = Some((rate, counted));
            break;
        }
    }
    if f.on_and_off.in_words(&list) {
        // Coming and going through the day: several times a day.
        return stated.map(|(rate, _)| rate).or(Some(Rate::new(4.0, DAY)));
    }
    // "not constant", "not all the time" say nothing about the rate.
    let continuous = f.continuous.found_at(&list).any(|at| !denied(at));
    match stated {
        // "all day, every day": the day is the period, the twitching constant;
        // a count ("once during the whole day") stays a count.
        Some((rate, false)) if continuous && rate.minutes >= DAY => Some(Rate::continuous()),
        Some((rate, _)) => Some(rate),
        None => continuous.then(Rate::continuous),
    }
}

/// A rate written from word `i` on, if one starts there, and whether it was
/// a count of times ("3 times a day") rather than a period ("every day").
fn explicit(lex: &Lexicon, list: &[String], i: usize) -> Option<(Rate, bool)> {
    let f = &lex.frequency;
    let at = |j: usize| list.get(j).map(String::as_str);
    let word = at(i)?;
    if let Some(minutes) = adverb(f, word) {
        return Some((Rate::new(1.0, minutes), false));
    }
    // "un día sí y otro no", "через день".
    let fixed = f
        .fixed
        .iter()
        .find(|r| r.phrases.starting_at(list, i).is_some());
    if let Some(fixed) = fixed {
        let minutes = fixed.once_every * fixed.unit.minutes();
        return Some((Rate::new(1.0, minutes), false));
    }
    if f.every.has(word) {
        // "every 3 hours", "every few days", "every other day", "every day".
        let (n, next) = match at(i + 1) {
            Some(w) if f.every_other.has(w) => (2.0, i + 2),
            Some(w) => match lex.number(w) {
                Some(n) if !f.every_skip.has(w) => {
                    let mut next = i + 2 + usize::from(f.of.at(at(i + 2)));
                    // "every 3 or 4 days": the shorter gap is the higher rate.
                    let mut n = n;
                    if f.range.at(at(next))
                        && let Some(m) = at(next + 1).and_then(|w| lex.number(w))
                    {
                        n = n.min(m);
                        next += 2;
                    }
                    (n, next)
                }
                _ => (1.0, i + 1 + usize::from(f.every_skip.has(w))),
            },
            None => return None,
        };
        let minutes = unit(lex, at(next)?)?;
        return (n > 0.0).then(|| (Rate::new(1.0, n * minutes), false));
    }
    // "3 times a day", "once or twice a week", "2-3 times per day", "3 a day".
    let (times, mut j) = counted(lex, list, i)?;
    let said_times = f.times.at(at(j));
    if said_times {
        j += 1;
    }
    let explicit_count = said_times || f.one_word_times.has(word);
    if let Some(minutes) = at(j).and_then(|w| adverb(f, w)) {
        return explicit_count.then(|| (Rate::new(times, minutes), true));
    }
    if f.today.at(at(j)) {
        return explicit_count.then(|| (Rate::new(times, DAY), true));
    }
    let marker = f.per.at(at(j)) || f.during.at(at(j));
    if !marker || !(explicit_count || f.per.at(at(j))) {
        return None;
    }
    j += 1;
    while f.period_skip.at(at(j)) {
        j += 1;
    }
    let periods = match at(j).and_then(|w| lex.number(w)) {
        Some(n) if unit(lex, at(j)?).is_none() => {
            j += 1;
            n
        }
        _ => 1.0,
    };
    let minutes = unit(lex, at(j)?)?;
    (periods > 0.0).then(|| (Rate::new(times, periods * minutes), true))
}

/// A count at word `i` ("3", "a few", "once or twice", "2 to 3", "lots of"),
/// taken at its higher end, and the word after it.
fn counted(lex: &Lexicon, list: &[String], i: usize) -> Option<(f64, usize)> {
    let f = &lex.frequency;
    let at = |j: usize| list.get(j).map(String::as_str);
    let mut n = count(lex, at(i)?)?;
    let mut j = i + 1;
    if f.articles.at(at(i)) {
        // "a few times", "a couple of times", "a dozen times"; a lone "a" is no count.
        n = count(lex, at(j)?).filter(|_| f.article_counts.at(at(j)))?;
        j += 1;
    }
    if f.of.at(at(j)) {
        j += 1;
    }
    if f.range.at(at(j))
        && let Some(m) = at(j + 1).and_then(|w| count(lex, w))
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
        parse_rate(Lexicon::english(), typed).map(|r| {
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
            assert_eq!(
                parse_rate(Lexicon::english(), typed),
                Some(Rate::continuous()),
                "{typed}"
            );
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
            assert_eq!(parse_rate(Lexicon::english(), typed), None, "{typed}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,200}") {
            let _ = parse_rate(Lexicon::english(), &input);
        }
    }
}
