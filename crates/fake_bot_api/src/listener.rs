//! Hearing the fake as it works: a load generator reacts to each message
//! the bot sends and times each update, where a test reads the log after.

use serde_json::Value;

use crate::{Call, FakeApi};

/// What a client of the fake hears as it happens. Each is called outside
/// the fake's own locks, so it may act on the fake (send the next answer).
pub trait Listener: Send + Sync + 'static {
    /// A request for `method` (lowercased) arrived, before any fault or delay.
    fn arrived(&self, _method: &str) {}

    /// Updates were handed to the bot: a non-empty `getUpdates` page, or
    /// one webhook POST. An update not yet confirmed is handed out again.
    fn handed_out(&self, _updates: &[Value]) {}

    /// The fake answered one of the bot's calls (every call but
    /// `getUpdates`, and but those a fault or an outage refused first).
    fn called(&self, _api: &FakeApi, _call: &Call) {}
}
