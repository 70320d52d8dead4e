//! Groups end to end: the binary against the fake Bot API over HTTP, and the
//! tip schedule driven by a clock the test controls.

use std::time::Duration;

use fake_bot_api::{BOT_USERNAME, FakeApi};
use nasal_twitch_bot::config::Storage;
use nasal_twitch_bot::runtime::tips;
use nasal_twitch_bot::store::{GroupSettings, Groups, Rhythm};

use crate::support::stable::{self, ANY_QUESTION, DISCLAIMER, FIRST_TIP, SOURCE, TIPS};
use crate::support::{
    Backend, BotProcess, GroupView, config, messages_to, sqlite_file, sqlite_url, start_runtime,
    start_with_sqlite, temp_dir, transcript, wait,
};

const GROUP: i64 = -100_123;
const ADMIN: i64 = 11;
const MEMBER: i64 = 12;

/// Waits (up to 10 s) until the store holds `want` settings rows for `chat`; returns the count.
async fn group_rows_when(dir: &std::path::Path, chat: i64, want: i64) -> i64 {
    let db = rusqlite::Connection::open(sqlite_file(dir)).unwrap();
    let count = || -> i64 {
        db.query_row(
            "SELECT count(*) FROM groups WHERE chat_id = ?1",
            [chat],
            |r| r.get(0),
        )
        .unwrap()
    };
    let reached = || std::future::ready((count() == want).then_some(want));
    let reached = wait::poll(Duration::from_secs(10), reached).await;
    reached.unwrap_or_else(count)
}

const DEEP_LINK: &str = "https://t.me/twitch_test_bot?start=check";

