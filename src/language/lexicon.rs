//! The words typed answers are read with, one set per language, loaded from
//! `locales/<lang>/understanding.toml`: what says "not sure", a number, a
//! week, "every", "since" or "ago". The parsers in [`crate::engine`] hold
//! the grammar; this holds the words.
//!
//! Every word is folded on loading the way typed text is (lowercase, accents
//! and apostrophes dropped, see [`super::letters`]), so a file may write
//! "días" or "dias" alike.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::language::letters::fold;
use crate::text::line_column;

/// Every word list the typed-answer parsers use, for one language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lexicon {
    /// Counts written as words ("two", "a couple", "half").
    pub numbers: Table<f64>,
    /// Beginnings that make a unit's word half of it ("полгода" is half a year).
    pub half_prefixes: Words,
    /// The words symbols typed between numbers stand for.
    pub symbols: Symbols,
    /// Reading answers to yes/no questions.
    pub yes_no: YesNoWords,
    /// The labels and words every yes/no question has unless its file says otherwise.
    pub yes_no_defaults: YesNoDefaults,
    /// Reading how long something has lasted.
    pub duration: DurationWords,
    /// Reading how often something happens.
    pub frequency: FrequencyWords,
    /// Reading emergency signs described in a person's own words.
    pub net: NetWords,
    /// Reading answers to "is it still there?".
    pub follow_up: FollowUpWords,
    /// Reading a diary log typed in words ("twitched 3 times this morning").
    pub diary: DiaryWords,
}

impl Lexicon {
    /// The English words, compiled in: the reference every other language
    /// follows, and the words of a dialogue that names no language.
    pub fn english() -> &'static Lexicon {
        Self::english_shared_ref()
    }

    /// The English words, to be held by a [`crate::script::Script`].
    pub fn english_shared() -> Arc<Lexicon> {
        Arc::clone(Self::english_shared_ref())
    }

    fn english_shared_ref() -> &'static Arc<Lexicon> {
        static ENGLISH: OnceLock<Arc<Lexicon>> = OnceLock::new();
        ENGLISH.get_or_init(|| {
            let path = Path::new("locales/en/understanding.toml");
            let text = include_str!("../../locales/en/understanding.toml");
            Arc::new(Lexicon::parse(path, text).expect("the English words load"))
        })
    }

    /// Reads a language's words from the text of its `understanding.toml`;
    /// the error names the file, line and column of the problem.
    pub fn parse(path: &Path, text: &str) -> Result<Lexicon, String> {
        toml::from_str(text).map_err(|error: toml::de::Error| {
            let (line, column) = line_column(text, error.span().map_or(0, |span| span.start));
            let message = error.message().trim_end().replace('\n', " ");
            format!("{}:{line}:{column}: {message}", path.display())
        })
    }

    /// Half of what `unit` reads in the rest of a word that starts with a
    /// half prefix ("полгода": half of what "года" is).
    pub fn halved(&self, word: &str, unit: impl Fn(&str) -> Option<f64>) -> Option<f64> {
        self.half_prefixes
            .iter()
            .filter_map(|prefix| word.strip_prefix(prefix))
            .find_map(unit)
            .map(|whole| whole / 2.0)
    }

    /// A count written as a word or in digits ("two", "a couple", "12", "half").
    pub fn number(&self, word: &str) -> Option<f64> {
        self.numbers.get(word).or_else(|| {
            word.parse()
                .ok()
                .filter(|n: &f64| n.is_finite() && *n >= 0.0)
        })
    }
}

/// A list of single folded words.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Words(Vec<String>);

impl Words {
    /// Whether `word` is one of them.
    pub fn has(&self, word: &str) -> bool {
        self.0.iter().any(|w| w == word)
    }

    /// Whether `word` is there and is one of them.
    pub fn at(&self, word: Option<&str>) -> bool {
        word.is_some_and(|w| self.has(w))
    }

    /// The words, in file order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl TryFrom<Vec<String>> for Words {
    type Error = String;

