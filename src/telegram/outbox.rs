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

/// An error as it may be logged. teloxide's JSON errors carry the raw
/// response, which can hold what users wrote (a truncated `getUpdates` page,
/// an echoed answer), so only the kind of failure is kept.
pub fn loggable(error: &(dyn std::error::Error + 'static)) -> String {
    match error.downcast_ref::<RequestError>() {
        Some(RequestError::InvalidJson { source, .. }) => format!(
            "the Bot API answered with JSON that could not be read ({})",
            json_failure(source)
        ),
        _ => error.to_string(),
    }
}

/// Where and how JSON failed to parse, without serde's message: that quotes
/// the offending value, which may be what a user wrote.
pub fn json_failure(error: &serde_json::Error) -> String {
    format!(
        "{:?} error at line {} column {}",
        error.classify(),
        error.line(),
        error.column()
    )
}

/// Attempts per request when the failure may be passing (network, 5xx, bad JSON).
const ATTEMPTS: u32 = 4;

/// Whether a failure may pass if the request is sent again.
fn transient(error: &RequestError) -> bool {
    matches!(
        error,
        RequestError::Network(_)
            | RequestError::Io(_)
            | RequestError::InvalidJson { .. }
            | RequestError::Api(ApiError::Unknown(_))
    )
}

/// Runs a request again on passing failures, with a short growing pause, or
/// after the pause Telegram asks for (`RetryAfter`, when `Throttle` did not
/// already retry it). A response lost after Telegram acted can make a message
/// arrive twice: rare and harmless, unlike a lost question.
pub async fn retrying<T, F, Fut>(mut request: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut pause = std::time::Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match request().await {
            Err(RequestError::RetryAfter(wait)) if attempt < ATTEMPTS => {
                log::warn!("Bot API asked to wait {wait:?}; retrying then");
                tokio::time::sleep(wait.duration()).await;
                attempt += 1;
            }
            Err(e) if attempt < ATTEMPTS && transient(&e) => {
                log::warn!(
                    "Bot API request failed ({}); retrying in {pause:?}",
                    loggable(&e)
                );
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Sends HTML with an optional keyboard, retrying passing failures.
pub async fn send(
    bot: &TgBot,
    to: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    match &bot.throttle {
        Some(throttled) => retrying(|| message(throttled, to, html, keyboard.clone()).send()).await,
        None => retrying(|| message(bot.api(), to, html, keyboard.clone()).send()).await,
    }
}

/// A sendMessage request from either client, throttled or not.
fn message<R: Requester>(
    requester: &R,
    to: Target,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> R::SendMessage {
    let mut request = requester
        .send_message(to.chat, html)
        .parse_mode(ParseMode::Html);
    if let Some(thread) = to.thread {
        request = request.message_thread_id(ThreadId(MessageId(thread)));
    }
    if let Some(keyboard) = keyboard {
        request = request.reply_markup(keyboard);
    }
    request
}

/// Replaces a message's text (and drops or sets its keyboard), retrying
/// passing failures; "not modified" (an earlier attempt got through) is success.
pub async fn edit(
    bot: &TgBot,
    chat: ChatId,
    message: i32,
    html: &str,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<(), RequestError> {
    let result = retrying(|| {
        let mut request = bot
            .api()
            .edit_message_text(chat, MessageId(message), html)
            .parse_mode(ParseMode::Html);
        if let Some(keyboard) = keyboard.clone() {
            request = request.reply_markup(keyboard);
        }
        request.send()
    })
    .await;
    match result {
        Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
        other => other.map(drop),
    }
}

/// Stops the client's spinner on a button, with an optional notice; a failure
/// is logged, never a reason to drop the press.
pub async fn answer_button(
    bot: &TgBot,
    query: &teloxide::types::CallbackQuery,
    notice: Option<&str>,
) {
    let result = retrying(|| {
        let mut request = bot.api().answer_callback_query(query.id.clone());
        if let Some(text) = notice {
            request = request.text(text);
        }
        request.send()
    })
    .await;
    if let Err(e) = result {
        log::warn!("could not answer a button press: {}", loggable(&e));
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
