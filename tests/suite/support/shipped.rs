//! The dialogue the bot ships with (`dialogues/`), for the tests about the
//! shipped content: these are the texts they look for.

use std::path::PathBuf;

use nasal_twitch_bot::script::{self, Dialogue, Script};

use super::repo_path;

/// The folder of dialogues the bot ships with (`BOT_DIALOGUES`).
pub fn dir() -> PathBuf {
    repo_path("dialogues")
}

/// The shipped dialogue in every language it has (`dialogues/` with `locales/`).
pub fn dialogue() -> Dialogue {
    let scripts =
        script::load_checked(&[dir()], &repo_path("locales")).expect("shipped languages load");
    script::select(scripts, None).expect("one shipped dialogue")
}

/// The shipped dialogue, loaded.
pub fn script() -> Script {
    script::load_file(&dir().join("nasal_twitching.toml")).expect("shipped dialogue loads")
}

/// The shipped questions, by a unique piece of each.
pub const Q_RED_FLAGS: &str = "First, a safety question";
pub const Q_FREQUENCY: &str = "How often does the twitching";
pub const Q_DURATION: &str = "How long has it been going on?";
pub const Q_PAIN: &str = "pain or discomfort?";
pub const Q_VISION: &str = "vision or your hearing?";
pub const Q_VISION_SUDDEN: &str = "Did the change in your sight come on suddenly";
pub const Q_OTHER: &str = "Any other unusual symptoms?";
pub const Q_DETAILS: &str = "In a few words, what else";
pub const Q_STRESS: &str = "under stress or feeling anxious";
