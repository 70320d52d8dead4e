//! Long polling: each `getUpdates` page is written to the inbox in one
//! batch, and only then confirmed — the next request's offset moves past
//! the whole page. The inbox is the at-least-once boundary: a crash after
//! the write loses nothing, one before it gets the page again from
//! Telegram, and the update ids remembered by the inbox keep it from being
//! handled twice. Handling happens in the chats' lanes, so a slow chat
//! never holds up the offset or any other chat.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::watch;

use super::api::{self, TgBot};
use super::decode::Me;
use crate::runtime::Failure;
use crate::runtime::now_ms;
use crate::runtime::{Edge, Runtime};

/// How long one `getUpdates` waits for news, at most.
const POLL_SECONDS: u64 = 10;
/// The longest pause between failed attempts (to fetch, or to store a page).
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A `getUpdates` answer's items, left unparsed, and their ids.
#[derive(Deserialize)]
struct UpdateId {
    update_id: i64,
}

/// Polls until `stop` turns true; every page fetched is stored and confirmed.
pub async fn run<E: Edge>(
    bot: TgBot,
    me: Arc<Me>,
    runtime: Arc<Runtime<E>>,
    http_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // teloxide's client timeout is not stretched for long polls: stay inside it.
    let wait = http_timeout.as_secs().saturating_sub(2).min(POLL_SECONDS);
    let mut offset: i64 = 0;
    let mut backoff = Duration::from_millis(250);
    loop {
        let page = tokio::select! {
            page = get_updates(&bot, offset, wait) => page,
            _ = stop.changed() => break,
        };
        let items = match page {
            Ok(items) => {
                backoff = Duration::from_millis(250);
                items
            }
            Err(failure) => {
                let pause = match failure {
                    Failure::RetryAfter(wait) => wait,
                    _ => backoff,
                };
                log::error!("getUpdates failed: {failure:?}; again in {pause:?}");
                backoff = (backoff * 2).min(MAX_BACKOFF);
                if pause_or_stop(pause, &mut stop).await {
                    break;
                }
                continue;
            }
        };
        let Some(last) = items.iter().map(|(id, _)| *id).max() else {
            continue;
        };
        let now = now_ms();
        let mut entries = Vec::with_capacity(items.len());
        for (_, json) in &items {
            entries.extend(super::intake::entry(&runtime, &me, json, now).await);
        }
        // Not confirmed until stored: on a store failure the same page is
        // written again (the ids keep it idempotent).
        let mut store_backoff = Duration::from_millis(250);
        loop {
            match runtime.receive(entries.clone(), now).await {
                Ok(()) => break,
                Err(e) => {
                    log::error!(
                        "a page of updates could not be stored: {e}; again in {store_backoff:?}"
                    );
                    if pause_or_stop(store_backoff, &mut stop).await {
                        return;
                    }
                    store_backoff = (store_backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
        offset = last + 1;
    }
    // Confirm the last page stored, so a clean restart does not fetch it again.
    if offset > 0
        && let Err(failure) = confirm(&bot, offset).await
    {
        log::warn!("could not confirm the last updates: {failure:?}");
    }
}

/// Sleeps `pause`; true when asked to stop meanwhile.
async fn pause_or_stop(pause: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(pause) => false,
        _ = stop.changed() => true,
    }
}

/// Asks for the updates from `offset` on, waiting up to `wait` seconds.
async fn get_updates(
    bot: &TgBot,
    offset: i64,
    wait: u64,
) -> Result<Vec<(i64, Box<RawValue>)>, Failure> {
    let body = serde_json::json!({
        "offset": offset,
        "timeout": wait,
        "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"],
    });
    let result = api::call(bot, "getUpdates", &body).await?;
    let items: Vec<Box<RawValue>> = serde_json::from_str(result.get()).map_err(|e| {
        Failure::Transient(format!(
            "a page that is not a list ({})",
            api::json_failure(&e)
        ))
    })?;
    Ok(items
        .into_iter()
        .filter_map(|json| match serde_json::from_str::<UpdateId>(json.get()) {
            Ok(UpdateId { update_id }) => Some((update_id, json)),
            Err(_) => {
                log::warn!("getUpdates returned an item without an update id; skipped");
                None
            }
        })
        .collect())
}

/// Confirms everything below `offset` without waiting for news.
async fn confirm(bot: &TgBot, offset: i64) -> Result<(), Failure> {
    let body = serde_json::json!({ "offset": offset, "timeout": 0, "limit": 1 });
    api::call(bot, "getUpdates", &body).await.map(drop)
}
