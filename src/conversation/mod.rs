//! The conversation core: what every input means, on any platform. An
//! inbox entry (an [`Incoming`] event from a chat, or a timed event) becomes
//! a plan — an engine step with its replies, or replies and changes alone —
//! committed through the [`service`] as one atomic store operation.
//!
//! It owns the commands, the private check, group behaviour (introduction,
//! `/check` → the private chat, admin settings, welcomes, tips), flood and
//! cooldown policy, the language rule, data rights (`/summary`, `/export`,
//! `/privacy`, `/forget`), follow-ups and the twitch diary. It knows no HTTP and no platform:
//! what it needs from one (is this person an admin?) it asks through
//! [`Platform`], and what it says is [`crate::message::Outgoing`], worded by
//! [`wording`].

pub mod command;
mod cooldown;
pub mod diary;
mod flood;
mod group;
mod private;
pub mod service;
pub mod wording;

use std::future::Future;
use std::time::Duration;

use serde_json::value::RawValue;

pub use flood::Verdict;
pub use service::{Conversation, Effects, StepChanges, Turn};

use crate::config::Config;
use crate::engine::{Input, Step};
use crate::logging::chat as shown;
use crate::message::{Action, ChatId, ChatKind, Incoming, What};
use crate::script::{Dialogue, Script};
use crate::store::{
    Committed, Diaries, Event, GroupSettings, Groups, InboxEntry, NewEntry, Store, StoreError,
};
use private::Plan;

/// What the core asks of the platform a chat is on.
pub trait Platform: Send + Sync {
    /// Whether `person` administers group `chat`. The platform refusing to
    /// say (the bot was removed, the person is unknown) is `Ok(false)`;
    /// only a failure to ask (network trouble) is an error, tried again later.
    fn is_admin(
        &self,
        chat: i64,
        person: i64,
    ) -> impl Future<Output = Result<bool, PlatformError>> + Send;

    /// An event an earlier version stored as the platform's raw payload,
    /// decoded now; `None` when it cannot be read (it is skipped).
    fn upgrade(&self, raw: &RawValue) -> impl Future<Output = Option<Incoming>> + Send;
}

/// The platform could not answer a question the core asked.
#[derive(Debug, thiserror::Error)]
#[error("platform: {0}")]
pub struct PlatformError(pub String);

