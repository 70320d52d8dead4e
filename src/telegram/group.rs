//! Groups: an introduction on joining, commands that point to the private
//! check, admin settings, one combined welcome for new members (a timed
//! inbox event), periodic tips, and settings that follow a group upgraded
//! to a supergroup. Never a health question here.

use teloxide::prelude::*;
use teloxide::types::{ChatMemberUpdated, Me, User};
use teloxide::utils::command::BotCommands;

use super::commands::{Command, GroupCommand};
use super::{App, TgBot, render};
use crate::conversation::Effects;
use crate::engine;
use crate::script::Script;
use crate::store::{Event, GroupSettings, GroupWrite, Groups, NewEntry, Outgoing, Rhythm};

/// A scheduled welcome this late was set aside: schedule another.
const OVERDUE_MS: u64 = 10 * 60 * 1000;

/// Handling failed: the store, or a Bot API read (admin check).
pub type Failed = Box<dyn std::error::Error + Send + Sync>;

/// The forum topic a message came from, so the reply lands beside it.
fn thread_of(msg: &Message) -> Option<i32> {
    msg.thread_id
        .filter(|_| msg.is_topic_message)
        .map(|t| t.0.0)
}

/// A message in a group or supergroup.
pub async fn message(
    bot: &TgBot,
    msg: &Message,
    me: &Me,
    app: &App,
    script: &Script,
    turn: (u64, u64),
) -> Result<Effects, Failed> {
    let (seq, now_ms) = turn;
    let chat = msg.chat.id;
    if let Some(to) = msg.migrate_to_chat_id() {
        log::info!(
            "group {} became supergroup {}; settings moved",
            chat.0,
            to.0
        );
        return Ok(Effects {
            group: Some(GroupWrite::Move { to: to.0 }),
            ..Effects::default()
        });
    }
    if let Some(members) = msg.new_chat_members() {
        let names: Vec<String> = members
            .iter()
            .filter(|u| !u.is_bot)
            .map(|u| u.first_name.clone())
            .collect();
        return joined(app, chat.0, names, seq, now_ms).await;
    }
    let Some(text) = msg.text() else {
        return Ok(Effects::default());
    };
    let here = thread_of(msg);
    let person = msg.from.as_ref().map_or(chat.0, |u| u.id.0 as i64);
    // Repeats of the commands anyone may send are answered once in a while.
    let reply = |command: &'static str, html: &dyn Fn() -> String| {
        if !app.cooldowns.allow(chat.0, person, command, now_ms) {
            log::debug!("group {}: a repeated /{command} is not answered", chat.0);
            return Ok(Effects::default());
        }
        Ok(Effects::reply(vec![render::message(here, html(), None)]))
    };
    match GroupCommand::parse(text, me.username()) {
        Ok(GroupCommand::Start(_) | GroupCommand::Check) => Ok(to_private(script, here, me)),
        Ok(GroupCommand::Tips) => reply("tips", &|| render::tips(&engine::tips(script, None))),
        Ok(GroupCommand::About) => reply("about", &|| render::group_about(&app.dialogue, script)),
        Ok(GroupCommand::Help) => reply("help", &|| render::group_help(&script.catalog)),
        Ok(GroupCommand::Settings) => settings(bot, msg, app, script, here).await,
        // A private-chat command addressed to us: it only works in private.
        Err(_) if Command::parse(text, me.username()).is_ok() => Ok(to_private(script, here, me)),
        // Plain talk, other bots' commands: not for us.
        Err(_) => Ok(Effects::default()),
    }
}

/// Points to the private chat, where checks happen, with a deep link.
fn to_private(script: &Script, here: Option<i32>, me: &Me) -> Effects {
    let link = render::check_link(&script.catalog, me.username());
    Effects::reply(vec![render::message(
        here,
        render::check_in_private(&script.catalog),
        Some(link),
    )])
}

/// Members joined: their names wait for one combined welcome, due a moment
/// after the first of them (a timed inbox event, so it survives restarts).
async fn joined(
    app: &App,
    chat: i64,
    names: Vec<String>,
    seq: u64,
    now_ms: u64,
) -> Result<Effects, Failed> {
    let mut settings = app.store.group(chat).await?;
    if names.is_empty() || !settings.welcome {
        return Ok(Effects::default());
    }
    settings.waiting.extend(names);
    let delay = app.welcome_delay.as_millis() as u64;
    // A welcome is due already, unless the one scheduled is long overdue
    // (it was set aside): then another is scheduled, so names never pile up.
    let scheduled = settings
        .welcome_due_ms
        .is_some_and(|due| due + OVERDUE_MS > now_ms);
    let schedule = if scheduled {
        Vec::new()
    } else {
        let due = now_ms + delay;
        settings.welcome_due_ms = Some(due);
        vec![NewEntry {
            key: format!("welcome:{chat}:{due}:{seq}"),
            chat,
            not_before_ms: due,
            event: Event::WelcomeDue,
        }]
    };
    Ok(Effects {
        group: Some(GroupWrite::Save(settings)),
        schedule,
        ..Effects::default()
    })
}

