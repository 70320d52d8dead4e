//! What the bot receives and sends, in its own terms, on any messaging
//! platform: a chat id that knows its kind, an [`Incoming`] event (a text,
//! a press on one of our buttons, members joining…), an [`Outgoing`] message
//! (text in our small markup, buttons carrying a typed [`Action`], a
//! document, "show the answer on the question"). The store keeps only these
//! types; each platform's edge decodes into them and renders from them.

mod action;
mod incoming;
mod markup;
mod outgoing;

pub use action::{Action, DiaryAction, Setting};
pub use incoming::{ChatKind, Incoming, Person, What};
pub use markup::{MAX_MESSAGE, escape, plain_text, split};
pub use outgoing::{Button, LegacyMessage, Outgoing};

use serde::{Deserialize, Serialize};

/// A message of the bot's, as its platform names it (Telegram's message
/// number, Matrix's event id), so it can be edited later. Kept as text;
/// numbers an earlier version stored read as their digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct MessageId(pub String);

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<MessageId, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            Number(i64),
        }
        Ok(MessageId(match Written::deserialize(d)? {
            Written::Text(text) => text,
            Written::Number(n) => n.to_string(),
        }))
    }
}

impl std::fmt::Display for MessageId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A chat, as the store keys it. The convention every platform maps its
/// chats into: private chats are positive, groups negative (Telegram's own
/// ids already follow it), so a stored entry tells its kind by its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatId(pub i64);

impl ChatId {
    /// Whether this is a group (a chat of several people); never asked a
    /// health question, paced as a group, its settings swept for tips.
    pub fn is_group(self) -> bool {
        self.0 < 0
    }

    /// Whether this is a person's private chat with the bot.
    pub fn is_private(self) -> bool {
        self.0 > 0
    }
}
