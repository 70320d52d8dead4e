//! The commands each kind of chat understands, and the menus shown for them.

use teloxide::types::{BotCommand, BotCommandScope};
use teloxide::utils::command::BotCommands;

use crate::language::Catalog;

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
    /// Choose the language; `/language es` picks one at once
    Language(String),
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

/// A menu from teloxide's list of commands, described in `catalog`'s
/// language (`command-<name>`, `group-command-<name>` where a group's
/// differs), without the leading slash and the commands in `skip`.
fn menu(
    commands: Vec<BotCommand>,
    catalog: &Catalog,
    prefix: &str,
    skip: &[&str],
) -> Vec<BotCommand> {
    commands
        .into_iter()
        .map(|c| c.command.trim_start_matches('/').to_string())
        .filter(|name| !skip.contains(&name.as_str()))
        .map(|name| {
            // The group's own wording when this language has one, else the
            // private chat's, never English when the language has either.
            let own = format!("{prefix}{name}");
            let private = format!("command-{name}");
            let id = if catalog.has(&own) || !catalog.has(&private) && Catalog::english().has(&own)
            {
                own
            } else {
                private
            };
            let description = catalog.text(&id);
            BotCommand::new(name, description)
        })
        .collect()
}

/// The three menus in `catalog`'s language: private chats, group members,
/// group administrators.
pub fn menus(catalog: &Catalog) -> Vec<(BotCommandScope, Vec<BotCommand>)> {
    vec![
        (
            BotCommandScope::AllPrivateChats,
            menu(Command::bot_commands(), catalog, "command-", &[]),
        ),
        (
            BotCommandScope::AllGroupChats,
            menu(
                GroupCommand::bot_commands(),
                catalog,
                "group-command-",
                &["start", "settings"],
            ),
        ),
        (
            BotCommandScope::AllChatAdministrators,
            menu(
                GroupCommand::bot_commands(),
                catalog,
                "group-command-",
                &["start"],
            ),
        ),
    ]
}