/// The welcome is due: greet everyone gathered so far in one message.
pub async fn welcome_due(
    app: &App,
    script: &Script,
    chat: i64,
    me: &Me,
) -> Result<Effects, Failed> {
    let mut settings = app.store.group(chat).await?;
    if settings.waiting.is_empty() && settings.welcome_due_ms.is_none() {
        // Nothing gathered (the group moved or was forgotten): write nothing.
        return Ok(Effects::default());
    }
    let names = std::mem::take(&mut settings.waiting);
    settings.welcome_due_ms = None;
    let mut outgoing = Vec::new();
    if settings.welcome && !names.is_empty() {
        outgoing.push(render::message(
            settings.topic,
            render::welcome_members(&script.catalog, &names),
            Some(render::check_link(&script.catalog, me.username())),
        ));
    }
    Ok(Effects {
        outgoing,
        group: Some(GroupWrite::Save(settings)),
        ..Effects::default()
    })
}

/// A periodic tip is due for `slot`: post the next one in rotation, unless
/// tips were switched off or the slot was posted already.
pub async fn tip_due(app: &App, script: &Script, chat: i64, slot: u64) -> Result<Effects, Failed> {
    let mut settings = app.store.group(chat).await?;
    let items = &script.tips.items;
    let due = settings.tips.is_some() && settings.last_tip_slot.is_none_or(|last| last < slot);
    if !due || items.is_empty() {
        return Ok(Effects::default());
    }
    let tip = &items[(settings.tips_posted % items.len() as u64) as usize];
    settings.last_tip_slot = Some(slot);
    settings.tips_posted += 1;
    let html = render::periodic_tip(&script.tips.title, &tip.text);
    Ok(Effects {
        outgoing: vec![render::message(settings.topic, html, None)],
        group: Some(GroupWrite::Save(settings)),
        ..Effects::default()
    })
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

/// Whether `user` administers `chat`. Telegram refusing to say (the bot was
/// removed, the user is unknown) is a no; only network trouble and 5xx are
/// errors, tried again later.
async fn is_admin(bot: &TgBot, chat: ChatId, user: &User) -> Result<bool, teloxide::RequestError> {
    match bot.api().get_chat_member(chat, user.id).await {
        Ok(member) => Ok(member.kind.is_privileged()),
        Err(teloxide::RequestError::Api(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

async fn settings(
    bot: &TgBot,
    msg: &Message,
    app: &App,
    script: &Script,
    here: Option<i32>,
) -> Result<Effects, Failed> {
    if !sent_by_admin(bot, msg).await? {
        let refusal = script.catalog.text("settings-admins-only");
        return Ok(Effects::reply(vec![render::message(
            here,
            render::plain(&refusal),
            None,
        )]));
    }
    let current = app.store.group(msg.chat.id.0).await?;
    let (text, keyboard) = render::settings(script, &app.dialogue, &current, here);
    Ok(Effects::reply(vec![render::message(
        here,
        text,
        Some(keyboard),
    )]))
}

/// A press on a `/settings` button.
pub async fn settings_pressed(
    bot: &TgBot,
    query: &CallbackQuery,
    app: &App,
    script: &Script,
    now_ms: u64,
) -> Result<Effects, Failed> {
    let c = &script.catalog;
    let answer = |text: Option<&str>| Outgoing::AnswerButton {
        query: query.id.0.clone(),
        text: text.map(str::to_string),
    };
    let Some(message) = query.message.as_ref().and_then(|m| m.regular_message()) else {
        return Ok(Effects::reply(vec![answer(None)]));
    };
    let chat = message.chat.id;
    if !is_admin(bot, chat, &query.from).await? {
        let refusal = c.text("settings-admins-only-short");
        return Ok(Effects::reply(vec![answer(Some(&refusal))]));
    }
    let topic = thread_of(message);
    let data = query.data.as_deref().unwrap_or("");
    let mut current = app.store.group(chat.0).await?;
    let choice = data.trim_start_matches(render::SETTINGS);
    let codes = app.dialogue.languages().map(|s| s.language.as_str());
    let changed = match choice.strip_prefix("lang:") {
        Some(wanted) => match crate::language::pick(codes, wanted) {
            Some(code) => current.language.replace(code.to_string()).as_deref() != Some(code),
            None => false,
        },
        None => apply(&mut current, choice, topic, now_ms),
    };
    if !changed {
        return Ok(Effects::reply(vec![answer(Some(
            &c.text("settings-nothing-to-change"),
        ))]));
    }
    // Shown in the group's language as it is now.
    let script = app.script(current.language.as_deref().unwrap_or(&script.language));
    let (html, keyboard) = render::settings(script, &app.dialogue, &current, topic);
    Ok(Effects {
        outgoing: vec![
            answer(Some(&script.catalog.text("settings-saved"))),
            Outgoing::Edit {
                message_id: message.id.0,
                html,
                keyboard: render::keyboard_json(&keyboard),
            },
        ],
        group: Some(GroupWrite::Save(current)),
        ..Effects::default()
    })
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
pub fn membership(update: &ChatMemberUpdated, script: &Script) -> Effects {
    let chat = update.chat.id;
    let was = update.old_chat_member.kind.is_present();
    let is = update.new_chat_member.kind.is_present();
    if !was && is {
        log::info!("added to group {}", chat.0);
        return Effects::reply(vec![render::message(
            None,
            render::group_intro(script),
            None,
        )]);
    }
    if was && !is {
        log::info!("removed from group {}; its settings are deleted", chat.0);
        return gone();
    }
    Effects::default()
}

/// The group can no longer be written to: forget its settings.
pub fn gone() -> Effects {
    Effects {
        group: Some(GroupWrite::Delete),
        ..Effects::default()
    }
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
