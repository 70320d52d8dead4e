//! The Matrix edge, and only the edge: Matrix events are known here and
//! nowhere else. The bot is one Matrix account with one device, whose
//! session, state and crypto stores (its keys) live in `MATRIX_STORE` and
//! survive restarts. A sync loop accepts invitations, decodes each batch's
//! timeline events (decrypted by the SDK in encrypted rooms) into the
//! core's events (`decode`), writes them to the inbox, and only then keeps
//! the batch's `since` token: a crash in between syncs the batch again,
//! and the inbox keys (event ids) keep it from being handled twice. The
//! runtime's sender delivers through [`edge::Matrix`].

mod decode;
pub mod edge;
pub mod rooms;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::SyncSettings;
use matrix_sdk::ruma::UserId;
use matrix_sdk::{Client, Room, SessionMeta, SessionTokens};
use serde_json::Value;
use tokio::sync::watch;

use crate::config::Matrix as Settings;
use crate::message::{ChatKind, Incoming, What};
use crate::runtime::{Edge, Runtime, now_ms};
use crate::store::REMEMBER_MS;
pub use edge::Matrix;
use rooms::Rooms;

/// How long one sync waits for news, at most.
const POLL: Duration = Duration::from_secs(10);
/// The longest pause between failed attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The lease one replica holds while it runs the sync (with Redis).
const SYNC_LEASE: &str = "matrix-sync";

/// How long the sync lease lasts unrenewed: past a whole long poll, so the
/// replica syncing keeps it, and short enough for a standby to take over
/// soon after it is gone.
const SYNC_LEASE_MS: u64 = POLL.as_millis() as u64 + 20_000;

/// How often a standby replica asks whether the sync is free.
const STANDBY_PAUSE: Duration = Duration::from_secs(5);

/// Why Matrix could not be served.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// The store folder or a file in it could not be used.
    #[error("MATRIX_STORE: {0}")]
    Store(String),
    /// The homeserver refused or could not be reached.
    #[error("Matrix: {0}")]
    Homeserver(String),
}

fn store_error(e: impl std::fmt::Display) -> MatrixError {
    MatrixError::Store(e.to_string())
}

fn homeserver_error(e: impl std::fmt::Display) -> MatrixError {
    MatrixError::Homeserver(e.to_string())
}

/// Writes `text` to `path` whole or not at all (a new file renamed over),
/// readable by the owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let temporary = path.with_extension("new");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// Whether a room is a direct chat: the bot and one person. The summary's
/// count is not always sent (without lazy loading), so the members the
/// store knows count too.
async fn private(room: &Room) -> bool {
    let known = room
        .joined_user_ids()
        .await
        .map_or(0, |ids| ids.len() as u64);
    room.joined_members_count().max(known) <= 2
}

/// Logs in (once: the session is kept in the store) or restores the kept
/// session, opens the SDK's stores, and learns the rooms already joined.
pub async fn connect(settings: &Settings) -> Result<Matrix, MatrixError> {
    std::fs::create_dir_all(&settings.store).map_err(store_error)?;
    let client = Client::builder()
        .homeserver_url(settings.homeserver.as_str())
        .sqlite_store(settings.store.join("sdk"), None)
        .build()
        .await
        .map_err(homeserver_error)?;
    let session_file = settings.store.join("session.json");
    match std::fs::read_to_string(&session_file) {
        Ok(text) => {
            let session: MatrixSession = serde_json::from_str(&text).map_err(store_error)?;
            client
                .restore_session(session)
                .await
                .map_err(homeserver_error)?;
        }
        Err(_) => {
            if let Some(password) = &settings.password {
                client
                    .matrix_auth()
                    .login_username(&settings.user, password.expose())
                    .initial_device_display_name(&settings.device_name)
                    .await
                    .map_err(homeserver_error)?;
            } else if let Some(token) = &settings.access_token {
                // The token alone: ask the homeserver whose device it is.
                let session = |user_id, device_id| MatrixSession {
                    meta: SessionMeta { user_id, device_id },
                    tokens: SessionTokens {
                        access_token: token.expose().to_string(),
                        refresh_token: None,
                    },
                };
                let user = UserId::parse(&settings.user).map_err(homeserver_error)?;
                client
                    .restore_session(session(user, "PENDING".into()))
                    .await
                    .map_err(homeserver_error)?;
                let me = client.whoami().await.map_err(homeserver_error)?;
                let device = me.device_id.ok_or_else(|| {
                    MatrixError::Homeserver("the access token names no device".to_string())
                })?;
                client
                    .restore_session(session(me.user_id, device))
                    .await
                    .map_err(homeserver_error)?;
            }
            let session = client
                .matrix_auth()
                .session()
                .ok_or_else(|| MatrixError::Homeserver("no session after logging in".into()))?;
            let text = serde_json::to_string(&session).map_err(store_error)?;
            write_private(&session_file, &text).map_err(store_error)?;
        }
    }
    let bot = client
        .user_id()
        .ok_or_else(|| MatrixError::Homeserver("logged in without a user id".into()))?
        .to_owned();
    let rooms = Arc::new(Rooms::default());
    for room in client.joined_rooms() {
        rooms.note(room.room_id(), private(&room).await);
    }
    log::info!(
        "Matrix: logged in as {bot} on {}",
        settings.homeserver.host_str().unwrap_or("?")
    );
    Ok(Matrix { client, bot, rooms })
}

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
}

