//! A fake Telegram Bot API server on 127.0.0.1, for the bot's end-to-end
//! tests and its load generator: it hands out the updates its users send
//! (by `getUpdates`, or POSTed to webhook replicas), answers the bot's calls
//! like Telegram would (JSON, form-encoded as aiogram sends them, or
//! multipart), records every call, and misbehaves on request (faults,
//! throttling, delays, outages, blocked chats).
//!
//! Every call is checked against the Bot API specification first
//! ([`spec`], from `tests/botapi/api.json`) and refused as Telegram would
//! refuse it if it breaks it; [`FakeApi::checked`] counts the calls checked
//! and [`FakeApi::violations`] lists the refusals. Such a call fails the
//! test that started the fake ([`Options::strict`]); [`TALLY`] names a file
//! each fake adds its count to, to count a whole test run's calls.
//!
//! A test starts it with [`FakeApi::start`] and reads the call log
//! ([`FakeApi::calls`], [`FakeApi::wait_for`]); a long load run starts it
//! with [`Options::log`] off and hears each call as it happens through a
//! [`Listener`].

mod call;
mod fake;
mod faults;
mod listener;
mod params;
mod server;
pub mod spec;
mod state;
mod users;
mod webhook;

pub use call::Call;
pub use fake::{FakeApi, Options, TALLY};
pub use faults::Fault;
pub use listener::Listener;
pub use users::update_chat;
pub use webhook::Route;

/// The fake bot's own user id: its messages and its membership in groups carry it.
pub const BOT_ID: i64 = 4242;

/// The fake bot's username: deep links and `/check@<bot>` commands name it.
pub const BOT_USERNAME: &str = "twitch_test_bot";

/// The header Telegram puts the webhook secret in.
pub const SECRET: &str = "X-Telegram-Bot-Api-Secret-Token";
