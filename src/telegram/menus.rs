//! The core's command menus as Telegram's: one scope per audience.

use teloxide::types::{BotCommand, BotCommandScope};

use crate::conversation::command::{self, Audience};
use crate::language::Catalog;

/// The three menus in `catalog`'s language, each with its Telegram scope.
pub fn menus(catalog: &Catalog) -> Vec<(BotCommandScope, Vec<BotCommand>)> {
    command::menus(catalog)
        .into_iter()
        .map(|(audience, entries)| {
            let scope = match audience {
                Audience::PrivateChats => BotCommandScope::AllPrivateChats,
                Audience::GroupMembers => BotCommandScope::AllGroupChats,
                Audience::GroupAdmins => BotCommandScope::AllChatAdministrators,
            };
            let commands = entries
                .into_iter()
                .map(|(name, description)| BotCommand::new(name, description))
                .collect();
            (scope, commands)
        })
        .collect()
}
