//! The Telegram edge as the runtime and the core use it: one outbox entry
//! sent as one Bot API call, Telegram's message limits, admin checks with
//! `getChatMember`, and updates an earlier version stored as raw JSON.

use std::sync::Arc;

use serde_json::json;
use serde_json::value::RawValue;
use teloxide::prelude::*;
use teloxide::types::{Update, UserId};

use super::api::{self, TgBot, loggable};
use super::decode::{self, Me};
use super::render;
use crate::conversation::{Platform, PlatformError};
use crate::message::{Incoming, MessageId, Outgoing};
use crate::runtime::pacing::{Limits, Rate};
use crate::runtime::{Edge, Failure, Runtime};
use crate::store::OutboxEntry;

/// The runtime, with Telegram as its platform.
pub type TelegramRuntime = Runtime<Telegram>;

/// Telegram's limits: about one message a second per private chat (bursts
/// of three are tolerated: a question with its outcome and tips arrive
/// together), 20 a minute per group, about 30 a second for the whole bot.
pub const LIMITS: Limits = Limits {
    private: Rate::every(1000, 3),
    group: Rate::every(3000, 3),
    global_per_second: 30,
    global_burst: 5,
};

/// The part of a sent message the sender keeps.
#[derive(serde::Deserialize)]
struct Sent {
    message_id: i64,
}

/// Telegram, as one platform of the bot's.
pub struct Telegram {
    /// The Bot API client.
    pub bot: TgBot,
    /// Who the bot is (shared with every update's decoding).
    pub me: Arc<Me>,
}

impl Telegram {
    async fn edit(
        &self,
        chat: i64,
        message_id: i32,
        html: &str,
        keyboard: Option<serde_json::Value>,
    ) -> Result<(), Failure> {
        let mut body = json!({
            "chat_id": chat, "message_id": message_id, "text": html, "parse_mode": "HTML"
        });
        if let Some(keyboard) = keyboard {
            body["reply_markup"] = keyboard;
        }
        match api::call(&self.bot, "editMessageText", &body).await {
            Err(Failure::NotModified) => Ok(()),
            other => other.map(drop),
        }
    }

    async fn send(
        &self,
        chat: i64,
        topic: Option<i32>,
        html: &str,
        keyboard: Option<serde_json::Value>,
    ) -> Result<Option<MessageId>, Failure> {
        let mut body = json!({ "chat_id": chat, "text": html, "parse_mode": "HTML" });
        if let Some(topic) = topic {
            body["message_thread_id"] = json!(topic);
        }
        if let Some(keyboard) = keyboard {
            body["reply_markup"] = keyboard;
        }
        let sent = api::call(&self.bot, "sendMessage", &body).await?;
        Ok(serde_json::from_str::<Sent>(sent.get())
            .ok()
            .map(|s| MessageId(s.message_id.to_string())))
    }

    /// Sends a file (`field`, its name and bytes) with `method`
    /// (`sendDocument`, `sendPhoto`) and an HTML caption.
    async fn upload(
        &self,
        chat: i64,
        method: &str,
        caption: &str,
        file: (&str, &str, Vec<u8>),
    ) -> Result<Option<MessageId>, Failure> {
        let fields = [
            ("chat_id", chat.to_string()),
            ("caption", caption.to_string()),
            ("parse_mode", "HTML".to_string()),
        ];
        api::upload(&self.bot, method, &fields, file)
            .await
            .map(|_| None)
    }
}

/// A keyboard an earlier version stored as Telegram's JSON text.
fn stored_keyboard(keyboard: Option<&str>) -> Result<Option<serde_json::Value>, Failure> {
    keyboard
        .map(|k| {
            serde_json::from_str(k).map_err(|e| {
                Failure::Rejected(format!(
                    "a stored keyboard is not JSON ({})",
                    api::json_failure(&e)
                ))
            })
        })
        .transpose()
}

impl Platform for Telegram {
    async fn is_admin(&self, chat: i64, person: i64) -> Result<bool, PlatformError> {
        let user = UserId(u64::try_from(person).unwrap_or_default());
        match self.bot.api().get_chat_member(ChatId(chat), user).await {
            Ok(member) => Ok(member.kind.is_privileged()),
            Err(teloxide::RequestError::Api(_)) => Ok(false),
            Err(e) => Err(PlatformError(loggable(&e))),
        }
    }

    async fn upgrade(&self, raw: &RawValue) -> Option<Incoming> {
        let update: Update = serde_json::from_str(raw.get()).ok()?;
        Some(decode::decode(update, &self.me).await)
    }
}

impl Edge for Telegram {
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Option<MessageId>, Failure> {
        let username = &self.me.username;
        let chat = entry.chat;
        match &entry.outgoing {
            Outgoing::Message {
                topic,
                text,
                buttons,
                ..
            } => {
                let keyboard = render::keyboard(buttons, username);
                self.send(chat, *topic, text, keyboard).await
            }
            Outgoing::Replace {
                message,
                text,
                buttons,
            } => {
                let keyboard = render::keyboard(buttons, username);
                // Telegram numbers its messages; anything else is not one of ours.
                let message = message.0.parse().map_err(|_| Failure::Stale)?;
                self.edit(chat, message, text, keyboard)
                    .await
                    .map(|()| None)
            }
            Outgoing::Document {
                filename,
                content,
                caption,
            } => {
                let file = ("document", filename.as_str(), content.clone().into_bytes());
                self.upload(chat, "sendDocument", caption, file).await
            }
            Outgoing::Photo {
                filename,
                png,
                caption,
            } => {
                let file = ("photo", filename.as_str(), png.clone());
                self.upload(chat, "sendPhoto", caption, file).await
            }
            Outgoing::AnswerPress { press, notice } => {
                let mut body = json!({ "callback_query_id": press });
                if let Some(notice) = notice {
                    body["text"] = json!(notice);
                }
                api::call(&self.bot, "answerCallbackQuery", &body)
                    .await
                    .map(|_| None)
            }
            Outgoing::LegacySend(legacy) => {
                let keyboard = stored_keyboard(legacy.keyboard.as_deref())?;
                self.send(chat, legacy.thread, &legacy.html, keyboard).await
            }
            Outgoing::LegacyEdit(legacy) => {
                let keyboard = stored_keyboard(legacy.keyboard.as_deref())?;
                let message = legacy.message_id.unwrap_or_default();
                self.edit(chat, message, &legacy.html, keyboard)
                    .await
                    .map(|()| None)
            }
            // The runtime resolves these before delivery.
            Outgoing::ShowAnswer { .. } | Outgoing::Unreadable => Err(Failure::Stale),
        }
    }
}
