//! Everything in Redis, shared by several replicas. Every operation that
//! changes more than one key is one Lua script, so it is atomic.
//!
//! Keys (all under `<prefix>:`):
//! - `seq`: the counter numbering inbox and outbox entries;
//! - `seen:<key>`: a remembered entry key (expires after [`REMEMBER_MS`]);
//! - `inbox:<chat>`: hash, seq -> `<not_before>|<event json>`;
//! - `inbox_chats`: sorted set of chats with inbox entries, scored by their
//!   earliest `not_before`;
//! - `chat:<chat>`: hash (`rev`, `data`), the check; expires with the
//!   session TTL; writes are compare-and-set on `rev`;
//! - `question:<chat>`: hash (`turn`, `message_id`), expiring with the check;
//! - `outbox:<chat>`: list of `<seq>|<outgoing json>` in order of seq;
//! - `outbox_chats`: set of chats with outbox entries;
//! - `group:<chat>`: settings JSON; `groups`: set of chats with settings;
//! - `diary:<chat>`: the diary JSON, expiring its retention after the last entry;
//! - `lease:<lane>:<chat>`: which replica works on a chat;
//! - `pace`: the bot-wide message budget (GCRA).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::error::encode;
use super::{
    CheckWrite, Checks, Commit, Committed, Diaries, DiaryWrite, GroupSettings, GroupWrite, Groups,
    Inbox, InboxEntry, Loaded, NewEntry, Outbox, OutboxEntry, Pending, QuestionMessage,
    REMEMBER_MS, StoreError, StoreResult, first_seq, parse_diary, parse_event, parse_group,
    parse_outgoing, parse_record,
};
use crate::diary::Log;
use crate::message::MessageId;

// The scripts, each in its own file that says what it does, its KEYS and
// its ARGV.
/// Lua functions shared by the scripts that touch the inbox, prepended to them.
const INBOX_LIB: &str = include_str!("inbox_lib.lua");
/// `receive`.
const RECEIVE: &str = include_str!("receive.lua");
/// `discard`.
const DISCARD: &str = include_str!("discard.lua");
/// `commit`.
const COMMIT: &str = include_str!("commit.lua");
/// `ack`.
const ACK: &str = include_str!("ack.lua");
/// `claim`.
const CLAIM: &str = include_str!("claim.lua");
/// `release`.
const RELEASE: &str = include_str!("release.lua");
/// `reserve_global`.
const RESERVE: &str = include_str!("reserve.lua");

/// The scripts, loaded on first use (`EVALSHA`, falling back to `SCRIPT LOAD`).
struct Scripts {
    receive: redis::Script,
    discard: redis::Script,
    commit: redis::Script,
    ack: redis::Script,
    claim: redis::Script,
    release: redis::Script,
    reserve: redis::Script,
}

impl Scripts {
    fn new() -> Scripts {
        let inbox = |body: &str| redis::Script::new(&format!("{INBOX_LIB}{body}"));
        Scripts {
            receive: inbox(RECEIVE),
            discard: inbox(DISCARD),
            commit: inbox(COMMIT),
            ack: redis::Script::new(ACK),
            claim: redis::Script::new(CLAIM),
            release: redis::Script::new(RELEASE),
            reserve: redis::Script::new(RESERVE),
        }
    }
}

/// A store in Redis.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    url: String,
    scripts: Arc<Scripts>,
}

/// A Redis error met while doing `what`, by kind.
fn failed(what: &str) -> impl Fn(redis::RedisError) -> StoreError + '_ {
    move |e| classify(&format!("redis: {what}"), &e)
}

/// What kind of failure a Redis error is. The client's own type and parse
/// errors quote the value they could not convert (a stored check, say), so
/// they are told by their category alone; the rest keep the client's or the
/// server's words, which name no values.
fn classify(what: &str, e: &redis::RedisError) -> StoreError {
    use redis::{ErrorKind as K, RetryMethod};
    let said = || format!("{what}: {e}");
    match (e.kind(), e.code()) {
        (K::Parse | K::UnexpectedReturnType, _) => {
            StoreError::Unreadable(format!("{what}: {}", e.category()))
        }
        // A key holding another kind of value than this version writes there.
        (_, Some("WRONGTYPE")) => StoreError::Unreadable(said()),
        (K::AuthenticationFailed | K::InvalidClientConfig, _)
        | (_, Some("NOAUTH" | "WRONGPASS" | "NOPERM")) => StoreError::Setup(said()),
        // A script running too long, memory full: the server recovers.
        (_, Some("BUSY" | "OOM")) => StoreError::Unavailable(said()),
        // The client's own judgement: refused, dropped or timed-out
        // connections, a server loading its data or failing over are worth
        // another try; what it would not retry is permanent.
        _ => match e.retry_method() {
            // A socket or TLS set-up that cannot work (permission denied).
            RetryMethod::NoRetry if e.is_io_error() => StoreError::Setup(said()),
            RetryMethod::NoRetry => StoreError::Refused(said()),
            _ => StoreError::Unavailable(said()),
        },
    }
}

