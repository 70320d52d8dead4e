//! Long polling that confirms updates to Telegram only after they were
//! handled and saved.
//!
//! teloxide's own listener confirms an update (by asking for the next offset)
//! before its handler has run, so a crash could drop an answer Telegram will
//! never resend. Here each chat's updates run in order on a worker of their
//! own, chats concurrently, and `getUpdates` only ever confirms the updates
//! below the oldest one still in flight; updates Telegram hands out again
//! while in flight are recognised by id and not queued twice. With
//! the update id stamped on every saved check ([`crate::store::ChatRecord`]),
//! a batch re-delivered after a crash is not applied twice: delivery is
//! at-least-once, the effect on a check exactly-once. Replies sent just before
//! a crash may be sent again.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use teloxide::dispatching::UpdateHandler;
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::*;
use teloxide::types::{Me, Seconds};
use teloxide::{ApiError, RequestError};
use tokio::sync::{mpsc, watch};

use super::flood::Verdict;
use super::outbox::{Target, json_failure, loggable, say};
use super::{App, TgBot, now_ms, render};

/// The handler tree, as both listeners run it.
pub type Handler = UpdateHandler<Box<dyn std::error::Error + Send + Sync + 'static>>;

/// How long one `getUpdates` waits for news, at most.
const POLL_SECONDS: u64 = 10;
/// The longest wait for an update in flight to finish before polling again.
const PARKED: Duration = Duration::from_secs(1);
/// How often a failing update is tried (about a minute in all) before it is given up.
const HANDLE_ATTEMPTS: u32 = 15;
/// The longest pause between failed `getUpdates` (and failed updates).
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long shutdown waits for updates in flight.
const DRAIN: Duration = Duration::from_secs(10);

/// One chat's queue: updates run in order by a worker of its own.
struct ChatQueue {
    sender: mpsc::UnboundedSender<Update>,
    in_flight: usize,
}

/// What the polling loop keeps: which updates are handed out and not yet done.
struct Ledger {
    chats: HashMap<i64, ChatQueue>,
    in_flight: BTreeSet<u32>,
    /// Ids handed out lately (a set, not "below the highest": Telegram may
    /// restart its ids after a quiet week), oldest first for eviction.
    seen: HashSet<u32>,
    seen_order: VecDeque<u32>,
    /// One past the highest id of the last batch.
    next: Option<u32>,
}

/// How many handed-out ids the loop remembers.
const SEEN: usize = 4096;

impl Ledger {
    /// The offset that confirms exactly the updates that are done: everything
    /// below the oldest update still in flight.
    fn confirmed(&self) -> i32 {
        let next = self.in_flight.first().copied().or(self.next).unwrap_or(0);
        i32::try_from(next).unwrap_or(i32::MAX)
    }

    fn is_new(&self, id: u32) -> bool {
        !self.seen.contains(&id)
    }

    fn saw(&mut self, id: u32) {
        if self.seen.insert(id) {
            self.seen_order.push_back(id);
        }
        while self.seen_order.len() > SEEN {
            if let Some(old) = self.seen_order.pop_front() {
                self.seen.remove(&old);
            }
        }
    }
}

