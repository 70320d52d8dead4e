//! What never leaves the bot, and what deleting means on disk: the token,
//! answers and secrets in URLs never reach a log or an error; after /forget
//! or expiry a person's words are in no SQLite file; idle checks are purged
//! (a Redis expiry on Redis).

use std::path::Path;
use std::time::Duration;

use fake_bot_api::{FakeApi, Fault};

use crate::support::stable::{
    self, Q_DETAILS, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
};
use crate::support::{
    Backend, BotProcess, TOKEN_SECRET, UserChat, failed_start, holds, sqlite_bytes, sqlite_file,
    start_with_sqlite, temp_dir, wait,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_token_and_answers_never_reach_the_log_even_when_the_api_fails() {
    let (api, _dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut blocked = UserChat::new(&api, 601);
    let mut user = UserChat::new(&api, 602);
    // Wait for start-up before injecting failures.
    user.say("/help");
    user.expect("Commands").await;

    api.block(601);
    blocked.say("/check");
    let refused = blocked.expect_call("sendmessage").await;
    assert_eq!(refused.chat(), Some(601));
    // teloxide waits 10 s after a 5xx before returning the error: one is enough.
    api.fail_next("sendmessage", 1);
    user.say("/check");
    user.say("/check");
    user.answer_by_typing(&[
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "often"),
        (Q_DURATION, "4 days"),
        (Q_PAIN, "no"),
        (Q_VISION, "no"),
        (Q_OTHER, "yes"),
    ])
    .await;
    // Broken answers that still hold what the user wrote (a cut getUpdates
    // page, an echoed outcome): the log keeps only the kind of failure.
    api.inject(&[Fault::MalformedJson], 400);
    user.answer_by_typing(&[(Q_DETAILS, "zebra-stripes-symptom"), (Q_STRESS, "no")])
        .await;
    user.expect(stable::verdict("see_doctor")).await;
    let log = bot.stop();
    assert!(
        log.contains("update") && log.contains("failed"),
        "the injected failures are logged:\n{log}"
    );
    assert!(log.contains("blocked the bot or is gone"), "{log}");
    assert!(
        !log.contains(TOKEN_SECRET),
        "the token leaked into the log:\n{log}"
    );
    assert!(
        !log.contains("zebra-stripes-symptom"),
        "an answer leaked into the log:\n{log}"
    );
    assert!(
        log.contains("could not be read"),
        "the broken answers were met:\n{log}"
    );
}

/// A Redis URL's secrets never reach the log or the error: not a password,
/// not a user name (some services take the token there), not a URL that
/// does not even parse.
#[test]
fn redis_urls_are_never_shown_with_their_secrets() {
    for storage in [
        "redis://user:hunter2pw@127.0.0.1:9/0",
        "redis://hunter2pw@127.0.0.1:9/0",
        "redis://:hunter2pw@[::1",
    ] {
        let stderr = failed_start(&["run"], &[("BOT_STORAGE", storage), ("RUST_LOG", "trace")]);
        assert!(!stderr.contains("hunter2pw"), "{storage}:\n{stderr}");
        assert!(
            stderr.contains("redis"),
            "{storage}: says what failed:\n{stderr}"
        );
    }
}

/// A URL that does not parse is never printed: people put secrets in webhook
/// paths and API addresses.
#[test]
fn urls_that_do_not_parse_are_not_shown() {
    for (name, value) in [
        ("WEBHOOK_URL", "https://bot example.org/hook/s3cr3tpath"),
        ("TELOXIDE_API_URL", "http://[s3cr3tpath"),
    ] {
        let stderr = failed_start(
            &["run"],
            &[
                (name, value),
                ("WEBHOOK_SECRET", "abc"),
                ("RUST_LOG", "trace"),
            ],
        );
        assert!(!stderr.contains("s3cr3tpath"), "{name}:\n{stderr}");
        assert!(
            stderr.contains(name),
            "{name}: the error names the setting:\n{stderr}"
        );
    }
}

async fn idle_checks_are_purged_after_the_ttl(backend: Backend) {
    let api = FakeApi::start().await;
    let bot = BotProcess::start_with(
        &api,
        &backend.url(),
        &stable::dir(),
        &[("BOT_SESSION_TTL", "1s")],
    );
    let mut user = UserChat::new(&api, 951);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    if let Backend::Redis(server) = &backend {
        let ttl = server.ttl_ms(951).await;
        assert!(
            (1..=1000).contains(&ttl),
            "the session TTL is a Redis expiry: {ttl} ms"
        );
    }
    let gone = backend.session_when(951, |s| s.is_null()).await;
    assert!(gone.is_null(), "the idle check was purged: {gone}");
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_checks_are_purged_on_sqlite() {
    let dir = temp_dir();
    idle_checks_are_purged_after_the_ttl(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn idle_checks_expire_on_redis() {
    idle_checks_are_purged_after_the_ttl(Backend::redis().await).await;
}

/// Everything in the SQLite files (the database, its WAL and shared memory).
/// Answers up to the free-text question, typing `words` there.
fn up_to_details(words: &str) -> [(&'static str, &str); 7] {
    [
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "daily"),
        (Q_DURATION, "2 weeks"),
        (Q_PAIN, "no"),
        (Q_VISION, "no"),
        (Q_OTHER, "yes"),
        (Q_DETAILS, words),
    ]
}

/// /forget leaves none of the person's words anywhere in the SQLite files
/// (not in the WAL, not in free pages), and the files are the owner's only.
#[tokio::test(flavor = "multi_thread")]
async fn forget_leaves_no_words_on_disk_and_the_database_is_private() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let words = "zqxj purple elephant twitch";
    let mut user = UserChat::new(&api, 801);
    user.say("/check");
    user.answer_by_typing(&up_to_details(words)).await;
    user.answer_by_typing(&[(Q_STRESS, "no")]).await;
    user.expect(words).await;
    assert!(
        holds(&sqlite_bytes(dir.path()), words) > 0,
        "the answer is stored while the check is kept"
    );
    user.say("/forget");
    user.expect("I deleted everything").await;
    // The reply is sent and its outbox entry removed: the last write.
    Backend::sqlite_in(dir.path()).settled(&api, 801).await;
    let left = holds(&sqlite_bytes(dir.path()), words);
    assert_eq!(
        left, 0,
        "the words are still on disk {left} time(s) after /forget"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(sqlite_file(dir.path()))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "the database is readable by others: {mode:o}"
    );
    bot.stop();
}

/// An expired check's words are gone from the SQLite files too.
#[tokio::test(flavor = "multi_thread")]
async fn expired_checks_leave_no_words_on_disk() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = BotProcess::start_with(
        &api,
        &backend.url(),
        &stable::dir(),
        &[("BOT_SESSION_TTL", "2s")],
    );
    let words = "qqvz lilac giraffe spasm";
    let mut user = UserChat::new(&api, 802);
    user.say("/check");
    user.answer_by_typing(&up_to_details(words)).await;
    user.expect(Q_STRESS).await;
    let gone = backend.session_when(802, |s| s.is_null()).await;
    assert!(gone.is_null(), "the idle check was purged: {gone}");
    // The purge and its checkpoint are one step of the sweep; give it a moment.
    let on_disk = || holds(&sqlite_bytes(dir.path()), words);
    let gone = wait::poll(Duration::from_secs(5), || {
        std::future::ready((on_disk() == 0).then_some(0))
    })
    .await;
    let left = gone.unwrap_or_else(on_disk);
    assert_eq!(
        left, 0,
        "the words are still on disk {left} time(s) after expiry"
    );
    bot.stop();
}

/// The settings row kept for `chat` in the SQLite file, if any.
fn stored_settings(dir: &Path, chat: i64) -> Option<String> {
    let db = rusqlite::Connection::open(sqlite_file(dir)).unwrap();
    db.query_row(
        "SELECT settings FROM groups WHERE chat_id = ?1",
        [chat],
        |r| r.get(0),
    )
    .ok()
}

/// A person who blocks the bot keeps nothing with it: the language they
/// chose goes too, as it does with /forget.
#[tokio::test(flavor = "multi_thread")]
async fn a_person_who_blocks_the_bot_loses_the_language_they_chose() {
    let (api, dir, bot) = start_with_sqlite(&crate::support::shipped::dir()).await;
    let mut user = UserChat::new(&api, 806);
    user.say("/language es");
    user.expect("A partir de ahora te escribiré en español")
        .await;
    let kept = stored_settings(dir.path(), 806).unwrap_or_default();
    assert!(kept.contains("\"es\""), "the choice is kept: {kept}");
    api.block(806);
    user.say("/help");
    // The refused reply is the sender's cue; the row goes in the next commit.
    let _ = wait::poll(Duration::from_secs(20), || {
        std::future::ready(stored_settings(dir.path(), 806).is_none().then_some(()))
    })
    .await;
    assert_eq!(
        stored_settings(dir.path(), 806),
        None,
        "the language of a person who blocked the bot is still kept"
    );
    bot.stop();
}
