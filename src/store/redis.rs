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
//! - `lease:<lane>:<chat>`: which replica works on a chat;
//! - `pace`: the bot-wide message budget (GCRA).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{
    CheckWrite, Checks, Commit, Committed, GroupSettings, GroupWrite, Groups, Inbox, InboxEntry,
    Loaded, NewEntry, Outbox, OutboxEntry, Pending, QuestionMessage, REMEMBER_MS, StoreError,
    StoreResult, event_json, outgoing_json, parse_event, parse_group, parse_outgoing, parse_record,
};

/// Lua functions shared by the scripts that touch the inbox.
const INBOX_LIB: &str = r"
-- Writes one inbox entry unless its key is remembered; true when written.
local function add_entry(seq_key, index_key, seen_key, inbox_key, chat, not_before, event, remember_ms)
  if not redis.call('SET', seen_key, '1', 'NX', 'PX', remember_ms) then
    return false
  end
  local seq = redis.call('INCR', seq_key)
  redis.call('HSET', inbox_key, string.format('%d', seq), not_before .. '|' .. event)
  redis.call('ZADD', index_key, 'LT', not_before, chat)
  return true
end

-- Scores the chat in the index by its earliest entry, or removes it.
local function reindex(inbox_key, index_key, chat)
  local earliest, shown = nil, nil
  for _, value in ipairs(redis.call('HVALS', inbox_key)) do
    local at = string.match(value, '^(%d+)|')
    local n = tonumber(at)
    if n ~= nil and (earliest == nil or n < earliest) then
      earliest, shown = n, at
    end
  end
  if shown == nil then
    redis.call('ZREM', index_key, chat)
  else
    redis.call('ZADD', index_key, shown, chat)
  end
end
";

