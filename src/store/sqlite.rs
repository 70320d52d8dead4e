//! Everything in one SQLite file (WAL mode): checks as JSON rows, the inbox,
//! the outbox, remembered update keys, group settings and diaries. The schema is
//! versioned (`user_version`, applied by `rusqlite_migration`): a database
//! written by an older version is upgraded in place and keeps its checks.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};

use super::error::{encode, io_failed};
use super::{
    CheckWrite, Checks, Commit, Committed, Diaries, DiaryWrite, GroupSettings, GroupWrite, Groups,
    Inbox, InboxEntry, Loaded, NewEntry, Outbox, OutboxEntry, Pending, QuestionMessage,
    REMEMBER_MS, StoreError, StoreResult, first_seq, parse_diary, parse_event, parse_group,
    parse_outgoing, parse_record,
};
use crate::diary::Log;
use crate::message::MessageId;

/// The schema, one step per version. Never edit a step that has shipped:
/// add one.
const MIGRATIONS: &[M<'static>] = &[
    // 1: the schema as it was before versions were kept (hence IF NOT EXISTS:
    // an old database already has it).
    M::up(
        "CREATE TABLE IF NOT EXISTS chats (
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
    ),
    // 2: durable inbox and outbox, clustered by chat (every step reads and
    // writes one chat's entries; no secondary index to keep, so a commit
    // dirties few pages). Sequence numbers come from the store's counter.
    // The question message moves out of the check (the sender records it
    // without touching the check); tip slots are claimed through the inbox's
    // remembered keys instead. Idle checks are found by a scan every few
    // minutes, cheaper than an index written on every step.
    M::up(
        "CREATE TABLE inbox (
             chat_id    INTEGER NOT NULL,
             seq        INTEGER NOT NULL,
             not_before INTEGER NOT NULL,
             event      TEXT NOT NULL,
             PRIMARY KEY (chat_id, seq)
         ) WITHOUT ROWID;
         CREATE TABLE seen_keys (
             key     TEXT PRIMARY KEY,
             seen_ms INTEGER NOT NULL
         ) WITHOUT ROWID;
         CREATE INDEX seen_keys_age ON seen_keys (seen_ms);
         CREATE TABLE outbox (
             chat_id INTEGER NOT NULL,
             seq     INTEGER NOT NULL,
             message TEXT NOT NULL,
             PRIMARY KEY (chat_id, seq)
         ) WITHOUT ROWID;
         CREATE TABLE question_messages (
             chat_id    INTEGER PRIMARY KEY,
             turn       INTEGER NOT NULL,
             message_id INTEGER NOT NULL
         );
         INSERT INTO question_messages (chat_id, turn, message_id)
             SELECT chat_id, json_extract(record, '$.question_message.turn'),
                    json_extract(record, '$.question_message.message_id')
             FROM chats
             WHERE json_extract(record, '$.question_message.message_id') IS NOT NULL;
         DROP TABLE tip_slots;
         DROP INDEX IF EXISTS chats_updated;",
    ),
    // 3: twitch diaries, one row per chat; `touched_ms` is when an entry was
    // last added, which retention counts from (a scan finds old ones).
    M::up(
        "CREATE TABLE diaries (
             chat_id    INTEGER PRIMARY KEY,
             touched_ms INTEGER NOT NULL,
             log        TEXT NOT NULL
         );",
    ),
];

/// A store in one SQLite file, shared by the bot's tasks (one process:
/// several replicas need Redis).
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Arc<Mutex<Connection>>,
    /// The last sequence number given to an inbox or outbox entry; only
    /// ever grows, so entries keep their order across restarts.
    last_seq: Arc<AtomicU64>,
}

/// A SQLite error met while doing `what`, by kind.
fn failed(what: &str) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |e| kind_of(&e)(format!("{what}: {e}"))
}

