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
use crate::store::{ChatRecord, QuestionMessage, StoreError, Stored};

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
            let stored = load(app, chat).await?;
            let tips = engine::tips(&app.script, stored.as_ref().map(|s| &s.record.session));
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
    let mut applied = apply(app, turn, input).await?;
    let replies = match &mut applied {
        Applied::Saved { step, .. } | Applied::Unsaved(step) => Some(&mut step.replies),
        Applied::Done => None,
    };
    let stale = replies
        .as_ref()
        .is_some_and(|r| matches!(r.first(), Some(Reply::Notice(Notice::Stale))))
        || (!from_welcome && token.is_none());
    answer_button(bot, query, stale.then_some(Notice::Stale.message())).await;
    if let Some(replies) = replies {
        // The notice was shown on the button; the greeting was just read.
        replies.retain(|r| {
            let shown_on_button = matches!(r, Reply::Notice(Notice::Stale));
            let just_read = from_welcome && matches!(r, Reply::Intro { .. });
            !(shown_on_button || just_read)
        });
    }
    deliver(bot, app, turn, applied).await
}

fn ttl_ms(app: &App) -> u64 {
    app.session_ttl.as_millis() as u64
}

async fn load(app: &App, chat: ChatId) -> Result<Option<Stored>, StoreError> {
    app.store.load(chat.0, now_ms(), ttl_ms(app)).await
}

/// Writes racing for one chat (several replicas) are retried this often.
const CONFLICT_RETRIES: usize = 8;

/// What applying an update to a chat's check came to.
enum Applied {
    /// The step was computed and saved at `rev`; its replies are to be sent.
    Saved {
        step: Step,
        record: ChatRecord,
        rev: u64,
    },
    /// Nothing to save (no check yet); the replies still go out.
    Unsaved(Step),
    /// The update was applied and answered before (a re-delivery): nothing to do.
    Done,
}

/// Applies `input` to the chat's stored check: read, step, compare-and-set,
/// again on a conflicting write. An update applied before but not answered
/// (a crash between saving and sending) shows the current question instead.
async fn apply(
    app: &App,
    turn: Turn,
    input: Input,
) -> Result<Applied, Box<dyn std::error::Error + Send + Sync>> {
    for _ in 0..CONFLICT_RETRIES {
        let stored = load(app, turn.chat).await?;
        let (record, rev) = match stored {
            Some(s) => (Some(s.record), s.rev),
            None => (None, 0),
        };
        let applied_before = record
            .as_ref()
            .is_some_and(|r| r.recent_updates.contains(&turn.update));
        let unanswered = record
            .as_ref()
            .is_some_and(|r| r.last_update == Some(turn.update) && !r.delivered);
        let input = match (applied_before, unanswered) {
            // Saved but never answered (a crash in between): say it again.
            (true, true) => Input::Replay,
            (true, false) => {
                log::debug!("update {} was already applied; skipped", turn.update);
                return Ok(Applied::Done);
            }
            (false, _) => input.clone(),
        };
        let session = record.as_ref().map(|r| r.session.clone());
        let salt = turn.chat.0 as u64;
        let replay = input == Input::Replay;
        let step = engine::step_salted(&app.script, session, input, now_ms(), salt);
        let Some(session) = step.session.clone() else {
            return Ok(Applied::Unsaved(step));
        };
        let (question_message, recent_updates) = match record {
            Some(r) => (r.question_message, r.recent_updates),
            None => (None, Vec::new()),
        };
        let mut next = ChatRecord {
            session,
            question_message,
            last_update: None,
            recent_updates,
            delivered: false,
        };
        next.remember(turn.update);
        if let Some(rev) = app
            .store
            .save_if(turn.chat.0, &next, rev, ttl_ms(app))
            .await?
        {
            if !replay {
                app.metrics.count_step(&step);
            }
            return Ok(Applied::Saved {
                step,
                record: next,
                rev,
            });
        }
        app.metrics
            .conflicts
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        log::debug!("update {}: another writer won; retrying", turn.update);
    }
    Err(format!("update {}: too many conflicting writes", turn.update).into())
}

async fn advance_and_deliver(bot: &TgBot, app: &App, turn: Turn, input: Input) -> HandlerResult {
    let applied = apply(app, turn, input).await?;
    deliver(bot, app, turn, applied).await
}

/// Sends the replies, then records which message shows the question and that
/// the replies went out (a newer write in between wins; this one is dropped).
async fn deliver(bot: &TgBot, app: &App, turn: Turn, applied: Applied) -> HandlerResult {
    match applied {
        Applied::Done => Ok(()),
        Applied::Unsaved(step) => {
            let mut question = None;
            let outcome = send_replies(bot, turn.chat, &step.replies, &mut question).await;
            skip_gone(turn.chat, outcome)
        }
        Applied::Saved { step, record, rev } => {
            let mut question = record.question_message;
            let outcome = send_replies(bot, turn.chat, &step.replies, &mut question).await;
            let sent = ChatRecord {
                question_message: question,
                delivered: true,
                ..record
            };
            app.store
                .save_if(turn.chat.0, &sent, rev, ttl_ms(app))
                .await?;
            skip_gone(turn.chat, outcome)
        }
    }
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