/// An outbox entry from its stored `<seq>|<json>`.
fn outbox_entry(chat: i64, value: &str) -> StoreResult<OutboxEntry> {
    let (seq, json) = split_entry(value, "an outbox entry")?;
    Ok(OutboxEntry {
        seq,
        chat,
        outgoing: parse_outgoing(json),
    })
}

/// Splits a stored `<number>|<json>` value.
fn split_entry<'a>(value: &'a str, what: &str) -> StoreResult<(u64, &'a str)> {
    value
        .split_once('|')
        .and_then(|(n, json)| Some((n.parse().ok()?, json)))
        .ok_or_else(|| StoreError::Unreadable(format!("redis: {what} is not in the expected form")))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); keys start with `prefix:`.
    pub async fn open(url: &str, prefix: &str) -> StoreResult<RedisStore> {
        let shown = redact(url);
        let client = redis::Client::open(url)
            .map_err(|e| StoreError::Setup(format!("redis URL {shown} is not valid: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(3)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let unreachable = format!("cannot reach redis at {shown}");
        let mut connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| classify(&unreachable, &e))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut connection)
            .await
            .map_err(|e| classify(&unreachable, &e))?;
        // A Redis that holds no count yet starts from the time, not from 1
        // (see `first_seq`); one that holds it counts on.
        let _: Option<String> = redis::cmd("SET")
            .arg(format!("{prefix}:seq"))
            .arg(first_seq())
            .arg("NX")
            .query_async(&mut connection)
            .await
            .map_err(|e| classify(&unreachable, &e))?;
        Ok(RedisStore {
            connection,
            prefix: prefix.to_string(),
            url: shown,
            scripts: Arc::new(Scripts::new()),
        })
    }

    /// A short description for the start-up log (no password).
    pub fn describe(&self) -> String {
        format!("redis {} (keys `{}:*`)", self.url, self.prefix)
    }

    fn key(&self, what: &str) -> String {
        format!("{}:{what}", self.prefix)
    }

    fn chat_key(&self, chat: i64) -> String {
        format!("{}:chat:{chat}", self.prefix)
    }

    fn question_key(&self, chat: i64) -> String {
        format!("{}:question:{chat}", self.prefix)
    }

    fn inbox_key(&self, chat: i64) -> String {
        format!("{}:inbox:{chat}", self.prefix)
    }

    fn outbox_key(&self, chat: i64) -> String {
        format!("{}:outbox:{chat}", self.prefix)
    }

    fn group_key(&self, chat: i64) -> String {
        format!("{}:group:{chat}", self.prefix)
    }

    fn diary_key(&self, chat: i64) -> String {
        format!("{}:diary:{chat}", self.prefix)
    }

    fn seen_key(&self, key: &str) -> String {
        format!("{}:seen:{key}", self.prefix)
    }

    fn lease_key(&self, lane: &str, chat: i64) -> String {
        format!("{}:lease:{lane}:{chat}", self.prefix)
    }

    /// Adds the keys and arguments of new inbox entries to a script call
    /// (`add_entry` in [`INBOX_LIB`]).
    fn entry_args(
        &self,
        entries: &[NewEntry],
        keys: &mut Vec<String>,
        args: &mut Vec<String>,
    ) -> StoreResult<()> {
        for entry in entries {
            keys.push(self.seen_key(&entry.key));
            keys.push(self.inbox_key(entry.chat));
            args.push(entry.chat.to_string());
            args.push(entry.not_before_ms.to_string());
            args.push(encode(&entry.event, "an event")?);
        }
        Ok(())
    }

    /// Two fields of the hash at `key` (`None` where missing); `what` says
    /// what is being done, for the log.
    async fn fields<T: redis::FromRedisValue>(
        &self,
        key: String,
        names: [&str; 2],
        what: &str,
    ) -> StoreResult<T> {
        let mut c = self.connection.clone();
        redis::cmd("HMGET")
            .arg(key)
            .arg(&names[..])
            .query_async(&mut c)
            .await
            .map_err(failed(what))
    }

    /// Claims (or renews, for the same `owner`) `lane` of `chat` for `ttl_ms`.
    pub(super) async fn claim(
        &self,
        lane: &'static str,
        chat: i64,
        owner: &str,
        ttl_ms: u64,
    ) -> StoreResult<bool> {
        let mut c = self.connection.clone();
        let held: i64 = self
            .scripts
            .claim
            .key(self.lease_key(lane, chat))
            .arg(owner)
            .arg(ttl_ms.max(1))
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot claim a chat"))?;
        Ok(held == 1)
    }

    /// Gives a claim up, if `owner` still holds it.
    pub(super) async fn release(
        &self,
        lane: &'static str,
        chat: i64,
        owner: &str,
    ) -> StoreResult<()> {
        let mut c = self.connection.clone();
        let _: () = self
            .scripts
            .release
            .key(self.lease_key(lane, chat))
            .arg(owner)
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot release a chat"))?;
        Ok(())
    }

    /// Reserves one message of the budget shared by all replicas (at most
    /// `per_second`, bursts of `burst`): how many ms to wait before sending it.
    pub(super) async fn reserve_global(
        &self,
        now_ms: u64,
        per_second: u32,
        burst: u32,
    ) -> StoreResult<u64> {
        let interval_us = 1_000_000_u64.div_ceil(u64::from(per_second.max(1)));
        let mut c = self.connection.clone();
        let wait: i64 = self
            .scripts
            .reserve
            .key(self.key("pace"))
            .arg(now_ms.saturating_mul(1000))
            .arg(interval_us)
            .arg(burst.max(1))
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot reserve a message"))?;
        Ok(u64::try_from(wait).unwrap_or(0))
    }

    pub(super) async fn ping(&self) -> StoreResult<()> {
        let mut c = self.connection.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut c)
            .await
            .map_err(failed("no answer"))?;
        Ok(())
    }
}