/// Syncs until `stop` turns true: invitations are accepted, each batch's
/// events are written to the inbox, then its position is kept.
pub async fn sync<E: Edge>(
    syncing: Syncing,
    runtime: Arc<Runtime<E>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut since = std::fs::read_to_string(&syncing.since_file)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let mut backoff = Duration::from_millis(250);
    let mut standing_by = false;
    loop {
        // One replica syncs (one device, one position); the others stand by
        // and take over when its claim lapses.
        match runtime.claim_intake(SYNC_LEASE, SYNC_LEASE_MS).await {
            Ok(true) => {
                if standing_by {
                    log::info!("Matrix: this replica syncs now");
                    standing_by = false;
                }
            }
            Ok(false) => {
                if !standing_by {
                    log::info!("Matrix: another replica syncs; this one stands by");
                    standing_by = true;
                }
                if pause_or_stop(STANDBY_PAUSE, &mut stop).await {
                    return;
                }
                continue;
            }
            Err(e) => {
                log::warn!(
                    "Matrix: the sync lease could not be claimed ({e}); again in {backoff:?}"
                );
                if pause_or_stop(backoff, &mut stop).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        }
        let mut settings = SyncSettings::default().timeout(POLL);
        if let Some(token) = &since {
            settings = settings.token(token.clone());
        }
        let response = tokio::select! {
            response = syncing.client.sync_once(settings) => response,
            _ = stop.changed() => {
                let _ = runtime.release_intake(SYNC_LEASE).await;
                return;
            }
        };
        let response = match response {
            Ok(response) => {
                backoff = Duration::from_millis(250);
                response
            }
            Err(e) => {
                log::warn!("Matrix sync failed ({e}); again in {backoff:?}");
                if pause_or_stop(backoff, &mut stop).await {
                    return;
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        for room_id in response.rooms.invited.keys() {
            if let Some(room) = syncing.client.get_room(room_id)
                && let Err(e) = room.join().await
            {
                log::warn!("Matrix: could not accept an invitation ({e})");
            }
        }
        let now = now_ms();
        let mut entries = Vec::new();
        for (room_id, update) in &response.rooms.joined {
            let Some(room) = syncing.client.get_room(room_id) else {
                continue;
            };
            let private = private(&room).await;
            let place = decode::Place {
                chat: syncing.rooms.note(room_id, private),
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
                .filter(|json| json.get("state_key").and_then(Value::as_str) == Some(&syncing.bot));
            // Events older than the inbox remembers keys could be handled a
            // second time (a standby replica taking over from an old
            // position): they are past answering anyway.
            let oldest = now.saturating_sub(REMEMBER_MS);
            let timeline = update
                .timeline
                .events
                .iter()
                .filter_map(|e| e.raw().deserialize_as::<Value>().ok())
                .filter(|json| {
                    json.get("origin_server_ts")
                        .and_then(Value::as_u64)
                        .is_none_or(|at| at >= oldest)
                });
            for json in own_joins.chain(timeline) {
                if let Some((key, incoming)) = decode::event(&json, place, &syncing.bot) {
                    entries.extend(runtime.intake(key, incoming, now));
                }
            }
        }
        for room_id in response.rooms.left.keys() {
            // Left or removed: a group's settings go (a direct chat keeps
            // its person's data until they ask, as on Telegram).
            let chat = rooms::chat_of(room_id, false);
            let gone = Incoming {
                chat,
                kind: ChatKind::Group,
                from: None,
                as_chat: false,
                topic: None,
                what: What::BotRemoved,
            };
            let key = format!("mx-left:{room_id}:{}", response.next_batch);
            entries.extend(runtime.intake(key, gone, now));
        }
        // Not kept until stored: on a store failure the same batch is
        // written again (the event ids keep it idempotent).
        let mut store_backoff = Duration::from_millis(250);
        while let Err(e) = runtime.receive(entries.clone(), now).await {
            log::error!("a Matrix batch could not be stored: {e}; again in {store_backoff:?}");
            if pause_or_stop(store_backoff, &mut stop).await {
                return;
            }
            store_backoff = (store_backoff * 2).min(MAX_BACKOFF);
        }
        if let Err(e) = write_private(&syncing.since_file, &response.next_batch) {
            log::error!("the Matrix sync position could not be kept: {e}");
        }
        since = Some(response.next_batch);
    }
}

/// Sleeps `pause`; true when asked to stop meanwhile.
async fn pause_or_stop(pause: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(pause) => false,
        _ = stop.changed() => true,
    }
}
