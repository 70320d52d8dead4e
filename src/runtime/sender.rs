//! The outbox lane: each chat's replies go out in order through the
//! platform's [`Edge`], paced to its limits (see [`super::pacing`]), and
//! leave the outbox only once the platform accepted them. Passing failures
//! (network errors, 5xx) are tried again with a growing, jittered pause,
//! starting at a quarter second, for as long as `BOT_SEND_RETRY_WINDOW`
//! (hours by default); a "wait" waits what the platform asks; a chat that
//! blocked the bot has its queue dropped and is forgotten; an edit of a
//! message that is gone is skipped.
//!
//! The one duplicate possible: a message the platform accepted just before
//! a crash (or whose answer was lost) is sent again, since it was still in
//! the outbox.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lanes::{Job, Next};
use super::{Edge, Shared, now_ms};
use crate::logging::chat as shown;
use crate::message::Outgoing;
use crate::store::{Event, Inbox, Leases, NewEntry, Outbox, OutboxEntry, QuestionMessage};

/// The first pause after a passing failure.
const FIRST_PAUSE: Duration = Duration::from_millis(250);
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(30);
/// Question messages remembered in memory (the store has them all).
const QUESTIONS_KEPT: usize = 10_000;

/// What a failed delivery calls for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// May pass: network trouble, a 5xx, an unreadable answer. Try again later.
    Transient(String),
    /// The platform asked to wait this long.
    RetryAfter(Duration),
    /// The chat blocked the bot, left, or no longer exists.
    Gone,
    /// The message to edit (or the press to answer) is gone or too old: skip it.
    Stale,
    /// The edit changed nothing: an earlier attempt got through.
    NotModified,
    /// The platform refused the request itself; trying again will not help.
    Rejected(String),
}

/// Sends outbox entries.
pub struct Sender<E> {
    shared: Arc<Shared<E>>,
    /// The entry each failing chat is retrying: its seq, first failure, attempts.
    retries: Mutex<HashMap<i64, Retry>>,
    /// The next entry of each chat, as the last acknowledgement returned it
    /// (saves reading it again); kept only while the chat's lane runs.
    next: Mutex<HashMap<i64, OutboxEntry>>,
    /// The question message each chat showed last, as this sender sent it.
    questions: Mutex<HashMap<i64, QuestionMessage>>,
}

#[derive(Debug, Clone, Copy)]
struct Retry {
    seq: u64,
    since_ms: u64,
    attempts: u32,
    /// Not tried again before this time.
    next_ms: u64,
    /// Whether the platform asked for the wait (honoured to the end).
    asked: bool,
}

