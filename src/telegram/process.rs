//! The inbox lane: each chat's entries are handled in order, one atomic
//! store operation each (through [`crate::conversation`]), and the chat's
//! sender is told when replies were queued. An entry whose handling fails
//! (the store is down, an admin check failed) stays in the inbox and is
//! tried again with a growing pause; one that keeps failing for about ten
//! minutes is set aside, logged by its sequence number, never its content.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::types::{Me, Update, UpdateKind};

use super::api::json_failure;
use super::group::{self, Failed};
use super::lanes::{Job, Lanes, Next};
use super::private::{self, Plan};
use super::sender::Sender;
use super::{App, TgBot, now_ms, render};
use crate::conversation::{Effects, StepChanges, Turn};
use crate::logging::chat as shown;
use crate::script::Script;
use crate::store::{Committed, Event, Groups, Inbox, InboxEntry, Outgoing, Store};

/// Attempts at one entry before it is set aside.
const ATTEMPTS: u32 = 20;
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Handles inbox entries.
pub struct Processor {
    app: Arc<App>,
    bot: TgBot,
    me: Me,
    sender: Arc<Lanes<Sender>>,
    /// Failed attempts so far and when to try again, by (chat, entry).
    failures: Mutex<HashMap<(i64, u64), (u32, u64)>>,
}

impl Processor {
    /// A processor that hands replies to `sender`.
    pub fn new(app: Arc<App>, bot: TgBot, me: Me, sender: Arc<Lanes<Sender>>) -> Processor {
        Processor {
            app,
            bot,
            me,
            sender,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn store(&self) -> &Store {
        &self.app.store
    }

    /// Handles one entry and commits what it changes; true when replies were queued.
    async fn handle(&self, entry: InboxEntry, now_ms: u64) -> Result<bool, Failed> {
        let turn = Turn {
            chat: entry.chat,
            seq: entry.seq,
            now_ms,
        };
        // The chat's chosen language; else, for a person, their Telegram's.
        // Read only for what speaks to the chat outside a check's own language.
        let speaks = matches!(
            entry.event,
            Event::Update(_) | Event::FloodNotice | Event::WelcomeDue | Event::TipDue { .. }
        );
        let stored = if speaks {
            self.store()
                .group(entry.chat)
                .await?
                .language
                .filter(|l| self.app.dialogue.has(l))
        } else {
            None
        };
        let mut language = stored
            .clone()
            .unwrap_or_else(|| self.app.dialogue.base().language.clone());
        let plan = match entry.event {
            Event::Update(json) => match serde_json::from_str::<Update>(json.get()) {
                Ok(update) => {
                    if stored.is_none()
                        && let Some(tag) = telegram_language(&update, entry.chat)
                    {
                        language = self.app.dialogue.language_for(Some(tag)).to_string();
                    }
                    self.plan(update, turn, self.app.script(&language)).await?
                }
                Err(e) => {
                    log::warn!(
                        "entry {} of {}: the update could not be read ({}); skipped",
                        entry.seq,
                        shown(entry.chat),
                        json_failure(&e)
                    );
                    Plan::Effects(Effects::default())
                }
            },
            Event::FloodNotice => {
                if entry.chat > 0 {
                    // The replies to the flood still waiting for their pacing
                    // would only bury the notice: it comes next, with where
                    // the person is (the question may have been among them).
                    Plan::Step(private::StepPlan {
                        changes: StepChanges {
                            clear_outbox: true,
                            group: None,
                        },
                        ..private::StepPlan::new(crate::engine::Input::Repeat)
                            .after(private::Note::Text("flood-pause"))
                    })
                } else {
                    let note = self.app.script(&language).catalog.text("flood-pause");
                    Plan::Effects(Effects::reply(vec![private::plain(&note)]))
                }
            }
            Event::Unreadable => {
                log::warn!(
                    "entry {} of {}: stored in a form this version cannot read; skipped",
                    entry.seq,
                    shown(entry.chat)
                );
                Plan::Effects(Effects::default())
            }
            Event::WelcomeDue => {
                let script = self.app.script(&language);
                Plan::Effects(group::welcome_due(&self.app, script, entry.chat, &self.me).await?)
            }
            Event::TipDue { slot } => {
                let script = self.app.script(&language);
                Plan::Effects(group::tip_due(&self.app, script, entry.chat, slot).await?)
            }
            // A follow-up is only ever set in a private chat.
            Event::FollowUpDue { due_ms } if entry.chat > 0 => {
                Plan::Step(private::StepPlan::new(crate::engine::Input::FollowUpDue {
                    due_ms,
                }))
            }
            Event::FollowUpDue { .. } => Plan::Effects(Effects::default()),
            Event::Blocked if entry.chat < 0 => {
                log::info!("{} is gone; its settings are deleted", shown(entry.chat));
                Plan::Effects(group::gone())
            }
            // A person who blocked the bot: the language they chose goes too.
            Event::Blocked => Plan::Effects(group::gone()),
        };
        match plan {
            Plan::Step(plan) => {
                let language = plan.language.as_deref().unwrap_or(&language);
                let step = self
                    .app
                    .conversation(language)
                    .step(
                        turn,
                        plan.input.clone(),
                        plan.changes.clone(),
                        |script, step| private::render_step(&plan, script, step),
                    )
                    .await?;
                match step {
                    Some(step) => {
                        self.app.metrics.count_step(&step);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            }
            Plan::Effects(effects) => {
                let queued = !effects.outgoing.is_empty();
                let committed = self
                    .app
                    .conversation(&language)
                    .finish(turn, effects)
                    .await?;
                Ok(queued && committed == Committed::Done)
            }
        }
    }

    /// What an update asks for, answered in `script`'s language.
    async fn plan(&self, update: Update, turn: Turn, script: &Script) -> Result<Plan, Failed> {
        let app = &self.app;
        Ok(match &update.kind {
            UpdateKind::Message(msg) if msg.chat.is_private() => {
                private::message(msg, &self.me, app, script, turn.now_ms).await?
            }
            UpdateKind::Message(msg) if msg.chat.is_group() || msg.chat.is_supergroup() => {
                let at = (turn.seq, turn.now_ms);
                Plan::Effects(group::message(&self.bot, msg, &self.me, app, script, at).await?)
            }
            UpdateKind::EditedMessage(msg) if msg.chat.is_private() => private::edited(),
            UpdateKind::CallbackQuery(query) => {
                let chat = query.message.as_ref().map(|m| m.chat().clone());
                let settings = query
                    .data
                    .as_deref()
                    .is_some_and(|d| d.starts_with(render::SETTINGS));
                match chat {
                    Some(chat) if chat.is_private() => {
                        private::callback(query, app, script, chat.id.0).await?
                    }
                    Some(_) if settings => Plan::Effects(
                        group::settings_pressed(&self.bot, query, app, script, turn.now_ms).await?,
                    ),
                    _ => Plan::Effects(Effects::reply(vec![Outgoing::AnswerButton {
                        query: query.id.0.clone(),
                        text: None,
                    }])),
                }
            }
            UpdateKind::MyChatMember(change) if !change.chat.is_private() => {
                Plan::Effects(group::membership(change, script))
            }
            _ => Plan::Effects(Effects::default()),
        })
    }

    /// Counts a failed attempt; `Break` when the entry is to be set aside,
    /// else when to try it again.
    fn failed(&self, chat: i64, seq: u64, now_ms: u64) -> ControlFlow<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let failure = failures.entry((chat, seq)).or_insert((0, now_ms));
        failure.0 += 1;
        if failure.0 >= ATTEMPTS {
            failures.remove(&(chat, seq));
            return ControlFlow::Break(());
        }
        let pause = Duration::from_millis(250) * 2u32.saturating_pow(failure.0 - 1);
        failure.1 = now_ms + pause.min(MAX_PAUSE).as_millis() as u64;
        ControlFlow::Continue(failure.1)
    }

    /// When a failed entry may be tried again, if it is not due yet.
    fn waiting(&self, chat: i64, seq: u64, now_ms: u64) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures
            .get(&(chat, seq))
            .map(|f| f.1)
            .filter(|&at| at > now_ms)
    }

    fn succeeded(&self, chat: i64, seq: u64) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if !failures.is_empty() {
            failures.remove(&(chat, seq));
        }
    }
}

impl Job for Processor {
    const LANE: &'static str = "in";

