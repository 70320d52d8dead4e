//! Periodic tips in groups: at most one per group per slot (day or week),
//! rotating through the dialogue's tips. The slot is claimed in the store
//! before posting, so a restart, a second pass or a second replica never
//! posts it twice.

use std::sync::Arc;
use std::time::Duration;

use super::outbox::{Target, gone, loggable, send};
use super::{App, TgBot, now_ms, render};
use crate::store::StoreError;

/// How often the schedule is looked at.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Posts every tip that is due at `now_ms`; returns how many were posted.
pub async fn post_due(bot: &TgBot, app: &App, now_ms: u64) -> Result<usize, StoreError> {
    let items = &app.script.tips.items;
    if items.is_empty() {
        return Ok(0);
    }
    let mut posted = 0;
    for (chat, mut settings) in app.store.groups_with_tips().await? {
        let Some(rhythm) = settings.tips else {
            continue;
        };
        let slot = rhythm.slot(now_ms);
        if settings.last_tip_slot.is_some_and(|last| last >= slot) {
            continue;
        }
        if !app.store.claim_tip_slot(chat, slot).await? {
            continue;
        }
        let tip = &items[(settings.tips_posted % items.len() as u64) as usize];
        settings.last_tip_slot = Some(slot);
        settings.tips_posted += 1;
        app.store.save_group(chat, &settings).await?;
        let to = Target {
            chat: teloxide::types::ChatId(chat),
            thread: settings.topic,
        };
        match send(
            bot,
            to,
            &render::periodic_tip(&app.script.tips.title, &tip.text),
            None,
        )
        .await
        {
            Ok(_) => posted += 1,
            Err(e) if gone(&e) => {
                log::info!("group {chat} is gone; its settings are deleted");
                app.store.delete_group(chat).await?;
            }
            Err(e) => log::error!("periodic tip for group {chat} failed: {}", loggable(&e)),
        }
    }
    Ok(posted)
}

/// Looks at the schedule every minute, for as long as the bot runs.
pub async fn run(bot: TgBot, app: Arc<App>) {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = post_due(&bot, &app, now_ms()).await {
            log::error!("periodic tips: {e}");
        }
    }
}
