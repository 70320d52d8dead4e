//! A group as the bot shows it: its messages and answers to presses, in order.

use std::time::Duration;

use fake_bot_api::{Call, FakeApi};

use super::wait;

/// Reads the bot's messages to one group in order.
pub struct GroupView {
    api: FakeApi,
    chat: i64,
    seen: usize,
}

impl GroupView {
    /// The group `chat`, read from the bot's first call on.
    pub fn new(api: &FakeApi, chat: i64) -> GroupView {
        GroupView {
            api: api.clone(),
            chat,
            seen: 0,
        }
    }

    /// The next call of `method` to this group.
    pub async fn next(&mut self, method: &str) -> Call {
        let chat = self.chat;
        let (index, call) = self
            .api
            .wait_for(self.seen, method, |c| {
                c.method == method && c.chat() == Some(chat)
            })
            .await;
        self.seen = index + 1;
        call
    }

    /// The next message to this group.
    pub async fn message(&mut self) -> Call {
        self.next("sendmessage").await
    }

    /// The next answer to a button press (any chat).
    pub async fn pressed(&mut self) -> Call {
        let (index, call) = self
            .api
            .wait_for(self.seen, "answercallbackquery", |c| {
                c.method == "answercallbackquery"
            })
            .await;
        self.seen = index + 1;
        call
    }
}

/// Messages sent to `chat` so far, once `count` of them arrived (60 s at most).
pub async fn messages_to(api: &FakeApi, chat: i64, count: usize) -> Vec<Call> {
    let sent = || -> Vec<Call> {
        api.calls()
            .into_iter()
            .filter(|c| c.method == "sendmessage" && c.chat() == Some(chat))
            .collect()
    };
    let enough = || std::future::ready(Some(sent()).filter(|s| s.len() >= count));
    wait::poll(Duration::from_secs(60), enough)
        .await
        .unwrap_or_else(sent)
}
