//! Crashes: an update is confirmed only once it is in the inbox, applied
//! once however often it is delivered, and a `kill -9` at any moment
//! (intake, handling, sending) loses no answer.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::bot::{
    Backend, BotProcess, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
    UserChat, sqlite_url, start_with_sqlite, temp_dir,
};
use crate::fake_api::FakeApi;
use crate::repo_path;

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivered_update_is_not_applied_twice() {
    let (api, dir, bot) = start_with_sqlite().await;
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
    let again = BotProcess::start(&api, &sqlite_url(dir.path()), &repo_path("dialogues"));
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

/// The answers one simulated user gives, by question, and the outcome they lead to.
pub fn plan(user: usize) -> (Vec<(&'static str, &'static str)>, &'static str) {
    let rest = |pain: &'static str| {
        vec![
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "often"),
            (Q_DURATION, if pain == "yes" { "today" } else { "2 days" }),
            (Q_PAIN, pain),
            (Q_VISION, "no"),
            (Q_OTHER, "no"),
            (Q_STRESS, "no"),
        ]
    };
    match user % 3 {
        0 => (vec![(Q_RED_FLAGS, "yes")], "emergency"),
        1 => (rest("yes"), "see_doctor"),
        _ => (rest("no"), "self_care"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_applied_after_telegram_restarts_its_update_ids() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    api.restart_update_ids(5_000);
    let bot = BotProcess::start(&api, &backend.url(), &repo_path("dialogues"));
    let mut user = UserChat::new(&api, 702);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    bot.stop();

    // After a quiet week Telegram may number updates afresh, lower than before.
    api.restart_update_ids(7);
    let again = BotProcess::start(&api, &backend.url(), &repo_path("dialogues"));
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

/// Asserts that users `base..base+users` all reached their planned outcome
/// with every answer recorded exactly once; returns the outcomes counted.
pub async fn assert_all_finished(
    backend: &Backend,
    base: i64,
    users: usize,
) -> HashMap<&'static str, usize> {
    let mut outcomes = HashMap::new();
    for u in 0..users {
        let (answers, outcome) = plan(u);
        let done = json!({ "at": "finished", "outcome": outcome });
        let session = backend
            .session_when(base + u as i64, |s| s["position"] == done)
            .await;
        assert_eq!(session["position"], done, "user {u}");
        let given = session["answers"].as_array().map(Vec::len);
        assert_eq!(given, Some(answers.len()), "user {u}: an answer lost");
        let turn = session["turn"].as_u64();
        assert_eq!(
            turn,
            Some(answers.len() as u64),
            "user {u}: an answer applied twice"
        );
        *outcomes.entry(outcome).or_default() += 1;
    }
    outcomes
}

/// Messages sent twice in a row to the same user (a reply repeated after a
/// crash or a lost response): counted, harmless.
pub fn repeated_messages(api: &FakeApi, base: i64, users: usize) -> usize {
    repeats_per_chat(api, base, users)
        .iter()
        .map(|(_, n)| n)
        .sum()
}

/// Messages sent twice in a row, chat by chat.
pub fn repeats_per_chat(api: &FakeApi, base: i64, users: usize) -> Vec<(i64, usize)> {
    let calls = api.calls();
    (base..base + users as i64)
        .map(|chat| {
            let texts: Vec<&str> = calls
                .iter()
                .filter(|c| c.method == "sendmessage" && c.chat() == Some(chat))
                .map(|c| c.text())
                .collect();
            (chat, texts.windows(2).filter(|w| w[0] == w[1]).count())
        })
        .collect()
}

/// Random numbers for kill moments, from `KILL_SEED` or the clock; the
/// seed is printed so a failing run can be replayed.
pub struct KillDice(u64);

impl KillDice {
    pub fn from_env() -> KillDice {
        let seed = std::env::var("KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos() as u64
            });
        eprintln!("kill seed {seed} (replay with KILL_SEED={seed})");
        KillDice(seed | 1)
    }

    /// The next number (xorshift).
    pub fn roll(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Plays one user: answers each question once, however often it is (re)sent,
/// and waits for the verdict.
pub async fn play(api: FakeApi, chat: i64, user: usize) {
    let (answers, outcome) = plan(user);
    let mut chat_view = UserChat::new(&api, chat);
    chat_view.say("/check");
    for (question, answer) in answers {
        chat_view.expect(question).await;
        chat_view.say(answer);
    }
    let verdict = match outcome {
        "emergency" => "EMERGENCY",
        "see_doctor" => "SEE A DOCTOR",
        _ => "SELF-CARE",
    };
    chat_view.expect(verdict).await;
}

async fn kill_9_in_the_middle_of_a_run(backend: Backend) {
    const USERS: usize = 24;
    const KILLS: usize = 3;
    let api = FakeApi::start().await;
    let storage = backend.url();
    let dialogues = repo_path("dialogues");
    let mut bot = BotProcess::start(&api, &storage, &dialogues);

    let players: Vec<_> = (0..USERS)
        .map(|u| tokio::spawn(play(api.clone(), 8_000 + u as i64, u)))
        .collect();
    // Kills at random moments; the seed is printed so a failure can be replayed.
    let mut random = KillDice::from_env();
    for _ in 0..KILLS {
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