/// Polls until `stop` turns true, lets updates in flight finish, confirms
/// what was handled, and returns.
pub async fn run(
    bot: TgBot,
    me: Me,
    app: Arc<App>,
    handler: Handler,
    mut stop: watch::Receiver<bool>,
) {
    // teloxide does not stretch its client timeout for long polls: stay inside it.
    let wait = app
        .http_timeout
        .as_secs()
        .saturating_sub(2)
        .min(POLL_SECONDS) as u32;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(i64, u32)>();
    let mut ledger = Ledger {
        chats: HashMap::new(),
        in_flight: BTreeSet::new(),
        seen: HashSet::new(),
        seen_order: VecDeque::new(),
        next: None,
    };
    let mut backoff = Duration::from_millis(500);
    let mut poll = Box::pin(get_updates(bot.clone(), 0, wait, Duration::ZERO));
    // Set when only updates already in flight came back: the next poll waits
    // for one of them to finish (at most `PARKED`), not to spin on them.
    let mut parked = false;
    loop {
        tokio::select! {
            result = &mut poll => {
                let pause = match result {
                    Ok(updates) => {
                        backoff = Duration::from_millis(500);
                        let mut fresh = 0;
                        if let Some(last) = updates.iter().map(|u| u.id).max() {
                            ledger.next = Some(last.saturating_add(1));
                        }
                        for fetched in updates {
                            if !ledger.is_new(fetched.id) {
                                continue;
                            }
                            fresh += 1;
                            match fetched.parse() {
                                Some(update) => hand_out(&mut ledger, update, &bot, &me, &app, &handler, &done_tx),
                                // Never in flight, so confirmed with the next offset.
                                None => ledger.saw(fetched.id),
                            }
                        }
                        parked = fresh == 0 && !ledger.in_flight.is_empty();
                        if parked { PARKED } else { Duration::ZERO }
                    }
                    Err(e) => {
                        log::error!("getUpdates failed: {}; retrying in {backoff:?}", loggable(&e));
                        let pause = backoff;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        pause
                    }
                };
                poll = Box::pin(get_updates(bot.clone(), ledger.confirmed(), wait, pause));
            }
            Some((chat, id)) = done_rx.recv() => {
                finished(&mut ledger, chat, id);
                if parked {
                    parked = false;
                    poll = Box::pin(get_updates(bot.clone(), ledger.confirmed(), wait, Duration::ZERO));
                }
            }
            _ = stop.changed() => break,
        }
    }
    drop(poll);
    let deadline = tokio::time::Instant::now() + DRAIN;
    while !ledger.in_flight.is_empty() {
        match tokio::time::timeout_at(deadline, done_rx.recv()).await {
            Ok(Some((chat, id))) => finished(&mut ledger, chat, id),
            _ => break,
        }
    }
    // Confirm what is done, so a clean restart does not see it again.
    let offset = ledger.confirmed();
    if offset > 0 {
        let confirm = bot
            .api()
            .get_updates()
            .offset(offset)
            .timeout(0)
            .limit(1)
            .send()
            .await;
        if let Err(e) = confirm {
            log::warn!("could not confirm the last updates: {}", loggable(&e));
        }
    }
}

/// An update as `getUpdates` returned it: its id, and the rest still as
/// text. A page asked for again while its updates are in flight is mostly
/// updates already handed out; only new ones are parsed in full.
struct Fetched {
    id: u32,
    json: Box<RawValue>,
}

impl Fetched {
    /// The whole update; `None` (logged by id) when it does not parse.
    fn parse(&self) -> Option<Update> {
        serde_json::from_str(self.json.get())
            .map_err(|e| {
                let failure = json_failure(&e);
                log::warn!("update {} could not be read ({failure}); skipped", self.id);
            })
            .ok()
    }
}

/// A `getUpdates` answer, with the updates left unparsed.
#[derive(Deserialize)]
struct Page {
    ok: bool,
    #[serde(default)]
    result: Vec<Box<RawValue>>,
    description: Option<String>,
    parameters: Option<PageParameters>,
}

#[derive(Deserialize)]
struct PageParameters {
    retry_after: Option<u32>,
}

#[derive(Deserialize)]
struct UpdateId {
    update_id: u32,
}

/// Asks for the updates from `offset` on, after `pause`. teloxide's
/// `get_updates` would parse every update of the page (through serde's
/// buffered untagged enum) each time; this reads ids first.
async fn get_updates(
    bot: TgBot,
    offset: i32,
    wait: u32,
    pause: Duration,
) -> Result<Vec<Fetched>, RequestError> {
    tokio::time::sleep(pause).await;
    let api = bot.api();
    // The address teloxide builds: `<API URL>/bot<token>/getUpdates`.
    let mut url = api.api_url();
    url.path_segments_mut()
        .map_err(|()| RequestError::Io(Arc::new(std::io::Error::other("bad Bot API URL"))))?
        .push(&format!("bot{}", api.token()))
        .push("getUpdates");
    let body = serde_json::json!({
        "offset": offset,
        "timeout": wait,
        "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"],
    });
    let text = api
        .client()
        .post(url)
        .json(&body)
        .send()
        .await?
        .text()
        .await?;
    let page: Page = serde_json::from_str(&text).map_err(|e| RequestError::InvalidJson {
        source: Arc::new(e),
        raw: text.into(),
    })?;
    if !page.ok {
        let retry_after = page.parameters.and_then(|p| p.retry_after);
        if let Some(seconds) = retry_after {
            return Err(RequestError::RetryAfter(Seconds::from_seconds(seconds)));
        }
        let description = page.description.unwrap_or_default();
        let error = serde_json::from_value(serde_json::Value::String(description.clone()))
            .unwrap_or(ApiError::Unknown(description));
        return Err(RequestError::Api(error));
    }
    let updates = page.result.into_iter().filter_map(|json| {
        match serde_json::from_str::<UpdateId>(json.get()) {
            Ok(UpdateId { update_id: id }) => Some(Fetched { id, json }),
            Err(_) => {
                log::warn!("getUpdates returned an item without an update id; skipped");
                None
            }
        }
    });
    Ok(updates.collect())
}

