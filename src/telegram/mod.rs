//! The Telegram edge: transports, lanes, rendering, commands and groups.
//!
//! Data flows one way: polling (`polling`) or webhook (`webhook`) turn
//! HTTP into inbox entries (`intake`) and confirm them only once stored;
//! per-chat lanes (`lanes`) hand each chat's entries, in order, to the
//! processor (`process`), which decides what they mean (`private` runs the
//! check, `group` never asks a health question) and commits each through
//! the conversation service as one atomic store operation; the sender
//! (`sender`) drains each chat's outbox under Telegram's limits (`pacing`)
//! with its own retries (`api`). Chats never wait on one another.

mod api;
mod commands;
mod cooldown;
mod flood;
mod group;
mod intake;
mod lanes;
pub mod metrics;
mod pacing;
mod polling;
mod private;
mod process;
pub mod render;
mod sender;
pub mod tips;
mod webhook;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use teloxide::prelude::*;
use teloxide::types::Me;

use crate::config::{Config, Storage};
use crate::conversation::Conversation;
use crate::script::{self, Dialogue, Script};
use crate::store::{
    Checks, Inbox, MemoryStore, NewEntry, REMEMBER_MS, RedisStore, SqliteStore, Store, StoreError,
};
use lanes::Lanes;
use process::Processor;
use sender::Sender;

/// The Bot API client, for the calls made through teloxide (start-up,
/// admin checks); messages go out through the sender's own calls.
#[derive(Clone)]
pub struct TgBot {
    bot: Bot,
}

impl TgBot {
    /// The teloxide client.
    pub fn api(&self) -> &Bot {
        &self.bot
    }
}

/// What every part of the edge shares.
pub struct App {
    /// The dialogue being run, in every language it has.
    pub dialogue: Dialogue,
    /// Inboxes, checks, outboxes and group settings.
    pub store: Store,
    /// Idle checks older than this are gone.
    pub session_ttl: Duration,
    /// Follow-ups come after this long instead of their days, when set.
    pub follow_up_after: Option<Duration>,
    /// How long joins are collected before one combined welcome.
    pub welcome_delay: Duration,
    /// How long one Bot API request may take.
    pub http_timeout: Duration,
    /// How long a failing reply is tried again.
    pub send_retry_window: Duration,
    /// Flood control per person and chat, counted at intake.
    flood: flood::FloodGate,
    /// One answer per person every few minutes to repeated group commands.
    cooldowns: cooldown::Cooldowns,
    /// Per-chat and bot-wide message budgets.
    pacing: pacing::Pacing,
    /// Counts for `/metrics`.
    pub metrics: metrics::Metrics,
}

impl App {
    /// Everything the edge needs, from the loaded dialogue, the store and the settings.
    pub fn new(dialogue: Dialogue, store: Store, config: &Config) -> App {
        App {
            dialogue,
            store,
            session_ttl: config.session_ttl,
            follow_up_after: config.follow_up_after,
            welcome_delay: config.welcome_delay,
            http_timeout: config.http_timeout,
            send_retry_window: config.send_retry_window,
            flood: flood::FloodGate::new(config.flood_limit),
            cooldowns: cooldown::Cooldowns::default(),
            pacing: pacing::Pacing::new(config.throttle),
            metrics: metrics::Metrics::default(),
        }
    }

    /// The dialogue in `language` (the base when it has no such language).
    pub fn script(&self, language: &str) -> &Script {
        self.dialogue.get(language)
    }

    /// The conversation service over this app's dialogue and store, for a
    /// chat in `language`.
    pub fn conversation<'a>(&'a self, language: &'a str) -> Conversation<'a> {
        Conversation {
            dialogue: &self.dialogue,
            language,
            store: &self.store,
            ttl_ms: self.session_ttl.as_millis() as u64,
            follow_up_after_ms: self.follow_up_after.map(|d| d.as_millis() as u64),
        }
    }
}

/// Chats handled (and sent to) at once; more wait their turn in order.
/// Telegram takes 30 messages a second, so this is never what limits a
/// real bot; it bounds memory (and connections) in a burst.
const LANES_AT_WORK: usize = 256;

/// The running lanes: the inbox handled per chat, the outbox sent per chat.
pub struct Runtime {
    /// What the lanes share.
    pub app: Arc<App>,
    processor: Arc<Lanes<Processor>>,
    sender: Arc<Lanes<Sender>>,
}

