//! The twitch diary through the core: offered after an outcome, switched on,
//! logged by button, `/log` and words, tagged, drawn, answering a follow-up,
//! and gone with `/diary off`, `/forget` and a block.

use super::*;
use crate::diary::DAY_MS;
use crate::message::DiaryAction;
use crate::store::Diaries;

const ME: i64 = 11;

/// Takes `incoming` through intake and handling at `now`.
async fn handle_at(core: &Core, key: &str, incoming: Incoming, now: u64) {
    let entry = core.intake(key.to_string(), incoming, now);
    run_at(core, entry.into_iter().collect(), now).await;
}

/// Writes `entries` to the inbox and handles everything due at `now`.
async fn run_at(core: &Core, entries: Vec<NewEntry>, now: u64) {
    let chats = core.store.receive(entries, now).await.unwrap();
    for chat in chats {
        while let Some(entry) = core.store.pending(chat, now).await.unwrap().due {
            core.handle(&Fake, entry, now).await.unwrap();
        }
    }
}

fn press(chat: i64, id: &str, action: &Action, message: &str) -> Incoming {
    said(
        chat,
        chat,
        What::Press {
            id: id.to_string(),
            data: action.encode().unwrap(),
            under_message: true,
            message: Some(MessageId(message.to_string())),
        },
    )
}