    fn try_from(written: Vec<String>) -> Result<Words, String> {
        written
            .iter()
            .map(|w| one_word(w))
            .collect::<Result<_, _>>()
            .map(Words)
    }
}

/// `written` folded, or why it is not one word.
fn one_word(written: &str) -> Result<String, String> {
    let folded = fold(written);
    if folded.is_empty() || folded.contains(' ') {
        return Err(format!(
            "`{written}` is not one word; list it under a phrase list, or write one word"
        ));
    }
    Ok(folded)
}

/// A list of phrases, each a run of folded words.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Phrases(Vec<Vec<String>>);

impl Phrases {
    /// The phrases, each as its words.
    pub fn iter(&self) -> impl Iterator<Item = &[String]> {
        self.0.iter().map(Vec::as_slice)
    }

    /// Where each of them that occurs in `words` as consecutive words first
    /// does, in the order they are listed.
    pub fn found_at<'w>(&'w self, words: &'w [String]) -> impl Iterator<Item = usize> + 'w {
        self.iter().filter_map(|p| find(words, p))
    }

    /// Whether one of them occurs in `words` as consecutive words.
    pub fn in_words(&self, words: &[String]) -> bool {
        self.found_at(words).next().is_some()
    }

    /// The longest of them that starts at word `at` of `words`, as its length in words.
    pub fn starting_at(&self, words: &[String], at: usize) -> Option<usize> {
        self.iter()
            .filter(|p| words.get(at..at + p.len()).is_some_and(|here| here == *p))
            .map(<[String]>::len)
            .max()
    }

    /// Whether one of them ends right before word `at` of `words`.
    pub fn ending_before(&self, words: &[String], at: usize) -> bool {
        self.iter().any(|p| {
            at.checked_sub(p.len())
                .is_some_and(|start| words[start..at] == *p)
        })
    }

    /// Whether `phrase` (folded words, one space apart) is one of them.
    pub fn has(&self, phrase: &str) -> bool {
        self.iter().any(|p| p.join(" ") == phrase)
    }

    /// Each phrase written out, its words one space apart.
    pub fn written(&self) -> impl Iterator<Item = String> + '_ {
        self.iter().map(|p| p.join(" "))
    }
}

impl TryFrom<Vec<String>> for Phrases {
    type Error = String;

    fn try_from(written: Vec<String>) -> Result<Phrases, String> {
        written
            .iter()
            .map(|p| {
                let folded = fold(p);
                if folded.is_empty() {
                    return Err(format!("`{p}` has no words"));
                }
                Ok(folded.split(' ').map(str::to_string).collect())
            })
            .collect::<Result<_, _>>()
            .map(Phrases)
    }
}

/// Where `phrase` (words) first occurs in `words` as consecutive words.
fn find(words: &[String], phrase: &[String]) -> Option<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| words[i..i + phrase.len()] == *phrase)
}

/// Words that each mean a value, written in the file as
/// `{ means = …, words = [ … ] }` entries.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "Vec<Entry<T>>")]
#[serde(bound = "T: Deserialize<'de> + Copy + PartialEq + std::fmt::Debug")]
pub struct Table<T>(HashMap<String, T>);

/// One entry of a [`Table`] as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry<T> {
    means: T,
    words: Vec<String>,
}

impl<T: Copy> Table<T> {
    /// What `word` means, if it is listed.
    pub fn get(&self, word: &str) -> Option<T> {
        self.0.get(word).copied()
    }

    /// Whether `word` is listed.
    pub fn has(&self, word: &str) -> bool {
        self.0.contains_key(word)
    }
}

impl<T: Copy + PartialEq + std::fmt::Debug> TryFrom<Vec<Entry<T>>> for Table<T> {
    type Error = String;