/// What kind of failure a SQLite error is. Its words (kept in the reason)
/// name tables, columns and types, never stored text: at most a number that
/// does not fit its type.
fn kind_of(e: &rusqlite::Error) -> fn(String) -> StoreError {
    use rusqlite::Error as E;
    use rusqlite::ErrorCode as C;
    match e {
        E::SqliteFailure(failure, _) => match failure.code {
            // Another connection holds a lock (past the busy timeout), the
            // disk or memory is short, a read or write failed.
            C::DatabaseBusy
            | C::DatabaseLocked
            | C::FileLockingProtocolFailed
            | C::SystemIoFailure
            | C::DiskFull
            | C::OutOfMemory
            | C::OperationInterrupted
            | C::OperationAborted
            | C::SchemaChanged => StoreError::Unavailable,
            C::DatabaseCorrupt | C::NotADatabase => StoreError::Unreadable,
            C::CannotOpen
            | C::ReadOnly
            | C::PermissionDenied
            | C::AuthorizationForStatementDenied
            | C::NoLargeFileSupport => StoreError::Setup,
            // A constraint, a statement or a value SQLite rejects.
            _ => StoreError::Refused,
        },
        // A column holds what this version does not write there.
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::InvalidColumnType(..)
        | E::Utf8Error(_) => StoreError::Unreadable,
        E::ToSqlConversionFailure(_) => StoreError::Encoding,
        _ => StoreError::Refused,
    }
}

/// A u64 as SQLite's signed integer (saturating: times and counters never get there).
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl SqliteStore {
    /// Opens (creating it and its folder if needed) the database at `path`
    /// and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| io_failed(&format!("cannot create {}", dir.display()), &e))?;
        }
        owner_only(path)?;
        let mut connection = Connection::open(path).map_err(failed("cannot open the database"))?;
        // Room for every statement this store runs (19; rusqlite keeps 16).
        connection.set_prepared_statement_cache_capacity(32);
        // secure_delete: deleted answers are overwritten, not left in free pages.
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA secure_delete = ON;
                 PRAGMA busy_timeout = 5000;",
            )
            .map_err(failed("cannot prepare the database"))?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut connection)
            .map_err(|e| {
                // A failing statement is sorted as any other; the rest (a
                // database from a newer version, a damaged version number)
                // is the file's state.
                let kind = match &e {
                    rusqlite_migration::Error::RusqliteError { err, .. } => kind_of(err),
                    _ => StoreError::Setup,
                };
                kind(format!("cannot upgrade the database schema: {e}"))
            })?;
        let last_seq: i64 = connection
            .query_row(
                "SELECT MAX(IFNULL((SELECT MAX(seq) FROM inbox), 0),
                            IFNULL((SELECT MAX(seq) FROM outbox), 0))",
                [],
                |r| r.get(0),
            )
            .map_err(failed("cannot read the last sequence number"))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            connection: Arc::new(Mutex::new(connection)),
            last_seq: Arc::new(AtomicU64::new((last_seq.max(0) as u64).max(first_seq()))),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection, in place. Each statement takes tens of
    /// microseconds (WAL, no fsync per commit); handing it to a blocking
    /// thread cost more than the work itself (about 3x the CPU per update,
    /// measured), so it runs on the calling task and holds the lock briefly.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        work(&connection)
    }

    /// Runs `work` in one transaction, committed when it returns `Ok`.
    async fn transaction<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.with(move |c| {
            let tx = Tx::begin(c)?;
            let value = work(&tx)?;
            tx.commit()?;
            Ok(value)
        })
        .await
    }

    pub(super) async fn ping(&self) -> StoreResult<()> {
        self.with(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(failed("database does not answer"))
        })
        .await
    }
}

/// A transaction on the connection (deferred, as rusqlite's), rolled back
/// when dropped before [`Tx::commit`]. Its `BEGIN`, `COMMIT` and `ROLLBACK`
/// come from the statement cache: rusqlite's `Transaction` parses them anew
/// each time (callgrind, SQLite store: 7.3 parses and about 5k of 817k
/// instructions per update).
struct Tx<'c>(&'c Connection);

