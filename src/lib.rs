//! A Telegram bot that helps people with nasal (nose and face) twitching.
//!
//! It runs a short check — a red-flag screen first, then how often, how long,
//! pain, vision or hearing changes, other symptoms and stress — and answers
//! with a triage level, guidance restated from a consumer-health article, and
//! stress-management tips. It never diagnoses.
//!
//! # Layout
//!
//! - [`language`]: what changes from one language to the next: the bot's own
//!   words as Fluent catalogs with plural rules (`locales/<lang>/bot.ftl`),
//!   the words typed answers are read with (`locales/<lang>/understanding.toml`),
//!   how letters fold for matching, and how a language tag is normalised.
//! - [`script`]: the dialogue as data. TOML files under `dialogues/` declare
//!   questions, rules, outcomes, tips and sources, and each language overlay
//!   their texts; loading checks all of it and reports every problem with
//!   file, line and column.
//! - [`engine`]: the pure state machine, `(script, session, input) -> (session,
//!   replies)`. No I/O, no Telegram, never panics.
//! - [`conversation`]: the application service: one inbox entry handled as
//!   one atomic store operation (read the check, step the engine, save the
//!   check and the rendered replies, mark the entry done). Knows no HTTP.
//! - [`telegram`]: the Telegram edge: long polling and webhooks that write
//!   updates to a durable inbox before confirming them, per-chat lanes, the
//!   sender that drains outboxes under Telegram's limits with its own
//!   retries, rendering, commands, private chats and groups.
//! - [`store`]: traits for the inbox, checks, outbox and groups, implemented
//!   by SQLite (the default, versioned migrations), memory, and Redis shared
//!   by several replicas (leases per chat, a shared send budget).
//! - [`terminal`]: the engine in a terminal (`chat`), also used by transcript tests.
//! - [`config`]: settings from the environment and `.env`.
//! - [`cli`]: the `run`, `check`, `chat` and `graph` commands; `main.rs` only calls it.
//!
//! Data flows one way: Telegram → intake (inbox write, then confirm) →
//! per-chat lane → conversation service (engine step + outbox entries, one
//! atomic write) → sender (paced, retried) → Telegram.

pub mod cli;
pub mod config;
pub mod conversation;
pub mod engine;
pub mod language;
pub mod logging;
pub mod matrix;
pub mod message;
pub mod platforms;
pub mod runtime;
pub mod script;
pub mod store;
pub mod telegram;
pub mod terminal;
pub mod text;
