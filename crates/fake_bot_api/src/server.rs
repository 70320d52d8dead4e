//! The HTTP side: each Bot API request met with the misbehaviour asked for,
//! then answered as Telegram would.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults::SENDS;
use crate::spec::{self, Refusal};
use crate::state::{Inner, Shared};
use crate::users::chat_of;
use crate::{BOT_ID, BOT_USERNAME, Call, FakeApi, Fault};

/// How long a `Slow` answer takes: past the 3 s client timeout the fault tests set.
const SLOW: Duration = Duration::from_millis(3500);

/// The longest a `getUpdates` long poll is held (whatever the bot asks).
const LONGEST_POLL: u64 = 1;

type Answer = (StatusCode, String);

fn reply(result: Value) -> Answer {
    let body = json!({ "ok": true, "result": result });
    (StatusCode::OK, body.to_string())
}

fn refuse(status: u16, description: &str) -> Answer {
    let status = StatusCode::from_u16(status).expect("a valid status");
    let body = json!({ "ok": false, "error_code": status.as_u16(), "description": description });
    (status, body.to_string())
}

fn too_many_requests(seconds: u64) -> Answer {
    let body = json!({ "ok": false, "error_code": 429,
        "description": format!("Too Many Requests: retry after {seconds}"),
        "parameters": { "retry_after": seconds } });
    (StatusCode::TOO_MANY_REQUESTS, body.to_string())
}

/// One Bot API request.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let name = method;
    let method = name.to_lowercase();
    if let Some(listener) = &shared.listener {
        listener.arrived(&method);
    }
    if let Err(refusal) = check(&shared, &name, &headers, &body) {
        return refuse(refusal.status, &refusal.description).into_response();
    }
    let uploads = crate::params::uploads(&headers, &body);
    let body = crate::params::parameters(&headers, &body);
    if in_outage(&shared, &method) {
        return refuse(502, "Bad Gateway").into_response();
    }
    let delay = {
        let mut inner = shared.inner.lock().unwrap();
        if shared.log {
            let arrivals = inner.arrivals.entry(method.clone()).or_default();
            arrivals.push(Instant::now());
        }
        inner.delayed.remove(&method)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let fault = {
        let mut inner = shared.inner.lock().unwrap();
        if let Some((left, seconds)) = inner.throttled.get_mut(&method).filter(|(n, _)| *n > 0) {
            *left -= 1;
            let seconds = *seconds;
            inner.throttled_at.push(Instant::now());
            return too_many_requests(seconds).into_response();
        }
        inner.faults.as_mut().and_then(|f| f.pick(&method))
    };
    match fault {
        Some(Fault::Status500) => return refuse(500, "Internal Server Error").into_response(),
        Some(Fault::Status502) => return refuse(502, "Bad Gateway").into_response(),
        Some(Fault::TooManyRequests) => return too_many_requests(1).into_response(),
        _ => {}
    }
    let answer = if method != "getupdates" {
        act(&shared, method, body, uploads)
    } else if fault == Some(Fault::Dropped) {
        (StatusCode::OK, String::new())
    } else {
        get_updates(&shared, &body).await
    };
    match fault {
        Some(Fault::Slow) => {
            tokio::time::sleep(SLOW).await;
            answer.into_response()
        }
        Some(Fault::MalformedJson) => {
            // The real answer cut short, as a broken connection leaves it.
            let text = answer.1;
            let cut: String = text.chars().take(text.chars().count() / 2).collect();
            (StatusCode::OK, cut).into_response()
        }
        Some(Fault::Dropped) => {
            let broken = futures::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by the fake",
                ))
            });
            Response::new(Body::from_stream(broken))
        }
        _ => answer.into_response(),
    }
}

/// Checks the request against the Bot API specification, counts it, and
/// records a refusal (also on stderr, which a failing test shows).
fn check(shared: &Shared, method: &str, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    shared.checked.fetch_add(1, Ordering::Relaxed);
    let checked = match crate::params::arguments(headers, body) {
        Ok(args) => spec::check(method, &args),
        Err(why) => Err(Refusal {
            status: 400,
            description: format!("Bad Request: {why}"),
        }),
    };
    if let Err(refusal) = &checked {
        let violation = format!("{method}: {}", refusal.description);
        eprintln!("fake Bot API refused {violation}");
        shared.inner.lock().unwrap().violations.push(violation);
    }
    checked
}

