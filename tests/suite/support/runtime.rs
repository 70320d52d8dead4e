//! The bot's parts run in this process against the fake API, as `run`
//! starts them, for tests that drive them by hand (the tip schedule).

use std::sync::Arc;
use std::time::Duration;

use fake_bot_api::FakeApi;
use nasal_twitch_bot::config::{Config, Secret, Storage};
use nasal_twitch_bot::conversation::Core;
use nasal_twitch_bot::telegram::{self, TelegramRuntime};

use super::{TOKEN, stable};

/// A configuration for running the bot's parts in-process against `api`,
/// on the stable fixture.
pub fn config(api: &FakeApi, storage: Storage) -> Config {
    Config {
        token: Some(Secret::new(TOKEN)),
        matrix: None,
        api_url: Some(url::Url::parse(&api.url).unwrap()),
        dialogues: stable::dir(),
        locales: super::repo_path("locales"),
        dialogue: None,
        storage,
        session_ttl: Duration::from_secs(3600),
        follow_up_after: None,
        welcome_delay: Duration::from_millis(10),
        http_timeout: Duration::from_secs(5),
        redis_prefix: "test".to_string(),
        webhook: None,
        throttle: false,
        send_retry_window: nasal_twitch_bot::config::DEFAULT_SEND_RETRY_WINDOW,
        flood_limit: nasal_twitch_bot::config::DEFAULT_FLOOD_LIMIT,
    }
}

/// The bot's lanes running in this process against `api`, as `run` starts them.
pub async fn start_runtime(config: &Config) -> Arc<TelegramRuntime> {
    let bot = telegram::connect(config);
    let core = Arc::new(Core::load(config).await.unwrap());
    let me = telegram::whoami(&bot).await.unwrap();
    telegram::start(core, bot, me, config)
}
