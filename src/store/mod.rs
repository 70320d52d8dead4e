//! Where each chat's check lives between updates: in memory, or in a SQLite
//! file (the default) so conversations survive restarts. A further backend
//! is one more module and one more [`Store`] variant.

mod memory;
mod sqlite;

use serde::{Deserialize, Serialize};

use crate::engine::Session;
pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

/// What the bot keeps per chat: the check, and which message shows its
/// current question (so an answer can be shown there and its buttons removed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRecord {
    /// The check in progress or finished.
    pub session: Session,
    /// The message holding the current question's buttons.
    pub question_message: Option<QuestionMessage>,
    /// The last Telegram update applied to this chat: a re-delivered update
    /// (after a crash, before it was confirmed) is recognised and skipped.
    #[serde(default)]
    pub last_update: Option<u32>,
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
}

impl Store {
    /// The record of `chat`, unless none is kept or it has been idle past `ttl_ms`
    /// (an expired record is deleted on the way).
    pub async fn load(
        &self,
        chat: i64,
        now_ms: u64,
        ttl_ms: u64,
    ) -> Result<Option<ChatRecord>, StoreError> {
        let record = match self {
            Store::Memory(s) => s.load(chat),
            Store::Sqlite(s) => s.load(chat).await?,
        };
        match record {
            Some(r) if now_ms.saturating_sub(r.session.updated_ms) > ttl_ms => {
                self.delete(chat).await?;
                Ok(None)
            }
            other => Ok(other),
        }
    }

    /// Saves the record of `chat`, replacing any earlier one.
    pub async fn save(&self, chat: i64, record: &ChatRecord) -> Result<(), StoreError> {
        match self {
            Store::Memory(s) => {
                s.save(chat, record);
                Ok(())
            }
            Store::Sqlite(s) => s.save(chat, record).await,
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
        }
    }

    /// The settings of group `chat` (defaults when none are stored).
    pub async fn group(&self, chat: i64) -> Result<GroupSettings, StoreError> {
        let found = match self {
            Store::Memory(s) => s.group(chat),
            Store::Sqlite(s) => s.group(chat).await?,
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
        };
        Ok(all.into_iter().filter(|(_, g)| g.tips.is_some()).collect())
    }

    /// Deletes every record idle since before `cutoff_ms`; returns how many.
    pub async fn purge_idle(&self, cutoff_ms: u64) -> Result<usize, StoreError> {
        match self {
            Store::Memory(s) => Ok(s.purge_idle(cutoff_ms)),
            Store::Sqlite(s) => s.purge_idle(cutoff_ms).await,
        }
    }

    /// A short description for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Store::Memory(_) => "memory (lost on restart)".to_string(),
            Store::Sqlite(s) => format!("sqlite file {}", s.path().display()),
        }
    }
}
