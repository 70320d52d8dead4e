//! The Telegram edge, and only the edge: Bot API JSON is known here and
//! nowhere else. Polling (`polling`) or a webhook (`webhook`) turn HTTP into
//! the core's events (`decode`, with dptree routing) and hand them to the
//! runtime's inbox (`intake`), confirming them only once stored; the
//! runtime's sender delivers the core's messages through [`edge::Telegram`],
//! rendered as Bot API requests (`render`) and sent with our own retries
//! (`api`). Start-up sets the command menus and profile per language
//! (`menus`).

mod api;
mod decode;
pub mod edge;
mod error;
mod intake;
mod menus;
mod polling;
mod render;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;

use crate::config::Config;
use crate::conversation::Core;
use crate::runtime::shutdown::{stop_signals, unless_stopped};
use crate::runtime::{self, Runtime, Settings};
pub use api::{TgBot, connect};
pub use decode::Me;
pub use edge::{Telegram, TelegramRuntime};
pub use error::RunError;

/// The runtime's settings for Telegram, from the configuration.
pub fn settings(config: &Config) -> Settings {
    Settings {
        throttle: config.throttle,
        limits: edge::LIMITS,
        send_retry_window: config.send_retry_window,
    }
}

/// Starts the runtime with Telegram as its platform (as `run` does).
pub fn start(core: Arc<Core>, bot: TgBot, me: Me, config: &Config) -> Arc<TelegramRuntime> {
    Runtime::start(core, Telegram { bot, me }, settings(config))
}

/// Who the bot is, asked of Telegram.
pub async fn whoami(bot: &TgBot) -> Result<Me, RunError> {
    let me = bot
        .api()
        .get_me()
        .await
        .map_err(|e| RunError::Unreachable(api::loggable(&e)))?;
    Ok(Me {
        username: me.username().to_string(),
    })
}

/// How long shutdown waits for lanes at work.
const DRAIN: Duration = Duration::from_secs(10);

/// Runs the bot (long polling, or a webhook when configured) until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), RunError> {
    // Listen before anything else, so a stop during start-up is clean too:
    // each start-up step gives way to it, and nothing after it is done.
    let mut stopped = stop_signals().map_err(RunError::Signals)?;
    let stopped_early = || {
        log::info!("stopped during start-up");
        Ok(())
    };
    let Some(core) = unless_stopped(&mut stopped, Core::load(&config)).await else {
        return stopped_early();
    };
    let core = Arc::new(core?);
    let mode = match &config.webhook {
        // Not the path of WEBHOOK_URL: people put secrets in it.
        Some(w) => format!("webhook on {}", w.listen),
        None => "long polling".to_string(),
    };
    log::info!("Telegram: {mode}");
    let bot = connect(&config);
    let Some(me) = unless_stopped(&mut stopped, whoami(&bot)).await else {
        return stopped_early();
    };
    let me = me?;
    // Menus and the profile in every language: the base one for everyone,
    // each other one for people whose Telegram is in it (Telegram takes a
    // two-letter code there: `pt-BR` is set as `pt`). One refused call does
    // not stop the others.
    for script in core.dialogue.languages() {
        let code = (script.language != core.dialogue.base().language).then(|| {
            script
                .language
                .split('-')
                .next()
                .unwrap_or_default()
                .to_string()
        });
        let catalog = &script.catalog;
        let mut calls: Vec<teloxide::requests::ResponseResult<()>> = Vec::new();
        for (scope, menu) in menus::menus(catalog) {
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
    let runtime = start(Arc::clone(&core), bot.clone(), me, &config);
    let purge = tokio::spawn(runtime::purge_idle(Arc::clone(&core)));
    let tips = tokio::spawn(runtime::tips::run(Arc::clone(&runtime)));
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
            polling::run(bot, Arc::clone(&runtime), config.http_timeout, stopped).await;
            Ok(())
        }
    };
    purge.abort();
    tips.abort();
    runtime.drain(DRAIN).await;
    log::info!("stopped");
    result
}
