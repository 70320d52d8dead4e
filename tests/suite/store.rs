//! The store conformance suite: one generic run of the inbox, check, outbox
//! and group semantics against every backend (memory, SQLite, a real Redis),
//! so they cannot drift apart. Plus the Redis leases and shared pace, and a
//! SQLite file of the schema before versions, upgraded in place.

use std::path::{Path, PathBuf};

use nasal_twitch_bot::diary::Log;
use nasal_twitch_bot::engine::{Answer, Given, Position, Session};
use nasal_twitch_bot::message::{Action, Button, ChatKind, Incoming, MessageId, What};
use nasal_twitch_bot::store::{
    ChatRecord, CheckWrite, Checks, Commit, Committed, Diaries, DiaryWrite, Event, GroupSettings,
    GroupWrite, Groups, Inbox, Leases, MemoryStore, NewEntry, Outbox, OutboxEntry, Outgoing,
    QuestionMessage, RedisStore, Rhythm, SqliteStore, Store,
};

use crate::support::{RedisServer, wait};

const NOW: u64 = 1_700_000_000_000;
const TTL_MS: u64 = 3_600_000;

/// Where to write a check the store cannot read (memory cannot hold one).
enum Raw {
    Memory,
    Sqlite(PathBuf),
    Redis { url: String, prefix: String },
}

/// A connection of the test's own to the store's SQLite file.
fn sqlite(path: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    c
}