impl<'c> Tx<'c> {
    fn begin(c: &'c Connection) -> StoreResult<Tx<'c>> {
        run(c, "BEGIN").map_err(failed("cannot begin a transaction"))?;
        Ok(Tx(c))
    }

    /// Commits; a failed commit is rolled back when `self` drops.
    fn commit(self) -> StoreResult<()> {
        run(self.0, "COMMIT").map_err(failed("cannot commit"))
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.0
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if !self.0.is_autocommit() {
            // As rusqlite's: nothing more to do if even this fails.
            let _ = run(self.0, "ROLLBACK");
        }
    }
}

/// Runs `sql`, a statement without parameters, from the statement cache.
fn run(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(drop)
}

/// Every row `sql` gives for `params`, each read by `read`; `what` says what
/// was being done, for the log.
fn select<T>(
    c: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    read: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    what: &str,
) -> StoreResult<Vec<T>> {
    c.prepare_cached(sql)
        .and_then(|mut query| query.query_map(params, read)?.collect())
        .map_err(failed(what))
}

/// Remembers `key` unless it was seen since `cutoff`; true when it is new.
fn remember(tx: &Connection, key: &str, now_ms: u64) -> StoreResult<bool> {
    let cutoff = int(now_ms.saturating_sub(REMEMBER_MS));
    let changed = tx
        .prepare_cached(
            "INSERT INTO seen_keys (key, seen_ms) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET seen_ms = excluded.seen_ms WHERE seen_ms < ?3",
        )
        .and_then(|mut s| s.execute(params![key, int(now_ms), cutoff]))
        .map_err(failed("cannot remember an update"))?;
    Ok(changed == 1)
}

/// Remembers and writes entries that are new; returns their chats.
fn insert_entries(
    tx: &Connection,
    entries: &[NewEntry],
    now_ms: u64,
    seq: &AtomicU64,
) -> StoreResult<Vec<i64>> {
    let mut chats = Vec::new();
    for entry in entries {
        if !remember(tx, &entry.key, now_ms)? {
            continue;
        }
        let event = encode(&entry.event, "an event")?;
        let seq = int(seq.fetch_add(1, Ordering::Relaxed) + 1);
        tx.prepare_cached(
            "INSERT INTO inbox (chat_id, seq, not_before, event) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| s.execute(params![entry.chat, seq, int(entry.not_before_ms), event]))
        .map_err(failed("cannot write to the inbox"))?;
        if !chats.contains(&entry.chat) {
            chats.push(entry.chat);
        }
    }
    Ok(chats)
}

/// Creates the database file readable and writable by its owner only, or
/// makes an existing one so; SQLite gives its WAL and shared-memory files the
/// database's permissions.
fn owner_only(path: &Path) -> StoreResult<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let denied = |e: std::io::Error| io_failed(&format!("cannot secure {}", path.display()), &e);
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)
        .map_err(denied)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(denied)
}

/// Moves everything in the WAL into the database and empties it, so the
/// pages that held deleted answers are gone from the WAL too.
fn checkpoint(c: &Connection) -> StoreResult<()> {
    c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .map_err(failed("cannot checkpoint the WAL"))
}

