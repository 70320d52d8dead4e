//! Where the bot keeps what must survive a crash: each chat's inbox (updates
//! and timed events waiting to be handled), its check, its outbox (replies
//! waiting to be sent) and group settings.
//!
//! The five concerns are traits — [`Inbox`], [`Checks`], [`Outbox`],
//! [`Groups`], [`Diaries`] — plus [`Leases`] for replicas, implemented by memory, SQLite
//! (the default, with versioned migrations) and Redis (shared by replicas).
//! [`Store`] is the backend chosen at start-up. The one operation that spans
//! them, [`Checks::commit`], is atomic in every backend: the check, the
//! outbox entries, group changes, new timed events and the removal of the
//! inbox entry that caused them are written together or not at all.

mod error;
mod memory;
mod redis;
mod sqlite;

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::diary::Log;
use crate::engine::Session;
pub use crate::message::Outgoing;
use crate::message::{Incoming, MessageId};
pub use error::StoreError;
pub use memory::MemoryStore;
pub use redis::RedisStore;
pub use sqlite::SqliteStore;

/// Where a store that remembers no sequence number starts counting: the
/// time, in microseconds. Sequence numbers must not repeat across restarts,
/// even when every entry was handled and none is left to count on from:
/// Matrix transaction ids are made from them, and a homeserver takes a
/// reused one for a retry of the earlier message and drops the new one.
pub fn first_seq() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// How long update ids are remembered, so a re-delivery is not handled twice
/// (Telegram may restart its ids after a quiet week: longer would not help).
pub const REMEMBER_MS: u64 = 24 * 60 * 60 * 1000;

/// What the bot keeps per private chat: the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRecord {
    /// The check in progress or finished.
    pub session: Session,
}

/// A chat's check as read, with the revision for compare-and-set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loaded {
    /// The check; `None` when none is kept or it could not be read.
    pub record: Option<ChatRecord>,
    /// Bumped on every write; a commit names the revision it read (0: no row).
    pub rev: u64,
    /// A row exists but its JSON does not parse (an older or damaged record):
    /// the next write replaces it.
    pub unreadable: bool,
}

/// A sent question: its message id and the session turn it was asked on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionMessage {
    /// The platform's name for the message.
    pub message_id: MessageId,
    /// Session turn of the question.
    pub turn: u32,
}

/// Something a chat's worker handles, in order of arrival.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// An event from the chat, as its platform's edge decoded it.
    Incoming(Incoming),
    /// A Telegram update as the JSON Telegram sent, written by versions
    /// before [`Event::Incoming`]: still handled (the Telegram edge decodes
    /// it then), never written any more.
    #[serde(rename = "Update")]
    Legacy(Box<RawValue>),
    /// The chat sent more than the flood limit: tell it once.
    FloodNotice,
    /// Joins gathered in a group are due for one welcome.
    WelcomeDue,
    /// A group's periodic tip for `slot` is due.
    TipDue {
        /// Day or week number (see [`Rhythm::slot`]).
        slot: u64,
    },
    /// The platform said the chat is gone or the person blocked the bot
    /// (found by the sender).
    Blocked,
    /// A follow-up the person accepted is due (see `Session::follow_up`).
    FollowUpDue {
        /// The time it was set for, which tells it from a later one.
        due_ms: u64,
    },
    /// Stored in a form this version cannot read (a newer replica wrote it,
    /// or the row is damaged): skipped rather than blocking the chat.
    #[serde(skip)]
    Unreadable,
}

/// An event for the inbox, with the key that makes writing it idempotent.
#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Unique per event (`u:<update id>` for Telegram's updates); a key seen within
    /// [`REMEMBER_MS`] is not written again.
    pub key: String,
    /// The chat whose worker handles it.
    pub chat: i64,
    /// Not handled before this time (ms since the epoch); 0 for at once.
    pub not_before_ms: u64,
    /// What happened.
    pub event: Event,
}

/// An event waiting in a chat's inbox.
#[derive(Debug, Clone)]
pub struct InboxEntry {
    /// Order of arrival (increasing per store).
    pub seq: u64,
    /// The chat.
    pub chat: i64,
    /// Not handled before this time.
    pub not_before_ms: u64,
    /// What happened.
    pub event: Event,
}

