//! Crashes: an update is confirmed only once it is in the inbox, applied
//! once however often it is delivered, and a `kill -9` at any moment
//! (intake, handling, sending) loses no answer.

use std::time::Duration;

use fake_bot_api::FakeApi;

use crate::support::stable::{self, Q_DURATION, Q_FREQUENCY, Q_RED_FLAGS};
use crate::support::{
    Backend, BotProcess, KillDice, UserChat, assert_all_finished, play, repeats_per_chat,
    sqlite_url, start_with_sqlite, temp_dir,
};

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivered_update_is_not_applied_twice() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let backend = Backend::sqlite_in(dir.path());
    let mut user = UserChat::new(&api, 701);
    let first_update = api.next_update_id();
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    backend
        .session_when(701, |s| {
            s["answers"].as_array().is_some_and(|a| a.len() == 1)
        })
        .await;
    bot.stop();

    // As after a crash before confirming: Telegram hands both out again.
    api.requeue(first_update);
    api.requeue(first_update + 1);
    let again = BotProcess::start(&api, &sqlite_url(dir.path()), &stable::dir());
    user.say("often");
    user.expect(Q_DURATION).await;
    let session = backend
        .session_when(701, |s| {
            s["answers"].as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
    assert_eq!(session["answers"].as_array().unwrap().len(), 2);
    assert_eq!(session["turn"], 2, "each answer applied once");
    let resent = api
        .calls()
        .iter()
        .filter(|c| {
            c.method == "sendmessage" && c.chat() == Some(701) && c.text().contains(Q_FREQUENCY)
        })
        .count();
    assert_eq!(resent, 1, "the re-delivered updates sent nothing");
    again.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_applied_after_telegram_restarts_its_update_ids() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    api.restart_update_ids(5_000);
    let bot = BotProcess::start(&api, &backend.url(), &stable::dir());
    let mut user = UserChat::new(&api, 702);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    bot.stop();

    // After a quiet week Telegram may number updates afresh, lower than before.
    api.restart_update_ids(7);
    let again = BotProcess::start(&api, &backend.url(), &stable::dir());
    user.say("often");
    user.expect(Q_DURATION).await;
    let session = backend
        .session_when(702, |s| {
            s["answers"].as_array().is_some_and(|a| a.len() == 2)
        })
        .await;
    assert_eq!(session["answers"].as_array().map(Vec::len), Some(2));
    again.stop();
}

async fn kill_9_in_the_middle_of_a_run(backend: Backend) {
    const USERS: usize = 24;
    const KILLS: usize = 3;
    let api = FakeApi::start().await;
    let storage = backend.url();
    let dialogues = stable::dir();
    let mut bot = BotProcess::start(&api, &storage, &dialogues);

    let players: Vec<_> = (0..USERS)
        .map(|u| tokio::spawn(play(api.clone(), 8_000 + u as i64, u)))
        .collect();
    // Kills at random moments; the seed is printed so a failure can be replayed.
    let mut random = KillDice::from_env();
    for _ in 0..KILLS {
        // Timed on purpose: the kill comes at a random (seeded) moment of the run.
        tokio::time::sleep(Duration::from_millis(150 + random.roll() % 600)).await;
        bot.kill9();
        bot = BotProcess::start(&api, &storage, &dialogues);
    }
    for player in players {
        player
            .await
            .expect("every user reached their last question");
    }

    let outcomes = assert_all_finished(&backend, 8_000, USERS).await;
    let repeats = repeats_per_chat(&api, 8_000, USERS);
    let worst = repeats.iter().max_by_key(|(_, n)| *n).copied();
    assert!(
        worst.is_none_or(|(_, n)| n <= KILLS),
        "at most one repeated message per chat per kill: {worst:?}"
    );
    let duplicates: usize = repeats.iter().map(|(_, n)| n).sum();
    eprintln!(
        "kill -9 run: {USERS} users, {KILLS} kills, {} updates, outcomes {outcomes:?}, repeated messages {duplicates}",
        api.next_update_id() - 1
    );
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_on_sqlite_loses_no_answer_and_applies_none_twice() {
    let dir = temp_dir();
    kill_9_in_the_middle_of_a_run(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_9_on_redis_loses_no_answer_and_applies_none_twice() {
    kill_9_in_the_middle_of_a_run(Backend::redis().await).await;
}
