//! Hostile and odd input against the running bot: random sequences of texts,
//! commands, forged and foreign button data, stickers, edits, unicode and
//! 10,000-character texts. The bot never crashes, every stored check stays
//! valid, nobody's button moves another person's check, and stale or forged
//! buttons, stickers and edits leave a check as it was (on SQLite and Redis).

use nasal_twitch_bot::engine::Session;

use crate::support::stable::{self, Q_FREQUENCY, Q_RED_FLAGS, SIGN_NO, SIGN_YES};
use crate::support::{Backend, UserChat, start_on, start_with_sqlite, temp_dir};

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
    let (api, dir, mut bot) = start_with_sqlite(&stable::dir()).await;
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
                api.press(chat, 1, &forged)
            }
        };
    }
    // Each chat's updates run in order: a last /help answered means all were handled.
    for &chat in &users {
        let mut user = UserChat::new(&api, chat);
        user.say("/help");
        user.expect("<b>Commands</b>").await;
    }
    assert!(bot.is_running(), "the bot crashed");
    let script = stable::script();
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
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let backend = Backend::sqlite_in(dir.path());
    let mut alice = UserChat::new(&api, 9_201);
    let mut bob = UserChat::new(&api, 9_202);
    alice.say("/check");
    let alices = alice.expect(Q_RED_FLAGS).await;
    bob.say("/check");
    bob.expect(Q_RED_FLAGS).await;
    let before = backend.session_when(9_202, |s| s["turn"] == 0).await;
    // Bob's client sends Alice's button data (same question, same turn).
    let data = alices.button(SIGN_NO).unwrap();
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

/// Stale and forged buttons, stickers, edits and over-long texts leave a
/// check exactly as it was.
async fn stale_buttons_stickers_and_edits_leave_the_session_unchanged(backend: Backend) {
    let (api, bot) = start_on(&backend, &stable::dir()).await;
    let mut user = UserChat::new(&api, 301);
    user.say("/check");
    let first = user.expect(Q_RED_FLAGS).await;
    user.press(&first, SIGN_NO).await;
    user.expect(Q_FREQUENCY).await;
    let before = backend
        .session_when(301, |s| s["position"]["node"] == "frequency")
        .await;

    // The old question's "Yes" button, and a forged one: both closed.
    let old_yes = first.button(SIGN_YES).unwrap();
    for data in [old_yes.as_str(), "a:1:2:frequency:daily"] {
        api.press(301, first.message_id.unwrap(), data);
        let notice = user.expect_call("answercallbackquery").await;
        assert!(
            notice.body["text"]
                .as_str()
                .unwrap()
                .contains("That question is closed"),
            "{data}"
        );
        user.expect(Q_FREQUENCY).await;
    }

    api.send_sticker(301);
    user.expect("I can only read typed answers and button taps")
        .await;
    user.expect(Q_FREQUENCY).await;
    api.edit_text(301, "yes");
    user.expect("I can’t use edited messages").await;
    user.expect(Q_FREQUENCY).await;
    user.say(&"x".repeat(5000));
    user.expect("That message is too long for an answer").await;
    user.expect(Q_FREQUENCY).await;

    let after = backend.session(301).await.unwrap();
    assert_eq!(after["answers"], before["answers"]);
    assert_eq!(after["turn"], before["turn"]);
    assert_eq!(after["position"], before["position"]);
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_input_on_sqlite() {
    let dir = temp_dir();
    stale_buttons_stickers_and_edits_leave_the_session_unchanged(Backend::sqlite_in(dir.path()))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_input_on_redis() {
    stale_buttons_stickers_and_edits_leave_the_session_unchanged(Backend::redis().await).await;
}