#[tokio::test(flavor = "multi_thread")]
async fn joining_and_commands_never_ask_health_questions_in_the_group() {
    let (api, _dir, bot) = start_with_sqlite(&stable::dir()).await;
    let mut group = GroupView::new(&api, GROUP);

    api.bot_membership(GROUP, true);
    let intro = group.message().await;
    assert!(intro.text().contains("Hello, everyone!"));
    assert!(intro.text().contains("I never ask health questions here"));
    assert!(intro.text().contains(DISCLAIMER));

    for command in ["/check", &format!("/check@{BOT_USERNAME}")] {
        api.group_text(GROUP, MEMBER, command, Some(77));
        let reply = group.message().await;
        assert!(
            reply.text().contains("Checks happen in a private chat"),
            "{}",
            reply.text()
        );
        assert_eq!(
            reply.topic(),
            Some(77),
            "the reply goes to the topic the command came from"
        );
        assert_eq!(
            reply.url_button("Start my private check").as_deref(),
            Some(DEEP_LINK)
        );
        assert!(!reply.text().contains(ANY_QUESTION));
    }

    // Another bot's command and plain talk are ignored: the next message is /help's.
    api.group_text(GROUP, MEMBER, "/check@otherbot", None);
    api.group_text(GROUP, MEMBER, "my nose twitches a lot", None);
    api.group_text(GROUP, MEMBER, "/help", None);
    let help = group.message().await;
    assert!(
        help.text().contains("How I work in this group"),
        "{}",
        help.text()
    );
    assert_eq!(help.topic(), None);

    api.group_text(GROUP, MEMBER, "/tips", Some(5));
    let tips = group.message().await;
    assert!(tips.text().contains(FIRST_TIP));
    assert_eq!(tips.topic(), Some(5));

    api.group_text(GROUP, MEMBER, "/about", None);
    let about = group.message().await;
    assert!(
        about
            .text()
            .contains("Checks happen in a private chat with me")
    );
    assert!(about.text().contains(SOURCE));

    api.group_text(GROUP, MEMBER, "/back", None);
    let back = group.message().await;
    assert_eq!(
        back.url_button("Start my private check").as_deref(),
        Some(DEEP_LINK)
    );

    let questions = api
        .calls()
        .iter()
        .filter(|c| c.chat() == Some(GROUP) && c.text().contains("Question"))
        .count();
    assert_eq!(questions, 0, "no question is ever posted in a group");

    let menus: Vec<(String, Vec<String>)> = api
        .calls()
        .iter()
        .filter(|c| c.method == "setmycommands")
        .map(|c| {
            let scope = c.body["scope"]["type"]
                .as_str()
                .unwrap_or("default")
                .to_string();
            let names = c.body["commands"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["command"].as_str().unwrap().to_string())
                .collect();
            (scope, names)
        })
        .collect();
    let menu = |scope: &str| {
        menus
            .iter()
            .find(|(s, _)| s == scope)
            .map(|(_, n)| n.clone())
            .unwrap()
    };
    assert!(menu("all_private_chats").contains(&"forget".to_string()));
    assert_eq!(menu("all_group_chats"), ["check", "tips", "about", "help"]);
    assert_eq!(
        menu("all_chat_administrators"),
        ["check", "tips", "about", "help", "settings"]
    );
    transcript(&api, GROUP);
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_are_for_admins_and_survive_a_restart() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    api.make_admin(GROUP, ADMIN);
    let mut group = GroupView::new(&api, GROUP);

    api.group_text(GROUP, MEMBER, "/settings", None);
    let refusal = group.message().await;
    assert!(
        refusal.text().contains("only the group's admins"),
        "{}",
        refusal.text()
    );
    assert!(!refusal.has_keyboard());

    api.group_text(GROUP, ADMIN, "/settings", Some(55));
    let panel = group.message().await;
    assert!(
        panel
            .text()
            .contains("Welcome message for new members: <b>off</b>")
    );
    assert!(panel.text().contains("Periodic stress tip: <b>off</b>"));
    assert_eq!(panel.topic(), Some(55));
    let panel_id = panel.message_id.unwrap();

    // A member pressing the admin's buttons changes nothing.
    api.press_in_group(
        GROUP,
        MEMBER,
        panel_id,
        &panel.button("Welcome on").unwrap(),
        Some(55),
    );
    let refused = group.pressed().await;
    assert!(
        refused.body["text"]
            .as_str()
            .unwrap()
            .contains("Only the group's admins")
    );

    api.press_in_group(
        GROUP,
        ADMIN,
        panel_id,
        &panel.button("Welcome on").unwrap(),
        Some(55),
    );
    assert_eq!(group.pressed().await.body["text"], "Saved.");
    let edited = group.next("editmessagetext").await;
    assert!(
        edited
            .text()
            .contains("Welcome message for new members: <b>on</b>")
    );
    api.press_in_group(
        GROUP,
        ADMIN,
        panel_id,
        &panel.button("Weekly").unwrap(),
        Some(55),
    );
    assert_eq!(group.pressed().await.body["text"], "Saved.");
    let edited = group.next("editmessagetext").await;
    assert!(
        edited.text().contains("Periodic stress tip: <b>weekly</b>"),
        "{}",
        edited.text()
    );
    api.press_in_group(
        GROUP,
        ADMIN,
        panel_id,
        &panel.button("Post in this topic").unwrap(),
        Some(55),
    );
    assert_eq!(group.pressed().await.body["text"], "Saved.");
    let edited = group.next("editmessagetext").await;
    assert!(
        edited.text().contains("posted in: <b>this topic</b>"),
        "{}",
        edited.text()
    );
    bot.stop();

    let again = BotProcess::start(&api, &sqlite_url(dir.path()), &stable::dir());
    // An anonymous admin posts as the group itself.
    api.anonymous_admin_text(GROUP, "/settings");
    let panel = group.message().await;
    assert!(
        panel
            .text()
            .contains("Welcome message for new members: <b>on</b>"),
        "{}",
        panel.text()
    );
    assert!(panel.text().contains("Periodic stress tip: <b>weekly</b>"));
    assert!(
        panel.text().contains("posted in: <b>topic 55</b>"),
        "{}",
        panel.text()
    );
    again.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn three_joining_together_get_one_welcome_and_migration_keeps_settings() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    let old_group = -4_567;
    let new_group = -1_004_567;
    api.make_admin(old_group, ADMIN);
    api.make_admin(new_group, ADMIN);
    let mut old = GroupView::new(&api, old_group);
    let mut new = GroupView::new(&api, new_group);

    // Welcome is off by default: nobody is greeted.
    let backend = Backend::sqlite_in(dir.path());
    api.join(old_group, &[(21, "Ann")]);
    backend.settled(&api, old_group).await;
    api.group_text(old_group, ADMIN, "/settings", None);
    let panel = old.message().await;
    assert!(
        panel.text().contains("Settings for this group"),
        "no welcome while off: {}",
        panel.text()
    );
    api.press_in_group(
        old_group,
        ADMIN,
        panel.message_id.unwrap(),
        &panel.button("Welcome on").unwrap(),
        None,
    );
    old.pressed().await;

    api.join(old_group, &[(31, "Bea")]);
    api.join(old_group, &[(32, "Cal"), (33, "<Dee>")]);
    let welcome = old.message().await;
    assert!(
        welcome
            .text()
            .contains("Welcome, Bea, Cal and &lt;Dee&gt;!"),
        "{}",
        welcome.text()
    );
    assert_eq!(
        welcome.url_button("Start my private check").as_deref(),
        Some(DEEP_LINK)
    );
    backend.settled(&api, old_group).await;
    let welcomes = api
        .calls()
        .iter()
        .filter(|c| c.chat() == Some(old_group) && c.text().starts_with("Welcome"))
        .count();
    assert_eq!(welcomes, 1, "one combined welcome, not a flood");

    api.migrate(old_group, new_group);
    // The upgrade and the new chat's updates may run concurrently: wait for the move.
    assert_eq!(group_rows_when(dir.path(), new_group, 1).await, 1);
    assert_eq!(
        group_rows_when(dir.path(), old_group, 0).await,
        0,
        "settings left the old chat id"
    );
    api.group_text(new_group, ADMIN, "/settings", None);
    let moved = new.message().await;
    assert!(
        moved
            .text()
            .contains("Welcome message for new members: <b>on</b>"),
        "{}",
        moved.text()
    );
    api.join(new_group, &[(41, "Eve")]);
    assert!(new.message().await.text().contains("Welcome, Eve!"));
    transcript(&api, old_group);
    transcript(&api, new_group);
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_periodic_tip_is_posted_once_per_slot_and_rotates() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let config = config(&api, Storage::Sqlite(sqlite_file(dir.path())));
    let runtime = start_runtime(&config).await;
    let store = &runtime.core().store;

    const DAY: u64 = 86_400_000;
    let monday = 20_000 * DAY + 9 * 3_600_000;
    let daily = GroupSettings {
        tips: Some(Rhythm::Daily),
        topic: Some(9),
        last_tip_slot: Some(Rhythm::Daily.slot(monday)),
        ..GroupSettings::default()
    };
    store.save_group(GROUP, &daily).await.unwrap();
    let quiet = GroupSettings {
        welcome: true,
        ..GroupSettings::default()
    };
    store.save_group(-999, &quiet).await.unwrap();

    assert_eq!(
        tips::queue_due(&runtime, monday).await.unwrap(),
        0,
        "not twice in the slot it was switched on"
    );
    assert_eq!(tips::queue_due(&runtime, monday + DAY).await.unwrap(), 1);
    assert_eq!(messages_to(&api, GROUP, 1).await.len(), 1);
    assert_eq!(
        tips::queue_due(&runtime, monday + DAY + 3_600_000)
            .await
            .unwrap(),
        0,
        "same slot"
    );
    assert_eq!(
        tips::queue_due(&runtime, monday + 2 * DAY).await.unwrap(),
        1
    );
    let posted = messages_to(&api, GROUP, 2).await;

    // A restarted bot on the same store does not repeat the slot.
    let restarted = start_runtime(&config).await;
    assert_eq!(
        tips::queue_due(&restarted, monday + 2 * DAY).await.unwrap(),
        0
    );

    assert_eq!(posted.len(), 2);
    assert!(posted.iter().all(|c| c.topic() == Some(9)));
    let script = runtime.core().dialogue.base();
    assert!(posted[0].text().contains(&script.tips.items[0].text));
    assert!(
        posted[1].text().contains(&script.tips.items[1].text),
        "tips rotate"
    );

    // Removed from the group: its settings go, and nothing more is posted there.
    api.block(GROUP);
    assert_eq!(
        tips::queue_due(&runtime, monday + 3 * DAY).await.unwrap(),
        1
    );
    wait::until(
        Duration::from_secs(30),
        "the blocked group to be forgotten",
        || async { store.groups_with_tips().await.unwrap().is_empty() },
    )
    .await;
    let delivered = messages_to(&api, GROUP, 0)
        .await
        .into_iter()
        .filter(|c| c.message_id.is_some())
        .count();
    assert_eq!(delivered, 2, "the refused tip is not retried or posted");
}