impl Inbox for RedisStore {
    async fn receive(&self, entries: Vec<NewEntry>, _now_ms: u64) -> StoreResult<Vec<i64>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut keys = vec![self.key("seq"), self.key("inbox_chats")];
        let mut args = vec![REMEMBER_MS.to_string()];
        self.entry_args(&entries, &mut keys, &mut args)?;
        let mut call = self.scripts.receive.prepare_invoke();
        call.key(keys).arg(args);
        let mut c = self.connection.clone();
        call.invoke_async(&mut c)
            .await
            .map_err(failed("cannot write to the inbox"))
    }

    async fn pending(&self, chat: i64, now_ms: u64) -> StoreResult<Pending> {
        let mut c = self.connection.clone();
        // Read as text and parsed here: the client's own parse errors quote values.
        let entries: HashMap<String, String> = c
            .hgetall(self.inbox_key(chat))
            .await
            .map_err(failed("cannot read the inbox"))?;
        let mut due: Option<(u64, u64, &str)> = None;
        let mut later_ms: Option<u64> = None;
        for (seq, value) in &entries {
            let seq: u64 = seq.parse().map_err(|_| {
                StoreError::Unreadable("redis: an inbox entry has no number".to_string())
            })?;
            let (not_before, json) = split_entry(value, "an inbox entry")?;
            if not_before <= now_ms {
                if due.is_none_or(|(first, _, _)| seq < first) {
                    due = Some((seq, not_before, json));
                }
            } else {
                later_ms = Some(later_ms.map_or(not_before, |t| t.min(not_before)));
            }
        }
        let due = due.map(|(seq, not_before_ms, json)| InboxEntry {
            seq,
            chat,
            not_before_ms,
            event: parse_event(json),
        });
        Ok(Pending { due, later_ms })
    }

    async fn discard(&self, chat: i64, seq: u64) -> StoreResult<()> {
        let mut c = self.connection.clone();
        let _: () = self
            .scripts
            .discard
            .key(self.inbox_key(chat))
            .key(self.key("inbox_chats"))
            .arg(chat)
            .arg(seq)
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot discard an inbox entry"))?;
        Ok(())
    }

    async fn chats_due(&self, now_ms: u64) -> StoreResult<Vec<i64>> {
        let mut c = self.connection.clone();
        c.zrangebyscore(self.key("inbox_chats"), "-inf", now_ms)
            .await
            .map_err(failed("cannot list the inbox"))
    }

    /// Remembered keys expire by themselves.
    async fn forget_keys(&self, _cutoff_ms: u64) -> StoreResult<usize> {
        Ok(0)
    }
}

