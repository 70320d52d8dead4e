//! The application service between the transports and the engine and store:
//! one inbox entry is handled as one atomic store operation — read the
//! check, step the engine, save the check, append the rendered replies to
//! the chat's outbox and mark the entry done. So an update is applied
//! exactly once, and a crash leaves all of it or none of it.
//!
//! It knows no HTTP and no Telegram: replies are rendered by the caller's
//! `render`, which turns the engine's replies into outbox entries.

use crate::engine::{self, Input, Notice, Reply, Session, Step};
use crate::script::Script;
use crate::store::{
    ChatRecord, CheckWrite, Checks, Commit, Committed, GroupWrite, NewEntry, Outgoing, Store,
    StoreError, StoreResult,
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

/// How the service runs checks.
pub struct Conversation<'a> {
    /// The dialogue.
    pub script: &'a Script,
    /// Where checks, inboxes and outboxes are.
    pub store: &'a Store,
    /// Idle checks older than this are gone.
    pub ttl_ms: u64,
}

impl Conversation<'_> {
    /// The chat's check unless none is kept or it expired.
    pub async fn current(&self, chat: i64, now_ms: u64) -> StoreResult<Option<Session>> {
        let loaded = self.store.load(chat).await?;
        Ok(loaded
            .record
            .map(|r| r.session)
            .filter(|s| !self.expired(s, now_ms)))
    }

    fn expired(&self, session: &Session, now_ms: u64) -> bool {
        now_ms.saturating_sub(session.updated_ms) > self.ttl_ms
    }

    /// Applies `input` to the chat's check and commits the step with its
    /// rendered replies (after dropping what waits in the outbox, with
    /// `clear_outbox`). `None` when another worker handled the entry first.
    pub async fn step(
        &self,
        turn: Turn,
        input: Input,
        clear_outbox: bool,
        render: impl Fn(&Step) -> Vec<Outgoing>,
    ) -> StoreResult<Option<Step>> {
        for _ in 0..CONFLICT_RETRIES {
            let loaded = self.store.load(turn.chat).await?;
            let stale = loaded
                .record
                .as_ref()
                .is_some_and(|r| self.expired(&r.session, turn.now_ms));
            let session = loaded.record.map(|r| r.session).filter(|_| !stale);
            let salt = turn.chat as u64;
            // A check that cannot be read starts again, and the person is told.
            let input = if loaded.unreadable {
                Input::Begin
            } else {
                input.clone()
            };
            let mut step = engine::step_salted(self.script, session, input, turn.now_ms, salt);
            if loaded.unreadable {
                step.replies.insert(0, Reply::Notice(Notice::Unreadable));
            }
            let outgoing = render(&step);
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
            let commit = Commit {
                check,
                clear_outbox,
                outgoing,
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
        Err(StoreError(format!(
            "chat {}: too many conflicting writes",
            turn.chat
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
