//! Taking Matrix events in: the sync loop. One replica at a time holds the
//! intake (the lease `matrix-sync`, with Redis): it accepts invitations,
//! decodes each batch's timeline events (decrypted by the SDK in encrypted
//! rooms) into the core's events, writes them to the inbox, and only then
//! keeps the batch's `since` token, so a crash in between syncs the batch
//! again and the inbox keys (event ids) keep it from being handled twice.
//!
//! The other replicas stand by, but keep their own device current: a
//! standby syncs every few seconds, taking nothing in, so its keys are on
//! the homeserver (people's clients encrypt for it too), it holds the room
//! keys sent to it and knows the rooms its sender may deliver to. What it
//! saw in the last minute it keeps, decoded; on taking over it takes that
//! in first (what the replica before it took in already is known by its
//! key), since the one that held the intake may have died before taking in
//! what came last. The intake then goes on from the standby's position:
//! one SDK client follows one position, and it skips a batch whose token it
//! has already seen. A replica whose syncs fail for longer than a long poll
//! stops renewing the intake, so a standby that can sync takes over while
//! what it saw is still within its minute.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::Client;
use matrix_sdk::config::{SyncSettings, SyncToken};
use matrix_sdk::ruma::api::client::filter::FilterDefinition;
use matrix_sdk::ruma::api::client::sync::sync_events;
use matrix_sdk::sync::SyncResponse;
use serde_json::Value;
use tokio::sync::watch;

use super::rooms::{self, Rooms};
use super::{Matrix, decode, private, write_private};
use crate::message::{ChatKind, Incoming, What};
use crate::runtime::{Edge, Runtime, now_ms};
use crate::store::REMEMBER_MS;

/// How long one sync waits for news, at most.
const POLL: Duration = Duration::from_secs(10);
/// The same, in milliseconds.
const POLL_MS: u64 = POLL.as_millis() as u64;
/// The first pause after a failed attempt.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest pause between failed attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The lease one replica holds while it takes the events in (with Redis).
const SYNC_LEASE: &str = "matrix-sync";

/// How long the sync lease lasts unrenewed: past a whole long poll, so the
/// replica syncing keeps it, and short enough for a standby to take over
/// soon after it is gone.
const SYNC_LEASE_MS: u64 = POLL_MS + 20_000;

/// How often a standby replica asks whether the intake is free (and syncs
/// its own device meanwhile).
const STANDBY_PAUSE: Duration = Duration::from_secs(5);

/// How long a standby keeps what it saw. The replica before it renewed the
/// lease before its last sync and may have died before taking that sync's
/// events in: those are at most a long poll older than the renewal, which
/// is at most a lease (and one pause) before the takeover.
const RECENT_MS: u64 = 2 * SYNC_LEASE_MS;

/// The most timeline events a sync brings per room. Past it a room's
/// timeline has a gap, so it is well above what one room sees between two
/// syncs.
const TIMELINE_LIMIT: u32 = 50;

/// What the sync loop needs of the edge (the client is shared with it).
pub struct Syncing {
    client: Client,
    bot: String,
    rooms: Arc<Rooms>,
    since_file: PathBuf,
}

impl Syncing {
    /// The sync loop's view of `matrix`, keeping its position in `store`.
    pub fn new(matrix: &Matrix, store: &Path) -> Syncing {
        Syncing {
            client: matrix.client.clone(),
            bot: matrix.bot.to_string(),
            rooms: Arc::clone(&matrix.rooms),
            since_file: store.join("since"),
        }
    }

    /// One sync from `since`, waiting up to `wait`.
    async fn once(&self, since: SyncToken, wait: Duration) -> matrix_sdk::Result<SyncResponse> {
        let mut definition = FilterDefinition::empty();
        definition.room.timeline.limit = Some(TIMELINE_LIMIT.into());
        let settings = SyncSettings::default()
            .timeout(wait)
            .filter(sync_events::v3::Filter::FilterDefinition(definition))
            .token(since);
        self.client.sync_once(settings).await
    }

