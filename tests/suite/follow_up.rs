//! Follow-ups end to end, with the delay shortened by `BOT_FOLLOW_UP_AFTER`:
//! offered after the outcome, asked once when due (also across replicas and
//! a `kill -9`), read with the first check; cancelled by /cancel and /forget;
//! dropped for a person who blocked the bot. And /summary and /export.

use std::time::Duration;

use serde_json::Value;

use fake_bot_api::FakeApi;

use crate::support::shipped::{
    self, Q_DURATION, Q_FREQUENCY, Q_OTHER, Q_PAIN, Q_RED_FLAGS, Q_STRESS, Q_VISION,
};
use crate::support::{
    BOT_PREFIX, Backend, BotProcess, RedisServer, UserChat, temp_dir, transcript, wait,
};

const OFFER: &str = "Would you like me to check on you later";
const STILL_THERE: &str = "How is it now?";
const AFTER: &str = "2s";
/// The longest a test waits for something the bot should do at once.
const WAIT: Duration = Duration::from_secs(60);

fn start(api: &FakeApi, storage: &str) -> BotProcess {
    BotProcess::start_with(
        api,
        storage,
        &shipped::dir(),
        &[("BOT_FOLLOW_UP_AFTER", AFTER)],
    )
}

/// A whole check by typing, ending at "see a doctor" after five days.
async fn see_doctor(user: &mut UserChat) {
    user.say("/check");
    for (question, answer) in [
        (Q_RED_FLAGS, "no"),
        (Q_FREQUENCY, "3 times a day"),
        (Q_DURATION, "5 days"),
        (Q_PAIN, "no"),
        (Q_VISION, "no"),
        (Q_OTHER, "no"),
        (Q_STRESS, "no"),
    ] {
        user.expect(question).await;
        user.say(answer);
    }
    user.expect("SEE A DOCTOR").await;
}

/// Accepts the offer shown after an outcome.
async fn accept(user: &mut UserChat) {
    let offer = user.expect(OFFER).await;
    user.press(&offer, "Check on me in 3 days").await;
    user.expect("I will check on you in 3 days").await;
}

/// Messages to `chat` holding `text` (sends refused by a block included).
fn sent(api: &FakeApi, chat: i64, text: &str) -> usize {
    api.calls()
        .iter()
        .filter(|c| c.method == "sendmessage" && c.chat() == Some(chat) && c.text().contains(text))
        .count()
}

