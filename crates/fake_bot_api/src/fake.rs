//! The handle on a running fake: starting it, queueing updates, asking it
//! to misbehave, and reading what the bot did.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::faults::Faults;
use crate::spec;
use crate::state::{Inner, Shared};
use crate::webhook::{Route, Webhook};
use crate::{Call, Fault, Listener};

/// How a fake is started. The defaults suit a test, which reads the log.
#[derive(Clone)]
pub struct Options {
    /// Keep every call, update and arrival time for reading afterwards
    /// ([`FakeApi::calls`], [`FakeApi::wait_for`], [`FakeApi::arrivals`],
    /// [`FakeApi::requeue`]). A long load run turns it off, so memory does
    /// not grow with the run, and hears the calls through `listener`.
    pub log: bool,
    /// Told of each request, hand-out and call as it happens.
    pub listener: Option<Arc<dyn Listener>>,
    /// Fail the test on a call that breaks the Bot API specification:
    /// [`FakeApi::wait_for`] panics at once, and so does the last handle
    /// when it goes away, naming every such call, unless the test took
    /// them with [`FakeApi::take_violations`]. Off, such calls are still
    /// refused (400), counted and listed.
    pub strict: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            log: true,
            listener: None,
            strict: true,
        }
    }
}

/// A running fake server; clones share it.
#[derive(Clone)]
pub struct FakeApi {
    /// What to put in `TELOXIDE_API_URL`.
    pub url: String,
    pub(crate) shared: Arc<Shared>,
    /// Shared by the handles a caller holds, not by the server's own;
    /// held for what it does when the last goes away.
    _owner: Option<Arc<Owner>>,
}

/// The environment variable naming a file each fake adds a line to when
/// its last handle goes away: the calls it checked, how many it refused
/// for breaking the specification, and the specification's version. A
/// whole test run's calls are the sum of the first column.
pub const TALLY: &str = "FAKE_BOT_API_TALLY";

/// What the last handle on a fake does as it goes away.
struct Owner {
    shared: Arc<Shared>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        let violations = self
            .shared
            .inner
            .lock()
            .map(|inner| inner.violations.clone())
            .unwrap_or_default();
        let checked = self.shared.checked.load(Ordering::Relaxed);
        if let Some(path) = std::env::var_os(TALLY) {
            let line = format!("{checked} {} {}\n", violations.len(), spec::version());
            let file = OpenOptions::new().create(true).append(true).open(path);
            if let Err(e) = file.and_then(|mut f| f.write_all(line.as_bytes())) {
                eprintln!("fake Bot API: cannot add to the {TALLY} file: {e}");
            }
        }
        if self.shared.strict && !violations.is_empty() && !std::thread::panicking() {
            panic!("{}", broken(&violations));
        }
    }
}

/// The failure of a test whose bot broke the specification.
fn broken(violations: &[String]) -> String {
    format!(
        "the fake Bot API refused {} call(s) for breaking the Bot API {} specification:\n{}",
        violations.len(),
        spec::version(),
        violations.join("\n")
    )
}

impl FakeApi {
    /// Starts a server with the log on, on a free port of 127.0.0.1.
    pub async fn start() -> FakeApi {
        FakeApi::start_with(Options::default()).await
    }

