//! Load generator: a fake Telegram Bot API on 127.0.0.1 that plays N users
//! through whole checks against a bot process and measures it.
//!
//! ```sh
//! cargo run --release --example loadgen -- --users 1000 --storage memory \
//!     -- target/release/nasal-twitch-bot run
//! ```
//! Everything after `--` is the bot's command line; the bot is pointed here
//! through `TELOXIDE_API_URL` and runs with `BOT_THROTTLE=off` (the fake
//! imposes no limits). Prints one JSON line of figures; a user who does not
//! reach the right outcome fails the run (exit 1).

use std::collections::{HashMap, VecDeque};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

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

/// One answer: a button label to press, or text to type.
#[derive(Clone, Copy)]
enum Answer {
    Press(&'static str),
    Type(&'static str),
}

/// The answers of plan `i % 3` and the verdict it must end with.
fn plan(i: usize) -> (Vec<Answer>, &'static str) {
    use Answer::{Press, Type};
    match i % 3 {
        0 => (vec![Press("Yes, I have one of these")], "EMERGENCY"),
        1 => (
            vec![
                Press("No, none of these"),
                Type("often"),
                Type("2 weeks"),
                Press("No"),
                Type("yes"),
                Press("No"),
                Type("no"),
            ],
            "SEE A DOCTOR",
        ),
        _ => (
            vec![
                Type("no"),
                Press("Once in a while"),
                Press("1 to 3 days"),
                Type("no"),
                Press("No"),
                Type("no"),
                Press("Yes"),
            ],
            "SELF-CARE",
        ),
    }
}

struct User {
    plan: Vec<Answer>,
    verdict: &'static str,
    next: usize,
    handed_out: Option<Instant>,
    done: bool,
}

#[derive(Default)]
struct World {
    users: HashMap<i64, User>,
    queue: VecDeque<Value>,
    next_update: i64,
    next_message: i64,
    latencies_us: Vec<u64>,
    updates: u64,
    finished: usize,
    wrong: usize,
}

struct Shared {
    world: Mutex<World>,
    arrived: Notify,
    all_done: Notify,
}

fn chat_json(chat: i64) -> Value {
    json!({ "id": chat, "type": "private", "first_name": "U" })
}

impl World {
    fn enqueue(&mut self, kind: &str, payload: Value) {
        self.next_update += 1;
        self.queue
            .push_back(json!({ "update_id": self.next_update, kind: payload }));
    }

    fn text(&mut self, chat: i64, text: &str) {
        self.next_message += 1;
        let message = json!({ "message_id": self.next_message, "date": 1, "chat": chat_json(chat),
            "from": { "id": chat, "is_bot": false, "first_name": "U" }, "text": text });
        self.enqueue("message", message);
    }

    fn press(&mut self, chat: i64, message_id: i64, data: &str) {
        let query = json!({ "id": format!("q{}", self.next_update), "chat_instance": "c", "data": data,
            "from": { "id": chat, "is_bot": false, "first_name": "U" },
            "message": { "message_id": message_id, "date": 1, "chat": chat_json(chat), "text": "q" } });
        self.enqueue("callback_query", query);
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
        let is_verdict = ["EMERGENCY", "SEE A DOCTOR", "SELF-CARE"]
            .iter()
            .any(|v| text.contains(v));
        if !is_question && !is_verdict {
            return;
        }
        if let Some(at) = user.handed_out.take() {
            self.latencies_us.push(at.elapsed().as_micros() as u64);
        }
        if is_verdict {
            user.done = true;
            self.finished += 1;
            if !text.contains(user.verdict) {
                self.wrong += 1;
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
}

async fn api(
    State(shared): State<Arc<Shared>>,
    Path((_token, method)): Path<(String, String)>,
    body: Bytes,
) -> String {
    let method = method.to_lowercase();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let ok = |result: Value| json!({ "ok": true, "result": result }).to_string();
    match method.as_str() {
        "getme" => ok(
            json!({ "id": 1, "is_bot": true, "first_name": "B", "username": "bench_bot",
            "can_join_groups": false, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false }),
        ),
        "getupdates" => {
            let offset = body["offset"].as_i64().unwrap_or(0);
            let deadline =
                Instant::now() + Duration::from_secs(body["timeout"].as_u64().unwrap_or(0).min(1));
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
                    let batch: Vec<Value> = world.queue.iter().take(100).cloned().collect();
                    let now = Instant::now();
                    for update in &batch {
                        let chat = update
                            .pointer("/message/chat/id")
                            .or_else(|| update.pointer("/callback_query/message/chat/id"));
                        if let Some(user) = chat
                            .and_then(Value::as_i64)
                            .and_then(|c| world.users.get_mut(&c))
                        {
                            user.handed_out.get_or_insert(now);
                        }
                    }
                    // Confirmed updates are gone; the batch stays until confirmed.
                    batch
                };
                if !batch.is_empty() || Instant::now() >= deadline {
                    return ok(Value::Array(batch));
                }
                let _ = tokio::time::timeout(deadline - Instant::now(), notified).await;
            }
        }
        "sendmessage" | "editmessagetext" => {
            let chat = body["chat_id"].as_i64().unwrap_or(0);
            let mut world = shared.world.lock().unwrap();
            world.updates += 1;
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
        _ => ok(json!(true)),
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
    if bot_command.is_empty() {
        eprintln!("usage: loadgen [--users N] [--storage URL] [--label NAME] -- BOT COMMAND...");
        std::process::exit(2);
    }

    let shared = Arc::new(Shared {
        world: Mutex::new(World::default()),
        arrived: Notify::new(),
        all_done: Notify::new(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/{token}/{method}", post(api))
        .with_state(Arc::clone(&shared));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let mut bot = Command::new(&bot_command[0])
        .args(&bot_command[1..])
        .env("TELOXIDE_TOKEN", "1:bench")
        .env("TELOXIDE_API_URL", &url)
        .env("API_URL", &url)
        .env("BOT_STORAGE", &storage)
        .env("BOT_THROTTLE", "off")
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the bot starts");
    let pid = bot.id();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    {
        let mut world = shared.world.lock().unwrap();
        for i in 0..users {
            let chat = 1_000_000 + i as i64;
            let (plan, verdict) = plan(i);
            world.users.insert(
                chat,
                User {
                    plan,
                    verdict,
                    next: 0,
                    handed_out: None,
                    done: false,
                },
            );
            world.text(chat, "/start check");
        }
    }
    shared.arrived.notify_waiters();
    let finished_in_time =
        tokio::time::timeout(Duration::from_secs(600), shared.all_done.notified())
            .await
            .is_ok();
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    let rss = peak_rss_kib(pid);
    let _ = bot.kill();
    let _ = bot.wait();

    let world = shared.world.lock().unwrap();
    let mut latencies = world.latencies_us.clone();
    latencies.sort_unstable();
    let updates = world.next_update as f64;
    let correct = finished_in_time && world.finished == users && world.wrong == 0;
    let figures = json!({
        "bot": label, "storage": storage, "users": users,
        "checks_per_s": world.finished as f64 / elapsed,
        "updates_per_s": updates / elapsed,
        "p50_ms": percentile(&latencies, 0.50) as f64 / 1000.0,
        "p99_ms": percentile(&latencies, 0.99) as f64 / 1000.0,
        "max_ms": latencies.last().copied().unwrap_or(0) as f64 / 1000.0,
        "cpu_s_per_1000_updates": cpu / updates * 1000.0,
        "peak_rss_mib": rss as f64 / 1024.0,
        "seconds": elapsed,
        "finished": world.finished, "wrong": world.wrong, "correct": correct,
    });
    println!("{figures}");
    if !correct {
        eprintln!(
            "loadgen: {} of {users} users finished, {} with a wrong outcome",
            world.finished, world.wrong
        );
        std::process::exit(1);
    }
}