/// Whether a send outage refuses this call now (and counts it if so).
fn in_outage(shared: &Shared, method: &str) -> bool {
    let mut inner = shared.inner.lock().unwrap();
    let failing = inner
        .sends_fail_until
        .is_some_and(|until| Instant::now() < until);
    let down = failing && SENDS.contains(&method);
    if down {
        inner.refused += 1;
    }
    down
}

/// Does what Telegram would do for `method`, records the call, and tells
/// the listener.
fn act(
    shared: &Arc<Shared>,
    method: String,
    body: Value,
    uploads: Vec<(String, Vec<u8>)>,
) -> Answer {
    let (answer, heard) = {
        let mut inner = shared.inner.lock().unwrap();
        let (answer, mut call) = answer(&mut inner, method, body);
        call.uploads = uploads;
        // Logged in the same step, so the log is in the order calls were answered.
        if shared.log {
            let heard = shared.listener.as_ref().map(|_| call.clone());
            inner.calls.push(call);
            (answer, heard)
        } else {
            (answer, Some(call))
        }
    };
    if let (Some(listener), Some(call)) = (&shared.listener, heard) {
        listener.called(&FakeApi::unowned(shared), &call);
    }
    answer
}

/// What Telegram would answer to `method`, and the call as recorded.
fn answer(inner: &mut Inner, method: String, body: Value) -> (Answer, Call) {
    let pressed_in = body
        .get("callback_query_id")
        .and_then(Value::as_str)
        .and_then(|query| inner.presses.get(query).copied());
    let mut call = Call {
        method,
        body,
        message_id: None,
        pressed_in,
        uploads: Vec::new(),
    };
    if let Some(left) = inner.failures.get_mut(&call.method).filter(|n| **n > 0) {
        *left -= 1;
        return (
            refuse(500, "Internal Server Error: injected by the fake"),
            call,
        );
    }
    let chat = call.body.get("chat_id").and_then(Value::as_i64);
    if chat.is_some_and(|c| inner.blocked_chats.contains(&c)) {
        return (refuse(403, "Forbidden: bot was blocked by the user"), call);
    }
    let result = match call.method.as_str() {
        "getme" => json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false
        }),
        "getwebhookinfo" => {
            json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })
        }
        "getchatmember" => {
            let user = call
                .body
                .get("user_id")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let admin = chat.is_some_and(|c| inner.admins.contains(&(c, user)));
            let user = json!({ "id": user, "is_bot": false, "first_name": "Member" });
            if admin {
                json!({ "status": "creator", "user": user, "is_anonymous": false })
            } else {
                json!({ "status": "member", "user": user })
            }
        }
        "sendmessage" | "editmessagetext" => {
            let message_id = match call.body.get("message_id").and_then(Value::as_i64) {
                Some(id) => id,
                None => {
                    inner.next_message_id += 1;
                    inner.next_message_id
                }
            };
            call.message_id = Some(message_id);
            let mut message = json!({
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": chat_of(chat.unwrap_or(0)),
                "from": { "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot" },
                "text": call.body.get("text").cloned().unwrap_or(json!("")),
            });
            if let Some(topic) = call.body.get("message_thread_id") {
                message["message_thread_id"] = topic.clone();
                message["is_topic_message"] = json!(true);
            }
            message
        }
        _ => json!(true),
    };
    (reply(result), call)
}

/// A `getUpdates` long poll: the unconfirmed updates from `offset` on (at
/// most 100), as soon as there are any or when the poll times out.
async fn get_updates(shared: &Shared, body: &Value) -> Answer {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let wait = body.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    let deadline = Instant::now() + Duration::from_secs(wait.min(LONGEST_POLL));
    loop {
        let arrived = shared.arrived.notified();
        let page: Vec<Value> = {
            let mut inner = shared.inner.lock().unwrap();
            inner.updates.retain(|(id, _)| *id >= offset);
            let page = inner.updates.iter().take(100);
            page.map(|(_, update)| update.clone()).collect()
        };
        if !page.is_empty() {
            if let Some(listener) = &shared.listener {
                listener.handed_out(&page);
            }
            return reply(Value::Array(page));
        }
        if Instant::now() >= deadline {
            return reply(Value::Array(page));
        }
        let _ = tokio::time::timeout(deadline - Instant::now(), arrived).await;
    }
}
