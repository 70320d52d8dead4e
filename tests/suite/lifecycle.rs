//! Starting, stopping and upgrading: start-up failures are one clear line
//! without the token, SIGTERM during start-up stops at once, and a check
//! the bot can no longer continue (a new major dialogue version, a stored
//! check it cannot read) starts again with a word to its person.

use std::time::{Duration, Instant};

use fake_bot_api::FakeApi;

use crate::support::stable::{self, Q_DURATION, Q_FREQUENCY, Q_RED_FLAGS};
use crate::support::{
    Backend, BotProcess, TOKEN_SECRET, UserChat, failed_start, free_port, repo_path, sqlite_file,
    sqlite_url, start_with_sqlite, temp_dir, wait,
};

#[test]
fn without_a_token_run_says_how_to_get_one() {
    // An empty variable counts as unset.
    let stderr = failed_start(&[], &[("TELOXIDE_TOKEN", "")]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("@BotFather") && stderr.contains("nasal-twitch-bot chat"),
        "{stderr}"
    );
}

#[test]
fn a_broken_dialogue_stops_start_up_with_every_error() {
    let dialogue = repo_path("tests/fixtures/bad/next_unknown.toml");
    let stderr = failed_start(
        &["run"],
        &[("BOT_DIALOGUES", &dialogue.display().to_string())],
    );
    assert!(stderr.contains("next_unknown.toml:5:9: error:"), "{stderr}");
    assert!(
        stderr.contains("next_unknown.toml:19:8: error:"),
        "{stderr}"
    );
    assert!(!stderr.contains(TOKEN_SECRET));
}

#[test]
fn an_unreachable_api_is_one_error_line_without_the_token() {
    let dir = temp_dir();
    let storage = format!("sqlite://{}", dir.path().join("x.sqlite").display());
    let stderr = failed_start(
        &["run"],
        &[("BOT_STORAGE", &storage), ("RUST_LOG", "trace")],
    );
    let last = stderr.lines().last().unwrap_or("");
    assert!(
        last.starts_with("error: cannot reach the Telegram Bot API"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(TOKEN_SECRET),
        "the token leaked:\n{stderr}"
    );
}

/// SIGTERM during start-up stops at once: nothing after it is done, and no
/// webhook is set by a process that was asked to stop.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_during_start_up_sets_no_webhook() {
    let api = FakeApi::start().await;
    api.delay_next("getme", Duration::from_secs(15));
    let listen = format!("127.0.0.1:{}", free_port());
    let bot = BotProcess::start_with(
        &api,
        "memory",
        &stable::dir(),
        &[
            ("WEBHOOK_URL", "https://bot.example/hook"),
            ("WEBHOOK_SECRET", "start-up-secret"),
            ("BOT_LISTEN", listen.as_str()),
            ("BOT_METRICS_LISTEN", "off"),
        ],
    );
    wait::until(Duration::from_secs(10), "the bot to ask getMe", || {
        std::future::ready(!api.arrivals("getme").is_empty())
    })
    .await;
    let asked = Instant::now();
    let log = tokio::task::spawn_blocking(move || bot.stop())
        .await
        .unwrap();
    let took = asked.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "stopping waited {took:?} for the slow getMe:\n{log}"
    );
    // Timed on purpose: no late request from the exited bot (one already on
    // its way) arrives within the time; the fake cannot tell none is in flight.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        api.arrivals("setwebhook").is_empty() && api.arrivals("setmycommands").is_empty(),
        "start-up went on after SIGTERM:\n{log}"
    );
}

/// A stored check that cannot be read (damaged, or written by a newer
/// version) does not lock its person out: they are told, and it starts again.
#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_check_is_told_and_starts_again() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut user = UserChat::new(&api, 803);
    user.say("/check");
    user.answer_by_typing(&[(Q_RED_FLAGS, "no")]).await;
    user.expect(Q_FREQUENCY).await;
    let db = rusqlite::Connection::open(sqlite_file(dir.path())).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    let changed = db
        .execute(
            "UPDATE chats SET record = '{\"session\": [not json' WHERE chat_id = 803",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    user.say("daily");
    user.expect("could not be read").await;
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_dialogue_version_restarts_old_checks_with_a_notice() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let dialogues = dir.path().join("dialogues");
    std::fs::create_dir_all(&dialogues).unwrap();
    let file = dialogues.join(stable::FILE);
    let original = std::fs::read_to_string(stable::dir().join(stable::FILE)).unwrap();
    std::fs::write(&file, &original).unwrap();
    let storage = sqlite_url(dir.path());
    let backend = Backend::sqlite_in(dir.path());

    let first = BotProcess::start(&api, &storage, &dialogues);
    let mut user = UserChat::new(&api, 501);
    user.say("/check");
    user.answer_by_typing(&[(Q_RED_FLAGS, "no"), (Q_FREQUENCY, "daily")])
        .await;
    user.expect(Q_DURATION).await;
    first.stop();

    let major_bump: Vec<String> = original
        .lines()
        .map(|line| {
            if line.starts_with("version = ") {
                "version = \"2.0\"".to_string()
            } else {
                line.to_string()
            }
        })
        .collect();
    std::fs::write(&file, major_bump.join("\n")).unwrap();
    let second = BotProcess::start(&api, &storage, &dialogues);
    user.say("3 days");
    user.expect("This check was updated since you started")
        .await;
    user.expect(Q_RED_FLAGS).await;
    let session = backend.session_when(501, |s| s["version"] == "2.0").await;
    assert_eq!(session["version"], "2.0");
    assert_eq!(session["answers"], serde_json::json!([]));
    second.stop();
}

/// A database written by the version before the conversation core, with a
/// raw Telegram update still in its inbox and a reply with Telegram's
/// keyboard JSON still in its outbox, is opened in place and both are
/// handled: the update is answered and the reply sent with its button.
#[tokio::test(flavor = "multi_thread")]
async fn entries_queued_by_the_previous_version_are_still_handled() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut first = UserChat::new(&api, 911);
    first.say("/check");
    first.expect(Q_RED_FLAGS).await;
    bot.stop();
    {
        let db = rusqlite::Connection::open(sqlite_file(dir.path())).unwrap();
        let update = serde_json::json!({
            "update_id": 777_001,
            "message": {
                "message_id": 5, "date": 1_700_000_000,
                "chat": {"id": 912, "type": "private", "first_name": "Ana"},
                "from": {"id": 912, "is_bot": false, "first_name": "Ana"},
                "text": "/help"
            }
        });
        let event = serde_json::json!({ "Update": update }).to_string();
        db.execute(
            "INSERT INTO inbox (chat_id, seq, not_before, event) VALUES (912, 9000001, 0, ?1)",
            [event],
        )
        .unwrap();
        let keyboard = r#"{"inline_keyboard":[[{"text":"Go on","callback_data":"begin"}]]}"#;
        let reply = serde_json::json!({
            "kind": "send", "html": "<b>left over</b> from before", "keyboard": keyboard
        })
        .to_string();
        db.execute(
            "INSERT INTO outbox (chat_id, seq, message) VALUES (913, 9000002, ?1)",
            [reply],
        )
        .unwrap();
    }
    let bot = BotProcess::start(&api, &sqlite_url(dir.path()), &stable::dir());
    let mut answered = UserChat::new(&api, 912);
    answered.expect("/check").await;
    let mut waiting = UserChat::new(&api, 913);
    let sent = waiting.expect("left over").await;
    assert_eq!(sent.text(), "<b>left over</b> from before");
    assert_eq!(sent.button("Go on").as_deref(), Some("begin"));
    bot.stop();
}
