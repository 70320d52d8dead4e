//! What the bot says, worded: engine replies and the bot's own messages as
//! text in our markup (everything from data or a person is escaped) with
//! buttons carrying typed actions. No platform's format: each edge renders
//! these.

mod check;
mod group;
mod info;
mod summary;

pub use check::{answered, intro, outcome, question, tips, welcome};
pub use group::{
    check_in_private, check_link, group_about, group_help, group_intro, periodic_tip, settings,
    welcome_members,
};
pub use info::{about, help, language_menu, privacy};
pub use summary::{summary, summary_page};

use crate::message::{Button, Outgoing, escape};

/// Buttons, row by row.
pub type Buttons = Vec<Vec<Button>>;

/// A message for the outbox: in forum topic `topic` when set, with buttons.
pub fn message(topic: Option<i32>, text: String, buttons: Buttons) -> Outgoing {
    Outgoing::Message {
        topic,
        text,
        buttons,
        question_turn: None,
    }
}

/// A plain line (notices, re-prompts).
pub fn plain(text: &str) -> String {
    escape(text)
}
