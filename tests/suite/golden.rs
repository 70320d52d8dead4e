//! Golden transcripts of the shipped dialogue over Telegram: each
//! conversation is driven step by step against the real binary (SQLite in a
//! temp folder), ended with a sentinel command whose reply cuts the
//! recording, and compared exactly with its file in `tests/golden/`, so an
//! extra, missing, repeated or reworded message fails. After a deliberate
//! change: `UPDATE_GOLDEN=1 cargo test --test suite golden`.

use std::time::Duration;

use fake_bot_api::{FakeApi, Fault};
use nasal_twitch_bot::config::Storage;
use nasal_twitch_bot::runtime::{now_ms, tips};

use crate::support::golden::{self, Golden, Names, Sent, Step};
use crate::support::shipped::{
    self, Q_DETAILS, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
    Q_VISION_SUDDEN,
};
use crate::support::{
    BotProcess, config, sqlite_file, sqlite_url, start_runtime, start_with_sqlite, temp_dir,
};

/// The private chat's sentinel and a piece of its reply.
const HELP: (&str, &str) = ("/help", "<b>Commands</b>");

/// A private chat with `user`, recorded as `name`: the bot on the shipped
/// dialogue with SQLite in a temp folder (kept while the handle lives).
async fn private(name: &str, user: i64) -> (FakeApi, tempfile::TempDir, BotProcess, Golden) {
    let (api, dir, bot) = start_with_sqlite(&shipped::dir()).await;
    let golden = Golden::new(&api, name).chat(user, "user");
    (api, dir, bot, golden)
}

/// Presses `label` under the question holding `question`, then waits for
/// the answer to the press.
async fn by_button(g: &mut Golden, user: i64, question: &str, label: &str) {
    let asked = g.message(user, question).await;
    g.press(user, &asked, label);
    g.reply(user, "answercallbackquery", "").await;
}

/// Types `answer` once the question holding `question` is asked.
async fn by_typing(g: &mut Golden, user: i64, question: &str, answer: &str) {
    g.message(user, question).await;
    g.say(user, answer);
}

