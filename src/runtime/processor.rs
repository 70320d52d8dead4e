//! The inbox lane: each chat's entries are handled in order, one atomic
//! store operation each (through [`crate::conversation`]), and the chat's
//! sender is told when replies were queued. An entry whose handling fails
//! (the store is down, an admin check failed) stays in the inbox and is
//! tried again with a growing pause while the failure may pass; one that
//! keeps failing for about ten minutes, or whose failure cannot pass (see
//! [`crate::conversation::Failed::is_transient`]), is set aside, logged by
//! its sequence number, never its content.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::lanes::{Job, Lanes, Next};
use super::sender::Sender;
use super::{Edge, Shared, now_ms};
use crate::logging::chat as shown;
use crate::store::{Inbox, Store};

/// Attempts at one entry before it is set aside.
const ATTEMPTS: u32 = 20;
/// The longest pause between attempts.
const MAX_PAUSE: Duration = Duration::from_secs(60);

/// Handles inbox entries.
pub struct Processor<E> {
    shared: Arc<Shared<E>>,
    sender: Arc<Lanes<Sender<E>>>,
    /// Failed attempts so far and when to try again, by (chat, entry).
    failures: Mutex<HashMap<(i64, u64), (u32, u64)>>,
}

impl<E: Edge> Processor<E> {
    /// A processor that hands replies to `sender`.
    pub fn new(shared: Arc<Shared<E>>, sender: Arc<Lanes<Sender<E>>>) -> Processor<E> {
        Processor {
            shared,
            sender,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn store(&self) -> &Store {
        &self.shared.core.store
    }

    /// Counts a failed attempt; `Break` when the entry is to be set aside,
    /// else when to try it again.
    fn failed(&self, chat: i64, seq: u64, now_ms: u64) -> ControlFlow<(), u64> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let failure = failures.entry((chat, seq)).or_insert((0, now_ms));
        failure.0 += 1;
        if failure.0 >= ATTEMPTS {
            failures.remove(&(chat, seq));
            return ControlFlow::Break(());
        }
        let pause = Duration::from_millis(250) * 2u32.saturating_pow(failure.0 - 1);
        failure.1 = now_ms + pause.min(MAX_PAUSE).as_millis() as u64;
        ControlFlow::Continue(failure.1)
    }

    /// When a failed entry may be tried again, if it is not due yet.
    fn waiting(&self, chat: i64, seq: u64, now_ms: u64) -> Option<u64> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures
            .get(&(chat, seq))
            .map(|f| f.1)
            .filter(|&at| at > now_ms)
    }

    fn succeeded(&self, chat: i64, seq: u64) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if !failures.is_empty() {
            failures.remove(&(chat, seq));
        }
    }
}

impl<E: Edge> Job for Processor<E> {
    const LANE: &'static str = "in";

    async fn next(&self, chat: i64) -> Next {
        let who = shown(chat);
        let now = now_ms();
        let pending = match self.store().pending(chat, now).await {
            Ok(pending) => pending,
            Err(e) => {
                log::error!("{who}: cannot read the inbox: {e}");
                return Next::RetryIn(Duration::from_secs(1));
            }
        };
        let Some(entry) = pending.due else {
            return pending.later_ms.map_or(Next::Idle, Next::IdleUntil);
        };
        let seq = entry.seq;
        if let Some(at) = self.waiting(chat, seq, now) {
            // Failed lately: its turn (and lease) go back until it is due.
            return Next::IdleUntil(at);
        }
        let shared = &self.shared;
        match shared.core.handle(&shared.edge, entry, now).await {
            Ok(handled) => {
                self.succeeded(chat, seq);
                if let Some(step) = &handled.step {
                    shared.metrics.count_step(step);
                }
                if handled.queued {
                    self.sender.kick(chat);
                }
                Next::More
            }
            Err(e) => {
                shared.metrics.errors.fetch_add(1, Ordering::Relaxed);
                let verdict = if e.is_transient() {
                    self.failed(chat, seq, now)
                } else {
                    self.succeeded(chat, seq);
                    ControlFlow::Break(())
                };
                match verdict {
                    ControlFlow::Continue(at) => {
                        let pause = Duration::from_millis(at.saturating_sub(now));
                        log::warn!("entry {seq} of {who} failed ({e}); again in {pause:?}");
                        Next::IdleUntil(at)
                    }
                    ControlFlow::Break(()) => {
                        let why = if e.is_transient() {
                            format!("failed {ATTEMPTS} times")
                        } else {
                            "cannot succeed".to_string()
                        };
                        log::error!("entry {seq} of {who} {why} ({e}); set aside");
                        if let Err(e) = self.store().discard(chat, seq).await {
                            log::error!("entry {seq} of {who} not set aside: {e}");
                        }
                        Next::More
                    }
                }
            }
        }
    }

    async fn sweep(&self) -> Vec<i64> {
        self.store().chats_due(now_ms()).await.unwrap_or_else(|e| {
            log::error!("inbox sweep failed: {e}");
            Vec::new()
        })
    }
}
