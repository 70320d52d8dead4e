//! Webhook mode: Telegram POSTs each update to the path of `WEBHOOK_URL`.
//! A request is answered 200 right after its update was written to the
//! inbox; a store failure (e.g. Redis down) answers 500 and Telegram sends
//! it again, and the update id remembered by the inbox keeps a second
//! delivery from being handled twice. Handling happens in the chat's lane,
//! on whichever replica holds the chat's lease. Requests without the right
//! secret get 401. The same server answers `GET /healthz` and `GET /metrics`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;
use tokio::sync::watch;

use super::api::json_failure;
use super::{Runtime, TgBot, now_ms};
use crate::config::Webhook;

/// The header Telegram puts the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

struct Server {
    runtime: Arc<Runtime>,
    secret: String,
}

/// Registers the webhook with Telegram and serves until `stop` turns true.
pub async fn run(
    bot: TgBot,
    runtime: Arc<Runtime>,
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
        .map_err(|e| format!("setWebhook failed: {}", super::api::loggable(&e)))?;
    let path = match webhook.url.path() {
        "" => "/".to_string(),
        path => path.to_string(),
    };
    let server = Arc::new(Server {
        runtime,
        secret: webhook.secret.expose().to_string(),
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
    let json = match std::str::from_utf8(&body)
        .map_err(|_| "not UTF-8".to_string())
        .and_then(|text| RawValue::from_string(text.to_string()).map_err(|e| json_failure(&e)))
    {
        Ok(json) => json,
        Err(failure) => {
            log::warn!("webhook: an update could not be read ({failure})");
            return StatusCode::BAD_REQUEST;
        }
    };
    let now = now_ms();
    let entries: Vec<_> = super::intake::entry(&server.runtime.app, json, now)
        .into_iter()
        .collect();
    match server.runtime.receive(entries, now).await {
        Ok(()) => StatusCode::OK,
        Err(e) => {
            log::error!("webhook: storing an update failed: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

async fn healthz(State(server): State<Arc<Server>>) -> (StatusCode, &'static str) {
    match server.runtime.app.store.ping().await {
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
        server.runtime.app.metrics.render(),
    )
}