    fn try_from(entries: Vec<Entry<T>>) -> Result<Table<T>, String> {
        let mut table = HashMap::new();
        for entry in entries {
            for written in &entry.words {
                let word = one_word(written)?;
                match table.insert(word, entry.means) {
                    Some(before) if before != entry.means => {
                        return Err(format!(
                            "`{written}` means both {before:?} and {:?}",
                            entry.means
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(Table(table))
    }
}

/// A length of time words name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    /// A second.
    Second,
    /// A minute.
    Minute,
    /// An hour.
    Hour,
    /// A day.
    Day,
    /// Seven days.
    Week,
    /// Fourteen days.
    Fortnight,
    /// Thirty days.
    Month,
    /// 365 days.
    Year,
}

impl Unit {
    /// Its length in minutes.
    pub fn minutes(self) -> f64 {
        match self {
            Unit::Second => 1.0 / 60.0,
            Unit::Minute => 1.0,
            Unit::Hour => 60.0,
            Unit::Day => 1_440.0,
            Unit::Week => 10_080.0,
            Unit::Fortnight => 20_160.0,
            Unit::Month => 43_200.0,
            Unit::Year => 525_600.0,
        }
    }

    /// Its length in days.
    pub fn days(self) -> f64 {
        self.minutes() / Unit::Day.minutes()
    }
}

/// The words symbols typed between numbers stand for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symbols {
    /// What a dash between two numbers says ("3-4 days": "to").
    #[serde(deserialize_with = "word")]
    pub dash: String,
    /// What a slash says ("3x/day": "per").
    #[serde(deserialize_with = "word")]
    pub slash: String,
    /// What a letter of `times_letters` right after a number says ("3x": "times").
    #[serde(deserialize_with = "word")]
    pub times: String,
    /// Letters that, right after a number, mean `times` ("x").
    pub times_letters: Words,
}

/// One folded word.
fn word<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let written = String::deserialize(deserializer)?;
    one_word(&written).map_err(serde::de::Error::custom)
}

/// Reading answers to yes/no questions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YesNoWords {
    /// Words that on their own say the person is not sure ("maybe", "idk").
    pub unsure: Words,
    /// Runs of words that say the person is not sure ("no idea", "hard to say").
    pub unsure_phrases: Phrases,
    /// Words that, after a negation anywhere before them in their clause,
    /// say the person is not sure ("not really sure", "can't tell").
    pub doubted: Words,
    /// Qualified yeses ("a little", "sometimes", "it hurts").
    pub hedges: Phrases,
    /// Words that negate what follows them in a clause.
    pub negations: Words,
    /// Answer words that only negate the word right after them: in "no just
    /// a bit" the "no" answers the question and the hedge still stands.
    pub answer_noes: Words,
    /// What a clear no starts with ("no", "nope").
    pub clear_no_starts: Phrases,
    /// Words that may follow a no and keep it a clear no ("no, none of them, thanks").
    pub clear_no_words: Words,
    /// Words saying a sign started or stopped: a yes to "is this happening
    /// now, or did it start suddenly?".
    pub started_or_stopped: Words,
    /// The plain yes words of a confirmation.
    pub yes: Words,
    /// Words that start a new clause, like a comma ("but").
    pub clause_breaks: Words,
    /// Words typos are corrected towards.
    pub typos: Words,
}

/// The labels and words every yes/no question has unless its file says otherwise.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YesNoDefaults {
    /// The yes button's label.
    pub yes_label: String,
    /// The no button's label.
    pub no_label: String,
    /// Typed words that mean yes.
    pub yes: Phrases,
    /// Typed words that mean no.
    pub no: Phrases,
    /// Those of `no` too soft for a red-flag question ("not much").
    pub soft_noes: Phrases,
}

impl YesNoDefaults {
    /// The button label of answer `value` (`yes`, else no) unless the
    /// dialogue gives one.
    pub fn label(&self, value: &str) -> &str {
        if value == "yes" {
            &self.yes_label
        } else {
            &self.no_label
        }
    }

