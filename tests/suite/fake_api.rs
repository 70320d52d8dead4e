//! A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests: it
//! hands out updates the test queues through `getUpdates`, answers the bot's
//! calls like Telegram would, records every call, and can fail on request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The fake bot's own user id and username.
pub const BOT_ID: i64 = 4242;
pub const BOT_USERNAME: &str = "twitch_test_bot";

/// One call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    /// Method name, lowercased (`sendmessage`).
    pub method: String,
    /// The JSON body.
    pub body: Value,
    /// The message id the fake gave a sent message.
    pub message_id: Option<i64>,
}

impl Call {
    /// The chat the call is for.
    pub fn chat(&self) -> Option<i64> {
        self.body.get("chat_id").and_then(Value::as_i64)
    }

    /// The forum topic the call posts in, if any.
    pub fn topic(&self) -> Option<i64> {
        self.body.get("message_thread_id").and_then(Value::as_i64)
    }

    /// The message text, if any.
    pub fn text(&self) -> &str {
        self.body.get("text").and_then(Value::as_str).unwrap_or("")
    }

    /// Callback data of the button labelled `label`, if the call has one.
    pub fn button(&self, label: &str) -> Option<String> {
        self.button_field(label, "callback_data")
    }

    /// The URL of the button labelled `label`, if the call has one.
    pub fn url_button(&self, label: &str) -> Option<String> {
        self.button_field(label, "url")
    }

    fn button_field(&self, label: &str, field: &str) -> Option<String> {
        let rows = self
            .body
            .pointer("/reply_markup/inline_keyboard")?
            .as_array()?;
        rows.iter()
            .flat_map(|row| row.as_array().into_iter().flatten())
            .find(|b| b.get("text").and_then(Value::as_str) == Some(label))
            .and_then(|b| b.get(field).and_then(Value::as_str))
            .map(str::to_string)
    }

    /// Whether the call carries an inline keyboard.
    pub fn has_keyboard(&self) -> bool {
        self.body.pointer("/reply_markup/inline_keyboard").is_some()
    }
}

#[derive(Default)]
struct Inner {
    updates: Vec<Value>,
    /// Every update ever queued, to hand one out again.
    history: Vec<Value>,
    next_update_id: i64,
    next_message_id: i64,
    calls: Vec<Call>,
    blocked_chats: Vec<i64>,
    /// (group, user) pairs that `getChatMember` reports as the owner.
    admins: Vec<(i64, i64)>,
    /// Fail this many upcoming calls of a method with HTTP 500.
    failures: HashMap<String, usize>,
    /// Random faults, if any.
    faults: Option<Faults>,
    /// Webhook POSTs not answered 200 (and sent again).
    webhook_retries: usize,
    /// Until then every send ([`SENDS`]) is refused with 502 (an outage).
    sends_fail_until: Option<Instant>,
    /// Sends refused by the outage (not recorded in `calls`).
    refused: usize,
    /// Answer this many upcoming calls of a method 429 with this `retry_after`.
    throttled: HashMap<String, (usize, u64)>,
    /// When each call of each method arrived.
    arrivals: HashMap<String, Vec<Instant>>,
    /// When calls were answered 429 by `throttled`.
    throttled_at: Vec<Instant>,
    /// Answer the next call of a method only after this long.
    delayed: HashMap<String, Duration>,
}

/// The calls an outage of sends refuses.
const SENDS: [&str; 3] = ["sendmessage", "editmessagetext", "answercallbackquery"];

/// The header Telegram puts the webhook secret in.
pub const SECRET: &str = "X-Telegram-Bot-Api-Secret-Token";

/// A way the fake can misbehave, like Telegram or the network sometimes does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 before acting.
    Status500,
    /// HTTP 502 before acting.
    Status502,
    /// 429 with `retry_after: 1`, before acting.
    TooManyRequests,
    /// Acts, then answers later than the client waits.
    Slow,
    /// Acts, then drops the connection mid-answer.
    Dropped,
    /// Acts, then answers with its real answer cut in half (broken JSON that
    /// still holds what the message said).
    MalformedJson,
}

