//! Faults from Telegram's side: under each, many users go through whole
//! checks and every one ends at the right outcome, each answer applied once.

use std::time::Duration;

use fake_bot_api::{FakeApi, Fault};

use crate::support::{
    Backend, BotProcess, TOKEN_SECRET, UserChat, assert_all_finished, play, repeated_messages,
    stable, start_with_sqlite, temp_dir, wait,
};

/// Users per run; `FAULT_USERS` raises it for longer runs.
fn users() -> usize {
    std::env::var("FAULT_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

async fn run_under(kinds: &[Fault], per_mille: u64) {
    let users = users();
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = BotProcess::start_with(
        &api,
        &backend.url(),
        &stable::dir(),
        &[("BOT_HTTP_TIMEOUT", "3s"), ("RUST_LOG", "warn")],
    );
    api.inject(kinds, per_mille);
    let base = 100_000 + 10_000 * kinds.len() as i64;
    let players: Vec<_> = (0..users)
        .map(|u| tokio::spawn(play(api.clone(), base + u as i64, u)))
        .collect();
    for player in players {
        if let Err(e) = player.await {
            let log = bot.log();
            let tail: Vec<&str> = log
                .lines()
                .rev()
                .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("freez"))
                .take(30)
                .collect();
            panic!(
                "a user got stuck: {e}\nbot log, newest first:\n{}",
                tail.join("\n")
            );
        }
    }
    let outcomes = assert_all_finished(&backend, base, users).await;
    let sent = api
        .calls()
        .iter()
        .filter(|c| c.method == "sendmessage")
        .count();
    let repeated = repeated_messages(&api, base, users);
    let log = bot.stop();
    assert!(!log.contains(TOKEN_SECRET), "token in the log");
    eprintln!(
        "faults {kinds:?} at {per_mille}‰: {users} users, {} updates, {sent} messages, injected {:?}, \
         outcomes {outcomes:?}, repeated messages {repeated}, answers lost 0, applied twice 0",
        api.next_update_id() - 1,
        api.injected()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_500_and_502() {
    run_under(&[Fault::Status500, Fault::Status502], 5).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_requests_with_retry_after() {
    // Each 429 freezes the whole bot for `retry_after` (Throttle), as Telegram asks.
    run_under(&[Fault::TooManyRequests], 5).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_slower_than_the_client_waits() {
    run_under(&[Fault::Slow], 20).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_connections() {
    run_under(&[Fault::Dropped], 30).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json() {
    run_under(&[Fault::MalformedJson], 30).await;
}

/// `getUpdates` answered 429 waits the `retry_after` Telegram asked for
/// before asking again, instead of a short backoff of its own.
#[tokio::test(flavor = "multi_thread")]
async fn get_updates_honours_retry_after() {
    let (api, _dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut user = UserChat::new(&api, 990);
    user.say("/help");
    user.expect("/check").await;
    api.throttle_next("getupdates", 1, 3);
    // End the long poll in flight, so the next one is the refused one.
    user.say("/help");
    user.expect("/check").await;
    let (refused, next) = wait::until_some(
        Duration::from_secs(30),
        "a getUpdates after the one answered 429",
        || {
            let refused = api.throttled_at().first().copied();
            let next = refused.and_then(|at| {
                api.arrivals("getupdates")
                    .into_iter()
                    .find(|arrival| *arrival > at)
            });
            std::future::ready(refused.zip(next))
        },
    )
    .await;
    let waited = next - refused;
    assert!(
        waited >= Duration::from_millis(2900),
        "getUpdates came back {waited:?} after the 429, not after the 3 s Telegram asked for"
    );
    bot.stop();
}
