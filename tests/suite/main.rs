//! All integration tests in one binary, so they link once.

mod bot;
mod cli;
mod corpus;
mod crash;
mod delivery;
mod engine;
mod fake_api;
mod faults;
mod follow_up;
mod groups;
mod hostile;
mod loader;
mod outage;
mod redis_server;
mod replicas;
mod store;
mod transcripts;
mod understanding;
mod webhook_port;

use std::path::{Path, PathBuf};

use nasal_twitch_bot::script::{self, Script};

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root.
pub fn repo_path(relative: &str) -> PathBuf {
    root().join(relative)
}

/// The dialogue the bot ships with.
pub fn shipped() -> Script {
    script::load_file(&repo_path("dialogues/nasal_twitching.toml")).expect("shipped dialogue loads")
}
