//! Load generator: a fake Telegram Bot API on 127.0.0.1 that plays N users
//! through whole checks against a bot process and measures it.
//!
//! ```sh
//! cargo run --release --example loadgen -- --users 1000 --storage memory \
//!     -- target/release/nasal-twitch-bot run
//! ```
//! Everything after `--` is the bot's command line (ours or a peer from
//! `bench/peers/`); the bot is pointed here through `TELOXIDE_API_URL` (and
//! `API_URL`) and runs with `BOT_THROTTLE=off` (the fake imposes no limits;
//! `--pacing` keeps the default, on) and `BOT_FLOOD_LIMIT=100000` (simulated
//! users answer far faster than people; `--flooder` keeps the default).
//! Requests may be JSON (teloxide) or form-encoded (aiogram).
//!
//! Options: `--users N`, `--rounds R` (each user does R checks in a row, for
//! runs long enough to measure), `--storage URL` (our bot's `BOT_STORAGE`), `--label
//! NAME` (shown in the figures), `--webhook` (updates are POSTed to the bot,
//! 40 at a time like Telegram, instead of handed out by `getUpdates`),
//! `--record FILE` (writes what the first user of each plan was sent, so
//! peers can be checked to say exactly what our bot says), `--pacing` (the
//! bot paces its messages to Telegram's limits, as shipped), `--flooder N`
//! (one more person first sends N messages in a burst, 300 ms before the
//! users start; `flooder_notice_ms` is when they were told to slow down),
//! `--fail-per-mille N` (that share of sendMessage, editMessageText and
//! answerCallbackQuery calls fail with a 502 before acting).
//!
//! Prints one JSON line of figures (`startup_ms` runs from starting the
//! bot's process to its first `getUpdates` or `setWebhook`); a user who does not reach the right
//! outcome fails the run (exit 1).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::{Notify, Semaphore};

/// Question texts (a unique piece of each), the button or typed answer a
/// user gives, by plan.
const QUESTIONS: [&str; 7] = [
    "First, a safety question",
    "How often does the twitching",
    "How long has it been going on?",
    "pain or discomfort?",
    "vision or your hearing?",
    "Any other unusual symptoms?",
    "under stress or feeling anxious",
];

/// The verdict each plan must end with, by plan number.
const VERDICTS: [&str; 3] = ["EMERGENCY", "SEE A DOCTOR", "SELF-CARE"];

/// The webhook secret the bot is started with in `--webhook` runs.
const SECRET: &str = "loadgen-secret";

/// Updates POSTed at once in `--webhook` runs (Telegram's default).
const WEBHOOK_CONNECTIONS: usize = 40;

