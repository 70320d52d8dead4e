//! Private chats: the check itself. Commands, typed answers, button presses
//! and everything else a person can send become a [`Plan`]: an engine step
//! with the replies rendered around it, or plain replies.

use super::command::Command;
use super::diary;
use super::service::{Effects, StepChanges};
use super::{Core, wording as render};
use crate::engine::{self, Input, Notice, Reply, Step};
use crate::language::Catalog;
use crate::message::{Action, MessageId, Outgoing};
use crate::script::Script;
use crate::store::{DiaryWrite, GroupWrite, Groups, StoreResult};

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
    /// Notes that come next, worded in the language the step runs in.
    pub notes: Vec<Note>,
    /// What the engine gets.
    pub input: Input,
    /// The button press being answered, if any.
    pub press: Option<Press>,
    /// Drop the chat's queued replies first, and change the chat's
    /// settings (see [`crate::store::Commit`]).
    pub changes: StepChanges,
    /// The language the step runs in when it is not the chat's (a switch).
    pub language: Option<String>,
    /// The diary is off: an outcome it is offered after comes with the offer.
    pub offer_diary: bool,
}

/// A button press: its spinner is stopped, with a notice when it was stale.
pub struct Press {
    id: String,
    /// The greeting's "Start the check" button.
    from_welcome: bool,
    /// Whether the button was one of ours at all.
    known: bool,
}

/// A note before a step's replies, worded when the step's language is known
/// (a check under way keeps its own, whatever the chat's is now).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// A catalog message, shown as plain text.
    Text(&'static str),
    /// The command list.
    Help,
}

impl StepPlan {
    /// A step on `input` with nothing around it.
    pub fn new(input: Input) -> StepPlan {
        StepPlan {
            before: Vec::new(),
            notes: Vec::new(),
            input,
            press: None,
            changes: StepChanges::default(),
            language: None,
            offer_diary: false,
        }
    }

    /// The same step, with `note` before its replies.
    pub fn after(mut self, note: Note) -> StepPlan {
        self.notes.push(note);
        self
    }
}

fn step(input: Input) -> Plan {
    Plan::Step(StepPlan::new(input))
}

fn after(note: &'static str, input: Input) -> Plan {
    Plan::Step(StepPlan::new(input).after(Note::Text(note)))
}

fn reply(outgoing: Outgoing) -> Plan {
    Plan::Effects(Effects::reply(vec![outgoing]))
}

/// A plain message.
pub fn plain(text: &str) -> Outgoing {
    Outgoing::text(None, render::plain(text))
}

/// A text in a private chat, whose language is `script`'s.
pub async fn text(chat: &diary::Chat<'_>, text: &str) -> StoreResult<Plan> {
    Ok(match Command::parse(text) {
        Some(command) => self::command(chat, command).await?,
        None if text.starts_with('/') => Plan::Step(StepPlan::new(Input::Repeat).after(Note::Help)),
        None => match diary::typed(chat, text).await? {
            Some(logged) => logged,
            None => typed_step(chat, Input::Text(text.to_string())),
        },
    })
}

/// A step on `input`, offering the diary with an outcome while it is off.
fn typed_step(chat: &diary::Chat<'_>, input: Input) -> Plan {
    Plan::Step(StepPlan {
        offer_diary: !chat.settings.diary,
        ..StepPlan::new(input)
    })
}

/// A message without text: the check is shown again.
pub fn not_text() -> Plan {
    after("only-text", Input::Repeat)
}

/// An edited message: answers are read only from new messages.
pub fn edited() -> Plan {
    after("edited-message", Input::Repeat)
}