    /// The typed words answer `value` (`yes`, else no) is always understood
    /// by, besides the dialogue's own; at a red-flag question not the soft
    /// noes ("never until now", "not much" are no clear no to "do you have
    /// any of these?").
    pub fn words(&self, value: &str, red_flag: bool) -> impl Iterator<Item = String> + '_ {
        let words = if value == "yes" { &self.yes } else { &self.no };
        words
            .written()
            .filter(move |w| !(red_flag && self.soft_noes.has(w)))
    }
}

/// One length named outright: "yesterday" is a day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixed {
    /// The days it stands for.
    pub days: f64,
    /// The phrases that name it.
    pub phrases: Phrases,
}

/// Reading how long something has lasted.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DurationWords {
    /// Words that carry no length ("about", "since", "for the last").
    pub fillers: Words,
    /// Words typos are corrected towards.
    pub typos: Words,
    /// Units, one of them ("day", "wk").
    pub units: Table<Unit>,
    /// Units, several of them ("days"): without a count, two.
    pub plural_units: Table<Unit>,
    /// Lengths named outright ("yesterday", "the day before yesterday", "just started").
    pub fixed: Vec<Fixed>,
    /// Weekdays' names, Monday first.
    pub weekdays: [Words; 7],
    /// Words for the weekend, read as since Saturday.
    pub weekend: Words,
    /// Weekdays' short names, Monday first; read only after a `weekday_markers` word.
    pub short_weekdays: [Words; 7],
    /// Words after which a short weekday name counts ("since", "on", "last").
    pub weekday_markers: Words,
    /// Months' names, January first; a month is also named by the first
    /// three letters or more of one of these.
    pub months: [Words; 12],
    /// Words up to three before a month's name that make it a date ("since", "in").
    pub month_markers: Words,
    /// Of those, the ones that mean its end ("end", "late").
    pub month_end: Words,
    /// Of those, the ones that mean its middle ("mid", "middle").
    pub month_middle: Words,
    /// Words between a day's number and its month ("1 de noviembre").
    pub date_links: Words,
    /// Words after a day's number that make it a day of this month ("20th").
    pub ordinal_suffixes: Words,
    /// Articles: a count of one that gives way to a count after it ("a couple").
    pub articles: Words,
    /// Words for half, which keep their count over an article after them ("half a year").
    pub halves: Words,
    /// Phrases adding half to the count or unit before them ("and a half").
    pub and_a_half: Phrases,
    /// Words between two counts that make a range ("3 to 4", "2 or 3").
    pub range: Words,
    /// Words after a length that make the next count another guess at it ("a week or two").
    pub or: Words,
    /// Phrases taking back everything said before them ("wait", "I mean").
    pub corrections: Phrases,
    /// Words denying the length right after them ("3 days, not 3 weeks").
    pub not: Words,
}

/// A rate named outright by an idiom: "через день" is once every two days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixedRate {
    /// Once every this many units.
    pub once_every: f64,
    /// The unit.
    pub unit: Unit,
    /// The phrases that name it.
    pub phrases: Phrases,
}

/// Reading how often something happens.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyWords {
    /// Words typos are corrected towards.
    pub typos: Words,
    /// Rates named outright by an idiom ("un día sí y otro no").
    pub fixed: Vec<FixedRate>,
    /// Periods ("day", "weeks", "night").
    pub units: Table<Unit>,
    /// Once per a period, in one word ("daily", "hourly").
    pub adverbs: Table<Unit>,
    /// The word "times" after a count.
    pub times: Words,
    /// Counts of times in one word ("once", "twice").
    pub one_word_times: Table<f64>,
    /// Counts besides numbers ("many", "lots", "dozens").
    pub counts: Table<f64>,
    /// Words starting a period of once per ("every day", "each hour").
    pub every: Words,
    /// Words after `every` meaning every second one ("every other day").
    pub every_other: Words,
    /// Words after `every` that add nothing ("every single day").
    pub every_skip: Words,
    /// Articles, no count on their own ("a few times" counts, "a time" does not).
    pub articles: Words,
    /// The counts an article may come before ("few", "couple", "dozen").
    pub article_counts: Words,
    /// A word between a count and what it counts ("a couple of times").
    pub of: Words,
    /// Words between two counts that make a range ("2 to 3 times", "once or twice").
    pub range: Words,
    /// Words saying "per" before a period, even without "times" ("3 a day").
    pub per: Words,
    /// Words before a period only after a stated count of times ("twice in an hour").
    pub during: Words,
    /// Words between those and the period that add nothing ("in the last hour").
    pub period_skip: Words,
    /// Words for today, a day already ("3 times today").
    pub today: Words,
    /// Phrases right before a rate that put it just under ("less than once a week").
    pub below: Phrases,
    /// Phrases saying it never stops ("all the time", "constantly").
    pub continuous: Phrases,
    /// Phrases saying it comes and goes through the day ("on and off").
    pub on_and_off: Phrases,
    /// Words denying the rate right after them ("not every day").
    pub denials: Words,
}