    async fn next(&self, chat: i64) -> Next {
        let who = shown(chat);
        let now = now_ms();
        let pending = match self.store().pending(chat, now).await {
            Ok(pending) => pending,
            Err(e) => {
                log::error!("{who}: cannot read the inbox: {e}");
                return Next::RetryIn(Duration::from_secs(1));
            }
        };
        let Some(entry) = pending.due else {
            return pending.later_ms.map_or(Next::Idle, Next::IdleUntil);
        };
        let seq = entry.seq;
        if let Some(at) = self.waiting(chat, seq, now) {
            // Failed lately: its turn (and lease) go back until it is due.
            return Next::IdleUntil(at);
        }
        match self.handle(entry, now).await {
            Ok(queued) => {
                self.succeeded(chat, seq);
                if queued {
                    self.sender.kick(chat);
                }
                Next::More
            }
            Err(e) => {
                self.app.metrics.errors.fetch_add(1, Ordering::Relaxed);
                let e = super::api::loggable(&*e);
                match self.failed(chat, seq, now) {
                    ControlFlow::Continue(at) => {
                        let pause = Duration::from_millis(at.saturating_sub(now));
                        log::warn!("entry {seq} of {who} failed ({e}); again in {pause:?}");
                        Next::IdleUntil(at)
                    }
                    ControlFlow::Break(()) => {
                        log::error!(
                            "entry {seq} of {who} failed {ATTEMPTS} times ({e}); set aside"
                        );
                        if let Err(e) = self.store().discard(chat, seq).await {
                            log::error!("entry {seq} of {who} not set aside: {e}");
                        }
                        Next::More
                    }
                }
            }
        }
    }

    async fn sweep(&self) -> Vec<i64> {
        self.store().chats_due(now_ms()).await.unwrap_or_else(|e| {
            log::error!("inbox sweep failed: {e}");
            Vec::new()
        })
    }
}

/// The language a person's Telegram is set to, from the update they sent in
/// their private chat, or from the admin who added the bot to a group (its
/// introduction); a member's own language never decides for a group.
fn telegram_language(update: &Update, chat: i64) -> Option<&str> {
    let user = match &update.kind {
        UpdateKind::Message(msg) | UpdateKind::EditedMessage(msg) if chat > 0 => msg.from.as_ref(),
        UpdateKind::CallbackQuery(query) if chat > 0 => Some(&query.from),
        UpdateKind::MyChatMember(change) => Some(&change.from),
        _ => None,
    };
    user.and_then(|u| u.language_code.as_deref())
}
