//! Private chats: the check itself. Commands, typed answers, button presses
//! and everything else a person can send become a [`Plan`]: an engine step
//! with the replies rendered around it, or plain replies.

use teloxide::prelude::*;
use teloxide::types::Me;
use teloxide::utils::command::BotCommands;

use super::commands::Command;
use super::{App, render};
use crate::conversation::Effects;
use crate::engine::{self, ButtonToken, Input, Notice, Reply, Step};
use crate::store::{Outgoing, StoreResult};

/// What handling a private chat's update comes to.
pub enum Plan {
    /// Step the check; render its replies after `before`.
    Step(StepPlan),
    /// No step: these effects only.
    Effects(Effects),
}

/// An engine step and how to show it.
pub struct StepPlan {
    /// Replies that come before the step's own.
    pub before: Vec<Outgoing>,
    /// What the engine gets.
    pub input: Input,
    /// The button press being answered, if any.
    pub press: Option<Press>,
    /// Drop the chat's queued replies first (see [`crate::store::Commit`]).
    pub clear_outbox: bool,
}

/// A button press: its spinner is stopped, with a notice when it was stale.
pub struct Press {
    query: String,
    /// The greeting's "Start the check" button.
    from_welcome: bool,
    /// Whether the button was one of ours at all.
    known: bool,
}

fn step(input: Input) -> Plan {
    Plan::Step(StepPlan {
        before: Vec::new(),
        input,
        press: None,
        clear_outbox: false,
    })
}

fn after(note: &str, input: Input) -> Plan {
    Plan::Step(StepPlan {
        before: vec![plain(note)],
        input,
        press: None,
        clear_outbox: false,
    })
}

fn reply(outgoing: Outgoing) -> Plan {
    Plan::Effects(Effects::reply(vec![outgoing]))
}

/// A plain message.
pub fn plain(text: &str) -> Outgoing {
    render::message(None, render::plain(text), None)
}

/// A message in a private chat.
pub async fn message(msg: &Message, me: &Me, app: &App, now_ms: u64) -> StoreResult<Plan> {
    log::debug!("update from chat {}: message", msg.chat.id.0);
    let Some(text) = msg.text() else {
        return Ok(after(
            "I can only read typed answers and button taps.",
            Input::Repeat,
        ));
    };
    Ok(match Command::parse(text, me.username()) {
        Ok(command) => self::command(app, msg.chat.id.0, command, now_ms).await?,
        Err(_) if text.starts_with('/') => Plan::Step(StepPlan {
            before: vec![render::message(None, render::help(), None)],
            input: Input::Repeat,
            press: None,
            clear_outbox: false,
        }),
        Err(_) => step(Input::Text(text.to_string())),
    })
}

/// An edited message: answers are read only from new messages.
pub fn edited() -> Plan {
    after(
        "I can’t use edited messages — please send your answer as a new message.",
        Input::Repeat,
    )
}

async fn command(app: &App, chat: i64, command: Command, now_ms: u64) -> StoreResult<Plan> {
    Ok(match command {
        Command::Start(payload) if payload.trim() == "check" => step(Input::Begin),
        Command::Start(_) => {
            let (text, keyboard) = render::welcome(&app.script);
            reply(render::message(None, text, Some(keyboard)))
        }
        Command::Check => step(Input::Begin),
        Command::Back => step(Input::Back),
        Command::Restart => step(Input::Restart),
        Command::Tips => {
            let current = app.conversation().current(chat, now_ms).await?;
            let tips = engine::tips(&app.script, current.as_ref());
            reply(render::message(None, render::tips(&tips), None))
        }
        Command::Cancel => step(Input::Cancel),
        Command::Summary => {
            let current = app.conversation().current(chat, now_ms).await?;
            match current
                .as_ref()
                .and_then(|s| engine::summary(&app.script, s))
            {
                Some(summary) => Plan::Effects(Effects::reply(vec![
                    render::message(None, render::summary(&summary), None),
                    Outgoing::Document {
                        filename: "summary.html".to_string(),
                        content: render::summary_page(&summary),
                        caption: "Your check, to print or show a doctor.".to_string(),
                    },
                ])),
                None => reply(plain(
                    "There is nothing to sum up yet: send /check to begin a check.",
                )),
            }
        }
        Command::Privacy => {
            let hours = app.session_ttl.as_secs().div_ceil(3600);
            reply(render::message(
                None,
                render::privacy(hours, app.store.kind()),
                None,
            ))
        }
        Command::Export => {
            let export = app.conversation().export(chat, now_ms).await?;
            reply(Outgoing::Document {
                filename: "export.json".to_string(),
                content: export,
                caption: "Everything I keep about you. /forget deletes it.".to_string(),
            })
        }
        Command::About => {
            let hours = app.session_ttl.as_secs().div_ceil(3600);
            reply(render::message(
                None,
                render::about(&app.script, hours),
                None,
            ))
        }
        Command::Forget => Plan::Effects(Effects {
            forget: true,
            // Replies still waiting may quote the person's answers.
            clear_outbox: true,
            ..Effects::reply(vec![plain(
                "Done — I deleted everything I kept about this chat. Send /check to start a new check.",
            )])
        }),
        Command::Help => reply(render::message(None, render::help(), None)),
    })
}

