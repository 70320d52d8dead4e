//! Where the bot under test keeps its checks, read directly by the tests.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::RedisServer;

/// The SQLite file the bot keeps its state in under `dir`.
pub fn sqlite_file(dir: &Path) -> PathBuf {
    dir.join("state/bot.sqlite")
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
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let session = self.session(chat).await.unwrap_or(Value::Null);
            if ready(&session) || Instant::now() > deadline {
                return session;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
