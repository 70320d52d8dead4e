//! Private chats: the check itself. Commands, typed answers, button presses
//! and everything else a person can send.

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{Me, MessageId, ParseMode};
use teloxide::utils::command::BotCommands;

use super::commands::Command;
use super::outbox::{HandlerResult, Target, say, send, skip_gone};
use super::{App, TgBot, now_ms, render};
use crate::engine::{self, ButtonToken, Input, Notice, Reply, Step};
use crate::store::{ChatRecord, QuestionMessage};

/// A message in a private chat.
pub async fn message(bot: &TgBot, msg: &Message, me: &Me, app: &App) -> HandlerResult {
    let chat = msg.chat.id;
    log::debug!("update from chat {}: message", chat.0);
    let Some(text) = msg.text() else {
        let note = "I can only read typed answers and button taps.";
        say(bot, Target::chat(chat), &render::plain(note), None).await?;
        return advance_and_deliver(bot, app, chat, Input::Repeat).await;
    };
    match Command::parse(text, me.username()) {
        Ok(command) => self::command(bot, app, chat, command).await,
        Err(_) if text.starts_with('/') => {
            say(bot, Target::chat(chat), &render::help(), None).await?;
            advance_and_deliver(bot, app, chat, Input::Repeat).await
        }
        Err(_) => advance_and_deliver(bot, app, chat, Input::Text(text.to_string())).await,
    }
}

/// An edited message: answers are read only from new messages.
pub async fn edited(bot: &TgBot, msg: &Message, app: &App) -> HandlerResult {
    let note = "I can’t use edited messages — please send your answer as a new message.";
    say(bot, Target::chat(msg.chat.id), &render::plain(note), None).await?;
    advance_and_deliver(bot, app, msg.chat.id, Input::Repeat).await
}

async fn command(bot: &TgBot, app: &App, chat: ChatId, command: Command) -> HandlerResult {
    let here = Target::chat(chat);
    match command {
        Command::Start(payload) if payload.trim() == "check" => {
            advance_and_deliver(bot, app, chat, Input::Begin).await
        }
        Command::Start(_) => {
            let (text, keyboard) = render::welcome(&app.script);
            say(bot, here, &text, Some(keyboard)).await
        }
        Command::Check => advance_and_deliver(bot, app, chat, Input::Begin).await,
        Command::Back => advance_and_deliver(bot, app, chat, Input::Back).await,
        Command::Restart => advance_and_deliver(bot, app, chat, Input::Restart).await,
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
pub async fn callback(
    bot: &TgBot,
    query: &CallbackQuery,
    chat: ChatId,
    app: &App,
) -> HandlerResult {
    log::debug!("update from chat {}: button", chat.0);
    let data = query.data.as_deref().unwrap_or("");
    let token = ButtonToken::decode(data);
    let input = match (&token, data == render::BEGIN) {
        (_, true) => Input::Begin,
        (Some(token), false) => Input::Button(token.clone()),
        (None, false) => Input::Repeat,
    };
    let from_welcome = input == Input::Begin;
    let (mut step, question) = advance(app, chat, input).await?;
    let stale = matches!(step.replies.first(), Some(Reply::Notice(Notice::Stale)))
        || (!from_welcome && token.is_none());
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