/// Random faults at a rate, from a fixed seed (runs are repeatable).
#[derive(Debug, Clone)]
struct Faults {
    kinds: Vec<Fault>,
    per_mille: u64,
    state: u64,
    injected: HashMap<String, usize>,
}

impl Faults {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A fault for this call, or none.
    fn pick(&mut self, method: &str) -> Option<Fault> {
        let spared = ["getme", "setmycommands", "deletewebhook", "getwebhookinfo"];
        if spared.contains(&method) || self.next() % 1000 >= self.per_mille {
            return None;
        }
        let index = (self.next() % self.kinds.len() as u64) as usize;
        let fault = self.kinds[index];
        // getUpdates is asked again at once; teloxide would sleep 10 s on its 5xx.
        let polling_safe = matches!(fault, Fault::Dropped | Fault::MalformedJson);
        if method == "getupdates" && !polling_safe {
            return None;
        }
        *self.injected.entry(format!("{fault:?}")).or_default() += 1;
        Some(fault)
    }
}

struct Shared {
    inner: Mutex<Inner>,
    arrived: Notify,
    webhook: Mutex<Option<Webhook>>,
}

/// Webhook delivery: each chat's updates are POSTed in order, each until it
/// is answered 200 (as Telegram does), to the replicas chosen by `route`.
struct Webhook {
    targets: Vec<String>,
    secret: String,
    route: Route,
    client: reqwest::Client,
    chats: HashMap<i64, tokio::sync::mpsc::UnboundedSender<Value>>,
    delivered: usize,
}

/// How updates are spread over replicas.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    /// Replica 0, 1, 0, 1… by update.
    Alternate,
    /// A random replica per update (fixed seed); with `race_per_mille`/1000
    /// of updates also POSTed to another replica at the same moment, as a
    /// Telegram retry racing the first attempt would be.
    Random { race_per_mille: u64 },
    /// Replica 0, 1, 0, 1… by update, as [`Route::Alternate`], behind a load
    /// balancer: an attempt that fails (connection refused, not 200) is sent
    /// again to the next replica, so a dead replica's share goes to a live one.
    Failover,
}

/// A running fake server.
#[derive(Clone)]
pub struct FakeApi {
    /// What to put in `TELOXIDE_API_URL`.
    pub url: String,
    shared: Arc<Shared>,
}

