//! All integration tests in one binary, so they link once. Shared helpers
//! live in `support`, the fake Bot API in the `fake_bot_api` crate; test
//! files import from those, never from one another.

mod support;

mod bot;
mod cli;
mod corpus;
mod crash;
mod delivery;
mod diary;
mod engine;
mod faults;
mod follow_up;
mod golden;
mod groups;
mod hostile;
mod languages;
mod languages_parsing;
mod lifecycle;
mod loader;
mod outage;
mod privacy;
mod replicas;
mod store;
mod transcripts;
mod understanding;
mod webhook_port;
