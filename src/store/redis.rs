//! Records in Redis, shared by several replicas. A check is a hash
//! (`rev`, `data`) under `<prefix>:chat:<id>` that expires with the session
//! TTL; writes are compare-and-set on `rev` in one Lua script, so two replicas
//! handling the same chat at once never lose an answer or apply a stale one.

use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::{ChatRecord, GroupSettings, StoreError, Stored};

/// Writes `ARGV[2]` if the stored `rev` is `ARGV[1]` (`0`: nothing stored),
/// sets the expiry, and returns the new `rev`; `-1` when someone wrote first.
const SAVE_IF: &str = r"
local current = redis.call('HGET', KEYS[1], 'rev')
if (current == false and ARGV[1] == '0') or current == ARGV[1] then
  local rev = tonumber(ARGV[1]) + 1
  redis.call('HSET', KEYS[1], 'rev', rev, 'data', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return rev
end
return -1
";

/// How long a claimed tip slot is remembered (longer than the longest rhythm).
const SLOT_MEMORY_SECS: u64 = 15 * 86_400;

/// A store in Redis.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    url: String,
    save_if: redis::Script,
}

fn failed(what: &str) -> impl Fn(redis::RedisError) -> StoreError + '_ {
    move |e| StoreError(format!("redis: {what}: {e}"))
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`); keys start with `prefix:`.
    pub async fn open(url: &str, prefix: &str) -> Result<RedisStore, StoreError> {
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
            save_if: redis::Script::new(SAVE_IF),
        })
    }

    fn chat_key(&self, chat: i64) -> String {
        format!("{}:chat:{chat}", self.prefix)
    }

    fn group_key(&self, chat: i64) -> String {
        format!("{}:group:{chat}", self.prefix)
    }

    fn groups_key(&self) -> String {
        format!("{}:groups", self.prefix)
    }

    /// A short description for the start-up log (no password).
    pub fn describe(&self) -> String {
        format!("redis {} (keys `{}:*`)", self.url, self.prefix)
    }

    pub(super) async fn load(&self, chat: i64) -> Result<Option<Stored>, StoreError> {
        let mut c = self.connection.clone();
        let (rev, data): (Option<u64>, Option<String>) = redis::cmd("HMGET")
            .arg(self.chat_key(chat))
            .arg("rev")
            .arg("data")
            .query_async(&mut c)
            .await
            .map_err(failed("cannot read a chat"))?;
        Ok(match (rev, data) {
            (Some(rev), Some(json)) => serde_json::from_str(&json)
                .ok()
                .map(|record| Stored { record, rev }),
            _ => None,
        })
    }

    pub(super) async fn save_if(
        &self,
        chat: i64,
        record: &ChatRecord,
        expected: u64,
        ttl_ms: u64,
    ) -> Result<Option<u64>, StoreError> {
        let json = serde_json::to_string(record).map_err(|e| StoreError(e.to_string()))?;
        let mut c = self.connection.clone();
        let rev: i64 = self
            .save_if
            .key(self.chat_key(chat))
            .arg(expected)
            .arg(json)
            .arg(ttl_ms.max(1))
            .invoke_async(&mut c)
            .await
            .map_err(failed("cannot save a chat"))?;
        Ok(u64::try_from(rev).ok())
    }

    pub(super) async fn delete(&self, chat: i64) -> Result<(), StoreError> {
        let mut c = self.connection.clone();
        let _: () = c
            .del(self.chat_key(chat))
            .await
            .map_err(failed("cannot delete a chat"))?;
        Ok(())
    }

    pub(super) async fn group(&self, chat: i64) -> Result<Option<GroupSettings>, StoreError> {
        let mut c = self.connection.clone();
        let json: Option<String> = c
            .get(self.group_key(chat))
            .await
            .map_err(failed("cannot read group settings"))?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    pub(super) async fn save_group(
        &self,
        chat: i64,
        settings: &GroupSettings,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(settings).map_err(|e| StoreError(e.to_string()))?;
        let mut c = self.connection.clone();
        let _: () = redis::pipe()
            .atomic()
            .set(self.group_key(chat), json)
            .sadd(self.groups_key(), chat)
            .query_async(&mut c)
            .await
            .map_err(failed("cannot save group settings"))?;
        Ok(())
    }

    pub(super) async fn delete_group(&self, chat: i64) -> Result<(), StoreError> {
        let mut c = self.connection.clone();
        let _: () = redis::pipe()
            .atomic()
            .del(self.group_key(chat))
            .srem(self.groups_key(), chat)
            .query_async(&mut c)
            .await
            .map_err(failed("cannot delete group settings"))?;
        Ok(())
    }

    pub(super) async fn groups(&self) -> Result<Vec<(i64, GroupSettings)>, StoreError> {
        let mut c = self.connection.clone();
        let chats: Vec<i64> = c
            .smembers(self.groups_key())
            .await
            .map_err(failed("cannot list groups"))?;
        let mut groups = Vec::with_capacity(chats.len());
        for chat in chats {
            if let Some(settings) = self.group(chat).await? {
                groups.push((chat, settings));
            }
        }
        Ok(groups)
    }

    pub(super) async fn claim_tip_slot(&self, chat: i64, slot: u64) -> Result<bool, StoreError> {
        let mut c = self.connection.clone();
        let key = format!("{}:tipslot:{chat}:{slot}", self.prefix);
        let claimed: Option<String> = redis::cmd("SET")
            .arg(key)
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(SLOT_MEMORY_SECS)
            .query_async(&mut c)
            .await
            .map_err(failed("cannot claim a tip slot"))?;
        Ok(claimed.is_some())
    }

    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        let mut c = self.connection.clone();
        let _: String = redis::cmd("PING")
            .query_async(&mut c)
            .await
            .map_err(failed("no answer"))?;
        Ok(())
    }
}

/// The URL without a password, for logs and errors.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}
