//! Long polling that confirms updates to Telegram only after they were
//! handled and saved.
//!
//! teloxide's own listener confirms an update (by asking for the next offset)
//! before its handler has run, so a crash could drop an answer Telegram will
//! never resend. Here a batch is handled completely — chats concurrently, each
//! chat's updates in order — before the next `getUpdates` confirms it. With
//! the update id stamped on every saved check ([`crate::store::ChatRecord`]),
//! a batch re-delivered after a crash is not applied twice: delivery is
//! at-least-once, the effect on a check exactly-once. Replies sent just before
//! a crash may be sent again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::UpdateHandler;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::flood::Verdict;
use super::outbox::{Target, say};
use super::{App, TgBot, now_ms, render};

type Handler = UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>>;

/// How long one `getUpdates` waits for news.
const POLL_SECONDS: u32 = 10;

/// Polls until `stop` turns true, then confirms what was handled and returns.
pub async fn run(
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    handler: Handler,
    mut stop: watch::Receiver<bool>,
) {
    let mut offset: i32 = 0;
    let mut backoff = Duration::from_millis(500);
    let allowed = [
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ];
    while !*stop.borrow() {
        let request = bot
            .get_updates()
            .offset(offset)
            .timeout(POLL_SECONDS)
            .allowed_updates(allowed);
        let updates = tokio::select! {
            result = request.send() => result,
            _ = stop.changed() => break,
        };
        let updates = match updates {
            Ok(updates) => {
                backoff = Duration::from_millis(500);
                updates
            }
            Err(e) => {
                log::error!("getUpdates failed: {e}; retrying in {backoff:?}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        if let Some(last) = updates.iter().map(|u| u.id.0).max() {
            handle_batch(&bot, &me, &app, &handler, updates).await;
            offset = i32::try_from(last).unwrap_or(i32::MAX).saturating_add(1);
        }
    }
    // Confirm the last batch, so a clean restart does not see it again.
    if offset > 0 {
        let confirm = bot
            .get_updates()
            .offset(offset)
            .timeout(0)
            .limit(1)
            .send()
            .await;
        if let Err(e) = confirm {
            log::warn!("could not confirm the last updates: {e}");
        }
    }
}

/// Handles a batch: each chat's updates in order, chats concurrently.
async fn handle_batch(
    bot: &TgBot,
    me: &Me,
    app: &Arc<App>,
    handler: &Handler,
    updates: Vec<Update>,
) {
    let mut by_chat: HashMap<i64, Vec<Update>> = HashMap::new();
    let mut order = Vec::new();
    for update in updates {
        // Updates without a chat get a key of their own (never a real chat id).
        let key = update
            .chat()
            .map_or(i64::MIN + i64::from(update.id.0), |c| c.id.0);
        if !by_chat.contains_key(&key) {
            order.push(key);
        }
        by_chat.entry(key).or_default().push(update);
    }
    let mut tasks = JoinSet::new();
    for key in order {
        let chat_updates = by_chat.remove(&key).unwrap_or_default();
        let (bot, me, app, handler) = (bot.clone(), me.clone(), Arc::clone(app), handler.clone());
        tasks.spawn(async move {
            for update in chat_updates {
                handle(&bot, &me, &app, &handler, update).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            log::error!("an update handler stopped unexpectedly: {e}");
        }
    }
}

/// Runs one update through flood control and the handler tree.
pub async fn handle(bot: &TgBot, me: &Me, app: &Arc<App>, handler: &Handler, update: Update) {
    if let Some(chat) = update.chat().map(|c| c.id) {
        match app.flood.check(chat.0, now_ms()) {
            Verdict::Allow => {}
            Verdict::Warn => {
                log::info!("chat {} is flooding; pausing replies for a minute", chat.0);
                let note = "You are sending a lot very quickly, so I will pause for a minute. \
                            Your answers so far are kept.";
                if let Err(e) = say(bot, Target::chat(chat), &render::plain(note), None).await {
                    log::error!("update {} failed: {e}", update.id.0);
                }
                return;
            }
            Verdict::Drop => return,
        }
    }
    let deps = dptree::deps![bot.clone(), me.clone(), Arc::clone(app), update];
    let _ = handler.dispatch(deps).await;
}