impl FakeApi {
    /// Starts the server on a free port of 127.0.0.1.
    pub async fn start() -> FakeApi {
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                next_update_id: 1,
                next_message_id: 1000,
                ..Inner::default()
            }),
            arrived: Notify::new(),
            webhook: Mutex::new(None),
        });
        let app = Router::new()
            .route("/{token}/{method}", post(handle))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeApi { url, shared }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.shared.inner.lock().unwrap())
    }

    fn push(&self, kind: &str, payload: Value) {
        if self.shared.webhook.lock().unwrap().is_some() {
            let id = self.with(|inner| {
                let id = inner.next_update_id;
                inner.next_update_id += 1;
                id
            });
            let update = json!({ "update_id": id, kind: payload });
            self.with(|inner| inner.history.push(update.clone()));
            self.post(update);
            return;
        }
        self.with(|inner| {
            let id = inner.next_update_id;
            inner.next_update_id += 1;
            let update = json!({ "update_id": id, kind: payload });
            inner.history.push(update.clone());
            inner.updates.push(update);
        });
        self.shared.arrived.notify_waiters();
    }

    fn user_message(&self, chat: i64, extra: Value) -> Value {
        let from = json!({ "id": chat, "is_bot": false, "first_name": "Tester" });
        self.incoming(chat_of(chat), from, None, extra)
    }

    /// A message from a user, with a fresh id, in `chat` (and forum `topic`).
    fn incoming(&self, chat: Value, from: Value, topic: Option<i32>, extra: Value) -> Value {
        let id = self.with(|inner| {
            inner.next_message_id += 1;
            inner.next_message_id
        });
        let mut message =
            json!({ "message_id": id, "date": 1_790_000_000, "chat": chat, "from": from });
        if let Some(topic) = topic {
            message["message_thread_id"] = json!(topic);
            message["is_topic_message"] = json!(true);
        }
        if let (Some(m), Some(e)) = (message.as_object_mut(), extra.as_object()) {
            m.extend(e.clone());
        }
        message
    }

    /// The user types `text`.
    pub fn send_text(&self, chat: i64, text: &str) {
        let message = self.user_message(chat, json!({ "text": text }));
        self.push("message", message);
    }

    /// The user sends a sticker.
    pub fn send_sticker(&self, chat: i64) {
        let sticker = json!({ "sticker": {
            "file_id": "sticker-file", "file_unique_id": "sticker-unique",
            "width": 512, "height": 512, "is_animated": false, "is_video": false, "type": "regular"
        }});
        let message = self.user_message(chat, sticker);
        self.push("message", message);
    }

    /// The user edits an earlier message to `text`.
    pub fn edit_text(&self, chat: i64, text: &str) {
        let message = self.user_message(chat, json!({ "text": text, "edit_date": 1_790_000_100 }));
        self.push("edited_message", message);
    }

    /// The user presses a button with `data` under the bot's message `message_id`.
    pub fn press(&self, chat: i64, message_id: i64, data: &str) {
        let query_id = self.with(|inner| inner.next_update_id);
        let query = json!({
            "id": format!("cq{query_id}"),
            "from": { "id": chat, "is_bot": false, "first_name": "Tester" },
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": { "id": chat, "type": "private", "first_name": "Tester" },
                "from": { "id": BOT_ID, "is_bot": true, "first_name": "Bot" },
                "text": "question"
            }
        });
        self.push("callback_query", query);
    }

    /// From now on updates are POSTed to these webhook replicas instead of
    /// being handed out by `getUpdates`.
    pub fn deliver_to(&self, targets: Vec<String>, secret: &str, route: Route) {
        *self.shared.webhook.lock().unwrap() = Some(Webhook {
            targets,
            secret: secret.to_string(),
            route,
            client: reqwest::Client::new(),
            chats: HashMap::new(),
            delivered: 0,
        });
    }

    /// How many webhook POSTs were answered with something other than 200.
    pub fn webhook_retries(&self) -> usize {
        self.with(|inner| inner.webhook_retries)
    }

    fn post(&self, update: Value) {
        let chat = update
            .pointer("/message/chat/id")
            .or_else(|| update.pointer("/callback_query/message/chat/id"))
            .or_else(|| update.pointer("/edited_message/chat/id"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let mut guard = self.shared.webhook.lock().unwrap();
        let hook = guard.as_mut().expect("webhook delivery is on");
        hook.delivered += 1;
        let n = hook.delivered as u64;
        let (target, race) = match hook.route {
            Route::Alternate | Route::Failover => ((n % hook.targets.len() as u64) as usize, None),
            Route::Random { race_per_mille } => {
                let roll = n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
                let target = (roll % hook.targets.len() as u64) as usize;
                let race =
                    (roll / 7 % 1000 < race_per_mille).then(|| (target + 1) % hook.targets.len());
                (target, race)
            }
        };
        if let Some(other) = race {
            let (client, url, secret, body) = (
                hook.client.clone(),
                hook.targets[other].clone(),
                hook.secret.clone(),
                update.clone(),
            );
            tokio::spawn(async move {
                let _ = client
                    .post(url)
                    .header(SECRET, secret)
                    .body(body.to_string())
                    .send()
                    .await;
            });
        }
        let shared = Arc::clone(&self.shared);
        let sender = hook.chats.entry(chat).or_insert_with(|| {
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Value>();
            let (client, secret, targets) = (
                hook.client.clone(),
                hook.secret.clone(),
                hook.targets.clone(),
            );
            let failover = matches!(hook.route, Route::Failover);
            tokio::spawn(async move {
                while let Some(update) = rx.recv().await {
                    let mut target = update["_target"].as_u64().unwrap_or(0) as usize;
                    let mut body = update.clone();
                    body.as_object_mut().unwrap().remove("_target");
                    let deadline = Instant::now() + Duration::from_secs(60);
                    loop {
                        let sent = client
                            .post(&targets[target])
                            .header(SECRET, &secret)
                            .body(body.to_string())
                            .send()
                            .await;
                        if sent.as_ref().is_ok_and(|r| r.status() == 200)
                            || Instant::now() > deadline
                        {
                            break;
                        }
                        shared.inner.lock().unwrap().webhook_retries += 1;
                        if failover {
                            target = (target + 1) % targets.len();
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                }
            });
            tx
        });
        let mut routed = update;
        routed["_target"] = json!(target);
        let _ = sender.send(routed);
    }

    /// Queues update `id` again, as Telegram does with updates a crashed bot
    /// never confirmed; a bot that starts afresh (offset 0) receives it again.
    pub fn requeue(&self, id: i64) {
        self.with(|inner| {
            let copy = inner.history.iter().find(|u| u["update_id"] == id).cloned();
            inner.updates.extend(copy);
            inner.updates.sort_by_key(|u| u["update_id"].as_i64());
        });
        self.shared.arrived.notify_waiters();
    }

    /// Numbers the next updates from `id` on (Telegram may restart its update
    /// ids after a quiet week).
    pub fn restart_update_ids(&self, id: i64) {
        self.with(|inner| inner.next_update_id = id);
    }

    /// The id the next queued update gets.
    pub fn next_update_id(&self) -> i64 {
        self.with(|inner| inner.next_update_id)
    }

    /// `user` is an owner of `group` from now on.
    pub fn make_admin(&self, group: i64, user: i64) {
        self.with(|inner| inner.admins.push((group, user)));
    }

    /// `user` writes `text` in `group`, in forum topic `topic` if given.
    pub fn group_text(&self, group: i64, user: i64, text: &str, topic: Option<i32>) {
        let message = self.group_message(group, Some(user), topic, json!({ "text": text }));
        self.push("message", message);
    }

    /// An anonymous admin (posting as the group) writes `text`.
    pub fn anonymous_admin_text(&self, group: i64, text: &str) {
        let mut message = self.group_message(group, None, None, json!({ "text": text }));
        message["sender_chat"] = group_chat(group);
        message["from"] = json!({ "id": 1_087_968_824, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" });
        self.push("message", message);
    }

    /// Members join `group` (one service message listing them).
    pub fn join(&self, group: i64, members: &[(i64, &str)]) {
        let users: Vec<Value> = members
            .iter()
            .map(|(id, name)| json!({ "id": id, "is_bot": false, "first_name": name }))
            .collect();
        let message = self.group_message(
            group,
            Some(members[0].0),
            None,
            json!({ "new_chat_members": users }),
        );
        self.push("message", message);
    }

    /// `group` is upgraded to the supergroup `to`.
    pub fn migrate(&self, group: i64, to: i64) {
        let message = self.group_message(group, Some(1), None, json!({ "migrate_to_chat_id": to }));
        self.push("message", message);
    }

    /// The bot is added to (`true`) or removed from (`false`) `group`.
    pub fn bot_membership(&self, group: i64, added: bool) {
        let bot = json!({ "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot", "username": BOT_USERNAME });
        let (old, new) = if added {
            ("left", "member")
        } else {
            ("member", "left")
        };
        self.push(
            "my_chat_member",
            json!({
                "chat": group_chat(group),
                "from": { "id": 1, "is_bot": false, "first_name": "Admin" },
                "date": 1_790_000_000,
                "old_chat_member": { "user": bot, "status": old },
                "new_chat_member": { "user": bot, "status": new },
            }),
        );
    }

    /// `user` presses a button with `data` under the bot's group message `message_id`.
    pub fn press_in_group(
        &self,
        group: i64,
        user: i64,
        message_id: i64,
        data: &str,
        topic: Option<i32>,
    ) {
        let query_id = self.with(|inner| inner.next_update_id);
        let mut message = json!({
            "message_id": message_id,
            "date": 1_790_000_000,
            "chat": group_chat(group),
            "from": { "id": BOT_ID, "is_bot": true, "first_name": "Bot" },
            "text": "settings"
        });
        if let Some(topic) = topic {
            message["message_thread_id"] = json!(topic);
            message["is_topic_message"] = json!(true);
        }
        self.push(
            "callback_query",
            json!({
                "id": format!("cq{query_id}"),
                "from": { "id": user, "is_bot": false, "first_name": "Member" },
                "chat_instance": "group",
                "data": data,
                "message": message,
            }),
        );
    }

    fn group_message(
        &self,
        group: i64,
        user: Option<i64>,
        topic: Option<i32>,
        extra: Value,
    ) -> Value {
        let from = json!({ "id": user.unwrap_or(1), "is_bot": false, "first_name": "Member" });
        self.incoming(group_chat(group), from, topic, extra)
    }

    /// Every send to `chat` from now on fails with 403 "bot was blocked".
    pub fn block(&self, chat: i64) {
        self.with(|inner| inner.blocked_chats.push(chat));
    }

    /// From now on, about `per_mille`/1000 calls meet one of `kinds`.
    pub fn inject(&self, kinds: &[Fault], per_mille: u64) {
        self.with(|inner| {
            inner.faults = Some(Faults {
                kinds: kinds.to_vec(),
                per_mille,
                state: 0x9E37_79B9_7F4A_7C15,
                injected: HashMap::new(),
            });
        });
    }

    /// How many faults of each kind were injected.
    pub fn injected(&self) -> HashMap<String, usize> {
        self.with(|inner| {
            inner
                .faults
                .as_ref()
                .map(|f| f.injected.clone())
                .unwrap_or_default()
        })
    }

    /// The next `count` calls of `method` (lowercase) fail with HTTP 500.
    /// Answers the next `count` calls of `method` 429 with `retry_after: seconds`.
    pub fn throttle_next(&self, method: &str, count: usize, seconds: u64) {
        self.with(|inner| inner.throttled.insert(method.to_string(), (count, seconds)));
    }

    /// Answers the next call of `method` only after `delay` (a slow start-up).
    pub fn delay_next(&self, method: &str, delay: Duration) {
        self.with(|inner| inner.delayed.insert(method.to_string(), delay));
    }

    /// When calls were answered 429 by [`FakeApi::throttle_next`].
    pub fn throttled_at(&self) -> Vec<Instant> {
        self.with(|inner| inner.throttled_at.clone())
    }

    /// When the calls of `method` arrived, in order.
    pub fn arrivals(&self, method: &str) -> Vec<Instant> {
        self.with(|inner| inner.arrivals.get(method).cloned().unwrap_or_default())
    }

    pub fn fail_next(&self, method: &str, count: usize) {
        self.with(|inner| inner.failures.insert(method.to_string(), count));
    }

    /// From now until `duration` has passed, every send (sendMessage,
    /// editMessageText, answerCallbackQuery) is answered 502 Bad Gateway
    /// before acting and left out of `calls`; everything else still works.
    pub fn fail_sends_for(&self, duration: Duration) {
        self.with(|inner| inner.sends_fail_until = Some(Instant::now() + duration));
    }

    /// How many sends an outage refused.
    pub fn refused(&self) -> usize {
        self.with(|inner| inner.refused)
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.with(|inner| inner.calls.clone())
    }

    /// Waits (up to 60 s) for a call after index `since` that `matches`;
    /// returns its index and the call.
    pub async fn wait_for(
        &self,
        since: usize,
        what: &str,
        matches: impl Fn(&Call) -> bool,
    ) -> (usize, Call) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.with(|inner| {
                inner
                    .calls
                    .iter()
                    .enumerate()
                    .skip(since)
                    .find(|(_, c)| matches(c))
                    .map(|(i, c)| (i, c.clone()))
            });
            if let Some(found) = found {
                return found;
            }
            if Instant::now() > deadline {
                let calls: Vec<String> = self
                    .calls()
                    .iter()
                    .skip(since)
                    .map(|c| format!("{} {}", c.method, c.body))
                    .collect();
                let shown = &calls[calls.len().saturating_sub(8)..];
                panic!(
                    "timed out waiting for {what}; {} calls since {since}, the last:\n{}",
                    calls.len(),
                    shown.join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn group_chat(id: i64) -> Value {
    json!({ "id": id, "type": "supergroup", "title": "Support group", "is_forum": true })
}

fn chat_of(id: i64) -> Value {
    if id < 0 {
        group_chat(id)
    } else {
        json!({ "id": id, "type": "private", "first_name": "Tester" })
    }
}

type Answer = (axum::http::StatusCode, String);

fn reply(result: Value) -> Answer {
    (
        axum::http::StatusCode::OK,
        json!({ "ok": true, "result": result }).to_string(),
    )
}

fn refuse(status: u16, description: &str) -> Answer {
    let status = axum::http::StatusCode::from_u16(status).unwrap();
    let body = json!({ "ok": false, "error_code": status.as_u16(), "description": description });
    (status, body.to_string())
}

/// How long a `Slow` answer takes: past the 3 s client timeout the fault tests set.
const SLOW: Duration = Duration::from_millis(3500);

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let method = method.to_lowercase();
    // Multipart requests (setWebhook) are kept as text for the tests to read.
    let body: Value = serde_json::from_slice(&body)
        .unwrap_or_else(|_| json!({ "_raw": String::from_utf8_lossy(&body) }));
    if in_outage(&shared, &method) {
        return refuse(502, "Bad Gateway").into_response();
    }
    let delay = shared.inner.lock().unwrap().delayed.remove(&method);
    if let Some(delay) = delay {
        shared
            .inner
            .lock()
            .unwrap()
            .arrivals
            .entry(method.clone())
            .or_default()
            .push(Instant::now());
        tokio::time::sleep(delay).await;
    }
    {
        let mut inner = shared.inner.lock().unwrap();
        inner
            .arrivals
            .entry(method.clone())
            .or_default()
            .push(Instant::now());
        if let Some((left, seconds)) = inner.throttled.get_mut(&method).filter(|(n, _)| *n > 0) {
            *left -= 1;
            let seconds = *seconds;
            inner.throttled_at.push(Instant::now());
            let body = json!({ "ok": false, "error_code": 429,
                "description": format!("Too Many Requests: retry after {seconds}"),
                "parameters": { "retry_after": seconds } });
            return (axum::http::StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
        }
    }
    let fault = shared
        .inner
        .lock()
        .unwrap()
        .faults
        .as_mut()
        .and_then(|f| f.pick(&method));
    match fault {
        Some(Fault::Status500) => return refuse(500, "Internal Server Error").into_response(),
        Some(Fault::Status502) => return refuse(502, "Bad Gateway").into_response(),
        Some(Fault::TooManyRequests) => {
            let body = json!({ "ok": false, "error_code": 429,
                "description": "Too Many Requests: retry after 1", "parameters": { "retry_after": 1 } });
            return (axum::http::StatusCode::TOO_MANY_REQUESTS, body.to_string()).into_response();
        }
        _ => {}
    }
    let answer = if method == "getupdates" {
        if fault == Some(Fault::Dropped) {
            (axum::http::StatusCode::OK, String::new())
        } else {
            get_updates(&shared, &body).await
        }
    } else {
        act(&shared, method, body)
    };
    match fault {
        Some(Fault::Slow) => {
            tokio::time::sleep(SLOW).await;
            answer.into_response()
        }
        Some(Fault::MalformedJson) => {
            // The real answer cut short, as a broken connection leaves it.
            let cut: String = answer
                .1
                .chars()
                .take(answer.1.chars().count() / 2)
                .collect();
            (axum::http::StatusCode::OK, cut).into_response()
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

/// Whether a send outage refuses this call now (and counts it if so).
fn in_outage(shared: &Shared, method: &str) -> bool {
    let mut inner = shared.inner.lock().unwrap();
    let down = SENDS.contains(&method)
        && inner
            .sends_fail_until
            .is_some_and(|until| Instant::now() < until);
    if down {
        inner.refused += 1;
    }
    down
}

/// Does what Telegram would do for `method`, recording the call.
fn act(shared: &Shared, method: String, body: Value) -> Answer {
    let mut inner = shared.inner.lock().unwrap();
    if let Some(left) = inner.failures.get_mut(&method).filter(|n| **n > 0) {
        *left -= 1;
        inner.calls.push(Call {
            method,
            body,
            message_id: None,
        });
        return refuse(500, "Internal Server Error: injected by the fake");
    }
    let chat = body.get("chat_id").and_then(Value::as_i64);
    if chat.is_some_and(|c| inner.blocked_chats.contains(&c)) {
        inner.calls.push(Call {
            method,
            body,
            message_id: None,
        });
        return refuse(403, "Forbidden: bot was blocked by the user");
    }
    let result = match method.as_str() {
        "getme" => json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false, "has_main_web_app": false
        }),
        "getwebhookinfo" => {
            json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })
        }
        "getchatmember" => {
            let user = body.get("user_id").and_then(Value::as_i64).unwrap_or(0);
            let admin = chat.is_some_and(|c| inner.admins.contains(&(c, user)));
            let user = json!({ "id": user, "is_bot": false, "first_name": "Member" });
            if admin {
                json!({ "status": "creator", "user": user, "is_anonymous": false })
            } else {
                json!({ "status": "member", "user": user })
            }
        }
        "sendmessage" | "editmessagetext" => {
            let message_id = match body.get("message_id").and_then(Value::as_i64) {
                Some(id) => id,
                None => {
                    inner.next_message_id += 1;
                    inner.next_message_id
                }
            };
            let mut message = json!({
                "message_id": message_id,
                "date": 1_790_000_000,
                "chat": chat_of(chat.unwrap_or(0)),
                "from": { "id": BOT_ID, "is_bot": true, "first_name": "Twitch Bot" },
                "text": body.get("text").cloned().unwrap_or(json!("")),
            });
            if let Some(topic) = body.get("message_thread_id") {
                message["message_thread_id"] = topic.clone();
                message["is_topic_message"] = json!(true);
            }
            inner.calls.push(Call {
                method,
                body,
                message_id: Some(message_id),
            });
            return reply(message);
        }
        _ => json!(true),
    };
    inner.calls.push(Call {
        method,
        body,
        message_id: None,
    });
    reply(result)
}

async fn get_updates(shared: &Shared, body: &Value) -> Answer {
    let offset = body.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let wait = body
        .get("timeout")
        .and_then(Value::as_u64)
        .unwrap_or(0)
        .min(1);
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let arrived = shared.arrived.notified();
        let ready: Vec<Value> = {
            let mut inner = shared.inner.lock().unwrap();
            inner
                .updates
                .retain(|u| u.get("update_id").and_then(Value::as_i64).unwrap_or(0) >= offset);
            inner.updates.iter().take(100).cloned().collect()
        };
        if !ready.is_empty() || Instant::now() >= deadline {
            return reply(Value::Array(ready));
        }
        let _ = tokio::time::timeout(deadline - Instant::now(), arrived).await;
    }
}