impl Checks for RedisStore {
    async fn load(&self, chat: i64) -> StoreResult<Loaded> {
        let (rev, data): (Option<u64>, Option<String>) = self
            .fields(self.chat_key(chat), ["rev", "data"], "cannot read a chat")
            .await?;
        Ok(match (rev, data) {
            (rev, Some(json)) => parse_record(chat, &json, rev.unwrap_or(0)),
            (Some(rev), None) => Loaded {
                record: None,
                rev,
                unreadable: true,
            },
            (None, None) => Loaded::default(),
        })
    }

    async fn commit(&self, commit: Commit) -> StoreResult<Committed> {
        let chat = commit.chat;
        let (check, expected, record) = match &commit.check {
            CheckWrite::Keep => ("keep", 0, String::new()),
            CheckWrite::Delete => ("delete", 0, String::new()),
            CheckWrite::Save { record, expected } => {
                ("save", *expected, encode(record, "a check")?)
            }
        };
        let group_json = |settings: &GroupSettings| encode(settings, "group settings");
        let (group, settings, to) = match &commit.group {
            None => ("", String::new(), chat),
            Some(GroupWrite::Save(settings)) => ("save", group_json(settings)?, chat),
            Some(GroupWrite::Delete) => ("delete", String::new(), chat),
            Some(GroupWrite::Move { to }) => ("move", group_json(&GroupSettings::default())?, *to),
        };
        let mut keys = vec![
            self.inbox_key(chat),
            self.key("inbox_chats"),
            self.chat_key(chat),
            self.question_key(chat),
            self.key("seq"),
            self.outbox_key(chat),
            self.key("outbox_chats"),
            self.group_key(chat),
            self.key("groups"),
            self.group_key(to),
            self.diary_key(chat),
        ];
        let mut args = vec![
            chat.to_string(),
            commit.seq.to_string(),
            check.to_string(),
            expected.to_string(),
            record,
            commit.ttl_ms.max(1).to_string(),
            group.to_string(),
            settings,
            to.to_string(),
            REMEMBER_MS.to_string(),
            commit.outgoing.len().to_string(),
        ];
        for outgoing in &commit.outgoing {
            args.push(encode(outgoing, "a reply")?);
        }
        self.entry_args(&commit.schedule, &mut keys, &mut args)?;
        // Counted from the end, so the positions above stay as they are.
        match &commit.diary {
            None => args.extend([String::new(), String::new(), String::new()]),
            // Past its retention already: gone rather than written.
            Some(DiaryWrite::Save { log, keep_ms })
                if log.touched_ms.saturating_add(*keep_ms) <= commit.now_ms =>
            {
                args.extend(["delete".to_string(), String::new(), String::new()])
            }
            Some(DiaryWrite::Save { log, keep_ms }) => {
                // Expiry counts from the last entry, not from this write.
                let left = log
                    .touched_ms
                    .saturating_add(*keep_ms)
                    .saturating_sub(commit.now_ms);
                args.extend([
                    "save".to_string(),
                    encode(log, "a diary")?,
                    left.to_string(),
                ]);
            }
            Some(DiaryWrite::Delete) => {
                args.extend(["delete".to_string(), String::new(), String::new()])
            }
        }
        args.push(if commit.clear_outbox { "clear" } else { "keep" }.to_string());
        let mut call = self.scripts.commit.prepare_invoke();
        call.key(keys).arg(args);
        let mut c = self.connection.clone();
        let outcome: String = call
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot commit"))?;
        match outcome.as_str() {
            "done" => Ok(Committed::Done),
            "conflict" => Ok(Committed::Conflict),
            "handled" => Ok(Committed::AlreadyHandled),
            // Not a failure of the store: an answer this version cannot read.
            _ => Err(StoreError::Unreadable(
                "redis: the commit script gave an unknown answer".to_string(),
            )),
        }
    }

