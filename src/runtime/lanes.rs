//! Per-chat lanes: a task works through one chat's inbox (or outbox) in
//! order while other chats' tasks run beside it, so no chat waits on another.
//! At most one task per chat and lane runs in this process; with a shared
//! store (Redis) a lease keeps it to one in all replicas, and a replica that
//! dies is replaced once its lease runs out.
//!
//! At most `max_running` chats run at once; more wait their turn in order
//! of arrival (a chat id each), so a burst of thousands of chats costs
//! memory for the ones at work, not for all of them.
//!
//! Work arrives by [`Lanes::kick`] (an update was stored, a reply was
//! queued), by a timer (an entry falls due later), and by a sweep of the
//! store (start-up, entries left by another replica, recovery after errors).

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::logging::chat as shown;
use crate::store::{Leases, Store};

/// How long a lease lasts without renewal.
const LEASE_MS: u64 = 15_000;
/// A lease is renewed this often while its lane works (also during one
/// long step: a send waiting for its budget, then a slow Bot API answer).
const RENEW_AFTER: Duration = Duration::from_secs(5);

/// What a lane should do after one piece of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// There may be more: go on at once.
    More,
    /// Nothing to do now.
    Idle,
    /// Nothing to do until this time (ms since the epoch).
    IdleUntil(u64),
    /// Try again after a short pause (the store failed). Longer waits are
    /// `IdleUntil`, which gives the chat's turn (and lease) back meanwhile.
    RetryIn(Duration),
}

/// The work of one kind of lane.
pub trait Job: Send + Sync + 'static {
    /// The lane's name in leases and logs (`in`, `out`).
    const LANE: &'static str;
    /// Does one piece of work for `chat`.
    fn next(&self, chat: i64) -> impl Future<Output = Next> + Send;
    /// Chats with work waiting in the store.
    fn sweep(&self) -> impl Future<Output = Vec<i64>> + Send;
    /// The lane stopped working on `chat` (idle, or its lease went to
    /// another replica): what the job kept for it in memory is stale now.
    fn stopped(&self, _chat: i64) {}
}

/// The lanes of one kind, for every chat.
pub struct Lanes<J> {
    job: J,
    store: Store,
    owner: String,
    max_running: usize,
    active: Mutex<Active>,
    /// The earliest wake-up timer pending per chat (one timer per chat).
    wakes: Mutex<HashMap<i64, u64>>,
}

/// Which chats are at work and which wait for a turn.
#[derive(Default)]
struct Active {
    /// Chats with a running task; `true` when work arrived while it ran.
    running: HashMap<i64, bool>,
    /// Chats waiting for a turn, in order, and the same as a set.
    waiting: VecDeque<i64>,
    queued: HashSet<i64>,
}

impl<J: Job> Lanes<J> {
    /// Lanes doing `job`, leased in `store` as `owner` (unique per process),
    /// at most `max_running` chats at once.
    pub fn new(job: J, store: Store, owner: String, max_running: usize) -> Arc<Lanes<J>> {
        Arc::new(Lanes {
            job,
            store,
            owner,
            max_running: max_running.max(1),
            active: Mutex::new(Active::default()),
            wakes: Mutex::new(HashMap::new()),
        })
    }

    /// The job the lanes do.
    pub fn job(&self) -> &J {
        &self.job
    }

