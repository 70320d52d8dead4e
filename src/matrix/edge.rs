//! The Matrix edge as the runtime and the core use it. Each outbox entry
//! is one or two events, sent with transaction ids made from the entry, so
//! the homeserver takes a retried send as the same event (a crash mid-send
//! repeats nothing). Our markup goes out as `org.matrix.custom.html` with
//! a plain `body`; a question's options go out as a poll (MSC3381), which
//! Element shows as options to tap (a poll asks one line: a longer text
//! goes first as a message, since a poll's question loses its line breaks);
//! once answered, the poll is ended with
//! the answer shown; other messages are edited with `m.replace`; documents
//! go as files, encrypted in encrypted rooms. Commands mentioned in the
//! texts (`/check`) are written the way Matrix people type them (`!check`).

use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::attachment::AttachmentConfig;
use matrix_sdk::ruma::api::error::{ErrorKind, RetryAfter};
use matrix_sdk::ruma::events::room::message::TextMessageEventContent;
use matrix_sdk::ruma::{OwnedTransactionId, OwnedUserId};
use matrix_sdk::{Client, Room, RoomMemberships, RoomState};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::rooms::{self, Rooms};
use crate::conversation::command::{GROUP, PRIVATE};
use crate::conversation::{Platform, PlatformError};
use crate::message::{Action, Button, Incoming, MessageId, Outgoing, plain_text};
use crate::runtime::pacing::{Limits, Rate};
use crate::runtime::{Edge, Failure};
use crate::store::OutboxEntry;

/// Synapse's defaults allow a user a message every few seconds with bursts
/// of ten; operators raise them for bots. We pace within a generous
/// reading and honour `M_LIMIT_EXCEEDED` beyond it.
pub const LIMITS: Limits = Limits {
    private: Rate::every(200, 10),
    group: Rate::every(1000, 5),
    global_per_second: 20,
    global_burst: 20,
};

/// The poll event types Element reads (the unstable MSC3381 ones).
const POLL_START: &str = "org.matrix.msc3381.poll.start";
const POLL_END: &str = "org.matrix.msc3381.poll.end";
/// A message id that names a poll (ended, not edited, once answered).
const POLL: &str = "poll:";

/// Matrix, as one platform of the bot's.
pub struct Matrix {
    /// The logged-in client (its state and crypto stores persist).
    pub client: Client,
    /// The bot's own user id.
    pub bot: OwnedUserId,
    /// Chats and their rooms.
    pub rooms: Arc<Rooms>,
}

/// What a failed Matrix call calls for.
fn failure(error: &matrix_sdk::Error) -> Failure {
    if let matrix_sdk::Error::WrongRoomState(_) = error {
        // The bot left, was removed or banned: the SDK sends nothing there.
        return Failure::Gone;
    }
    match error.client_api_error_kind() {
        Some(ErrorKind::LimitExceeded(data)) => Failure::RetryAfter(match data.retry_after {
            Some(RetryAfter::Delay(wait)) => wait,
            _ => Duration::from_secs(1),
        }),
        Some(ErrorKind::Forbidden | ErrorKind::NotFound) => Failure::Gone,
        Some(other) => Failure::Rejected(format!("{other:?}")),
        None => Failure::Transient(format!("matrix: {error}")),
    }
}

/// The prefix Matrix people type commands with (`decode` reads it as `/`).
const PREFIX: char = '!';

/// Whether a `/` after `previous` starts a word: at the start, after a
/// space or line break, an opening bracket or quote, or a tag.
fn starts_word(previous: Option<char>) -> bool {
    previous.is_none_or(|c| c.is_whitespace() || "([{\"'«“‘>".contains(c))
}

