//! Private chats: the check itself. Commands, typed answers, button presses
//! and everything else a person can send.

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::utils::command::BotCommands;

use super::commands::Command;
use super::outbox::{HandlerResult, Target, answer_button, edit, say, send, skip_gone};
use super::{App, TgBot, now_ms, render};
use crate::engine::{self, ButtonToken, Input, Notice, Reply, Step};
use crate::store::{ChatRecord, QuestionMessage};

/// The chat and update being handled, so every change to a check is stamped
/// with the update that made it.
#[derive(Clone, Copy)]
pub struct Turn {
    /// The private chat.
    pub chat: ChatId,
    /// The Telegram update id.
    pub update: u32,
}

/// A message in a private chat.
pub async fn message(bot: &TgBot, msg: &Message, me: &Me, app: &App, update: u32) -> HandlerResult {
    let chat = msg.chat.id;
    let turn = Turn { chat, update };
    log::debug!("update from chat {}: message", chat.0);
    let Some(text) = msg.text() else {
        let note = "I can only read typed answers and button taps.";
        say(bot, Target::chat(chat), &render::plain(note), None).await?;
        return advance_and_deliver(bot, app, turn, Input::Repeat).await;
    };
    match Command::parse(text, me.username()) {
        Ok(command) => self::command(bot, app, turn, command).await,
        Err(_) if text.starts_with('/') => {
            say(bot, Target::chat(chat), &render::help(), None).await?;
            advance_and_deliver(bot, app, turn, Input::Repeat).await
        }
        Err(_) => advance_and_deliver(bot, app, turn, Input::Text(text.to_string())).await,
    }
}

/// An edited message: answers are read only from new messages.
pub async fn edited(bot: &TgBot, msg: &Message, app: &App, update: u32) -> HandlerResult {
    let note = "I can’t use edited messages — please send your answer as a new message.";
    say(bot, Target::chat(msg.chat.id), &render::plain(note), None).await?;
    let turn = Turn {
        chat: msg.chat.id,
        update,
    };
    advance_and_deliver(bot, app, turn, Input::Repeat).await
}

async fn command(bot: &TgBot, app: &App, turn: Turn, command: Command) -> HandlerResult {
    let chat = turn.chat;
    let here = Target::chat(chat);
    match command {
        Command::Start(payload) if payload.trim() == "check" => {
            advance_and_deliver(bot, app, turn, Input::Begin).await
        }
        Command::Start(_) => {
            let (text, keyboard) = render::welcome(&app.script);
            say(bot, here, &text, Some(keyboard)).await
        }
        Command::Check => advance_and_deliver(bot, app, turn, Input::Begin).await,
        Command::Back => advance_and_deliver(bot, app, turn, Input::Back).await,
        Command::Restart => advance_and_deliver(bot, app, turn, Input::Restart).await,
        Command::Tips => {
            let record = load(app, chat).await?;
            let tips = engine::tips(&app.script, record.as_ref().map(|r| &r.session));
            say(bot, here, &render::tips(&tips), None).await
        }
        Command::About => {
            let hours = app.session_ttl.as_secs().div_ceil(3600);
            say(bot, here, &render::about(&app.script, hours), None).await
        }
        Command::Forget => {
            app.store.delete(chat.0).await?;
            let done = "Done — I deleted everything I kept about this chat. Send /check to start a new check.";
            say(bot, here, &render::plain(done), None).await
        }
        Command::Help => say(bot, here, &render::help(), None).await,
    }
}

