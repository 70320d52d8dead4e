//! The handler tree: commands, typed answers, button presses and everything
//! else a private chat can send. Group chats are left alone here: health
//! questions are never asked in front of others.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{Me, MessageId, ParseMode};
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};

use super::{App, TgBot, render};
use crate::engine::{self, ButtonToken, Input, Notice, Reply, Step};
use crate::store::{ChatRecord, QuestionMessage};

type HandlerResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// The commands shown in the client's menu.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Welcome; `/start check` begins the check at once
    Start(String),
    /// Begin the check, or continue where you left off
    Check,
    /// Change your last answer
    Back,
    /// Start the check again
    Restart,
    /// Ways to ease stress
    Tips,
    /// What this bot is, its sources and what it keeps
    About,
    /// Delete everything kept about you
    Forget,
    /// How to use the bot
    Help,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The whole handler tree.
pub fn schema() -> UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>> {
    dptree::entry()
        .branch(
            Update::filter_message()
                .filter(|m: Message| m.chat.is_private())
                .endpoint(on_message),
        )
        .branch(
            Update::filter_edited_message()
                .filter(|m: Message| m.chat.is_private())
                .endpoint(on_edited),
        )
        .branch(Update::filter_callback_query().endpoint(on_callback))
}

/// Logs a failed update by id (never its text) and keeps the bot going.
fn logged(update: &Update, result: HandlerResult) -> HandlerResult {
    if let Err(e) = result {
        log::error!("update {} failed: {e}", update.id.0);
    }
    Ok(())
}

async fn on_message(
    bot: TgBot,
    msg: Message,
    me: Me,
    app: Arc<App>,
    update: Update,
) -> HandlerResult {
    logged(&update, message(&bot, &msg, &me, &app).await)
}

async fn on_edited(bot: TgBot, msg: Message, app: Arc<App>, update: Update) -> HandlerResult {
    let result = async {
        let note = "I can’t use edited messages — please send your answer as a new message.";
        say(&bot, msg.chat.id, &render::plain(note), None).await?;
        advance_and_deliver(&bot, &app, msg.chat.id, Input::Repeat).await
    }
    .await;
    logged(&update, result)
}

async fn on_callback(
    bot: TgBot,
    query: CallbackQuery,
    app: Arc<App>,
    update: Update,
) -> HandlerResult {
    logged(&update, callback(&bot, &query, &app).await)
}

async fn message(bot: &TgBot, msg: &Message, me: &Me, app: &App) -> HandlerResult {
    let chat = msg.chat.id;
    log::debug!("update from chat {}: message", chat.0);
    let Some(text) = msg.text() else {
        let note = "I can only read typed answers and button taps.";
        say(bot, chat, &render::plain(note), None).await?;
        return advance_and_deliver(bot, app, chat, Input::Repeat).await;
    };
    match Command::parse(text, me.username()) {
        Ok(command) => self::command(bot, app, chat, command).await,
        Err(_) if text.starts_with('/') => {
            say(bot, chat, &render::help(), None).await?;
            advance_and_deliver(bot, app, chat, Input::Repeat).await
        }
        Err(_) => advance_and_deliver(bot, app, chat, Input::Text(text.to_string())).await,
    }
}

async fn command(bot: &TgBot, app: &App, chat: ChatId, command: Command) -> HandlerResult {
    match command {
        Command::Start(payload) if payload.trim() == "check" => {
            advance_and_deliver(bot, app, chat, Input::Begin).await
        }
        Command::Start(_) => {
            let (text, keyboard) = render::welcome(&app.script);
            say(bot, chat, &text, Some(keyboard)).await
        }
        Command::Check => advance_and_deliver(bot, app, chat, Input::Begin).await,
        Command::Back => advance_and_deliver(bot, app, chat, Input::Back).await,
        Command::Restart => advance_and_deliver(bot, app, chat, Input::Restart).await,
        Command::Tips => {
            let record = load(app, chat).await?;
            let tips = engine::tips(&app.script, record.as_ref().map(|r| &r.session));
            say(bot, chat, &render::tips(&tips), None).await
        }
        Command::About => {
            let hours = app.session_ttl.as_secs().div_ceil(3600);
            say(bot, chat, &render::about(&app.script, hours), None).await
        }
        Command::Forget => {
            app.store.delete(chat.0).await?;
            let done = "Done — I deleted everything I kept about this chat. Send /check to start a new check.";
            say(bot, chat, &render::plain(done), None).await
        }
        Command::Help => say(bot, chat, &render::help(), None).await,
    }
}

