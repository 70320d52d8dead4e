//! A Telegram bot that helps people with nasal (nose and face) twitching.
//!
//! It runs a short check — a red-flag screen first, then how often, how long,
//! pain, vision or hearing changes, other symptoms and stress — and answers
//! with a triage level, guidance restated from a consumer-health article, and
//! stress-management tips. It never diagnoses.
//!
//! # Layout
//!
//! ARCHITECTURE.md is the map. Lowest first:
//!
//! - [`text`], [`language`]: plain-text helpers; what changes from one
//!   language to the next (catalogs with plural rules, the words typed
//!   answers are read with, letter folding, language tags).
//! - [`script`]: the dialogue as data, checked with file, line and column.
//! - [`engine`]: the pure state machine, `(script, session, input) ->
//!   (session, replies)`. No I/O, no platform, never panics.
//! - [`message`]: the bot's own vocabulary on any platform: chat and message
//!   ids, incoming events, outgoing messages, buttons with typed actions.
//! - [`store`]: inbox, checks, outbox, group settings and leases; memory,
//!   SQLite (default) and Redis (replicas). Holds only [`message`] types.
//! - [`conversation`]: the core: what every input means (commands, the
//!   check, groups, flood, language, data rights, follow-ups), committed
//!   as one atomic store operation per inbox entry.
//! - [`runtime`]: per-chat lanes, the inbox processor, the paced sender with
//!   retries, housekeeping and shutdown, for any platform.
//! - [`telegram`], [`matrix`]: the edges; [`platforms`] serves them in one
//!   process over one store.
//! - [`terminal`], [`config`], [`cli`]: the `chat` front end, settings, and
//!   the commands (`main.rs` only calls [`cli`]).
//!
//! Data flows one way: a platform → its edge (decode; inbox write, then
//! confirm) → per-chat lane → the core (engine step + outbox entries, one
//! atomic write) → sender (paced, retried) → the edge (render) → the platform.

pub mod cli;
pub mod config;
pub mod conversation;
pub mod diary;
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
