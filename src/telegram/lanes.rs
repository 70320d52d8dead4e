//! Per-chat lanes: a task works through one chat's inbox (or outbox) in
//! order while other chats' tasks run beside it, so no chat waits on another.
//! At most one task per chat and lane runs in this process; with a shared
//! store (Redis) a lease keeps it to one in all replicas, and a replica that
//! dies is replaced once its lease runs out.
//!
//! Work arrives by [`Lanes::kick`] (an update was stored, a reply was
//! queued), by a timer (an entry falls due later), and by a sweep of the
//! store (start-up, entries left by another replica, recovery after errors).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::store::{Leases, Store};

/// How long a lease lasts without renewal.
const LEASE_MS: u64 = 15_000;
/// A lease is renewed when it is older than this.
const RENEW_AFTER: Duration = Duration::from_secs(5);
/// How long to wait before asking again for a lease another replica holds.
const LEASE_WAIT: Duration = Duration::from_millis(50);

/// What a lane should do after one piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// There may be more: go on at once.
    More,
    /// Nothing to do now.
    Idle,
    /// Nothing to do until this time (ms since the epoch).
    IdleUntil(u64),
    /// Try again after a pause (a failure, or a wait Telegram asked for).
    RetryIn(Duration),
    /// A passing failure: try again after the pause, or as soon as the job
    /// signals that things work again (see [`Job::recovered`]).
    Backoff(Duration),
}

/// The work of one kind of lane.
pub trait Job: Send + Sync + 'static {
    /// The lane's name in leases and logs (`in`, `out`).
    const LANE: &'static str;
    /// Does one piece of work for `chat`.
    fn next(&self, chat: i64) -> impl Future<Output = Next> + Send;
    /// Whether `chat` has work now (asked before waiting for another replica's lease).
    fn has_work(&self, chat: i64) -> impl Future<Output = bool> + Send;
    /// Chats with work waiting in the store.
    fn sweep(&self) -> impl Future<Output = Vec<i64>> + Send;
    /// Signalled when work succeeds again after failures, so lanes backing
    /// off wake at once instead of each waiting out its pause.
    fn recovered(&self) -> Option<&Notify> {
        None
    }
    /// The lane stopped working on `chat` (idle, or its lease went to
    /// another replica): what the job kept for it in memory is stale now.
    fn stopped(&self, _chat: i64) {}
}

/// The lanes of one kind, for every chat.
pub struct Lanes<J> {
    job: J,
    store: Store,
    owner: String,
    /// Chats with a running task; `true` when work arrived while it ran.
    active: Mutex<HashMap<i64, bool>>,
}

impl<J: Job> Lanes<J> {
    /// Lanes doing `job`, leased in `store` as `owner` (unique per process).
    pub fn new(job: J, store: Store, owner: String) -> Arc<Lanes<J>> {
        Arc::new(Lanes {
            job,
            store,
            owner,
            active: Mutex::new(HashMap::new()),
        })
    }

    /// How many chats have a task running now.
    pub fn busy(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, bool>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// There is work for `chat`: start its task, or tell the running one.
    pub fn kick(self: &Arc<Self>, chat: i64) {
        let mut active = self.lock();
        match active.get_mut(&chat) {
            Some(more) => *more = true,
            None => {
                active.insert(chat, false);
                tokio::spawn(Arc::clone(self).run(chat));
            }
        }
    }

    /// Kicks `chat` at `at_ms`.
    fn wake_at(self: &Arc<Self>, chat: i64, at_ms: u64) {
        let lanes = Arc::clone(self);
        let wait = at_ms.saturating_sub(super::now_ms());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            lanes.kick(chat);
        });
    }

    /// Looks for work in the store every `period`, for as long as the bot runs.
    pub async fn sweep_every(self: Arc<Self>, period: Duration) {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            for chat in self.job.sweep().await {
                self.kick(chat);
            }
        }
    }

    async fn run(self: Arc<Self>, chat: i64) {
        loop {
            let next_wake = if self.claim(chat).await {
                let wake = self.work(chat).await;
                self.job.stopped(chat);
                if let Err(e) = self.store.release(J::LANE, chat, &self.owner).await {
                    log::warn!("lane {} of chat {chat}: lease not released: {e}", J::LANE);
                }
                wake
            } else {
                None
            };
            if let Some(at) = next_wake {
                self.wake_at(chat, at);
            }
            let mut active = self.lock();
            match active.get(&chat) {
                Some(true) => {
                    active.insert(chat, false);
                }
                _ => {
                    active.remove(&chat);
                    return;
                }
            }
        }
    }

    /// Takes the chat's lease, waiting while another replica holds it and
    /// there is work; false when there is nothing to do after all.
    async fn claim(&self, chat: i64) -> bool {
        let mut pause = LEASE_WAIT;
        loop {
            match self.store.claim(J::LANE, chat, &self.owner, LEASE_MS).await {
                Ok(true) => return true,
                Ok(false) => {}
                Err(e) => log::warn!("lane {} of chat {chat}: no lease: {e}", J::LANE),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
            if !self.job.has_work(chat).await {
                return false;
            }
        }
    }

    /// Works until there is nothing left; returns when to look again.
    async fn work(&self, chat: i64) -> Option<u64> {
        let mut renewed = Instant::now();
        loop {
            if renewed.elapsed() > RENEW_AFTER {
                match self.store.claim(J::LANE, chat, &self.owner, LEASE_MS).await {
                    Ok(true) => renewed = Instant::now(),
                    // Another replica took over (we were too slow): it goes on.
                    Ok(false) => return None,
                    Err(e) => log::warn!("lane {} of chat {chat}: lease not renewed: {e}", J::LANE),
                }
            }
            match self.job.next(chat).await {
                Next::More => {}
                Next::Idle => return None,
                Next::IdleUntil(at) => return Some(at),
                Next::RetryIn(pause) => tokio::time::sleep(pause).await,
                Next::Backoff(pause) => match self.job.recovered() {
                    Some(signal) => {
                        let recovered = signal.notified();
                        tokio::select! {
                            _ = tokio::time::sleep(pause) => {}
                            _ = recovered => {}
                        }
                    }
                    None => tokio::time::sleep(pause).await,
                },
            }
        }
    }
}