impl<E: Edge> Sender<E> {
    /// A sender through the shared edge.
    pub fn new(shared: Arc<Shared<E>>) -> Sender<E> {
        Sender {
            shared,
            retries: Mutex::new(HashMap::new()),
            next: Mutex::new(HashMap::new()),
            questions: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for the chat's budget and the bot-wide one.
    async fn pace(&self, chat: i64) {
        let pacing = &self.shared.pacing;
        if !pacing.on() {
            return;
        }
        let wait = pacing.reserve_chat(chat, now_ms());
        sleep_ms(wait).await;
        let now = now_ms();
        let limits = pacing.limits();
        let shared = self
            .shared
            .core
            .store
            .reserve_global(now, limits.global_per_second, limits.global_burst)
            .await;
        let wait = match shared {
            Ok(Some(wait)) => wait,
            Ok(None) => pacing.reserve_global(now),
            Err(e) => {
                log::warn!("shared send budget unavailable ({e}); pacing in-process");
                pacing.reserve_global(now)
            }
        };
        sleep_ms(wait).await;
    }

    /// Delivers an entry; the question message it showed, if any.
    async fn deliver(&self, entry: &OutboxEntry) -> Result<Option<QuestionMessage>, Failure> {
        let chat = entry.chat;
        let edge = &self.shared.edge;
        match &entry.outgoing {
            Outgoing::ShowAnswer { turn, text } => {
                let known = lock(&self.questions)
                    .get(&chat)
                    .cloned()
                    .filter(|q| q.turn == *turn);
                let shown = match known {
                    Some(q) => Some(q),
                    // Sent by another replica or before a restart: ask the store.
                    None => self
                        .shared
                        .core
                        .store
                        .question_message(chat)
                        .await
                        .map_err(|e| Failure::Transient(e.to_string()))?,
                };
                match shown.filter(|q| q.turn == *turn) {
                    Some(q) => {
                        let replace = Outgoing::Replace {
                            message: q.message_id.clone(),
                            text: text.clone(),
                            buttons: Vec::new(),
                        };
                        let entry = OutboxEntry {
                            outgoing: replace,
                            ..entry.clone()
                        };
                        edge.deliver(&entry).await.map(|_| None)
                    }
                    // Another question is shown by now (or it was never sent).
                    None => Ok(None),
                }
            }
            Outgoing::Unreadable => {
                log::warn!(
                    "{}: an outbox entry this version cannot read; skipped",
                    shown(chat)
                );
                Err(Failure::Stale)
            }
            outgoing => {
                let sent = edge.deliver(entry).await?;
                let turn = match outgoing {
                    Outgoing::Message { question_turn, .. } => *question_turn,
                    Outgoing::LegacySend(legacy) => legacy.question_turn,
                    _ => None,
                };
                Ok(turn
                    .zip(sent)
                    .map(|(turn, message_id)| QuestionMessage { message_id, turn }))
            }
        }
    }

    /// The platform answers again: chats of it (`of`) backing off after
    /// failed sends may try at once; a wait the platform asked for is still
    /// waited out. Returns the chats.
    pub fn platform_answers(&self, of: impl Fn(i64) -> bool) -> Vec<i64> {
        let now = now_ms();
        let mut retries = lock(&self.retries);
        retries
            .iter_mut()
            .filter(|(chat, retry)| !retry.asked && of(**chat))
            .map(|(chat, retry)| {
                retry.next_ms = retry.next_ms.min(now);
                *chat
            })
            .collect()
    }

    /// Removes an entry from the outbox (sent or given up).
    async fn done(&self, entry: &OutboxEntry, question: Option<QuestionMessage>) -> Next {
        let others_failing = {
            let mut retries = lock(&self.retries);
            retries.remove(&entry.chat);
            !retries.is_empty()
        };
        if others_failing {
            // The platform answers again: chats backing off try at once (the
            // sweep brings their turn within seconds).
            self.platform_answers(|_| true);
        }
        match self
            .shared
            .core
            .store
            .ack(entry.chat, entry.seq, question.clone())
            .await
        {
            Ok(next) => {
                if let Some(q) = question.clone() {
                    let mut questions = lock(&self.questions);
                    if questions.len() >= QUESTIONS_KEPT {
                        questions.clear();
                    }
                    questions.insert(entry.chat, q);
                }
                match next {
                    Some(next) => {
                        lock(&self.next).insert(entry.chat, next);
                        Next::More
                    }
                    None => Next::Idle,
                }
            }
            Err(e) => {
                log::error!("{}: a sent message stays queued: {e}", shown(entry.chat));
                Next::RetryIn(Duration::from_secs(1))
            }
        }
    }

    /// A passing failure (or the platform's `wait`): when to try again, or
    /// `None` once the retry window is over.
    fn retry(&self, entry: &OutboxEntry, wait: Option<Duration>) -> Option<u64> {
        let now = now_ms();
        let mut retries = lock(&self.retries);
        let fresh = Retry {
            seq: entry.seq,
            since_ms: now,
            attempts: 0,
            next_ms: now,
            asked: false,
        };
        let retry = retries.entry(entry.chat).or_insert(fresh);
        if retry.seq != entry.seq {
            *retry = fresh;
        }
        let pause = match wait {
            Some(wait) => wait,
            None => {
                retry.attempts += 1;
                let window = self.shared.send_retry_window.as_millis() as u64;
                if now.saturating_sub(retry.since_ms) > window {
                    return None;
                }
                let pause = FIRST_PAUSE.saturating_mul(2u32.saturating_pow(retry.attempts - 1));
                jitter(pause.min(MAX_PAUSE))
            }
        };
        retry.next_ms = now + pause.as_millis() as u64;
        retry.asked = wait.is_some();
        Some(retry.next_ms)
    }

    /// When the chat's head may be tried again, if it failed lately and is not due.
    fn waiting(&self, entry: &OutboxEntry, now_ms: u64) -> Option<u64> {
        lock(&self.retries)
            .get(&entry.chat)
            .filter(|r| r.seq == entry.seq && r.next_ms > now_ms)
            .map(|r| r.next_ms)
    }

    /// The chat blocked the bot or is gone: drop its queue, and note it in
    /// the inbox, where its handling forgets what is kept about the chat (a
    /// group's settings, a person's chosen language).
    async fn gone(&self, chat: i64) -> Next {
        let who = shown(chat);
        let store = &self.shared.core.store;
        self.shared
            .metrics
            .chats_gone
            .fetch_add(1, Ordering::Relaxed);
        lock(&self.retries).remove(&chat);
        log::debug!("{who} blocked the bot or is gone; its queue is dropped");
        if let Err(e) = store.drop_chat(chat).await {
            log::error!("{who}: queue not dropped: {e}");
            return Next::RetryIn(Duration::from_secs(1));
        }
        let now = now_ms();
        let gone = NewEntry {
            key: format!("blocked:{chat}:{now}"),
            chat,
            not_before_ms: 0,
            event: Event::Blocked,
        };
        // The inbox sweep finds it within seconds.
        if let Err(e) = store.receive(vec![gone], now).await {
            log::error!("{who}: could not note that it is gone: {e}");
        }
        Next::Idle
    }
}

impl<E: Edge> Job for Sender<E> {
    const LANE: &'static str = "out";

    async fn next(&self, chat: i64) -> Next {
        let who = shown(chat);
        let known = lock(&self.next).remove(&chat);
        let head = match known {
            Some(entry) => Ok(Some(entry)),
            None => self.shared.core.store.head(chat).await,
        };
        let entry = match head {
            Ok(Some(entry)) => entry,
            Ok(None) => return Next::Idle,
            Err(e) => {
                log::error!("{who}: cannot read the outbox: {e}");
                return Next::RetryIn(Duration::from_secs(1));
            }
        };
        if let Some(at) = self.waiting(&entry, now_ms()) {
            // Failed lately: the turn (and lease) go back until it is due.
            return Next::IdleUntil(at);
        }
        if entry.outgoing.paced() {
            self.pace(chat).await;
        }
        let metrics = &self.shared.metrics;
        match self.deliver(&entry).await {
            Ok(question) => {
                metrics.sent.fetch_add(1, Ordering::Relaxed);
                self.done(&entry, question).await
            }
            Err(Failure::Stale | Failure::NotModified) => self.done(&entry, None).await,
            Err(Failure::Gone) => self.gone(chat).await,
            Err(Failure::Rejected(why)) => {
                metrics.send_dropped.fetch_add(1, Ordering::Relaxed);
                log::warn!(
                    "{who}: the platform refused entry {} ({why}); dropped",
                    entry.seq
                );
                self.done(&entry, None).await
            }
            Err(Failure::RetryAfter(wait)) => {
                metrics.send_retries.fetch_add(1, Ordering::Relaxed);
                log::warn!("{who}: the platform asked to wait {wait:?}");
                match self.retry(&entry, Some(wait)) {
                    Some(at) => Next::IdleUntil(at),
                    None => Next::RetryIn(wait),
                }
            }
            Err(Failure::Transient(why)) => match self.retry(&entry, None) {
                Some(at) => {
                    metrics.send_retries.fetch_add(1, Ordering::Relaxed);
                    let pause = Duration::from_millis(at.saturating_sub(now_ms()));
                    log::warn!("{who}: sending failed ({why}); again in {pause:?}");
                    Next::IdleUntil(at)
                }
                None => {
                    metrics.send_dropped.fetch_add(1, Ordering::Relaxed);
                    log::error!(
                        "{who}: entry {} given up after {:?} of failures ({why})",
                        entry.seq,
                        self.shared.send_retry_window
                    );
                    self.done(&entry, None).await
                }
            },
        }
    }

    async fn sweep(&self) -> Vec<i64> {
        self.shared
            .core
            .store
            .chats_waiting()
            .await
            .unwrap_or_else(|e| {
                log::error!("outbox sweep failed: {e}");
                Vec::new()
            })
    }

    fn stopped(&self, chat: i64) {
        lock(&self.next).remove(&chat);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

async fn sleep_ms(ms: u64) {
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
}

/// `pause` scaled by a random factor in [0.5, 1.5), so chats that failed
/// together do not all try again at the same moment.
fn jitter(pause: Duration) -> Duration {
    let random = RandomState::new().hash_one(now_ms());
    let factor = 0.5 + (random % 1000) as f64 / 1000.0;
    pause.mul_f64(factor)
}
