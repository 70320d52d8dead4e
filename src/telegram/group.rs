//! Groups: an introduction on joining, commands that point to the private
//! check, admin settings, one combined welcome for new members, and settings
//! that follow a group upgraded to a supergroup. Never a health question here.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, Me, User};
use teloxide::utils::command::BotCommands;

use super::commands::{Command, GroupCommand};
use super::outbox::{HandlerResult, Target, answer_button, edit, loggable, say, skip_gone};
use super::{App, TgBot, now_ms, render};
use crate::engine;
use crate::store::{GroupSettings, Rhythm};

/// A message in a group or supergroup.
pub async fn message(bot: &TgBot, msg: &Message, me: &Me, app: &Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    if let Some(to) = msg.migrate_to_chat_id() {
        log::info!(
            "group {} became supergroup {}; settings moved",
            chat.0,
            to.0
        );
        return Ok(app.store.move_group(chat.0, to.0).await?);
    }
    if let Some(members) = msg.new_chat_members() {
        let names: Vec<String> = members
            .iter()
            .filter(|u| !u.is_bot)
            .map(display_name)
            .collect();
        if !names.is_empty() {
            queue_welcome(bot.clone(), Arc::clone(app), chat, names);
        }
        return Ok(());
    }
    let Some(text) = msg.text() else {
        return Ok(());
    };
    let here = Target::reply_to(msg);
    match GroupCommand::parse(text, me.username()) {
        Ok(GroupCommand::Start(_) | GroupCommand::Check) => to_private(bot, here, me).await,
        Ok(GroupCommand::Tips) => {
            let tips = engine::tips(&app.script, None);
            say(bot, here, &render::tips(&tips), None).await
        }
        Ok(GroupCommand::About) => say(bot, here, &render::group_about(&app.script), None).await,
        Ok(GroupCommand::Help) => say(bot, here, &render::group_help(), None).await,
        Ok(GroupCommand::Settings) => settings(bot, msg, app, here).await,
        // A private-chat command addressed to us: it only works in private.
        Err(_) if Command::parse(text, me.username()).is_ok() => to_private(bot, here, me).await,
        // Plain talk, other bots' commands: not for us.
        Err(_) => Ok(()),
    }
}

/// Points to the private chat, where checks happen, with a deep link.
async fn to_private(bot: &TgBot, here: Target, me: &Me) -> HandlerResult {
    let link = render::check_link(me.username());
    say(bot, here, &render::check_in_private(), Some(link)).await
}

fn display_name(user: &User) -> String {
    user.first_name.clone()
}

/// Whether the sender of `msg` may change settings: an administrator, the
/// owner, or an anonymous admin posting as the group itself.
async fn sent_by_admin(bot: &TgBot, msg: &Message) -> Result<bool, teloxide::RequestError> {
    if msg
        .sender_chat
        .as_ref()
        .is_some_and(|c| c.id == msg.chat.id)
    {
        return Ok(true);
    }
    match &msg.from {
        Some(user) => is_admin(bot, msg.chat.id, user).await,
        None => Ok(false),
    }
}

async fn is_admin(bot: &TgBot, chat: ChatId, user: &User) -> Result<bool, teloxide::RequestError> {
    let member = bot.api().get_chat_member(chat, user.id).await?;
    Ok(member.kind.is_privileged())
}

async fn settings(bot: &TgBot, msg: &Message, app: &App, here: Target) -> HandlerResult {
    if !sent_by_admin(bot, msg).await? {
        let refusal = "Sorry — only the group's admins can change my settings.";
        return say(bot, here, &render::plain(refusal), None).await;
    }
    let current = app.store.group(msg.chat.id.0).await?;
    let (text, keyboard) = render::settings(&current, here.thread);
    say(bot, here, &text, Some(keyboard)).await
}

