//! An event from a chat, as the platform's edge decoded it: who, which chat
//! and what kind of chat, and what happened. Written to the inbox as it is,
//! so it holds only what handling it needs (never a platform's raw payload).

use serde::{Deserialize, Serialize};

use super::{ChatId, MessageId};

/// One event from a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// The chat it happened in (for a press under a message too old to be
    /// named, the person's private chat).
    pub chat: i64,
    /// What kind of chat that is.
    pub kind: ChatKind,
    /// Who sent it, when a person did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Person>,
    /// Sent in the name of the chat itself (an anonymous group admin).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub as_chat: bool,
    /// The forum topic it came from, so a reply lands beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<i32>,
    /// What happened.
    pub what: What,
}

impl Incoming {
    /// The chat, typed.
    pub fn chat_id(&self) -> ChatId {
        ChatId(self.chat)
    }

    /// Who to count it against for flood control: the person, else the chat.
    pub fn sender(&self) -> i64 {
        self.from.as_ref().map_or(self.chat, |p| p.id)
    }
}

/// What kind of chat an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    /// A person's private chat with the bot: where checks happen.
    Private,
    /// A chat of several people: never a health question there.
    Group,
    /// Anything else (a channel): nothing to do.
    Other,
}

/// A person, as much of them as the bot uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Their id on the platform (for admin checks, cooldowns, flood control).
    pub id: i64,
    /// The language their app is set to, as a tag (`es-MX`), if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// What happened in the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum What {
    /// A text message (commands are texts too: the core reads them).
    Text {
        /// The text as sent.
        text: String,
    },
    /// A message without text (a sticker, a photo…).
    NotText,
    /// A message was edited (answers are read only from new ones).
    Edited,
    /// A button was pressed.
    Press {
        /// The press's id, to stop its spinner.
        id: String,
        /// The data the button carried (see [`super::Action`]).
        data: String,
        /// Whether the message it was under is known (its chat is then the
        /// event's chat).
        under_message: bool,
        /// That message, when it can still be edited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<MessageId>,
    },
    /// People joined a group.
    Joined {
        /// Their first names (bots left out).
        names: Vec<String>,
    },
    /// The bot was added to a group (`from` added it).
    BotAdded,
    /// The bot was removed from a group.
    BotRemoved,
    /// The group became another chat (a supergroup): its settings move.
    MovedTo {
        /// The new chat.
        chat: i64,
    },
    /// Anything else: nothing to do.
    Other,
}