    /// Checks expire by themselves.
    async fn purge_idle(&self, _cutoff_ms: u64) -> StoreResult<usize> {
        Ok(0)
    }
}

impl Diaries for RedisStore {
    async fn diary(&self, chat: i64) -> StoreResult<Option<Log>> {
        let mut c = self.connection.clone();
        let json: Option<String> = c
            .get(self.diary_key(chat))
            .await
            .map_err(failed("cannot read a diary"))?;
        Ok(json.as_deref().and_then(parse_diary))
    }

    /// Diaries expire by themselves.
    async fn purge_diaries(&self, _cutoff_ms: u64) -> StoreResult<usize> {
        Ok(0)
    }
}

impl Outbox for RedisStore {
    async fn head(&self, chat: i64) -> StoreResult<Option<OutboxEntry>> {
        let mut c = self.connection.clone();
        let first: Option<String> = c
            .lindex(self.outbox_key(chat), 0)
            .await
            .map_err(failed("cannot read the outbox"))?;
        first.map(|value| outbox_entry(chat, &value)).transpose()
    }

    async fn ack(
        &self,
        chat: i64,
        seq: u64,
        question: Option<QuestionMessage>,
    ) -> StoreResult<Option<OutboxEntry>> {
        let (turn, message_id) = match question {
            Some(q) => (q.turn.to_string(), q.message_id.to_string()),
            None => (String::new(), String::new()),
        };
        let mut c = self.connection.clone();
        let next: Option<String> = self
            .scripts
            .ack
            .key(self.outbox_key(chat))
            .key(self.key("outbox_chats"))
            .key(self.question_key(chat))
            .key(self.chat_key(chat))
            .arg(chat)
            .arg(seq)
            .arg(turn)
            .arg(message_id)
            .arg(REMEMBER_MS)
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot remove a sent message"))?;
        next.map(|value| outbox_entry(chat, &value)).transpose()
    }

    async fn drop_chat(&self, chat: i64) -> StoreResult<usize> {
        let key = self.outbox_key(chat);
        let mut c = self.connection.clone();
        let (dropped,): (usize,) = redis::pipe()
            .atomic()
            .llen(&key)
            .del(&key)
            .ignore()
            .srem(self.key("outbox_chats"), chat)
            .ignore()
            .query_async(&mut c)
            .await
            .map_err(failed("cannot drop a chat's outbox"))?;
        Ok(dropped)
    }

    async fn chats_waiting(&self) -> StoreResult<Vec<i64>> {
        let mut c = self.connection.clone();
        c.smembers(self.key("outbox_chats"))
            .await
            .map_err(failed("cannot list the outbox"))
    }

    async fn question_message(&self, chat: i64) -> StoreResult<Option<QuestionMessage>> {
        let (turn, message_id): (Option<u32>, Option<String>) = self
            .fields(
                self.question_key(chat),
                ["turn", "message_id"],
                "cannot read a question message",
            )
            .await?;
        Ok(turn
            .zip(message_id)
            .map(|(turn, message_id)| QuestionMessage {
                message_id: MessageId(message_id),
                turn,
            }))
    }
}

impl Groups for RedisStore {
    async fn group(&self, chat: i64) -> StoreResult<GroupSettings> {
        let mut c = self.connection.clone();
        let json: Option<String> = c
            .get(self.group_key(chat))
            .await
            .map_err(failed("cannot read group settings"))?;
        Ok(parse_group(json))
    }

    async fn save_group(&self, chat: i64, settings: &GroupSettings) -> StoreResult<()> {
        let json = encode(settings, "group settings")?;
        let mut c = self.connection.clone();
        let _: () = redis::pipe()
            .atomic()
            .set(self.group_key(chat), json)
            .ignore()
            .sadd(self.key("groups"), chat)
            .ignore()
            .query_async(&mut c)
            .await
            .map_err(failed("cannot save group settings"))?;
        Ok(())
    }

    async fn groups_with_tips(&self) -> StoreResult<Vec<(i64, GroupSettings)>> {
        let mut c = self.connection.clone();
        let chats: Vec<i64> = c
            .smembers(self.key("groups"))
            .await
            .map_err(failed("cannot list groups"))?;
        if chats.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = chats.iter().map(|&chat| self.group_key(chat)).collect();
        let settings: Vec<Option<String>> = redis::cmd("MGET")
            .arg(keys)
            .query_async(&mut c)
            .await
            .map_err(failed("cannot read group settings"))?;
        Ok(chats
            .into_iter()
            .zip(settings)
            .map(|(chat, json)| (chat, parse_group(json)))
            .filter(|(_, g)| g.tips.is_some())
            .collect())
    }
}

