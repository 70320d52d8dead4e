//! Webhook mode: Telegram POSTs each update to the path of `WEBHOOK_URL`.
//! A request is answered 200 right after its update was written to the
//! inbox; a store failure (e.g. Redis down) answers 500 and Telegram sends
//! it again, and the update id remembered by the inbox keeps a second
//! delivery from being handled twice. Handling happens in the chat's lane,
//! on whichever replica holds the chat's lease.
//!
//! The port is public, so it gives strangers little: a request without the
//! right secret gets 401 before its body is read; a body over
//! [`MAX_BODY`] gets 413; a client gets `WEBHOOK_READ_TIMEOUT` to send its
//! headers (an idle connection is closed after as long), and as long again
//! for its body (else 408); at most `WEBHOOK_CONNECTION_LIMIT` connections
//! are served at once (more wait to be accepted). The same port answers
//! `GET /healthz`, which asks the store at most once a second. `GET /metrics`
//! is served on its own address, `BOT_METRICS_LISTEN` (loopback by default).
//! On stop, requests in flight get `WEBHOOK_SHUTDOWN_TIMEOUT` to finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde_json::value::RawValue;
use subtle::ConstantTimeEq;
use teloxide::prelude::*;
use teloxide::types::AllowedUpdate;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Semaphore, watch};
use tokio::task::JoinSet;

use super::api::{TgBot, json_failure};
use super::decode::Me;
use super::error::RunError;
use crate::config::Webhook;
use crate::runtime::now_ms;
use crate::runtime::{Edge, Runtime};

/// The header Telegram puts the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The largest body taken: far above any update (a message is at most 4096
/// characters), far below what would hurt.
const MAX_BODY: usize = 1024 * 1024;

/// `/healthz` asks the store at most this often; answers in between repeat
/// the last one.
const HEALTH_EVERY: Duration = Duration::from_secs(1);

/// A store that has not answered `/healthz` within this is unhealthy.
const HEALTH_WAIT: Duration = Duration::from_secs(2);

/// Connections the metrics address serves at once.
const METRICS_CONNECTIONS: usize = 16;

/// The most a client may send before its headers end (hyper's read buffer).
const MAX_HEAD: usize = 64 * 1024;

struct Server<E> {
    runtime: Arc<Runtime<E>>,
    me: Arc<Me>,
    secret: String,
    read_timeout: Duration,
    /// When the store was last asked, and whether it answered.
    health: Mutex<Option<(Instant, bool)>>,
}

/// How one listening address treats its clients.
#[derive(Clone, Copy)]
struct Limits {
    connections: usize,
    read_timeout: Duration,
    shutdown_timeout: Duration,
}

/// Registers the webhook with Telegram and serves until `stop` turns true.
pub async fn run<E: Edge>(
    bot: TgBot,
    me: Arc<Me>,
    runtime: Arc<Runtime<E>>,
    webhook: &Webhook,
    stop: watch::Receiver<bool>,
) -> Result<(), RunError> {
    // Listen first: a port in use stops start-up before Telegram is told to call.
    let listener = bind(webhook.listen, "BOT_LISTEN").await?;
    let metrics_listener = match webhook.metrics_listen {
        Some(addr) => Some(bind(addr, "BOT_METRICS_LISTEN").await?),
        None => None,
    };
    let allowed = [
        AllowedUpdate::Message,
        AllowedUpdate::EditedMessage,
        AllowedUpdate::CallbackQuery,
        AllowedUpdate::MyChatMember,
    ];
    let mut stop = stop;
    let registered = crate::runtime::shutdown::unless_stopped(
        &mut stop,
        bot.api()
            .set_webhook(webhook.url.clone())
            .secret_token(webhook.secret.expose().to_string())
            .max_connections(webhook.max_connections)
            .drop_pending_updates(webhook.drop_pending_updates)
            .allowed_updates(allowed)
            .into_future(),
    )
    .await;
    match registered {
        // Asked to stop first: a stopping process sets no webhook.
        None => return Ok(()),
        Some(result) => {
            result.map_err(|e| RunError::SetWebhook(super::api::loggable(&e)))?;
        }
    }
    let path = match webhook.url.path() {
        "" => "/".to_string(),
        path => path.to_string(),
    };
    let server = Arc::new(Server {
        runtime,
        me,
        secret: webhook.secret.expose().to_string(),
        read_timeout: webhook.read_timeout,
        health: Mutex::new(None),
    });
    let limits = Limits {
        connections: webhook.connection_limit,
        read_timeout: webhook.read_timeout,
        shutdown_timeout: webhook.shutdown_timeout,
    };
    let metrics = metrics_listener.map(|listener| {
        log::info!("metrics: listening on {} (GET /metrics)", shown(&listener));
        let router = Router::new()
            .route("/metrics", get(metrics::<E>))
            .with_state(Arc::clone(&server));
        let limits = Limits {
            connections: METRICS_CONNECTIONS,
            ..limits
        };
        tokio::spawn(serve("metrics", listener, router, limits, stop.clone()))
    });
    let router = Router::new()
        .route("/healthz", get(healthz::<E>))
        .route(&path, post(receive::<E>))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .with_state(server);
    // Not the path: people put secrets in it.
    log::info!(
        "webhook: listening on {} for the path of WEBHOOK_URL; stop with Ctrl-C or SIGTERM",
        shown(&listener)
    );
    serve("webhook", listener, router, limits, stop).await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    Ok(())
}