impl Runtime {
    /// Starts the lanes and their sweeps (which also pick up what an earlier
    /// run left in the store).
    pub fn start(app: Arc<App>, bot: TgBot, me: Me) -> Arc<Runtime> {
        // Unique among replicas, even in containers where every pid is 1.
        let random = std::collections::hash_map::RandomState::new();
        let owner = format!(
            "{}-{:016x}",
            std::process::id(),
            std::hash::BuildHasher::hash_one(&random, now_ms())
        );
        let store = app.store.clone();
        let sender = Lanes::new(
            Sender::new(Arc::clone(&app), bot.clone()),
            store.clone(),
            owner.clone(),
            LANES_AT_WORK,
        );
        let processor = Lanes::new(
            Processor::new(Arc::clone(&app), bot, me, Arc::clone(&sender)),
            store.clone(),
            owner,
            LANES_AT_WORK,
        );
        // A shared store may hold work another replica left: look often.
        let period = if store.shared() {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(5)
        };
        tokio::spawn(Arc::clone(&processor).sweep_every(period));
        tokio::spawn(Arc::clone(&sender).sweep_every(period));
        Arc::new(Runtime {
            app,
            processor,
            sender,
        })
    }

    /// Writes entries to the inbox and starts their chats' lanes.
    pub async fn receive(&self, entries: Vec<NewEntry>, now_ms: u64) -> Result<(), StoreError> {
        self.receive_counted(entries, now_ms).await.map(drop)
    }

