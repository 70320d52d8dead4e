//! Sending: one place that knows about forum topics, HTML, and chats that
//! blocked the bot or vanished (skipped, never fatal).

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, Message, MessageId, ParseMode, ThreadId};
use teloxide::{ApiError, RequestError};

use super::TgBot;

/// What handlers return; errors are logged with the update id.
pub type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Where a message goes: a chat, and in forum supergroups a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The chat.
    pub chat: ChatId,
    /// The forum topic (root message id); `None` is the chat itself or General.
    pub thread: Option<i32>,
}

impl Target {
    /// A private chat or a group's General topic.
    pub fn chat(chat: ChatId) -> Target {
        Target { chat, thread: None }
    }

    /// The topic a message came from, so the reply lands beside it.
    pub fn reply_to(msg: &Message) -> Target {
        let thread = msg
            .thread_id
            .filter(|_| msg.is_topic_message)
            .map(|t| t.0.0);
        Target {
            chat: msg.chat.id,
            thread,
        }
    }
}

/// Sends HTML with an optional keyboard.
pub async fn send(
    bot: &TgBot,
    to: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    let mut request = bot.send_message(to.chat, html).parse_mode(ParseMode::Html);
    if let Some(thread) = to.thread {
        request = request.message_thread_id(ThreadId(MessageId(thread)));
    }
    match keyboard {
        Some(keyboard) => request.reply_markup(keyboard).await,
        None => request.await,
    }
}

/// Sends one message; a chat that blocked the bot is skipped, not an error.
pub async fn say(
    bot: &TgBot,
    to: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> HandlerResult {
    skip_gone(to.chat, send(bot, to, html, keyboard).await.map(drop))
}

/// Turns "the user blocked the bot / the chat is gone" into a debug line.
pub fn skip_gone(chat: ChatId, result: Result<(), RequestError>) -> HandlerResult {
    match result {
        Err(e) if gone(&e) => {
            log::debug!("chat {} blocked the bot or is gone; skipped", chat.0);
            Ok(())
        }
        other => other.map_err(Into::into),
    }
}

/// Whether an error means the chat can no longer be written to.
pub fn gone(error: &RequestError) -> bool {
    matches!(
        error,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::ChatNotFound
                | ApiError::UserDeactivated
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
                | ApiError::GroupDeactivated
        )
    )
}