/// Where the server is, for logs and errors: host, port and database only.
/// A user name may be a token and a password is one, so neither is shown,
/// and a URL that does not parse is not shown at all.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}://{}:{}{}",
            parsed.scheme(),
            parsed.host_str().unwrap_or("?"),
            parsed.port().unwrap_or(6379),
            parsed.path()
        ),
        Err(_) => "(a Redis URL that does not parse)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(e: redis::RedisError) -> StoreError {
        failed("testing")(e)
    }

    #[tokio::test]
    async fn a_server_that_is_down_is_transient() {
        // Nothing listens on port 1.
        let Err(e) = redis::Client::open("redis://127.0.0.1:1/0")
            .unwrap()
            .get_multiplexed_async_connection()
            .await
        else {
            panic!("no server")
        };
        let e = sorted(e);
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        assert!(e.is_transient());
    }

    #[tokio::test]
    async fn a_store_that_cannot_reach_its_server_says_so_and_is_transient() {
        let Err(e) = RedisStore::open("redis://127.0.0.1:1/0", "t").await else {
            panic!("no server")
        };
        assert!(e.is_transient(), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("storage: cannot reach redis at redis://127.0.0.1:1/0"),
            "{e}"
        );
    }

    #[test]
    fn dropped_and_timed_out_connections_are_transient() {
        for kind in [
            std::io::ErrorKind::ConnectionReset,
            std::io::ErrorKind::TimedOut,
        ] {
            let e = sorted(std::io::Error::from(kind).into());
            assert!(matches!(e, StoreError::Unavailable(_)), "{kind:?}: {e:?}");
        }
        let e = sorted(redis::make_extension_error(
            "BUSY".into(),
            Some("a script runs".into()),
        ));
        assert!(e.is_transient(), "{e:?}");
    }

    #[test]
    fn a_value_of_another_type_is_unreadable_and_not_quoted() {
        let value = redis::Value::BulkString(b"my secret answer".to_vec());
        let parsing = <u64 as redis::FromRedisValue>::from_redis_value(value).unwrap_err();
        assert!(
            parsing.to_string().contains("secret"),
            "the client quotes it"
        );
        let e = sorted(parsing.into());
        assert!(matches!(e, StoreError::Unreadable(_)), "{e:?}");
        assert!(!e.is_transient());
        assert!(!e.to_string().contains("secret"), "{e}");
        let e = sorted(redis::make_extension_error(
            "WRONGTYPE".into(),
            Some("Operation against a key holding the wrong kind of value".into()),
        ));
        assert!(matches!(e, StoreError::Unreadable(_)), "{e:?}");
    }

    #[test]
    fn a_refused_password_is_setup_and_a_script_error_is_refused() {
        let e = sorted((redis::ErrorKind::AuthenticationFailed, "password refused").into());
        assert!(matches!(e, StoreError::Setup(_)), "{e:?}");
        let e = sorted(redis::make_extension_error("NOAUTH".into(), None));
        assert!(matches!(e, StoreError::Setup(_)), "{e:?}");
        let e = sorted(redis::make_extension_error(
            "ERR".into(),
            Some("user_script:1".into()),
        ));
        assert!(matches!(e, StoreError::Refused(_)), "{e:?}");
        assert!(!e.is_transient());
    }

    #[test]
    fn an_entry_not_in_the_stored_form_is_unreadable() {
        let e = outbox_entry(1, "no separator").unwrap_err();
        assert!(matches!(e, StoreError::Unreadable(_)), "{e:?}");
    }

    #[test]
    fn every_script_says_what_it_does_and_its_keys_and_argv() {
        for script in [RECEIVE, DISCARD, COMMIT, ACK, CLAIM, RELEASE, RESERVE] {
            let header: String = script.lines().take_while(|l| l.starts_with("--")).collect();
            assert!(
                header.contains("KEYS:") && header.contains("ARGV:"),
                "{script}"
            );
        }
        assert!(INBOX_LIB.starts_with("--"));
    }
}
