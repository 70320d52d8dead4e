//! Every platform the bot serves, in one process over one store: Telegram
//! when `TELOXIDE_TOKEN` is set, Matrix when `MATRIX_HOMESERVER` is, or
//! both. One runtime serves them: its edge sends each chat's replies through
//! the platform the chat is on (Matrix chats have ids of their own range).

use std::sync::Arc;
use std::time::Duration;

use serde_json::value::RawValue;

use crate::config::Config;
use crate::conversation::{Core, LoadFailure, Platform, PlatformError};
use crate::matrix::{self, Matrix, MatrixError};
use crate::message::{Incoming, MessageId};
use crate::runtime::shutdown::{stop_signals, unless_stopped};
use crate::runtime::{self, Edge, Failure, Runtime, Settings};
use crate::store::OutboxEntry;
use crate::telegram::{self, Telegram};

/// How long shutdown waits for lanes at work.
const DRAIN: Duration = Duration::from_secs(10);

/// The platforms being served.
pub struct Platforms {
    /// Telegram, when served.
    pub telegram: Option<Telegram>,
    /// Matrix, when served.
    pub matrix: Option<Matrix>,
}

/// Why the bot could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The dialogue or the store could not be made ready.
    #[error(transparent)]
    Load(#[from] LoadFailure),
    /// Stop signals cannot be listened for.
    #[error("cannot listen for SIGTERM/SIGINT: {0}")]
    Signals(std::io::Error),
    /// Telegram could not be served.
    #[error(transparent)]
    Telegram(#[from] telegram::RunError),
    /// Matrix could not be served.
    #[error(transparent)]
    Matrix(#[from] MatrixError),
}

impl Platform for Platforms {
    async fn is_admin(&self, chat: i64, person: i64) -> Result<bool, PlatformError> {
        match (&self.telegram, &self.matrix) {
            (_, Some(m)) if matrix::rooms::is_matrix(chat) => m.is_admin(chat, person).await,
            (Some(t), _) => t.is_admin(chat, person).await,
            _ => Ok(false),
        }
    }

    async fn upgrade(&self, raw: &RawValue) -> Option<Incoming> {
        // Only Telegram's updates were ever stored raw.
        match &self.telegram {
            Some(t) => t.upgrade(raw).await,
            None => None,
        }
    }
}

impl Edge for Platforms {
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Option<MessageId>, Failure> {
        match (&self.telegram, &self.matrix) {
            (_, Some(m)) if matrix::rooms::is_matrix(entry.chat) => m.deliver(entry).await,
            (Some(t), _) if !matrix::rooms::is_matrix(entry.chat) => t.deliver(entry).await,
            // A chat of a platform not served now: it waits for the next run.
            _ => Err(Failure::Transient("its platform is not served".to_string())),
        }
    }
}

/// Runs every configured platform until SIGINT or SIGTERM.
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
    let telegram = match config.token {
        Some(_) => match telegram::prepare(&config, &core, &mut stopped).await {
            None => return stopped_early(),
            Some(prepared) => Some(prepared?),
        },
        None => None,
    };
    let matrix = match &config.matrix {
        Some(settings) => match unless_stopped(&mut stopped, matrix::connect(settings)).await {
            None => return stopped_early(),
            Some(connected) => Some(connected?),
        },
        None => None,
    };
    let receiving_telegram = telegram.as_ref().map(|t| (t.bot.clone(), t.me.clone()));
    let syncing = matrix
        .as_ref()
        .zip(config.matrix.as_ref())
        .map(|(m, settings)| matrix::Syncing::new(m, &settings.store));
    // Telegram's limits are the stricter: with both, they hold for both.
    let limits = if telegram.is_some() {
        telegram::edge::LIMITS
    } else {
        matrix::edge::LIMITS
    };
    let settings = Settings {
        throttle: config.throttle,
        limits,
        send_retry_window: config.send_retry_window,
    };
    let runtime = Runtime::start(Arc::clone(&core), Platforms { telegram, matrix }, settings);
    let purge = tokio::spawn(runtime::purge_idle(Arc::clone(&core)));
    let tips = tokio::spawn(runtime::tips::run(Arc::clone(&runtime)));
    let matrix_sync = syncing
        .map(|syncing| tokio::spawn(matrix::sync(syncing, Arc::clone(&runtime), stopped.clone())));
    log::info!("bot is running; stop with Ctrl-C or SIGTERM");
    let result = match receiving_telegram {
        Some(telegram) => {
            telegram::receive(&config, telegram, Arc::clone(&runtime), stopped.clone()).await
        }
        None => {
            let _ = stopped.wait_for(|stop| *stop).await;
            Ok(())
        }
    };
    if let Some(sync) = matrix_sync {
        let _ = sync.await;
    }
    purge.abort();
    tips.abort();
    runtime.drain(DRAIN).await;
    log::info!("stopped");
    result.map_err(RunError::from)
}
