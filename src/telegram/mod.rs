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
use tokio::sync::watch;

use teloxide::prelude::*;

use crate::config::Config;
use crate::conversation::Core;
use crate::runtime::shutdown::unless_stopped;
use crate::runtime::{Edge, Runtime, Settings};
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
    Runtime::start(
        core,
        Telegram {
            bot,
            me: Arc::new(me),
        },
        settings(config),
    )
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

/// Connects to Telegram and sets the command menus and profile in every
/// language, as `run` does before anything is received; `None` when a stop
/// came first.
pub async fn prepare(
    config: &Config,
    core: &Core,
    stopped: &mut watch::Receiver<bool>,
) -> Option<Result<Telegram, RunError>> {
    let mode = match &config.webhook {
        // Not the path of WEBHOOK_URL: people put secrets in it.
        Some(w) => format!("webhook on {}", w.listen),
        None => "long polling".to_string(),
    };
    log::info!("Telegram: {mode}");
    let bot = connect(config);
    let me = match unless_stopped(stopped, whoami(&bot)).await? {
        Ok(me) => me,
        Err(e) => return Some(Err(e)),
    };
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
            calls.push(
                unless_stopped(stopped, set.into_future())
                    .await?
                    .map(|_| ()),
            );
        }
        let mut description = bot
            .api()
            .set_my_description()
            .description(catalog.text("bot-description"));
        description.language_code.clone_from(&code);
        calls.push(
            unless_stopped(stopped, description.into_future())
                .await?
                .map(|_| ()),
        );
        let mut short = bot
            .api()
            .set_my_short_description()
            .short_description(catalog.text("bot-short-description"));
        short.language_code.clone_from(&code);
        calls.push(
            unless_stopped(stopped, short.into_future())
                .await?
                .map(|_| ()),
        );
        for failed in calls.iter().filter_map(|c| c.as_ref().err()) {
            log::warn!(
                "could not set a menu or the profile in `{}`: {}",
                script.language,
                api::loggable(failed)
            );
        }
    }
    Some(Ok(Telegram {
        bot,
        me: Arc::new(me),
    }))
}

/// Receives updates (long polling, or a webhook when configured) into
/// `runtime` until `stopped` turns true.
pub async fn receive<E: Edge>(
    config: &Config,
    telegram: (TgBot, Arc<Me>),
    runtime: Arc<Runtime<E>>,
    stopped: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let (bot, me) = telegram;
    match &config.webhook {
        Some(webhook) => webhook::run(bot, me, runtime, webhook, stopped).await,
        None => {
            if let Err(e) = bot.api().delete_webhook().await {
                log::warn!(
                    "could not remove a webhook before polling: {}",
                    api::loggable(&e)
                );
            }
            polling::run(bot, me, runtime, config.http_timeout, stopped).await;
            Ok(())
        }
    }
}
