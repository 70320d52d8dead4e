//! Settings from the environment (and `.env`), gathered into one typed value.

use std::path::PathBuf;

/// Where dialogues come from when nothing else is said.
pub const DEFAULT_DIALOGUES: &str = "dialogues";

/// The folder (or file) dialogues load from: `BOT_DIALOGUES`, else `dialogues`.
pub fn dialogues_path() -> PathBuf {
    std::env::var_os("BOT_DIALOGUES")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_DIALOGUES), PathBuf::from)
}
