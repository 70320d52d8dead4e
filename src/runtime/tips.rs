//! Periodic tips in groups: at most one per group per slot (day or week),
//! rotating through the dialogue's tips. Each due slot becomes an inbox
//! event keyed by group and slot, so however many passes or replicas see it
//! due, it is written once; the group's lane then posts it through the
//! outbox, where a failed send is retried rather than lost.

use std::sync::Arc;
use std::time::Duration;

use super::{Edge, Runtime, now_ms};
use crate::store::{Event, Groups, NewEntry, StoreError};

/// How often the schedule is looked at.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Queues every tip that is due at `now_ms`; returns how many were new.
pub async fn queue_due<E: Edge>(runtime: &Runtime<E>, now_ms: u64) -> Result<usize, StoreError> {
    let core = runtime.core();
    if core.dialogue.base().tips.items.is_empty() {
        return Ok(0);
    }
    let mut due = Vec::new();
    for (chat, settings) in core.store.groups_with_tips().await? {
        let Some(rhythm) = settings.tips else {
            continue;
        };
        let slot = rhythm.slot(now_ms);
        if settings.last_tip_slot.is_some_and(|last| last >= slot) {
            continue;
        }
        due.push(NewEntry {
            key: format!("tip:{chat}:{slot}"),
            chat,
            not_before_ms: 0,
            event: Event::TipDue { slot },
        });
    }
    runtime.receive_counted(due, now_ms).await
}

/// Looks at the schedule every minute, for as long as the bot runs.
pub async fn run<E: Edge>(runtime: Arc<Runtime<E>>) {
    let mut tick = tokio::time::interval(CHECK_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = queue_due(&runtime, now_ms()).await {
            log::error!("periodic tips: {e}");
        }
    }
}