/// What a chat's inbox holds now.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    /// The oldest entry that is due.
    pub due: Option<InboxEntry>,
    /// When the next entry that is not yet due becomes due.
    pub later_ms: Option<u64>,
}

/// An outbox entry: what to send, in order of `seq` per chat.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEntry {
    /// Order within the store.
    pub seq: u64,
    /// The chat it goes to.
    pub chat: i64,
    /// What to send.
    pub outgoing: Outgoing,
}

/// What a commit does to the chat's check.
// One is built per commit and moved into the store at once: boxing the
// check would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum CheckWrite {
    /// Leave it.
    Keep,
    /// Save this, if the stored revision is still `expected` (0: none stored).
    Save {
        /// The new check.
        record: ChatRecord,
        /// The revision it was computed from.
        expected: u64,
    },
    /// Delete the check, its question message and the chat's timed inbox
    /// entries (a follow-up still to come), nothing else (`/forget`).
    Delete,
}

/// What a commit does to group settings.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupWrite {
    /// Save the settings of the entry's chat.
    Save(GroupSettings),
    /// Forget the entry's chat (the bot was removed).
    Delete,
    /// The group became supergroup `to`: its settings move there.
    Move {
        /// The new chat id.
        to: i64,
    },
}

/// Everything one handled inbox entry changes, written atomically.
#[derive(Debug, Clone)]
pub struct Commit {
    /// The chat.
    pub chat: i64,
    /// The inbox entry handled (removed by the commit).
    pub seq: u64,
    /// The check.
    pub check: CheckWrite,
    /// Group settings, if they change.
    pub group: Option<GroupWrite>,
    /// Drop what waits in the chat's outbox before appending `outgoing`
    /// (replies to a flood would bury the notice about it).
    pub clear_outbox: bool,
    /// Replies, in order, appended to the chat's outbox.
    pub outgoing: Vec<Outgoing>,
    /// Timed events to add (idempotent by key, like updates).
    pub schedule: Vec<NewEntry>,
    /// Idle checks expire after this (Redis expires them by itself).
    pub ttl_ms: u64,
    /// Now, for the remembered keys of scheduled entries.
    pub now_ms: u64,
    /// The chat's diary, if it changes.
    pub diary: Option<DiaryWrite>,
}

/// What a commit does to the chat's diary.
#[derive(Debug, Clone, PartialEq)]
pub enum DiaryWrite {
    /// Save it; it is deleted `keep_ms` after its `touched_ms` (Redis expires
    /// it by itself, the others by [`Diaries::purge_diaries`]).
    Save {
        /// The whole diary.
        log: Log,
        /// Its retention.
        keep_ms: u64,
    },
    /// Delete it, leaving no copy behind (`/forget`, `/diary off`).
    Delete,
}

impl Commit {
    /// A commit that changes nothing but removes the entry and sends `outgoing`.
    pub fn reply(chat: i64, seq: u64, outgoing: Vec<Outgoing>) -> Commit {
        Commit {
            chat,
            seq,
            check: CheckWrite::Keep,
            group: None,
            clear_outbox: false,
            outgoing,
            schedule: Vec::new(),
            ttl_ms: 0,
            now_ms: 0,
            diary: None,
        }
    }
}

/// How a commit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Committed {
    /// Written.
    Done,
    /// The check changed since it was read: read again and retry.
    Conflict,
    /// The inbox entry was already handled (by another replica): nothing written.
    AlreadyHandled,
}

/// What an admin chose in `/settings`, plus the tip schedule's progress.
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
    /// First names of members who joined and wait for the next welcome.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waiting: Vec<String>,
    /// When the next welcome is due, if one is scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub welcome_due_ms: Option<u64>,
    /// The chat's language, chosen with `/language` (a person) or in
    /// `/settings` (a group's admins); `None` follows Telegram's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A person's twitch diary is on: logs are taken and the offer is not
    /// made again (the entries themselves are in [`Diaries`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub diary: bool,
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

