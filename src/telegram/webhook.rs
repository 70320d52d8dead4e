//! Webhook mode: Telegram POSTs each update to the path of `WEBHOOK_URL`.
//! A request is answered 200 only once its update was handled and saved;
//! a failure (e.g. Redis down) answers 500 and Telegram sends it again, and
//! the update id stamped on each check keeps a second delivery from being
//! applied twice. Requests without the right secret get 401.
//! The same server answers `GET /healthz` and `GET /metrics`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use subtle::ConstantTimeEq;
use teloxide::prelude::*;
use teloxide::types::{AllowedUpdate, Me};
use tokio::sync::watch;

use super::outbox::json_failure;
use super::polling::{Handler, handle};
use super::{App, TgBot};
use crate::config::Webhook;

/// The header Telegram puts the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

struct Server {
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    handler: Handler,
    secret: String,
    /// One lock per chat, so a chat's updates run one at a time in this replica.
    chats: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// Registers the webhook with Telegram and serves until `stop` turns true.
pub async fn run(
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    handler: Handler,
    webhook: &Webhook,
    mut stop: watch::Receiver<bool>,
) -> Result<(), String> {
    let allowed = [
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ];
    bot.api()
        .set_webhook(webhook.url.clone())
        .secret_token(webhook.secret.expose().to_string())
        .max_connections(webhook.max_connections)
        .drop_pending_updates(webhook.drop_pending_updates)
        .allowed_updates(allowed)
        .await
        .map_err(|e| format!("setWebhook failed: {}", super::outbox::loggable(&e)))?;
    let path = match webhook.url.path() {
        "" => "/".to_string(),
        path => path.to_string(),
    };
    let server = Arc::new(Server {
        bot,
        me,
        app,
        handler,
        secret: webhook.secret.expose().to_string(),
        chats: Mutex::new(HashMap::new()),
    });
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(&path, post(receive))
        .with_state(server);
    let listener = tokio::net::TcpListener::bind(webhook.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", webhook.listen))?;
    log::info!(
        "webhook: listening on {} for {path}; stop with Ctrl-C or SIGTERM",
        listener
            .local_addr()
            .map_or_else(|_| webhook.listen.to_string(), |a| a.to_string())
    );
    axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            let _ = stop.changed().await;
        })
        .await
        .map_err(|e| format!("webhook server failed: {e}"))
}

async fn receive(State(server): State<Arc<Server>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(server.secret.as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(update) => update,
        Err(e) => {
            let failure = json_failure(&e);
            log::warn!("webhook: an update could not be read ({failure})");
            return StatusCode::BAD_REQUEST;
        }
    };
    let lock = update.chat().map(|c| {
        let mut chats = server.chats.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(chats.entry(c.id.0).or_default())
    });
    let guard = match &lock {
        Some(lock) => Some(lock.lock().await),
        None => None,
    };
    let chat = update.chat().map(|c| c.id.0);
    let handled = handle(
        &server.bot,
        &server.me,
        &server.app,
        &server.handler,
        update,
    )
    .await;
    drop(guard);
    if let (Some(chat), Some(lock)) = (chat, lock) {
        // Forget the lock of a chat nobody else is waiting on.
        let mut chats = server.chats.lock().unwrap_or_else(|e| e.into_inner());
        if Arc::strong_count(&lock) == 2 {
            chats.remove(&chat);
        }
    }
    if handled {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

async fn healthz(State(server): State<Arc<Server>>) -> (StatusCode, &'static str) {
    match server.app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            log::warn!("healthz: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n")
        }
    }
}

async fn metrics(State(server): State<Arc<Server>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        server.app.metrics.render(),
    )
}
