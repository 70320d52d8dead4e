//! Hostile and odd input against the running bot: random sequences of texts,
//! commands, forged and foreign button data, stickers, edits, unicode and
//! 10,000-character texts. The bot never crashes, every stored check stays
//! valid, and nobody's button moves another person's check.

use nasal_twitch_bot::engine::Session;

use crate::bot::{Backend, Q_FREQUENCY, Q_RED_FLAGS, UserChat, start_with_sqlite};
use crate::shipped;

/// A small deterministic generator (xorshift), so a failing run can be replayed.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % sides as u64) as usize
    }
}

const TEXTS: &[&str] = &[
    "no",
    "yes",
    "often",
    "2 weeks",
    "skip",
    "since yesterday",
    "/check",
    "/back",
    "/restart",
    "/tips",
    "/about",
    "/help",
    "/start",
    "/start check",
    "/nonsense",
    "/check@someone_else",
    "<b>bold</b> & <script>",
    "🤔🤔🤔",
    "ñandú ünïcödé ﷽",
    "\u{202e}reversed",
    "",
    "   ",
    "1",
    "99",
    "a:1:1:pain:yes",
];

#[tokio::test(flavor = "multi_thread")]
async fn random_update_sequences_never_break_the_bot_or_a_check() {
    let (api, dir, mut bot) = start_with_sqlite().await;
    let backend = Backend::sqlite_in(dir.path());
    // 25 updates each: under the flood limit (30 a minute), which would silence them.
    let users: Vec<i64> = (0..9).map(|u| 9_100 + u).collect();
    let mut dice = Dice(0x5EED_1234_ABCD_0001);
    let mut updates_per_user = vec![0usize; users.len()];
    for n in 0..225 {
        let who = n % users.len();
        let chat = users[who];
        updates_per_user[who] += 1;
        match dice.roll(10) {
            0..=4 => api.send_text(chat, TEXTS[dice.roll(TEXTS.len())]),
            5 => api.send_text(chat, &"ü".repeat(10_000)),
            6 => api.send_sticker(chat),
            7 => api.edit_text(chat, TEXTS[dice.roll(TEXTS.len())]),
            8 => {
                // A button of whatever question anyone was last shown, pressed here.
                let shown = api.calls().into_iter().rev().find(|c| {
                    c.method == "sendmessage" && c.has_keyboard() && c.button("No").is_some()
                });
                match shown.and_then(|c| c.button("No").map(|d| (d, c.message_id.unwrap()))) {
                    Some((data, message)) => api.press(chat, message, &data),
                    None => api.press(chat, 1, "a:0:0:red_flags:no"),
                }
            }
            _ => {
                let forged = format!(
                    "a:{:x}:{}:{}:{}",
                    dice.roll(1 << 30),
                    dice.roll(9),
                    "pain",
                    "yes"
                );
                api.press(chat, 1, &forged);
            }
        }
    }
    // Each chat's updates run in order: a last /help answered means all were handled.
    for &chat in &users {
        let mut user = UserChat::new(&api, chat);
        user.say("/help");
        user.expect("<b>Commands</b>").await;
    }
    assert!(bot.is_running(), "the bot crashed");
    let script = shipped();
    for (i, &chat) in users.iter().enumerate() {
        if let Some(stored) = backend.session(chat).await {
            let session: Session = serde_json::from_value(stored).expect("stored check reads back");
            assert!(session.fits(&script), "chat {chat}: {session:?}");
        }
        let sent = api
            .calls()
            .iter()
            .filter(|c| c.method == "sendmessage" && c.chat() == Some(chat))
            .count();
        assert!(
            sent <= 5 * (updates_per_user[i] + 1),
            "chat {chat}: {sent} messages for {} updates",
            updates_per_user[i]
        );
    }
    let log = bot.stop();
    assert!(!log.contains("panicked"), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_users_button_changes_nothing() {
    let (api, dir, bot) = start_with_sqlite().await;
    let backend = Backend::sqlite_in(dir.path());
    let mut alice = UserChat::new(&api, 9_201);
    let mut bob = UserChat::new(&api, 9_202);
    alice.say("/check");
    let alices = alice.expect(Q_RED_FLAGS).await;
    bob.say("/check");
    bob.expect(Q_RED_FLAGS).await;
    let before = backend.session_when(9_202, |s| s["turn"] == 0).await;
    // Bob's client sends Alice's button data (same question, same turn).
    let data = alices.button("No, none of these").unwrap();
    api.press(9_202, alices.message_id.unwrap(), &data);
    bob.expect(Q_RED_FLAGS).await;
    let after = backend.session(9_202).await.unwrap();
    assert_eq!(after["answers"], before["answers"]);
    assert_eq!(after["turn"], before["turn"]);
    // Alice's own press still works.
    api.press(9_201, alices.message_id.unwrap(), &data);
    alice.expect(Q_FREQUENCY).await;
    bot.stop();
}