    /// As [`Runtime::receive`]; returns how many chats got new entries.
    pub async fn receive_counted(
        &self,
        entries: Vec<NewEntry>,
        now_ms: u64,
    ) -> Result<usize, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let chats = self.app.store.receive(entries, now_ms).await?;
        for &chat in &chats {
            self.processor.kick(chat);
        }
        Ok(chats.len())
    }

    /// Waits (at most `within`) for the lanes at work to finish; what is
    /// left stays in the store for the next start.
    pub async fn drain(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while (self.processor.busy() > 0 || self.sender.busy() > 0)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Opens the configured store; an unreachable Redis is one clear error.
pub async fn open_store(config: &Config) -> Result<Store, String> {
    match &config.storage {
        Storage::Memory => Ok(Store::Memory(MemoryStore::default())),
        Storage::Sqlite(path) => SqliteStore::open(path)
            .map(Store::Sqlite)
            .map_err(|e| e.to_string()),
        Storage::Redis(url) => RedisStore::open(url.expose(), &config.redis_prefix)
            .await
            .map(Store::Redis)
            .map_err(|e| e.to_string()),
    }
}

/// The Bot API client: the configured server and timeout.
pub fn connect(config: &Config) -> TgBot {
    let client = teloxide::net::default_reqwest_settings()
        .timeout(config.http_timeout)
        .build();
    let mut bot = match client {
        Ok(client) => Bot::with_client(config.token.expose(), client),
        Err(e) => {
            log::warn!("custom HTTP client failed ({e}); using teloxide's default");
            Bot::new(config.token.expose())
        }
    };
    if let Some(url) = config.api_url.clone() {
        bot = bot.set_api_url(url);
    }
    TgBot { bot }
}

/// Loads the configured dialogue and store, as `run` does.
pub async fn prepare(config: &Config) -> Result<App, String> {
    let scripts = script::load_checked(std::slice::from_ref(&config.dialogues), &config.locales)
        .map_err(|e| e.to_string())?;
    let files: Vec<String> = scripts
        .iter()
        .map(|s| s.path.display().to_string())
        .collect();
    let dialogue = script::select(scripts, config.dialogue.as_deref())?;
    let script = dialogue.base();
    let languages: Vec<&str> = dialogue.languages().map(|s| s.language.as_str()).collect();
    let store = open_store(config).await?;
    let mode = match &config.webhook {
        // Not the path of WEBHOOK_URL: people put secrets in it.
        Some(w) => format!("webhook on {}", w.listen),
        None => "long polling".to_string(),
    };
    log::info!(
        "dialogue `{}` v{} in {} ({}); store: {}; mode: {mode}; pacing: {}; idle checks kept {}s",
        script.id,
        script.version,
        languages.join(", "),
        files.join(", "),
        store.describe(),
        if config.throttle { "on" } else { "off" },
        config.session_ttl.as_secs()
    );
    Ok(App::new(dialogue, store, config))
}

/// How long shutdown waits for lanes at work.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs the bot (long polling, or a webhook when configured) until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    // Listen before anything else, so a stop during start-up is clean too:
    // each start-up step gives way to it, and nothing after it is done.
    let mut stopped = stop_signals()?;
    let stopped_early = || {
        log::info!("stopped during start-up");
        Ok(())
    };
    let Some(app) = unless_stopped(&mut stopped, prepare(&config)).await else {
        return stopped_early();
    };
    let app = Arc::new(app?);
    let bot = connect(&config);
    let Some(me) = unless_stopped(&mut stopped, bot.api().get_me().into_future()).await else {
        return stopped_early();
    };
    let me = me.map_err(|e| {
        format!(
            "cannot reach the Telegram Bot API (is TELOXIDE_TOKEN right?): {}",
            api::loggable(&e)
        )
    })?;
    // Menus and the profile in every language: the base one for everyone,
    // each other one for people whose Telegram is in it (Telegram takes a
    // two-letter code there: `pt-BR` is set as `pt`). One refused call does
    // not stop the others.
    for script in app.dialogue.languages() {
        let code = (script.language != app.dialogue.base().language).then(|| {
            script
                .language
                .split('-')
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let catalog = &script.catalog;
        let mut calls: Vec<teloxide::requests::ResponseResult<()>> = Vec::new();
        for (scope, menu) in commands::menus(catalog) {
            let mut set = bot.api().set_my_commands(menu).scope(scope);
            set.language_code.clone_from(&code);
            match unless_stopped(&mut stopped, set.into_future()).await {
                None => return stopped_early(),
                Some(done) => calls.push(done.map(|_| ())),
            }
        }
        let mut description = bot
            .api()
            .set_my_description()
            .description(catalog.text("bot-description"));
        description.language_code.clone_from(&code);
        match unless_stopped(&mut stopped, description.into_future()).await {
            None => return stopped_early(),
            Some(done) => calls.push(done.map(|_| ())),
        }
        let mut short = bot
            .api()
            .set_my_short_description()
            .short_description(catalog.text("bot-short-description"));
        short.language_code.clone_from(&code);
        match unless_stopped(&mut stopped, short.into_future()).await {
            None => return stopped_early(),
            Some(done) => calls.push(done.map(|_| ())),
        }
        for failed in calls.iter().filter_map(|c| c.as_ref().err()) {
            log::warn!(
                "could not set a menu or the profile in `{}`: {}",
                script.language,
                api::loggable(failed)
            );
        }
    }
    let runtime = Runtime::start(Arc::clone(&app), bot.clone(), me);
    let purge = tokio::spawn(purge_idle(Arc::clone(&app)));
    let tips = tokio::spawn(tips::run(Arc::clone(&runtime)));
    let result = match &config.webhook {
        Some(webhook) => webhook::run(bot, Arc::clone(&runtime), webhook, stopped).await,
        None => {
            if let Err(e) = bot.api().delete_webhook().await {
                log::warn!(
                    "could not remove a webhook before polling: {}",
                    api::loggable(&e)
                );
            }
            log::info!("bot is running; stop with Ctrl-C or SIGTERM");
            polling::run(bot, Arc::clone(&runtime), stopped).await;
            Ok(())
        }
    };
    purge.abort();
    tips.abort();
    runtime.drain(DRAIN).await;
    log::info!("stopped");
    result
}

/// Runs one start-up step unless a stop comes first (before or during it);
/// `None` when stopped.
async fn unless_stopped<T>(
    stopped: &mut tokio::sync::watch::Receiver<bool>,
    step: impl std::future::Future<Output = T>,
) -> Option<T> {
    if *stopped.borrow() {
        return None;
    }
    tokio::select! {
        out = step => Some(out),
        _ = stopped.changed() => None,
    }
}

/// Turns SIGTERM or SIGINT into `true` on the returned channel; a second
/// one exits at once (128 + its number), whatever is still under way: what
/// is unfinished stays in the store for the next start.
fn stop_signals() -> Result<tokio::sync::watch::Receiver<bool>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind| signal(kind).map_err(|e| format!("cannot listen for SIGTERM/SIGINT: {e}"));
    let (mut term, mut int) = (
        listen(SignalKind::terminate())?,
        listen(SignalKind::interrupt())?,
    );
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => log::info!("SIGTERM: finishing in-flight updates, then stopping"),
            _ = int.recv() => log::info!("SIGINT: finishing in-flight updates, then stopping"),
        }
        let _ = stop.send(true);
        let code = tokio::select! {
            _ = term.recv() => 128 + 15,
            _ = int.recv() => 128 + 2,
        };
        log::warn!("a second stop signal: exiting now");
        std::process::exit(code);
    });
    Ok(stopped)
}

/// Deletes idle checks now and then, so health answers are not kept past
/// the TTL, and update ids once they are too old to come again.
async fn purge_idle(app: Arc<App>) {
    let period = app
        .session_ttl
        .min(Duration::from_secs(600))
        .max(Duration::from_secs(1));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        let ttl_ms = app.session_ttl.as_millis() as u64;
        let cutoff = now_ms().saturating_sub(ttl_ms);
        match app.store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => log::info!("deleted {n} idle check(s)"),
            Err(e) => log::error!("purging idle checks failed: {e}"),
        }
        let forget_before = now_ms().saturating_sub(REMEMBER_MS);
        if let Err(e) = app.store.forget_keys(forget_before).await {
            log::error!("forgetting old update ids failed: {e}");
        }
    }
}
