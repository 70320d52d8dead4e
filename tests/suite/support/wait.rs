//! Bounded waits on a condition, instead of a fixed pause: look every
//! 20 ms until the condition holds or the time is up. The condition is
//! something the test can see (the fake's call log, the store, the bot's
//! log or exit), so a wait ends as soon as it holds and names what it
//! waited for when it never does.

use std::future::Future;
use std::time::{Duration, Instant};

/// How often a wait looks again.
const EVERY: Duration = Duration::from_millis(20);

/// Looks at `ready` every 20 ms for up to `within`: its first `Some`, or
/// `None` once the time is up (for a caller that reports the failure itself).
/// A condition that needs no `await` is `|| ready(…)` (`std::future::ready`).
pub async fn poll<T, F: Future<Output = Option<T>>>(
    within: Duration,
    mut ready: impl FnMut() -> F,
) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = ready().await {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// Waits until `ready` gives a value and returns it; panics naming `what`
/// after `within`.
pub async fn until_some<T, F: Future<Output = Option<T>>>(
    within: Duration,
    what: &str,
    ready: impl FnMut() -> F,
) -> T {
    match poll(within, ready).await {
        Some(value) => value,
        None => panic!("timed out after {within:?} waiting for {what}"),
    }
}

/// Waits until `ready` holds; panics naming `what` after `within`.
pub async fn until<F: Future<Output = bool>>(
    within: Duration,
    what: &str,
    mut ready: impl FnMut() -> F,
) {
    let ready = || {
        let holds = ready();
        async { holds.await.then_some(()) }
    };
    until_some(within, what, ready).await;
}

/// [`poll`] for code that is not async (it blocks the thread between looks).
pub fn poll_blocking<T>(within: Duration, mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = ready() {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(EVERY);
    }
}
