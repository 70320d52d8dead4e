//! Records in a SQLite file (WAL mode), one row per chat, as JSON.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

use super::{ChatRecord, GroupSettings, StoreError, Stored};

/// A store in one SQLite file, shared by the bot's tasks.
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Arc<Mutex<Connection>>,
}

fn failed(what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| StoreError(format!("{what}: {e}"))
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError(format!("cannot create {}: {e}", dir.display())))?;
        }
        let connection = Connection::open(path).map_err(failed("cannot open the database"))?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS chats (
                     chat_id    INTEGER PRIMARY KEY,
                     updated_ms INTEGER NOT NULL,
                     record     TEXT NOT NULL,
                     rev        INTEGER NOT NULL DEFAULT 1
                 );
                 CREATE TABLE IF NOT EXISTS tip_slots (
                     chat_id INTEGER NOT NULL,
                     slot    INTEGER NOT NULL,
                     PRIMARY KEY (chat_id, slot)
                 );
                 CREATE INDEX IF NOT EXISTS chats_updated ON chats (updated_ms);
                 CREATE TABLE IF NOT EXISTS groups (
                     chat_id  INTEGER PRIMARY KEY,
                     settings TEXT NOT NULL
                 );",
            )
            .map_err(failed("cannot prepare the database"))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection off the async threads.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            let connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&connection)
        })
        .await
        .map_err(|e| StoreError(format!("storage task failed: {e}")))?
    }

    pub(super) async fn load(&self, chat: i64) -> Result<Option<Stored>, StoreError> {
        let row: Option<(String, i64)> = self
            .with(move |c| {
                c.prepare_cached("SELECT record, rev FROM chats WHERE chat_id = ?1")
                    .and_then(|mut s| {
                        s.query_row([chat], |row| Ok((row.get(0)?, row.get(1)?)))
                            .optional()
                    })
                    .map_err(failed("cannot read a chat"))
            })
            .await?;
        // A record this version cannot read is treated as absent: the user starts again.
        Ok(row.and_then(|(json, rev)| {
            let record = serde_json::from_str(&json).ok()?;
            Some(Stored {
                record,
                rev: u64::try_from(rev).unwrap_or(0),
            })
        }))
    }

    pub(super) async fn save_if(
        &self,
        chat: i64,
        record: &ChatRecord,
        expected: u64,
    ) -> Result<Option<u64>, StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError(e.to_string()))?;
        let updated = i64::try_from(record.session.updated_ms).unwrap_or(i64::MAX);
        let expected_i = i64::try_from(expected).unwrap_or(i64::MAX);
        let written = self
            .with(move |c| {
                // Prepared once per connection: these run twice per update.
                let changed = if expected == 0 {
                    c.prepare_cached(
                        "INSERT INTO chats (chat_id, updated_ms, record, rev) VALUES (?1, ?2, ?3, 1)
                         ON CONFLICT (chat_id) DO NOTHING",
                    )
                    .and_then(|mut s| s.execute(params![chat, updated, json]))
                } else {
                    c.prepare_cached(
                        "UPDATE chats SET updated_ms = ?2, record = ?3, rev = rev + 1
                         WHERE chat_id = ?1 AND rev = ?4",
                    )
                    .and_then(|mut s| s.execute(params![chat, updated, json, expected_i]))
                };
                changed.map_err(failed("cannot save a chat"))
            })
            .await?;
        Ok((written == 1).then_some(expected + 1))
    }

    pub(super) async fn claim_tip_slot(&self, chat: i64, slot: u64) -> Result<bool, StoreError> {
        let slot = i64::try_from(slot).unwrap_or(i64::MAX);
        let claimed = self
            .with(move |c| {
                c.execute(
                    "INSERT INTO tip_slots (chat_id, slot) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    params![chat, slot],
                )
                .map_err(failed("cannot claim a tip slot"))
            })
            .await?;
        Ok(claimed == 1)
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        self.with(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(failed("database does not answer"))
        })
        .await
    }

    pub(super) async fn delete(&self, chat: i64) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute("DELETE FROM chats WHERE chat_id = ?1", [chat])
                .map(drop)
                .map_err(failed("cannot delete a chat"))
        })
        .await
    }

    pub(super) async fn group(&self, chat: i64) -> Result<Option<GroupSettings>, StoreError> {
        let json: Option<String> = self
            .with(move |c| {
                c.query_row(
                    "SELECT settings FROM groups WHERE chat_id = ?1",
                    [chat],
                    |row| row.get(0),
                )
                .optional()
                .map_err(failed("cannot read group settings"))
            })
            .await?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub(super) async fn save_group(
        &self,
        chat: i64,
        settings: &GroupSettings,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(settings).map_err(|e| StoreError(e.to_string()))?;
        self.with(move |c| {
            c.execute(
                "INSERT INTO groups (chat_id, settings) VALUES (?1, ?2)
                 ON CONFLICT (chat_id) DO UPDATE SET settings = excluded.settings",
                params![chat, json],
            )
            .map(drop)
            .map_err(failed("cannot save group settings"))
        })
        .await
    }

    pub(super) async fn delete_group(&self, chat: i64) -> Result<(), StoreError> {
        self.with(move |c| {
            c.execute("DELETE FROM groups WHERE chat_id = ?1", [chat])
                .map(drop)
                .map_err(failed("cannot delete group settings"))
        })
        .await
    }

    pub(super) async fn groups(&self) -> Result<Vec<(i64, GroupSettings)>, StoreError> {
        self.with(|c| {
            let mut query = c
                .prepare("SELECT chat_id, settings FROM groups")
                .map_err(failed("cannot list groups"))?;
            let rows = query
                .query_map([], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(failed("cannot list groups"))?;
            let mut groups = Vec::new();
            for row in rows {
                let (chat, json) = row.map_err(failed("cannot list groups"))?;
                if let Ok(settings) = serde_json::from_str(&json) {
                    groups.push((chat, settings));
                }
            }
            Ok(groups)
        })
        .await
    }

    pub(super) async fn purge_idle(&self, cutoff_ms: u64) -> Result<usize, StoreError> {
        let cutoff = i64::try_from(cutoff_ms).unwrap_or(i64::MAX);
        self.with(move |c| {
            c.execute("DELETE FROM chats WHERE updated_ms < ?1", [cutoff])
                .map_err(failed("cannot purge old chats"))
        })
        .await
    }
}