/// Why handling an entry failed; it stays in the inbox and is tried again
/// while the failure may pass.
#[derive(Debug, thiserror::Error)]
pub enum Failed {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The platform could not answer (an admin check).
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

impl Failed {
    /// Whether trying again may help: a store that cannot be reached or a
    /// platform that did not answer may come back; data that cannot be
    /// encoded or a statement the store refuses will fail the same way
    /// every time, so the entry is set aside at once.
    pub fn is_transient(&self) -> bool {
        match self {
            Failed::Store(e) => e.is_transient(),
            Failed::Platform(_) => true,
        }
    }
}

/// Why the core could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum LoadFailure {
    /// The dialogue files could not be read or have errors.
    #[error(transparent)]
    Dialogue(#[from] crate::script::LoadError),
    /// No dialogue could be picked.
    #[error(transparent)]
    Select(#[from] crate::script::SelectError),
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What handling an entry came to.
#[derive(Debug, Default)]
pub struct Handled {
    /// Replies were queued: the chat's sender has work.
    pub queued: bool,
    /// The engine step taken, if any (for counting).
    pub step: Option<Step>,
}

/// What every chat's handling shares: the dialogue, the store, the settings
/// that shape answers, and the in-memory policies (flood, cooldowns).
pub struct Core {
    /// The dialogue being run, in every language it has.
    pub dialogue: Dialogue,
    /// Inboxes, checks, outboxes and group settings.
    pub store: Store,
    /// Idle checks older than this are gone.
    pub session_ttl: Duration,
    /// Follow-ups come after this long instead of their days, when set.
    pub follow_up_after: Option<Duration>,
    /// How long joins are collected before one combined welcome.
    pub welcome_delay: Duration,
    /// Flood control per person and chat, counted at intake.
    flood: flood::FloodGate,
    /// One answer per person every few minutes to repeated group commands.
    cooldowns: cooldown::Cooldowns,
}

impl Core {
    /// The core over a loaded dialogue and an open store, with the settings.
    pub fn new(dialogue: Dialogue, store: Store, config: &Config) -> Core {
        Core {
            dialogue,
            store,
            session_ttl: config.session_ttl,
            follow_up_after: config.follow_up_after,
            welcome_delay: config.welcome_delay,
            flood: flood::FloodGate::new(config.flood_limit),
            cooldowns: cooldown::Cooldowns::default(),
        }
    }

    /// Loads the configured dialogue (every language, checked) and opens the
    /// configured store, as `run` does.
    pub async fn load(config: &Config) -> Result<Core, LoadFailure> {
        let scripts =
            crate::script::load_checked(std::slice::from_ref(&config.dialogues), &config.locales)?;
        let files: Vec<String> = scripts
            .iter()
            .map(|s| s.path.display().to_string())
            .collect();
        let dialogue = crate::script::select(scripts, config.dialogue.as_deref())?;
        let script = dialogue.base();
        let languages: Vec<&str> = dialogue.languages().map(|s| s.language.as_str()).collect();
        let store = Store::open(config).await?;
        log::info!(
            "dialogue `{}` v{} in {} ({}); store: {}; pacing: {}; idle checks kept {}s",
            script.id,
            script.version,
            languages.join(", "),
            files.join(", "),
            store.describe(),
            if config.throttle { "on" } else { "off" },
            config.session_ttl.as_secs()
        );
        Ok(Core::new(dialogue, store, config))
    }

    /// How long a diary is kept after its last entry, when the dialogue has one.
    pub fn diary_keep_ms(&self) -> Option<u64> {
        self.dialogue.base().diary.as_ref().map(diary::keep_ms)
    }

    /// The dialogue in `language` (the base when it has no such language).
    pub fn script(&self, language: &str) -> &Script {
        self.dialogue.get(language)
    }

    /// The conversation service over this core's dialogue and store, for a
    /// chat in `language`.
    pub fn conversation<'a>(&'a self, language: &'a str) -> Conversation<'a> {
        Conversation {
            dialogue: &self.dialogue,
            language,
            store: &self.store,
            ttl_ms: self.session_ttl.as_millis() as u64,
            follow_up_after_ms: self.follow_up_after.map(|d| d.as_millis() as u64),
        }
    }

    /// The inbox entry for an event as it arrives, keyed by `key` (unique
    /// per event, e.g. its platform id); `None` when flood control drops it.
    /// Counted as it arrives, so a flooding chat is noticed (and told, once)
    /// even while its replies wait for their pacing.
    pub fn intake(&self, key: String, incoming: Incoming, now_ms: u64) -> Option<NewEntry> {
        let chat = incoming.chat;
        let event = match self.flood.check(chat, incoming.sender(), now_ms) {
            Verdict::Allow => Event::Incoming(incoming),
            // A notice in a group would be one more message to everyone there.
            Verdict::Warn if ChatId(chat).is_group() => {
                log::debug!("a member of {chat} is flooding; ignored for a minute");
                return None;
            }
            Verdict::Warn => {
                log::debug!("{} is flooding; pausing it for a minute", shown(chat));
                Event::FloodNotice
            }
            Verdict::Drop => return None,
        };
        Some(NewEntry {
            key,
            chat,
            not_before_ms: 0,
            event,
        })
    }

    /// Handles one inbox entry and commits what it changes.
    pub async fn handle(
        &self,
        platform: &impl Platform,
        entry: InboxEntry,
        now_ms: u64,
    ) -> Result<Handled, Failed> {
        let turn = Turn {
            chat: entry.chat,
            seq: entry.seq,
            now_ms,
        };
        let chat = ChatId(entry.chat);
        let event = match entry.event {
            Event::Legacy(raw) => match platform.upgrade(&raw).await {
                Some(incoming) => Event::Incoming(incoming),
                None => {
                    log::warn!(
                        "entry {} of {}: a stored update could not be read; skipped",
                        entry.seq,
                        shown(entry.chat)
                    );
                    Event::Unreadable
                }
            },
            other => other,
        };
        // The chat's chosen language; else, for a person, their app's.
        // Read only for what speaks to the chat outside a check's own language.
        let speaks = matches!(
            event,
            Event::Incoming(_) | Event::FloodNotice | Event::WelcomeDue | Event::TipDue { .. }
        );
        let settings = if speaks {
            self.store.group(entry.chat).await?
        } else {
            GroupSettings::default()
        };
        let stored = settings.language.clone().filter(|l| self.dialogue.has(l));
        let mut language = stored
            .clone()
            .unwrap_or_else(|| self.dialogue.base().language.clone());
        let plan = match event {
            Event::Incoming(incoming) => {
                if stored.is_none()
                    && let Some(tag) = app_language(&incoming)
                {
                    language = self.dialogue.language_for(Some(tag)).to_string();
                }
                self.plan(platform, &incoming, turn, self.script(&language), &settings)
                    .await?
            }
            Event::FloodNotice if chat.is_private() => {
                // The replies to the flood still waiting for their pacing
                // would only bury the notice: it comes next, with where
                // the person is (the question may have been among them).
                Plan::Step(private::StepPlan {
                    changes: StepChanges {
                        clear_outbox: true,
                        ..StepChanges::default()
                    },
                    ..private::StepPlan::new(Input::Repeat)
                        .after(private::Note::Text("flood-pause"))
                })
            }
            Event::FloodNotice => {
                let note = self.script(&language).catalog.text("flood-pause");
                Plan::Effects(Effects::reply(vec![private::plain(&note)]))
            }
            Event::Unreadable | Event::Legacy(_) => {
                log::warn!(
                    "entry {} of {}: stored in a form this version cannot read; skipped",
                    entry.seq,
                    shown(entry.chat)
                );
                Plan::Effects(Effects::default())
            }
            Event::WelcomeDue => {
                let script = self.script(&language);
                Plan::Effects(group::welcome_due(self, script, entry.chat).await?)
            }
            Event::TipDue { slot } => {
                let script = self.script(&language);
                Plan::Effects(group::tip_due(self, script, entry.chat, slot).await?)
            }
            // A follow-up is only ever set in a private chat.
            Event::FollowUpDue { due_ms } if chat.is_private() => {
                let diary = self.store.diary(entry.chat).await?;
                Plan::Step(private::StepPlan::new(Input::FollowUpDue { due_ms, diary }))
            }
            Event::FollowUpDue { .. } => Plan::Effects(Effects::default()),
            Event::Blocked => {
                if chat.is_group() {
                    log::info!("{} is gone; its settings are deleted", shown(entry.chat));
                }
                // A person who blocked the bot: the language they chose goes too.
                Plan::Effects(group::gone())
            }
        };
        self.commit(turn, plan, &language).await
    }

    /// Commits a plan: a step through the service, or effects alone.
    async fn commit(&self, turn: Turn, plan: Plan, language: &str) -> Result<Handled, Failed> {
        match plan {
            Plan::Step(plan) => {
                let language = plan.language.as_deref().unwrap_or(language);
                let step = self
                    .conversation(language)
                    .step(
                        turn,
                        plan.input.clone(),
                        plan.changes.clone(),
                        |script, step| private::render_step(&plan, script, step),
                    )
                    .await?;
                Ok(Handled {
                    queued: step.is_some(),
                    step,
                })
            }
            Plan::Effects(effects) => {
                let queued = !effects.outgoing.is_empty();
                let committed = self.conversation(language).finish(turn, effects).await?;
                Ok(Handled {
                    queued: queued && committed == Committed::Done,
                    step: None,
                })
            }
        }
    }

    /// What an event asks for, answered in `script`'s language.
    async fn plan(
        &self,
        platform: &impl Platform,
        incoming: &Incoming,
        turn: Turn,
        script: &Script,
        settings: &GroupSettings,
    ) -> Result<Plan, Failed> {
        let chat = incoming.chat;
        let private = diary::Chat {
            core: self,
            script,
            id: chat,
            settings,
            now_ms: turn.now_ms,
        };
        let answer_only = |id: &str| {
            Plan::Effects(Effects::reply(vec![
                crate::message::Outgoing::AnswerPress {
                    press: id.to_string(),
                    notice: None,
                },
            ]))
        };
        Ok(match (incoming.kind, &incoming.what) {
            (ChatKind::Private, What::Text { text }) => {
                log::debug!("update from {}: message", shown(chat));
                private::text(&private, text).await?
            }
            (ChatKind::Private, What::NotText) => private::not_text(),
            (ChatKind::Private, What::Edited) => private::edited(),
            (
                ChatKind::Private,
                What::Press {
                    id,
                    data,
                    under_message: true,
                    message,
                },
            ) => {
                log::debug!("update from {}: button", shown(chat));
                private::press(&private, id, data, message.as_ref()).await?
            }
            (
                ChatKind::Group,
                What::Press {
                    id,
                    data,
                    message: Some(message),
                    ..
                },
            ) => match Action::parse(data) {
                Some(Action::Setting(setting)) => Plan::Effects(
                    group::setting_pressed(
                        self,
                        platform,
                        incoming,
                        group::SettingPress {
                            id,
                            message: message.clone(),
                            setting,
                        },
                        script,
                        turn.now_ms,
                    )
                    .await?,
                ),
                _ => answer_only(id),
            },
            (_, What::Press { id, .. }) => answer_only(id),
            (ChatKind::Group, What::Text { text }) => Plan::Effects(
                group::text(self, platform, incoming, text, script, turn.now_ms).await?,
            ),
            (ChatKind::Group, What::Joined { names }) => Plan::Effects(
                group::joined(self, chat, names.clone(), turn.seq, turn.now_ms).await?,
            ),
            (ChatKind::Group, What::MovedTo { chat: to }) => Plan::Effects(group::moved(chat, *to)),
            (ChatKind::Group, What::BotAdded) => Plan::Effects(group::added(chat, script)),
            (ChatKind::Group, What::BotRemoved) => Plan::Effects(group::removed(chat)),
            _ => Plan::Effects(Effects::default()),
        })
    }
}

/// The language a person's app is set to, from what they sent in their
/// private chat, or from the admin who added the bot to a group (its
/// introduction); a member's own language never decides for a group.
fn app_language(incoming: &Incoming) -> Option<&str> {
    let decides = match incoming.what {
        What::BotAdded | What::BotRemoved => true,
        What::Text { .. } | What::NotText | What::Edited | What::Press { .. } => {
            incoming.kind == ChatKind::Private
        }
        _ => false,
    };
    incoming
        .from
        .as_ref()
        .filter(|_| decides)
        .and_then(|p| p.language.as_deref())
}

#[cfg(test)]
mod tests;
