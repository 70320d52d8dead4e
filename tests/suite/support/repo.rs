//! Paths in the repository, the shipped dialogue, and scratch space.

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

/// The folder of dialogues the bot ships with (`BOT_DIALOGUES` for tests of
/// the shipped content).
pub fn shipped_dir() -> PathBuf {
    repo_path("dialogues")
}

/// The dialogue the bot ships with.
pub fn shipped() -> Script {
    script::load_file(&repo_path("dialogues/nasal_twitching.toml")).expect("shipped dialogue loads")
}

/// A fresh folder, deleted when dropped.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// A port of 127.0.0.1 free a moment ago, for a server a test starts.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}