/// The action of the button labelled `label` among `out`'s messages.
fn button(out: &[Outgoing], label: &str) -> Action {
    out.iter()
        .find_map(|o| match o {
            Outgoing::Message { buttons, .. } | Outgoing::Replace { buttons, .. } => buttons
                .iter()
                .flatten()
                .find(|b| b.label == label)
                .map(|b| b.action.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no button “{label}” in {:?}", texts(out)))
}

/// A whole check by typing, to self-care.
async fn check_to_self_care(core: &Core, chat: i64, now: u64) -> Vec<Outgoing> {
    let answers = [
        "/check",
        "no",
        "once a week",
        "2 days",
        "no",
        "no",
        "no",
        "no",
    ];
    for (i, answer) in answers.iter().enumerate() {
        handle_at(core, &format!("c{chat}:{i}"), text(chat, chat, answer), now).await;
    }
    sent(core, chat).await
}

async fn entries(core: &Core, chat: i64) -> Vec<crate::diary::Entry> {
    core.store
        .diary(chat)
        .await
        .unwrap()
        .map(|l| l.entries)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_diary_is_offered_after_an_outcome_and_logs_by_button_tag_and_words() {
    let core = core(100);
    let out = check_to_self_care(&core, ME, NOW).await;
    let all = texts(&out);
    assert!(all.iter().any(|t| t.contains("SELF-CARE")), "{all:?}");
    assert!(
        all.last().unwrap().contains("keep a twitch diary"),
        "the offer comes last: {all:?}"
    );
    let start = button(&out, "Start a diary");

    handle_at(&core, "p1", press(ME, "q1", &start, "50"), NOW).await;
    let out = sent(&core, ME).await;
    assert!(
        matches!(&out[1], Outgoing::Replace { message, buttons, .. } if message.0 == "50" && buttons.is_empty()),
        "{out:?}"
    );
    assert!(
        texts(&out)[2].contains("Your diary is on"),
        "{:?}",
        texts(&out)
    );
    assert!(core.store.group(ME).await.unwrap().diary);
    assert!(entries(&core, ME).await.is_empty(), "nothing logged yet");

    handle_at(
        &core,
        "p2",
        press(ME, "q2", &button(&out, "Twitching now"), "51"),
        NOW,
    )
    .await;
    let out = sent(&core, ME).await;
    assert!(
        texts(&out)[1].starts_with("✓ Logged: 1 episode,"),
        "{:?}",
        texts(&out)
    );
    let logged = entries(&core, ME).await;
    assert_eq!(
        (logged.len(), logged[0].count, logged[0].at_ms),
        (1, 1, NOW)
    );

    let stress = button(&out, "Stress or worry");
    assert_eq!(
        stress,
        Action::Diary(DiaryAction::Tag {
            entry: logged[0].id,
            tag: "stress".to_string()
        })
    );
    handle_at(&core, "p3", press(ME, "q3", &stress, "52"), NOW).await;
    let out = sent(&core, ME).await;
    button(&out, "✓ Stress or worry");
    assert_eq!(entries(&core, ME).await[0].tags, vec!["stress"]);

    handle_at(
        &core,
        "t1",
        text(ME, ME, "twitched 3 times this morning"),
        NOW,
    )
    .await;
    handle_at(
        &core,
        "t2",
        text(ME, ME, "/log twice yesterday, after coffee"),
        NOW,
    )
    .await;
    let out = sent(&core, ME).await;
    assert!(
        texts(&out)[0].starts_with("✓ Logged: 3 episodes,"),
        "{:?}",
        texts(&out)
    );
    let logged = entries(&core, ME).await;
    assert_eq!(logged.len(), 3);
    assert_eq!(
        (logged[0].count, logged[0].at_ms, logged[0].note.as_deref()),
        (2, NOW - DAY_MS, Some("twice yesterday, after coffee"))
    );
    assert_eq!(
        (logged[2].count, logged[2].note.as_deref()),
        (3, Some("twitched 3 times this morning"))
    );

    handle_at(&core, "d1", text(ME, ME, "/diary"), NOW).await;
    let out = sent(&core, ME).await;
    let [Outgoing::Photo { png, caption, .. }] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(png.starts_with(b"\x89PNG"));
    assert!(caption.contains("6 episodes on 2 days"), "{caption}");
}

#[tokio::test]
async fn typed_logs_are_read_in_spanish_and_russian_and_a_check_takes_answers_first() {
    let core = core(100);
    for (chat, language, log, count) in [
        (21, "es", "me ha temblado 2 veces esta mañana", 2),
        (22, "ru", "дёргалось 3 раза сегодня утром", 3),
    ] {
        handle_at(
            &core,
            &format!("{chat}a"),
            text(chat, chat, &format!("/language {language}")),
            NOW,
        )
        .await;
        handle_at(
            &core,
            &format!("{chat}b"),
            text(chat, chat, "/diary on"),
            NOW,
        )
        .await;
        handle_at(&core, &format!("{chat}c"), text(chat, chat, log), NOW).await;
        let logged = entries(&core, chat).await;
        assert_eq!(logged.len(), 1, "{language}");
        assert_eq!(logged[0].count, count, "{language}");
        // During a check, words go to the check.
        handle_at(&core, &format!("{chat}d"), text(chat, chat, "/check"), NOW).await;
        handle_at(&core, &format!("{chat}e"), text(chat, chat, log), NOW).await;
        assert_eq!(
            entries(&core, chat).await.len(),
            1,
            "{language}: no log mid-check"
        );
    }
}

#[tokio::test]
async fn a_note_naming_a_stroke_sign_is_kept_and_asked_about() {
    let core = core(100);
    handle_at(&core, "1", text(ME, ME, "/diary on"), NOW).await;
    sent(&core, ME).await;
    handle_at(
        &core,
        "2",
        text(
            ME,
            ME,
            "/log twitching, and my face is drooping on one side",
        ),
        NOW,
    )
    .await;
    let out = sent(&core, ME).await;
    let asked = texts(&out);
    assert!(
        asked.iter().any(|t| t.contains("signs of a stroke")),
        "the red-flag net asks: {asked:?}"
    );
    assert!(!asked.iter().any(|t| t.contains("Logged")), "{asked:?}");
    let logged = entries(&core, ME).await;
    assert_eq!(logged.len(), 1, "the log is kept");

    // Typed without /log too.
    handle_at(&core, "3", text(ME, ME, "yes"), NOW).await;
    let emergency = texts(&sent(&core, ME).await);
    assert!(
        emergency.iter().any(|t| t.contains("EMERGENCY")),
        "{emergency:?}"
    );
}

/// A check to self-care with a follow-up in 7 days and the diary on; then
/// logs on `days` different days; then the follow-up comes due.
async fn follow_up_after_logging(days: u64) -> (Core, Vec<String>) {
    let core = core(100);
    let out = check_to_self_care(&core, ME, NOW).await;
    handle_at(
        &core,
        "f",
        press(ME, "q1", &button(&out, "In a week"), "60"),
        NOW,
    )
    .await;
    handle_at(
        &core,
        "s",
        press(ME, "q2", &button(&out, "Start a diary"), "61"),
        NOW,
    )
    .await;
    for day in 1..=days {
        handle_at(
            &core,
            &format!("l{day}"),
            text(ME, ME, "/log"),
            NOW + day * DAY_MS,
        )
        .await;
    }
    sent(&core, ME).await;
    let due = core.store.load(ME).await.unwrap().record.unwrap().session;
    let due_ms = due.follow_up.expect("a follow-up is set").due_ms;
    let entry = NewEntry {
        key: "due".to_string(),
        chat: ME,
        not_before_ms: due_ms,
        event: Event::FollowUpDue { due_ms },
    };
    run_at(&core, vec![entry], due_ms).await;
    let said = texts(&sent(&core, ME).await);
    (core, said)
}

#[tokio::test]
async fn six_days_of_logs_bring_the_see_a_doctor_advice_before_the_follow_up_question() {
    let (core, said) = follow_up_after_logging(6).await;
    assert!(
        said[0].contains("you logged 6 episodes on 6 different days"),
        "{said:?}"
    );
    assert!(
        said[1].contains("book an appointment with your doctor"),
        "{said:?}"
    );
    assert!(
        said[2].contains("How is it now"),
        "still asked, so “worse” leads back through the emergency screen: {said:?}"
    );
    let session = core.store.load(ME).await.unwrap().record.unwrap().session;
    let record = session.follow_ups.last().unwrap();
    assert_eq!(record.logged.map(|t| (t.episodes, t.days)), Some((6, 6)));

    let (_, said) = follow_up_after_logging(2).await;
    assert!(said[0].contains("How is it now"), "asked: {said:?}");
    assert!(!said.iter().any(|t| t.contains("you logged")), "{said:?}");
}

#[tokio::test]
async fn diary_off_asks_and_deletes_and_forget_and_a_block_delete_it() {
    let core = core(100);
    handle_at(&core, "1", text(ME, ME, "/log"), NOW).await;
    assert!(
        core.store.group(ME).await.unwrap().diary,
        "/log switches it on"
    );
    handle_at(&core, "2", text(ME, ME, "/diary off"), NOW).await;
    let out = sent(&core, ME).await;
    assert!(
        texts(&out)
            .last()
            .unwrap()
            .contains("delete its 1 entry now"),
        "{:?}",
        texts(&out)
    );
    assert!(!core.store.group(ME).await.unwrap().diary);
    assert_eq!(entries(&core, ME).await.len(), 1, "kept until asked");
    handle_at(
        &core,
        "3",
        press(ME, "q", &button(&out, "Delete them now"), "70"),
        NOW,
    )
    .await;
    assert_eq!(core.store.diary(ME).await.unwrap(), None);

    handle_at(&core, "4", text(ME, ME, "/log"), NOW).await;
    handle_at(&core, "5", text(ME, ME, "/forget"), NOW).await;
    assert_eq!(core.store.diary(ME).await.unwrap(), None, "/forget");
    assert!(!core.store.group(ME).await.unwrap().diary);

    handle_at(&core, "6", text(ME, ME, "/log"), NOW).await;
    let blocked = NewEntry {
        key: "blocked".to_string(),
        chat: ME,
        not_before_ms: 0,
        event: Event::Blocked,
    };
    run_at(&core, vec![blocked], NOW).await;
    assert_eq!(core.store.diary(ME).await.unwrap(), None, "blocked");
}