async fn bind(addr: SocketAddr, setting: &'static str) -> Result<TcpListener, RunError> {
    TcpListener::bind(addr)
        .await
        .map_err(|error| RunError::Listen {
            addr,
            setting,
            error,
        })
}

fn shown(listener: &TcpListener) -> String {
    listener
        .local_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string())
}

/// Returns once a stop was asked for (or can no longer be).
async fn stopping(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

/// Serves `router` on `listener` within `limits` until `stop`; then lets
/// requests in flight finish, for at most `limits.shutdown_timeout`.
async fn serve(
    name: &'static str,
    listener: TcpListener,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.read_timeout)
        .max_buf_size(MAX_HEAD);
    let permits = Arc::new(Semaphore::new(limits.connections));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        // At the cap, nothing more is accepted until a connection ends.
        let permit = tokio::select! {
            () = stopping(&mut stop) => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = stopping(&mut stop) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // E.g. out of file descriptors: try again shortly.
                    log::warn!("{name}: accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let connection = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let mut closing = closed.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        log::debug!("{name}: a connection ended: {e}");
                    }
                }
                () = stopping(&mut closing) => {
                    // Idle connections close now; a request in flight finishes.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(limits.shutdown_timeout, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        log::warn!(
            "{name}: {} connection(s) still open {} ms after the stop; closed",
            connections.len(),
            limits.shutdown_timeout.as_millis()
        );
        connections.shutdown().await;
    }
}

async fn receive<E: Edge>(State(server): State<Arc<Server<E>>>, request: Request) -> StatusCode {
    // The secret first: without it, the body is never read.
    let given = request
        .headers()
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !bool::from(given.ct_eq(server.secret.as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BODY as u64) {
        log::warn!("webhook: a request announced a body over {MAX_BODY} bytes; refused");
        return StatusCode::PAYLOAD_TOO_LARGE;
    }
    // The body cap (`DefaultBodyLimit`) also holds for a body sent without a length.
    let body =
        match tokio::time::timeout(server.read_timeout, Bytes::from_request(request, &())).await {
            Ok(Ok(body)) => body,
            Ok(Err(rejection)) => {
                log::warn!(
                    "webhook: a request body could not be read ({})",
                    rejection.status()
                );
                return rejection.status();
            }
            Err(_) => {
                log::warn!(
                    "webhook: a request body was not sent within {} ms",
                    server.read_timeout.as_millis()
                );
                return StatusCode::REQUEST_TIMEOUT;
            }
        };
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
    let entries: Vec<_> = super::intake::entry(&server.runtime, &server.me, &json, now)
        .await
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

/// 200 while the store answers, 503 otherwise; the store is asked at most
/// once every [`HEALTH_EVERY`], however often this is called.
async fn healthz<E: Edge>(State(server): State<Arc<Server<E>>>) -> (StatusCode, &'static str) {
    // Held while asking: callers meanwhile wait for that one answer.
    let mut last = server.health.lock().await;
    let healthy = match *last {
        Some((at, healthy)) if at.elapsed() < HEALTH_EVERY => healthy,
        _ => {
            let at = Instant::now();
            let healthy =
                match tokio::time::timeout(HEALTH_WAIT, server.runtime.core().store.ping()).await {
                    Ok(Ok(())) => true,
                    Ok(Err(e)) => {
                        log::warn!("healthz: {e}");
                        false
                    }
                    Err(_) => {
                        log::warn!(
                            "healthz: the store did not answer within {} ms",
                            HEALTH_WAIT.as_millis()
                        );
                        false
                    }
                };
            *last = Some((at, healthy));
            healthy
        }
    };
    drop(last);
    if healthy {
        (StatusCode::OK, "ok\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n")
    }
}

async fn metrics<E: Edge>(State(server): State<Arc<Server<E>>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        server.runtime.metrics().render(),
    )
}