/// Queues an update behind the earlier ones of its chat.
fn hand_out(
    ledger: &mut Ledger,
    update: Update,
    bot: &TgBot,
    me: &Me,
    app: &Arc<App>,
    handler: &Handler,
    done: &mpsc::UnboundedSender<(i64, u32)>,
) {
    // Updates without a chat get a key of their own (never a real chat id).
    let key = update
        .chat()
        .map_or(i64::MIN + i64::from(update.id.0), |c| c.id.0);
    let id = update.id.0;
    ledger.saw(id);
    ledger.in_flight.insert(id);
    let queue = ledger.chats.entry(key).or_insert_with(|| {
        let (sender, mut receiver) = mpsc::unbounded_channel::<Update>();
        let (bot, me, app, handler, done) = (
            bot.clone(),
            me.clone(),
            Arc::clone(app),
            handler.clone(),
            done.clone(),
        );
        tokio::spawn(async move {
            // Ends when the loop drops the sender: the chat is idle.
            while let Some(update) = receiver.recv().await {
                let id = update.id.0;
                // A failure (e.g. the store is down) is tried again, in order,
                // before the chat's later updates: the answer is not lost.
                let mut pause = Duration::from_millis(500);
                for attempt in 1..=HANDLE_ATTEMPTS {
                    if handle(&bot, &me, &app, &handler, update.clone()).await {
                        break;
                    }
                    if attempt < HANDLE_ATTEMPTS {
                        log::warn!("update {id}: trying again in {pause:?}");
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(MAX_BACKOFF);
                    } else {
                        log::error!("update {id}: given up after {HANDLE_ATTEMPTS} attempts");
                    }
                }
                let _ = done.send((key, id));
            }
        });
        ChatQueue {
            sender,
            in_flight: 0,
        }
    });
    queue.in_flight += 1;
    if queue.sender.send(update).is_err() {
        log::error!("the worker of update {id} stopped unexpectedly");
    }
}

/// Marks an update done; a chat with nothing in flight lets its worker go.
fn finished(ledger: &mut Ledger, chat: i64, id: u32) {
    ledger.in_flight.remove(&id);
    if let Some(queue) = ledger.chats.get_mut(&chat) {
        queue.in_flight = queue.in_flight.saturating_sub(1);
        if queue.in_flight == 0 {
            ledger.chats.remove(&chat);
        }
    }
}
/// Runs one update through flood control and the handler tree; false when
/// handling failed (logged by update id, never its text).
pub async fn handle(
    bot: &TgBot,
    me: &Me,
    app: &Arc<App>,
    handler: &Handler,
    update: Update,
) -> bool {
    app.metrics.updates.fetch_add(1, Ordering::Relaxed);
    let id = update.id.0;
    if let Some(chat) = update.chat().map(|c| c.id) {
        match app.flood.check(chat.0, now_ms()) {
            Verdict::Allow => {}
            Verdict::Warn => {
                log::info!("chat {} is flooding; pausing replies for a minute", chat.0);
                let note = "You are sending a lot very quickly, so I will pause for a minute. \
                            Your answers so far are kept.";
                if let Err(e) = say(bot, Target::chat(chat), &render::plain(note), None).await {
                    log::error!("update {id} failed: {}", loggable(&*e));
                }
                return true;
            }
            Verdict::Drop => return true,
        }
    }
    let deps = dptree::deps![bot.clone(), me.clone(), Arc::clone(app), update];
    match handler.dispatch(deps).await {
        ControlFlow::Break(Err(e)) => {
            app.metrics.errors.fetch_add(1, Ordering::Relaxed);
            log::error!("update {id} failed: {}", loggable(&*e));
            false
        }
        _ => true,
    }
}
