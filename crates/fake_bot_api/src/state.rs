//! What the fake server holds: the queue of updates, the call log, and the
//! misbehaviour asked of it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;

use crate::faults::Faults;
use crate::webhook::Webhook;
use crate::{Call, Listener};

/// Shared by the handle ([`crate::FakeApi`]) and the server.
pub(crate) struct Shared {
    pub(crate) url: String,
    pub(crate) inner: Mutex<Inner>,
    /// Woken when an update is queued (a long poll waiting for one).
    pub(crate) arrived: Notify,
    pub(crate) webhook: Mutex<Option<Webhook>>,
    /// Whether calls, updates and arrival times are kept (off in load runs).
    pub(crate) log: bool,
    pub(crate) listener: Option<Arc<dyn Listener>>,
    /// Whether a call that breaks the specification fails the test
    /// ([`crate::Options::strict`]).
    pub(crate) strict: bool,
    /// Requests checked against the specification.
    pub(crate) checked: AtomicUsize,
}

pub(crate) struct Inner {
    /// Updates not yet confirmed, with their ids, for `getUpdates`.
    pub(crate) updates: VecDeque<(i64, Value)>,
    /// Every update ever queued, to hand one out again (with the log only).
    pub(crate) history: Vec<Value>,
    pub(crate) next_update_id: i64,
    pub(crate) next_message_id: i64,
    /// Every call answered (with the log only).
    pub(crate) calls: Vec<Call>,
    /// The chat each button press (by query id) came from.
    pub(crate) presses: HashMap<String, i64>,
    pub(crate) blocked_chats: Vec<i64>,
    /// (group, user) pairs that `getChatMember` reports as the owner.
    pub(crate) admins: Vec<(i64, i64)>,
    /// Fail this many upcoming calls of a method with HTTP 500.
    pub(crate) failures: HashMap<String, usize>,
    /// Random faults, if any.
    pub(crate) faults: Option<Faults>,
    /// Webhook POSTs not answered 200 (and sent again).
    pub(crate) webhook_retries: usize,
    /// Until then every send is refused with 502 (an outage).
    pub(crate) sends_fail_until: Option<Instant>,
    /// Sends refused by the outage (not recorded in `calls`).
    pub(crate) refused: usize,
    /// Answer this many upcoming calls of a method 429 with this `retry_after`.
    pub(crate) throttled: HashMap<String, (usize, u64)>,
    /// When each call of each method arrived (with the log only).
    pub(crate) arrivals: HashMap<String, Vec<Instant>>,
    /// When calls were answered 429 by `throttled`.
    pub(crate) throttled_at: Vec<Instant>,
    /// Answer the next call of a method only after this long.
    pub(crate) delayed: HashMap<String, Duration>,
    /// The language each user's Telegram is set to, sent as `language_code`.
    pub(crate) languages: HashMap<i64, String>,
    /// Calls refused for breaking the specification: the method and why.
    pub(crate) violations: Vec<String>,
}

impl Default for Inner {
    fn default() -> Inner {
        Inner {
            updates: VecDeque::new(),
            history: Vec::new(),
            next_update_id: 1,
            next_message_id: 1000,
            calls: Vec::new(),
            presses: HashMap::new(),
            blocked_chats: Vec::new(),
            admins: Vec::new(),
            failures: HashMap::new(),
            faults: None,
            webhook_retries: 0,
            sends_fail_until: None,
            refused: 0,
            throttled: HashMap::new(),
            arrivals: HashMap::new(),
            throttled_at: Vec::new(),
            delayed: HashMap::new(),
            languages: HashMap::new(),
            violations: Vec::new(),
        }
    }
}