    /// The core's events in a batch, those sent at `oldest` or later (the
    /// rooms it names are noted, so the sender can find them).
    async fn decode(&self, response: &SyncResponse, oldest: u64) -> Vec<(String, Incoming)> {
        let mut events = Vec::new();
        let recent = |json: &Value| {
            json.get("origin_server_ts")
                .and_then(Value::as_u64)
                .is_none_or(|at| at >= oldest)
        };
        for (room_id, update) in &response.rooms.joined {
            let Some(room) = self.client.get_room(room_id) else {
                continue;
            };
            let private = private(&room).await;
            let place = decode::Place {
                chat: self.rooms.note(room_id, private),
                private,
            };
            // The bot's own join may come as state rather than in the
            // timeline; the event id keys it, so seeing it twice is once.
            let state = match &update.state {
                matrix_sdk::sync::State::Before(events)
                | matrix_sdk::sync::State::After(events) => events,
            };
            let own_joins = state
                .iter()
                .filter_map(|e| e.deserialize_as::<Value>().ok())
                .filter(|json| json.get("state_key").and_then(Value::as_str) == Some(&self.bot));
            let timeline = update
                .timeline
                .events
                .iter()
                .filter_map(|e| e.raw().deserialize_as::<Value>().ok());
            for json in own_joins.chain(timeline).filter(recent) {
                events.extend(decode::event(&json, place, &self.bot));
            }
        }
        for (room_id, update) in &response.rooms.left {
            // Left or removed: a group's settings go (a direct chat keeps
            // its person's data until they ask, as on Telegram). Keyed by
            // the bot's leaving, which every replica sees the same.
            let left = update
                .timeline
                .events
                .iter()
                .rev()
                .filter_map(|e| e.raw().deserialize_as::<Value>().ok())
                .filter(|json| json.get("state_key").and_then(Value::as_str) == Some(&self.bot))
                .find_map(|json| Some(json.get("event_id")?.as_str()?.to_string()))
                .unwrap_or_else(|| response.next_batch.clone());
            let gone = Incoming {
                chat: rooms::chat_of(room_id, false),
                kind: ChatKind::Group,
                from: None,
                as_chat: false,
                topic: None,
                what: What::BotRemoved,
            };
            events.push((format!("mx-left:{room_id}:{left}"), gone));
        }
        events
    }

    /// Accepts every invitation the bot has not answered yet.
    async fn accept_invitations(&self) {
        for room in self.client.invited_rooms() {
            if let Err(e) = room.join().await {
                log::warn!("Matrix: could not accept an invitation ({e})");
            }
        }
    }
}

/// A standby replica's own position and what it saw lately, decoded.
#[derive(Default)]
struct Standby {
    since: Option<String>,
    recent: VecDeque<(u64, String, Incoming)>,
    failing: bool,
}

impl Standby {
    /// Standing by from `since`: the position this replica last took in,
    /// so that one that ran before needs no sync from the start.
    fn at(since: Option<String>) -> Standby {
        Standby {
            since,
            ..Standby::default()
        }
    }

    /// One sync of this device, taking nothing in (see the module's notes).
    async fn keep_current(&mut self, syncing: &Syncing) {
        match syncing.once(token(&self.since), Duration::ZERO).await {
            Ok(response) => {
                if std::mem::take(&mut self.failing) {
                    log::info!("Matrix: this standby replica syncs its device again");
                }
                let now = now_ms();
                let oldest = now.saturating_sub(RECENT_MS);
                for (key, incoming) in syncing.decode(&response, oldest).await {
                    self.recent.push_back((now, key, incoming));
                }
                while self.recent.front().is_some_and(|(at, _, _)| *at < oldest) {
                    self.recent.pop_front();
                }
                self.since = Some(response.next_batch);
            }
            Err(e) if !self.failing => {
                // Its device falls behind: a takeover now would start blind.
                log::warn!("Matrix: a standby replica could not sync its device ({e})");
                self.failing = true;
            }
            Err(e) => log::debug!("Matrix: a standby sync failed again ({e})"),
        }
    }
}

/// Syncs until `stop` turns true: with the intake, invitations are
/// accepted, each batch's events are written to the inbox, then its
/// position is kept; without it, this replica stands by. The intake is
/// released on the way out, so another replica need not wait for it.
pub async fn sync<E: Edge>(
    syncing: Syncing,
    runtime: Arc<Runtime<E>>,
    mut stop: watch::Receiver<bool>,
) {
    run(&syncing, &runtime, &mut stop).await;
    if let Err(e) = runtime.release_intake(SYNC_LEASE).await {
        log::warn!("Matrix: the sync lease could not be released ({e})");
    }
}

