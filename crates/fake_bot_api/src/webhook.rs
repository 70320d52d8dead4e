//! Webhook delivery, as Telegram does it: each chat's updates POSTed in
//! order, each until it is answered 200, at most [`CONNECTIONS`] at once,
//! to the replicas a [`Route`] picks.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};

use crate::SECRET;
use crate::state::Shared;

/// POSTs in flight at once: Telegram's default `max_connections`.
const CONNECTIONS: usize = 40;

/// How long one update is tried before it is given up.
const GIVE_UP: Duration = Duration::from_secs(60);

/// The pause before an update not answered 200 is sent again.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// How updates are spread over replicas.
#[derive(Debug, Clone, Copy)]
pub enum Route {
    /// Replica 0, 1, 0, 1… by update.
    Alternate,
    /// A random replica per update (fixed seed); with `race_per_mille`/1000
    /// of updates also POSTed to another replica at the same moment, as a
    /// Telegram retry racing the first attempt would be.
    Random { race_per_mille: u64 },
    /// Replica 0, 1, 0, 1… by update, as [`Route::Alternate`], behind a load
    /// balancer: an attempt that fails (connection refused, not 200) is sent
    /// again to the next replica, so a dead replica's share goes to a live one.
    Failover,
}

/// Where updates go while webhook delivery is on.
pub(crate) struct Webhook {
    targets: Vec<String>,
    secret: String,
    route: Route,
    client: reqwest::Client,
    /// Free connections, shared by every chat.
    slots: Arc<Semaphore>,
    /// Each chat's queue, POSTed in order by a task of its own.
    chats: HashMap<i64, mpsc::UnboundedSender<(Value, usize)>>,
    delivered: u64,
}

impl Webhook {
    pub(crate) fn new(targets: Vec<String>, secret: &str, route: Route) -> Webhook {
        assert!(!targets.is_empty(), "a webhook needs a replica");
        Webhook {
            targets,
            secret: secret.to_string(),
            route,
            client: reqwest::Client::new(),
            slots: Arc::new(Semaphore::new(CONNECTIONS)),
            chats: HashMap::new(),
            delivered: 0,
        }
    }

    /// The replica this update goes to, and one a racing copy goes to.
    fn pick(&mut self) -> (usize, Option<usize>) {
        self.delivered += 1;
        let (n, replicas) = (self.delivered, self.targets.len() as u64);
        match self.route {
            Route::Alternate | Route::Failover => ((n % replicas) as usize, None),
            Route::Random { race_per_mille } => {
                let roll = n.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
                let target = (roll % replicas) as usize;
                let race =
                    (roll / 7 % 1000 < race_per_mille).then(|| (target + 1) % replicas as usize);
                (target, race)
            }
        }
    }

    /// POSTs `update` after the chat's earlier ones, to the replica the
    /// route picks (and a racing copy to another, if it picks one).
    pub(crate) fn post(&mut self, shared: &Arc<Shared>, update: Value) {
        let (target, race) = self.pick();
        if let Some(other) = race {
            let (slots, request) = self.request(other, &update);
            tokio::spawn(send(slots, request, || ()));
        }
        let chat = crate::update_chat(&update).unwrap_or(0);
        let failover = matches!(self.route, Route::Failover);
        let queue = self.chats.entry(chat).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(deliver(Arc::downgrade(shared), rx, failover));
            tx
        });
        let _ = queue.send((update, target));
    }

    /// A POST of `update` to replica `target`, and the connections it waits for.
    fn request(&self, target: usize, update: &Value) -> (Arc<Semaphore>, reqwest::RequestBuilder) {
        let request = self
            .client
            .post(&self.targets[target % self.targets.len()])
            .header(SECRET, &self.secret)
            .header("content-type", "application/json")
            .body(update.to_string());
        (Arc::clone(&self.slots), request)
    }
}

/// Sends `request` once one of `slots` is free (`heard` is told just before
/// it goes); true if it was answered 200.
async fn send(
    slots: Arc<Semaphore>,
    request: reqwest::RequestBuilder,
    heard: impl FnOnce(),
) -> bool {
    let Ok(_slot) = slots.acquire_owned().await else {
        return false;
    };
    heard();
    let sent = request.send().await;
    sent.is_ok_and(|r| r.status() == 200)
}

/// One chat's updates, in order: each is POSTed (again every
/// [`RETRY_AFTER`], to the next replica with failover) until answered 200.
/// It counts as handed out when its POST goes, not while it waits its turn.
async fn deliver(
    shared: Weak<Shared>,
    mut queue: mpsc::UnboundedReceiver<(Value, usize)>,
    failover: bool,
) {
    while let Some((update, mut target)) = queue.recv().await {
        let deadline = Instant::now() + GIVE_UP;
        loop {
            let Some(shared) = shared.upgrade() else {
                return;
            };
            let Some((slots, request)) = shared
                .webhook
                .lock()
                .unwrap()
                .as_ref()
                .map(|hook| hook.request(target, &update))
            else {
                return;
            };
            let heard = || {
                if let Some(listener) = &shared.listener {
                    listener.handed_out(std::slice::from_ref(&update));
                }
            };
            if send(slots, request, heard).await || Instant::now() > deadline {
                break;
            }
            shared.inner.lock().unwrap().webhook_retries += 1;
            if failover {
                target += 1;
            }
            drop(shared);
            tokio::time::sleep(RETRY_AFTER).await;
        }
    }
}
