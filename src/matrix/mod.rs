//! The Matrix edge, and only the edge: Matrix events are known here and
//! nowhere else. The bot is one Matrix account; each process (replica) is
//! one device of it, whose session, state and crypto stores (its keys)
//! live in `MATRIX_STORE` and survive restarts. Here: logging in. The sync
//! loop that takes events into the inbox is [`intake`]; the runtime's
//! sender delivers through [`edge::Matrix`].

mod decode;
pub mod edge;
mod intake;
pub mod rooms;

use std::path::Path;
use std::sync::Arc;

use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::ruma::UserId;
use matrix_sdk::store::StateStoreDataKey;
use matrix_sdk::{Client, Room, SessionMeta, SessionTokens};

use crate::config::Matrix as Settings;
pub use edge::Matrix;
pub use intake::{Syncing, sync};
use rooms::Rooms;

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
        // MATRIX_HOMESERVER is the address to use, before and after a
        // restart: not the public one a login answer may name instead.
        .respect_login_well_known(false)
        .sqlite_store(settings.store.join("sdk"), None)
        .build()
        .await
        .map_err(homeserver_error)?;
    // The SDK skips a sync answer at the position it saw last. After a crash
    // between a sync and writing its events to the inbox, the bot's own
    // position is behind the SDK's, and syncing again from it must not be
    // skipped: each run starts with the SDK remembering no position.
    client
        .state_store()
        .remove_kv_data(StateStoreDataKey::SyncToken)
        .await
        .map_err(store_error)?;
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
