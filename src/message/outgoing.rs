//! A message or call the bot owes a chat, waiting in its outbox: our own
//! terms, rendered by the platform's edge when it is sent. Entries written
//! by versions before this form (Telegram's keyboard JSON inside) are still
//! read, as the two `Legacy` variants, and sent by the Telegram edge.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Action, MessageId};

/// A button: its label and what pressing it asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    /// What it says.
    pub label: String,
    /// What it does.
    pub action: Action,
}

impl Button {
    /// A button labelled `label` doing `action`.
    pub fn new(label: impl Into<String>, action: Action) -> Button {
        Button {
            label: label.into(),
            action,
        }
    }
}

/// One message or call, waiting in a chat's outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outgoing {
    /// A message: text in our markup, with buttons row by row.
    Message {
        /// Forum topic, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<i32>,
        /// The text (see [`super::escape`] for the markup).
        text: String,
        /// Buttons, row by row (none: an empty list).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<Vec<Button>>,
        /// When this shows the question of this session turn, the message
        /// is remembered so the answer can be shown there later.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        question_turn: Option<u32>,
    },
    /// Shows the answer in the message of the question asked on `turn`
    /// (skipped when another question is shown by now); its buttons go.
    #[serde(alias = "edit_question")]
    ShowAnswer {
        /// The session turn of the question.
        turn: u32,
        /// The new text.
        #[serde(alias = "html")]
        text: String,
    },
    /// Replaces a known message of the bot's (a `/settings` message after a press).
    Replace {
        /// The message.
        message: MessageId,
        /// The new text.
        text: String,
        /// The new buttons.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<Vec<Button>>,
    },
    /// A small file (a summary, an export) with a caption.
    Document {
        /// The file's name, e.g. `export.json`.
        filename: String,
        /// The file's content.
        content: String,
        /// The caption, in our markup.
        caption: String,
    },
    /// A picture (the diary's chart) with a caption in our markup.
    Photo {
        /// The file's name, e.g. `diary.png`.
        filename: String,
        /// The PNG itself (base64 when stored).
        #[serde(with = "base64_bytes")]
        png: Vec<u8>,
        /// The caption, in our markup.
        caption: String,
    },
    /// Stops a pressed button's spinner, with an optional short notice.
    #[serde(alias = "answer_button")]
    AnswerPress {
        /// The press's id.
        #[serde(alias = "query")]
        press: String,
        /// The notice, if any.
        #[serde(default, alias = "text", skip_serializing_if = "Option::is_none")]
        notice: Option<String>,
    },
    /// A message queued by an earlier version, with Telegram's keyboard
    /// JSON inside; only the Telegram edge sends it.
    #[serde(rename = "send")]
    LegacySend(LegacyMessage),
    /// An edit queued by an earlier version (see [`Outgoing::LegacySend`]).
    #[serde(rename = "edit")]
    LegacyEdit(LegacyMessage),
    /// Stored in a form this version cannot read: skipped rather than
    /// blocking the chat's later replies.
    #[serde(skip)]
    Unreadable,
}

/// What an earlier version queued: HTML and a keyboard as Telegram's JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyMessage {
    /// Forum topic, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<i32>,
    /// The message to edit, for an edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i32>,
    /// The text, as HTML.
    pub html: String,
    /// `reply_markup` as Telegram's JSON text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyboard: Option<String>,
    /// The session turn of the question it shows, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_turn: Option<u32>,
}

impl Outgoing {
    /// A message with no buttons, in the General topic or `topic`.
    pub fn text(topic: Option<i32>, text: String) -> Outgoing {
        Outgoing::Message {
            topic,
            text,
            buttons: Vec::new(),
            question_turn: None,
        }
    }

    /// Whether a platform's message limits apply (edits and press answers
    /// are not paced).
    pub fn paced(&self) -> bool {
        matches!(
            self,
            Outgoing::Message { .. }
                | Outgoing::Document { .. }
                | Outgoing::Photo { .. }
                | Outgoing::LegacySend(_)
        )
    }
}

/// Bytes stored as base64 text inside an outbox entry's JSON.
mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// How a button's action is stored: its encoded data, or `link` for a link.
const LINK: &str = "link:private-check";

impl Serialize for Action {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.encode().unwrap_or_else(|| LINK.to_string()))
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Action, D::Error> {
        let data = String::deserialize(d)?;
        if data == LINK {
            return Ok(Action::OpenPrivateCheck);
        }
        Action::parse(&data)
            .ok_or_else(|| serde::de::Error::custom("a button action this version cannot read"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_earlier_versions_queued_still_reads() {
        let read = |json: &str| serde_json::from_str::<Outgoing>(json).unwrap();
        assert_eq!(
            read(r#"{"kind":"edit_question","turn":3,"html":"Q\n\n✓ <b>No</b>"}"#),
            Outgoing::ShowAnswer {
                turn: 3,
                text: "Q\n\n✓ <b>No</b>".to_string()
            }
        );
        assert_eq!(
            read(r#"{"kind":"answer_button","query":"q1","text":"closed"}"#),
            Outgoing::AnswerPress {
                press: "q1".to_string(),
                notice: Some("closed".to_string())
            }
        );
        let keyboard = r#"{"inline_keyboard":[[{"text":"Yes","callback_data":"begin"}]]}"#;
        let send = serde_json::json!({
            "kind": "send", "html": "<b>Hi</b>", "keyboard": keyboard, "question_turn": 2
        });
        assert_eq!(
            read(&send.to_string()),
            Outgoing::LegacySend(LegacyMessage {
                thread: None,
                message_id: None,
                html: "<b>Hi</b>".to_string(),
                keyboard: Some(keyboard.to_string()),
                question_turn: Some(2),
            })
        );
        let edit = r#"{"kind":"edit","message_id":9,"html":"x"}"#;
        assert!(matches!(read(edit), Outgoing::LegacyEdit(m) if m.message_id == Some(9)));
    }

    #[test]
    fn a_message_reads_back_as_written() {
        let message = Outgoing::Message {
            topic: Some(4),
            text: "<b>Hello</b>".to_string(),
            buttons: vec![vec![
                Button::new("Start", Action::Begin),
                Button::new("Open", Action::OpenPrivateCheck),
            ]],
            question_turn: Some(1),
        };
        let json = serde_json::to_string(&message).unwrap();
        assert_eq!(serde_json::from_str::<Outgoing>(&json).unwrap(), message);
    }

    #[test]
    fn a_photo_is_stored_as_text_and_reads_back() {
        let photo = Outgoing::Photo {
            filename: "diary.png".to_string(),
            png: vec![0x89, b'P', b'N', b'G', 0, 255],
            caption: "Your diary".to_string(),
        };
        let json = serde_json::to_string(&photo).unwrap();
        assert!(json.contains(r#""png":"iVBORwD/""#), "{json}");
        assert_eq!(serde_json::from_str::<Outgoing>(&json).unwrap(), photo);
    }
}
