//! The core without HTTP: events in, stored state and outbox entries out,
//! on the memory store with the shipped dialogue and a platform that only
//! answers admin checks.

use std::path::PathBuf;
use std::time::Duration;

use super::*;
use crate::config::{Config, Secret, Storage};
use crate::message::{MessageId, Outgoing, Person, Setting};
use crate::store::{Checks, Inbox, MemoryStore, Outbox};

const NOW: u64 = 1_800_000_000_000;
const GROUP: i64 = -100_500;
const ADMIN: i64 = 77;
const MEMBER: i64 = 78;

/// A platform whose only admin is [`ADMIN`].
struct Fake;

impl Platform for Fake {
    async fn is_admin(&self, _chat: i64, person: i64) -> Result<bool, PlatformError> {
        Ok(person == ADMIN)
    }

    async fn upgrade(&self, _raw: &RawValue) -> Option<Incoming> {
        None
    }
}

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn core(flood_limit: u32) -> Core {
    let config = Config {
        token: Some(Secret::new("1:x")),
        matrix: None,
        api_url: None,
        dialogues: repo("dialogues"),
        locales: repo("locales"),
        dialogue: None,
        storage: Storage::Memory,
        session_ttl: Duration::from_secs(3600),
        follow_up_after: None,
        welcome_delay: Duration::from_millis(10),
        http_timeout: Duration::from_secs(5),
        redis_prefix: "test".to_string(),
        webhook: None,
        throttle: false,
        send_retry_window: Duration::from_secs(60),
        flood_limit,
    };
    let scripts =
        crate::script::load_checked(std::slice::from_ref(&config.dialogues), &config.locales)
            .expect("shipped dialogue loads");
    let dialogue = crate::script::select(scripts, None).expect("one dialogue");
    Core::new(dialogue, Store::Memory(MemoryStore::default()), &config)
}

fn said(chat: i64, from: i64, what: What) -> Incoming {
    Incoming {
        chat,
        kind: if chat < 0 {
            ChatKind::Group
        } else {
            ChatKind::Private
        },
        from: Some(Person {
            id: from,
            language: None,
        }),
        as_chat: false,
        topic: None,
        what,
    }
}

fn text(chat: i64, from: i64, text: &str) -> Incoming {
    said(
        chat,
        from,
        What::Text {
            text: text.to_string(),
        },
    )
}

/// Takes `incoming` through intake and handling, as the runtime does.
async fn handle(core: &Core, key: &str, incoming: Incoming) {
    let entry = core.intake(key.to_string(), incoming, NOW);
    handle_entries(core, entry.into_iter().collect()).await;
}

async fn handle_entries(core: &Core, entries: Vec<NewEntry>) {
    let chats = core.store.receive(entries, NOW).await.unwrap();
    for chat in chats {
        while let Some(entry) = core.store.pending(chat, NOW).await.unwrap().due {
            core.handle(&Fake, entry, NOW).await.unwrap();
        }
    }
}

/// Everything waiting in `chat`'s outbox, taken out.
async fn sent(core: &Core, chat: i64) -> Vec<Outgoing> {
    let mut out = Vec::new();
    let mut head = core.store.head(chat).await.unwrap();
    while let Some(entry) = head {
        out.push(entry.outgoing);
        head = core.store.ack(chat, entry.seq, None).await.unwrap();
    }
    out
}