async fn callback(bot: &TgBot, query: &CallbackQuery, app: &App) -> HandlerResult {
    let Some(chat) = query
        .message
        .as_ref()
        .map(|m| m.chat())
        .filter(|c| c.is_private())
        .map(|c| c.id)
    else {
        bot.answer_callback_query(query.id.clone()).await?;
        return Ok(());
    };
    log::debug!("update from chat {}: button", chat.0);
    let data = query.data.as_deref().unwrap_or("");
    let input = if data == render::BEGIN {
        Input::Begin
    } else {
        match ButtonToken::decode(data) {
            Some(token) => Input::Button(token),
            None => Input::Repeat,
        }
    };
    let from_welcome = input == Input::Begin;
    let (mut step, question) = advance(app, chat, input).await?;
    let stale = matches!(step.replies.first(), Some(Reply::Notice(Notice::Stale)))
        || (data != render::BEGIN && ButtonToken::decode(data).is_none());
    let answer = bot.answer_callback_query(query.id.clone());
    if stale {
        answer.text(Notice::Stale.message()).await?;
    } else {
        answer.await?;
    }
    // The notice was shown on the button; the greeting was just read.
    step.replies.retain(|r| {
        let shown_on_button = matches!(r, Reply::Notice(Notice::Stale));
        let just_read = from_welcome && matches!(r, Reply::Intro { .. });
        !(shown_on_button || just_read)
    });
    deliver(bot, app, chat, step, question).await
}

async fn load(app: &App, chat: ChatId) -> Result<Option<ChatRecord>, crate::store::StoreError> {
    let ttl_ms = app.session_ttl.as_millis() as u64;
    app.store.load(chat.0, now_ms(), ttl_ms).await
}

/// Runs the engine on the chat's stored check.
async fn advance(
    app: &App,
    chat: ChatId,
    input: Input,
) -> Result<(Step, Option<QuestionMessage>), crate::store::StoreError> {
    let record = load(app, chat).await?;
    let (session, question) = match record {
        Some(r) => (Some(r.session), r.question_message),
        None => (None, None),
    };
    Ok((
        engine::step(&app.script, session, input, now_ms()),
        question,
    ))
}

async fn advance_and_deliver(bot: &TgBot, app: &App, chat: ChatId, input: Input) -> HandlerResult {
    let (step, question) = advance(app, chat, input).await?;
    deliver(bot, app, chat, step, question).await
}

/// Sends the replies, then saves the check with the message showing its question.
async fn deliver(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    step: Step,
    mut question: Option<QuestionMessage>,
) -> HandlerResult {
    let outcome = send_replies(bot, chat, &step.replies, &mut question).await;
    if let Some(session) = step.session {
        let record = ChatRecord {
            session,
            question_message: question,
        };
        app.store.save(chat.0, &record).await?;
    }
    skip_gone(chat, outcome)
}

/// Sends one message; a chat that blocked the bot is skipped, not an error.
async fn say(
    bot: &TgBot,
    chat: ChatId,
    html: &str,
    keyboard: Option<teloxide::types::InlineKeyboardMarkup>,
) -> HandlerResult {
    skip_gone(chat, send(bot, chat, html, keyboard).await.map(drop))
}

/// Turns "the user blocked the bot / the chat is gone" into a debug line.
fn skip_gone(chat: ChatId, result: Result<(), RequestError>) -> HandlerResult {
    match result {
        Err(e) if gone(&e) => {
            log::debug!("chat {} blocked the bot or is gone; skipped", chat.0);
            Ok(())
        }
        other => other.map_err(Into::into),
    }
}

async fn send_replies(
    bot: &TgBot,
    chat: ChatId,
    replies: &[Reply],
    question: &mut Option<QuestionMessage>,
) -> Result<(), RequestError> {
    for reply in replies {
        match reply {
            Reply::Intro { text, disclaimer } => {
                send(bot, chat, &render::intro(text, disclaimer), None).await?;
            }
            Reply::Notice(notice) => {
                send(bot, chat, &render::plain(notice.message()), None).await?;
            }
            Reply::Invalid { hint } => {
                let text = format!("Sorry, that answer does not fit. {hint}");
                send(bot, chat, &render::plain(&text), None).await?;
            }
            Reply::Accepted {
                question: asked,
                turn,
                answer,
                ..
            } => {
                if let Some(shown) = question.take().filter(|q| q.turn == *turn) {
                    bot.edit_message_text(
                        chat,
                        MessageId(shown.message_id),
                        render::answered(asked, answer),
                    )
                    .parse_mode(ParseMode::Html)
                    .await?;
                }
            }
            Reply::Question(q) => {
                let (text, keyboard) = render::question(q);
                let sent = send(bot, chat, &text, Some(keyboard)).await?;
                *question = Some(QuestionMessage {
                    message_id: sent.id.0,
                    turn: q.turn,
                });
            }
            Reply::Outcome(o) => {
                *question = None;
                for text in render::outcome(o) {
                    send(bot, chat, &text, None).await?;
                }
            }
        }
    }
    Ok(())
}

async fn send(
    bot: &TgBot,
    chat: ChatId,
    html: &str,
    keyboard: Option<teloxide::types::InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    let request = bot.send_message(chat, html).parse_mode(ParseMode::Html);
    match keyboard {
        Some(keyboard) => request.reply_markup(keyboard).await,
        None => request.await,
    }
}

/// Whether an error means the chat can no longer be written to.
fn gone(error: &RequestError) -> bool {
    matches!(
        error,
        RequestError::Api(
            ApiError::BotBlocked
                | ApiError::ChatNotFound
                | ApiError::UserDeactivated
                | ApiError::BotKicked
                | ApiError::BotKickedFromSupergroup
        )
    )
}