/// A connection of the test's own to the store's Redis.
async fn redis_connection(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// A commit that saves `record` as the check of `chat` over revision `expected`.
fn save(chat: i64, seq: u64, record: ChatRecord, expected: u64) -> Commit {
    Commit {
        check: CheckWrite::Save { record, expected },
        ttl_ms: TTL_MS,
        ..Commit::reply(chat, seq, Vec::new())
    }
}

impl Raw {
    /// Writes unreadable JSON as the check of `chat`, with revision `rev`;
    /// false when the backend cannot hold one.
    async fn write_unreadable(&self, chat: i64, rev: u64) -> bool {
        match self {
            Raw::Memory => false,
            Raw::Sqlite(path) => {
                let c = sqlite(path);
                c.execute(
                    "INSERT INTO chats (chat_id, updated_ms, record, rev) VALUES (?1, ?2, ?3, ?4)",
                    rusqlite::params![chat, NOW as i64, "{\"session\": [not json", rev as i64],
                )
                .unwrap();
                true
            }
            Raw::Redis { url, prefix } => {
                let mut c = redis_connection(url).await;
                let _: () = redis::cmd("HSET")
                    .arg(format!("{prefix}:chat:{chat}"))
                    .arg("rev")
                    .arg(rev)
                    .arg("data")
                    .arg("{\"session\": [not json")
                    .query_async(&mut c)
                    .await
                    .unwrap();
                true
            }
        }
    }
}

impl Raw {
    /// Writes an inbox and an outbox entry of `chat` that do not parse (a
    /// newer version's, or damaged); false when the backend cannot hold one.
    async fn write_unreadable_entries(&self, chat: i64) -> bool {
        match self {
            Raw::Memory => false,
            Raw::Sqlite(path) => {
                let c = sqlite(path);
                c.execute(
                    "INSERT INTO inbox (chat_id, seq, not_before, event) VALUES (?1, 999999, 0, '{\"Future\": 1}')",
                    [chat],
                )
                .unwrap();
                c.execute(
                    "INSERT INTO outbox (chat_id, seq, message) VALUES (?1, 999999, '{\"kind\": \"future\"}')",
                    [chat],
                )
                .unwrap();
                true
            }
            Raw::Redis { url, prefix } => {
                let mut c = redis_connection(url).await;
                let _: () = redis::pipe()
                    .hset(
                        format!("{prefix}:inbox:{chat}"),
                        "999999",
                        "0|{\"Future\": 1}",
                    )
                    .zadd(format!("{prefix}:inbox_chats"), chat, 0)
                    .rpush(
                        format!("{prefix}:outbox:{chat}"),
                        "999999|{\"kind\": \"future\"}",
                    )
                    .sadd(format!("{prefix}:outbox_chats"), chat)
                    .query_async(&mut c)
                    .await
                    .unwrap();
                true
            }
        }
    }
}

/// A commit may drop what waits in the chat's outbox before its own replies
/// (a flood notice), and nothing of another chat's.
async fn clearing_the_outbox<S: Inbox + Checks + Outbox>(store: &S) {
    let (c, other) = (801, 802);
    for (i, chat) in [c, c, other].into_iter().enumerate() {
        let seq = one_entry(store, &format!("clear:{i}"), chat).await;
        let done = store
            .commit(Commit::reply(chat, seq, vec![send("queued")]))
            .await;
        assert_eq!(done.unwrap(), Committed::Done);
    }
    let seq = one_entry(store, "clear:notice", c).await;
    let notice = Commit {
        clear_outbox: true,
        ..Commit::reply(c, seq, vec![send("notice")])
    };
    assert_eq!(store.commit(notice).await.unwrap(), Committed::Done);
    assert_eq!(html(&drain(store, c).await), vec!["notice".to_string()]);
    assert_eq!(html(&drain(store, other).await), vec!["queued".to_string()]);
}

/// Entries this version cannot read come out as `Unreadable`, so a chat is
/// never blocked by one, and are removed like any other.
async fn unreadable_entries<S: Inbox + Checks + Outbox>(store: &S, raw: &Raw) {
    let u = 702;
    if !raw.write_unreadable_entries(u).await {
        return;
    }
    let due = store
        .pending(u, NOW)
        .await
        .unwrap()
        .due
        .expect("the entry is due");
    assert!(matches!(due.event, Event::Unreadable), "{:?}", due.event);
    let done = store.commit(Commit::reply(u, due.seq, Vec::new())).await;
    assert_eq!(done.unwrap(), Committed::Done);
    assert!(store.pending(u, NOW).await.unwrap().due.is_none());
    let head = store.head(u).await.unwrap().expect("the entry waits");
    assert_eq!(head.outgoing, Outgoing::Unreadable);
    assert_eq!(store.ack(u, head.seq, None).await.unwrap(), None);
}

fn session(turn: u32) -> Session {
    Session {
        id: 7,
        dialogue: "nasal_twitching".to_string(),
        version: "1.0".to_string(),
        turn,
        position: Position::Asking {
            node: "frequency".to_string(),
        },
        answers: vec![Given {
            node: "red_flags".to_string(),
            answer: Answer::Option {
                value: "no".to_string(),
            },
        }],
        updated_ms: NOW,
        confirmed_sign: None,
        finished_ms: None,
        follow_up: None,
        follow_ups: Vec::new(),
        earlier: Vec::new(),
        language: "en".to_string(),
    }
}

fn record(turn: u32) -> ChatRecord {
    ChatRecord {
        session: session(turn),
    }
}

fn update(id: u32) -> Event {
    Event::Incoming(Incoming {
        chat: i64::from(id),
        kind: ChatKind::Private,
        from: None,
        as_chat: false,
        topic: None,
        what: What::Text {
            text: format!("update {id}"),
        },
    })
}

fn entry(key: &str, chat: i64, not_before_ms: u64, event: Event) -> NewEntry {
    NewEntry {
        key: key.to_string(),
        chat,
        not_before_ms,
        event,
    }
}

/// Events are compared as their stored JSON.
fn json(event: &Event) -> String {
    serde_json::to_string(event).unwrap()
}

fn send(text: &str) -> Outgoing {
    Outgoing::text(None, text.to_string())
}

fn sorted(mut chats: Vec<i64>) -> Vec<i64> {
    chats.sort_unstable();
    chats
}

/// Writes one entry for `chat` and returns its seq (it must be the chat's only due one).
async fn one_entry<S: Inbox>(store: &S, key: &str, chat: i64) -> u64 {
    let chats = store
        .receive(vec![entry(key, chat, 0, Event::FloodNotice)], NOW)
        .await
        .unwrap();
    assert_eq!(chats, vec![chat], "{key}");
    let pending = store.pending(chat, NOW).await.unwrap();
    pending.due.expect("the entry just written is due").seq
}

/// Deleting a check (/forget) takes the chat's timed entries (a follow-up
/// still to come) with it; updates waiting stay.
async fn forgetting_drops_timed_entries<S: Inbox + Checks>(store: &S) {
    let u = 7_901;
    store
        .receive(
            vec![
                entry(
                    "fu:7901:1:9",
                    u,
                    NOW + 60_000,
                    Event::FollowUpDue {
                        due_ms: NOW + 60_000,
                    },
                ),
                entry("u:7901", u, 0, Event::FloodNotice),
            ],
            NOW,
        )
        .await
        .unwrap();
    let seq = store.pending(u, NOW).await.unwrap().due.expect("due").seq;
    store
        .receive(vec![entry("u:7902", u, 0, Event::FloodNotice)], NOW)
        .await
        .unwrap();
    let forget = Commit {
        check: CheckWrite::Delete,
        ..Commit::reply(u, seq, Vec::new())
    };
    assert_eq!(store.commit(forget).await.unwrap(), Committed::Done);
    let left = store.pending(u, NOW + 120_000).await.unwrap();
    let due = left.due.expect("the later update is still there");
    assert!(matches!(due.event, Event::FloodNotice), "{:?}", due.event);
    store.discard(u, due.seq).await.unwrap();
    let left = store.pending(u, NOW + 120_000).await.unwrap();
    assert!(
        left.due.is_none() && left.later_ms.is_none(),
        "the follow-up went with the check: {left:?}"
    );
}

/// Sends (acks) everything waiting for `chat`, in order.
async fn drain<S: Outbox>(store: &S, chat: i64) -> Vec<OutboxEntry> {
    let mut sent = Vec::new();
    while let Some(head) = store.head(chat).await.unwrap() {
        assert!(sent.len() < 100, "the outbox of {chat} does not drain");
        store.ack(chat, head.seq, None).await.unwrap();
        sent.push(head);
    }
    sent
}

fn html(entries: &[OutboxEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| match &e.outgoing {
            Outgoing::Message { text, .. }
            | Outgoing::ShowAnswer { text, .. }
            | Outgoing::Replace { text, .. } => text.clone(),
            Outgoing::LegacySend(m) | Outgoing::LegacyEdit(m) => m.html.clone(),
            Outgoing::AnswerPress { press, .. } => press.clone(),
            Outgoing::Document { filename, .. } | Outgoing::Photo { filename, .. } => {
                filename.clone()
            }
            Outgoing::Unreadable => "(unreadable)".to_string(),
        })
        .collect()
}

/// The suite every backend passes.
async fn conformance<S: Inbox + Checks + Outbox + Groups + Diaries>(store: S, raw: Raw) {
    receive_is_idempotent_and_ordered(&store).await;
    timed_entries_wait(&store).await;
    commits(&store).await;
    outbox(&store).await;
    groups(&store).await;
    scheduled_entries(&store).await;
    unreadable_checks(&store, &raw).await;
    unreadable_entries(&store, &raw).await;
    clearing_the_outbox(&store).await;
    forgetting_drops_timed_entries(&store).await;
    diaries(&store).await;
}

/// A diary is written only by its entry's commit (with nothing else, or with
/// a check that conflicts: then not at all), read back whole, deleted, and
/// purged once last touched before the cutoff.
async fn diaries<S: Inbox + Checks + Diaries>(store: &S) {
    let (p, old) = (601, 602);
    assert_eq!(store.diary(p).await.unwrap(), None);
    let mut log = Log::started(NOW);
    let id = log.add(NOW - 3_600_000, 3, Some("after coffee"), NOW);
    log.toggle(id, "caffeine");
    let write = |chat: i64, seq: u64, write: DiaryWrite| Commit {
        diary: Some(write),
        now_ms: NOW,
        ..Commit::reply(chat, seq, Vec::new())
    };
    let keep_ms = 90 * 86_400_000;
    let seq = one_entry(store, "d:1", p).await;
    let saved = DiaryWrite::Save {
        log: log.clone(),
        keep_ms,
    };
    assert_eq!(
        store.commit(write(p, seq, saved.clone())).await.unwrap(),
        Committed::Done
    );
    assert_eq!(store.diary(p).await.unwrap(), Some(log.clone()));

    // A conflicting check writes nothing, the diary neither.
    let seq = one_entry(store, "d:2", p).await;
    let mut later = log.clone();
    later.add(NOW, 1, None, NOW);
    let conflicting = Commit {
        check: CheckWrite::Save {
            record: record(0),
            expected: 7,
        },
        ..write(
            p,
            seq,
            DiaryWrite::Save {
                log: later,
                keep_ms,
            },
        )
    };
    assert_eq!(
        store.commit(conflicting).await.unwrap(),
        Committed::Conflict
    );
    assert_eq!(store.diary(p).await.unwrap(), Some(log.clone()));
    store.discard(p, seq).await.unwrap();

    // One touched long ago goes at the purge (Redis expires it by itself).
    let seq = one_entry(store, "d:3", old).await;
    let ancient = DiaryWrite::Save {
        log: Log::started(NOW - keep_ms - 10),
        keep_ms,
    };
    assert_eq!(
        store.commit(write(old, seq, ancient)).await.unwrap(),
        Committed::Done
    );
    let purged = store.purge_diaries(NOW - keep_ms).await.unwrap();
    assert!(purged <= 1, "{purged}");
    assert_eq!(store.diary(old).await.unwrap(), None, "past its retention");
    assert_eq!(
        store.diary(p).await.unwrap(),
        Some(log),
        "within its retention"
    );

    let seq = one_entry(store, "d:4", p).await;
    assert_eq!(
        store
            .commit(write(p, seq, DiaryWrite::Delete))
            .await
            .unwrap(),
        Committed::Done
    );
    assert_eq!(store.diary(p).await.unwrap(), None);
}

async fn receive_is_idempotent_and_ordered<S: Inbox + Checks>(store: &S) {
    let (a, b) = (101, -100_102);
    let chats = store
        .receive(
            vec![
                entry("u:5", a, 0, update(5)),
                entry("u:5", a, 0, Event::FloodNotice),
                entry("u:6", b, 0, update(6)),
                entry("k:a2", a, 0, Event::FloodNotice),
            ],
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(
        sorted(chats),
        vec![b, a],
        "each chat that got entries, once"
    );
    let again = store
        .receive(vec![entry("u:5", a, 0, update(5))], NOW + 1_000)
        .await
        .unwrap();
    assert!(again.is_empty(), "a key seen before is not written again");
    assert!(store.receive(Vec::new(), NOW).await.unwrap().is_empty());
    let more = store
        .receive(vec![entry("k:a3", a, 0, Event::TipDue { slot: 3 })], NOW)
        .await
        .unwrap();
    assert_eq!(more, vec![a]);

    // Chat a: u:5 (the first write of the key), k:a2, k:a3, in order of arrival.
    let mut seen = Vec::new();
    let mut last_seq = 0;
    while let Some(due) = store.pending(a, NOW).await.unwrap().due {
        assert!(seen.len() < 10, "discard does not remove entries");
        assert_eq!(due.chat, a);
        assert!(
            due.seq > last_seq,
            "seq order: {} after {last_seq}",
            due.seq
        );
        last_seq = due.seq;
        seen.push(json(&due.event));
        store.discard(a, due.seq).await.unwrap();
    }
    assert_eq!(
        seen,
        vec![
            json(&update(5)),
            json(&Event::FloodNotice),
            json(&Event::TipDue { slot: 3 })
        ]
    );
    let due = store.pending(b, NOW).await.unwrap().due.expect("b's entry");
    assert_eq!(json(&due.event), json(&update(6)));
    assert!(store.chats_due(NOW).await.unwrap().contains(&b));
    assert!(!store.chats_due(NOW).await.unwrap().contains(&a));
    store.discard(b, due.seq).await.unwrap();
    store.discard(b, due.seq).await.unwrap(); // twice: nothing happens
    assert!(store.pending(b, NOW).await.unwrap().due.is_none());
    assert!(!store.chats_due(NOW).await.unwrap().contains(&b));
}

async fn timed_entries_wait<S: Inbox + Checks>(store: &S) {
    let d = 201;
    store
        .receive(
            vec![
                entry("t:d1", d, NOW + 60_000, Event::TipDue { slot: 1 }),
                entry("t:d2", d, NOW + 30_000, Event::WelcomeDue),
            ],
            NOW,
        )
        .await
        .unwrap();
    let pending = store.pending(d, NOW).await.unwrap();
    assert!(pending.due.is_none(), "nothing is due yet");
    assert_eq!(pending.later_ms, Some(NOW + 30_000));
    assert!(!store.chats_due(NOW).await.unwrap().contains(&d));
    assert!(!store.chats_due(NOW + 29_999).await.unwrap().contains(&d));
    assert!(store.chats_due(NOW + 30_000).await.unwrap().contains(&d));

    // Due by now: the oldest due entry, and when the next one falls due.
    let pending = store.pending(d, NOW + 30_000).await.unwrap();
    let due = pending.due.expect("the welcome is due");
    assert_eq!(json(&due.event), json(&Event::WelcomeDue));
    assert_eq!(due.not_before_ms, NOW + 30_000);
    assert_eq!(pending.later_ms, Some(NOW + 60_000));

    // Once both are due, the older (by seq) comes first even if due later.
    let pending = store.pending(d, NOW + 60_000).await.unwrap();
    let first = pending.due.expect("both are due");
    assert_eq!(json(&first.event), json(&Event::TipDue { slot: 1 }));
    assert_eq!(pending.later_ms, None);

    // Handling the earliest leaves the chat listed only from the next one on.
    let done = store
        .commit(Commit::reply(d, due.seq, Vec::new()))
        .await
        .unwrap();
    assert_eq!(done, Committed::Done);
    assert!(!store.chats_due(NOW + 59_999).await.unwrap().contains(&d));
    assert!(store.chats_due(NOW + 60_000).await.unwrap().contains(&d));
    store.discard(d, first.seq).await.unwrap();
    assert!(!store.chats_due(u64::MAX / 2).await.unwrap().contains(&d));
    let pending = store.pending(d, u64::MAX / 2).await.unwrap();
    assert!(pending.due.is_none() && pending.later_ms.is_none());
}

async fn commits<S: Inbox + Checks + Outbox>(store: &S) {
    let p = 301;
    assert_eq!(store.load(p).await.unwrap(), Default::default());

    // The first save: rev 1, entry gone, replies appended in order.
    let seq = one_entry(store, "c:1", p).await;
    let first = Commit {
        chat: p,
        seq,
        check: CheckWrite::Save {
            record: record(0),
            expected: 0,
        },
        group: None,
        clear_outbox: false,
        outgoing: vec![
            Outgoing::Message {
                topic: None,
                text: "<b>one</b> &amp; 🤔".to_string(),
                buttons: vec![vec![
                    Button::new("No", Action::Begin),
                    Button::new("Open", Action::OpenPrivateCheck),
                ]],
                question_turn: Some(0),
            },
            Outgoing::AnswerPress {
                press: "two".to_string(),
                notice: None,
            },
            Outgoing::ShowAnswer {
                turn: 0,
                text: "three".to_string(),
            },
        ],
        schedule: Vec::new(),
        ttl_ms: TTL_MS,
        now_ms: NOW,
        diary: None,
    };
    assert_eq!(store.commit(first.clone()).await.unwrap(), Committed::Done);
    let loaded = store.load(p).await.unwrap();
    assert_eq!(loaded.record, Some(record(0)));
    assert_eq!(loaded.rev, 1);
    assert!(!loaded.unreadable);
    assert!(store.pending(p, NOW).await.unwrap().due.is_none());
    assert!(store.chats_waiting().await.unwrap().contains(&p));

    // The same entry again (another replica): nothing written.
    let mut again = first.clone();
    again.check = CheckWrite::Save {
        record: record(9),
        expected: 1,
    };
    assert_eq!(
        store.commit(again).await.unwrap(),
        Committed::AlreadyHandled
    );
    assert_eq!(store.load(p).await.unwrap().rev, 1);

    // A stale revision: conflict, nothing written, the entry stays.
    let seq = one_entry(store, "c:2", p).await;
    let stale = Commit {
        chat: p,
        seq,
        check: CheckWrite::Save {
            record: record(1),
            expected: 0,
        },
        group: Some(GroupWrite::Save(GroupSettings {
            welcome: true,
            ..GroupSettings::default()
        })),
        clear_outbox: false,
        outgoing: vec![send("never")],
        schedule: vec![entry("c:never", p, 0, Event::FloodNotice)],
        ttl_ms: TTL_MS,
        now_ms: NOW,
        diary: None,
    };
    assert_eq!(
        store.commit(stale.clone()).await.unwrap(),
        Committed::Conflict
    );
    let mut newer = stale.clone();
    newer.check = CheckWrite::Save {
        record: record(1),
        expected: 5,
    };
    assert_eq!(store.commit(newer).await.unwrap(), Committed::Conflict);
    let loaded = store.load(p).await.unwrap();
    assert_eq!((loaded.record, loaded.rev), (Some(record(0)), 1));
    let pending = store.pending(p, NOW).await.unwrap();
    assert_eq!(pending.due.map(|e| e.seq), Some(seq), "the entry stays");

    // The outbox holds the first commit's replies only, in order, with rising seqs.
    let head = store.head(p).await.unwrap().expect("replies wait");
    assert_eq!(head.chat, p);
    assert_eq!(head.outgoing, first.outgoing[0]);
    store
        .ack(
            p,
            head.seq,
            Some(QuestionMessage {
                message_id: MessageId("$event41:localhost".to_string()),
                turn: 0,
            }),
        )
        .await
        .unwrap();
    assert_eq!(
        store.question_message(p).await.unwrap(),
        Some(QuestionMessage {
            message_id: MessageId("$event41:localhost".to_string()),
            turn: 0
        })
    );
    let rest = drain(store, p).await;
    assert_eq!(
        rest.iter().map(|e| e.outgoing.clone()).collect::<Vec<_>>(),
        first.outgoing[1..].to_vec()
    );
    assert!(head.seq < rest[0].seq && rest[0].seq < rest[1].seq);
    assert!(!store.chats_waiting().await.unwrap().contains(&p));

    // Retried with the revision read again: written (with the scheduled entry).
    let mut retry = stale;
    retry.check = CheckWrite::Save {
        record: record(1),
        expected: 1,
    };
    retry.group = None;
    assert_eq!(store.commit(retry).await.unwrap(), Committed::Done);
    let loaded = store.load(p).await.unwrap();
    assert_eq!((loaded.record, loaded.rev), (Some(record(1)), 2));
    assert_eq!(html(&drain(store, p).await), vec!["never".to_string()]);
    let due = store.pending(p, NOW).await.unwrap().due.expect("scheduled");
    assert_eq!(json(&due.event), json(&Event::FloodNotice));

    // Delete: the check and the question message go.
    let delete = Commit {
        check: CheckWrite::Delete,
        ..Commit::reply(p, due.seq, vec![send("forgotten")])
    };
    assert_eq!(store.commit(delete).await.unwrap(), Committed::Done);
    assert_eq!(store.load(p).await.unwrap(), Default::default());
    assert_eq!(store.question_message(p).await.unwrap(), None);
    assert_eq!(html(&drain(store, p).await), vec!["forgotten".to_string()]);

    // A new check after a delete starts at rev 1 again.
    let seq = one_entry(store, "c:3", p).await;
    let fresh = save(p, seq, record(2), 0);
    assert_eq!(store.commit(fresh).await.unwrap(), Committed::Done);
    assert_eq!(store.load(p).await.unwrap().rev, 1);
    assert!(store.head(p).await.unwrap().is_none());
}

async fn outbox<S: Inbox + Checks + Outbox>(store: &S) {
    let (q, r) = (401, 402);
    for (chat, texts) in [(q, vec!["q1", "q2", "q3"]), (r, vec!["r1"])] {
        let seq = one_entry(store, &format!("o:{chat}"), chat).await;
        let outgoing = texts.iter().map(|t| send(t)).collect();
        let done = store.commit(Commit::reply(chat, seq, outgoing)).await;
        assert_eq!(done.unwrap(), Committed::Done);
    }
    let waiting = store.chats_waiting().await.unwrap();
    assert!(waiting.contains(&q) && waiting.contains(&r), "{waiting:?}");

    // An ack of something not waiting changes nothing.
    let head = store.head(q).await.unwrap().unwrap();
    let still = store.ack(q, head.seq + 1_000_000, None).await.unwrap();
    assert_eq!(
        still,
        Some(head.clone()),
        "ack returns the chat's next entry"
    );
    assert_eq!(store.head(q).await.unwrap(), Some(head.clone()));
    assert_eq!(store.question_message(q).await.unwrap(), None);

    // The head, sent with a question: recorded; later questions replace it.
    let question = QuestionMessage {
        message_id: MessageId("9".to_string()),
        turn: 2,
    };
    let after = store
        .ack(q, head.seq, Some(question.clone()))
        .await
        .unwrap();
    assert_eq!(store.question_message(q).await.unwrap(), Some(question));
    let next = store.head(q).await.unwrap().unwrap();
    assert_eq!(
        after,
        Some(next.clone()),
        "ack returns the chat's next entry"
    );
    assert_eq!(html(std::slice::from_ref(&next)), vec!["q2".to_string()]);
    let later = QuestionMessage {
        message_id: MessageId("10".to_string()),
        turn: 3,
    };
    store.ack(q, next.seq, Some(later.clone())).await.unwrap();
    assert_eq!(
        store.question_message(q).await.unwrap(),
        Some(later.clone())
    );
    store.ack(q, next.seq, None).await.unwrap(); // twice: nothing happens
    let last = store.head(q).await.unwrap().unwrap();
    assert_eq!(
        store.ack(q, last.seq, None).await.unwrap(),
        None,
        "then none"
    );
    assert_eq!(html(&[last]), vec!["q3".to_string()]);
    assert_eq!(store.question_message(q).await.unwrap(), Some(later));
    assert!(!store.chats_waiting().await.unwrap().contains(&q));

    // A chat that blocked the bot: everything waiting goes.
    assert_eq!(store.drop_chat(r).await.unwrap(), 1);
    assert_eq!(store.drop_chat(r).await.unwrap(), 0);
    assert!(store.head(r).await.unwrap().is_none());
    assert!(!store.chats_waiting().await.unwrap().contains(&r));
    let seq = one_entry(store, "o:r2", r).await;
    let done = store
        .commit(Commit::reply(r, seq, vec![send("a"), send("b")]))
        .await;
    assert_eq!(done.unwrap(), Committed::Done);
    assert_eq!(store.drop_chat(r).await.unwrap(), 2);
    assert!(store.head(r).await.unwrap().is_none());
    assert!(!store.chats_waiting().await.unwrap().contains(&r));
}

async fn groups<S: Inbox + Checks + Outbox + Groups>(store: &S) {
    let (g, moved, other) = (-501, -100_501, -502);
    assert_eq!(store.group(g).await.unwrap(), GroupSettings::default());
    let settings = GroupSettings {
        welcome: true,
        tips: Some(Rhythm::Daily),
        topic: Some(4),
        last_tip_slot: Some(19_000),
        tips_posted: 3,
        waiting: vec!["Ann".to_string()],
        welcome_due_ms: Some(NOW),
        language: Some("es".to_string()),
        diary: true,
    };
    let group_commit = |seq: u64, chat: i64, write: GroupWrite| Commit {
        group: Some(write),
        ..Commit::reply(chat, seq, Vec::new())
    };

    let seq = one_entry(store, "g:1", g).await;
    let done = store.commit(group_commit(seq, g, GroupWrite::Save(settings.clone())));
    assert_eq!(done.await.unwrap(), Committed::Done);
    assert_eq!(store.group(g).await.unwrap(), settings);
    assert!(
        store
            .groups_with_tips()
            .await
            .unwrap()
            .contains(&(g, settings.clone()))
    );

    // Settings without tips are kept but not listed with tips.
    let quiet = GroupSettings {
        welcome: true,
        ..GroupSettings::default()
    };
    store.save_group(other, &quiet).await.unwrap();
    assert_eq!(store.group(other).await.unwrap(), quiet);
    assert!(
        store
            .groups_with_tips()
            .await
            .unwrap()
            .iter()
            .all(|(c, _)| *c != other)
    );

    // The group became a supergroup: its settings move.
    let seq = one_entry(store, "g:2", g).await;
    let done = store.commit(group_commit(seq, g, GroupWrite::Move { to: moved }));
    assert_eq!(done.await.unwrap(), Committed::Done);
    assert_eq!(store.group(moved).await.unwrap(), settings);
    assert_eq!(store.group(g).await.unwrap(), GroupSettings::default());
    let with_tips = store.groups_with_tips().await.unwrap();
    assert!(
        with_tips.contains(&(moved, settings.clone())),
        "{with_tips:?}"
    );
    assert!(with_tips.iter().all(|(c, _)| *c != g), "{with_tips:?}");

    // A group without settings moves to the defaults.
    let seq = one_entry(store, "g:3", g).await;
    let done = store.commit(group_commit(seq, g, GroupWrite::Move { to: -100_777 }));
    assert_eq!(done.await.unwrap(), Committed::Done);
    assert_eq!(
        store.group(-100_777).await.unwrap(),
        GroupSettings::default()
    );

    // The bot was removed: the settings go.
    let seq = one_entry(store, "g:4", moved).await;
    let done = store.commit(group_commit(seq, moved, GroupWrite::Delete));
    assert_eq!(done.await.unwrap(), Committed::Done);
    assert_eq!(store.group(moved).await.unwrap(), GroupSettings::default());
    assert!(
        store
            .groups_with_tips()
            .await
            .unwrap()
            .iter()
            .all(|(c, _)| *c != moved)
    );
    assert_eq!(
        store.group(other).await.unwrap(),
        quiet,
        "other groups stay"
    );
}

async fn scheduled_entries<S: Inbox + Checks + Outbox>(store: &S) {
    let (g, h) = (-601, -602);
    let seq = one_entry(store, "s:0", g).await;
    let commit = Commit {
        schedule: vec![
            entry("tip:-601:7", g, NOW + 5_000, Event::TipDue { slot: 7 }),
            entry("tip:-601:7", g, NOW + 5_000, Event::TipDue { slot: 7 }),
            entry("welcome:-602", h, 0, Event::WelcomeDue),
        ],
        now_ms: NOW,
        ..Commit::reply(g, seq, Vec::new())
    };
    assert_eq!(store.commit(commit.clone()).await.unwrap(), Committed::Done);
    let pending = store.pending(g, NOW).await.unwrap();
    assert!(pending.due.is_none());
    assert_eq!(pending.later_ms, Some(NOW + 5_000));
    let tip = store.pending(g, NOW + 5_000).await.unwrap().due.unwrap();
    assert_eq!(json(&tip.event), json(&Event::TipDue { slot: 7 }));
    assert!(store.chats_due(NOW).await.unwrap().contains(&h));
    let welcome = store.pending(h, NOW).await.unwrap().due.unwrap();
    assert_eq!(json(&welcome.event), json(&Event::WelcomeDue));

    // The same keys again, from another commit or a receive: not written.
    let seq = one_entry(store, "s:1", g).await;
    let again = Commit { seq, ..commit };
    assert_eq!(store.commit(again).await.unwrap(), Committed::Done);
    let twice = store
        .receive(
            vec![entry("tip:-601:7", g, 0, Event::TipDue { slot: 7 })],
            NOW,
        )
        .await
        .unwrap();
    assert!(twice.is_empty());
    store.discard(g, tip.seq).await.unwrap();
    store.discard(h, welcome.seq).await.unwrap();
    let left = store.pending(g, u64::MAX / 2).await.unwrap();
    assert!(
        left.due.is_none() && left.later_ms.is_none(),
        "one tip only"
    );
    assert!(
        store.pending(h, NOW).await.unwrap().due.is_none(),
        "one welcome only"
    );
}

async fn unreadable_checks<S: Inbox + Checks + Outbox>(store: &S, raw: &Raw) {
    let u = 701;
    if !raw.write_unreadable(u, 3).await {
        return;
    }
    let loaded = store.load(u).await.unwrap();
    assert_eq!(loaded.record, None);
    assert_eq!(loaded.rev, 3);
    assert!(loaded.unreadable);

    // A commit from scratch (rev 0) conflicts; one naming rev 3 replaces it.
    let seq = one_entry(store, "x:1", u).await;
    let scratch = save(u, seq, record(0), 0);
    assert_eq!(
        store.commit(scratch.clone()).await.unwrap(),
        Committed::Conflict
    );
    let replace = Commit {
        check: CheckWrite::Save {
            record: record(0),
            expected: 3,
        },
        ..scratch
    };
    assert_eq!(store.commit(replace).await.unwrap(), Committed::Done);
    let loaded = store.load(u).await.unwrap();
    assert_eq!(loaded.record, Some(record(0)));
    assert_eq!(loaded.rev, 4);
    assert!(!loaded.unreadable);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_memory_store_conforms() {
    conformance(MemoryStore::default(), Raw::Memory).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("bot.sqlite3");
    let store = SqliteStore::open(&path).unwrap();
    conformance(store, Raw::Sqlite(path)).await;
}

/// Sequence numbers go on after a restart, even when every entry was
/// handled and the tables are empty: Matrix transaction ids are made from
/// them, and a homeserver takes a reused one for a retry of the earlier
/// message and drops the new one.
#[tokio::test(flavor = "multi_thread")]
async fn sequence_numbers_never_repeat_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bot.sqlite3");
    let handled = |seq| save(7, seq, record(1), 0);
    let before = {
        let store = SqliteStore::open(&path).unwrap();
        let seq = one_entry(&store, "before", 7).await;
        assert_eq!(store.commit(handled(seq)).await.unwrap(), Committed::Done);
        seq
    };
    let store = SqliteStore::open(&path).unwrap();
    let after = one_entry(&store, "after", 7).await;
    assert!(after > before, "SQLite: {after} after {before}");

    let before = one_entry(&MemoryStore::default(), "before", 7).await;
    std::thread::sleep(std::time::Duration::from_millis(2));
    let after = one_entry(&MemoryStore::default(), "after", 7).await;
    assert!(after > before, "memory: {after} after {before}");

    let server = RedisServer::start().await;
    let before = {
        let store = RedisStore::open(&server.url(), "seq").await.unwrap();
        let seq = one_entry(&store, "before", 7).await;
        assert_eq!(store.commit(handled(seq)).await.unwrap(), Committed::Done);
        seq
    };
    let store = RedisStore::open(&server.url(), "seq").await.unwrap();
    let after = one_entry(&store, "after", 7).await;
    assert!(after > before, "Redis: {after} after {before}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_redis_store_conforms() {
    let server = RedisServer::start().await;
    let store = RedisStore::open(&server.url(), "conf").await.unwrap();
    conformance(
        store,
        Raw::Redis {
            url: server.url(),
            prefix: "conf".to_string(),
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_leases_and_the_shared_pace() {
    let server = RedisServer::start().await;
    let store = Store::Redis(RedisStore::open(&server.url(), "lease").await.unwrap());
    let other = Store::Redis(RedisStore::open(&server.url(), "lease").await.unwrap());
    assert!(store.shared());

    assert!(store.claim("in", 5, "a", 60_000).await.unwrap());
    assert!(
        !other.claim("in", 5, "b", 60_000).await.unwrap(),
        "held by a"
    );
    assert!(
        other.claim("out", 5, "b", 60_000).await.unwrap(),
        "lanes are apart"
    );
    assert!(
        other.claim("in", 6, "b", 60_000).await.unwrap(),
        "chats are apart"
    );
    assert!(store.claim("in", 5, "a", 60_000).await.unwrap(), "renewed");
    other.release("in", 5, "b").await.unwrap();
    assert!(
        !other.claim("in", 5, "b", 60_000).await.unwrap(),
        "b cannot release a's claim"
    );
    store.release("in", 5, "a").await.unwrap();
    assert!(other.claim("in", 5, "b", 60_000).await.unwrap());

    // A claim lapses after its ttl.
    assert!(store.claim("in", 7, "a", 50).await.unwrap());
    // Timed on purpose: outliving the 50 ms ttl is the point (just past it).
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    assert!(other.claim("in", 7, "b", 60_000).await.unwrap());

    // 10 a second, bursts of 3, shared by both.
    let mut waits = Vec::new();
    for n in 0..6 {
        let who = if n % 2 == 0 { &store } else { &other };
        waits.push(who.reserve_global(NOW, 10, 3).await.unwrap().unwrap());
    }
    assert_eq!(waits, vec![0, 0, 0, 100, 200, 300]);
    // Later, the budget is back to the full burst.
    let later = NOW + 10_000;
    assert_eq!(store.reserve_global(later, 10, 3).await.unwrap(), Some(0));
    assert_eq!(
        store.reserve_global(later + 100, 10, 3).await.unwrap(),
        Some(0)
    );

    // Other stores do not share a budget.
    assert_eq!(
        Store::Memory(MemoryStore::default())
            .reserve_global(NOW, 10, 3)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redis_checks_and_their_question_expire_together() {
    let server = RedisServer::start().await;
    let store = RedisStore::open(&server.url(), "ttl").await.unwrap();
    let mut c = redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let chat = 801;
    let seq = one_entry(&store, "u:801", chat).await;
    let commit = Commit {
        check: CheckWrite::Save {
            record: record(0),
            expected: 0,
        },
        ttl_ms: 60_000,
        ..Commit::reply(chat, seq, vec![send("question")])
    };
    assert_eq!(store.commit(commit).await.unwrap(), Committed::Done);
    let head = store.head(chat).await.unwrap().unwrap();
    let question = QuestionMessage {
        message_id: MessageId("5".to_string()),
        turn: 0,
    };
    store.ack(chat, head.seq, Some(question)).await.unwrap();
    for key in ["ttl:chat:801", "ttl:question:801"] {
        let ttl: i64 = redis::cmd("PTTL")
            .arg(key)
            .query_async(&mut c)
            .await
            .unwrap();
        assert!(0 < ttl && ttl <= 60_000, "{key}: {ttl}");
    }
    let ttl: i64 = redis::cmd("PTTL")
        .arg("ttl:seen:u:801")
        .query_async(&mut c)
        .await
        .unwrap();
    assert!(ttl > 60_000, "remembered keys expire after a day: {ttl}");

    // A save sets both expiries: an expired check takes its question along.
    let _: () = redis::cmd("PEXPIRE")
        .arg("ttl:chat:801")
        .arg(1)
        .query_async(&mut c)
        .await
        .unwrap();
    let seq = one_entry(&store, "u:802", chat).await;
    let renew = Commit {
        check: CheckWrite::Save {
            record: record(1),
            expected: 1,
        },
        ttl_ms: 10,
        ..Commit::reply(chat, seq, Vec::new())
    };
    wait::until(
        std::time::Duration::from_secs(5),
        "the check's 1 ms expiry in Redis",
        || {
            let mut c = c.clone();
            async move {
                let left: i64 = redis::cmd("EXISTS")
                    .arg("ttl:chat:801")
                    .query_async(&mut c)
                    .await
                    .unwrap();
                left == 0
            }
        },
    )
    .await;
    assert_eq!(
        store.commit(renew).await.unwrap(),
        Committed::Conflict,
        "expired"
    );
    let seq = store.pending(chat, NOW).await.unwrap().due.unwrap().seq;
    let shortly = Commit {
        check: CheckWrite::Save {
            record: record(1),
            expected: 0,
        },
        ttl_ms: 10,
        ..Commit::reply(chat, seq, Vec::new())
    };
    assert_eq!(store.commit(shortly).await.unwrap(), Committed::Done);
    wait::until(
        std::time::Duration::from_secs(5),
        "the check's 10 ms expiry",
        || async { store.load(chat).await.unwrap() == Default::default() },
    )
    .await;
    assert_eq!(store.question_message(chat).await.unwrap(), None);
}

/// The schema of the version before the inbox (migration 1), as it was created.
const OLD_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS chats (
         chat_id    INTEGER PRIMARY KEY,
         updated_ms INTEGER NOT NULL,
         record     TEXT NOT NULL,
         rev        INTEGER NOT NULL DEFAULT 1
     );
     CREATE TABLE IF NOT EXISTS tip_slots (
         chat_id INTEGER NOT NULL,
         slot    INTEGER NOT NULL,
         PRIMARY KEY (chat_id, slot)
     );
     CREATE INDEX IF NOT EXISTS chats_updated ON chats (updated_ms);
     CREATE TABLE IF NOT EXISTS groups (
         chat_id  INTEGER PRIMARY KEY,
         settings TEXT NOT NULL
     );";

fn user_version(path: &Path) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_old_database_upgrades_in_place_and_keeps_its_checks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    let old = session(3);
    let group = GroupSettings {
        tips: Some(Rhythm::Weekly),
        ..GroupSettings::default()
    };
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(OLD_SCHEMA).unwrap();
        let record = serde_json::json!({
            "session": old,
            "question_message": {"message_id": 77, "turn": 3},
            "last_update": 9,
            "recent_updates": [9],
            "delivered": true,
        });
        c.execute(
            "INSERT INTO chats (chat_id, updated_ms, record, rev) VALUES (?1, ?2, ?3, 2)",
            rusqlite::params![4242, NOW as i64, record.to_string()],
        )
        .unwrap();
        let no_question = serde_json::json!({"session": session(0), "question_message": null});
        c.execute(
            "INSERT INTO chats (chat_id, updated_ms, record) VALUES (?1, ?2, ?3)",
            rusqlite::params![4243, NOW as i64, no_question.to_string()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO tip_slots (chat_id, slot) VALUES (-4242, 19000)",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO groups (chat_id, settings) VALUES (?1, ?2)",
            rusqlite::params![-4242, serde_json::to_string(&group).unwrap()],
        )
        .unwrap();
    }
    assert_eq!(user_version(&path), 0);

    let store = SqliteStore::open(&path).unwrap();
    let loaded = store.load(4242).await.unwrap();
    assert_eq!(loaded.record.map(|r| r.session), Some(old));
    assert_eq!(loaded.rev, 2);
    assert!(!loaded.unreadable);
    assert_eq!(
        store.question_message(4242).await.unwrap(),
        Some(QuestionMessage {
            message_id: MessageId("77".to_string()),
            turn: 3
        })
    );
    assert_eq!(
        store.load(4243).await.unwrap().record.map(|r| r.session),
        Some(session(0))
    );
    assert_eq!(store.question_message(4243).await.unwrap(), None);
    assert_eq!(store.group(-4242).await.unwrap(), group);
    assert_eq!(user_version(&path), 3);
    drop(store);

    // Opening it again changes nothing.
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.load(4242).await.unwrap().rev, 2);
    assert_eq!(user_version(&path), 3);
}