/// A button pressed in a private chat.
pub async fn callback(bot: &TgBot, query: &CallbackQuery, turn: Turn, app: &App) -> HandlerResult {
    let chat = turn.chat;
    log::debug!("update from chat {}: button", chat.0);
    let data = query.data.as_deref().unwrap_or("");
    let token = ButtonToken::decode(data);
    let input = match (&token, data == render::BEGIN) {
        (_, true) => Input::Begin,
        (Some(token), false) => Input::Button(token.clone()),
        (None, false) => Input::Repeat,
    };
    let from_welcome = input == Input::Begin;
    let Some((mut step, record)) = advance(app, turn, input).await? else {
        answer_button(bot, query, None).await;
        return Ok(());
    };
    let stale = matches!(step.replies.first(), Some(Reply::Notice(Notice::Stale)))
        || (!from_welcome && token.is_none());
    answer_button(bot, query, stale.then_some(Notice::Stale.message())).await;
    // The notice was shown on the button; the greeting was just read.
    step.replies.retain(|r| {
        let shown_on_button = matches!(r, Reply::Notice(Notice::Stale));
        let just_read = from_welcome && matches!(r, Reply::Intro { .. });
        !(shown_on_button || just_read)
    });
    deliver(bot, app, turn, step, record).await
}

async fn load(app: &App, chat: ChatId) -> Result<Option<ChatRecord>, crate::store::StoreError> {
    let ttl_ms = app.session_ttl.as_millis() as u64;
    app.store.load(chat.0, now_ms(), ttl_ms).await
}

/// Runs the engine on the chat's stored check; `None` when this update was
/// already applied (a re-delivery after a crash).
async fn advance(
    app: &App,
    turn: Turn,
    input: Input,
) -> Result<Option<(Step, Option<ChatRecord>)>, crate::store::StoreError> {
    let record = load(app, turn.chat).await?;
    if record
        .as_ref()
        .and_then(|r| r.last_update)
        .is_some_and(|last| last >= turn.update)
    {
        log::debug!("update {} was already applied; skipped", turn.update);
        return Ok(None);
    }
    let session = record.as_ref().map(|r| r.session.clone());
    let salt = turn.chat.0 as u64;
    let step = engine::step_salted(&app.script, session, input, now_ms(), salt);
    Ok(Some((step, record)))
}

async fn advance_and_deliver(bot: &TgBot, app: &App, turn: Turn, input: Input) -> HandlerResult {
    match advance(app, turn, input).await? {
        Some((step, record)) => deliver(bot, app, turn, step, record).await,
        None => Ok(()),
    }
}

/// Sends the replies, then saves the check, the message showing its question
/// and the update that made the change.
async fn deliver(
    bot: &TgBot,
    app: &App,
    turn: Turn,
    step: Step,
    record: Option<ChatRecord>,
) -> HandlerResult {
    let mut question = record.and_then(|r| r.question_message);
    let outcome = send_replies(bot, turn.chat, &step.replies, &mut question).await;
    if let Some(session) = step.session {
        let record = ChatRecord {
            session,
            question_message: question,
            last_update: Some(turn.update),
        };
        app.store.save(turn.chat.0, &record).await?;
    }
    skip_gone(turn.chat, outcome)
}

async fn send_replies(
    bot: &TgBot,
    chat: ChatId,
    replies: &[Reply],
    question: &mut Option<QuestionMessage>,
) -> Result<(), RequestError> {
    let here = Target::chat(chat);
    for reply in replies {
        match reply {
            Reply::Intro { text, disclaimer } => {
                send(bot, here, &render::intro(text, disclaimer), None).await?;
            }
            Reply::Notice(notice) => {
                send(bot, here, &render::plain(notice.message()), None).await?;
            }
            Reply::Invalid { hint } => {
                let text = format!("Sorry, that answer does not fit. {hint}");
                send(bot, here, &render::plain(&text), None).await?;
            }
            Reply::Accepted {
                question: asked,
                turn,
                answer,
                ..
            } => {
                if let Some(shown) = question.take().filter(|q| q.turn == *turn) {
                    let text = render::answered(asked, answer);
                    edit(bot, chat, shown.message_id, &text, None).await?;
                }
            }
            Reply::Question(q) => {
                let (text, keyboard) = render::question(q);
                let sent = send(bot, here, &text, Some(keyboard)).await?;
                *question = Some(QuestionMessage {
                    message_id: sent.id.0,
                    turn: q.turn,
                });
            }
            Reply::Outcome(o) => {
                *question = None;
                for text in render::outcome(o) {
                    send(bot, here, &text, None).await?;
                }
            }
        }
    }
    Ok(())
}