/// A press on a `/settings` button.
pub async fn settings_pressed(bot: &TgBot, query: &CallbackQuery, app: &App) -> HandlerResult {
    let Some(message) = query.message.as_ref().and_then(|m| m.regular_message()) else {
        answer_button(bot, query, None).await;
        return Ok(());
    };
    let chat = message.chat.id;
    if !is_admin(bot, chat, &query.from).await? {
        let refusal = "Only the group's admins can change these settings.";
        answer_button(bot, query, Some(refusal)).await;
        return Ok(());
    }
    let topic = Target::reply_to(message).thread;
    let data = query.data.as_deref().unwrap_or("");
    let mut current = app.store.group(chat.0).await?;
    let changed = apply(
        &mut current,
        data.trim_start_matches(render::SETTINGS),
        topic,
        now_ms(),
    );
    if changed {
        app.store.save_group(chat.0, &current).await?;
    }
    let notice = if changed {
        "Saved."
    } else {
        "Nothing to change."
    };
    answer_button(bot, query, Some(notice)).await;
    if changed {
        let (text, keyboard) = render::settings(&current, topic);
        skip_gone(
            chat,
            edit(bot, chat, message.id.0, &text, Some(keyboard)).await,
        )?;
    }
    Ok(())
}

/// Applies one settings button; returns whether anything changed.
fn apply(settings: &mut GroupSettings, choice: &str, topic: Option<i32>, now_ms: u64) -> bool {
    let before = settings.clone();
    match choice {
        "welcome:on" => settings.welcome = true,
        "welcome:off" => settings.welcome = false,
        "tips:off" => settings.tips = None,
        "tips:daily" | "tips:weekly" => {
            let rhythm = if choice == "tips:daily" {
                Rhythm::Daily
            } else {
                Rhythm::Weekly
            };
            if settings.tips != Some(rhythm) {
                settings.tips = Some(rhythm);
                // The first tip comes at the next slot, not the moment it is switched on.
                settings.last_tip_slot = Some(rhythm.slot(now_ms));
            }
        }
        "topic:general" => settings.topic = None,
        "topic:here" => settings.topic = topic,
        _ => {}
    }
    *settings != before
}

/// The bot's own membership changed: introduce itself, or forget the group.
pub async fn membership(bot: &TgBot, update: &ChatMemberUpdated, app: &App) -> HandlerResult {
    let chat = update.chat.id;
    let was = update.old_chat_member.kind.is_present();
    let is = update.new_chat_member.kind.is_present();
    if !was && is {
        log::info!("added to group {}", chat.0);
        return say(
            bot,
            Target::chat(chat),
            &render::group_intro(&app.script),
            None,
        )
        .await;
    }
    if was && !is {
        log::info!("removed from group {}; its settings are deleted", chat.0);
        app.store.delete_group(chat.0).await?;
    }
    Ok(())
}

/// Collects joins for a moment, then greets them all in one message.
fn queue_welcome(bot: TgBot, app: Arc<App>, chat: ChatId, names: Vec<String>) {
    let first = {
        let mut pending = app
            .pending_welcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let waiting = pending.entry(chat.0).or_default();
        let first = waiting.is_empty();
        waiting.extend(names);
        first
    };
    if !first {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(app.welcome_delay).await;
        let names = app
            .pending_welcomes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&chat.0)
            .unwrap_or_default();
        if let Err(e) = welcome(&bot, &app, chat, &names).await {
            log::error!("welcome in group {} failed: {}", chat.0, loggable(&*e));
        }
    });
}

async fn welcome(bot: &TgBot, app: &App, chat: ChatId, names: &[String]) -> HandlerResult {
    let settings = app.store.group(chat.0).await?;
    if !settings.welcome || names.is_empty() {
        return Ok(());
    }
    let to = Target {
        chat,
        thread: settings.topic,
    };
    let me = bot.api().get_me().await?;
    say(
        bot,
        to,
        &render::welcome_members(names),
        Some(render::check_link(me.username())),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switching_tips_on_waits_for_the_next_slot() {
        let mut s = GroupSettings::default();
        let now = 20_000 * 86_400_000 + 5;
        assert!(apply(&mut s, "tips:daily", None, now));
        assert_eq!(s.last_tip_slot, Some(20_000));
        assert!(
            !apply(&mut s, "tips:daily", None, now + 86_400_000),
            "same choice changes nothing"
        );
        assert!(apply(&mut s, "welcome:on", None, now));
        assert!(apply(&mut s, "topic:here", Some(7), now));
        assert_eq!(s.topic, Some(7));
        assert!(!apply(&mut s, "bogus", Some(7), now));
    }
}