/// A button pressed in a private chat.
pub fn callback(query: &CallbackQuery) -> Plan {
    log::debug!("update from user {}: button", query.from.id.0);
    let data = query.data.as_deref().unwrap_or("");
    let token = ButtonToken::decode(data);
    let from_welcome = data == render::BEGIN;
    let input = match (&token, from_welcome) {
        (_, true) => Input::Begin,
        (Some(token), false) => Input::Button(token.clone()),
        (None, false) => Input::Repeat,
    };
    Plan::Step(StepPlan {
        before: Vec::new(),
        input,
        press: Some(Press {
            query: query.id.0.clone(),
            from_welcome,
            known: token.is_some(),
        }),
        clear_outbox: false,
    })
}

/// The outbox entries for a step: the button answer first (with the stale
/// notice on it), then `before`, then the step's replies.
pub fn render_step(plan: &StepPlan, step: &Step) -> Vec<Outgoing> {
    let mut out = Vec::new();
    let mut replies: Vec<&Reply> = step.replies.iter().collect();
    if let Some(press) = &plan.press {
        let stale = matches!(replies.first(), Some(Reply::Notice(Notice::Stale)))
            || (!press.from_welcome && !press.known);
        out.push(Outgoing::AnswerButton {
            query: press.query.clone(),
            text: stale.then(|| Notice::Stale.message().to_string()),
        });
        // The notice was shown on the button; the greeting was just read.
        replies.retain(|r| {
            let shown_on_button = matches!(r, Reply::Notice(Notice::Stale));
            let just_read = press.from_welcome && matches!(r, Reply::Intro { .. });
            !(shown_on_button || just_read)
        });
    }
    out.extend(plan.before.iter().cloned());
    for reply in replies {
        render_reply(reply, &mut out);
    }
    out
}

fn render_reply(reply: &Reply, out: &mut Vec<Outgoing>) {
    match reply {
        Reply::Intro { text, disclaimer } => {
            out.push(render::message(None, render::intro(text, disclaimer), None))
        }
        Reply::Notice(notice) => out.push(plain(notice.message())),
        Reply::Say { text } => out.push(plain(text)),
        Reply::Invalid { hint } => {
            out.push(plain(&format!("Sorry, that answer does not fit. {hint}")));
        }
        Reply::Accepted {
            question,
            turn,
            answer,
            said,
            ..
        } => out.push(Outgoing::EditQuestion {
            turn: *turn,
            html: render::answered(question, answer, said.as_deref()),
        }),
        Reply::Question(q) => {
            let (html, keyboard) = render::question(q);
            out.push(Outgoing::Send {
                thread: None,
                html,
                keyboard: render::keyboard_json(&keyboard),
                question_turn: Some(q.turn),
            });
        }
        Reply::Outcome(o) => out.extend(
            render::outcome(o)
                .into_iter()
                .map(|html| render::message(None, html, None)),
        ),
    }
}
