//! The application service between the transports and the engine and store:
//! one inbox entry is handled as one atomic store operation — read the
//! check, step the engine, save the check, append the rendered replies to
//! the chat's outbox and mark the entry done. So an update is applied
//! exactly once, and a crash leaves all of it or none of it.
//!
//! It knows no HTTP and no Telegram: replies are rendered by the caller's
//! `render`, which turns the engine's replies into outbox entries.

use crate::engine::{self, Input, Notice, Position, Reply, Session, Step};
use crate::script::{Dialogue, Script};
use crate::store::{
    ChatRecord, CheckWrite, Checks, Commit, Committed, Diaries, DiaryWrite, Event, GroupWrite,
    Groups, NewEntry, Outbox, Outgoing, Store, StoreError, StoreResult,
};

/// Writes racing for one chat (a replica that lost its lease) are retried this often.
const CONFLICT_RETRIES: usize = 8;

/// The inbox entry being handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// The chat.
    pub chat: i64,
    /// The inbox entry's sequence number.
    pub seq: u64,
    /// Now, in ms since the epoch.
    pub now_ms: u64,
}

/// What handling an entry changes besides a check: replies, group settings,
/// timed events.
#[derive(Debug, Clone, Default)]
pub struct Effects {
    /// Replies, in order.
    pub outgoing: Vec<Outgoing>,
    /// Group settings, if they change.
    pub group: Option<GroupWrite>,
    /// Timed events to add.
    pub schedule: Vec<NewEntry>,
    /// Whether the chat's check is deleted (`/forget`).
    pub forget: bool,
    /// Whether what waits in the chat's outbox is dropped first.
    pub clear_outbox: bool,
    /// The chat's diary, if it changes.
    pub diary: Option<DiaryWrite>,
}

impl Effects {
    /// Just these replies.
    pub fn reply(outgoing: Vec<Outgoing>) -> Effects {
        Effects {
            outgoing,
            ..Effects::default()
        }
    }
}

/// What a step changes besides the check and its replies.
#[derive(Debug, Clone, Default)]
pub struct StepChanges {
    /// Drop what waits in the chat's outbox first.
    pub clear_outbox: bool,
    /// The chat's settings (e.g. its language), written in the same commit.
    pub group: Option<GroupWrite>,
    /// The chat's diary (a log whose note names an emergency sign is kept
    /// while the step asks about the sign).
    pub diary: Option<DiaryWrite>,
}

/// How the service runs checks.
pub struct Conversation<'a> {
    /// The dialogue, in every language it has.
    pub dialogue: &'a Dialogue,
    /// The chat's language, for a check that starts now; a check under way
    /// keeps the language it started in.
    pub language: &'a str,
    /// Where checks, inboxes and outboxes are.
    pub store: &'a Store,
    /// Idle checks older than this are gone.
    pub ttl_ms: u64,
    /// Follow-ups come after this long instead of their days, when set.
    pub follow_up_after_ms: Option<u64>,
}

impl<'a> Conversation<'a> {
    /// The chat's check unless none is kept or it expired.
    pub async fn current(&self, chat: i64, now_ms: u64) -> StoreResult<Option<Session>> {
        let loaded = self.store.load(chat).await?;
        Ok(loaded
            .record
            .map(|r| r.session)
            .filter(|s| !self.expired(s, now_ms)))
    }

    /// Everything kept about a private chat, as JSON: the check with its
    /// answers and follow-ups, and the question message on screen.
    pub async fn export(&self, chat: i64, now_ms: u64) -> StoreResult<String> {
        let check = self.current(chat, now_ms).await?;
        let question = self.store.question_message(chat).await?;
        let language = self.store.group(chat).await?.language;
        let kept_until_ms = check
            .as_ref()
            .map(|s| s.keep_from_ms().saturating_add(self.ttl_ms));
        let diary = self.store.diary(chat).await?;
        let diary_kept_until_ms = diary
            .as_ref()
            .zip(self.dialogue.base().diary.as_ref())
            .map(|(log, d)| log.touched_ms.saturating_add(super::diary::keep_ms(d)));
        let export = serde_json::json!({
            "chat_id": chat,
            "check": check,
            "question_message": question.map(|q| serde_json::json!({
                "message_id": q.message_id,
                "turn": q.turn,
            })),
            "kept_until_ms": kept_until_ms,
            "language_chosen": language,
            "diary": diary,
            "diary_kept_until_ms": diary_kept_until_ms,
            "exported_ms": now_ms,
        });
        serde_json::to_string_pretty(&export).map_err(|e| StoreError::Encoding(e.to_string()))
    }

    fn expired(&self, session: &Session, now_ms: u64) -> bool {
        now_ms.saturating_sub(session.keep_from_ms()) > self.ttl_ms
    }