#[tokio::test(flavor = "multi_thread")]
async fn removal_forgets_the_group() {
    let (api, dir, bot) = start_with_sqlite(&stable::dir()).await;
    api.make_admin(GROUP, ADMIN);
    let mut group = GroupView::new(&api, GROUP);
    api.group_text(GROUP, ADMIN, "/settings", None);
    let panel = group.message().await;
    api.press_in_group(
        GROUP,
        ADMIN,
        panel.message_id.unwrap(),
        &panel.button("Daily").unwrap(),
        None,
    );
    assert_eq!(group.pressed().await.body["text"], "Saved.");
    api.bot_membership(GROUP, false);
    let left = group_rows_when(dir.path(), GROUP, 0).await;
    assert_eq!(left, 0, "settings of a group the bot left are deleted");
    bot.stop();
}

/// A busy group does not flood itself: forty members each sending one
/// command within a minute get their answers, no flood notice is posted in
/// the group, and an admin's /settings still works. One member repeating
/// /help gets one reply, then silence for a while.
#[tokio::test(flavor = "multi_thread")]
async fn a_busy_group_is_counted_per_person_and_repeats_get_a_cooldown() {
    let (api, _dir, bot) = start_with_sqlite(&stable::dir()).await;
    api.make_admin(GROUP, ADMIN);
    for member in 0..40 {
        api.group_text(GROUP, 1_000 + member, "/about", None);
    }
    api.group_text(GROUP, ADMIN, "/settings", None);
    let sent = messages_to(&api, GROUP, 41).await;
    assert!(
        !sent.iter().any(|c| c.text().contains("sending a lot")),
        "a flood notice was posted in the group"
    );
    assert!(
        sent.iter()
            .any(|c| c.text().contains("Welcome message for new members")),
        "the admin's /settings was ignored; {} messages",
        sent.len()
    );
    assert_eq!(sent.len(), 41, "every member's /about was answered");

    for _ in 0..5 {
        api.group_text(GROUP, MEMBER, "/help", None);
    }
    api.group_text(GROUP, ADMIN, "/tips", None);
    let after = messages_to(&api, GROUP, 43).await;
    let tips_at = after
        .iter()
        .position(|c| c.text().contains(TIPS))
        .expect("the admin's /tips was answered");
    let helps = after[41..tips_at]
        .iter()
        .filter(|c| c.text().contains("How I work in this group"))
        .count();
    assert_eq!(helps, 1, "repeated /help from one member is answered once");
    bot.stop();
}
