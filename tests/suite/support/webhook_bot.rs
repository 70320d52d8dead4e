//! The bot in webhook mode on 127.0.0.1: its public port, its metrics port,
//! and updates as Telegram POSTs them, for tests that talk to it directly.

use std::time::Duration;

use fake_bot_api::FakeApi;
use serde_json::json;

use super::wait::poll;
use super::{BotProcess, TOKEN_SECRET, free_port, stable};

/// The webhook secret the bot is started with.
pub const HOOK_SECRET: &str = "s3cret-Hook_value";

/// The path of the webhook URL: served, and never to be logged.
pub const HOOK_PATH: &str = "/tg/hook-7f3a";

/// The bot in webhook mode (on the stable fixture), and where it listens.
pub struct WebhookBot {
    /// The process, for its log, signals and exit.
    pub process: BotProcess,
    /// `127.0.0.1:<port>` of the public (webhook) port.
    pub addr: String,
    /// `127.0.0.1:<port>` given as `BOT_METRICS_LISTEN`.
    pub metrics: String,
}

impl WebhookBot {
    /// Starts the bot against `api`, keeping checks in `storage`, with `env`
    /// over the webhook settings; waits until `/healthz` answers 200.
    pub async fn start(api: &FakeApi, storage: &str, env: &[(&str, &str)]) -> WebhookBot {
        let addr = format!("127.0.0.1:{}", free_port());
        let metrics = format!("127.0.0.1:{}", free_port());
        let public_url = format!("https://bot.example{HOOK_PATH}");
        let mut settings = vec![
            ("WEBHOOK_URL", public_url.as_str()),
            ("WEBHOOK_SECRET", HOOK_SECRET),
            ("BOT_LISTEN", addr.as_str()),
            ("BOT_METRICS_LISTEN", metrics.as_str()),
        ];
        settings.extend_from_slice(env);
        let process = BotProcess::start_with(api, storage, &stable::dir(), &settings);
        let mut bot = WebhookBot {
            process,
            addr,
            metrics,
        };
        // Up, or gone: a bot that exited will not come up.
        let health = bot.url("/healthz");
        let up = poll(Duration::from_secs(20), || {
            let exited = bot.process.exited().is_some();
            let health = health.clone();
            async move { (exited || status_of(health).await == Some(200)).then_some(!exited) }
        })
        .await;
        assert!(
            up == Some(true),
            "the webhook did not come up:\n{}",
            bot.process.log()
        );
        bot
    }

    /// `path` on the public port.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The webhook URL Telegram POSTs to.
    pub fn hook(&self) -> String {
        self.url(HOOK_PATH)
    }

    /// The status `/healthz` answers, if it answers.
    pub async fn health(&self) -> Option<u16> {
        status_of(self.url("/healthz")).await
    }

    /// Waits (up to 10 s) for `/healthz` to answer `status`: it asks the
    /// store at most once a second.
    pub async fn health_becomes(&self, status: u16) -> Option<u16> {
        let became = poll(Duration::from_secs(10), || async move {
            (self.health().await == Some(status)).then_some(status)
        })
        .await;
        match became {
            Some(status) => Some(status),
            None => self.health().await,
        }
    }

    /// The value of the counter `name` on the metrics port (0 if absent).
    pub async fn metric(&self, name: &str) -> u64 {
        let text = reqwest::get(format!("http://{}/metrics", self.metrics))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
            .unwrap_or(0)
    }

    /// SIGTERM and a clean exit; the log, checked for the token and the
    /// webhook path.
    pub async fn stop(mut self) -> String {
        self.process.signal("TERM");
        let status = self.process.exit_within(Duration::from_secs(20)).await;
        let log = self.process.log();
        assert!(
            status.is_some_and(|s| s.success()),
            "no clean stop ({status:?}):\n{log}"
        );
        assert!(!log.contains(TOKEN_SECRET), "the token leaked:\n{log}");
        assert!(!log.contains(HOOK_PATH), "the webhook path leaked:\n{log}");
        log
    }
}

/// The status a GET of `url` answers, if it answers.
async fn status_of(url: String) -> Option<u16> {
    let response = reqwest::get(url).await.ok()?;
    Some(response.status().as_u16())
}

/// A private chat's message update as Telegram POSTs it.
pub fn raw_update(id: i64, chat: i64, text: &str) -> String {
    json!({ "update_id": id, "message": {
        "message_id": id, "date": 1_790_000_000,
        "chat": { "id": chat, "type": "private", "first_name": "T" },
        "from": { "id": chat, "is_bot": false, "first_name": "T" },
        "text": text,
    }})
    .to_string()
}
