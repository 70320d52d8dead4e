//! What a button does, as one typed enum with one encoder and one parser.
//! The encoded form is what a platform carries with the button (Telegram's
//! `callback_data`, at most 64 bytes) and hands back on a press; it is ours,
//! so every platform uses the same one, and buttons sent by earlier
//! versions still read the same.

use crate::engine::ButtonToken;

/// What pressing a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// An answer to a question of a check (stale ones are told apart by the token).
    Answer(ButtonToken),
    /// "Start the check", under the greeting.
    Begin,
    /// A language from the private `/language` menu.
    Language(String),
    /// A group setting from `/settings`.
    Setting(Setting),
    /// Something about the person's twitch diary.
    Diary(DiaryAction),
    /// Open a private chat with the bot that starts the check at once (a
    /// link, not a press: Telegram's deep link, a direct chat elsewhere).
    OpenPrivateCheck,
}

/// One choice of a group's `/settings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// Greet new members, or not.
    Welcome(bool),
    /// No periodic tips.
    TipsOff,
    /// A tip a day.
    TipsDaily,
    /// A tip a week.
    TipsWeekly,
    /// Welcomes and tips go to the General topic.
    TopicGeneral,
    /// Welcomes and tips go to the topic the settings message is in.
    TopicHere,
    /// The group's language.
    Language(String),
}

/// A press about the twitch diary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiaryAction {
    /// Switch the diary on (the offer's button).
    Start,
    /// No diary (the offer's other button).
    Decline,
    /// Log an episode now.
    Log,
    /// Mark (or unmark) tag `tag` on entry `entry`.
    Tag {
        /// The entry's id.
        entry: u32,
        /// The tag's id.
        tag: String,
    },
    /// After `/diary off`: delete the entries.
    Delete,
    /// After `/diary off`: keep them until they expire.
    Keep,
}

const BEGIN: &str = "begin";
const DIARY: &str = "d:";
const LANGUAGE: &str = "lang:";
const SETTING: &str = "s:";

impl Action {
    /// The data carried with the button; `None` for a link.
    pub fn encode(&self) -> Option<String> {
        Some(match self {
            Action::Answer(token) => token.to_string(),
            Action::Begin => BEGIN.to_string(),
            Action::Language(code) => format!("{LANGUAGE}{code}"),
            Action::Setting(setting) => format!("{SETTING}{}", setting.encode()),
            Action::Diary(diary) => format!("{DIARY}{}", diary.encode()),
            Action::OpenPrivateCheck => return None,
        })
    }

    /// Reads data written by [`Action::encode`]; `None` for anything else
    /// (a forged or foreign press).
    pub fn parse(data: &str) -> Option<Action> {
        if data == BEGIN {
            return Some(Action::Begin);
        }
        if let Some(code) = data.strip_prefix(LANGUAGE) {
            return Some(Action::Language(code.to_string()));
        }
        if let Some(setting) = data.strip_prefix(SETTING) {
            return Setting::parse(setting).map(Action::Setting);
        }
        if let Some(diary) = data.strip_prefix(DIARY) {
            return DiaryAction::parse(diary).map(Action::Diary);
        }
        ButtonToken::decode(data).map(Action::Answer)
    }
}

impl DiaryAction {
    fn encode(&self) -> String {
        match self {
            DiaryAction::Start => "on".to_string(),
            DiaryAction::Decline => "no".to_string(),
            DiaryAction::Log => "log".to_string(),
            DiaryAction::Tag { entry, tag } => format!("t:{entry}:{tag}"),
            DiaryAction::Delete => "del".to_string(),
            DiaryAction::Keep => "keep".to_string(),
        }
    }

    fn parse(data: &str) -> Option<DiaryAction> {
        Some(match data {
            "on" => DiaryAction::Start,
            "no" => DiaryAction::Decline,
            "log" => DiaryAction::Log,
            "del" => DiaryAction::Delete,
            "keep" => DiaryAction::Keep,
            other => {
                let (entry, tag) = other.strip_prefix("t:")?.split_once(':')?;
                if tag.is_empty() {
                    return None;
                }
                DiaryAction::Tag {
                    entry: entry.parse().ok()?,
                    tag: tag.to_string(),
                }
            }
        })
    }
}

impl Setting {
    fn encode(&self) -> String {
        match self {
            Setting::Welcome(true) => "welcome:on".to_string(),
            Setting::Welcome(false) => "welcome:off".to_string(),
            Setting::TipsOff => "tips:off".to_string(),
            Setting::TipsDaily => "tips:daily".to_string(),
            Setting::TipsWeekly => "tips:weekly".to_string(),
            Setting::TopicGeneral => "topic:general".to_string(),
            Setting::TopicHere => "topic:here".to_string(),
            Setting::Language(code) => format!("{LANGUAGE}{code}"),
        }
    }

    fn parse(data: &str) -> Option<Setting> {
        Some(match data {
            "welcome:on" => Setting::Welcome(true),
            "welcome:off" => Setting::Welcome(false),
            "tips:off" => Setting::TipsOff,
            "tips:daily" => Setting::TipsDaily,
            "tips:weekly" => Setting::TipsWeekly,
            "topic:general" => Setting::TopicGeneral,
            "topic:here" => Setting::TopicHere,
            other => Setting::Language(other.strip_prefix(LANGUAGE)?.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_as_written() {
        let token = ButtonToken {
            session: 0xbeef,
            turn: 3,
            node: "red-flags".to_string(),
            value: "no".to_string(),
        };
        let actions = [
            Action::Answer(token),
            Action::Begin,
            Action::Language("es".to_string()),
            Action::Setting(Setting::Welcome(true)),
            Action::Setting(Setting::Welcome(false)),
            Action::Setting(Setting::TipsOff),
            Action::Setting(Setting::TipsDaily),
            Action::Setting(Setting::TipsWeekly),
            Action::Setting(Setting::TopicGeneral),
            Action::Setting(Setting::TopicHere),
            Action::Setting(Setting::Language("ru".to_string())),
            Action::Diary(DiaryAction::Start),
            Action::Diary(DiaryAction::Decline),
            Action::Diary(DiaryAction::Log),
            Action::Diary(DiaryAction::Delete),
            Action::Diary(DiaryAction::Keep),
            Action::Diary(DiaryAction::Tag {
                entry: u32::MAX,
                tag: "a".repeat(crate::script::MAX_TAG_ID),
            }),
        ];
        for action in actions {
            let data = action.encode().unwrap();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Action::parse(&data), Some(action));
        }
    }

    #[test]
    fn the_forms_earlier_versions_sent_still_read() {
        assert_eq!(Action::parse("begin"), Some(Action::Begin));
        assert_eq!(
            Action::parse("s:tips:weekly"),
            Some(Action::Setting(Setting::TipsWeekly))
        );
        assert_eq!(
            Action::parse("s:lang:es"),
            Some(Action::Setting(Setting::Language("es".to_string())))
        );
        assert_eq!(
            Action::parse("lang:ru"),
            Some(Action::Language("ru".into()))
        );
        for forged in [
            "",
            "s:bogus",
            "x:1",
            "a:zz:1:n:v",
            "d:t:x:stress",
            "d:t:1:",
            "d:zz",
        ] {
            assert_eq!(Action::parse(forged), None, "{forged}");
        }
    }
}
