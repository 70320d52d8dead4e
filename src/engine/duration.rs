//! How long something has lasted, typed the way people say it: "3 days",
//! "3-4 days" (the longer end), "a week or two", "a month and a half",
//! "half a year", "a fortnight", "since Monday", "since the start of November".
//! The words are the language's [`DurationWords`]: "una semana o dos", "hace
//! 3 días" and "с понедельника" read the same way.
//!
//! Dates are read against the day the answer arrives (UTC).

use super::words::{correct, words};
use crate::language::lexicon::{DurationWords, Lexicon, Unit};

/// The longest duration accepted, in days (a hundred years).
pub const MAX_DAYS: u32 = 36_500;

/// Why a typed duration was not understood; each says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Nothing but filler words.
    Empty,
    /// A number with no unit, such as "5".
    NeedsUnit(String),
    /// A word that is neither a number, a unit, a date nor a filler.
    Unknown(String),
    /// Longer than a lifetime.
    TooLong,
}

/// Days in one unit, and whether the word is a plural ("weeks").
fn unit_days(lex: &Lexicon, word: &str) -> Option<(f64, bool)> {
    let d = &lex.duration;
    if let Some(unit) = d.units.get(word) {
        return Some((unit.days(), false));
    }
    if let Some(unit) = d.plural_units.get(word) {
        return Some((unit.days(), true));
    }
    // "полгода": half a year, said once.
    let days = |w: &str| {
        d.units
            .get(w)
            .or_else(|| d.plural_units.get(w))
            .map(Unit::days)
    };
    lex.halved(word, days).map(|half| (half, false))
}

/// The days a length named outright stands for ("yesterday", "the day before
/// yesterday"), and its words, for the longest that starts at word `at`.
fn fixed_days(words: &DurationWords, list: &[String], at: usize) -> Option<(f64, usize)> {
    words
        .fixed
        .iter()
        .filter_map(|fixed| Some((fixed.days, fixed.phrases.starting_at(list, at)?)))
        .max_by_key(|(_, length)| *length)
}

/// Whether a word alone names a length outright ("yesterday").
fn fixed_word(words: &DurationWords, word: &str) -> bool {
    words
        .fixed
        .iter()
        .any(|fixed| fixed.phrases.iter().any(|p| p.len() == 1 && p[0] == word))
}

/// Monday = 0 … Sunday = 6 for a weekday's full name; the weekend starts on Saturday.
fn weekday(words: &DurationWords, word: &str) -> Option<i64> {
    let day = words.weekdays.iter().position(|names| names.has(word));
    let day = day.or_else(|| words.weekend.has(word).then_some(5));
    day.map(|d| d as i64)
}

/// A weekday's short name ("sat", "sun" are words too, so they count only
/// after a `weekday_markers` word such as "since").
fn short_weekday(words: &DurationWords, word: &str) -> Option<i64> {
    let day = words
        .short_weekdays
        .iter()
        .position(|names| names.has(word));
    day.map(|d| d as i64)
}

/// A day of the month written after a number ("the 20th", "november 1").
fn day_of_month(word: &str) -> Option<u32> {
    word.parse::<u32>().ok().filter(|d| (1..=31).contains(d))
}

/// January = 1 … December = 12 for a month's name, or the first three
/// letters or more of one.
fn month(words: &DurationWords, word: &str) -> Option<u32> {
    let long_enough = word.chars().count() >= 3;
    let found = words.months.iter().position(|names| {
        names
            .iter()
            .any(|name| name == word || (long_enough && name.starts_with(word)))
    });
    found.map(|i| i as u32 + 1)
}

/// The day `now_ms` falls on, as days since 1970-01-01 (UTC).
pub fn day_of(now_ms: u64) -> i64 {
    (now_ms / 86_400_000) as i64
}

