//! A diary log typed in words ("twitched 3 times this morning", "me ha
//! temblado dos veces ayer"): whether a message is one, how many episodes
//! it counts and on which day, read with the language's number and "times"
//! words and its `[diary]` words.

use super::words::words;
use crate::diary::MAX_COUNT;
use crate::script::Script;

/// What a typed log says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedLog {
    /// Episodes (1 when no count is given).
    pub count: u32,
    /// 0 for today, 1 for yesterday.
    pub days_ago: u32,
}

/// The log `text` describes, when it names twitching and does not deny it
/// ("no twitching today"); `None` otherwise.
pub fn read(script: &Script, text: &str) -> Option<TypedLog> {
    let lex = &script.lexicon;
    let typed = words(lex, text);
    let about_twitching = typed.iter().any(|w| {
        lex.diary.twitch.has(w) || lex.diary.twitch_stems.iter().any(|s| w.starts_with(s))
    });
    let denied = typed.iter().any(|w| lex.diary.not_a_log.has(w));
    (about_twitching && !denied).then(|| details(script, &typed))
}

/// What follows `/log`, which is a log whatever it says: its count ("3
/// times", or a bare "3") and day.
pub fn after_command(script: &Script, text: &str) -> TypedLog {
    let typed = words(&script.lexicon, text);
    let mut log = details(script, &typed);
    if let [alone] = typed.as_slice()
        && let Some(n) = number(script, alone)
    {
        log.count = whole(n);
    }
    log
}

fn details(script: &Script, typed: &[String]) -> TypedLog {
    let days_ago = u32::from(typed.iter().any(|w| script.lexicon.diary.yesterday.has(w)));
    TypedLog {
        count: count(script, typed).unwrap_or(1),
        days_ago,
    }
}

/// A count written in digits or as a word.
fn number(script: &Script, word: &str) -> Option<f64> {
    word.parse::<f64>()
        .ok()
        .or_else(|| script.lexicon.numbers.get(word))
}

/// "3 times", "three times", "a couple of times", "twice": the first count
/// of times in the words.
fn count(script: &Script, typed: &[String]) -> Option<u32> {
    let f = &script.lexicon.frequency;
    for (i, word) in typed.iter().enumerate() {
        if let Some(n) = number(script, word) {
            // The count's "times" word, perhaps after "of".
            let mut next = i + 1;
            while typed.get(next).is_some_and(|w| f.of.has(w)) {
                next += 1;
            }
            if typed.get(next).is_some_and(|w| f.times.has(w)) {
                return Some(whole(n));
            }
        }
        if let Some(n) = f.one_word_times.get(word) {
            return Some(whole(n));
        }
    }
    None
}

/// A count as a whole number of episodes, at least 1 and at most [`MAX_COUNT`].
fn whole(n: f64) -> u32 {
    if n.is_finite() {
        n.round().clamp(1.0, f64::from(MAX_COUNT)) as u32
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Dialogue;

    fn dialogue() -> Dialogue {
        let scripts = crate::script::load_checked(
            &[std::path::PathBuf::from("dialogues")],
            std::path::Path::new("locales"),
        )
        .unwrap();
        crate::script::select(scripts, None).unwrap()
    }

    #[test]
    fn typed_logs_read_in_every_language() {
        let dialogue = dialogue();
        let cases = [
            ("en", "twitched 3 times this morning", Some((3, 0))),
            ("en", "my nose twitched twice yesterday", Some((2, 1))),
            ("en", "Twitching again, a couple of times", Some((2, 0))),
            ("en", "nose tic", Some((1, 0))),
            ("en", "it twitched 1000 times", Some((MAX_COUNT, 0))),
            ("en", "3 times this morning", None),
            ("en", "no", None),
            ("es", "me ha temblado 3 veces esta mañana", Some((3, 0))),
            ("es", "ayer me tembló la nariz dos veces", Some((2, 1))),
            ("es", "tic en la nariz", Some((1, 0))),
            ("ru", "дёргалось 3 раза сегодня утром", Some((3, 0))),
            ("ru", "вчера нос дёрнулся дважды", Some((2, 1))),
            ("ru", "подёргивание", Some((1, 0))),
            ("ru", "всё хорошо", None),
            ("en", "no twitching today", None),
            ("en", "it stopped twitching", None),
            ("es", "ya no me tiembla", None),
            ("ru", "больше не дёргается", None),
        ];
        for (language, text, expected) in cases {
            let read = read(dialogue.get(language), text).map(|l| (l.count, l.days_ago));
            assert_eq!(read, expected, "{language}: {text}");
        }
        let after = |text: &str| {
            let log = after_command(dialogue.get("en"), text);
            (log.count, log.days_ago)
        };
        assert_eq!(after(""), (1, 0));
        assert_eq!(after("3"), (3, 0));
        assert_eq!(after("twice yesterday, after coffee"), (2, 1));
        assert_eq!(after("after a long day"), (1, 0));
    }
}