/// Writes the check part of a commit; false when the revision moved on.
fn write_check(tx: &Connection, chat: i64, check: &CheckWrite) -> StoreResult<bool> {
    match check {
        CheckWrite::Keep => Ok(true),
        CheckWrite::Delete => {
            // Timed entries (a follow-up still to come) go with the check.
            tx.execute("DELETE FROM chats WHERE chat_id = ?1", [chat])
                .and_then(|_| {
                    tx.execute("DELETE FROM question_messages WHERE chat_id = ?1", [chat])
                })
                .and_then(|_| {
                    tx.execute(
                        "DELETE FROM inbox WHERE chat_id = ?1 AND not_before > 0",
                        [chat],
                    )
                })
                .map_err(failed("cannot delete a chat"))?;
            Ok(true)
        }
        CheckWrite::Save { record, expected } => {
            let json = encode(record, "a check")?;
            // Expiry counts from here: a pending follow-up keeps the check.
            let updated = int(record.session.keep_from_ms());
            let changed = if *expected == 0 {
                tx.prepare_cached(
                    "INSERT INTO chats (chat_id, updated_ms, record, rev) VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT (chat_id) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![chat, updated, json]))
            } else {
                tx.prepare_cached(
                    "UPDATE chats SET updated_ms = ?2, record = ?3, rev = rev + 1
                     WHERE chat_id = ?1 AND rev = ?4",
                )
                .and_then(|mut s| s.execute(params![chat, updated, json, int(*expected)]))
            };
            Ok(changed.map_err(failed("cannot save a chat"))? == 1)
        }
    }
}

fn write_group(tx: &Connection, chat: i64, group: &GroupWrite) -> StoreResult<()> {
    let save = |chat: i64, settings: &GroupSettings| -> StoreResult<()> {
        let json = encode(settings, "group settings")?;
        tx.execute(
            "INSERT INTO groups (chat_id, settings) VALUES (?1, ?2)
             ON CONFLICT (chat_id) DO UPDATE SET settings = excluded.settings",
            params![chat, json],
        )
        .map(drop)
        .map_err(failed("cannot save group settings"))
    };
    let delete = |chat: i64| -> StoreResult<()> {
        tx.execute("DELETE FROM groups WHERE chat_id = ?1", [chat])
            .map(drop)
            .map_err(failed("cannot delete group settings"))
    };
    match group {
        GroupWrite::Save(settings) => save(chat, settings),
        GroupWrite::Delete => delete(chat),
        GroupWrite::Move { to } if *to == chat => Ok(()),
        GroupWrite::Move { to } => {
            let settings = parse_group(read_group(tx, chat)?);
            save(*to, &settings)?;
            delete(chat)
        }
    }
}

/// Saves (`Some((touched_ms, json))`) or deletes (`None`) the chat's diary.
fn write_diary(tx: &Connection, chat: i64, diary: &Option<(i64, String)>) -> StoreResult<()> {
    match diary {
        Some((touched, json)) => tx
            .prepare_cached(
                "INSERT INTO diaries (chat_id, touched_ms, log) VALUES (?1, ?2, ?3)
                 ON CONFLICT (chat_id) DO UPDATE SET touched_ms = excluded.touched_ms, log = excluded.log",
            )
            .and_then(|mut s| s.execute(params![chat, touched, json])),
        None => tx.execute("DELETE FROM diaries WHERE chat_id = ?1", [chat]),
    }
    .map(drop)
    .map_err(failed("cannot write a diary"))
}

fn read_group(c: &Connection, chat: i64) -> StoreResult<Option<String>> {
    c.prepare_cached("SELECT settings FROM groups WHERE chat_id = ?1")
        .and_then(|mut s| s.query_row([chat], |row| row.get(0)).optional())
        .map_err(failed("cannot read group settings"))
}

/// The chat's oldest outbox entry.
fn first_out(c: &Connection, chat: i64) -> StoreResult<Option<OutboxEntry>> {
    let row: Option<(i64, String)> = c
        .prepare_cached("SELECT seq, message FROM outbox WHERE chat_id = ?1 ORDER BY seq LIMIT 1")
        .and_then(|mut s| {
            s.query_row([chat], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(failed("cannot read the outbox"))?;
    match row {
        Some((seq, json)) => Ok(Some(OutboxEntry {
            seq: seq as u64,
            chat,
            outgoing: parse_outgoing(&json),
        })),
        None => Ok(None),
    }
}

impl Inbox for SqliteStore {
    async fn receive(&self, entries: Vec<NewEntry>, now_ms: u64) -> StoreResult<Vec<i64>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let seq = Arc::clone(&self.last_seq);
        self.transaction(move |tx| insert_entries(tx, &entries, now_ms, &seq))
            .await
    }

    async fn pending(&self, chat: i64, now_ms: u64) -> StoreResult<Pending> {
        // A chat's inbox holds a few entries at most: one query reads them
        // in order, and the first due one is parsed.
        let rows: Vec<(i64, i64, String)> = self
            .with(move |c| {
                select(
                    c,
                    "SELECT seq, not_before, event FROM inbox WHERE chat_id = ?1 ORDER BY seq",
                    [chat],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    "cannot read the inbox",
                )
            })
            .await?;
        let mut pending = Pending::default();
        for (seq, not_before, json) in rows {
            let not_before_ms = not_before.max(0) as u64;
            if not_before_ms > now_ms {
                pending.later_ms = Some(
                    pending
                        .later_ms
                        .map_or(not_before_ms, |t| t.min(not_before_ms)),
                );
            } else if pending.due.is_none() {
                pending.due = Some(InboxEntry {
                    seq: seq as u64,
                    chat,
                    not_before_ms,
                    event: parse_event(&json),
                });
            }
        }
        Ok(pending)
    }

    async fn discard(&self, chat: i64, seq: u64) -> StoreResult<()> {
        self.with(move |c| {
            c.execute(
                "DELETE FROM inbox WHERE chat_id = ?1 AND seq = ?2",
                params![chat, int(seq)],
            )
            .map(drop)
            .map_err(failed("cannot discard an inbox entry"))
        })
        .await
    }

    async fn chats_due(&self, now_ms: u64) -> StoreResult<Vec<i64>> {
        self.with(move |c| {
            select(
                c,
                "SELECT DISTINCT chat_id FROM inbox WHERE not_before <= ?1",
                [int(now_ms)],
                |r| r.get(0),
                "cannot list the inbox",
            )
        })
        .await
    }

    async fn forget_keys(&self, cutoff_ms: u64) -> StoreResult<usize> {
        self.with(move |c| {
            c.execute("DELETE FROM seen_keys WHERE seen_ms < ?1", [int(cutoff_ms)])
                .map_err(failed("cannot forget old update ids"))
        })
        .await
    }
}

impl Checks for SqliteStore {
    async fn load(&self, chat: i64) -> StoreResult<Loaded> {
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
        Ok(match row {
            Some((json, rev)) => parse_record(chat, &json, rev.max(0) as u64),
            None => Loaded::default(),
        })
    }

    async fn commit(&self, commit: Commit) -> StoreResult<Committed> {
        let messages = commit
            .outgoing
            .iter()
            .map(|outgoing| encode(outgoing, "a reply"))
            .collect::<StoreResult<Vec<_>>>()?;
        let diary = match &commit.diary {
            Some(DiaryWrite::Save { log, .. }) => {
                Some(Some((int(log.touched_ms), encode(log, "a diary")?)))
            }
            Some(DiaryWrite::Delete) => Some(None),
            None => None,
        };
        let seq = Arc::clone(&self.last_seq);
        self.with(move |c| {
            let tx = Tx::begin(c)?;
            let removed = tx
                .prepare_cached("DELETE FROM inbox WHERE chat_id = ?1 AND seq = ?2")
                .and_then(|mut s| s.execute(params![commit.chat, int(commit.seq)]))
                .map_err(failed("cannot mark an inbox entry done"))?;
            if removed == 0 {
                return Ok(Committed::AlreadyHandled);
            }
            if !write_check(&tx, commit.chat, &commit.check)? {
                // Dropping the transaction rolls the removal back.
                return Ok(Committed::Conflict);
            }
            if let Some(group) = &commit.group {
                write_group(&tx, commit.chat, group)?;
            }
            if let Some(diary) = &diary {
                write_diary(&tx, commit.chat, diary)?;
            }
            if commit.clear_outbox {
                tx.execute("DELETE FROM outbox WHERE chat_id = ?1", [commit.chat])
                    .map_err(failed("cannot clear the outbox"))?;
            }
            for message in &messages {
                let next = int(seq.fetch_add(1, Ordering::Relaxed) + 1);
                tx.prepare_cached("INSERT INTO outbox (chat_id, seq, message) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![commit.chat, next, message]))
                    .map_err(failed("cannot write to the outbox"))?;
            }
            insert_entries(&tx, &commit.schedule, commit.now_ms, &seq)?;
            tx.commit()?;
            if matches!(commit.check, CheckWrite::Delete)
                || matches!(commit.diary, Some(DiaryWrite::Delete))
            {
                checkpoint(c)?;
            }
            Ok(Committed::Done)
        })
        .await
    }

    async fn purge_idle(&self, cutoff_ms: u64) -> StoreResult<usize> {
        let purged = self.transaction(move |tx| {
            tx.execute("DELETE FROM chats WHERE updated_ms < ?1", [int(cutoff_ms)])
                .and_then(|purged| {
                    // With their checks go their question messages (and any
                    // recorded after a check was deleted).
                    tx.execute(
                        "DELETE FROM question_messages WHERE chat_id NOT IN (SELECT chat_id FROM chats)",
                        [],
                    )?;
                    Ok(purged)
                })
            .map_err(failed("cannot purge old chats"))
        })
        .await?;
        if purged > 0 {
            self.with(checkpoint).await?;
        }
        Ok(purged)
    }
}

impl Diaries for SqliteStore {
    async fn diary(&self, chat: i64) -> StoreResult<Option<Log>> {
        let json: Option<String> = self
            .with(move |c| {
                c.prepare_cached("SELECT log FROM diaries WHERE chat_id = ?1")
                    .and_then(|mut s| s.query_row([chat], |row| row.get(0)).optional())
                    .map_err(failed("cannot read a diary"))
            })
            .await?;
        Ok(json.as_deref().and_then(parse_diary))
    }

    async fn purge_diaries(&self, cutoff_ms: u64) -> StoreResult<usize> {
        let purged = self
            .with(move |c| {
                c.execute(
                    "DELETE FROM diaries WHERE touched_ms < ?1",
                    [int(cutoff_ms)],
                )
                .map_err(failed("cannot purge old diaries"))
            })
            .await?;
        if purged > 0 {
            self.with(checkpoint).await?;
        }
        Ok(purged)
    }
}

impl Outbox for SqliteStore {
    async fn head(&self, chat: i64) -> StoreResult<Option<OutboxEntry>> {
        self.with(move |c| first_out(c, chat)).await
    }

    async fn ack(
        &self,
        chat: i64,
        seq: u64,
        question: Option<QuestionMessage>,
    ) -> StoreResult<Option<OutboxEntry>> {
        self.transaction(move |tx| {
            tx.prepare_cached("DELETE FROM outbox WHERE chat_id = ?1 AND seq = ?2")
                .and_then(|mut s| s.execute(params![chat, int(seq)]))
                .map_err(failed("cannot remove a sent message"))?;
            if let Some(q) = question {
                tx.prepare_cached(
                    "INSERT INTO question_messages (chat_id, turn, message_id) VALUES (?1, ?2, ?3)
                     ON CONFLICT (chat_id) DO UPDATE SET turn = excluded.turn,
                         message_id = excluded.message_id",
                )
                .and_then(|mut s| s.execute(params![chat, q.turn, q.message_id.0]))
                .map_err(failed("cannot record a question message"))?;
            }
            first_out(tx, chat)
        })
        .await
    }

    async fn drop_chat(&self, chat: i64) -> StoreResult<usize> {
        self.with(move |c| {
            c.execute("DELETE FROM outbox WHERE chat_id = ?1", [chat])
                .map_err(failed("cannot drop a chat's outbox"))
        })
        .await
    }

    async fn chats_waiting(&self) -> StoreResult<Vec<i64>> {
        self.with(|c| {
            select(
                c,
                "SELECT DISTINCT chat_id FROM outbox",
                [],
                |r| r.get(0),
                "cannot list the outbox",
            )
        })
        .await
    }

    async fn question_message(&self, chat: i64) -> StoreResult<Option<QuestionMessage>> {
        self.with(move |c| {
            c.prepare_cached("SELECT turn, message_id FROM question_messages WHERE chat_id = ?1")
                .and_then(|mut s| {
                    s.query_row([chat], |r| {
                        // Telegram's numbers were stored as integers.
                        let id = match r.get::<_, rusqlite::types::Value>(1)? {
                            rusqlite::types::Value::Integer(n) => n.to_string(),
                            rusqlite::types::Value::Text(text) => text,
                            _ => String::new(),
                        };
                        Ok(QuestionMessage {
                            turn: r.get(0)?,
                            message_id: MessageId(id),
                        })
                    })
                    .optional()
                })
                .map_err(failed("cannot read a question message"))
        })
        .await
    }
}

impl Groups for SqliteStore {
    async fn group(&self, chat: i64) -> StoreResult<GroupSettings> {
        let json = self.with(move |c| read_group(c, chat)).await?;
        Ok(parse_group(json))
    }

    async fn save_group(&self, chat: i64, settings: &GroupSettings) -> StoreResult<()> {
        let write = GroupWrite::Save(settings.clone());
        self.with(move |c| write_group(c, chat, &write)).await
    }

    async fn groups_with_tips(&self) -> StoreResult<Vec<(i64, GroupSettings)>> {
        let rows: Vec<(i64, String)> = self
            .with(|c| {
                select(
                    c,
                    "SELECT chat_id, settings FROM groups WHERE chat_id < 0",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                    "cannot list groups",
                )
            })
            .await?;
        Ok(rows
            .into_iter()
            .map(|(chat, json)| (chat, parse_group(Some(json))))
            .filter(|(_, g)| g.tips.is_some())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A store in a fresh folder, and a second connection of the test's own
    /// to its file.
    fn store() -> (tempfile::TempDir, SqliteStore, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("x.sqlite")).unwrap();
        let other = Connection::open(store.path()).unwrap();
        (dir, store, other)
    }

    fn sort(result: rusqlite::Result<impl Sized>) -> StoreError {
        let Err(e) = result else { panic!("an error") };
        failed("testing")(e)
    }

    #[test]
    fn a_transaction_dropped_before_its_commit_is_rolled_back() {
        let (_dir, store, other) = store();
        let c = store.connection.lock().unwrap();
        let insert = "INSERT INTO groups (chat_id, settings) VALUES (?1, '{}')";
        let tx = Tx::begin(&c).unwrap();
        tx.execute(insert, [-1]).unwrap();
        drop(tx);
        assert!(c.is_autocommit());
        let tx = Tx::begin(&c).unwrap();
        tx.execute(insert, [-2]).unwrap();
        tx.commit().unwrap();
        let kept: Vec<i64> =
            select(&other, "SELECT chat_id FROM groups", [], |r| r.get(0), "x").unwrap();
        assert_eq!(kept, [-2]);
    }

    #[test]
    fn a_database_locked_by_another_writer_is_transient() {
        let (_dir, store, other) = store();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        let mine = Connection::open(store.path()).unwrap();
        mine.busy_timeout(std::time::Duration::ZERO).unwrap();
        let e = sort(mine.execute("DELETE FROM seen_keys", []));
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        assert!(e.is_transient());
    }

    #[test]
    fn a_file_that_is_not_a_database_is_unreadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sqlite");
        std::fs::write(&path, [7u8; 4096]).unwrap();
        let Err(e) = SqliteStore::open(&path) else {
            panic!("not a database")
        };
        assert!(matches!(e, StoreError::Unreadable(_)), "{e:?}");
        assert!(!e.is_transient());
    }

    #[test]
    fn a_value_of_another_type_is_unreadable_and_not_quoted() {
        let (_dir, _store, other) = store();
        other
            .execute("INSERT INTO groups VALUES (-1, 'my secret answer')", [])
            .unwrap();
        let e = sort(other.query_row("SELECT settings FROM groups", [], |r| r.get::<_, i64>(0)));
        assert!(matches!(e, StoreError::Unreadable(_)), "{e:?}");
        assert!(!e.is_transient());
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn a_statement_the_database_refuses_is_permanent() {
        let (_dir, _store, other) = store();
        let insert = "INSERT INTO groups (chat_id, settings) VALUES (-1, '{}')";
        other.execute(insert, []).unwrap();
        let e = sort(other.execute(insert, []));
        assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
        let e = sort(other.execute("SELECT nothing FROM nowhere", []));
        assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
        assert!(!e.is_transient());
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_setup() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let Err(e) = SqliteStore::open(&file.join("x.sqlite")) else {
            panic!("a file as folder")
        };
        assert!(matches!(e, StoreError::Setup(_)), "{e:?}");
        assert!(!e.is_transient());
    }
}