/// Days since 1970-01-01 of a calendar date (proleptic Gregorian).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The calendar date of a day counted from 1970-01-01.
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days back to the last `target` weekday before `today` (a full week when
/// today is that day: "since Monday" said on a Monday means the one before).
fn since_weekday(today: i64, target: i64) -> f64 {
    let now = (today + 3).rem_euclid(7);
    let back = (now - target).rem_euclid(7);
    (if back == 0 { 7 } else { back }) as f64
}

/// Days back to `day` of `month` (of this year, or last year if that is
/// still to come), or of the current month when `month` is `None`.
fn since_date(today: i64, month: Option<u32>, day: u32) -> f64 {
    let (year, this_month, this_day) = civil_from_days(today);
    let month = month.unwrap_or(if day > this_day {
        if this_month == 1 { 12 } else { this_month - 1 }
    } else {
        this_month
    });
    let year = if (month, day) > (this_month, this_day) {
        year - 1
    } else {
        year
    };
    (today - days_from_civil(year, month, day)).max(0) as f64
}

/// Days back to the start (or middle, or end) of the last `month` up to today.
fn since_month(today: i64, month: u32, part: Part) -> f64 {
    let (year, this_month, _) = civil_from_days(today);
    let year = if month > this_month { year - 1 } else { year };
    let last_day = {
        let (ny, nm) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        days_from_civil(ny, nm, 1) - days_from_civil(year, month, 1)
    } as u32;
    let day = match part {
        Part::Start => 1,
        Part::Middle => 15,
        Part::End => last_day,
    };
    (today - days_from_civil(year, month, day)).max(0) as f64
}

#[derive(Clone, Copy)]
enum Part {
    Start,
    Middle,
    End,
}

/// A term of the sum being read: its days, and the days of its unit.
#[derive(Clone, Copy)]
struct Term {
    days: f64,
    unit: f64,
}

/// Reads how long something has lasted, in whole days (less than a day is 0,
/// more is rounded up), with the language's [`DurationWords`] and `today`
/// (days since 1970-01-01, UTC) for answers given as dates.
pub fn parse_duration(lex: &Lexicon, input: &str, today: i64) -> Result<u32, DurationError> {
    let d = &lex.duration;
    let mut list = words(lex, input);
    correct(&mut list, &d.typos, |w| {
        lex.number(w).is_some()
            || unit_days(lex, w).is_some()
            || fixed_word(d, w)
            || weekday(d, w).is_some()
            || month(d, w).is_some()
            || d.fillers.has(w)
    });
    let mut total = 0.0_f64;
    let mut found = false;
    let mut unknown: Option<String> = None;
    // A count waiting for its unit, as typed.
    let mut pending: Option<(f64, String)> = None;
    // "3 to 4": the next number replaces the pending one if larger.
    let mut range = false;
    let mut last: Option<Term> = None;
    // "a week or two": the term before "or", already added.
    let mut alternative: Option<Term> = None;
    // After "not": the next term is denied.
    let mut skip_next = false;
    let add = |total: &mut f64, term: Term, alternative: &mut Option<Term>| match alternative.take()
    {
        Some(before) => *total += (term.days - before.days).max(0.0),
        None => *total += term.days,
    };
    let at = |i: usize| list.get(i).map(String::as_str);
    let mut i = 0;
    while i < list.len() {
        let word = list[i].as_str();
        // "yesterday", "the day before yesterday", "it just started".
        if let Some((days, length)) = fixed_days(d, &list, i) {
            total += days;
            found = true;
            i += length;
            continue;
        }
        if let Some(length) = d.and_a_half.starting_at(&list, i) {
            match (&mut pending, last) {
                (Some((n, _)), _) => *n += 0.5,
                (None, Some(term)) => {
                    total += 0.5 * term.unit;
                }
                (None, None) => {}
            }
            i += length;
            continue;
        }
        // "3 weeks, no wait, 3 days", "I mean 3 days": the later one counts.
        if let Some(length) = d.corrections.starting_at(&list, i) {
            total = 0.0;
            found = false;
            last = None;
            alternative = None;
            pending = None;
            range = false;
            i += length;
            continue;
        }
        // "3 days, not 3 weeks": the denied term does not count.
        if d.not.has(word) && i > 0 {
            skip_next = true;
            i += 1;
            continue;
        }
        let after_since = i > 0 && d.weekday_markers.has(&list[i - 1]);
        // "november 1", "1 november", "the 20th", "1 de noviembre".
        let linked_month = at(i + 2)
            .filter(|_| d.date_links.at(at(i + 1)))
            .and_then(|w| month(d, w));
        let date = match (month(d, word), at(i + 1).and_then(day_of_month)) {
            (Some(m), Some(day)) => Some((Some(m), day, 2)),
            _ => match (day_of_month(word), at(i + 1)) {
                (Some(day), Some(next)) if month(d, next).is_some() => {
                    Some((month(d, next), day, 2))
                }
                (Some(day), Some(next)) if d.ordinal_suffixes.has(next) => Some((None, day, 2)),
                (Some(day), Some(_)) if linked_month.is_some() => Some((linked_month, day, 3)),
                _ => None,
            },
        };
        if let Some((m, day, used)) = date.filter(|_| pending.is_none()) {
            total += since_date(today, m, day);
            found = true;
            i += used;
            continue;
        }
        if let Some(day) =
            weekday(d, word).or_else(|| short_weekday(d, word).filter(|_| after_since))
        {
            total += since_weekday(today, day);
            found = true;
        } else if let Some(m) = month(d, word).filter(|_| {
            list[..i]
                .iter()
                .rev()
                .take(3)
                .any(|w| d.month_markers.has(w))
        }) {
            let before = &list[i.saturating_sub(3)..i];
            let part = if before.iter().any(|w| d.month_end.has(w)) {
                Part::End
            } else if before.iter().any(|w| d.month_middle.has(w)) {
                Part::Middle
            } else {
                Part::Start
            };
            total += since_month(today, m, part);
            found = true;
        } else if let Some((days, plural)) = unit_days(lex, word) {
            let count = match pending.take() {
                Some((n, _)) => n,
                None if plural => 2.0,
                None => 1.0,
            };
            let term = Term {
                days: count * days,
                unit: days,
            };
            if std::mem::take(&mut skip_next) {
                i += 1;
                continue;
            }
            add(&mut total, term, &mut alternative);
            last = Some(term);
            range = false;
            found = true;
        } else if let Some(n) = lex.number(word) {
            pending = match pending {
                // "a couple", "a few", "half a": the article gives way.
                Some((m, ref previous))
                    if d.articles.has(previous) && lex.number(previous) == Some(m) =>
                {
                    Some((n, word.to_string()))
                }
                Some((half, ref previous)) if d.halves.has(previous) && d.articles.has(word) => {
                    Some((half, previous.clone()))
                }
                Some((m, _)) if range => {
                    range = false;
                    Some((m.max(n), word.to_string()))
                }
                Some((_, previous)) => return Err(DurationError::NeedsUnit(previous)),
                None => Some((n, word.to_string())),
            };
        } else if d.range.has(word)
            && pending.is_some()
            && at(i + 1).is_some_and(|w| lex.number(w).is_some())
        {
            range = true;
        } else if d.or.has(word) && pending.is_none() && last.is_some() {
            alternative = last;
        } else if !d.fillers.has(word) && unknown.is_none() {
            unknown = Some(word.to_string());
        }
        i += 1;
    }
    if let Some((n, number)) = pending {
        if alternative.is_none() {
            alternative = last;
        }
        match (alternative, last) {
            // "a week or two", "3 days, maybe 4": the count reuses the unit
            // before it, and the longer reading counts.
            (Some(_), Some(term)) => add(
                &mut total,
                Term {
                    days: n * term.unit,
                    unit: term.unit,
                },
                &mut alternative,
            ),
            _ if d.articles.has(&number) => {}
            _ => return Err(DurationError::NeedsUnit(number)),
        }
    }
    if !found {
        return Err(unknown.map_or(DurationError::Empty, DurationError::Unknown));
    }
    if total > f64::from(MAX_DAYS) {
        return Err(DurationError::TooLong);
    }
    // Part of a day counts as a day once it is a day or more: "3 and a half
    // days" is past 3, the safer reading for a "more than 3 days" rule.
    Ok(if total < 1.0 { 0 } else { total.ceil() as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Thursday 26 November 2026.
    const TODAY: i64 = 20_783;

    fn days(typed: &str) -> Result<u32, DurationError> {
        parse_duration(Lexicon::english(), typed, TODAY)
    }

    #[test]
    fn today_is_a_thursday_in_november() {
        assert_eq!(civil_from_days(TODAY), (2026, 11, 26));
        assert_eq!(days_from_civil(2026, 11, 26), TODAY);
        assert_eq!(day_of(1_795_694_400_000), TODAY);
    }

    #[test]
    fn durations() {
        for (typed, want) in [
            ("3 days", 3),
            ("2 weeks", 14),
            ("a week", 7),
            ("since yesterday", 1),
            ("about a month", 30),
            ("10d", 10),
            ("1.5 weeks", 11),
            (".5 weeks", 4),
            ("3 and a half days", 4),
            ("3 days and 12 hours", 4),
            ("3 weeks, no wait, 3 days", 3),
            ("3 days not 3 weeks", 3),
            ("since november 1", 25),
            ("since 1 november", 25),
            ("since the 20th", 6),
            ("since the 28th", 29),
            ("i sat down with it a week ago", 7),
            ("since sat", 5),
            ("since tuesday night", 2),
            ("36 hours", 2),
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
            ("3-4 days", 4),
            ("3 to 4 days", 4),
            ("between 3 and 4 days", 4),
            ("a week or two", 14),
            ("2 or 3 weeks", 21),
            ("half a year", 183),
            ("a fortnight", 14),
            ("a few days", 3),
            ("a couple of weeks", 14),
            ("a month and a half", 45),
            ("two and a half weeks", 18),
            ("since Monday", 3),
            ("since sunday", 4),
            ("since the weekend", 5),
            ("since thursday", 7),
            ("since last week", 7),
            ("since last month", 30),
            ("since the beginning of november", 25),
            ("since october", 56),
            ("the day before yesterday", 2),
            ("um, I think it's been about 3 dyas?", 3),
            ("48 hours", 2),
            ("since last night", 0),
            ("3 days, maybe 4", 4),
            ("a fortnite", 14),
            ("it just started", 0),
        ] {
            assert_eq!(days(typed), Ok(want), "{typed}");
        }
        assert_eq!(days("5"), Err(DurationError::NeedsUnit("5".into())));
        assert_eq!(days("about"), Err(DurationError::Empty));
        assert_eq!(days("soon"), Err(DurationError::Unknown("soon".into())));
        assert_eq!(days("1000 years"), Err(DurationError::TooLong));
        assert_eq!(days("3 4 days"), Err(DurationError::NeedsUnit("3".into())));
    }

    proptest! {
        #[test]
        fn never_panics(input in "\\PC{0,200}", today in 0i64..100_000) {
            let _ = parse_duration(Lexicon::english(), &input, today);
        }

        #[test]
        fn typed_days_round_trip(n in 0u32..5000) {
            prop_assert_eq!(days(&format!("{n} days")), Ok(n));
            prop_assert_eq!(days(&format!("{n}d")), Ok(n));
        }

        #[test]
        fn a_range_counts_at_its_longer_end(a in 1u32..300, b in 1u32..300) {
            prop_assert_eq!(days(&format!("{a}-{b} days")), Ok(a.max(b)));
        }
    }
}
