//! Where each chat's check lives between updates: in memory, or in a SQLite
//! file (the default) so conversations survive restarts. A further backend
//! is one more module and one more [`Store`] variant.

mod memory;
mod redis;
mod sqlite;

use serde::{Deserialize, Serialize};

use crate::engine::Session;
pub use memory::MemoryStore;
pub use redis::RedisStore;
pub use sqlite::SqliteStore;

/// What the bot keeps per chat: the check, and which message shows its
/// current question (so an answer can be shown there and its buttons removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRecord {
    /// The check in progress or finished.
    pub session: Session,
    /// The message holding the current question's buttons.
    pub question_message: Option<QuestionMessage>,
    /// The last Telegram update applied to this chat.
    #[serde(default)]
    pub last_update: Option<u32>,
    /// The most recent update ids applied (at most [`RECENT_UPDATES`]): an
    /// update delivered again (after a crash, before it was confirmed) is
    /// recognised and skipped. A set, not "below the last id", because
    /// Telegram may restart its update ids after a quiet week.
    #[serde(default)]
    pub recent_updates: Vec<u32>,
    /// Whether the replies to `last_update` went out; if a crash came between
    /// saving and sending, a re-delivery shows the current question again.
    #[serde(default = "yes")]
    pub delivered: bool,
}

/// How many recent update ids a check remembers; far more than can be in
/// flight and unconfirmed for one chat.
pub const RECENT_UPDATES: usize = 16;

impl ChatRecord {
    /// Notes that update `id` was applied.
    pub fn remember(&mut self, id: u32) {
        self.last_update = Some(id);
        self.recent_updates.retain(|&seen| seen != id);
        self.recent_updates.push(id);
        let extra = self.recent_updates.len().saturating_sub(RECENT_UPDATES);
        self.recent_updates.drain(..extra);
    }
}

fn yes() -> bool {
    true
}

/// A stored record with the revision it was read at, for compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The record.
    pub record: ChatRecord,
    /// Bumped on every write; a write names the revision it read.
    pub rev: u64,
}

/// A sent question: its message id and the session turn it was asked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionMessage {
    /// Telegram message id.
    pub message_id: i32,
    /// Session turn of the question.
    pub turn: u32,
}

/// What a group admin chose in `/settings`, plus the tip schedule's progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSettings {
    /// Greet new members (off by default).
    pub welcome: bool,
    /// Post a stress tip at this rhythm (off by default).
    pub tips: Option<Rhythm>,
    /// Forum topic for welcomes and tips; `None` is General.
    pub topic: Option<i32>,
    /// The last tip slot posted (or skipped when tips were switched on).
    pub last_tip_slot: Option<u64>,
    /// How many tips were posted, to rotate through them.
    pub tips_posted: u64,
}

/// How often periodic tips come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rhythm {
    /// One a day (UTC days).
    Daily,
    /// One a week.
    Weekly,
}

impl Rhythm {
    /// The slot `now_ms` falls in: days or weeks since the Unix epoch.
    pub fn slot(self, now_ms: u64) -> u64 {
        let day = now_ms / 86_400_000;
        match self {
            Rhythm::Daily => day,
            Rhythm::Weekly => day / 7,
        }
    }
}

/// A storage failure, in words for the log (never holding answers).
#[derive(Debug, thiserror::Error)]
#[error("storage: {0}")]
pub struct StoreError(pub String);

/// The configured backend.
#[derive(Clone)]
pub enum Store {
    /// Lost on restart; for trying things out and benchmarks.
    Memory(MemoryStore),
    /// A SQLite file; survives restarts.
    Sqlite(SqliteStore),
    /// Redis, shared by several replicas; idle checks expire by themselves.
    Redis(RedisStore),
}