/// One answer: a button label to press, or text to type.
#[derive(Clone, Copy)]
enum Answer {
    Press(&'static str),
    Type(&'static str),
}

/// The answers of plan `i % 3`; it must end with `VERDICTS[i % 3]`.
fn plan(i: usize) -> Vec<Answer> {
    use Answer::{Press, Type};
    match i % 3 {
        0 => vec![Press("Yes, I have one of these")],
        1 => vec![
            Press("No, none of these"),
            Type("often"),
            Type("2 weeks"),
            Press("No"),
            Type("yes"),
            Press("No"),
            Type("no"),
        ],
        _ => vec![
            Type("no"),
            Press("Once in a while"),
            Press("1 to 3 days"),
            Type("no"),
            Press("No"),
            Type("no"),
            Press("Yes"),
        ],
    }
}

struct User {
    plan: Vec<Answer>,
    verdict: &'static str,
    next: usize,
    /// The user's update waiting for the bot's reply.
    waiting_on: i64,
    /// When that update was first handed to the bot.
    handed_out: Option<Instant>,
    /// When the user sent it (it may wait in the fake's queue first).
    sent: Instant,
    /// Checks still to start after this one.
    rounds_left: usize,
    done: bool,
}

#[derive(Default)]
struct World {
    users: HashMap<i64, User>,
    queue: VecDeque<Value>,
    next_update: i64,
    next_message: i64,
    latencies_us: Vec<u64>,
    /// The same replies, timed from when the user sent the update.
    since_sent_us: Vec<u64>,
    /// Checks that reached an outcome (users × rounds when all went well).
    checks: usize,
    /// Users done with all their rounds.
    finished: usize,
    wrong: usize,
    /// Bot API calls by method.
    calls: BTreeMap<String, u64>,
    /// When the bot last called (sent, edited, answered).
    last_call: Option<Instant>,
    /// What the first user of each plan was sent, in order.
    transcripts: BTreeMap<i64, Vec<Value>>,
    /// Updates handed out by `getUpdates`, counting each time one is
    /// handed out again (it stays until confirmed).
    handed_out: u64,
    /// The recorded users' button presses: query id → chat.
    queries: HashMap<String, i64>,
    /// Where to POST updates (`--webhook` runs): the URL and the secret.
    webhook: Option<(String, String)>,
    /// `--fail-per-mille`: calls that fail, and the generator's state.
    fail_per_mille: u64,
    fail_state: u64,
    failed_calls: u64,
    /// `--flooder`: when the flood was sent, and when its notice came.
    flood_sent: Option<Instant>,
    flood_noticed: Option<Duration>,
}

struct Shared {
    world: Mutex<World>,
    arrived: Notify,
    all_done: Notify,
    /// The bot asked for updates (or set its webhook): it is up.
    ready: Notify,
}

fn chat_json(chat: i64) -> Value {
    json!({ "id": chat, "type": "private", "first_name": "U" })
}

/// The chat an update comes from.
fn chat_of(update: &Value) -> Option<i64> {
    update
        .pointer("/message/chat/id")
        .or_else(|| update.pointer("/callback_query/message/chat/id"))
        .and_then(Value::as_i64)
}

/// The first chat id; users are numbered from here.
const FIRST_CHAT: i64 = 1_000_000;

/// The `--flooder`'s chat.
const FLOOD_CHAT: i64 = FIRST_CHAT - 1;

/// The button labels of an inline keyboard, row by row.
fn labels(keyboard: Option<&Value>) -> Value {
    let rows = keyboard.and_then(Value::as_array).into_iter().flatten();
    rows.map(|row| {
        let buttons = row.as_array().into_iter().flatten();
        buttons.map(|b| b["text"].clone()).collect::<Value>()
    })
    .collect()
}

impl World {
    /// Whether this call fails (`--fail-per-mille`), from a fixed seed.
    fn fails(&mut self) -> bool {
        if self.fail_per_mille == 0 {
            return false;
        }
        // xorshift64*
        self.fail_state ^= self.fail_state >> 12;
        self.fail_state ^= self.fail_state << 25;
        self.fail_state ^= self.fail_state >> 27;
        let roll = self.fail_state.wrapping_mul(0x2545_F491_4F6C_DD1D) % 1000;
        let fails = roll < self.fail_per_mille;
        self.failed_calls += u64::from(fails);
        fails
    }

    fn enqueue(&mut self, chat: i64, kind: &str, payload: Value) {
        self.next_update += 1;
        if let Some(user) = self.users.get_mut(&chat) {
            user.waiting_on = self.next_update;
            user.sent = Instant::now();
        }
        self.queue
            .push_back(json!({ "update_id": self.next_update, kind: payload }));
    }

    fn text(&mut self, chat: i64, text: &str) {
        self.next_message += 1;
        let message = json!({ "message_id": self.next_message, "date": 1, "chat": chat_json(chat),
            "from": { "id": chat, "is_bot": false, "first_name": "U" }, "text": text });
        self.enqueue(chat, "message", message);
    }

    fn press(&mut self, chat: i64, message_id: i64, data: &str) {
        let id = format!("q{}", self.next_update);
        if self.transcripts.contains_key(&chat) {
            self.queries.insert(id.clone(), chat);
        }
        let query = json!({ "id": id, "chat_instance": "c", "data": data,
            "from": { "id": chat, "is_bot": false, "first_name": "U" },
            "message": { "message_id": message_id, "date": 1, "chat": chat_json(chat), "text": "q" } });
        self.enqueue(chat, "callback_query", query);
    }

    /// Counts a Bot API call and, for the recorded users, writes it down.
    fn called(&mut self, method: &str, body: &Value) {
        *self.calls.entry(method.to_string()).or_default() += 1;
        self.last_call = Some(Instant::now());
        let chat = body["chat_id"].as_i64().or_else(|| {
            let query = body["callback_query_id"].as_str()?;
            self.queries.get(query).copied()
        });
        if let Some(log) = chat.and_then(|c| self.transcripts.get_mut(&c)) {
            let mut call = json!({ "method": method });
            for field in ["text", "reply_markup"] {
                if let Some(value) = body.get(field) {
                    call[field] = match field {
                        "reply_markup" => labels(value.get("inline_keyboard")),
                        _ => value.clone(),
                    };
                }
            }
            log.push(call);
        }
    }

    /// The bot said `text` (with `keyboard`) to `chat` in message `message_id`: the user reacts.
    fn said(&mut self, chat: i64, text: &str, keyboard: Option<&Value>, message_id: i64) {
        let Some(user) = self.users.get_mut(&chat) else {
            return;
        };
        if user.done {
            return;
        }
        let is_question = QUESTIONS.iter().any(|q| text.contains(q));
        let is_verdict = VERDICTS.iter().any(|v| text.contains(v));
        if !is_question && !is_verdict {
            return;
        }
        if let Some(at) = user.handed_out.take() {
            self.latencies_us.push(at.elapsed().as_micros() as u64);
            self.since_sent_us
                .push(user.sent.elapsed().as_micros() as u64);
        }
        if is_verdict {
            self.checks += 1;
            if !text.contains(user.verdict) {
                self.wrong += 1;
            }
            if user.rounds_left == 0 {
                user.done = true;
                self.finished += 1;
            } else {
                user.rounds_left -= 1;
                user.next = 0;
                self.text(chat, "/start check");
            }
            return;
        }
        let Some(&answer) = user.plan.get(user.next) else {
            user.done = true;
            self.wrong += 1;
            self.finished += 1;
            return;
        };
        user.next += 1;
        match answer {
            Answer::Type(words) => self.text(chat, words),
            Answer::Press(label) => {
                let data = keyboard
                    .and_then(|k| k.as_array())
                    .into_iter()
                    .flatten()
                    .flat_map(|row| row.as_array().into_iter().flatten())
                    .find(|b| b["text"] == label)
                    .and_then(|b| b["callback_data"].as_str())
                    .map(str::to_string);
                match data {
                    Some(data) => self.press(chat, message_id, &data),
                    None => self.text(chat, label),
                }
            }
        }
    }

    /// Marks the users of `batch` as waiting from now.
    fn hand_out(&mut self, batch: &[Value]) {
        let now = Instant::now();
        for update in batch {
            let user = chat_of(update).and_then(|c| self.users.get_mut(&c));
            // An update handed out again (not yet confirmed) keeps its first time.
            if let Some(user) = user.filter(|u| update["update_id"] == u.waiting_on) {
                user.handed_out.get_or_insert(now);
            }
        }
    }
}

/// A request's parameters: a JSON body (teloxide) or form fields (aiogram),
/// whose values are JSON where they parse as JSON (numbers, keyboards).
fn parameters(headers: &HeaderMap, body: &[u8]) -> Value {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let fields = url::form_urlencoded::parse(body).map(|(key, value)| {
        let parsed = serde_json::from_str::<Value>(&value)
            .ok()
            .filter(|v| !v.is_string());
        (
            key.into_owned(),
            parsed.unwrap_or(Value::String(value.into_owned())),
        )
    });
    Value::Object(fields.collect())
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> String {
    let method = method.to_lowercase();
    let body = parameters(&headers, &body);
    let ok = |result: Value| json!({ "ok": true, "result": result }).to_string();
    match method.as_str() {
        "getme" => ok(
            json!({ "id": 1, "is_bot": true, "first_name": "B", "username": "bench_bot",
            "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false }),
        ),
        "setwebhook" => {
            // Updates go to the address the bot was started with (the
            // request is multipart, not worth parsing here).
            shared.ready.notify_one();
            ok(json!(true))
        }
        "getupdates" => {
            shared.ready.notify_one();
            let offset = body["offset"].as_i64().unwrap_or(0);
            let timeout = body["timeout"].as_u64().unwrap_or(0).min(1);
            let deadline = Instant::now() + Duration::from_secs(timeout);
            loop {
                let notified = shared.arrived.notified();
                let batch: Vec<Value> = {
                    let mut world = shared.world.lock().unwrap();
                    while world
                        .queue
                        .front()
                        .is_some_and(|u| u["update_id"].as_i64() < Some(offset))
                    {
                        world.queue.pop_front();
                    }
                    // Confirmed updates are gone; the batch stays until confirmed.
                    let batch: Vec<Value> = world.queue.iter().take(100).cloned().collect();
                    world.hand_out(&batch);
                    if !batch.is_empty() {
                        world.called("getupdates", &Value::Null);
                        world.handed_out += batch.len() as u64;
                    }
                    batch
                };
                if !batch.is_empty() || Instant::now() >= deadline {
                    return ok(Value::Array(batch));
                }
                let _ = tokio::time::timeout(deadline - Instant::now(), notified).await;
            }
        }
        "sendmessage" | "editmessagetext" | "answercallbackquery"
            if shared.world.lock().unwrap().fails() =>
        {
            json!({ "ok": false, "error_code": 502, "description": "Bad Gateway" }).to_string()
        }
        "sendmessage" | "editmessagetext" => {
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let mut world = shared.world.lock().unwrap();
            world.called(&method, &body);
            if chat == FLOOD_CHAT && world.flood_noticed.is_none() {
                let text = body["text"].as_str().unwrap_or("");
                if text.contains("I will pause") {
                    world.flood_noticed = world.flood_sent.map(|at| at.elapsed());
                }
            }
            let message_id = body["message_id"].as_i64().unwrap_or_else(|| {
                world.next_message += 1;
                world.next_message
            });
            let text = body["text"].as_str().unwrap_or("").to_string();
            if method == "sendmessage" {
                let before = world.finished;
                world.said(
                    chat,
                    &text,
                    body.pointer("/reply_markup/inline_keyboard"),
                    message_id,
                );
                if world.finished != before && world.finished == world.users.len() {
                    shared.all_done.notify_one();
                }
                shared.arrived.notify_waiters();
            }
            ok(
                json!({ "message_id": message_id, "date": 1, "chat": chat_json(chat), "text": text }),
            )
        }
        _ => {
            shared.world.lock().unwrap().called(&method, &body);
            ok(json!(true))
        }
    }
}

/// `--webhook` runs: POSTs queued updates to the bot, `WEBHOOK_CONNECTIONS`
/// at a time; an update the bot did not take (not 200) goes back in line.
async fn push_updates(shared: Arc<Shared>) {
    let client = reqwest::Client::new();
    let slots = Arc::new(Semaphore::new(WEBHOOK_CONNECTIONS));
    loop {
        let notified = shared.arrived.notified();
        let (next, target) = {
            let mut world = shared.world.lock().unwrap();
            let next = world.queue.pop_front();
            if let Some(update) = &next {
                world.hand_out(std::slice::from_ref(update));
            }
            (next, world.webhook.clone())
        };
        let (Some(update), Some((url, secret))) = (next, target) else {
            let _ = tokio::time::timeout(Duration::from_millis(100), notified).await;
            continue;
        };
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let (client, shared) = (client.clone(), Arc::clone(&shared));
        tokio::spawn(async move {
            let sent = client
                .post(&url)
                .header("X-Telegram-Bot-Api-Secret-Token", secret)
                .header("content-type", "application/json")
                .body(update.to_string())
                .send()
                .await;
            if !sent.is_ok_and(|r| r.status().is_success()) {
                shared.world.lock().unwrap().queue.push_back(update);
                shared.arrived.notify_waiters();
            }
            drop(slot);
        });
    }
}

/// CPU seconds (user + system) of a process so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|u| u.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(0.0);
    ticks / 100.0
}

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Waits until every user is done; false when no reply came for
/// `STALL` (a user left without an answer, or the bot died).
async fn wait_for_all(shared: &Shared) -> bool {
    const STALL: Duration = Duration::from_secs(30);
    let mut last = (usize::MAX, 0);
    loop {
        let (progress, users) = {
            let world = shared.world.lock().unwrap();
            (
                (world.latencies_us.len(), world.finished),
                world.users.len(),
            )
        };
        if progress.1 == users {
            return true;
        }
        if progress == last {
            eprintln!("loadgen: no reply for {STALL:?}; giving up");
            return false;
        }
        last = progress;
        let _ = tokio::time::timeout(STALL, shared.all_done.notified()).await;
    }
}

/// Waits until the bot has made no call for 300 ms (at most 5 s).
async fn quiet(shared: &Shared) {
    const QUIET: Duration = Duration::from_millis(300);
    let give_up = Instant::now() + Duration::from_secs(5);
    while Instant::now() < give_up {
        let last = shared.world.lock().unwrap().last_call;
        match last {
            Some(at) if at.elapsed() < QUIET => tokio::time::sleep(QUIET - at.elapsed()).await,
            _ => return,
        }
    }
}

/// SIGTERM (a profiler wrapping the bot writes its data), then SIGKILL if
/// it is still running after 10 s.
async fn stop(bot: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &bot.id().to_string()])
        .status();
    for _ in 0..100 {
        if bot.try_wait().ok().flatten().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = bot.kill();
    let _ = bot.wait();
}

/// A free port on 127.0.0.1 for the bot's webhook server.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
    let (own, bot_command) = (&args[..split], args.get(split + 1..).unwrap_or_default());
    let option = |name: &str| own.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
    let users: usize = option("--users")
        .and_then(|u| u.parse().ok())
        .unwrap_or(100);
    let storage = option("--storage").unwrap_or_else(|| "memory".to_string());
    let label = option("--label").unwrap_or_else(|| "nasal-twitch-bot".to_string());
    let record = option("--record");
    let rounds: usize = option("--rounds")
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(1);
    let webhook = own.iter().any(|a| a == "--webhook");
    let pacing = own.iter().any(|a| a == "--pacing");
    let flooder: usize = option("--flooder")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let fail_per_mille: u64 = option("--fail-per-mille")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if bot_command.is_empty() {
        eprintln!(
            "usage: loadgen [--users N] [--rounds R] [--storage URL] [--label NAME] [--webhook] [--record FILE] [--pacing] [--flooder N] [--fail-per-mille N] -- BOT COMMAND..."
        );
        std::process::exit(2);
    }

    let shared = Arc::new(Shared {
        world: Mutex::new(World::default()),
        arrived: Notify::new(),
        all_done: Notify::new(),
        ready: Notify::new(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/{token}/{method}", post(api))
        .with_state(Arc::clone(&shared));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut command = Command::new(&bot_command[0]);
    command
        .args(&bot_command[1..])
        .env("TELOXIDE_TOKEN", "1:bench")
        .env("TELOXIDE_API_URL", &url)
        .env("API_URL", &url)
        .env("BOT_STORAGE", &storage)
        .env("BOT_THROTTLE", if pacing { "on" } else { "off" })
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if flooder == 0 {
        // Simulated users answer far faster than people; flood control stays on.
        command.env("BOT_FLOOD_LIMIT", "100000");
    }
    {
        let mut world = shared.world.lock().unwrap();
        world.fail_per_mille = fail_per_mille;
        world.fail_state = 0x9E37_79B9_7F4A_7C15;
    }
    if webhook {
        let port = free_port();
        let hook = format!("http://127.0.0.1:{port}/hook");
        shared.world.lock().unwrap().webhook = Some((hook.clone(), SECRET.to_string()));
        command
            .env("WEBHOOK_URL", hook)
            .env("WEBHOOK_SECRET", SECRET)
            .env("BOT_LISTEN", format!("127.0.0.1:{port}"))
            .env("BOT_METRICS_LISTEN", "off");
        tokio::spawn(push_updates(Arc::clone(&shared)));
    }
    let spawned = Instant::now();
    let mut bot = command.spawn().expect("the bot starts");
    let pid = bot.id();
    let up = tokio::time::timeout(Duration::from_secs(60), shared.ready.notified()).await;
    let startup = spawned.elapsed();
    if up.is_err() {
        eprintln!("loadgen: the bot did not ask for updates within 60 s");
        let _ = bot.kill();
        std::process::exit(1);
    }
    // A webhook server listens a moment after setWebhook.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if flooder > 0 {
        {
            let mut world = shared.world.lock().unwrap();
            for i in 1..=flooder {
                world.text(FLOOD_CHAT, &format!("zzz {i}"));
            }
            world.flood_sent = Some(Instant::now());
        }
        shared.arrived.notify_waiters();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    {
        let mut world = shared.world.lock().unwrap();
        world.calls.clear(); // start-up calls (and the flood) are not part of a check
        for i in 0..users {
            let chat = FIRST_CHAT + i as i64;
            let user = User {
                plan: plan(i),
                verdict: VERDICTS[i % 3],
                next: 0,
                waiting_on: 0,
                handed_out: None,
                sent: Instant::now(),
                rounds_left: rounds - 1,
                done: false,
            };
            world.users.insert(chat, user);
            if record.is_some() && i < 3 {
                world.transcripts.insert(chat, Vec::new());
            }
            world.text(chat, "/start check");
        }
    }
    shared.arrived.notify_waiters();
    let finished_in_time = wait_for_all(&shared).await;
    let elapsed = started.elapsed().as_secs_f64();
    let messages = shared
        .world
        .lock()
        .unwrap()
        .calls
        .get("sendmessage")
        .copied()
        .unwrap_or(0);
    let cpu = cpu_seconds(pid) - cpu_before;
    let rss = peak_rss_kib(pid);
    // Messages after the last verdict (the tips) still count and are recorded.
    quiet(&shared).await;
    stop(&mut bot).await;

    let world = shared.world.lock().unwrap();
    let mut latencies = world.latencies_us.clone();
    latencies.sort_unstable();
    let mut since_sent = world.since_sent_us.clone();
    since_sent.sort_unstable();
    let updates = world.next_update as f64;
    let correct = finished_in_time && world.finished == users && world.wrong == 0;
    let calls_per_check: BTreeMap<&String, f64> = world
        .calls
        .iter()
        .map(|(method, n)| (method, *n as f64 / world.checks.max(1) as f64))
        .collect();
    let figures = json!({
        "bot": label, "storage": storage, "users": users,
        "mode": if webhook { "webhook" } else { "polling" },
        "pacing": pacing, "flooder": flooder, "fail_per_mille": fail_per_mille,
        "failed_calls": world.failed_calls,
        "flooder_notice_ms": world.flood_noticed.map(|d| d.as_secs_f64() * 1000.0),
        "messages_per_s": messages as f64 / elapsed,
        "rounds": rounds,
        "checks_per_s": world.checks as f64 / elapsed,
        "updates_per_s": updates / elapsed,
        "p50_ms": percentile(&latencies, 0.50) as f64 / 1000.0,
        "p99_ms": percentile(&latencies, 0.99) as f64 / 1000.0,
        "max_ms": latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
        "p50_since_sent_ms": percentile(&since_sent, 0.50) as f64 / 1000.0,
        "p99_since_sent_ms": percentile(&since_sent, 0.99) as f64 / 1000.0,
        "cpu_s_per_1000_updates": cpu / updates * 1000.0,
        "peak_rss_mib": rss as f64 / 1024.0,
        "seconds": elapsed,
        "startup_ms": startup.as_secs_f64() * 1000.0,
        "calls_per_check": calls_per_check,
        "handed_out_per_update": world.handed_out as f64 / updates,
        "checks": world.checks, "finished": world.finished, "wrong": world.wrong, "correct": correct,
    });
    println!("{figures}");
    if let Some(path) = record {
        let transcripts: BTreeMap<String, &Vec<Value>> = world
            .transcripts
            .iter()
            .map(|(chat, calls)| {
                (
                    VERDICTS[(chat - FIRST_CHAT) as usize % 3].to_string(),
                    calls,
                )
            })
            .collect();
        let text = serde_json::to_string_pretty(&transcripts).unwrap_or_default();
        if let Err(e) = std::fs::write(&path, text + "\n") {
            eprintln!("loadgen: cannot write {path}: {e}");
        }
    }
    if !correct {
        eprintln!(
            "loadgen: {} of {users} users finished, {} with a wrong outcome",
            world.finished, world.wrong
        );
        std::process::exit(1);
    }
}
