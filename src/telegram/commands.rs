//! The commands each kind of chat understands, and the menus shown for them.

use teloxide::types::{BotCommand, BotCommandScope};
use teloxide::utils::command::BotCommands;

/// Commands in a private chat.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// Welcome; `/start check` begins the check at once
    Start(String),
    /// Begin the check, or continue where you left off
    Check,
    /// Change your last answer
    Back,
    /// Start the check again
    Restart,
    /// Ways to ease stress
    Tips,
    /// A recap of your check to show a doctor
    Summary,
    /// Stop the check and any follow-up (answers are kept)
    Cancel,
    /// What this bot is, its sources and what it keeps
    About,
    /// What is kept about you, for how long, and how to delete it
    Privacy,
    /// Everything kept about you, as a file
    Export,
    /// Delete everything kept about you
    Forget,
    /// How to use the bot
    Help,
}

/// Commands in a group; no health question is ever asked there.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum GroupCommand {
    /// Introduction
    Start(String),
    /// Start your private check
    Check,
    /// Ways to ease stress
    Tips,
    /// What this bot is and its sources
    About,
    /// How the bot works in this group
    Help,
    /// Group settings (admins only)
    Settings,
}

/// Telegram wants command names without the leading slash teloxide adds.
fn menu(commands: Vec<BotCommand>, skip: &[&str]) -> Vec<BotCommand> {
    commands
        .into_iter()
        .map(|c| BotCommand::new(c.command.trim_start_matches('/'), c.description))
        .filter(|c| !skip.contains(&c.command.as_str()))
        .collect()
}

/// The three menus: private chats, group members, group administrators.
pub fn menus() -> Vec<(BotCommandScope, Vec<BotCommand>)> {
    vec![
        (
            BotCommandScope::AllPrivateChats,
            menu(Command::bot_commands(), &[]),
        ),
        (
            BotCommandScope::AllGroupChats,
            menu(GroupCommand::bot_commands(), &["start", "settings"]),
        ),
        (
            BotCommandScope::AllChatAdministrators,
            menu(GroupCommand::bot_commands(), &["start"]),
        ),
    ]
}
