//! The runtime, free of any platform: per-chat lanes, the inbox processor
//! with its retries, the outbox sender with its pacing and retries, leases
//! for replicas, housekeeping (purging idle checks, the tip schedule) and
//! draining on shutdown. A platform plugs in through [`Edge`]: how to send
//! one outbox entry, its message limits, and what the core asks of it
//! ([`Platform`]); its intake hands events to [`Runtime::receive`].

mod lanes;
pub mod metrics;
pub mod pacing;
mod processor;
mod sender;
pub mod shutdown;
pub mod tips;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use sender::Failure;

use crate::conversation::{Core, Platform};
use crate::message::{Incoming, MessageId};
use crate::store::{
    Checks, Diaries, Inbox, Leases, NewEntry, OutboxEntry, REMEMBER_MS, StoreError,
};
use lanes::Lanes;
use metrics::Metrics;
use pacing::{Limits, Pacing};
use processor::Processor;
use sender::Sender;

/// What a messaging platform supplies to the runtime, besides what the
/// core asks of it.
pub trait Edge: Platform + 'static {
    /// Sends one outbox entry (never [`crate::message::Outgoing::ShowAnswer`]: the runtime
    /// turns it into an [`crate::message::Outgoing::Replace`] of the question's message);
    /// the id of a sent message, when there is one. The entry's chat and
    /// sequence number name it uniquely, for platforms that de-duplicate
    /// retried sends.
    fn deliver(
        &self,
        entry: &OutboxEntry,
    ) -> impl Future<Output = Result<Option<MessageId>, Failure>> + Send;
}

/// How the runtime runs, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Pace messages to the platform's limits (off only for benchmarks
    /// against a fake server).
    pub throttle: bool,
    /// The platform's message limits.
    pub limits: Limits,
    /// How long a failing reply is tried again.
    pub send_retry_window: Duration,
}

/// What the lanes share.
pub struct Shared<E> {
    /// The conversation core.
    pub core: Arc<Core>,
    /// The platform.
    pub edge: E,
    /// Counts for `/metrics`.
    pub metrics: Metrics,
    /// Per-chat and bot-wide message budgets.
    pacing: Pacing,
    /// How long a failing reply is tried again.
    send_retry_window: Duration,
}

/// Chats handled (and sent to) at once; more wait their turn in order.
/// Platforms take about 30 messages a second, so this is never what limits
/// a real bot; it bounds memory (and connections) in a burst.
const LANES_AT_WORK: usize = 256;

/// The running lanes: the inbox handled per chat, the outbox sent per chat.
pub struct Runtime<E> {
    /// What the lanes share.
    pub shared: Arc<Shared<E>>,
    processor: Arc<Lanes<Processor<E>>>,
    sender: Arc<Lanes<Sender<E>>>,
    /// This process among replicas (leases are held in its name).
    owner: String,
}

impl<E: Edge> Runtime<E> {
    /// Starts the lanes and their sweeps (which also pick up what an earlier
    /// run left in the store).
    pub fn start(core: Arc<Core>, edge: E, settings: Settings) -> Arc<Runtime<E>> {
        // Unique among replicas, even in containers where every pid is 1.
        let random = std::collections::hash_map::RandomState::new();
        let owner = format!(
            "{}-{:016x}",
            std::process::id(),
            std::hash::BuildHasher::hash_one(&random, now_ms())
        );
        let store = core.store.clone();
        let shared = Arc::new(Shared {
            core,
            edge,
            metrics: Metrics::default(),
            pacing: Pacing::new(settings.throttle, settings.limits),
            send_retry_window: settings.send_retry_window,
        });
        let sender = Lanes::new(
            Sender::new(Arc::clone(&shared)),
            store.clone(),
            owner.clone(),
            LANES_AT_WORK,
        );
        let processor = Lanes::new(
            Processor::new(Arc::clone(&shared), Arc::clone(&sender)),
            store.clone(),
            owner.clone(),
            LANES_AT_WORK,
        );
        // A shared store may hold work another replica left: look often.
        let period = if store.shared() {
            Duration::from_secs(1)
        } else {
            Duration::from_secs(5)
        };
        tokio::spawn(Arc::clone(&processor).sweep_every(period));
        tokio::spawn(Arc::clone(&sender).sweep_every(period));
        Arc::new(Runtime {
            shared,
            processor,
            sender,
            owner,
        })
    }