/// `/language` with a code, or a press on one of its buttons: the chat's
/// language is stored and the check under way goes on in it; without a
/// known code, the menu.
pub async fn choose_language(
    core: &Core,
    script: &Script,
    chat: i64,
    wanted: &str,
) -> StoreResult<Plan> {
    let codes = core.dialogue.languages().map(|s| s.language.as_str());
    let Some(code) = crate::language::pick(codes, wanted.trim()) else {
        let (menu, buttons) = render::language_menu(script, &core.dialogue);
        let mut outgoing = Vec::new();
        if !wanted.trim().is_empty() {
            outgoing.push(plain(&script.catalog.text("language-unknown")));
        }
        outgoing.push(render::message(None, menu, buttons));
        return Ok(Plan::Effects(Effects::reply(outgoing)));
    };
    let mut settings = core.store.group(chat).await?;
    settings.language = Some(code.to_string());
    Ok(Plan::Step(StepPlan {
        changes: StepChanges {
            clear_outbox: false,
            group: Some(GroupWrite::Save(settings)),
            diary: None,
        },
        language: Some(code.to_string()),
        ..StepPlan::new(Input::SwitchLanguage).after(Note::Text("language-set"))
    }))
}

async fn command(chat: &diary::Chat<'_>, command: Command) -> StoreResult<Plan> {
    let (core, script, now_ms) = (chat.core, chat.script, chat.now_ms);
    let c = &script.catalog;
    let id = chat.id;
    let conversation = core.conversation(&script.language);
    Ok(match command {
        Command::Start(payload) if payload.trim() == "check" => step(Input::Begin),
        Command::Start(_) => {
            let (text, buttons) = render::welcome(script);
            reply(render::message(None, text, buttons))
        }
        Command::Language(wanted) => choose_language(core, script, id, &wanted).await?,
        Command::Log(note) => diary::log_command(chat, &note).await?,
        Command::Diary(args) => diary::command(chat, &args).await?,
        Command::Check => step(Input::Begin),
        Command::Back => step(Input::Back),
        Command::Restart => step(Input::Restart),
        Command::Tips => {
            let current = conversation.current(id, now_ms).await?;
            let script = conversation.script_for(current.as_ref(), &Input::Repeat);
            let tips = engine::tips(script, current.as_ref());
            reply(Outgoing::text(None, render::tips(&tips)))
        }
        Command::Cancel => step(Input::Cancel),
        Command::Summary => {
            let current = conversation.current(id, now_ms).await?;
            let script = conversation.script_for(current.as_ref(), &Input::Repeat);
            let c = &script.catalog;
            let diary = diary::for_summary(&diary::Chat { script, ..*chat }).await?;
            let summary = current.as_ref().and_then(|s| engine::summary(script, s));
            match (summary, diary) {
                (Some(summary), diary) => {
                    let mut out = vec![Outgoing::text(None, render::summary(c, &summary))];
                    let page = render::summary_page(
                        c,
                        &summary,
                        diary
                            .as_ref()
                            .map(|d| (d.caption.as_str(), d.png.as_slice())),
                    );
                    out.extend(diary.map(diary::Chart::into_photo));
                    out.push(Outgoing::Document {
                        filename: "summary.html".to_string(),
                        content: page,
                        caption: c.text("summary-caption"),
                    });
                    Plan::Effects(Effects::reply(out))
                }
                (None, Some(chart)) => reply(chart.into_photo()),
                (None, None) => reply(plain(&c.text("nothing-to-sum-up"))),
            }
        }
        Command::Privacy => {
            let hours = core.session_ttl.as_secs().div_ceil(3600);
            let diary_days = script.diary.as_ref().map(|d| d.keep_days);
            reply(Outgoing::text(
                None,
                render::privacy(c, hours, core.store.kind(), diary_days),
            ))
        }
        Command::Export => {
            let export = conversation.export(id, now_ms).await?;
            reply(Outgoing::Document {
                filename: "export.json".to_string(),
                content: export,
                caption: c.text("export-caption"),
            })
        }
        Command::About => {
            let hours = core.session_ttl.as_secs().div_ceil(3600);
            reply(Outgoing::text(
                None,
                render::about(&core.dialogue, script, hours),
            ))
        }
        Command::Forget => Plan::Effects(Effects {
            forget: true,
            // The chosen language goes too: it is kept about this person.
            group: Some(GroupWrite::Delete),
            diary: Some(DiaryWrite::Delete),
            // Replies still waiting may quote the person's answers.
            clear_outbox: true,
            ..Effects::reply(vec![plain(&c.text("forgotten"))])
        }),
        Command::Help => reply(Outgoing::text(None, render::help(c))),
    })
}

