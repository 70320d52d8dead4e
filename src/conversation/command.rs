//! The commands each kind of chat understands, read from a message's text,
//! and the menus a platform shows for them. A platform's edge removes its
//! own addressing first (Telegram's `/check@ThisBot` becomes `/check`); a
//! command still addressed to someone (`/check@OtherBot`) is not ours.

use crate::language::Catalog;

/// Commands in a private chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Welcome; `/start check` begins the check at once.
    Start(String),
    /// Begin the check, or continue where you left off.
    Check,
    /// Change your last answer.
    Back,
    /// Start the check again.
    Restart,
    /// Ways to ease stress.
    Tips,
    /// A recap of your check to show a doctor.
    Summary,
    /// Stop the check and any follow-up (answers are kept).
    Cancel,
    /// What this bot is, its sources and what it keeps.
    About,
    /// What is kept about you, for how long, and how to delete it.
    Privacy,
    /// Everything kept about you, as a file.
    Export,
    /// Delete everything kept about you.
    Forget,
    /// Choose the language; `/language es` picks one at once.
    Language(String),
    /// Log twitching now in the diary; what follows is a note ("3 times").
    Log(String),
    /// The diary's chart; `/diary on` and `/diary off` switch it.
    Diary(String),
    /// How to use the bot.
    Help,
}

/// Commands in a group; no health question is ever asked there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupCommand {
    /// Introduction.
    Start(String),
    /// Start your private check.
    Check,
    /// Ways to ease stress.
    Tips,
    /// What this bot is and its sources.
    About,
    /// How the bot works in this group.
    Help,
    /// Group settings (admins only).
    Settings,
}

/// The private commands, in menu order.
pub const PRIVATE: [&str; 15] = [
    "start", "check", "back", "restart", "tips", "summary", "log", "diary", "cancel", "about",
    "privacy", "export", "forget", "language", "help",
];

/// The group commands, in menu order.
pub const GROUP: [&str; 6] = ["start", "check", "tips", "about", "help", "settings"];

/// A command's name and what follows it (after the first space), when
/// `text` is a command meant for us.
fn split(text: &str) -> Option<(&str, &str)> {
    let (head, args) = text.split_once(' ').unwrap_or((text, ""));
    let name = head.strip_prefix('/')?;
    // Addressed to another bot (ours was removed by the edge).
    if name.contains('@') {
        return None;
    }
    Some((name, args))
}

impl Command {
    /// The private command `text` is, if it is one.
    pub fn parse(text: &str) -> Option<Command> {
        let (name, args) = split(text)?;
        Some(match name {
            "start" => Command::Start(args.to_string()),
            "check" => Command::Check,
            "back" => Command::Back,
            "restart" => Command::Restart,
            "tips" => Command::Tips,
            "summary" => Command::Summary,
            "cancel" => Command::Cancel,
            "about" => Command::About,
            "privacy" => Command::Privacy,
            "export" => Command::Export,
            "forget" => Command::Forget,
            "language" => Command::Language(args.to_string()),
            "log" => Command::Log(args.to_string()),
            "diary" => Command::Diary(args.to_string()),
            "help" => Command::Help,
            _ => return None,
        })
    }
}

impl GroupCommand {
    /// The group command `text` is, if it is one.
    pub fn parse(text: &str) -> Option<GroupCommand> {
        let (name, args) = split(text)?;
        Some(match name {
            "start" => GroupCommand::Start(args.to_string()),
            "check" => GroupCommand::Check,
            "tips" => GroupCommand::Tips,
            "about" => GroupCommand::About,
            "help" => GroupCommand::Help,
            "settings" => GroupCommand::Settings,
            _ => return None,
        })
    }
}

/// Who a menu is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// People in their private chats.
    PrivateChats,
    /// Members of groups.
    GroupMembers,
    /// Administrators of groups (they also get `/settings`).
    GroupAdmins,
}

/// A menu: (command, description) pairs in `catalog`'s language
/// (`command-<name>`, `group-command-<name>` where a group's differs),
/// without the commands in `skip`.
fn menu(names: &[&str], catalog: &Catalog, prefix: &str, skip: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .filter(|name| !skip.contains(name))
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
            (name.to_string(), catalog.text(&id))
        })
        .collect()
}

/// The three menus in `catalog`'s language, for whoever they are for.
pub fn menus(catalog: &Catalog) -> Vec<(Audience, Vec<(String, String)>)> {
    vec![
        (
            Audience::PrivateChats,
            menu(&PRIVATE, catalog, "command-", &[]),
        ),
        (
            Audience::GroupMembers,
            menu(&GROUP, catalog, "group-command-", &["start", "settings"]),
        ),
        (
            Audience::GroupAdmins,
            menu(&GROUP, catalog, "group-command-", &["start"]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_read_as_the_bot_always_read_them() {
        assert_eq!(
            Command::parse("/start check"),
            Some(Command::Start("check".into()))
        );
        assert_eq!(
            Command::parse("/start"),
            Some(Command::Start(String::new()))
        );
        assert_eq!(Command::parse("/check now"), Some(Command::Check));
        assert_eq!(
            Command::parse("/language  es"),
            Some(Command::Language(" es".into()))
        );
        assert_eq!(Command::parse("/check@OtherBot"), None);
        assert_eq!(Command::parse("/Check"), None);
        assert_eq!(Command::parse("check"), None);
        assert_eq!(Command::parse("/settings"), None);
        assert_eq!(
            GroupCommand::parse("/settings"),
            Some(GroupCommand::Settings)
        );
        assert_eq!(GroupCommand::parse("/summary"), None);
    }

    #[test]
    fn every_menu_entry_has_its_words() {
        let en = Catalog::english();
        for (_, entries) in menus(en) {
            for (name, description) in entries {
                assert!(!description.is_empty(), "/{name}");
            }
        }
    }
}