/// Result of a store operation.
pub type StoreResult<T> = Result<T, StoreError>;

/// Durable intake: updates and timed events, written before Telegram is
/// told they arrived, handled per chat in order.
pub trait Inbox {
    /// Writes `entries` in one batch, skipping keys remembered since
    /// `now_ms - REMEMBER_MS`; returns the chats that got new entries.
    fn receive(
        &self,
        entries: Vec<NewEntry>,
        now_ms: u64,
    ) -> impl Future<Output = StoreResult<Vec<i64>>> + Send;
    /// The oldest due entry of `chat` and when the next one falls due.
    fn pending(&self, chat: i64, now_ms: u64) -> impl Future<Output = StoreResult<Pending>> + Send;
    /// Removes an entry without other effects (one that keeps failing).
    fn discard(&self, chat: i64, seq: u64) -> impl Future<Output = StoreResult<()>> + Send;
    /// Chats with an entry due by `now_ms` (start-up and sweeps).
    fn chats_due(&self, now_ms: u64) -> impl Future<Output = StoreResult<Vec<i64>>> + Send;
    /// Forgets keys remembered before `cutoff_ms`; returns how many.
    fn forget_keys(&self, cutoff_ms: u64) -> impl Future<Output = StoreResult<usize>> + Send;
}

/// Private chats' checks.
pub trait Checks {
    /// The check of `chat` as stored (expiry is the caller's business).
    fn load(&self, chat: i64) -> impl Future<Output = StoreResult<Loaded>> + Send;
    /// Applies one handled inbox entry atomically (see [`Commit`]).
    fn commit(&self, commit: Commit) -> impl Future<Output = StoreResult<Committed>> + Send;
    /// Deletes every check idle since before `cutoff_ms`; returns how many.
    fn purge_idle(&self, cutoff_ms: u64) -> impl Future<Output = StoreResult<usize>> + Send;
}

/// Replies waiting to be sent, per chat in order.
pub trait Outbox {
    /// The oldest entry of `chat`.
    fn head(&self, chat: i64) -> impl Future<Output = StoreResult<Option<OutboxEntry>>> + Send;
    /// Removes a sent (or skipped) entry; `question` records the message
    /// that now shows the chat's current question. Returns the chat's next
    /// entry, so a sender needs one store call per message.
    fn ack(
        &self,
        chat: i64,
        seq: u64,
        question: Option<QuestionMessage>,
    ) -> impl Future<Output = StoreResult<Option<OutboxEntry>>> + Send;
    /// Drops everything waiting for `chat` (it blocked the bot); returns how many.
    fn drop_chat(&self, chat: i64) -> impl Future<Output = StoreResult<usize>> + Send;
    /// Chats with entries waiting.
    fn chats_waiting(&self) -> impl Future<Output = StoreResult<Vec<i64>>> + Send;
    /// The message showing `chat`'s current question, if known.
    fn question_message(
        &self,
        chat: i64,
    ) -> impl Future<Output = StoreResult<Option<QuestionMessage>>> + Send;
}

