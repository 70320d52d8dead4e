//! The shipped dialogue end to end: the real binary long polls the fake
//! Bot API over HTTP on 127.0.0.1, with a real SQLite file and the same on a
//! real Redis: whole checks to every triage level by buttons and by typing,
//! `/back`, `/restart`, `/tips`, `/about`, `/forget`, a restart continuing
//! every conversation, and stroke signs typed as the first message. Tests of
//! the bot's mechanics run on the stable fixture instead (`support::stable`).

use fake_bot_api::FakeApi;

use crate::support::shipped::{
    self, Q_DETAILS, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
    Q_VISION_SUDDEN,
};
use crate::support::{Backend, BotProcess, UserChat, start_on, start_with_sqlite, temp_dir};

/// "No" to every question after the duration.
const NO_TO_THE_REST: [(&str, &str); 4] = [
    (Q_PAIN, "no"),
    (Q_VISION, "no"),
    (Q_OTHER, "no"),
    (Q_STRESS, "no"),
];

async fn whole_checks_reach_each_triage_level_by_buttons_and_by_typing(backend: Backend) {
    let (api, bot) = start_on(&backend, &shipped::dir()).await;

    let mut emergency = UserChat::new(&api, 101);
    emergency.say("/start");
    let welcome = emergency.expect("walk you through a short check").await;
    assert!(welcome.text().contains("not medical advice"));
    emergency.press(&welcome, "Start the check").await;
    emergency
        .answer_by_buttons(&[(Q_RED_FLAGS, "Yes, I have one of these")])
        .await;
    emergency
        .expect("EMERGENCY: call emergency services now")
        .await;

    let mut doctor = UserChat::new(&api, 102);
    doctor.say("/start check");
    doctor
        .answer_by_buttons(&[
            (Q_RED_FLAGS, "No, none of these"),
            (Q_FREQUENCY, "Several times a day"),
            (Q_DURATION, "1 to 4 weeks"),
            (Q_PAIN, "No"),
            (Q_VISION, "Yes"),
            (Q_VISION_SUDDEN, "No, slowly, or only hearing"),
            (Q_OTHER, "No"),
            (Q_STRESS, "No"),
        ])
        .await;
    let verdict = doctor.expect("SEE A DOCTOR").await;
    assert!(verdict.text().contains("changes in your vision or hearing"));
    assert!(
        verdict
            .text()
            .contains("Call an emergency number straight away if, suddenly,")
    );
    assert!(verdict.text().contains("not medical advice"));
    doctor.expect("Ways to ease stress").await;

    let mut self_care = UserChat::new(&api, 103);
    self_care.say("/check");
    self_care
        .answer_by_typing(&[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "once in a while"),
            (Q_DURATION, "since yesterday"),
            (Q_PAIN, "nope"),
            (Q_VISION, "no"),
            (Q_OTHER, "no"),
            (Q_STRESS, "yes"),
        ])
        .await;
    self_care.expect("SELF-CARE").await;
    let tips = self_care.expect("Ways to ease stress").await;
    assert!(
        tips.text().contains("You said you have been stressed"),
        "tips are put forward"
    );

    let mut typed_doctor = UserChat::new(&api, 104);
    typed_doctor.say("/check");
    typed_doctor
        .answer_by_typing(&[
            (Q_RED_FLAGS, "no"),
            (Q_FREQUENCY, "often"),
            (Q_DURATION, "2 weeks"),
            (Q_PAIN, "no"),
            (Q_VISION, "no"),
            (Q_OTHER, "yes"),
            (Q_DETAILS, "<b>eyelid</b> & cheek"),
            (Q_STRESS, "no"),
        ])
        .await;
    let verdict = typed_doctor.expect("SEE A DOCTOR").await;
    assert!(verdict.text().contains("going on for 2 weeks"));
    assert!(
        verdict
            .text()
            .contains("&lt;b&gt;eyelid&lt;/b&gt; &amp; cheek"),
        "{}",
        verdict.text()
    );
    assert_eq!(verdict.body["parse_mode"], "HTML");
    let finished = serde_json::json!({ "at": "finished", "outcome": "see_doctor" });
    let stored = backend
        .session_when(104, |s| s["position"] == finished)
        .await;
    assert_eq!(stored["position"], finished);

    let calls = api.calls();
    let menu = calls
        .iter()
        .find(|c| c.method == "setmycommands")
        .expect("setMyCommands at start-up");
    let names: Vec<&str> = menu.body["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    for command in [
        "check", "back", "restart", "tips", "about", "forget", "help",
    ] {
        assert!(names.contains(&command), "{command} missing from {names:?}");
    }
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_checks_on_sqlite() {
    let dir = temp_dir();
    whole_checks_reach_each_triage_level_by_buttons_and_by_typing(Backend::sqlite_in(dir.path()))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn whole_checks_on_redis() {
    whole_checks_reach_each_triage_level_by_buttons_and_by_typing(Backend::redis().await).await;
}

async fn back_restart_and_forget(backend: Backend) {
    let (api, bot) = start_on(&backend, &shipped::dir()).await;
    let mut user = UserChat::new(&api, 201);
    user.say("/check");
    user.answer_by_typing(&[
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "rarely"),
        (Q_DURATION, "2 days"),
    ])
    .await;
    user.expect(Q_PAIN).await;
    user.say("/back");
    let again = user.expect(Q_DURATION).await;
    assert!(again.text().contains("Your earlier answer: 2 days"));
    user.say("3 weeks");
    user.answer_by_typing(&NO_TO_THE_REST).await;
    let verdict = user.expect("SEE A DOCTOR").await;
    assert!(
        verdict.text().contains("going on for 3 weeks"),
        "changed answer changes the outcome"
    );

    user.say("/restart");
    user.expect("Starting the check again").await;
    user.expect(Q_RED_FLAGS).await;
    let session = backend
        .session_when(201, |s| s["answers"] == serde_json::json!([]))
        .await;
    assert_eq!(session["answers"], serde_json::json!([]));

    user.say("/tips");
    user.expect("mindfulness meditation").await;
    user.say("/about");
    let about = user.expect("Sources").await;
    assert!(about.text().contains("NHS: Stroke"));
    assert!(about.text().contains("deleted 24 hours after your last"));

    user.say("/forget");
    user.expect("I deleted everything I kept").await;
    assert!(
        backend.session(201).await.is_none(),
        "/forget removes the stored session"
    );
    if let Backend::Redis(server) = &backend {
        let keys = server.keys().await;
        assert!(!keys.iter().any(|k| k.ends_with(":chat:201")), "{keys:?}");
    }
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn back_restart_and_forget_on_sqlite() {
    let dir = temp_dir();
    back_restart_and_forget(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn back_restart_and_forget_on_redis() {
    back_restart_and_forget(Backend::redis().await).await;
}

async fn a_restarted_bot_continues_every_conversation(backend: Backend) {
    let api = FakeApi::start().await;
    let storage = backend.url();
    let first = BotProcess::start(&api, &storage, &shipped::dir());
    let mut user = UserChat::new(&api, 401);
    user.say("/check");
    user.answer_by_typing(&[
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "daily"),
        (Q_DURATION, "2 weeks"),
    ])
    .await;
    user.expect(Q_PAIN).await;
    let log = first.stop();
    assert!(log.contains("SIGTERM"), "{log}");

    let second = BotProcess::start(&api, &storage, &shipped::dir());
    user.say("/check");
    user.expect("Picking up where you left off").await;
    user.answer_by_typing(&NO_TO_THE_REST).await;
    let verdict = user.expect("SEE A DOCTOR").await;
    assert!(
        verdict.text().contains("going on for 2 weeks"),
        "answers from before the restart are kept"
    );
    second.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_persistence_on_sqlite() {
    let dir = temp_dir();
    a_restarted_bot_continues_every_conversation(Backend::sqlite_in(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn restart_persistence_on_redis() {
    a_restarted_bot_continues_every_conversation(Backend::redis().await).await;
}

/// Understanding over real HTTP: a stroke sign as the very first message is
/// asked about at once, with buttons, and a yes reaches the emergency advice;
/// an answer not understood is asked again with its buttons; "I don't know"
/// at the stroke screen is asked once more, never taken as no; a typed rate
/// is echoed on the answered question.
#[tokio::test(flavor = "multi_thread")]
async fn signs_typed_first_uncertainty_and_typed_rates_over_telegram() {
    let (api, _dir, bot) = start_with_sqlite(&shipped::dir()).await;
    let mut first = UserChat::new(&api, 701);
    first.say("my face suddenly drooped on one side");
    let asked = first.expect("Is this happening now").await;
    assert!(asked.has_keyboard(), "{}", asked.body);
    first.press(&asked, "Yes, it is happening").await;
    first.expect("EMERGENCY: call emergency services now").await;

    let mut user = UserChat::new(&api, 702);
    user.say("/check");
    user.expect(Q_RED_FLAGS).await;
    user.say("purple");
    user.expect("Sorry, that answer does not fit").await;
    let again = user.expect(Q_RED_FLAGS).await;
    assert!(again.has_keyboard(), "the re-ask shows the buttons again");
    user.say("I don't know");
    let confirm = user
        .expect("it is safest to treat these signs as a yes")
        .await;
    assert!(confirm.button("No, none of these").is_some());
    user.say("no");
    user.expect(Q_FREQUENCY).await;
    user.say("3 times a day");
    let edited = user.expect_call("editmessagetext").await;
    assert!(
        edited
            .text()
            .contains("✓ <b>Several times a day</b> — you said “3 times a day”"),
        "{}",
        edited.text()
    );
    user.expect(Q_DURATION).await;
    bot.stop();
}