/// A button pressed in a private chat: `id` is the press, `data` what the
/// button carried, `message` the message it was under.
pub async fn press(
    chat: &diary::Chat<'_>,
    id: &str,
    data: &str,
    message: Option<&MessageId>,
) -> StoreResult<Plan> {
    let action = Action::parse(data);
    if let Some(Action::Diary(action)) = action {
        let press = diary::Pressed { id, message };
        return diary::pressed(chat, press, action).await;
    }
    if let Some(Action::Language(code)) = &action {
        let mut plan = choose_language(chat.core, chat.script, chat.id, code).await?;
        let answer = Outgoing::AnswerPress {
            press: id.to_string(),
            notice: None,
        };
        match &mut plan {
            Plan::Step(step) => step.before.insert(0, answer),
            Plan::Effects(effects) => effects.outgoing.insert(0, answer),
        }
        return Ok(plan);
    }
    let (input, from_welcome, known) = match action {
        Some(Action::Begin) => (Input::Begin, true, false),
        Some(Action::Answer(token)) => (Input::Button(token), false, true),
        _ => (Input::Repeat, false, false),
    };
    Ok(Plan::Step(StepPlan {
        press: Some(Press {
            id: id.to_string(),
            from_welcome,
            known,
        }),
        offer_diary: !chat.settings.diary,
        ..StepPlan::new(input)
    }))
}

/// The outbox entries for a step: the button answer first (with the stale
/// notice on it), then `before`, then the step's replies.
pub fn render_step(plan: &StepPlan, script: &Script, step: &Step) -> Vec<Outgoing> {
    let c = &script.catalog;
    let mut out = Vec::new();
    let mut replies: Vec<&Reply> = step.replies.iter().collect();
    if let Some(press) = &plan.press {
        let stale = matches!(replies.first(), Some(Reply::Notice(Notice::Stale)))
            || (!press.from_welcome && !press.known);
        out.push(Outgoing::AnswerPress {
            press: press.id.clone(),
            notice: stale.then(|| c.text(Notice::Stale.id())),
        });
        // The notice was shown on the button; the greeting was just read.
        replies.retain(|r| {
            let shown_on_button = matches!(r, Reply::Notice(Notice::Stale));
            let just_read = press.from_welcome && matches!(r, Reply::Intro { .. });
            !(shown_on_button || just_read)
        });
    }
    out.extend(plan.before.iter().cloned());
    for note in &plan.notes {
        out.push(match note {
            Note::Text(id) => plain(&c.text(id)),
            Note::Help => Outgoing::text(None, render::help(c)),
        });
    }
    for reply in replies {
        render_reply(c, reply, &mut out);
    }
    // The diary is offered once an outcome it follows is shown.
    let outcome_shown = step
        .replies
        .iter()
        .any(|r| matches!(r, Reply::Outcome(o) if diary::offered_after(script, &o.outcome)));
    if plan.offer_diary
        && outcome_shown
        && let Some(diary) = &script.diary
    {
        out.push(diary::offer(diary));
    }
    out
}

fn render_reply(c: &Catalog, reply: &Reply, out: &mut Vec<Outgoing>) {
    match reply {
        Reply::Intro { text, disclaimer } => {
            out.push(Outgoing::text(None, render::intro(text, disclaimer)))
        }
        Reply::Notice(notice) => out.push(plain(&c.text(notice.id()))),
        Reply::Say { text } => out.push(plain(text)),
        Reply::Invalid { hint } => {
            out.push(plain(&c.get("not-fit", &[("hint", hint.as_str().into())])));
        }
        Reply::Accepted {
            question,
            turn,
            answer,
            said,
            ..
        } => out.push(Outgoing::ShowAnswer {
            turn: *turn,
            text: render::answered(c, question, answer, said.as_deref()),
        }),
        Reply::Question(q) => {
            let (text, buttons) = render::question(c, q);
            out.push(Outgoing::Message {
                topic: None,
                text,
                buttons,
                question_turn: Some(q.turn),
            });
        }
        Reply::Outcome(o) => out.extend(
            render::outcome(c, o)
                .into_iter()
                .map(|text| Outgoing::text(None, text)),
        ),
    }
}