/// Group settings.
pub trait Groups {
    /// The settings of group `chat` (defaults when none are stored).
    fn group(&self, chat: i64) -> impl Future<Output = StoreResult<GroupSettings>> + Send;
    /// Saves settings outside a commit (tests and tools).
    fn save_group(
        &self,
        chat: i64,
        settings: &GroupSettings,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Every group with periodic tips on.
    fn groups_with_tips(
        &self,
    ) -> impl Future<Output = StoreResult<Vec<(i64, GroupSettings)>>> + Send;
}

/// Twitch diaries, written by [`Checks::commit`] with the rest of an entry.
pub trait Diaries {
    /// The diary of `chat`, if one is kept (an unreadable one reads as none).
    fn diary(&self, chat: i64) -> impl Future<Output = StoreResult<Option<Log>>> + Send;
    /// Deletes every diary last touched before `cutoff_ms`; returns how many.
    fn purge_diaries(&self, cutoff_ms: u64) -> impl Future<Output = StoreResult<usize>> + Send;
}

/// Which replica works on a chat. A lane is `"in"` (handling the inbox) or
/// `"out"` (sending the outbox). Single-process stores grant every claim:
/// one process works on a chat at a time by its own bookkeeping.
pub trait Leases {
    /// Claims (or renews, for the same `owner`) `lane` of `chat` for `ttl_ms`.
    fn claim(
        &self,
        lane: &'static str,
        chat: i64,
        owner: &str,
        ttl_ms: u64,
    ) -> impl Future<Output = StoreResult<bool>> + Send;
    /// Gives a claim up, if `owner` still holds it.
    fn release(
        &self,
        lane: &'static str,
        chat: i64,
        owner: &str,
    ) -> impl Future<Output = StoreResult<()>> + Send;
    /// Reserves one message of the bot-wide budget shared by replicas
    /// (`per_second`, bursts of `burst`): how long to wait before sending.
    /// `None` when the store is not shared (pace in-process instead).
    fn reserve_global(
        &self,
        now_ms: u64,
        per_second: u32,
        burst: u32,
    ) -> impl Future<Output = StoreResult<Option<u64>>> + Send;
}

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

/// Calls the same method on whichever backend is configured.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Memory($s) => $call,
            Store::Sqlite($s) => $call,
            Store::Redis($s) => $call,
        }
    };
}

impl Inbox for Store {
    async fn receive(&self, entries: Vec<NewEntry>, now_ms: u64) -> StoreResult<Vec<i64>> {
        each!(self, s => s.receive(entries, now_ms).await)
    }
    async fn pending(&self, chat: i64, now_ms: u64) -> StoreResult<Pending> {
        each!(self, s => s.pending(chat, now_ms).await)
    }
    async fn discard(&self, chat: i64, seq: u64) -> StoreResult<()> {
        each!(self, s => s.discard(chat, seq).await)
    }
    async fn chats_due(&self, now_ms: u64) -> StoreResult<Vec<i64>> {
        each!(self, s => s.chats_due(now_ms).await)
    }
    async fn forget_keys(&self, cutoff_ms: u64) -> StoreResult<usize> {
        each!(self, s => s.forget_keys(cutoff_ms).await)
    }
}

impl Checks for Store {
    async fn load(&self, chat: i64) -> StoreResult<Loaded> {
        each!(self, s => s.load(chat).await)
    }
    async fn commit(&self, commit: Commit) -> StoreResult<Committed> {
        each!(self, s => s.commit(commit).await)
    }
    async fn purge_idle(&self, cutoff_ms: u64) -> StoreResult<usize> {
        each!(self, s => s.purge_idle(cutoff_ms).await)
    }
}

impl Outbox for Store {
    async fn head(&self, chat: i64) -> StoreResult<Option<OutboxEntry>> {
        each!(self, s => s.head(chat).await)
    }
    async fn ack(
        &self,
        chat: i64,
        seq: u64,
        question: Option<QuestionMessage>,
    ) -> StoreResult<Option<OutboxEntry>> {
        each!(self, s => s.ack(chat, seq, question).await)
    }
    async fn drop_chat(&self, chat: i64) -> StoreResult<usize> {
        each!(self, s => s.drop_chat(chat).await)
    }
    async fn chats_waiting(&self) -> StoreResult<Vec<i64>> {
        each!(self, s => s.chats_waiting().await)
    }
    async fn question_message(&self, chat: i64) -> StoreResult<Option<QuestionMessage>> {
        each!(self, s => s.question_message(chat).await)
    }
}

impl Groups for Store {
    async fn group(&self, chat: i64) -> StoreResult<GroupSettings> {
        each!(self, s => s.group(chat).await)
    }
    async fn save_group(&self, chat: i64, settings: &GroupSettings) -> StoreResult<()> {
        each!(self, s => s.save_group(chat, settings).await)
    }
    async fn groups_with_tips(&self) -> StoreResult<Vec<(i64, GroupSettings)>> {
        each!(self, s => s.groups_with_tips().await)
    }
}

impl Diaries for Store {
    async fn diary(&self, chat: i64) -> StoreResult<Option<Log>> {
        each!(self, s => s.diary(chat).await)
    }
    async fn purge_diaries(&self, cutoff_ms: u64) -> StoreResult<usize> {
        each!(self, s => s.purge_diaries(cutoff_ms).await)
    }
}

