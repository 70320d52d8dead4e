//! An outage of Telegram's sending side: every send fails (502) for minutes
//! while people go on answering. Afterwards each gets exactly the replies
//! owed, in order, none twice: the same messages a run without the outage
//! sends for the same answers.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use fake_bot_api::FakeApi;

use crate::support::stable::{self, Q_FREQUENCY, Q_RED_FLAGS, verdict};
use crate::support::{
    Backend, BotProcess, UserChat, assert_all_finished, plan, play, repeated_messages, temp_dir,
    wait,
};

/// Users in the run, on chats `BASE..BASE + USERS`.
const USERS: usize = 10;
const BASE: i64 = 61_000;
/// The longest pause between a user's answers during the outage.
const ANSWER_EVERY: Duration = Duration::from_secs(10);

/// How long sends fail; `OUTAGE_SECONDS` shortens it for local runs.
fn outage() -> Duration {
    let seconds = std::env::var("OUTAGE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(180u64);
    assert!(
        seconds >= 10,
        "OUTAGE_SECONDS below 10 leaves no time to answer"
    );
    Duration::from_secs(seconds)
}

/// What the bot showed one chat, in order: `send <text>` and `edit <text>`.
fn transcripts(api: &FakeApi) -> HashMap<i64, Vec<String>> {
    let mut by_chat: HashMap<i64, Vec<String>> = HashMap::new();
    for call in api.calls() {
        let kind = match call.method.as_str() {
            "sendmessage" => "send",
            "editmessagetext" => "edit",
            _ => continue,
        };
        if let Some(chat) = call
            .chat()
            .filter(|c| (BASE..BASE + USERS as i64).contains(c))
        {
            by_chat
                .entry(chat)
                .or_default()
                .push(format!("{kind} {}", call.text()));
        }
    }
    by_chat
}

/// Only the sent messages of a transcript.
fn sends(transcript: &[String]) -> Vec<&str> {
    transcript
        .iter()
        .filter_map(|line| line.strip_prefix("send "))
        .collect()
}

/// Entries still waiting in the inbox and the outbox of the run's chats
/// (`None` before the bot created its tables).
fn queued(file: &Path) -> Option<(i64, i64)> {
    let db = rusqlite::Connection::open(file).ok()?;
    let count = |table: &str| -> Option<i64> {
        db.query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE chat_id >= ?1 AND chat_id < ?2"),
            [BASE, BASE + USERS as i64],
            |r| r.get(0),
        )
        .ok()
    };
    Some((count("inbox")?, count("outbox")?))
}

/// The same users and answers without an outage, on a fresh fake API and a
/// fresh SQLite file: what each chat is shown when nothing fails.
async fn without_an_outage() -> HashMap<i64, Vec<String>> {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = BotProcess::start_with(&api, &backend.url(), &stable::dir(), PACING_ON);
    let players: Vec<_> = (0..USERS)
        .map(|u| tokio::spawn(play(api.clone(), BASE + u as i64, u)))
        .collect();
    for player in players {
        player.await.expect("a user finished without an outage");
    }
    assert_all_finished(&backend, BASE, USERS).await;
    let file = match &backend {
        Backend::Sqlite(file) => file.clone(),
        Backend::Redis(_) => unreachable!(),
    };
    wait::until(
        Duration::from_secs(60),
        "the fault-free run to settle (inbox and outbox empty)",
        || std::future::ready(queued(&file) == Some((0, 0))),
    )
    .await;
    // Stopping waits for the process: not on a worker the fake API and the
    // other run's users need meanwhile.
    tokio::task::block_in_place(|| bot.stop());
    transcripts(&api)
}

/// Both runs pace their messages as a user's bot does (the default).
const PACING_ON: &[(&str, &str)] = &[("BOT_THROTTLE", "on")];