fn texts(sent: &[Outgoing]) -> Vec<String> {
    sent.iter()
        .map(|o| match o {
            Outgoing::Message { text, .. } | Outgoing::Replace { text, .. } => text.clone(),
            Outgoing::ShowAnswer { text, .. } => format!("(answer) {text}"),
            Outgoing::AnswerPress { notice, .. } => {
                format!("(press) {}", notice.clone().unwrap_or_default())
            }
            Outgoing::Document { filename, .. } => format!("(file) {filename}"),
            other => format!("{other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn forget_deletes_the_check_the_language_and_what_waits_to_be_sent() {
    let core = core(30);
    handle(&core, "1", text(5, 5, "/language es")).await;
    handle(&core, "2", text(5, 5, "/check")).await;
    assert!(core.store.load(5).await.unwrap().record.is_some());
    assert_eq!(
        core.store.group(5).await.unwrap().language.as_deref(),
        Some("es")
    );
    handle(&core, "3", text(5, 5, "/forget")).await;
    let out = sent(&core, 5).await;
    assert_eq!(
        out.len(),
        1,
        "only the confirmation is left: {:?}",
        texts(&out)
    );
    assert!(texts(&out)[0].contains("borrado"), "{:?}", texts(&out));
    assert!(core.store.load(5).await.unwrap().record.is_none());
    assert_eq!(core.store.group(5).await.unwrap().language, None);
}

#[tokio::test]
async fn a_person_who_blocked_the_bot_leaves_no_language_behind() {
    let core = core(30);
    handle(&core, "1", text(6, 6, "/language ru")).await;
    assert!(core.store.group(6).await.unwrap().language.is_some());
    let blocked = NewEntry {
        key: "blocked:6".to_string(),
        chat: 6,
        not_before_ms: 0,
        event: Event::Blocked,
    };
    handle_entries(&core, vec![blocked]).await;
    assert_eq!(core.store.group(6).await.unwrap().language, None);
}

#[tokio::test]
async fn settings_are_for_admins_and_a_press_changes_them() {
    let core = core(30);
    handle(&core, "1", text(GROUP, MEMBER, "/settings")).await;
    let refused = texts(&sent(&core, GROUP).await);
    assert_eq!(refused.len(), 1);
    assert!(refused[0].contains("admin"), "{refused:?}");

    handle(&core, "2", text(GROUP, ADMIN, "/settings")).await;
    let shown = sent(&core, GROUP).await;
    let Outgoing::Message { buttons, .. } = &shown[0] else {
        panic!("{shown:?}")
    };
    let daily = buttons
        .iter()
        .flatten()
        .find(|b| b.action == Action::Setting(Setting::TipsDaily))
        .expect("a daily tips button");
    let press = |from: i64, id: &str| {
        said(
            GROUP,
            from,
            What::Press {
                id: id.to_string(),
                data: daily.action.encode().unwrap(),
                under_message: true,
                message: Some(MessageId("42".to_string())),
            },
        )
    };
    handle(&core, "3", press(MEMBER, "p1")).await;
    let out = sent(&core, GROUP).await;
    assert!(
        matches!(
            &out[..],
            [Outgoing::AnswerPress {
                notice: Some(_),
                ..
            }]
        ),
        "{out:?}"
    );
    assert_eq!(
        core.store.group(GROUP).await.unwrap().tips,
        None,
        "a member changes nothing"
    );

    handle(&core, "4", press(ADMIN, "p2")).await;
    let out = sent(&core, GROUP).await;
    assert!(
        matches!(
            &out[..],
            [
                Outgoing::AnswerPress { .. },
                Outgoing::Replace { message, .. }
            ] if message.0 == "42"
        ),
        "{out:?}"
    );
    assert_eq!(
        core.store.group(GROUP).await.unwrap().tips,
        Some(crate::store::Rhythm::Daily)
    );
}

#[tokio::test]
async fn a_group_is_never_asked_a_health_question() {
    let core = core(30);
    handle(&core, "1", text(GROUP, MEMBER, "/check")).await;
    handle(&core, "2", text(GROUP, MEMBER, "/summary")).await;
    handle(&core, "3", text(GROUP, MEMBER, "my face is drooping")).await;
    let out = sent(&core, GROUP).await;
    assert_eq!(out.len(), 2, "{:?}", texts(&out));
    for reply in &out {
        let Outgoing::Message { buttons, .. } = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(buttons[0][0].action, Action::OpenPrivateCheck);
    }
    assert!(core.store.load(GROUP).await.unwrap().record.is_none());
}

#[tokio::test]
async fn a_flooding_person_is_told_once_and_a_flooding_member_never() {
    let core = core(3);
    let entries: Vec<_> = (0..6)
        .filter_map(|i| core.intake(format!("p{i}"), text(9, 9, "hello"), NOW))
        .collect();
    let notices = entries
        .iter()
        .filter(|e| matches!(e.event, Event::FloodNotice))
        .count();
    assert_eq!((entries.len(), notices), (4, 1));
    let in_group: Vec<_> = (0..6)
        .filter_map(|i| core.intake(format!("g{i}"), text(GROUP, 9, "hi"), NOW))
        .collect();
    assert_eq!(in_group.len(), 3, "no notice to a whole group");
    assert!(
        in_group
            .iter()
            .all(|e| matches!(e.event, Event::Incoming(_)))
    );
}

#[tokio::test]
async fn a_press_on_an_old_question_changes_nothing() {
    let core = core(30);
    handle(&core, "1", text(7, 7, "/check")).await;
    let asked = sent(&core, 7).await;
    let before = core.store.load(7).await.unwrap().record;
    let stale = said(
        7,
        7,
        What::Press {
            id: "p".to_string(),
            data: "a:1:9:red_flags:no".to_string(),
            under_message: true,
            message: Some(MessageId("1".to_string())),
        },
    );
    handle(&core, "2", stale).await;
    let out = sent(&core, 7).await;
    assert!(
        matches!(
            &out[0],
            Outgoing::AnswerPress {
                notice: Some(_),
                ..
            }
        ),
        "{out:?}"
    );
    assert_eq!(
        core.store
            .load(7)
            .await
            .unwrap()
            .record
            .map(|r| r.session.answers),
        before.map(|r| r.session.answers)
    );
    assert!(!asked.is_empty());
}

mod diary;