/// The documents sent to `chat`, as their multipart text.
fn documents(api: &FakeApi, chat: i64) -> Vec<String> {
    api.calls()
        .iter()
        .filter(|c| c.method == "senddocument")
        .filter_map(|c| c.body["_raw"].as_str().map(str::to_string))
        .filter(|raw| raw.contains(&format!("\r\n\r\n{chat}\r\n")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_follow_up_comes_once_and_is_read_with_the_first_check() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = start(&api, &backend.url());
    let mut user = UserChat::new(&api, 1_301);
    see_doctor(&mut user).await;
    accept(&mut user).await;
    let asked = user.expect(STILL_THERE).await;
    user.press(&asked, "About the same").await;
    let verdict = user.expect("days now").await;
    assert!(
        verdict.text().contains("about 5 days now"),
        "{}",
        verdict.text()
    );
    accept(&mut user).await;
    let asked = user.expect(STILL_THERE).await;
    user.press(&asked, "It has gone").await;
    user.expect("Good to hear it has gone").await;
    // Nothing queued for the chat (no follow-up still to come): all it gets.
    backend.settled(&api, 1_301).await;
    assert_eq!(
        sent(&api, 1_301, STILL_THERE),
        2,
        "each follow-up came once"
    );

    // Another person's check, to show the summary holds nothing of theirs.
    let mut other = UserChat::new(&api, 1_302);
    other.say("/check");
    other.expect(Q_RED_FLAGS).await;
    other.say("no");
    other.expect(Q_FREQUENCY).await;
    other.say("constantly");
    other.expect(Q_DURATION).await;

    user.say("/summary");
    let summary = user.expect("Summary for your doctor").await;
    for shown in [
        "5 days",
        "Several times a day",
        "About the same",
        "It has gone",
    ] {
        assert!(
            summary.text().contains(shown),
            "{shown}: {}",
            summary.text()
        );
    }
    assert!(!summary.text().contains("Almost all the time"));
    let page = wait::until_some(WAIT, "the summary page", || {
        std::future::ready(documents(&api, 1_301).into_iter().next())
    })
    .await;
    assert!(
        page.contains("summary.html") && page.contains("<table>"),
        "{page}"
    );
    assert!(page.contains("About the same") && !page.contains("Almost all the time"));

    user.say("/export");
    let export = wait::until_some(WAIT, "the export", || {
        let docs = documents(&api, 1_301);
        std::future::ready(docs.into_iter().find(|d| d.contains("export.json")))
    })
    .await;
    let json: Value =
        serde_json::from_str(&export[export.find('{').unwrap()..=export.rfind('}').unwrap()])
            .expect("the export is JSON");
    let check = &json["check"];
    assert_eq!(json["chat_id"], 1_301);
    assert_eq!(check["answers"].as_array().map(Vec::len), Some(7));
    assert_eq!(check["follow_ups"].as_array().map(Vec::len), Some(2));
    assert_eq!(check["follow_ups"][0]["days"], 5);
    assert!(check["finished_ms"].is_u64() && json["kept_until_ms"].is_u64());
    let stored = backend.session_when(1_301, |s| !s.is_null()).await;
    assert_eq!(
        check, &stored,
        "the export holds every stored field of the check"
    );
    eprintln!("--- chat 1301: a whole check, two follow-ups, /summary, /export");
    transcript(&api, 1_301);
    for document in documents(&api, 1_301) {
        let start = document
            .find("<!DOCTYPE")
            .or_else(|| document.find('{'))
            .unwrap_or(0);
        let end = document[start..]
            .find("\r\n--")
            .map_or(document.len(), |e| start + e);
        eprintln!("bot senddocument:\n{}", &document[start..end]);
    }
    bot.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_and_forget_stop_a_follow_up_and_a_block_drops_it() {
    let api = FakeApi::start().await;
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let bot = start(&api, &backend.url());
    let mut cancelled = UserChat::new(&api, 1_311);
    let mut forgotten = UserChat::new(&api, 1_312);
    let mut blocked = UserChat::new(&api, 1_313);
    for user in [&mut cancelled, &mut forgotten, &mut blocked] {
        see_doctor(user).await;
        accept(user).await;
    }
    cancelled.say("/cancel");
    cancelled.expect("Stopped").await;
    forgotten.say("/forget");
    forgotten.expect("I deleted everything").await;
    api.block(1_313);
    // Each follow-up either gone with its check or asked (and refused): once
    // nothing is queued for a chat, nothing more comes to it.
    for chat in [1_311, 1_312, 1_313] {
        backend.settled(&api, chat).await;
    }
    assert_eq!(sent(&api, 1_311, STILL_THERE), 0, "cancelled, yet it came");
    assert_eq!(sent(&api, 1_312, STILL_THERE), 0, "forgotten, yet it came");
    assert_eq!(
        sent(&api, 1_313, STILL_THERE),
        1,
        "tried once for the person who blocked the bot, never again"
    );
    let log = bot.stop();
    let above_debug: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(" INFO ") || l.contains(" WARN ") || l.contains(" ERROR "))
        .collect();
    assert!(
        !above_debug.iter().any(|l| l.contains("1313")),
        "a private chat's id above debug:\n{}",
        above_debug.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_replicas_and_a_kill_9_still_ask_exactly_once() {
    let redis = RedisServer::start().await;
    let api = FakeApi::start().await;
    let (a, b) = (start(&api, &redis.url()), start(&api, &redis.url()));
    let mut user = UserChat::new(&api, 1_321);
    see_doctor(&mut user).await;
    accept(&mut user).await;
    user.expect(STILL_THERE).await;
    // Nothing queued for the chat and neither replica at work on it.
    wait::until(WAIT, "chat 1321 idle in Redis", || {
        redis.idle(BOT_PREFIX, 1_321)
    })
    .await;
    assert_eq!(
        sent(&api, 1_321, STILL_THERE),
        1,
        "asked by exactly one replica"
    );
    eprintln!(
        "two replicas on one Redis: the follow-up was asked {} time(s)",
        sent(&api, 1_321, STILL_THERE)
    );
    a.stop();
    b.stop();

    // kill -9 before it is due: the next start still asks, once.
    let dir = temp_dir();
    let backend = Backend::sqlite_in(dir.path());
    let first = BotProcess::start_with(
        &api,
        &backend.url(),
        &shipped::dir(),
        &[("BOT_FOLLOW_UP_AFTER", "4s")],
    );
    let mut again = UserChat::new(&api, 1_322);
    see_doctor(&mut again).await;
    accept(&mut again).await;
    first.kill9();
    let second = start(&api, &backend.url());
    again.expect(STILL_THERE).await;
    backend.settled(&api, 1_322).await;
    assert_eq!(
        sent(&api, 1_322, STILL_THERE),
        1,
        "asked once after the kill"
    );
    eprintln!(
        "kill -9 before it was due, then a new start: the follow-up was asked {} time(s)",
        sent(&api, 1_322, STILL_THERE)
    );
    second.stop();
}

mod engine_level {
    //! The follow-up's reading of answers and state, step by step in the engine.

    use nasal_twitch_bot::engine::{self, ButtonToken, Input, Position, Reply, Session, Step};
    use nasal_twitch_bot::script::Script;

    use crate::support::shipped;

    const DAY: u64 = 86_400_000;
    const T0: u64 = 1_795_694_400_000;

    fn step(script: &Script, session: Session, input: Input, now: u64) -> Step {
        engine::step(script, Some(session), input, now)
    }

    /// A check answered by typing to its outcome at `T0`, lasting `duration`.
    fn finished(script: &Script, duration: &str) -> Session {
        let mut session = engine::step(script, None, Input::Begin, T0)
            .session
            .unwrap();
        for answer in ["no", "daily", duration, "no", "no", "no", "no"] {
            session = step(script, session, Input::Text(answer.into()), T0)
                .session
                .unwrap();
        }
        assert!(matches!(session.position, Position::Finished { .. }));
        session
    }

    /// Presses the offer's "Check on me in 3 days" (or the delay of `days`).
    fn accept(script: &Script, session: Session, days: u32, now: u64) -> Session {
        let token = ButtonToken {
            session: session.id,
            turn: session.turn,
            node: "follow_up".into(),
            value: format!("d{days}"),
        };
        let after = step(script, session, Input::Button(token), now)
            .session
            .unwrap();
        assert!(after.follow_up.is_some(), "accepted");
        after
    }

    fn due(script: &Script, session: Session) -> Step {
        let due_ms = session.follow_up.unwrap().due_ms;
        step(
            script,
            session,
            Input::FollowUpDue {
                due_ms,
                diary: None,
            },
            due_ms,
        )
    }

    #[test]
    fn typed_answers_lean_to_worse_and_never_read_no_as_gone() {
        let script = shipped::script();
        for (typed, want) in [
            ("no it got worse", "worse"),
            ("stopped, but I have new symptoms", "worse"),
            ("no, still there", "same"),
            ("yes it's gone", "gone"),
            ("a bit better", "better"),
        ] {
            let asked = due(&script, accept(&script, finished(&script, "2 days"), 3, T0));
            let session = asked.session.unwrap();
            let now = T0 + 3 * DAY;
            let after = step(&script, session, Input::Text(typed.into()), now)
                .session
                .unwrap();
            let got = after.follow_ups.last().map(|r| r.answer.clone());
            assert_eq!(got.as_deref(), Some(want), "{typed}");
            if want == "worse" {
                let earlier = &after.earlier;
                assert_eq!(earlier.len(), 1, "the first check is kept for the summary");
                assert_eq!(earlier[0].answers.len(), 7);
                let summary = engine::summary(&script, &after).expect("a summary");
                assert_eq!(summary.earlier.len(), 1);
            }
        }
    }

    #[test]
    fn nothing_is_asked_after_an_emergency_or_with_a_check_in_progress() {
        let script = shipped::script();
        let accepted = accept(&script, finished(&script, "2 days"), 3, T0);
        let flagged = step(
            &script,
            accepted.clone(),
            Input::Text("my face is drooping".into()),
            T0,
        );
        let emergency = step(
            &script,
            flagged.session.unwrap(),
            Input::Text("yes".into()),
            T0,
        );
        let emergency = emergency.session.unwrap();
        assert!(
            emergency.follow_up.is_none(),
            "an emergency drops the follow-up"
        );
        let backed = step(&script, accepted, Input::Back, T0).session.unwrap();
        let due_ms = backed.follow_up.unwrap().due_ms;
        let at_due = step(
            &script,
            backed,
            Input::FollowUpDue {
                due_ms,
                diary: None,
            },
            due_ms,
        );
        assert!(at_due.replies.is_empty(), "{:?}", at_due.replies);
        let session = at_due.session.unwrap();
        assert!(
            session.follow_up.is_none(),
            "a due follow-up is not left pending"
        );
        let refinished = step(&script, session, Input::Text("no".into()), due_ms);
        assert!(
            refinished
                .replies
                .iter()
                .any(|r| matches!(r, Reply::Question(q) if q.node == "follow_up")),
            "the check's end offers a follow-up again"
        );
    }

    #[test]
    fn days_in_all_count_from_the_first_check() {
        let script = shipped::script();
        let first = due(&script, accept(&script, finished(&script, "2 days"), 3, T0));
        let now = T0 + 3 * DAY;
        let still = step(
            &script,
            first.session.unwrap(),
            Input::Text("same".into()),
            now,
        );
        let session = still.session.unwrap();
        assert_eq!(session.follow_ups[0].days, Some(5));
        let second = due(&script, accept(&script, session, 7, now));
        let now = T0 + 10 * DAY;
        let again = step(
            &script,
            second.session.unwrap(),
            Input::Text("same".into()),
            now,
        );
        assert_eq!(again.session.unwrap().follow_ups[1].days, Some(12));
    }

    #[test]
    fn cancel_restart_and_a_new_dialogue_version() {
        let script = shipped::script();
        let asked = due(&script, accept(&script, finished(&script, "2 days"), 3, T0));
        let cancelled = step(&script, asked.session.unwrap(), Input::Cancel, T0 + 3 * DAY);
        assert!(
            matches!(
                cancelled.session.unwrap().position,
                Position::Finished { .. }
            ),
            "/cancel at the follow-up keeps the outcome"
        );
        let accepted = accept(&script, finished(&script, "2 days"), 3, T0);
        let restarted = step(&script, accepted, Input::Restart, T0).session.unwrap();
        assert!(
            restarted.follow_up.is_some(),
            "a new check keeps the follow-up"
        );
        let mut old = accept(&script, finished(&script, "2 days"), 3, T0);
        old.version = "0.9".into();
        let due_ms = old.follow_up.unwrap().due_ms;
        let at_due = step(
            &script,
            old,
            Input::FollowUpDue {
                due_ms,
                diary: None,
            },
            due_ms,
        );
        assert!(
            at_due.replies.is_empty(),
            "no check starts on its own: {:?}",
            at_due.replies
        );
    }
}