    /// Claims (or renews) for `ttl_ms` the right to run a platform's intake
    /// named `intake` (a sync, a long poll), which one replica at a time may
    /// hold: false while another replica holds it. A store that is not
    /// shared grants it at once.
    pub async fn claim_intake(
        &self,
        intake: &'static str,
        ttl_ms: u64,
    ) -> Result<bool, StoreError> {
        self.shared
            .core
            .store
            .claim(intake, 0, &self.owner, ttl_ms)
            .await
    }

    /// Gives up the intake claimed with [`Runtime::claim_intake`] (on stop,
    /// so a standby replica takes over at once).
    pub async fn release_intake(&self, intake: &'static str) -> Result<(), StoreError> {
        self.shared.core.store.release(intake, 0, &self.owner).await
    }

    /// The conversation core.
    pub fn core(&self) -> &Core {
        &self.shared.core
    }

    /// Counts for `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// The inbox entry for an event as it arrives (counted, and passed
    /// through flood control); `None` when it is dropped.
    pub fn intake(&self, key: String, incoming: Incoming, now_ms: u64) -> Option<NewEntry> {
        self.shared
            .metrics
            .updates
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.shared.core.intake(key, incoming, now_ms)
    }

    /// Writes entries to the inbox and starts their chats' lanes.
    pub async fn receive(&self, entries: Vec<NewEntry>, now_ms: u64) -> Result<(), StoreError> {
        self.receive_counted(entries, now_ms).await.map(drop)
    }

    /// As [`Runtime::receive`]; returns how many chats got new entries.
    pub async fn receive_counted(
        &self,
        entries: Vec<NewEntry>,
        now_ms: u64,
    ) -> Result<usize, StoreError> {
        if entries.is_empty() {
            return Ok(0);
        }
        let chats = self.shared.core.store.receive(entries, now_ms).await?;
        for &chat in &chats {
            self.processor.kick(chat);
        }
        Ok(chats.len())
    }

    /// A platform answers again after failing (its intake got through):
    /// replies to its chats (`of`) backing off after failed sends go out
    /// now, not when their pause (up to half a minute) ends.
    pub fn platform_answers(&self, of: impl Fn(i64) -> bool) {
        for chat in self.sender.job().platform_answers(of) {
            self.sender.kick(chat);
        }
    }

    /// Waits (at most `within`) for the lanes at work to finish; what is
    /// left stays in the store for the next start.
    pub async fn drain(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while (self.processor.busy() > 0 || self.sender.busy() > 0)
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Deletes idle checks now and then, so health answers are not kept past
/// the TTL, diaries past their retention, and update ids once they are too
/// old to come again.
pub async fn purge_idle(core: Arc<Core>) {
    let period = core
        .session_ttl
        .min(Duration::from_secs(600))
        .max(Duration::from_secs(1));
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        let ttl_ms = core.session_ttl.as_millis() as u64;
        let cutoff = now_ms().saturating_sub(ttl_ms);
        match core.store.purge_idle(cutoff).await {
            Ok(0) => {}
            Ok(n) => log::info!("deleted {n} idle check(s)"),
            Err(e) => log::error!("purging idle checks failed: {e}"),
        }
        // A dialogue without a diary keeps none: what earlier ones kept goes.
        let keep_ms = core.diary_keep_ms().unwrap_or(0);
        match core
            .store
            .purge_diaries(now_ms().saturating_sub(keep_ms))
            .await
        {
            Ok(0) => {}
            Ok(n) => log::info!("deleted {n} diary(ies) past their retention"),
            Err(e) => log::error!("purging old diaries failed: {e}"),
        }
        let forget_before = now_ms().saturating_sub(REMEMBER_MS);
        if let Err(e) = core.store.forget_keys(forget_before).await {
            log::error!("forgetting old update ids failed: {e}");
        }
    }
}