/// Reading emergency signs described in a person's own words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetWords {
    /// Words that, right before a sign's word in its clause, deny it ("no drooping").
    pub denials: Words,
}

/// Reading answers to "is it still there?".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpWords {
    /// Words saying it got worse or something new came: the safer reading
    /// sends the person through the emergency screen.
    pub worse: Words,
}

/// The words that make a message a diary log, and its day.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiaryWords {
    /// Whole words saying the message is about twitching ("tic").
    pub twitch: Words,
    /// Beginnings of such words ("twitch" for "twitched", "twitching").
    pub twitch_stems: Words,
    /// Words for the day before today.
    pub yesterday: Words,
    /// Words that make a message about twitching not a log ("no twitching
    /// today", "it stopped twitching").
    pub not_a_log: Words,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_loads_and_folds() {
        let en = Lexicon::english();
        assert_eq!(en.number("couple"), Some(2.0));
        assert_eq!(en.number("1.5"), Some(1.5));
        assert_eq!(en.number("purple"), None);
        assert!(en.yes_no.negations.has("dont"));
        assert_eq!(en.duration.units.get("wk"), Some(Unit::Week));
        assert_eq!(Unit::Hour.days(), 1.0 / 24.0);
    }

    fn phrases(written: &[&str]) -> Phrases {
        Phrases::try_from(written.iter().map(|w| w.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn typed(text: &str) -> Vec<String> {
        fold(text).split(' ').map(str::to_string).collect()
    }

    #[test]
    fn phrases_are_found_as_whole_words() {
        let typed = typed("I really do not know");
        assert_eq!(
            phrases(&["do not know"])
                .found_at(&typed)
                .collect::<Vec<_>>(),
            [2]
        );
        assert!(!phrases(&["not sure"]).in_words(&typed));
        assert!(!phrases(&["no"]).in_words(&["know".to_string()]));
        assert_eq!(
            phrases(&["really", "i really do"]).starting_at(&typed, 0),
            Some(3)
        );
        assert!(phrases(&["do NOT"]).ending_before(&typed, 4));
        assert!(!phrases(&["do not"]).ending_before(&typed, 3));
    }

    #[test]
    fn problems_are_pinned_to_line_and_column() {
        let path = Path::new("locales/xx/understanding.toml");
        let english = include_str!("../../locales/en/understanding.toml");
        let broken = english.replacen("unsure = [", "unsure = [\"two words\", ", 1);
        let error = Lexicon::parse(path, &broken).unwrap_err();
        assert!(
            error.starts_with("locales/xx/understanding.toml:"),
            "{error}"
        );
        assert!(error.contains("`two words` is not one word"), "{error}");
        let line = broken
            .lines()
            .position(|l| l.contains("\"two words\""))
            .unwrap()
            + 1;
        assert!(error.contains(&format!(":{line}:")), "{error}");
        let error = Lexicon::parse(path, "numbers = []\nsurprise = 1\n").unwrap_err();
        assert!(
            error.contains(":2:1:") || error.contains("missing"),
            "{error}"
        );
    }
}
