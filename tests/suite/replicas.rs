//! Scale-out: webhook mode, several replicas on one real Redis, a Redis
//! outage, and periodic tips posted by exactly one replica per slot.

use std::time::{Duration, Instant};

use serde_json::json;

use nasal_twitch_bot::config::{Secret, Storage};
use nasal_twitch_bot::runtime::tips;
use nasal_twitch_bot::store::{GroupSettings, Groups, Rhythm};

use fake_bot_api::{FakeApi, Route, SECRET};

use crate::support::stable::{Q_DURATION, Q_FREQUENCY, Q_RED_FLAGS};
use crate::support::{
    Backend, HOOK_PATH, HOOK_SECRET, KillDice, RedisServer, UserChat, WebhookBot,
    assert_all_finished, config, failed_start, messages_to, plan, play, raw_update,
    repeats_per_chat, start_runtime, wait,
};

/// A replica in webhook mode on the shared Redis, asking Telegram for at
/// most 20 connections (`WEBHOOK_MAX_CONNECTIONS`, checked in setWebhook).
async fn replica(api: &FakeApi, redis: &RedisServer) -> WebhookBot {
    WebhookBot::start(api, &redis.url(), &[("WEBHOOK_MAX_CONNECTIONS", "20")]).await
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_requests_need_the_secret() {
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let replica = replica(&api, &redis).await;
    let set = api
        .calls()
        .into_iter()
        .find(|c| c.method == "setwebhook")
        .expect("setWebhook called");
    // teloxide sends setWebhook as multipart form data.
    let form = set.body["_raw"]
        .as_str()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    for (field, value) in [
        ("url", format!("https://bot.example{HOOK_PATH}")),
        ("secret_token", HOOK_SECRET.to_string()),
        ("max_connections", "20".to_string()),
        ("drop_pending_updates", "false".to_string()),
    ] {
        assert!(
            form.contains(&format!("name=\"{field}\"\n\n{value}")),
            "{field}={value} in:\n{form}"
        );
    }

    let client = reqwest::Client::new();
    let post = |secret: Option<&'static str>, body: String| {
        let mut request = client.post(replica.hook()).body(body);
        if let Some(secret) = secret {
            request = request.header(SECRET, secret);
        }
        request.send()
    };
    let none = post(None, raw_update(1, 501, "/check")).await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = post(Some("s3cret-Hook_valuf"), raw_update(2, 502, "/check"))
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = post(Some(HOOK_SECRET), raw_update(3, 503, "/check"))
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    let mut user = UserChat::new(&api, 503);
    user.expect(Q_RED_FLAGS).await;
    let refused_chats = api
        .calls()
        .iter()
        .filter(|c| matches!(c.chat(), Some(501 | 502)))
        .count();
    assert_eq!(
        refused_chats, 0,
        "updates without the right secret are not processed"
    );
    assert_eq!(replica.metric("bot_updates_total").await, 1);
    assert_eq!(replica.metric("bot_checks_started_total").await, 1);
    let public = reqwest::get(replica.url("/metrics")).await.unwrap();
    assert_eq!(public.status(), 404, "no metrics on the public port");
    let metrics = reqwest::get(format!("http://{}/metrics", replica.metrics))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("bot_outcomes_total{level=\"emergency\"} 0"),
        "{metrics}"
    );
    assert!(!metrics.contains("503"), "no chat ids in metrics");
    replica.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_users_updates_alternate_between_two_replicas() {
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let (a, b) = (replica(&api, &redis).await, replica(&api, &redis).await);
    api.deliver_to(vec![a.hook(), b.hook()], HOOK_SECRET, Route::Alternate);
    play(api.clone(), 8_801, 1).await;
    let (answers, outcome) = plan(1);
    let backend = Backend::Redis(redis);
    let done = json!({ "at": "finished", "outcome": outcome });
    let session = backend.session_when(8_801, |s| s["position"] == done).await;
    assert_eq!(session["position"], done);
    assert_eq!(
        session["answers"].as_array().map(Vec::len),
        Some(answers.len())
    );
    let handled = (
        a.metric("bot_updates_total").await,
        b.metric("bot_updates_total").await,
    );
    assert!(
        handled.0 > 0 && handled.1 > 0,
        "both replicas served: {handled:?}"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn many_users_on_two_replicas_with_racing_deliveries_stay_consistent() {
    const USERS: usize = 60;
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let (a, b) = (replica(&api, &redis).await, replica(&api, &redis).await);
    api.deliver_to(
        vec![a.hook(), b.hook()],
        HOOK_SECRET,
        Route::Random {
            race_per_mille: 250,
        },
    );
    let players: Vec<_> = (0..USERS)
        .map(|u| tokio::spawn(play(api.clone(), 20_000 + u as i64, u)))
        .collect();
    for player in players {
        player.await.expect("every user finished");
    }
    assert_all_finished(&Backend::Redis(redis), 20_000, USERS).await;
    let updates = a.metric("bot_updates_total").await + b.metric("bot_updates_total").await;
    let conflicts =
        a.metric("bot_write_conflicts_total").await + b.metric("bot_write_conflicts_total").await;
    eprintln!(
        "two replicas: {USERS} users, {} updates sent, {updates} handled (races included), {conflicts} conflicting writes retried, answers lost 0",
        api.next_update_id() - 1
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_of_two_replicas_killed_mid_load_every_check_ends_right() {
    const USERS: usize = 30;
    const BASE: i64 = 63_000;
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let mut replicas = vec![replica(&api, &redis).await, replica(&api, &redis).await];
    // A load balancer in front: a POST the dead replica fails goes to the live one.
    api.deliver_to(
        replicas.iter().map(WebhookBot::hook).collect(),
        HOOK_SECRET,
        Route::Failover,
    );
    // The moment and the victim are random; the seed is printed to replay a failure.
    let mut dice = KillDice::from_env();
    let state = dice.roll();
    let kill_after = Duration::from_millis(400 + state % 500);
    let victim = (state >> 32) as usize % replicas.len();

    let started = Instant::now();
    // Users arrive one every 40 ms, so checks are under way when the kill comes.
    let players: Vec<_> = (0..USERS)
        .map(|u| {
            let api = api.clone();
            tokio::spawn(async move {
                // Timed on purpose: arrivals spread over time are the shape of the load.
                tokio::time::sleep(Duration::from_millis(40 * u as u64)).await;
                play(api, BASE + u as i64, u).await;
            })
        })
        .collect();
    // Timed on purpose: the kill comes at a random (seeded) moment of the load.
    tokio::time::sleep(kill_after).await;
    let killed = replicas.remove(victim);
    let killed_log = killed.process.log();
    let killed_at = started.elapsed();
    killed.process.kill9();
    let survivor = replicas.pop().unwrap();

    let mut stuck = Vec::new();
    for (u, player) in players.into_iter().enumerate() {
        if let Err(e) = player.await {
            let chat = BASE + u as i64;
            let sent: Vec<String> = api
                .calls()
                .iter()
                .filter(|c| c.chat() == Some(chat))
                .map(|c| format!("  {} {:.60}", c.method, c.text()))
                .collect();
            stuck.push(format!("chat {chat}: {e}\n{}", sent.join("\n")));
        }
    }
    assert!(
        stuck.is_empty(),
        "replica {victim} killed after {killed_at:?}; not finished:\n{}\n\
         --- killed replica's log (to the kill) ---\n{killed_log}\n\
         --- surviving replica's log ---\n{}",
        stuck.join("\n"),
        survivor.process.log()
    );
    let finished_in = started.elapsed();

    let repeats = repeats_per_chat(&api, BASE, USERS);
    let repeated: usize = repeats.iter().map(|(_, n)| n).sum();
    let handled = survivor.metric("bot_updates_total").await;
    let survivor_log = survivor.stop().await;
    let outcomes = assert_all_finished(&Backend::Redis(redis), BASE, USERS).await;
    let over: Vec<_> = repeats.iter().filter(|(_, n)| *n > 1).collect();
    assert!(
        over.is_empty(),
        "more than one repeated message in a chat (chat, repeats): {over:?}\n{}",
        survivor_log
    );
    eprintln!(
        "one of two replicas killed: {USERS} users, replica {victim} killed -9 after {} ms, \
         {} updates ({} webhook POSTs retried, {handled} handled by the survivor), outcomes \
         {outcomes:?}, repeated messages {repeated} (in {} chats), finished in {:.1} s",
        killed_at.as_millis(),
        api.next_update_id() - 1,
        api.webhook_retries(),
        repeats.iter().filter(|(_, n)| *n > 0).count(),
        finished_in.as_secs_f64()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redis_outage_fails_updates_then_recovers_without_a_restart() {
    let mut redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let replica = replica(&api, &redis).await;
    api.deliver_to(vec![replica.hook()], HOOK_SECRET, Route::Alternate);
    let mut user = UserChat::new(&api, 8_901);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;

    redis.stop();
    assert_eq!(replica.health_becomes(503).await, Some(503));
    user.say("often");
    // Telegram's retries get 500 while Redis is down.
    wait::until(
        Duration::from_secs(20),
        "the update to fail (a webhook retry) while Redis was down",
        || std::future::ready(api.webhook_retries() > 0),
    )
    .await;
    redis.restart().await;
    user.expect(Q_DURATION).await;
    assert_eq!(replica.health_becomes(200).await, Some(200));
    let session = Backend::Redis(redis)
        .session_when(8_901, |s| {
            s["answers"].as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
    assert_eq!(
        session["answers"].as_array().map(Vec::len),
        Some(2),
        "the answer sent during the outage was kept"
    );
    let log = replica.stop().await;
    assert!(
        log.contains("failed"),
        "errors are logged while Redis is down"
    );
}

#[test]
fn an_unreachable_redis_at_start_up_is_one_clear_line() {
    let stderr = failed_start(&["run"], &[("BOT_STORAGE", "redis://127.0.0.1:1/0")]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: storage: cannot reach redis at redis://127.0.0.1:1/0"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_tip_is_posted_by_exactly_one_replica_per_slot() {
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let config = config(&api, Storage::Redis(Secret::new(redis.url())));
    let (first, second) = (start_runtime(&config).await, start_runtime(&config).await);
    const DAY: u64 = 86_400_000;
    let now = 20_100 * DAY;
    let settings = GroupSettings {
        tips: Some(Rhythm::Daily),
        last_tip_slot: Some(Rhythm::Daily.slot(now)),
        ..GroupSettings::default()
    };
    first
        .core()
        .store
        .save_group(-100_777, &settings)
        .await
        .unwrap();
    // Both replicas see the slot due at the same moment.
    let (a, b) = tokio::join!(
        tips::queue_due(&first, now + DAY),
        tips::queue_due(&second, now + DAY)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "the slot is queued once");
    assert_eq!(messages_to(&api, -100_777, 1).await.len(), 1);
    // Neither replica posts it again, even once the first has moved on.
    let again = tips::queue_due(&second, now + DAY + 60_000).await.unwrap();
    assert_eq!(again, 0);
    // Nothing queued for the group and neither replica at work on it.
    wait::until(Duration::from_secs(60), "the group idle in Redis", || {
        redis.idle(&config.redis_prefix, -100_777)
    })
    .await;
    assert_eq!(messages_to(&api, -100_777, 0).await.len(), 1);
}

/// A platform's intake (the Matrix sync) is run by one replica at a time:
/// the second is refused while the first renews its claim, and takes over
/// once the first gives it up (or its claim lapses).
#[tokio::test(flavor = "multi_thread")]
async fn one_replica_at_a_time_holds_a_platforms_intake() {
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let config = config(&api, Storage::Redis(Secret::new(redis.url())));
    let (first, second) = (start_runtime(&config).await, start_runtime(&config).await);
    assert!(first.claim_intake("matrix-sync", 30_000).await.unwrap());
    assert!(!second.claim_intake("matrix-sync", 30_000).await.unwrap());
    assert!(
        first.claim_intake("matrix-sync", 30_000).await.unwrap(),
        "renewed"
    );
    first.release_intake("matrix-sync").await.unwrap();
    assert!(second.claim_intake("matrix-sync", 30_000).await.unwrap());
    assert!(!first.claim_intake("matrix-sync", 30_000).await.unwrap());
    // A claim that lapses is free again.
    second.release_intake("matrix-sync").await.unwrap();
    assert!(first.claim_intake("matrix-sync", 200).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(second.claim_intake("matrix-sync", 30_000).await.unwrap());
}
