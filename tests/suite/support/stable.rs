//! The stable fixture dialogue (`tests/fixtures/stable/`): the shipped
//! dialogue's shape in wording the tests own, for every test that is not
//! about the shipped content. These are the texts those tests look for.

use std::path::PathBuf;

use nasal_twitch_bot::script::{self, Script};

use super::repo_path;

/// The fixture's file name (a test copies it to change its version).
pub const FILE: &str = "stable_check.toml";

/// The folder holding only the fixture (`BOT_DIALOGUES`).
pub fn dir() -> PathBuf {
    repo_path("tests/fixtures/stable")
}

/// The fixture, loaded.
pub fn script() -> Script {
    script::load_file(&dir().join(FILE)).expect("the stable fixture loads")
}

/// What `/start` answers with.
pub const INTRO: &str = "Hello from the stable test check";

/// A piece of the disclaimer (shown with the intro in groups and private chats).
pub const DISCLAIMER: &str = "Stable disclaimer";

/// A piece of every question.
pub const ANY_QUESTION: &str = "Stable question";

/// The questions, by a unique piece of each.
pub const Q_RED_FLAGS: &str = "Stable question 1:";
pub const Q_FREQUENCY: &str = "Stable question 2:";
pub const Q_DURATION: &str = "Stable question 3:";
pub const Q_PAIN: &str = "Stable question 4:";
pub const Q_VISION: &str = "Stable question 5:";
pub const Q_OTHER: &str = "Stable question 6:";
pub const Q_DETAILS: &str = "Stable question 6b:";
pub const Q_STRESS: &str = "Stable question 7:";

/// The buttons of the red-flag question.
pub const SIGN_YES: &str = "Yes, a warning sign";
pub const SIGN_NO: &str = "No warning sign";

/// The tips' title, and a piece of the first tip.
pub const TIPS: &str = "Stable tips";
pub const FIRST_TIP: &str = "Stable tip one";

/// The title of the fixture's one source (`/about` lists it).
pub const SOURCE: &str = "The stable test fixture";

/// The piece of the verdict an outcome (by id) is shown with.
pub fn verdict(outcome: &str) -> &'static str {
    match outcome {
        "emergency" => "EMERGENCY",
        "see_doctor" => "SEE A DOCTOR",
        "self_care" => "SELF-CARE",
        other => panic!("the stable fixture has no outcome {other}"),
    }
}