    /// How many chats are at work or waiting for a turn.
    pub fn busy(&self) -> usize {
        let active = self.lock();
        active.running.len() + active.waiting.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// There is work for `chat`: start its task, tell the running one, or
    /// queue it for a turn.
    pub fn kick(self: &Arc<Self>, chat: i64) {
        let mut active = self.lock();
        if let Some(more) = active.running.get_mut(&chat) {
            *more = true;
        } else if active.running.len() < self.max_running {
            active.running.insert(chat, false);
            self.start(chat);
        } else if active.queued.insert(chat) {
            active.waiting.push_back(chat);
        }
    }

    /// Spawns the task of a chat just marked running.
    fn start(self: &Arc<Self>, chat: i64) {
        tokio::spawn(Arc::clone(self).run(chat));
    }

    /// Kicks `chat` at `at_ms` (unless a timer for it fires earlier anyway).
    fn wake_at(self: &Arc<Self>, chat: i64, at_ms: u64) {
        {
            let mut wakes = self.wakes.lock().unwrap_or_else(|e| e.into_inner());
            if wakes.get(&chat).is_some_and(|&earlier| earlier <= at_ms) {
                return;
            }
            wakes.insert(chat, at_ms);
        }
        let lanes = Arc::clone(self);
        let wait = at_ms.saturating_sub(super::now_ms());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(wait)).await;
            {
                let mut wakes = lanes.wakes.lock().unwrap_or_else(|e| e.into_inner());
                if wakes.get(&chat) == Some(&at_ms) {
                    wakes.remove(&chat);
                }
            }
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
                    log::warn!(
                        "lane {} of {}: lease not released: {e}",
                        J::LANE,
                        shown(chat)
                    );
                }
                wake
            } else {
                None
            };
            if let Some(at) = next_wake {
                self.wake_at(chat, at);
            }
            let mut active = self.lock();
            if active.running.get(&chat) == Some(&true) {
                active.running.insert(chat, false);
                continue;
            }
            active.running.remove(&chat);
            // Hand the turn to the chat that waited longest.
            if let Some(next) = active.waiting.pop_front() {
                active.queued.remove(&next);
                active.running.insert(next, false);
                self.start(next);
            }
            return;
        }
    }

    /// Takes the chat's lease. False when another replica holds it: that
    /// one works on the chat, and whatever it leaves the sweep finds.
    async fn claim(&self, chat: i64) -> bool {
        match self.store.claim(J::LANE, chat, &self.owner, LEASE_MS).await {
            Ok(held) => held,
            Err(e) => {
                log::warn!("lane {} of {}: no lease: {e}", J::LANE, shown(chat));
                false
            }
        }
    }

    /// Renews the chat's lease every few seconds, for as long as it is polled.
    async fn keep_lease(&self, chat: i64) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(RENEW_AFTER).await;
            match self.store.claim(J::LANE, chat, &self.owner, LEASE_MS).await {
                Ok(true) => {}
                Ok(false) => log::warn!("lane {} of {}: lease lost mid-step", J::LANE, shown(chat)),
                Err(e) => log::warn!(
                    "lane {} of {}: lease not renewed: {e}",
                    J::LANE,
                    shown(chat)
                ),
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
                    Err(e) => log::warn!(
                        "lane {} of {}: lease not renewed: {e}",
                        J::LANE,
                        shown(chat)
                    ),
                }
            }
            // Boxed: a lane waiting to run stays small; the step's state is
            // allocated only while it runs (10,000 chats start at once).
            let step = Box::pin(self.job.next(chat));
            let next = if self.store.shared() {
                // A step may outlast a lease (a send waiting for the shared
                // budget, then a slow answer): renew while it runs.
                tokio::select! {
                    next = step => next,
                    never = self.keep_lease(chat) => match never {},
                }
            } else {
                step.await
            };
            match next {
                Next::More => {}
                Next::Idle => return None,
                Next::IdleUntil(at) => return Some(at),
                Next::RetryIn(pause) => tokio::time::sleep(pause).await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A job that works once per kick, a moment each, and records how many
    /// chats were at work at once and the order chats began their turns in.
    #[derive(Default)]
    struct Probe {
        now: AtomicUsize,
        most: AtomicUsize,
        served: Mutex<Vec<i64>>,
    }

    impl Job for Probe {
        const LANE: &'static str = "test";

        async fn next(&self, chat: i64) -> Next {
            self.served.lock().unwrap().push(chat);
            let at_once = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(at_once, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Next::Idle
        }

        async fn sweep(&self) -> Vec<i64> {
            Vec::new()
        }
    }

    // One thread: tasks start in the order they are spawned, so the order of
    // turns is what the test sees.
    #[tokio::test]
    async fn a_burst_of_chats_runs_a_few_at_a_time_in_order_of_arrival() {
        let store = Store::Memory(MemoryStore::default());
        let lanes = Lanes::new(Probe::default(), store, "me".into(), 4);
        for chat in 0..40 {
            lanes.kick(chat);
            lanes.kick(chat); // a second kick while queued or running adds no turn
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while lanes.busy() > 0 {
            assert!(Instant::now() < deadline, "lanes did not drain");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let probe = &lanes.job;
        assert!(probe.most.load(Ordering::SeqCst) <= 4, "at most 4 at once");
        let served = probe.served.lock().unwrap().clone();
        // Each chat once, or twice when the second kick came while it ran.
        assert!((40..=44).contains(&served.len()), "{served:?}");
        let first_turns: Vec<i64> = {
            let mut seen = HashSet::new();
            served.iter().copied().filter(|c| seen.insert(*c)).collect()
        };
        assert_eq!(
            first_turns,
            (0..40).collect::<Vec<_>>(),
            "in order of arrival"
        );
    }
}
