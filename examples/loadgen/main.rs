//! Load generator: plays N users through whole checks against a bot
//! process, over the fake Telegram Bot API on 127.0.0.1 (the `fake_bot_api`
//! crate, the tests' own), and measures it.
//!
//! ```sh
//! cargo run --release --example loadgen -- --users 1000 --storage memory \
//!     -- target/release/nasal-twitch-bot run
//! ```
//! Everything after `--` is the bot's command line (ours or a peer from
//! `bench/peers/`); the bot is pointed at the fake through `TELOXIDE_API_URL`
//! (and `API_URL`) and runs with `BOT_THROTTLE=off` (the fake imposes no
//! limits; `--pacing` keeps the default, on) and `BOT_FLOOD_LIMIT=100000`
//! (simulated users answer far faster than people; `--flooder` keeps the
//! default). Requests may be JSON (teloxide) or form-encoded (aiogram).
//!
//! Options: `--users N`, `--rounds R` (each user does R checks in a row, for
//! runs long enough to measure), `--storage URL` (our bot's `BOT_STORAGE`), `--label
//! NAME` (shown in the figures), `--webhook` (updates are POSTed to the bot,
//! each chat's in order and at most 40 at a time like Telegram, instead of
//! handed out by `getUpdates`),
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

mod process;
mod users;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_bot_api::{FakeApi, Fault, Route};
use serde_json::json;

use process::{cpu_seconds, free_port, peak_rss_kib, stop};
use users::{Users, World};

/// The webhook secret the bot is started with in `--webhook` runs.
const SECRET: &str = "loadgen-secret";

/// What the command line asked for.
struct Settings {
    users: usize,
    rounds: usize,
    storage: String,
    label: String,
    record: Option<String>,
    webhook: bool,
    pacing: bool,
    flooder: usize,
    fail_per_mille: u64,
    bot: Vec<String>,
}

impl Settings {
    /// Reads the command line; exits with the usage when it names no bot.
    fn from_args() -> Settings {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let split = args.iter().position(|a| a == "--").unwrap_or(args.len());
        let (own, bot) = (&args[..split], args.get(split + 1..).unwrap_or_default());
        let option = |name: &str| own.windows(2).find(|w| w[0] == name).map(|w| w[1].clone());
        let number = |name: &str| option(name).and_then(|n| n.parse::<u64>().ok());
        let flag = |name: &str| own.iter().any(|a| a == name);
        if bot.is_empty() {
            eprintln!(
                "usage: loadgen [--users N] [--rounds R] [--storage URL] [--label NAME] [--webhook] [--record FILE] [--pacing] [--flooder N] [--fail-per-mille N] -- BOT COMMAND..."
            );
            std::process::exit(2);
        }
        Settings {
            users: number("--users").unwrap_or(100) as usize,
            rounds: number("--rounds").filter(|&r| r > 0).unwrap_or(1) as usize,
            storage: option("--storage").unwrap_or_else(|| "memory".to_string()),
            label: option("--label").unwrap_or_else(|| "nasal-twitch-bot".to_string()),
            record: option("--record"),
            webhook: flag("--webhook"),
            pacing: flag("--pacing"),
            flooder: number("--flooder").unwrap_or(0) as usize,
            fail_per_mille: number("--fail-per-mille").unwrap_or(0),
            bot: bot.to_vec(),
        }
    }
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Waits until every user is done; false when no reply came for
/// `STALL` (a user left without an answer, or the bot died).
async fn wait_for_all(users: &Users) -> bool {
    const STALL: Duration = Duration::from_secs(30);
    let mut last = (usize::MAX, 0);
    loop {
        let (replies, (finished, all)) = {
            let world = users.world.lock().unwrap();
            (world.latencies_us.len(), world.progress())
        };
        if finished == all {
            return true;
        }
        if (replies, finished) == last {
            eprintln!("loadgen: no reply for {STALL:?}; giving up");
            return false;
        }
        last = (replies, finished);
        let _ = tokio::time::timeout(STALL, users.all_done.notified()).await;
    }
}

/// Waits until the bot has made no call for 300 ms (at most 5 s).
async fn quiet(users: &Users) {
    const QUIET: Duration = Duration::from_millis(300);
    let give_up = Instant::now() + Duration::from_secs(5);
    while Instant::now() < give_up {
        let last = users.world.lock().unwrap().last_call();
        match last {
            Some(at) if at.elapsed() < QUIET => tokio::time::sleep(QUIET - at.elapsed()).await,
            _ => return,
        }
    }
}

/// How the run went, for one JSON line.
struct Run<'a> {
    settings: &'a Settings,
    world: &'a World,
    /// Updates the users sent.
    updates: f64,
    elapsed: f64,
    messages: u64,
    cpu: f64,
    rss_kib: u64,
    startup: Duration,
    failed_calls: usize,
    correct: bool,
}