impl Store {
    /// The record of `chat` and its revision, unless none is kept or it has
    /// been idle past `ttl_ms` (an expired record is deleted on the way).
    pub async fn load(
        &self,
        chat: i64,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<Option<Stored>, StoreError> {
        let stored = match self {
            Store::Memory(s) => s.load(chat),
            Store::Sqlite(s) => s.load(chat).await?,
            Store::Redis(s) => s.load(chat).await?,
        };
        match stored {
            Some(s) if now_ms.saturating_sub(s.record.session.updated_ms) > ttl_ms => {
                self.delete(chat).await?;
                Ok(None)
            }
            other => Ok(other),
        }
    }

    /// Saves the record of `chat` if it is still at revision `expected` (0: none
    /// stored). Returns the new revision, or `None` when someone else wrote
    /// first: the caller reads again and retries. `ttl_ms` lets Redis expire it.
    pub async fn save_if(
        &self,
        chat: i64,
        record: &ChatRecord,
        expected: u64,
        ttl_ms: u64,
    ) -> Result<Option<u64>, StoreError> {
        match self {
            Store::Memory(s) => Ok(s.save_if(chat, record, expected)),
            Store::Sqlite(s) => s.save_if(chat, record, expected).await,
            Store::Redis(s) => s.save_if(chat, record, expected, ttl_ms).await,
        }
    }

    /// Deletes everything kept about `chat`.
    pub async fn delete(&self, chat: i64) -> Result<(), StoreError> {
        match self {
            Store::Memory(s) => {
                s.delete(chat);
                Ok(())
            }
            Store::Sqlite(s) => s.delete(chat).await,
            Store::Redis(s) => s.delete(chat).await,
        }
    }

    /// The settings of group `chat` (defaults when none are stored).
    pub async fn group(&self, chat: i64) -> Result<GroupSettings, StoreError> {
        let found = match self {
            Store::Memory(s) => s.group(chat),
            Store::Sqlite(s) => s.group(chat).await?,
            Store::Redis(s) => s.group(chat).await?,
        };
        Ok(found.unwrap_or_default())
    }

    /// Saves the settings of group `chat`.
    pub async fn save_group(&self, chat: i64, settings: &GroupSettings) -> Result<(), StoreError> {
        match self {
            Store::Memory(s) => {
                s.save_group(chat, settings);
                Ok(())
            }
            Store::Sqlite(s) => s.save_group(chat, settings).await,
            Store::Redis(s) => s.save_group(chat, settings).await,
        }
    }

    /// Forgets group `chat` (the bot was removed from it).
    pub async fn delete_group(&self, chat: i64) -> Result<(), StoreError> {
        match self {
            Store::Memory(s) => {
                s.delete_group(chat);
                Ok(())
            }
            Store::Sqlite(s) => s.delete_group(chat).await,
            Store::Redis(s) => s.delete_group(chat).await,
        }
    }

    /// Moves group settings to a new chat id (a group upgraded to a supergroup).
    pub async fn move_group(&self, from: i64, to: i64) -> Result<(), StoreError> {
        let settings = self.group(from).await?;
        self.save_group(to, &settings).await?;
        self.delete_group(from).await
    }

    /// Every group with periodic tips on.
    pub async fn groups_with_tips(&self) -> Result<Vec<(i64, GroupSettings)>, StoreError> {
        let all = match self {
            Store::Memory(s) => s.groups(),
            Store::Sqlite(s) => s.groups().await?,
            Store::Redis(s) => s.groups().await?,
        };
        Ok(all.into_iter().filter(|(_, g)| g.tips.is_some()).collect())
    }

    /// Claims the periodic-tip slot `slot` of group `chat`: true for exactly
    /// one caller, however many replicas ask.
    pub async fn claim_tip_slot(&self, chat: i64, slot: u64) -> Result<bool, StoreError> {
        match self {
            Store::Memory(s) => Ok(s.claim_tip_slot(chat, slot)),
            Store::Sqlite(s) => s.claim_tip_slot(chat, slot).await,
            Store::Redis(s) => s.claim_tip_slot(chat, slot).await,
        }
    }

    /// Deletes every record idle since before `cutoff_ms`; returns how many.
    /// (Redis expires them by itself.)
    pub async fn purge_idle(&self, cutoff_ms: u64) -> Result<usize, StoreError> {
        match self {
            Store::Memory(s) => Ok(s.purge_idle(cutoff_ms)),
            Store::Sqlite(s) => s.purge_idle(cutoff_ms).await,
            Store::Redis(_) => Ok(0),
        }
    }

    /// Whether the store answers (for `/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Store::Memory(_) => Ok(()),
            Store::Sqlite(s) => s.ping().await,
            Store::Redis(s) => s.ping().await,
        }
    }

    /// A short description for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Store::Memory(_) => "memory (lost on restart)".to_string(),
            Store::Sqlite(s) => format!("sqlite file {}", s.path().display()),
            Store::Redis(s) => s.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Position;

    #[test]
    fn recent_updates_are_a_bounded_set_not_a_high_water_mark() {
        let session = crate::engine::Session {
            id: 1,
            dialogue: "d".into(),
            version: "1.0".into(),
            turn: 0,
            position: Position::Asking { node: "n".into() },
            answers: Vec::new(),
            updated_ms: 0,
        };
        let mut record = ChatRecord {
            session,
            question_message: None,
            last_update: None,
            recent_updates: Vec::new(),
            delivered: true,
        };
        for id in 100..130 {
            record.remember(id);
        }
        // Telegram restarted its ids: a low id is new, not "already seen".
        assert!(!record.recent_updates.contains(&5));
        assert_eq!(record.recent_updates.len(), RECENT_UPDATES);
        assert!(record.recent_updates.contains(&129) && !record.recent_updates.contains(&100));
        record.remember(5);
        assert_eq!(record.last_update, Some(5));
    }
}
