//! Where the bot under test keeps its checks, read directly by the tests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fake_bot_api::FakeApi;
use serde_json::Value;

use super::{BOT_PREFIX, RedisServer, wait};

/// The SQLite file the bot keeps its state in under `dir`.
pub fn sqlite_file(dir: &Path) -> PathBuf {
    dir.join("state/bot.sqlite")
}

/// Every byte of the SQLite files in `dir` (the database, its WAL and any
/// other file the store keeps there), to look for words that must be gone.
pub fn sqlite_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir.join("state")).unwrap() {
        let path = entry.unwrap().path();
        bytes.extend(std::fs::read(&path).unwrap_or_default());
    }
    bytes
}

/// How many times `needle` occurs in `haystack`.
pub fn holds(haystack: &[u8], needle: &str) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle.as_bytes())
        .count()
}

/// The `BOT_STORAGE` of a SQLite file under `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    Backend::sqlite_in(dir).url()
}

/// Where the bot under test keeps its checks, read directly by the tests.
pub enum Backend {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A real Redis server.
    Redis(RedisServer),
}

impl Backend {
    /// The SQLite file the bot uses in `dir`.
    pub fn sqlite_in(dir: &Path) -> Backend {
        Backend::Sqlite(sqlite_file(dir))
    }

    /// A fresh Redis server.
    pub async fn redis() -> Backend {
        Backend::Redis(RedisServer::start().await)
    }

    /// The `BOT_STORAGE` value.
    pub fn url(&self) -> String {
        match self {
            Backend::Sqlite(file) => format!("sqlite://{}", file.display()),
            Backend::Redis(server) => server.url(),
        }
    }

    /// The stored check of `chat`, read directly from the store.
    pub async fn session(&self, chat: i64) -> Option<Value> {
        match self {
            Backend::Sqlite(file) => {
                let db = rusqlite::Connection::open(file).ok()?;
                let json: Option<String> = db
                    .query_row("SELECT record FROM chats WHERE chat_id = ?1", [chat], |r| {
                        r.get(0)
                    })
                    .ok();
                json.map(|j| serde_json::from_str::<Value>(&j).unwrap()["session"].clone())
            }
            Backend::Redis(server) => server.session(chat).await,
        }
    }

    /// Waits (up to 60 s: a send may be retried after teloxide's 10 s pause on
    /// a 5xx) until the stored check of `chat` satisfies `ready`; `Null` when none.
    pub async fn session_when(&self, chat: i64, ready: impl Fn(&Value) -> bool) -> Value {
        let ready = &ready;
        let found = wait::poll(Duration::from_secs(60), || async move {
            let session = self.session(chat).await.unwrap_or(Value::Null);
            ready(&session).then_some(session)
        })
        .await;
        match found {
            Some(session) => session,
            None => self.session(chat).await.unwrap_or(Value::Null),
        }
    }

    /// Whether nothing is left for `chat`: no inbox entry (a timed one, such
    /// as a follow-up or a welcome still to come, included), no reply
    /// waiting to be sent, and (Redis) no replica at work on it. Until a new
    /// update comes, the bot sends such a chat nothing more.
    pub async fn idle(&self, chat: i64) -> bool {
        match self {
            Backend::Sqlite(file) => {
                let Ok(db) = rusqlite::Connection::open(file) else {
                    return false;
                };
                let left = db.query_row(
                    "SELECT (SELECT COUNT(*) FROM inbox WHERE chat_id = ?1)
                          + (SELECT COUNT(*) FROM outbox WHERE chat_id = ?1)",
                    [chat],
                    |r| r.get::<_, i64>(0),
                );
                left == Ok(0)
            }
            Backend::Redis(server) => server.idle(BOT_PREFIX, chat).await,
        }
    }

    /// Waits (up to 60 s) until the bot took every update sent to `api` so
    /// far (it confirms a page only once it is stored) and `chat` is
    /// [idle](Backend::idle): from then on, what `chat` was sent is all it
    /// gets.
    pub async fn settled(&self, api: &FakeApi, chat: i64) {
        wait::until(
            Duration::from_secs(60),
            &format!("every update taken and nothing left for chat {chat}"),
            || async move { api.unconfirmed() == 0 && self.idle(chat).await },
        )
        .await;
    }
}