impl Leases for Store {
    async fn claim(
        &self,
        lane: &'static str,
        chat: i64,
        owner: &str,
        ttl_ms: u64,
    ) -> StoreResult<bool> {
        match self {
            Store::Redis(s) => s.claim(lane, chat, owner, ttl_ms).await,
            _ => Ok(true),
        }
    }
    async fn release(&self, lane: &'static str, chat: i64, owner: &str) -> StoreResult<()> {
        match self {
            Store::Redis(s) => s.release(lane, chat, owner).await,
            _ => Ok(()),
        }
    }
    async fn reserve_global(
        &self,
        now_ms: u64,
        per_second: u32,
        burst: u32,
    ) -> StoreResult<Option<u64>> {
        match self {
            Store::Redis(s) => s.reserve_global(now_ms, per_second, burst).await.map(Some),
            _ => Ok(None),
        }
    }
}

impl Store {
    /// Opens the configured store; an unreachable Redis is one clear error.
    pub async fn open(config: &crate::config::Config) -> StoreResult<Store> {
        use crate::config::Storage;
        Ok(match &config.storage {
            Storage::Memory => Store::Memory(MemoryStore::default()),
            Storage::Sqlite(path) => Store::Sqlite(SqliteStore::open(path)?),
            Storage::Redis(url) => {
                Store::Redis(RedisStore::open(url.expose(), &config.redis_prefix).await?)
            }
        })
    }

    /// Whether several processes may share it (leases and the global budget live in it).
    pub fn shared(&self) -> bool {
        matches!(self, Store::Redis(_))
    }

    /// Whether the store answers (for `/healthz`).
    pub async fn ping(&self) -> StoreResult<()> {
        match self {
            Store::Memory(_) => Ok(()),
            Store::Sqlite(s) => s.ping().await,
            Store::Redis(s) => s.ping().await,
        }
    }

    /// What kind of storage it is (`memory`, `sqlite`, `redis`), for people
    /// (/privacy words it from the catalog): no path, no address.
    pub fn kind(&self) -> &'static str {
        match self {
            Store::Memory(_) => "memory",
            Store::Sqlite(_) => "sqlite",
            Store::Redis(_) => "redis",
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

/// Reads a stored check; an unreadable one is reported, never its content.
fn parse_record(chat: i64, json: &str, rev: u64) -> Loaded {
    match serde_json::from_str(json) {
        Ok(record) => Loaded {
            record: Some(record),
            rev,
            unreadable: false,
        },
        Err(e) => {
            log::warn!(
                "the stored check of {} could not be read ({:?} at line {} column {}); it starts again",
                crate::logging::chat(chat),
                e.classify(),
                e.line(),
                e.column()
            );
            Loaded {
                record: None,
                rev,
                unreadable: true,
            }
        }
    }
}

/// A diary as stored; an unreadable one is reported (never its content)
/// and reads as none.
fn parse_diary(json: &str) -> Option<Log> {
    parse_or(json, "a diary", None)
}

/// Settings as stored; unreadable ones fall back to the defaults.
fn parse_group(json: Option<String>) -> GroupSettings {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

/// Stored JSON as a `T`, or `unreadable` when it does not parse (an entry
/// a newer replica wrote, or a damaged one): reported without its content,
/// and skipped rather than blocking the chat. `what` names it for the log.
fn parse_or<T: serde::de::DeserializeOwned>(json: &str, what: &str, unreadable: T) -> T {
    serde_json::from_str(json).unwrap_or_else(|e| {
        log::warn!(
            "{what} could not be read ({:?} at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        );
        unreadable
    })
}

/// An event from stored text; [`Event::Unreadable`] when it does not parse.
fn parse_event(json: &str) -> Event {
    parse_or(json, "an inbox entry", Event::Unreadable)
}

/// An outgoing message from stored text; [`Outgoing::Unreadable`] when it
/// does not parse.
fn parse_outgoing(json: &str) -> Outgoing {
    parse_or(json, "an outbox entry", Outgoing::Unreadable)
}