/// `/start`, then a whole check by buttons to "see a doctor"; with
/// `drop_welcome`, the connection of the welcome's first delivery drops
/// after the fake acted on it, so the bot sends it again.
async fn start_and_buttons(g: &mut Golden, api: &FakeApi, user: i64, drop_welcome: bool) {
    if drop_welcome {
        api.inject_into_sends(&[Fault::Dropped], 1000);
    }
    g.say(user, "/start");
    let welcome = g.message(user, "walk you through a short check").await;
    if drop_welcome {
        // Logged once acted on: from now on every send goes through.
        api.inject_into_sends(&[Fault::Dropped], 0);
    }
    g.press(user, &welcome, "Start the check");
    for (question, label) in [
        (Q_RED_FLAGS, "No, none of these"),
        (Q_FREQUENCY, "Several times a day"),
        (Q_DURATION, "1 to 4 weeks"),
        (Q_PAIN, "No"),
        (Q_VISION, "Yes"),
        (Q_VISION_SUDDEN, "No, slowly, or only hearing"),
        (Q_OTHER, "No"),
        (Q_STRESS, "No"),
    ] {
        by_button(g, user, question, label).await;
    }
    g.message(user, "SEE A DOCTOR").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_by_buttons_to_see_a_doctor() {
    const USER: i64 = 5_001;
    let (api, _dir, bot, mut g) = private("private_buttons", USER).await;
    start_and_buttons(&mut g, &api, USER, false).await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

/// The same conversation with a real repeated message (the welcome sent
/// again after its connection dropped) does not match the golden file.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_the_bot_sends_twice_fails_the_golden() {
    const USER: i64 = 5_001;
    let (api, _dir, bot, mut g) = private("private_buttons", USER).await;
    start_and_buttons(&mut g, &api, USER, true).await;
    let run = g.end(USER, HELP.0, HELP.1).await;
    let file = std::fs::read_to_string(golden::path("private_buttons")).unwrap();
    let diff = golden::compare(&file, &run).expect_err("a repeated welcome must fail");
    assert!(
        diff.contains("+ #2 sendMessage to user (HTML)\n+    | Hi! I can walk you through"),
        "{diff}"
    );
    eprintln!("{diff}");
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_check_by_typing_with_a_reprompt_and_html_in_an_answer() {
    const USER: i64 = 5_002;
    let (_api, _dir, bot, mut g) = private("private_typing", USER).await;
    g.say(USER, "/check");
    by_typing(&mut g, USER, Q_RED_FLAGS, "no").await;
    by_typing(&mut g, USER, Q_FREQUENCY, "banana").await;
    by_typing(&mut g, USER, Q_FREQUENCY, "3 times a day").await;
    for (question, answer) in [
        (Q_DURATION, "since yesterday"),
        (Q_PAIN, "nope"),
        (Q_VISION, "no"),
        (Q_OTHER, "yes"),
        (Q_DETAILS, "my <b>eyelid</b> & cheek"),
        (Q_STRESS, "yes, very stressed"),
    ] {
        by_typing(&mut g, USER, question, answer).await;
    }
    g.message(USER, "Ways to ease stress").await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emergency_path() {
    const USER: i64 = 5_003;
    let (_api, _dir, bot, mut g) = private("emergency", USER).await;
    g.say(USER, "/check");
    by_button(&mut g, USER, Q_RED_FLAGS, "Yes, I have one of these").await;
    g.message(USER, "EMERGENCY: call emergency services now")
        .await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_red_flag_net_catches_a_stroke_sign_typed_mid_check() {
    const USER: i64 = 5_004;
    let (_api, _dir, bot, mut g) = private("red_flag_net", USER).await;
    g.say(USER, "/check");
    by_typing(&mut g, USER, Q_RED_FLAGS, "no").await;
    by_typing(
        &mut g,
        USER,
        Q_FREQUENCY,
        "a few times a week, and my face suddenly drooped on one side",
    )
    .await;
    by_button(
        &mut g,
        USER,
        "Is this happening now",
        "Yes, it is happening",
    )
    .await;
    g.message(USER, "EMERGENCY: call emergency services now")
        .await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

/// The check to "see a doctor" by typing, up to the offer of a follow-up.
async fn typed_to_see_a_doctor(g: &mut Golden, user: i64) {
    g.say(user, "/check");
    for (question, answer) in [
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "3 times a day"),
        (Q_DURATION, "5 days"),
        (Q_PAIN, "no"),
        (Q_VISION, "no"),
        (Q_OTHER, "no"),
        (Q_STRESS, "no"),
    ] {
        by_typing(g, user, question, answer).await;
    }
    g.message(user, "SEE A DOCTOR").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follow_up_asked_and_answered() {
    const USER: i64 = 5_005;
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let bot = BotProcess::start_with(
        &api,
        &sqlite_url(dir.path()),
        &shipped::dir(),
        &[("BOT_FOLLOW_UP_AFTER", "1s")],
    );
    let mut g = Golden::new(&api, "follow_up").chat(USER, "user");
    typed_to_see_a_doctor(&mut g, USER).await;
    let offer = g
        .message(USER, "Would you like me to check on you later")
        .await;
    g.press(USER, &offer, "Check on me in 3 days");
    g.message(USER, "I will check on you in 3 days").await;
    g.step("(BOT_FOLLOW_UP_AFTER=1s: the follow-up is due a second later)");
    let asked = g.message(USER, "How is it now?").await;
    g.press(USER, &asked, "About the same");
    g.message(USER, "days now").await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn summary_export_and_forget() {
    const USER: i64 = 5_006;
    let (_api, _dir, bot, mut g) = private("summary_export_forget", USER).await;
    typed_to_see_a_doctor(&mut g, USER).await;
    g.say(USER, "/summary");
    g.reply(USER, "senddocument", "").await;
    g.say(USER, "/export");
    g.reply(USER, "senddocument", "").await;
    g.say(USER, "/forget");
    g.message(USER, "I deleted everything I kept").await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_diary_from_its_offer_to_its_chart_and_off() {
    const USER: i64 = 5_010;
    let (_api, _dir, bot, mut g) = private("diary", USER).await;
    typed_to_see_a_doctor(&mut g, USER).await;
    by_button(&mut g, USER, "keep a twitch diary", "Start a diary").await;
    by_button(&mut g, USER, "Your diary is on", "Twitching now").await;
    by_button(&mut g, USER, "✓ Logged: 1 episode", "Stress or worry").await;
    g.reply(USER, "editmessagetext", "✓ Logged: 1 episode")
        .await;
    g.say(USER, "/log 2 times");
    g.message(USER, "✓ Logged: 2 episodes").await;
    g.say(USER, "twitched 3 times this morning");
    g.message(USER, "✓ Logged: 3 episodes").await;
    g.say(USER, "/diary");
    g.reply(USER, "sendphoto", "").await;
    g.say(USER, "/diary off");
    by_button(&mut g, USER, "Shall I delete", "Delete them now").await;
    g.reply(USER, "editmessagetext", "deleted").await;
    g.finish(USER, HELP.0, HELP.1).await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_check_in_spanish_by_buttons() {
    const USER: i64 = 5_007;
    let (api, _dir, bot, mut g) = private("spanish", USER).await;
    api.set_language(USER, "es");
    g.step("(the user's Telegram is in Spanish: language_code es)");
    g.say(USER, "/check");
    for (question, label) in [
        ("Primero, una pregunta de seguridad", "No, ninguno"),
        ("¿Con qué frecuencia aparecen", "Varias veces al día"),
        ("¿Desde hace cuánto tiempo", "De 1 a 4 semanas"),
        ("¿Los espasmos vienen con dolor", "No"),
        ("cambio en la vista", "No"),
        ("¿Algún otro síntoma", "No"),
        ("estrés o ansiedad", "Sí"),
    ] {
        by_button(&mut g, USER, question, label).await;
    }
    g.message(USER, "CONSULTA A UN MÉDICO").await;
    g.finish(USER, "/help", "<b>Comandos</b>").await;
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_check_in_russian_by_typing() {
    const USER: i64 = 5_008;
    let (api, _dir, bot, mut g) = private("russian", USER).await;
    api.set_language(USER, "ru");
    g.step("(the user's Telegram is in Russian: language_code ru)");
    g.say(USER, "/check");
    for (question, answer) in [
        ("Сначала вопрос о безопасности", "нет"),
        ("Как часто возникает", "несколько раз в день"),
        ("Как давно это продолжается", "2 недели"),
        ("боль или дискомфорт", "нет"),
        ("изменения зрения или слуха", "нет"),
        ("другие необычные симптомы", "нет"),
        ("стресс или трев", "да"),
    ] {
        by_typing(&mut g, USER, question, answer).await;
    }
    g.message(USER, "К ВРАЧУ").await;
    g.finish(USER, "/help", "<b>Команды</b>").await;
    bot.stop();
}

const GROUP: i64 = -100_777;
const ADMIN: i64 = 71;
const MEMBER: i64 = 72;
const DAY: u64 = 86_400_000;

/// A group: the bot added, `/check` there, an admin's `/settings` and
/// presses on it, a member joining and the welcome; then the tip schedule
/// run by hand a day later on the same store (the bot's parts in-process,
/// in a runtime of their own, ended before the bot starts again for the
/// sentinel).
#[tokio::test(flavor = "multi_thread")]
async fn a_group_from_joining_to_a_periodic_tip() {
    let (api, dir, bot) = start_with_sqlite(&shipped::dir()).await;
    api.make_admin(GROUP, ADMIN);
    let mut g = Golden::new(&api, "group")
        .chat(GROUP, "group")
        .person(ADMIN, "admin")
        .person(MEMBER, "member")
        .person(73, "newcomer");
    g.step("the bot is added to group");
    api.bot_membership(GROUP, true);
    g.message(GROUP, "Hello, everyone!").await;
    g.say_in(GROUP, MEMBER, "/check");
    g.message(GROUP, "Checks happen in a private chat").await;
    g.say_in(GROUP, ADMIN, "/settings");
    let panel = g.message(GROUP, "Settings for this group").await;
    g.press_as(GROUP, ADMIN, &panel, "Welcome on");
    g.reply(GROUP, "editmessagetext", "").await;
    g.press_as(GROUP, ADMIN, &panel, "Daily");
    g.reply(GROUP, "editmessagetext", "").await;
    g.step("newcomer joins group");
    api.join(GROUP, &[(73, "Ann")]);
    g.message(GROUP, "Welcome, Ann!").await;
    bot.stop();

    g.step("the bot stops; a day later the tip schedule runs (in-process, same store)");
    let mut config = config(&api, Storage::Sqlite(sqlite_file(dir.path())));
    config.dialogues = shipped::dir();
    let schedule_api = api.clone();
    tokio::task::spawn_blocking(move || {
        // A runtime of its own, so its lanes and sweeps end when it is dropped.
        let runtime = tokio::runtime::Runtime::new().unwrap();
        runtime.block_on(async {
            let since = schedule_api.calls().len();
            let lanes = start_runtime(&config).await;
            let queued = tips::queue_due(&lanes, now_ms() + DAY).await.unwrap();
            assert_eq!(
                queued, 1,
                "one tip is due a day after tips were switched on"
            );
            schedule_api
                .wait_for(since, "the periodic tip", |c| {
                    c.method == "sendmessage" && c.chat() == Some(GROUP)
                })
                .await;
            lanes.drain(Duration::from_secs(10)).await;
        });
    })
    .await
    .unwrap();
    g.message(GROUP, "").await;

    g.step("the bot starts again on the same store");
    let again = BotProcess::start(&api, &sqlite_url(dir.path()), &shipped::dir());
    g.finish_in(
        GROUP,
        MEMBER,
        "/about",
        "Checks happen in a private chat with me",
    )
    .await;
    again.stop();
}

/// The calls the bot makes at start-up: menus and profile per language.
#[tokio::test(flavor = "multi_thread")]
async fn start_up_menus_and_profile_per_language() {
    let (api, _dir, bot) = start_with_sqlite(&shipped::dir()).await;
    // Polling starts right after the webhook is removed: start-up is over.
    api.wait_for(0, "deleteWebhook", |c| c.method == "deletewebhook")
        .await;
    golden::check("startup", &golden::render_startup(&api.calls()));
    bot.stop();
}

/// A small conversation recorded by hand: a question, the press, the edit
/// and the outcome, as the fake would log them.
fn recorded() -> (Names, Vec<Step>, Vec<Sent>) {
    let mut names = Names::default();
    names.chat(7, "user");
    names.press("cq3", 2);
    let steps = vec![
        Step {
            text: "user: \"/check\"".into(),
            under: None,
        },
        Step {
            text: "user presses [No]".into(),
            under: Some(1_001),
        },
    ];
    let call = |method: &str, body: serde_json::Value, message_id: Option<i64>| Sent {
        method: method.into(),
        chat: Some(7),
        body,
        message_id,
    };
    let keyboard = serde_json::json!({ "inline_keyboard": [
        [{ "text": "Yes", "callback_data": "a:1f2e:1:pain:yes" }],
        [{ "text": "No", "callback_data": "a:1f2e:1:pain:no" }],
    ]});
    let calls = vec![
        call(
            "sendmessage",
            serde_json::json!({ "chat_id": 7, "parse_mode": "HTML",
                "text": "<b>Question 1</b> Does it hurt?", "reply_markup": keyboard }),
            Some(1_001),
        ),
        call(
            "answercallbackquery",
            serde_json::json!({ "callback_query_id": "cq3" }),
            None,
        ),
        call(
            "editmessagetext",
            serde_json::json!({ "chat_id": 7, "message_id": 1_001, "parse_mode": "HTML",
                "text": "Does it hurt?\n\n✓ <b>No</b>" }),
            Some(1_001),
        ),
        call(
            "sendmessage",
            serde_json::json!({ "chat_id": 7, "parse_mode": "HTML",
                "text": "🌿 SELF-CARE: usually harmless.\n\nChecked on 26 November 2026." }),
            Some(1_002),
        ),
    ];
    (names, steps, calls)
}

#[test]
fn a_transcript_names_chats_messages_checks_and_dates_not_ids() {
    let (names, steps, calls) = recorded();
    let text = golden::render("by_hand", &names, &steps, &calls);
    for shown in [
        "2. user presses [No] under #1",
        "#1 sendMessage to user (HTML)",
        "   row: [Yes] callback a:{S1}:1:pain:yes",
        "#2 answerCallbackQuery to user, answering the press of step 2",
        "#3 editMessageText to user, message #1 (HTML)",
        "   | Checked on <date>.",
    ] {
        assert!(text.contains(shown), "{shown:?} missing from:\n{text}");
    }
    assert!(!text.contains("1001") && !text.contains("1f2e"), "{text}");
}

#[test]
fn one_changed_word_fails_the_comparison() {
    let (names, steps, mut calls) = recorded();
    let golden = golden::render("by_hand", &names, &steps, &calls);
    calls[3].body["text"] = "🌿 SELF-CARE: usually harmful.\n\nChecked on 26 November 2026.".into();
    let run = golden::render("by_hand", &names, &steps, &calls);
    let diff = golden::compare(&golden, &run).expect_err("a changed word must fail");
    assert!(
        diff.contains("-    | 🌿 SELF-CARE: usually harmless."),
        "{diff}"
    );
    assert!(
        diff.contains("+    | 🌿 SELF-CARE: usually harmful."),
        "{diff}"
    );
    eprintln!("{diff}");

    // And in a real golden file: one word of one text changed.
    let file = std::fs::read_to_string(golden::path("private_buttons")).unwrap();
    let changed = file.replacen("SEE A DOCTOR", "SEE A DENTIST", 1);
    assert_ne!(file, changed, "the golden holds the verdict");
    let diff = golden::compare(&file, &changed).expect_err("a changed word must fail");
    assert!(diff.contains("SEE A DENTIST"), "{diff}");
}

#[test]
fn a_repeated_message_fails_the_comparison() {
    let (names, steps, mut calls) = recorded();
    let golden = golden::render("by_hand", &names, &steps, &calls);
    let mut again = calls[3].clone();
    again.message_id = Some(1_003);
    calls.push(again);
    let run = golden::render("by_hand", &names, &steps, &calls);
    let diff = golden::compare(&golden, &run).expect_err("a repeated message must fail");
    assert!(diff.contains("+ #5 sendMessage to user (HTML)"), "{diff}");
    eprintln!("{diff}");

    // And in a real golden file: the verdict's entry sent twice.
    let file = std::fs::read_to_string(golden::path("emergency")).unwrap();
    let lines: Vec<&str> = file.lines().collect();
    let entry = |l: &&str| {
        l.strip_prefix('#')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    };
    let verdict = lines
        .iter()
        .position(|l| l.contains("EMERGENCY: call"))
        .unwrap();
    let start = (0..verdict).rev().find(|&i| entry(&lines[i])).unwrap();
    let end = (verdict..lines.len())
        .find(|&i| entry(&lines[i]))
        .unwrap_or(lines.len());
    let repeated = [&lines[..end], &lines[start..end], &lines[end..]]
        .concat()
        .join("\n")
        + "\n";
    let diff = golden::compare(&file, &repeated).expect_err("a repeated message must fail");
    eprintln!("{diff}");
}
