//! The Telegram edge: start-up, the handler tree, and shutdown on SIGINT or
//! SIGTERM (in-flight updates finish first).
//!
//! Private chats run the check (`private`); groups get an introduction,
//! tips and a link to the private check, never a health question (`group`).
//! Updates arrive by long polling (`polling`) or webhook (`webhook`); both
//! run them through the same handler tree and flood control.

mod commands;
mod flood;
mod group;
pub mod metrics;
mod outbox;
mod polling;
mod private;
pub mod render;
pub mod tips;
mod webhook;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, Me};

use crate::config::{Config, Storage};
use crate::script::{self, Script};
use crate::store::{MemoryStore, RedisStore, SqliteStore, Store};
use outbox::HandlerResult;

/// The Bot API client as handlers use it. Messages are sent through
/// teloxide's `Throttle` while Telegram's limits apply; with `BOT_THROTTLE=off`
/// they go straight out, since `Throttle` releases sends on a 250 ms tick even
/// with its limits lifted.
#[derive(Clone)]
pub struct TgBot {
    bot: Bot,
    throttle: Option<Throttle<Bot>>,
}

impl TgBot {
    /// The unthrottled client, for calls Telegram does not rate-limit
    /// (edits, button answers, getUpdates, getMe, …); messages go through
    /// `outbox::send`, which picks the throttled one when it is on.
    pub fn api(&self) -> &Bot {
        &self.bot
    }
}

/// What every handler shares.
pub struct App {
    /// The dialogue being run.
    pub script: Script,
    /// Where chats' checks and groups' settings are kept.
    pub store: Store,
    /// Idle checks older than this are gone.
    pub session_ttl: Duration,
    /// How long joins are collected before one combined welcome.
    pub welcome_delay: Duration,
    /// How long one Bot API request may take.
    pub http_timeout: Duration,
    /// Names waiting for a welcome, by group.
    pending_welcomes: Mutex<HashMap<i64, Vec<String>>>,
    /// Per-chat flood control.
    flood: flood::FloodGate,
    /// Counts for `/metrics`.
    pub metrics: metrics::Metrics,
}

impl App {
    /// Everything handlers need, from the loaded dialogue, the store and the settings.
    pub fn new(script: Script, store: Store, config: &Config) -> App {
        App {
            script,
            store,
            session_ttl: config.session_ttl,
            welcome_delay: config.welcome_delay,
            http_timeout: config.http_timeout,
            pending_welcomes: Mutex::new(HashMap::new()),
            flood: flood::FloodGate::new(config.flood_limit),
            metrics: metrics::Metrics::default(),
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

/// The Bot API client: the configured server and timeout, and `Throttle` when on.
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
    let throttle = config
        .throttle
        .then(|| bot.clone().throttle(Limits::default()));
    TgBot { bot, throttle }
}

/// Loads the configured dialogue and store, as `run` does.
pub async fn prepare(config: &Config) -> Result<App, String> {
    let scripts =
        script::load_checked(std::slice::from_ref(&config.dialogues)).map_err(|e| e.to_string())?;
    let files: Vec<String> = scripts
        .iter()
        .map(|s| s.path.display().to_string())
        .collect();
    let script = script::select(scripts, config.dialogue.as_deref())?;
    let store = open_store(config).await?;
    let mode = match &config.webhook {
        Some(w) => format!("webhook on {} for {}", w.listen, w.url.path()),
        None => "long polling".to_string(),
    };
    log::info!(
        "dialogue `{}` v{} ({}); store: {}; mode: {mode}; throttle: {}; idle checks kept {}s",
        script.id,
        script.version,
        files.join(", "),
        store.describe(),
        if config.throttle { "on" } else { "off" },
        config.session_ttl.as_secs()
    );
    Ok(App::new(script, store, config))
}

/// Runs the bot with long polling until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    // Listen before anything else, so a stop during start-up is clean too.
    let stopped = stop_signals()?;
    let app = Arc::new(prepare(&config).await?);
    let bot = connect(&config);
    let me = bot.api().get_me().await.map_err(|e| {
        format!(
            "cannot reach the Telegram Bot API (is TELOXIDE_TOKEN right?): {}",
            outbox::loggable(&e)
        )
    })?;
    for (scope, menu) in commands::menus() {
        if let Err(e) = bot.api().set_my_commands(menu).scope(scope).await {
            log::warn!("could not set a command menu: {}", outbox::loggable(&e));
        }
    }
    let purge = tokio::spawn(purge_idle(Arc::clone(&app)));
    let tips = tokio::spawn(tips::run(bot.clone(), Arc::clone(&app)));
    let result = match &config.webhook {
        Some(webhook) => webhook::run(bot, me, Arc::clone(&app), schema(), webhook, stopped).await,
        None => {
            if let Err(e) = bot.api().delete_webhook().await {
                log::warn!(
                    "could not remove a webhook before polling: {}",
                    outbox::loggable(&e)
                );
            }
            log::info!("bot is running; stop with Ctrl-C or SIGTERM");
            polling::run(bot, me, Arc::clone(&app), schema(), stopped).await;
            Ok(())
        }
    };
    purge.abort();
    tips.abort();
    log::info!("stopped");
    result
}

/// Turns SIGTERM or SIGINT into `true` on the returned channel.
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
    });
    Ok(stopped)
}

/// The whole handler tree.
pub fn schema() -> UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(on_message))
        .branch(Update::filter_edited_message().endpoint(on_edited))
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_my_chat_member().endpoint(on_membership))
}

async fn on_message(
    bot: TgBot,
    msg: Message,
    me: Me,
    app: Arc<App>,
    update: Update,
) -> HandlerResult {
    if msg.chat.is_private() {
        private::message(&bot, &msg, &me, &app, update.id.0).await
    } else if msg.chat.is_group() || msg.chat.is_supergroup() {
        group::message(&bot, &msg, &me, &app).await
    } else {
        Ok(())
    }
}

async fn on_edited(bot: TgBot, msg: Message, app: Arc<App>, update: Update) -> HandlerResult {
    if !msg.chat.is_private() {
        return Ok(());
    }
    private::edited(&bot, &msg, &app, update.id.0).await
}

async fn on_callback(
    bot: TgBot,
    query: CallbackQuery,
    app: Arc<App>,
    update: Update,
) -> HandlerResult {
    let chat = query.message.as_ref().map(|m| m.chat().clone());
    let settings = query
        .data
        .as_deref()
        .is_some_and(|d| d.starts_with(render::SETTINGS));
    match chat {
        Some(chat) if chat.is_private() => {
            let turn = private::Turn {
                chat: chat.id,
                update: update.id.0,
            };
            private::callback(&bot, &query, turn, &app).await
        }
        Some(_) if settings => group::settings_pressed(&bot, &query, &app).await,
        _ => {
            outbox::answer_button(&bot, &query, None).await;
            Ok(())
        }
    }
}

async fn on_membership(bot: TgBot, change: ChatMemberUpdated, app: Arc<App>) -> HandlerResult {
    if change.chat.is_private() {
        return Ok(());
    }
    group::membership(&bot, &change, &app).await
}

/// Deletes idle checks now and then, so health answers are not kept past the TTL.
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
    }
}
