//! Matrix events as the core's events. Only what the bot needs is read
//! from each event's JSON (as the homeserver sent it, or as decrypted):
//! texts (a command may start with `/` or, since Element keeps unknown `/`
//! commands for itself, with `!`), edits, other messages, poll answers (the
//! taps on a question's options), members joining, the bot joining a room.

use serde_json::Value;

use crate::message::{ChatKind, Incoming, MessageId, Person, What};

/// The poll answer event types: the unstable one Element sends, and the stable one.
const POLL_RESPONSES: [&str; 2] = ["org.matrix.msc3381.poll.response", "m.poll.response"];

/// The room an event came from, as the core sees it.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The room's chat id.
    pub chat: i64,
    /// Whether it is a direct chat (a person and the bot).
    pub private: bool,
}

/// The inbox key and the event, for one timeline event from `place`; `None`
/// for the bot's own events and for what means nothing to the core.
pub fn event(json: &Value, place: Place, bot: &str) -> Option<(String, Incoming)> {
    let sender = json.get("sender")?.as_str()?;
    let event_id = json.get("event_id")?.as_str()?;
    let kind = json.get("type")?.as_str()?;
    let content = json.get("content")?;
    let what = if kind == "m.room.member" {
        member(json, content, place, bot)?
    } else if sender == bot {
        return None;
    } else if kind == "m.room.message" {
        message(content)
    } else if POLL_RESPONSES.contains(&kind) {
        answer(content, event_id)?
    } else if kind == "m.room.encrypted" {
        // Not decrypted (keys never arrived): the person is asked again.
        What::NotText
    } else {
        return None;
    };
    let from = (sender != bot).then(|| Person {
        id: person_id(sender),
        language: None,
    });
    let incoming = Incoming {
        chat: place.chat,
        kind: if place.private {
            ChatKind::Private
        } else {
            ChatKind::Group
        },
        from,
        as_chat: false,
        topic: None,
        what,
    };
    Some((format!("mx:{event_id}"), incoming))
}

/// A person's number for flood control and cooldowns (their id hashed).
pub fn person_id(user: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in user.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash >> 1) as i64
}

fn message(content: &Value) -> What {
    if content
        .pointer("/m.relates_to/rel_type")
        .and_then(Value::as_str)
        == Some("m.replace")
    {
        return What::Edited;
    }
    let text_kinds = ["m.text", "m.notice", "m.emote"];
    let msgtype = content.get("msgtype").and_then(Value::as_str);
    match (msgtype, content.get("body").and_then(Value::as_str)) {
        (Some(kind), Some(body)) if text_kinds.contains(&kind) => What::Text {
            text: command(strip_reply(body)),
        },
        _ => What::NotText,
    }
}

/// A reply's body starts with the quoted lines (`> …`) and a blank line.
fn strip_reply(body: &str) -> &str {
    if !body.starts_with("> ") {
        return body;
    }
    body.split_once("\n\n").map_or(body, |(_, rest)| rest)
}

/// `!check` reads as `/check` (Element keeps unknown `/` commands to itself).
fn command(text: &str) -> String {
    match text.strip_prefix('!') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) => format!("/{rest}"),
        _ => text.to_string(),
    }
}

/// A tap on one of a question's options (a poll answer).
fn answer(content: &Value, event_id: &str) -> Option<What> {
    let poll = content.pointer("/m.relates_to/event_id")?.as_str()?;
    let answers = content
        .get("org.matrix.msc3381.poll.response")
        .or_else(|| content.get("m.selections"))
        .and_then(|r| r.get("answers").or(Some(r)))?;
    let data = answers.as_array()?.first()?.as_str()?;
    Some(What::Press {
        id: event_id.to_string(),
        data: data.to_string(),
        under_message: true,
        message: Some(MessageId(poll.to_string())),
    })
}

/// A membership change: people joining a group, the bot joining one.
fn member(json: &Value, content: &Value, place: Place, bot: &str) -> Option<What> {
    let who = json.get("state_key")?.as_str()?;
    let joined = content.get("membership")?.as_str()? == "join";
    let was_joined = json
        .pointer("/unsigned/prev_content/membership")
        .and_then(Value::as_str)
        == Some("join");
    if !joined || was_joined || place.private {
        return None;
    }
    if who == bot {
        return Some(What::BotAdded);
    }
    let name = content
        .get("displayname")
        .and_then(Value::as_str)
        .unwrap_or(who);
    Some(What::Joined {
        names: vec![name.to_string()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BOT: &str = "@bot:localhost";
    const HERE: Place = Place {
        chat: 1 << 53,
        private: true,
    };

    fn what(json: Value) -> Option<What> {
        event(&json, HERE, BOT).map(|(_, incoming)| incoming.what)
    }

    #[test]
    fn texts_commands_edits_and_taps_read_as_the_core_expects() {
        let text = |body: &str| {
            json!({"type": "m.room.message", "sender": "@ana:localhost", "event_id": "$1",
                   "content": {"msgtype": "m.text", "body": body}})
        };
        assert_eq!(
            what(text("2 weeks")),
            Some(What::Text {
                text: "2 weeks".into()
            })
        );
        assert_eq!(
            what(text("!check")),
            Some(What::Text {
                text: "/check".into()
            })
        );
        assert_eq!(what(text("!!!")), Some(What::Text { text: "!!!".into() }));
        let mut own = text("hello");
        own["sender"] = json!(BOT);
        assert_eq!(what(own), None, "the bot's own messages are not read");
        let edit = json!({"type": "m.room.message", "sender": "@ana:localhost", "event_id": "$2",
            "content": {"msgtype": "m.text", "body": "* no", "m.relates_to": {"rel_type": "m.replace", "event_id": "$1"}}});
        assert_eq!(what(edit), Some(What::Edited));
        let tap = json!({"type": "org.matrix.msc3381.poll.response", "sender": "@ana:localhost",
            "event_id": "$3", "content": {
                "m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"},
                "org.matrix.msc3381.poll.response": {"answers": ["a:1:0:red_flags:no"]}}});
        assert_eq!(
            what(tap),
            Some(What::Press {
                id: "$3".into(),
                data: "a:1:0:red_flags:no".into(),
                under_message: true,
                message: Some(MessageId("$poll".into())),
            })
        );
    }
}