impl Run<'_> {
    fn figures(&self) -> serde_json::Value {
        let (s, world) = (self.settings, self.world);
        let mut latencies = world.latencies_us.clone();
        latencies.sort_unstable();
        let mut since_sent = world.since_sent_us.clone();
        since_sent.sort_unstable();
        let ms = |us: u64| us as f64 / 1000.0;
        let calls_per_check: BTreeMap<&String, f64> = world
            .calls
            .iter()
            .map(|(method, n)| (method, *n as f64 / world.checks.max(1) as f64))
            .collect();
        json!({
            "bot": s.label, "storage": s.storage, "users": s.users,
            "mode": if s.webhook { "webhook" } else { "polling" },
            "pacing": s.pacing, "flooder": s.flooder, "fail_per_mille": s.fail_per_mille,
            "failed_calls": self.failed_calls,
            "flooder_notice_ms": world.flood_noticed.map(|d| d.as_secs_f64() * 1000.0),
            "messages_per_s": self.messages as f64 / self.elapsed,
            "rounds": s.rounds,
            "checks_per_s": world.checks as f64 / self.elapsed,
            "updates_per_s": self.updates / self.elapsed,
            "p50_ms": ms(percentile(&latencies, 0.50)),
            "p99_ms": ms(percentile(&latencies, 0.99)),
            "max_ms": ms(latencies.last().copied().unwrap_or(0)),
            "p50_since_sent_ms": ms(percentile(&since_sent, 0.50)),
            "p99_since_sent_ms": ms(percentile(&since_sent, 0.99)),
            "cpu_s_per_1000_updates": self.cpu / self.updates * 1000.0,
            "peak_rss_mib": self.rss_kib as f64 / 1024.0,
            "seconds": self.elapsed,
            "startup_ms": self.startup.as_secs_f64() * 1000.0,
            "calls_per_check": calls_per_check,
            "handed_out_per_update": world.handed_out as f64 / self.updates,
            "checks": world.checks, "finished": world.finished, "wrong": world.wrong,
            "correct": self.correct,
        })
    }
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_args();
    let users = Arc::new(Users::new(!settings.webhook));
    let api = FakeApi::start_with(fake_bot_api::Options {
        // A long run keeps no log: the users hear each call as it comes.
        log: false,
        listener: Some(Arc::clone(&users) as Arc<dyn fake_bot_api::Listener>),
        // Other bots are measured too: a refused call is reported, not fatal.
        strict: false,
    })
    .await;
    if settings.fail_per_mille > 0 {
        api.inject_into_sends(&[Fault::Status502], settings.fail_per_mille);
    }

    let mut command = Command::new(&settings.bot[0]);
    command
        .args(&settings.bot[1..])
        .env("TELOXIDE_TOKEN", "1:bench")
        .env("TELOXIDE_API_URL", &api.url)
        .env("API_URL", &api.url)
        .env("BOT_STORAGE", &settings.storage)
        .env("BOT_THROTTLE", if settings.pacing { "on" } else { "off" })
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    if settings.flooder == 0 {
        // Simulated users answer far faster than people; flood control stays on.
        command.env("BOT_FLOOD_LIMIT", "100000");
    }
    if settings.webhook {
        let port = free_port();
        let hook = format!("http://127.0.0.1:{port}/hook");
        api.deliver_to(vec![hook.clone()], SECRET, Route::Alternate);
        command
            .env("WEBHOOK_URL", hook)
            .env("WEBHOOK_SECRET", SECRET)
            .env("BOT_LISTEN", format!("127.0.0.1:{port}"))
            .env("BOT_METRICS_LISTEN", "off");
    }
    let spawned = Instant::now();
    let mut bot = command.spawn().expect("the bot starts");
    let pid = bot.id();
    let up = tokio::time::timeout(Duration::from_secs(60), users.ready.notified()).await;
    let startup = spawned.elapsed();
    if up.is_err() {
        eprintln!("loadgen: the bot did not ask for updates within 60 s");
        let _ = bot.kill();
        std::process::exit(1);
    }
    // A webhook server listens a moment after setWebhook.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if settings.flooder > 0 {
        users.flood(&api, settings.flooder);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    users.start(
        &api,
        settings.users,
        settings.rounds,
        settings.record.is_some(),
    );
    let finished_in_time = wait_for_all(&users).await;
    let elapsed = started.elapsed().as_secs_f64();
    let messages = {
        let world = users.world.lock().unwrap();
        world.calls.get("sendmessage").copied().unwrap_or(0)
    };
    let cpu = cpu_seconds(pid) - cpu_before;
    let rss_kib = peak_rss_kib(pid);
    // Messages after the last verdict (the tips) still count and are recorded.
    quiet(&users).await;
    stop(&mut bot).await;

    let world = users.world.lock().unwrap();
    let correct = finished_in_time && world.finished == settings.users && world.wrong == 0;
    let run = Run {
        settings: &settings,
        world: &world,
        updates: (api.next_update_id() - 1) as f64,
        elapsed,
        messages,
        cpu,
        rss_kib,
        startup,
        failed_calls: api.injected().values().sum(),
        correct,
    };
    println!("{}", run.figures());
    let refused = api.violations();
    if !refused.is_empty() {
        eprintln!(
            "loadgen: the fake refused {} calls for breaking the Bot API specification, the first: {}",
            refused.len(),
            refused[0]
        );
    }
    if let Some(path) = &settings.record {
        let text = serde_json::to_string_pretty(&world.transcripts()).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text + "\n") {
            eprintln!("loadgen: cannot write {path}: {e}");
        }
    }
    if !correct {
        eprintln!(
            "loadgen: {} of {} users finished, {} with a wrong outcome",
            world.finished, settings.users, world.wrong
        );
        std::process::exit(1);
    }
}
