//! A Telegram bot that helps people with nasal (nose and face) twitching.
//!
//! It runs a short check — a red-flag screen first, then how often, how long,
//! pain, vision or hearing changes, other symptoms and stress — and answers
//! with a triage level, guidance restated from a consumer-health article, and
//! stress-management tips. It never diagnoses.
//!
//! # Layout
//!
//! - [`script`]: the dialogue as data. TOML files under `dialogues/` declare
//!   questions, rules, outcomes, tips and sources; loading checks all of it and
//!   reports every problem with file, line and column.
//! - [`engine`]: the pure state machine, `(script, session, input) -> (session,
//!   replies)`. No I/O, no Telegram, never panics.
//! - [`telegram`]: the Telegram edge: handler tree, commands, keyboards, HTML,
//!   private chats and groups, long polling that confirms only handled
//!   updates, webhook mode with `/healthz` and `/metrics`.
//! - [`store`]: where checks and group settings are kept: SQLite by default,
//!   memory, or Redis shared by several replicas (compare-and-set writes).
//! - [`terminal`]: the engine in a terminal (`chat`), also used by transcript tests.
//! - [`config`]: settings from the environment and `.env`.
//! - [`cli`]: the `run`, `check`, `chat` and `graph` commands; `main.rs` only calls it.
//!
//! Data flows one way: an input becomes an engine [`engine::Input`], the engine
//! computes the next [`engine::Session`] and platform-neutral [`engine::Reply`]s,
//! and the front end shows them.

pub mod cli;
pub mod config;
pub mod engine;
pub mod script;
pub mod store;
pub mod telegram;
pub mod terminal;
