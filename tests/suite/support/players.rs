//! Simulated users going through whole checks of the stable fixture, and
//! what their runs must show afterwards.

use std::collections::HashMap;

use fake_bot_api::FakeApi;
use serde_json::json;

use super::stable::{
    Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION, verdict,
};
use super::{Backend, UserChat};

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
    chat_view.expect(verdict(outcome)).await;
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
    /// Dice seeded from `KILL_SEED`, or from the clock (the seed is printed).
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
