//! Intake: updates from `getUpdates` pages or webhook POSTs become inbox
//! entries, keyed by update id so a re-delivery is written once. Only the
//! update id and chat are read here; the update is parsed in full when its
//! chat's lane handles it. Flood control counts updates as they arrive, so a
//! flooding chat is noticed (and told, once) even while its replies wait
//! for their pacing.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::App;
use super::api::json_failure;
use super::flood::Verdict;
use crate::store::{Event, NewEntry};

/// The few fields intake reads.
#[derive(Deserialize)]
struct Peek {
    update_id: u32,
    message: Option<Holder>,
    edited_message: Option<Holder>,
    callback_query: Option<Holder>,
    my_chat_member: Option<Holder>,
}

/// Anything with a chat, a sender, or a message holding a chat.
#[derive(Deserialize)]
struct Holder {
    chat: Option<Id>,
    from: Option<Id>,
    message: Option<Box<Holder>>,
}

#[derive(Deserialize)]
struct Id {
    id: i64,
}

impl Peek {
    /// The chat whose lane handles the update: the chat it happened in; for
    /// a button under a message too old to be included, the person's own
    /// (private) chat; 0 when there is none.
    fn chat(&self) -> i64 {
        let holder = self
            .message
            .as_ref()
            .or(self.edited_message.as_ref())
            .or(self.my_chat_member.as_ref());
        if let Some(chat) = holder.and_then(|h| h.chat.as_ref()) {
            return chat.id;
        }
        let query = self.callback_query.as_ref();
        query
            .and_then(|q| q.message.as_ref())
            .and_then(|m| m.chat.as_ref())
            .or_else(|| query.and_then(|q| q.from.as_ref()))
            .map_or(0, |id| id.id)
    }

    /// Who sent the update (for flood control); the chat when nobody did.
    fn sender(&self, chat: i64) -> i64 {
        [
            &self.message,
            &self.edited_message,
            &self.callback_query,
            &self.my_chat_member,
        ]
        .into_iter()
        .flatten()
        .find_map(|h| h.from.as_ref())
        .map_or(chat, |id| id.id)
    }
}

/// The inbox entry for one update as Telegram sent it; `None` for one
/// without an id (logged) or dropped by flood control.
pub fn entry(app: &App, json: Box<RawValue>, now_ms: u64) -> Option<NewEntry> {
    let peek: Peek = match serde_json::from_str(json.get()) {
        Ok(peek) => peek,
        Err(e) => {
            log::warn!(
                "an update could not be read ({}); skipped",
                json_failure(&e)
            );
            return None;
        }
    };
    app.metrics
        .updates
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let chat = peek.chat();
    let event = match app.flood.check(chat, peek.sender(chat), now_ms) {
        Verdict::Allow => Event::Update(json),
        // A notice in a group would be one more message to everyone there.
        Verdict::Warn if chat < 0 => {
            log::debug!("a member of {chat} is flooding; ignored for a minute");
            return None;
        }
        Verdict::Warn => {
            log::debug!("chat {chat} is flooding; pausing it for a minute");
            Event::FloodNotice
        }
        Verdict::Drop => return None,
    };
    Some(NewEntry {
        key: format!("u:{}", peek.update_id),
        chat,
        not_before_ms: 0,
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat_of(json: &str) -> i64 {
        serde_json::from_str::<Peek>(json).unwrap().chat()
    }

    #[test]
    fn each_kind_of_update_finds_its_chat() {
        assert_eq!(
            chat_of(r#"{"update_id":1,"message":{"chat":{"id":5},"from":{"id":9}}}"#),
            5
        );
        assert_eq!(
            chat_of(
                r#"{"update_id":1,"callback_query":{"from":{"id":9},"message":{"chat":{"id":-7}}}}"#
            ),
            -7
        );
        assert_eq!(
            chat_of(r#"{"update_id":1,"callback_query":{"from":{"id":9}}}"#),
            9
        );
        assert_eq!(
            chat_of(r#"{"update_id":1,"my_chat_member":{"chat":{"id":-3}}}"#),
            -3
        );
        assert_eq!(chat_of(r#"{"update_id":1,"poll":{"id":"x"}}"#), 0);
    }
}
