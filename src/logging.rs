//! How a chat may appear in logs above debug level. A private chat's id is
//! the person's Telegram id, so it is shown as a tag keyed per process:
//! lines about the same chat can be matched while the bot runs, and the tag
//! cannot be turned back into the id. Groups are shown by their id.

use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;

/// A chat as logs show it.
pub struct Shown(i64);

/// `chat` as logs may show it.
pub fn chat(chat: i64) -> Shown {
    Shown(chat)
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if crate::message::ChatId(self.0).is_group() {
            return write!(f, "group {}", self.0);
        }
        static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
        let tag = KEY.get_or_init(Default::default).hash_one(self.0);
        write!(f, "private chat #{:06x}", tag & 0xff_ffff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ids_never_show_and_groups_do() {
        let shown = chat(123_456_789).to_string();
        assert!(shown.starts_with("private chat #"), "{shown}");
        assert!(!shown.contains("123456789"));
        assert_eq!(shown, chat(123_456_789).to_string(), "stable while running");
        assert_eq!(chat(-10_042).to_string(), "group -10042");
    }
}