/// `receive`. KEYS: seq, index, then per entry its seen key and inbox key.
/// ARGV: remember ms, then per entry chat, not_before, event.
/// Returns the distinct chats that got entries.
const RECEIVE: &str = r"
local chats, listed = {}, {}
for i = 1, (#KEYS - 2) / 2 do
  local chat = ARGV[3 * i - 1]
  local added = add_entry(KEYS[1], KEYS[2], KEYS[2 * i + 1], KEYS[2 * i + 2],
    chat, ARGV[3 * i], ARGV[3 * i + 1], ARGV[1])
  if added and not listed[chat] then
    listed[chat] = true
    chats[#chats + 1] = chat
  end
end
return chats
";

/// `discard`. KEYS: inbox, index. ARGV: chat, seq.
const DISCARD: &str = r"
if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then
  reindex(KEYS[1], KEYS[2], ARGV[1])
end
return 1
";

/// `commit`. KEYS: 1 inbox, 2 index, 3 check, 4 question, 5 seq, 6 outbox,
/// 7 outbox chats, 8 group, 9 groups, 10 group moved to, then per scheduled
/// entry its seen key and inbox key.
/// ARGV: 1 chat, 2 seq, 3 check op (keep/save/delete), 4 expected rev,
/// 5 record, 6 ttl ms, 7 group op ('', save, delete, move), 8 group json
/// (the default settings for a move), 9 moved-to chat, 10 remember ms,
/// 11 number of replies n, 12..11+n replies, then per scheduled entry chat,
/// not_before, event.
/// Returns `done`, `conflict` or `handled`; nothing is written unless `done`.
const COMMIT: &str = r"
local chat = ARGV[1]
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
  return 'handled'
end
local check = ARGV[3]
if check == 'save' then
  local stored = redis.call('HGET', KEYS[3], 'rev')
  local current = 0
  if stored then
    current = tonumber(stored)
  end
  local expected = tonumber(ARGV[4])
  if current ~= expected then
    return 'conflict'
  end
  redis.call('HSET', KEYS[3], 'rev', string.format('%d', expected + 1), 'data', ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
  redis.call('PEXPIRE', KEYS[4], ARGV[6])
elseif check == 'delete' then
  redis.call('DEL', KEYS[3], KEYS[4])
  -- Timed entries (a follow-up still to come) go with the check.
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local not_before = tonumber(string.match(all[i + 1], '^(%d+)|'))
    if all[i] ~= ARGV[2] and not_before and not_before > 0 then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
redis.call('HDEL', KEYS[1], ARGV[2])
reindex(KEYS[1], KEYS[2], chat)
local group = ARGV[7]
if group == 'save' then
  redis.call('SET', KEYS[8], ARGV[8])
  -- Only groups are swept for tips; a person's settings (a language) are not.
  if tonumber(chat) < 0 then
    redis.call('SADD', KEYS[9], chat)
  end
elseif group == 'delete' then
  redis.call('DEL', KEYS[8])
  redis.call('SREM', KEYS[9], chat)
elseif group == 'move' then
  local settings = redis.call('GET', KEYS[8]) or ARGV[8]
  redis.call('DEL', KEYS[8])
  redis.call('SREM', KEYS[9], chat)
  redis.call('SET', KEYS[10], settings)
  redis.call('SADD', KEYS[9], ARGV[9])
end
if ARGV[#ARGV] == 'clear' then
  redis.call('DEL', KEYS[6])
  redis.call('SREM', KEYS[7], chat)
end
local replies = tonumber(ARGV[11])
for i = 1, replies do
  local seq = redis.call('INCR', KEYS[5])
  redis.call('RPUSH', KEYS[6], string.format('%d', seq) .. '|' .. ARGV[11 + i])
end
if replies > 0 then
  redis.call('SADD', KEYS[7], chat)
end
local base = 11 + replies
for i = 1, (#KEYS - 10) / 2 do
  add_entry(KEYS[5], KEYS[2], KEYS[9 + 2 * i], KEYS[10 + 2 * i],
    ARGV[base + 3 * i - 2], ARGV[base + 3 * i - 1], ARGV[base + 3 * i], ARGV[10])
end
return 'done'
";

/// `ack`. KEYS: outbox, outbox chats, question, check.
/// ARGV: chat, seq, turn ('' for no question), message id, fallback ttl ms.
/// The question expires with the check (or after the fallback without one).
const ACK: &str = r"
local head = ARGV[2] .. '|'
local function mine(value)
  return value and string.sub(value, 1, #head) == head
end
local first = redis.call('LINDEX', KEYS[1], 0)
if mine(first) then
  redis.call('LPOP', KEYS[1])
else
  for _, value in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    if mine(value) then
      redis.call('LREM', KEYS[1], 1, value)
      break
    end
  end
end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], 'turn', ARGV[3], 'message_id', ARGV[4])
  local ttl = redis.call('PTTL', KEYS[4])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[3], ttl)
  elseif ttl == -1 then
    redis.call('PERSIST', KEYS[3])
  else
    redis.call('PEXPIRE', KEYS[3], ARGV[5])
  end
end
return redis.call('LINDEX', KEYS[1], 0)
";

/// `claim`. KEYS: lease. ARGV: owner, ttl ms. 1 when `owner` holds it now.
const CLAIM: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
";

/// `release`. KEYS: lease. ARGV: owner.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 1
";

/// `reserve_global`: GCRA on one key holding the theoretical arrival time
/// (µs). KEYS: pace. ARGV: now (µs), emission interval (µs), burst.
/// Takes the slot and returns how many ms to wait before using it.
const RESERVE: &str = r"
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then
  tat = now
end
local next_tat = tat + interval
local wait = next_tat - interval * burst - now
if wait < 0 then
  wait = 0
end
redis.call('SET', KEYS[1], string.format('%d', next_tat),
  'PX', string.format('%d', math.ceil((next_tat - now) / 1000) + 1000))
return math.ceil(wait / 1000)
";

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

fn failed(what: &str) -> impl Fn(redis::RedisError) -> StoreError + '_ {
    move |e| StoreError(format!("redis: {what}: {e}"))
}

/// An outbox entry from its stored `<seq>|<json>`.
fn outbox_entry(chat: i64, value: &str) -> StoreResult<OutboxEntry> {
    let (seq, json) = split_entry(value, "an outbox entry")?;
    Ok(OutboxEntry {
        seq,
        chat,
        outgoing: parse_outgoing(json)?,
    })
}

/// Splits a stored `<number>|<json>` value.
fn split_entry<'a>(value: &'a str, what: &str) -> StoreResult<(u64, &'a str)> {
    value
        .split_once('|')
        .and_then(|(n, json)| Some((n.parse().ok()?, json)))
        .ok_or_else(|| StoreError(format!("redis: {what} is not in the expected form")))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); keys start with `prefix:`.
    pub async fn open(url: &str, prefix: &str) -> StoreResult<RedisStore> {
        let shown = redact(url);
        let client = redis::Client::open(url)
            .map_err(|e| StoreError(format!("redis URL {shown} is not valid: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(3)))
            .set_response_timeout(Some(Duration::from_secs(3)))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_secs(2));
        let mut connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| StoreError(format!("cannot reach redis at {shown}: {e}")))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut connection)
            .await
            .map_err(|e| StoreError(format!("cannot reach redis at {shown}: {e}")))?;
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
            args.push(event_json(&entry.event)?);
        }
        Ok(())
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
            let seq: u64 = seq
                .parse()
                .map_err(|_| StoreError("redis: an inbox entry has no number".to_string()))?;
            let (not_before, json) = split_entry(value, "an inbox entry")?;
            if not_before <= now_ms {
                if due.is_none_or(|(first, _, _)| seq < first) {
                    due = Some((seq, not_before, json));
                }
            } else {
                later_ms = Some(later_ms.map_or(not_before, |t| t.min(not_before)));
            }
        }
        let due = match due {
            Some((seq, not_before_ms, json)) => Some(InboxEntry {
                seq,
                chat,
                not_before_ms,
                event: parse_event(json)?,
            }),
            None => None,
        };
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
        let mut c = self.connection.clone();
        let (rev, data): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(self.chat_key(chat))
            .arg("rev")
            .arg("data")
            .query_async(&mut c)
            .await
            .map_err(failed("cannot read a chat"))?;
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
            CheckWrite::Save { record, expected } => (
                "save",
                *expected,
                serde_json::to_string(record)
                    .map_err(|e| StoreError(format!("cannot encode a check: {e}")))?,
            ),
        };
        let encode = |settings: &GroupSettings| {
            serde_json::to_string(settings)
                .map_err(|e| StoreError(format!("cannot encode group settings: {e}")))
        };
        let (group, settings, to) = match &commit.group {
            None => ("", String::new(), chat),
            Some(GroupWrite::Save(settings)) => ("save", encode(settings)?, chat),
            Some(GroupWrite::Delete) => ("delete", String::new(), chat),
            Some(GroupWrite::Move { to }) => ("move", encode(&GroupSettings::default())?, *to),
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
            args.push(outgoing_json(outgoing)?);
        }
        self.entry_args(&commit.schedule, &mut keys, &mut args)?;
        // Last, so the positions above stay as they are.
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
            _ => Err(StoreError(
                "redis: the commit script gave an unknown answer".to_string(),
            )),
        }
    }

    /// Checks expire by themselves.
    async fn purge_idle(&self, _cutoff_ms: u64) -> StoreResult<usize> {
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
        let mut c = self.connection.clone();
        let (turn, message_id): (Option<u32>, Option<i32>) = redis::cmd("HMGET")
            .arg(self.question_key(chat))
            .arg("turn")
            .arg("message_id")
            .query_async(&mut c)
            .await
            .map_err(failed("cannot read a question message"))?;
        Ok(turn
            .zip(message_id)
            .map(|(turn, message_id)| QuestionMessage { message_id, turn }))
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
        let json = serde_json::to_string(settings)
            .map_err(|e| StoreError(format!("cannot encode group settings: {e}")))?;
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