    /// Starts a server with `options`, on a free port of 127.0.0.1.
    pub async fn start_with(options: Options) -> FakeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port on 127.0.0.1");
        let url = format!("http://{}/", listener.local_addr().expect("a bound port"));
        let shared = Arc::new(Shared {
            url: url.clone(),
            inner: Mutex::new(Inner::default()),
            arrived: Notify::new(),
            webhook: Mutex::new(None),
            log: options.log,
            listener: options.listener,
            strict: options.strict,
            checked: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/{token}/{method}", post(crate::server::handle))
            .with_state(Arc::clone(&shared));
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the fake serves");
        });
        let owner = Some(Arc::new(Owner {
            shared: Arc::clone(&shared),
        }));
        FakeApi {
            url,
            shared,
            _owner: owner,
        }
    }

    /// A handle for the server's own use (telling a listener of a call),
    /// which checks nothing when it goes away.
    pub(crate) fn unowned(shared: &Arc<Shared>) -> FakeApi {
        FakeApi {
            url: shared.url.clone(),
            shared: Arc::clone(shared),
            _owner: None,
        }
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.shared.inner.lock().unwrap())
    }

    /// Queues an update of `kind` (or POSTs it, with webhook delivery on);
    /// returns its id.
    pub(crate) fn push(&self, kind: &str, payload: Value) -> i64 {
        // Both held throughout, so updates reach the queue (or their chat's
        // POSTs) in the order of their ids, as Telegram hands them out: a
        // page must never hold an update while one with a lower id is still
        // to come, or confirming the page would drop that one.
        let mut webhook = self.shared.webhook.lock().unwrap();
        let mut inner = self.shared.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        let update = json!({ "update_id": id, kind: payload });
        if self.shared.log {
            inner.history.push(update.clone());
        }
        match webhook.as_mut() {
            Some(hook) => {
                drop(inner);
                hook.post(&self.shared, update);
            }
            None => {
                inner.updates.push_back((id, update));
                drop(inner);
                self.shared.arrived.notify_waiters();
            }
        }
        id
    }

    /// From now on updates are POSTed to these webhook replicas instead of
    /// being handed out by `getUpdates`.
    pub fn deliver_to(&self, targets: Vec<String>, secret: &str, route: Route) {
        *self.shared.webhook.lock().unwrap() = Some(Webhook::new(targets, secret, route));
    }

    /// How many webhook POSTs were answered with something other than 200.
    pub fn webhook_retries(&self) -> usize {
        self.with(|inner| inner.webhook_retries)
    }

    /// Queues update `id` again, as Telegram does with updates a crashed bot
    /// never confirmed; a bot that starts afresh (offset 0) receives it again.
    pub fn requeue(&self, id: i64) {
        assert!(self.shared.log, "requeue needs the log (Options::log)");
        self.with(|inner| {
            let copy = inner.history.iter().find(|u| u["update_id"] == id).cloned();
            inner.updates.extend(copy.map(|u| (id, u)));
            inner.updates.make_contiguous().sort_by_key(|(id, _)| *id);
        });
        self.shared.arrived.notify_waiters();
    }

    /// Numbers the next updates from `id` on (Telegram may restart its update
    /// ids after a quiet week).
    pub fn restart_update_ids(&self, id: i64) {
        self.with(|inner| inner.next_update_id = id);
    }

    /// How many queued updates the bot has not confirmed yet (by asking
    /// `getUpdates` for the ones after them); 0 once it took every update
    /// sent so far. Always 0 with webhook delivery, which queues nothing.
    pub fn unconfirmed(&self) -> usize {
        self.with(|inner| inner.updates.len())
    }

    /// The id the next queued update gets.
    pub fn next_update_id(&self) -> i64 {
        self.with(|inner| inner.next_update_id)
    }

    /// `user` is an owner of `group` from now on.
    pub fn make_admin(&self, group: i64, user: i64) {
        self.with(|inner| inner.admins.push((group, user)));
    }

    /// Every send to `chat` from now on fails with 403 "bot was blocked".
    pub fn block(&self, chat: i64) {
        self.with(|inner| inner.blocked_chats.push(chat));
    }

    /// From now on, about `per_mille`/1000 calls meet one of `kinds`.
    pub fn inject(&self, kinds: &[Fault], per_mille: u64) {
        self.with(|inner| inner.faults = Some(Faults::new(kinds, per_mille, false)));
    }

    /// From now on, about `per_mille`/1000 sends (sendMessage,
    /// editMessageText, answerCallbackQuery) meet one of `kinds`; start-up,
    /// polling and everything else stay sound.
    pub fn inject_into_sends(&self, kinds: &[Fault], per_mille: u64) {
        self.with(|inner| inner.faults = Some(Faults::new(kinds, per_mille, true)));
    }

    /// How many faults of each kind were injected.
    pub fn injected(&self) -> HashMap<String, usize> {
        self.with(|inner| {
            let faults = inner.faults.as_ref();
            faults.map(|f| f.injected().clone()).unwrap_or_default()
        })
    }

    /// Answers the next `count` calls of `method` 429 with `retry_after: seconds`.
    pub fn throttle_next(&self, method: &str, count: usize, seconds: u64) {
        self.with(|inner| inner.throttled.insert(method.to_string(), (count, seconds)));
    }

    /// Answers the next call of `method` only after `delay` (a slow start-up).
    pub fn delay_next(&self, method: &str, delay: Duration) {
        self.with(|inner| inner.delayed.insert(method.to_string(), delay));
    }

    /// When calls were answered 429 by [`FakeApi::throttle_next`].
    pub fn throttled_at(&self) -> Vec<Instant> {
        self.with(|inner| inner.throttled_at.clone())
    }

    /// When the calls of `method` arrived, in order.
    pub fn arrivals(&self, method: &str) -> Vec<Instant> {
        self.with(|inner| inner.arrivals.get(method).cloned().unwrap_or_default())
    }

    /// The next `count` calls of `method` (lowercase) fail with HTTP 500.
    pub fn fail_next(&self, method: &str, count: usize) {
        self.with(|inner| inner.failures.insert(method.to_string(), count));
    }

    /// From now until `duration` has passed, every send (sendMessage,
    /// editMessageText, answerCallbackQuery) is answered 502 Bad Gateway
    /// before acting and left out of `calls`; everything else still works.
    pub fn fail_sends_for(&self, duration: Duration) {
        self.with(|inner| inner.sends_fail_until = Some(Instant::now() + duration));
    }

    /// How many sends an outage refused.
    pub fn refused(&self) -> usize {
        self.with(|inner| inner.refused)
    }

    /// How many requests this fake checked against the Bot API
    /// specification ([`crate::spec`], version [`crate::spec::version`]),
    /// refused ones included.
    pub fn checked(&self) -> usize {
        self.shared.checked.load(Ordering::Relaxed)
    }

    /// The calls refused for breaking the specification, each as its
    /// method and Telegram's description (`sendMessage: Bad Request: ...`);
    /// empty while the bot keeps to it.
    pub fn violations(&self) -> Vec<String> {
        self.with(|inner| inner.violations.clone())
    }

    /// The calls refused for breaking the specification so far, which the
    /// fake then forgets: for a test that makes such calls on purpose and
    /// so must not fail for them ([`Options::strict`]).
    pub fn take_violations(&self) -> Vec<String> {
        self.with(|inner| std::mem::take(&mut inner.violations))
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.with(|inner| inner.calls.clone())
    }

    /// Waits (up to 60 s) for a call after index `since` that `matches`;
    /// returns its index and the call. A strict fake panics as soon as a
    /// call broke the specification.
    pub async fn wait_for(
        &self,
        since: usize,
        what: &str,
        matches: impl Fn(&Call) -> bool,
    ) -> (usize, Call) {
        assert!(self.shared.log, "wait_for needs the log (Options::log)");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let found = self.with(|inner| {
                let mut calls = inner.calls.iter().enumerate().skip(since);
                calls.find(|(_, c)| matches(c)).map(|(i, c)| (i, c.clone()))
            });
            if let Some(found) = found {
                return found;
            }
            let violations = self.violations();
            if self.shared.strict && !violations.is_empty() {
                panic!("while waiting for {what}, {}", broken(&violations));
            }
            if Instant::now() > deadline {
                let calls: Vec<String> = self
                    .calls()
                    .iter()
                    .skip(since)
                    .map(|c| format!("{} {}", c.method, c.body))
                    .collect();
                let shown = &calls[calls.len().saturating_sub(8)..];
                let refused = if violations.is_empty() {
                    String::new()
                } else {
                    format!("\n{}", broken(&violations))
                };
                panic!(
                    "timed out waiting for {what}; {} calls since {since}, the last:\n{}{refused}",
                    calls.len(),
                    shown.join("\n"),
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