    /// A follow-up the step just set gets its due event in the inbox (at
    /// `follow_up_after_ms` when set), written in the step's own commit.
    fn schedule_follow_up(
        &self,
        before: Option<u64>,
        step: &mut Step,
        turn: Turn,
    ) -> Option<NewEntry> {
        let session = step.session.as_mut()?;
        let pending = session.follow_up.as_mut()?;
        if before == Some(pending.due_ms) {
            return None;
        }
        if let Some(after) = self.follow_up_after_ms {
            pending.due_ms = turn.now_ms.saturating_add(after);
        }
        Some(NewEntry {
            key: format!("fu:{}:{}:{}", turn.chat, session.id, pending.due_ms),
            chat: turn.chat,
            not_before_ms: pending.due_ms,
            event: Event::FollowUpDue {
                due_ms: pending.due_ms,
            },
        })
    }

    /// The dialogue a step on `session` runs in: the check's own language
    /// while it goes on; the chat's for a new check (none yet, `/restart`, or
    /// `/check` after one ended) and for [`Input::SwitchLanguage`].
    pub fn script_for(&self, session: Option<&Session>, input: &Input) -> &'a Script {
        let starts_anew = |session: &Session| match input {
            Input::Restart | Input::SwitchLanguage => true,
            Input::Begin => matches!(
                session.position,
                Position::Finished { .. } | Position::Stopped {}
            ),
            _ => false,
        };
        match session {
            Some(session) if !starts_anew(session) => self.dialogue.get(&session.language),
            _ => self.dialogue.get(self.language),
        }
    }

    /// Applies `input` to the chat's check and commits the step with its
    /// rendered replies (after dropping what waits in the outbox, with
    /// `clear_outbox`) and `group`'s change to the chat's settings. `None`
    /// when another worker handled the entry first.
    pub async fn step(
        &self,
        turn: Turn,
        input: Input,
        changes: StepChanges,
        render: impl Fn(&Script, &Step) -> Vec<Outgoing>,
    ) -> StoreResult<Option<Step>> {
        for _ in 0..CONFLICT_RETRIES {
            let loaded = self.store.load(turn.chat).await?;
            let stale = loaded
                .record
                .as_ref()
                .is_some_and(|r| self.expired(&r.session, turn.now_ms));
            let session = loaded.record.map(|r| r.session).filter(|_| !stale);
            let due_before = session.as_ref().and_then(|s| s.follow_up).map(|f| f.due_ms);
            let salt = turn.chat as u64;
            // A check that cannot be read starts again, and the person is told.
            let input = if loaded.unreadable {
                Input::Begin
            } else {
                input.clone()
            };
            let script = self.script_for(session.as_ref(), &input);
            let mut step = engine::step_salted(script, session, input, turn.now_ms, salt);
            if loaded.unreadable {
                step.replies.insert(0, Reply::Notice(Notice::Unreadable));
            }
            let schedule: Vec<NewEntry> = self
                .schedule_follow_up(due_before, &mut step, turn)
                .into_iter()
                .collect();
            let outgoing = render(script, &step);
            let check = match &step.session {
                Some(session) => CheckWrite::Save {
                    record: ChatRecord {
                        session: session.clone(),
                    },
                    expected: loaded.rev,
                },
                None if stale || loaded.unreadable => CheckWrite::Delete,
                None => CheckWrite::Keep,
            };
            // Kept through a pending follow-up, then the usual idle time.
            let keep_ms = step
                .session
                .as_ref()
                .map_or(0, |s| s.keep_from_ms().saturating_sub(turn.now_ms));
            let commit = Commit {
                check,
                clear_outbox: changes.clear_outbox,
                group: changes.group.clone(),
                diary: changes.diary.clone(),
                outgoing,
                schedule,
                ttl_ms: self.ttl_ms.saturating_add(keep_ms),
                ..self.commit(turn)
            };
            match self.store.commit(commit).await? {
                Committed::Done => return Ok(Some(step)),
                Committed::AlreadyHandled => return Ok(None),
                Committed::Conflict => {
                    log::debug!("chat {}: another writer won; stepping again", turn.chat);
                }
            }
        }
        Err(StoreError::Conflict(format!(
            "{}: too many conflicting writes",
            crate::logging::chat(turn.chat)
        )))
    }

    /// Commits an entry whose handling does not step a check.
    pub async fn finish(&self, turn: Turn, effects: Effects) -> StoreResult<Committed> {
        let commit = Commit {
            check: if effects.forget {
                CheckWrite::Delete
            } else {
                CheckWrite::Keep
            },
            group: effects.group,
            diary: effects.diary,
            clear_outbox: effects.clear_outbox,
            outgoing: effects.outgoing,
            schedule: effects.schedule,
            ..self.commit(turn)
        };
        self.store.commit(commit).await
    }

    fn commit(&self, turn: Turn) -> Commit {
        Commit {
            ttl_ms: self.ttl_ms,
            now_ms: turn.now_ms,
            ..Commit::reply(turn.chat, turn.seq, Vec::new())
        }
    }
}
