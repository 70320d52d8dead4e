//! A real `redis-server` on a free port of 127.0.0.1, started by the test that
//! needs it and killed when dropped. (`scripts/test` installs the server.)

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::free_port;
use super::wait;

/// The key prefix the bot binary uses (`BOT_REDIS_PREFIX` unset).
pub const BOT_PREFIX: &str = "nasal-twitch-bot";

/// A running Redis with append-only persistence, so a restart keeps its data.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts a server and waits until it answers.
    pub async fn start() -> RedisServer {
        let mut server = RedisServer {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().unwrap(),
        };
        server.launch().await;
        server
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    async fn launch(&mut self) {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &self.port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "yes", "--appendfsync", "always"])
            .arg("--dir")
            .arg(self.data_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (run scripts/test, which installs it)");
        self.child = Some(child);
        wait::until(
            Duration::from_secs(10),
            "redis-server to answer PING",
            || async { self.ping().await.is_ok() },
        )
        .await;
    }

    /// `redis://127.0.0.1:<port>/0`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        redis::Client::open(self.url())?
            .get_multiplexed_async_connection()
            .await
    }

    async fn ping(&self) -> redis::RedisResult<String> {
        let mut c = self.connection().await?;
        redis::cmd("PING").query_async(&mut c).await
    }

    /// Stops the server (as an outage would).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same data.
    pub async fn restart(&mut self) {
        self.stop();
        self.launch().await;
    }

    /// The stored check of `chat` under the bot's default key prefix.
    pub async fn session(&self, chat: i64) -> Option<Value> {
        let mut c = self.connection().await.ok()?;
        let data: Option<String> = redis::cmd("HGET")
            .arg(format!("{BOT_PREFIX}:chat:{chat}"))
            .arg("data")
            .query_async(&mut c)
            .await
            .ok()?;
        data.map(|d| serde_json::from_str::<Value>(&d).unwrap()["session"].clone())
    }

    /// Milliseconds until the check of `chat` expires (-2: no such key).
    pub async fn ttl_ms(&self, chat: i64) -> i64 {
        let mut c = self.connection().await.unwrap();
        redis::cmd("PTTL")
            .arg(format!("{BOT_PREFIX}:chat:{chat}"))
            .query_async(&mut c)
            .await
            .unwrap()
    }

    /// Whether nothing is left for `chat` under the keys of `prefix`: no
    /// inbox entry (a timed one included), no reply waiting to be sent, and
    /// no replica holding the chat's inbox or outbox lane. False when Redis
    /// cannot be read.
    pub async fn idle(&self, prefix: &str, chat: i64) -> bool {
        let Ok(mut c) = self.connection().await else {
            return false;
        };
        let keys = ["inbox", "outbox", "lease:in", "lease:out"]
            .map(|kind| format!("{prefix}:{kind}:{chat}"));
        let left: redis::RedisResult<i64> =
            redis::cmd("EXISTS").arg(&keys).query_async(&mut c).await;
        left == Ok(0)
    }

    /// Every key the bot wrote (for `/forget` checks).
    pub async fn keys(&self) -> Vec<String> {
        let mut c = self.connection().await.unwrap();
        redis::cmd("KEYS")
            .arg("*")
            .query_async(&mut c)
            .await
            .unwrap()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