#[tokio::test(flavor = "multi_thread")]
async fn a_three_minute_outage_of_sends_loses_and_repeats_nothing() {
    let outage = outage();
    // The expected transcripts, computed beside the run.
    let expected = tokio::spawn(without_an_outage());

    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let file = match &backend {
        Backend::Sqlite(file) => file.clone(),
        Backend::Redis(_) => unreachable!(),
    };
    let bot = BotProcess::start_with(&api, &backend.url(), &stable::dir(), PACING_ON);

    // Everyone starts a check; all but the emergency users (one answer in
    // all) answer the first question, so they are mid-check when sends fail.
    let starts: Vec<_> = (0..USERS)
        .map(|u| {
            let api = api.clone();
            tokio::spawn(async move {
                let (answers, _) = plan(u);
                let mut chat = UserChat::new(&api, BASE + u as i64);
                chat.say("/check");
                chat.expect(Q_RED_FLAGS).await;
                if answers.len() > 1 {
                    assert_eq!(answers[0].0, Q_RED_FLAGS);
                    chat.say(answers[0].1);
                    chat.expect(Q_FREQUENCY).await;
                    1
                } else {
                    0
                }
            })
        })
        .collect();
    let mut answered_before = Vec::new();
    for start in starts {
        answered_before.push(start.await.expect("every user began a check"));
    }

    // The outage. Each user sends the rest of their answers by the clock
    // (they cannot see the questions), in order, all before it ends.
    let calls_before = api.calls().len();
    let outage_start = Instant::now();
    api.fail_sends_for(outage);
    let outage_end = outage_start + outage;
    let most_left = (0..USERS)
        .map(|u| plan(u).0.len() - answered_before[u])
        .max()
        .unwrap_or(1);
    let every = ANSWER_EVERY.min(outage.mul_f64(0.8) / most_left as u32);
    let answering: Vec<_> = (0..USERS)
        .map(|u| {
            let api = api.clone();
            let skip = answered_before[u];
            // Users do not all answer at the same moment.
            let stagger = every.mul_f64(u as f64 / USERS as f64);
            tokio::spawn(async move {
                let (answers, _) = plan(u);
                for (i, (_, answer)) in answers.iter().skip(skip).enumerate() {
                    let at = outage_start + stagger + every * i as u32;
                    // Timed on purpose: users answer by the clock during the outage.
                    tokio::time::sleep_until(at.into()).await;
                    api.send_text(BASE + u as i64, answer);
                }
            })
        })
        .collect();
    for task in answering {
        task.await.unwrap();
    }
    assert!(
        Instant::now() < outage_end,
        "every answer was given during the outage"
    );

    // The inbox goes on while sends fail: count the checks that end before
    // the outage does (reported, not asserted: a slow machine may lag).
    let mut finished_during = 0;
    for u in 0..USERS {
        let done = serde_json::json!({ "at": "finished", "outcome": plan(u).1 });
        let left = outage_end.saturating_duration_since(Instant::now());
        let finished = wait::poll(left, || async {
            let session = backend.session(BASE + u as i64).await;
            session.is_some_and(|s| s["position"] == done).then_some(())
        })
        .await;
        if finished.is_some() {
            finished_during += 1;
        }
    }
    // What got through while sends failed (checked only if still failing).
    let got_through = api
        .calls()
        .iter()
        .skip(calls_before)
        .filter(|c| ["sendmessage", "editmessagetext"].contains(&c.method.as_str()))
        .filter(|c| {
            c.chat()
                .is_some_and(|c| (BASE..BASE + USERS as i64).contains(&c))
        })
        .count();
    let still_failing = Instant::now() < outage_end;
    let waiting = queued(&file).map_or(0, |(_, outbox)| outbox);

    // After the outage: wait for every verdict and for the queues to empty.
    let mut verdict_at: HashMap<i64, Instant> = HashMap::new();
    let deadline = outage_end + Duration::from_secs(100);
    let settled = wait::poll(deadline.saturating_duration_since(Instant::now()), || {
        let now = Instant::now();
        let shown = transcripts(&api);
        for u in 0..USERS {
            let chat = BASE + u as i64;
            let got = shown
                .get(&chat)
                .is_some_and(|t| sends(t).iter().any(|s| s.contains(verdict(plan(u).1))));
            if got {
                verdict_at.entry(chat).or_insert(now);
            }
        }
        let settled = now >= outage_end && queued(&file) == Some((0, 0));
        std::future::ready((verdict_at.len() == USERS && settled).then_some(()))
    })
    .await;
    if settled.is_none() {
        let log = bot.log();
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        panic!(
            "after the outage: verdicts for {} of {USERS} chats, queues {:?}; transcripts:\n{:#?}\nbot log, newest first:\n{}",
            verdict_at.len(),
            queued(&file),
            transcripts(&api),
            tail.join("\n")
        );
    }
    let last_verdict = verdict_at.values().max().copied().unwrap();
    let after_end = last_verdict.saturating_duration_since(outage_end);

    // (a) every check reached its planned outcome, each answer recorded once.
    let outcomes = assert_all_finished(&backend, BASE, USERS).await;
    // (b) each chat was shown exactly what the same answers bring without an outage.
    let expected = expected.await.expect("the fault-free run");
    let got = transcripts(&api);
    for u in 0..USERS {
        let chat = BASE + u as i64;
        let (want, have) = (&expected[&chat], &got[&chat]);
        assert_eq!(
            sends(have),
            sends(want),
            "chat {chat} (user {u}): the messages differ from the fault-free run"
        );
        assert_eq!(
            have, want,
            "chat {chat} (user {u}): the sends and edits differ from the fault-free run"
        );
    }
    // (c) nothing twice, and as many messages as without the outage.
    assert_eq!(
        repeated_messages(&api, BASE, USERS),
        0,
        "a message repeated"
    );
    let sent: usize = got.values().map(|t| sends(t).len()).sum();
    let owed: usize = expected.values().map(|t| sends(t).len()).sum();
    assert_eq!(sent, owed);
    // (d) the outage really happened.
    let refused = api.refused();
    assert!(refused > 0, "no send was refused: there was no outage");
    if still_failing {
        assert_eq!(got_through, 0, "a send got through the outage");
    }

    bot.stop();
    eprintln!(
        "outage: {USERS} users, {} s of 502s, {refused} sends refused, {waiting} replies queued once all checks had ended, \
         {finished_during}/{USERS} checks finished during it, {sent} messages sent (as owed), \
         outcomes {outcomes:?}, last verdict {:.1} s after it ended",
        outage.as_secs(),
        after_end.as_secs_f64()
    );
}