/// The sync loop; returns when asked to stop.
async fn run<E: Edge>(syncing: &Syncing, runtime: &Runtime<E>, stop: &mut watch::Receiver<bool>) {
    let mut since = std::fs::read_to_string(&syncing.since_file)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let mut standby: Option<Standby> = None;
    let mut backoff = FIRST_BACKOFF;
    // Since when this replica's syncs fail. Past a long poll of failures it
    // stops renewing the intake, so a standby that can sync takes over
    // while what it saw is still in its last minute.
    let mut failing_since: Option<u64> = None;
    loop {
        let stalled = failing_since.is_some_and(|at| now_ms().saturating_sub(at) > POLL_MS);
        if !stalled {
            match runtime.claim_intake(SYNC_LEASE, SYNC_LEASE_MS).await {
                Ok(true) => {
                    if let Some(taken) = standby.take() {
                        log::info!("Matrix: this replica syncs now");
                        if !take_over(syncing, runtime, &taken, stop).await {
                            return;
                        }
                        since = taken.since.or(since);
                    }
                }
                Ok(false) => {
                    let standing = standby.get_or_insert_with(|| {
                        log::info!("Matrix: another replica syncs; this one stands by");
                        Standby::at(since.clone())
                    });
                    standing.keep_current(syncing).await;
                    if pause_or_stop(STANDBY_PAUSE, stop).await {
                        return;
                    }
                    continue;
                }
                Err(e) => {
                    log::warn!(
                        "Matrix: the sync lease could not be claimed ({e}); again in {backoff:?}"
                    );
                    if pause_or_stop(backoff, stop).await {
                        return;
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            }
        }
        let response = tokio::select! {
            response = syncing.once(token(&since), POLL) => response,
            _ = stop.changed() => return,
        };
        let response = match response {
            Ok(response) => response,
            Err(e) => {
                failing_since.get_or_insert_with(now_ms);
                log::warn!("Matrix sync failed ({e}); again in {backoff:?}");
                if pause_or_stop(backoff, stop).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        backoff = FIRST_BACKOFF;
        if failing_since.take().is_some() {
            if stalled
                && !matches!(
                    runtime.claim_intake(SYNC_LEASE, SYNC_LEASE_MS).await,
                    Ok(true)
                )
            {
                // Another replica took over meanwhile, and takes this in.
                continue;
            }
            // The homeserver is back: what it is owed need not wait.
            runtime.platform_answers(rooms::is_matrix);
        }
        for room_id in response.rooms.invited.keys() {
            if let Some(room) = syncing.client.get_room(room_id)
                && let Err(e) = room.join().await
            {
                log::warn!("Matrix: could not accept an invitation ({e})");
            }
        }
        let now = now_ms();
        let events = syncing
            .decode(&response, now.saturating_sub(REMEMBER_MS))
            .await;
        if !store_batch(runtime, events, now, stop).await {
            return;
        }
        if let Err(e) = write_private(&syncing.since_file, &response.next_batch) {
            log::error!("the Matrix sync position could not be kept: {e}");
        }
        since = Some(response.next_batch);
    }
}

/// Taking the intake over from a replica that stopped: what this one saw
/// as a standby in the last minute is taken in first (what the other took
/// in already is known by its key), then the invitations still open are
/// accepted. False when asked to stop first.
async fn take_over<E: Edge>(
    syncing: &Syncing,
    runtime: &Runtime<E>,
    taken: &Standby,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let seen = taken
        .recent
        .iter()
        .map(|(_, key, incoming)| (key.clone(), incoming.clone()))
        .collect();
    if !store_batch(runtime, seen, now_ms(), stop).await {
        return false;
    }
    syncing.accept_invitations().await;
    true
}

/// The token to sync from: never the SDK's own last one (which position is
/// meant is ours to say); none, from the start.
fn token(since: &Option<String>) -> SyncToken {
    since
        .clone()
        .map_or(SyncToken::NoToken, SyncToken::Specific)
}

/// Writes a batch's events to the inbox, trying again until it is stored
/// (the event ids keep a batch written twice idempotent); false when asked
/// to stop first.
async fn store_batch<E: Edge>(
    runtime: &Runtime<E>,
    events: Vec<(String, Incoming)>,
    now: u64,
    stop: &mut watch::Receiver<bool>,
) -> bool {
    let entries: Vec<_> = events
        .into_iter()
        .filter_map(|(key, incoming)| runtime.intake(key, incoming, now))
        .collect();
    let mut backoff = FIRST_BACKOFF;
    while let Err(e) = runtime.receive(entries.clone(), now).await {
        log::error!("a Matrix batch could not be stored: {e}; again in {backoff:?}");
        if pause_or_stop(backoff, stop).await {
            return false;
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    true
}

/// Sleeps `pause`; true when asked to stop meanwhile.
async fn pause_or_stop(pause: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(pause) => false,
        _ = stop.changed() => true,
    }
}
