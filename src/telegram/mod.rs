//! The Telegram edge: start-up, the handler tree, and shutdown on SIGINT or
//! SIGTERM (in-flight updates finish first).

mod handlers;
pub mod render;

use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::Throttle;
use teloxide::adaptors::throttle::Limits;
use teloxide::prelude::*;
use teloxide::types::BotCommand;
use teloxide::utils::command::BotCommands;

use crate::config::{Config, Storage};
use crate::script::{self, Script};
use crate::store::{MemoryStore, SqliteStore, Store};
use handlers::Command;

/// The bot as handlers use it: every send goes through `Throttle`.
pub type TgBot = Throttle<Bot>;

/// What every handler shares.
pub struct App {
    /// The dialogue being run.
    pub script: Script,
    /// Where chats' checks are kept.
    pub store: Store,
    /// Idle checks older than this are gone.
    pub session_ttl: Duration,
}

/// Opens the configured store.
pub fn open_store(storage: &Storage) -> Result<Store, String> {
    match storage {
        Storage::Memory => Ok(Store::Memory(MemoryStore::default())),
        Storage::Sqlite(path) => SqliteStore::open(path)
            .map(Store::Sqlite)
            .map_err(|e| e.to_string()),
    }
}

/// Runs the bot with long polling until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    let scripts =
        script::load_checked(std::slice::from_ref(&config.dialogues)).map_err(|e| e.to_string())?;
    let files: Vec<String> = scripts
        .iter()
        .map(|s| s.path.display().to_string())
        .collect();
    let script = script::select(scripts, config.dialogue.as_deref())?;
    let store = open_store(&config.storage)?;
    log::info!(
        "dialogue `{}` v{} ({}); store: {}; mode: long polling; throttle: {}; idle checks kept {}s",
        script.id,
        script.version,
        files.join(", "),
        store.describe(),
        if config.throttle { "on" } else { "off" },
        config.session_ttl.as_secs()
    );

    let mut bot = Bot::new(config.token.expose());
    if let Some(url) = config.api_url.clone() {
        bot = bot.set_api_url(url);
    }
    let limits = if config.throttle {
        Limits::default()
    } else {
        Limits {
            messages_per_sec_chat: 1_000_000,
            messages_per_min_chat: 1_000_000,
            messages_per_min_channel_or_supergroup: 1_000_000,
            messages_per_sec_overall: 1_000_000,
        }
    };
    let bot = bot.throttle(limits);
    bot.get_me().await.map_err(|e| {
        format!("cannot reach the Telegram Bot API (is TELOXIDE_TOKEN right?): {e}")
    })?;
    // Telegram wants command names without the leading slash.
    let menu = Command::bot_commands().into_iter().map(|c| {
        let name = c.command.trim_start_matches('/').to_string();
        BotCommand::new(name, c.description)
    });
    if let Err(e) = bot.set_my_commands(menu).await {
        log::warn!("could not set the command menu: {e}");
    }

    let app = Arc::new(App {
        script,
        store,
        session_ttl: config.session_ttl,
    });
    let purge = tokio::spawn(purge_idle(Arc::clone(&app)));
    let mut dispatcher = Dispatcher::builder(bot, handlers::schema())
        .dependencies(dptree::deps![Arc::clone(&app)])
        .default_handler(|_| async {})
        .enable_ctrlc_handler()
        .build();
    let token = dispatcher.shutdown_token();
    tokio::spawn(async move {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
            log::info!("SIGTERM: finishing in-flight updates, then stopping");
            if let Ok(done) = token.shutdown() {
                done.await;
            }
        }
    });
    log::info!("bot is running; stop with Ctrl-C or SIGTERM");
    dispatcher.dispatch().await;
    purge.abort();
    log::info!("stopped");
    Ok(())
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
        let cutoff = handlers::now_ms().saturating_sub(ttl_ms);
        match app.store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => log::info!("deleted {n} idle check(s)"),
            Err(e) => log::error!("purging idle checks failed: {e}"),
        }
    }
}
