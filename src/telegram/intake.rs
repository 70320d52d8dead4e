//! Intake: updates from `getUpdates` pages or webhook POSTs become inbox
//! entries, keyed by update id so a re-delivery is written once. Each is
//! decoded into the core's event here (see [`super::decode`]), so the inbox
//! holds no Telegram JSON; flood control counts it as it arrives.

use std::sync::Arc;

use serde_json::value::RawValue;
use teloxide::types::Update;

use super::api::json_failure;
use super::decode::{self, Me};
use crate::runtime::{Edge, Runtime};
use crate::store::NewEntry;

/// The inbox entry for one update as Telegram sent it; `None` for one that
/// cannot be read (logged) or dropped by flood control.
pub async fn entry<E: Edge>(
    runtime: &Runtime<E>,
    me: &Arc<Me>,
    json: &RawValue,
    now_ms: u64,
) -> Option<NewEntry> {
    let update: Update = match serde_json::from_str(json.get()) {
        Ok(update) => update,
        Err(e) => {
            log::warn!(
                "an update could not be read ({}); skipped",
                json_failure(&e)
            );
            return None;
        }
    };
    let key = format!("u:{}", update.id.0);
    let incoming = decode::decode(update, me).await;
    runtime.intake(key, incoming, now_ms)
}