/// `text` with each mention of one of the bot's own commands (`/check`)
/// written the way Matrix people can type it (`!check`): Element keeps
/// unknown `/` commands for itself. Only a `/` that starts a word and is
/// followed by a whole command name changes; links, paths, `and/or` and
/// dates stay as they are.
fn typed_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = None;
    for (at, c) in text.char_indices() {
        if c == '/' && starts_word(previous) {
            let rest = &text[at + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            let after = rest[end..].chars().next();
            let known = PRIVATE.iter().chain(GROUP.iter()).any(|&n| n == name);
            if known && !matches!(after, Some('/' | '@')) {
                out.push(PREFIX);
                previous = Some(PREFIX);
                continue;
            }
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// A question's text as a poll (its question) and, for a longer text, a
/// message sent before it. Element shows a poll's question as one heading
/// and drops its line breaks (element-web's `MPollBody` puts the plain text
/// in an `<h2>` with no `white-space` rule), so a text of more than two
/// lines does not go into the poll whole: when it ends with a paragraph of
/// one line that asks something (a report, then the question: "✓ Logged…",
/// "Did anything come with it?"), the poll asks that line and the message
/// carries what comes before it; otherwise (a question, then a list, as the
/// stroke screen's signs; or a greeting ending with its disclaimer) the
/// message carries it all and the poll asks its first line.
fn poll_parts<'a>(text: &'a str, plain: &'a str) -> (Option<&'a str>, &'a str) {
    let (text, plain) = (text.trim_end(), plain.trim_end());
    if plain.lines().count() <= 2 {
        return (None, plain);
    }
    if let (Some((before, _)), Some((_, last))) =
        (text.rsplit_once("\n\n"), plain.rsplit_once("\n\n"))
        && !last.contains('\n')
        && last.contains('?')
    {
        return (Some(before), last.trim());
    }
    (Some(text), plain.lines().next().unwrap_or(plain))
}

/// Our markup as Matrix HTML: lines break with `<br>`.
fn html(text: &str) -> String {
    text.replace('\n', "<br>")
}

/// A text message's content: plain `body` and HTML, commands as typed.
fn text_content(text: &str) -> Value {
    let text = &typed_commands(text);
    json!({
        "msgtype": "m.text",
        "body": plain_text(text),
        "format": "org.matrix.custom.html",
        "formatted_body": html(text),
    })
}

impl Matrix {
    fn room(&self, chat: i64) -> Result<Room, Failure> {
        // A room this replica has not seen yet (another replica took the
        // event in) is not gone: it is known after this replica's next sync.
        let unknown = || Failure::Transient("a room this replica has not synced yet".into());
        let room = match self.rooms.room(chat) {
            Some(id) => self.client.get_room(&id).ok_or_else(unknown)?,
            // Not noted since start-up, which notes the joined rooms only
            // (one the bot left before a restart is not among them): the
            // SDK knows every room it has seen, in any state.
            None => {
                let private = chat > 0;
                let room = self
                    .client
                    .rooms()
                    .into_iter()
                    .find(|room| rooms::chat_of(room.room_id(), private) == chat)
                    .ok_or_else(unknown)?;
                self.rooms.note(room.room_id(), private);
                room
            }
        };
        // Left, removed or banned: what it is owed is dropped, not retried.
        if room.state() != RoomState::Joined {
            return Err(Failure::Gone);
        }
        Ok(room)
    }

    async fn send(
        &self,
        room: &Room,
        kind: &str,
        content: Value,
        txn: String,
    ) -> Result<MessageId, Failure> {
        let txn = OwnedTransactionId::from(txn);
        let sent = room
            .send_raw(kind, content)
            .with_transaction_id(&txn)
            .await
            .map_err(|e| failure(&e))?;
        Ok(MessageId(sent.response.event_id.to_string()))
    }

    /// A message with its buttons: answers become a poll; a link to the
    /// private check becomes a line with a link to a direct chat with the bot.
    async fn message(
        &self,
        room: &Room,
        text: &str,
        buttons: &[Vec<Button>],
        txn: String,
    ) -> Result<MessageId, Failure> {
        let buttons: Vec<&Button> = buttons.iter().flatten().collect();
        let mut text = typed_commands(text);
        for link in buttons
            .iter()
            .filter(|b| b.action == Action::OpenPrivateCheck)
        {
            let url = format!("https://matrix.to/#/{}", self.bot);
            text.push_str(&format!(
                "\n\n<a href=\"{url}\">{}</a>",
                crate::message::escape(&typed_commands(&link.label))
            ));
        }
        let options: Vec<Value> = buttons
            .iter()
            .filter_map(|b| b.action.encode().map(|id| (id, typed_commands(&b.label))))
            .map(|(id, label)| json!({ "id": id, "org.matrix.msc1767.text": label }))
            .collect();
        if options.is_empty() {
            return self
                .send(room, "m.room.message", text_content(&text), txn)
                .await;
        }
        let plain = plain_text(&text);
        let (lead, question) = poll_parts(&text, &plain);
        if let Some(lead) = lead {
            self.send(
                room,
                "m.room.message",
                text_content(lead),
                format!("{txn}-t"),
            )
            .await?;
        }
        let listed: Vec<String> = buttons
            .iter()
            .filter(|b| b.action.encode().is_some())
            .enumerate()
            .map(|(i, b)| format!("{}. {}", i + 1, typed_commands(&b.label)))
            .collect();
        let content = json!({
            POLL_START: {
                "question": { "org.matrix.msc1767.text": question },
                "kind": "org.matrix.msc3381.poll.undisclosed",
                "max_selections": 1,
                "answers": options,
            },
            "org.matrix.msc1767.text": format!("{question}\n{}", listed.join("\n")),
        });
        let id = self.send(room, POLL_START, content, txn).await?;
        Ok(MessageId(format!("{POLL}{}", id.0)))
    }

    /// Shows `text` in place of message `id`: an edit, or for a poll, its end.
    async fn replace(
        &self,
        room: &Room,
        id: &MessageId,
        text: &str,
        txn: String,
    ) -> Result<(), Failure> {
        let text = &typed_commands(text);
        let (kind, content) = match id.0.strip_prefix(POLL) {
            Some(poll) => (
                POLL_END,
                json!({
                    "m.relates_to": { "rel_type": "m.reference", "event_id": poll },
                    POLL_END: {},
                    "org.matrix.msc1767.text": plain_text(text),
                }),
            ),
            None => {
                let new = text_content(text);
                let mut content = text_content(text);
                content["body"] = json!(format!("* {}", plain_text(text)));
                content["m.new_content"] = new;
                content["m.relates_to"] = json!({ "rel_type": "m.replace", "event_id": id.0 });
                ("m.room.message", content)
            }
        };
        self.send(room, kind, content, txn).await.map(drop)
    }
}

impl Platform for Matrix {
    async fn is_admin(&self, chat: i64, person: i64) -> Result<bool, PlatformError> {
        let room = match self.room(chat) {
            Ok(room) => room,
            // Left: nobody there is an admin of the bot's any more.
            Err(Failure::Gone) => return Ok(false),
            // Not synced by this replica yet: asked again later.
            Err(other) => return Err(PlatformError(format!("matrix: {other:?}"))),
        };
        let members = room
            .members(RoomMemberships::JOIN)
            .await
            .map_err(|e| PlatformError(format!("matrix: {e}")))?;
        let member = members
            .iter()
            .find(|m| super::decode::person_id(m.user_id().as_str()) == person);
        Ok(member.is_some_and(|m| match m.power_level() {
            matrix_sdk::ruma::events::room::power_levels::UserPowerLevel::Int(level) => {
                i64::from(level) >= 50
            }
            _ => true,
        }))
    }

    async fn upgrade(&self, _raw: &RawValue) -> Option<Incoming> {
        // Matrix came after the raw inbox form: nothing was stored in it.
        None
    }
}

impl Edge for Matrix {
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Option<MessageId>, Failure> {
        let room = self.room(entry.chat)?;
        let txn = format!("ntb-{}-{}", entry.chat, entry.seq);
        match &entry.outgoing {
            Outgoing::Message { text, buttons, .. } => {
                self.message(&room, text, buttons, txn).await.map(Some)
            }
            Outgoing::Replace {
                message,
                text,
                buttons,
            } => {
                self.replace(&room, message, text, format!("{txn}-r"))
                    .await?;
                if buttons.is_empty() {
                    Ok(None)
                } else {
                    self.message(&room, text, buttons, txn).await.map(Some)
                }
            }
            Outgoing::Document {
                filename,
                content,
                caption,
            } => {
                let mime: mime::Mime = if filename.ends_with(".json") {
                    mime::APPLICATION_JSON
                } else {
                    mime::TEXT_HTML_UTF_8
                };
                let file = (filename.as_str(), mime, content.clone().into_bytes());
                attach(&room, file, caption, txn).await.map(Some)
            }
            Outgoing::Photo {
                filename,
                png,
                caption,
            } => {
                let file = (filename.as_str(), mime::IMAGE_PNG, png.clone());
                attach(&room, file, caption, txn).await.map(Some)
            }
            // Taps need no answer in Matrix.
            Outgoing::AnswerPress { .. } => Ok(None),
            // Telegram's, or resolved by the runtime first.
            Outgoing::LegacySend(_)
            | Outgoing::LegacyEdit(_)
            | Outgoing::ShowAnswer { .. }
            | Outgoing::Unreadable => Err(Failure::Stale),
        }
    }
}

/// Sends a file (its name, type and bytes) with a caption: matrix-sdk
/// uploads it, encrypted in an encrypted room, and sends the event (an
/// `m.image` for a picture) under the entry's transaction id.
async fn attach(
    room: &Room,
    file: (&str, mime::Mime, Vec<u8>),
    caption: &str,
    txn: String,
) -> Result<MessageId, Failure> {
    let (filename, mime, bytes) = file;
    let caption = typed_commands(caption);
    let config = AttachmentConfig::new()
        .txn_id(OwnedTransactionId::from(txn))
        .caption(Some(TextMessageEventContent::html(
            plain_text(&caption),
            html(&caption),
        )));
    let sent = room
        .send_attachment(filename.to_string(), &mime, bytes, config)
        .await
        .map_err(|e| failure(&e))?;
    Ok(MessageId(sent.event_id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bots_commands_are_written_as_matrix_people_type_them() {
        let said = "Send /check to begin. /cancel stops it (or /forget).\n/language es, “/summary”: <b>/tips</b> &amp; /help";
        assert_eq!(
            typed_commands(said),
            "Send !check to begin. !cancel stops it (or !forget).\n!language es, “!summary”: <b>!tips</b> &amp; !help"
        );
        let content = text_content(said);
        assert_eq!(
            content["body"],
            "Send !check to begin. !cancel stops it (or !forget).\n!language es, “!summary”: !tips & !help"
        );
        assert_eq!(
            content["formatted_body"],
            "Send !check to begin. !cancel stops it (or !forget).<br>!language es, “!summary”: <b>!tips</b> &amp; !help"
        );
    }

    #[test]
    fn a_poll_asks_one_line_and_a_message_before_it_carries_the_rest() {
        let screen = "<b>Question 1.</b> Have you had ANY of these?\n• Face: drooping\n• Arm: weak";
        let plain = plain_text(screen);
        assert_eq!(
            poll_parts(screen, &plain),
            (Some(screen), "Question 1. Have you had ANY of these?")
        );
        let logged = "✓ Logged: 3 episodes.\n\n<i>Did anything come with it?</i>";
        let plain = plain_text(logged);
        assert_eq!(
            poll_parts(logged, &plain),
            (Some("✓ Logged: 3 episodes."), "Did anything come with it?")
        );
        let greeting = "Hi! I can walk you through a check.\n\n<i>⚠ Not medical advice.</i>\n";
        let plain = plain_text(greeting);
        assert_eq!(
            poll_parts(greeting, &plain),
            (
                Some(greeting.trim_end()),
                "Hi! I can walk you through a check."
            )
        );
        let hinted = "Question 2. How often?\n<i>Or type how often.</i>";
        let plain = plain_text(hinted);
        assert_eq!(poll_parts(hinted, &plain), (None, plain.as_str()));
        assert_eq!(poll_parts("Any pain?", "Any pain?"), (None, "Any pain?"));
    }

    #[test]
    fn links_paths_dates_and_other_words_stay_as_they_are() {
        for kept in [
            "see https://a/check and http://example.org/help/",
            "and/or",
            "1/2",
            "on 3/4, take 1/2",
            "/checks and /unknown and /check/ and /check@otherbot",
            "a/check, x//check",
            "<a href=\"https://matrix.to/#/@bot:localhost\">/ start</a>",
        ] {
            assert_eq!(typed_commands(kept), kept);
        }
    }
}
