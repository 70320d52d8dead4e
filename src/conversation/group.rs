//! Groups: an introduction on joining, commands that point to the private
//! check, admin settings, one combined welcome for new members (a timed
//! inbox event), periodic tips, and settings that follow a group upgraded
//! to a supergroup. Never a health question here.

use super::command::{Command, GroupCommand};
use super::service::Effects;
use super::{Core, Failed, Platform, wording as render};
use crate::engine;
use crate::message::{Incoming, MessageId, Outgoing, Setting};
use crate::script::Script;
use crate::store::{DiaryWrite, Event, GroupSettings, GroupWrite, Groups, NewEntry, Rhythm};

/// A scheduled welcome this late was set aside: schedule another.
const OVERDUE_MS: u64 = 10 * 60 * 1000;

/// The group became another chat (a supergroup): its settings move there.
pub fn moved(chat: i64, to: i64) -> Effects {
    log::info!("group {chat} became supergroup {to}; settings moved");
    Effects {
        group: Some(GroupWrite::Move { to }),
        ..Effects::default()
    }
}

/// A text in a group: a command for us, or talk that is not.
pub async fn text(
    core: &Core,
    platform: &impl Platform,
    incoming: &Incoming,
    text: &str,
    script: &Script,
    now_ms: u64,
) -> Result<Effects, Failed> {
    let chat = incoming.chat;
    let here = incoming.topic;
    let person = incoming.sender();
    // Repeats of the commands anyone may send are answered once in a while.
    let reply = |command: &'static str, text: &dyn Fn() -> String| {
        if !core.cooldowns.allow(chat, person, command, now_ms) {
            log::debug!("group {chat}: a repeated /{command} is not answered");
            return Ok(Effects::default());
        }
        Ok(Effects::reply(vec![Outgoing::text(here, text())]))
    };
    match GroupCommand::parse(text) {
        Some(GroupCommand::Start(_) | GroupCommand::Check) => Ok(to_private(script, here)),
        Some(GroupCommand::Tips) => reply("tips", &|| render::tips(&engine::tips(script, None))),
        Some(GroupCommand::About) => {
            reply("about", &|| render::group_about(&core.dialogue, script))
        }
        Some(GroupCommand::Help) => reply("help", &|| render::group_help(&script.catalog)),
        Some(GroupCommand::Settings) => settings(core, platform, incoming, script).await,
        // A private-chat command addressed to us: it only works in private.
        None if Command::parse(text).is_some() => Ok(to_private(script, here)),
        // Plain talk, other bots' commands: not for us.
        None => Ok(Effects::default()),
    }
}

/// Points to the private chat, where checks happen, with a link there.
fn to_private(script: &Script, here: Option<i32>) -> Effects {
    Effects::reply(vec![render::message(
        here,
        render::check_in_private(&script.catalog),
        render::check_link(&script.catalog),
    )])
}

/// Members joined: their names wait for one combined welcome, due a moment
/// after the first of them (a timed inbox event, so it survives restarts).
pub async fn joined(
    core: &Core,
    chat: i64,
    names: Vec<String>,
    seq: u64,
    now_ms: u64,
) -> Result<Effects, Failed> {
    let mut settings = core.store.group(chat).await?;
    if names.is_empty() || !settings.welcome {
        return Ok(Effects::default());
    }
    settings.waiting.extend(names);
    let delay = core.welcome_delay.as_millis() as u64;
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
pub async fn welcome_due(core: &Core, script: &Script, chat: i64) -> Result<Effects, Failed> {
    let mut settings = core.store.group(chat).await?;
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
            render::check_link(&script.catalog),
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
pub async fn tip_due(
    core: &Core,
    script: &Script,
    chat: i64,
    slot: u64,
) -> Result<Effects, Failed> {
    let mut settings = core.store.group(chat).await?;
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
        outgoing: vec![Outgoing::text(settings.topic, html)],
        group: Some(GroupWrite::Save(settings)),
        ..Effects::default()
    })
}

/// Whether the sender of `incoming` may change settings: an administrator,
/// the owner, or an anonymous admin posting as the group itself. The
/// platform refusing to say is a no; only its failures are errors.
async fn sent_by_admin(platform: &impl Platform, incoming: &Incoming) -> Result<bool, Failed> {
    if incoming.as_chat {
        return Ok(true);
    }
    match &incoming.from {
        Some(person) => Ok(platform.is_admin(incoming.chat, person.id).await?),
        None => Ok(false),
    }
}

async fn settings(
    core: &Core,
    platform: &impl Platform,
    incoming: &Incoming,
    script: &Script,
) -> Result<Effects, Failed> {
    let here = incoming.topic;
    if !sent_by_admin(platform, incoming).await? {
        let refusal = script.catalog.text("settings-admins-only");
        return Ok(Effects::reply(vec![Outgoing::text(
            here,
            render::plain(&refusal),
        )]));
    }
    let current = core.store.group(incoming.chat).await?;
    let (text, buttons) = render::settings(script, &core.dialogue, &current, here);
    Ok(Effects::reply(vec![render::message(here, text, buttons)]))
}

/// A press on a `/settings` button.
pub struct SettingPress<'a> {
    /// The press's id.
    pub id: &'a str,
    /// The settings message the button is under.
    pub message: MessageId,
    /// The choice.
    pub setting: Setting,
}

/// A press on a `/settings` button, by whoever sent `incoming`.
pub async fn setting_pressed(
    core: &Core,
    platform: &impl Platform,
    incoming: &Incoming,
    press: SettingPress<'_>,
    script: &Script,
    now_ms: u64,
) -> Result<Effects, Failed> {
    let SettingPress {
        id: press,
        message,
        setting,
    } = press;
    let c = &script.catalog;
    let answer = |text: Option<&str>| Outgoing::AnswerPress {
        press: press.to_string(),
        notice: text.map(str::to_string),
    };
    let chat = incoming.chat;
    let admin = match &incoming.from {
        Some(person) => platform.is_admin(chat, person.id).await?,
        None => false,
    };
    if !admin {
        let refusal = c.text("settings-admins-only-short");
        return Ok(Effects::reply(vec![answer(Some(&refusal))]));
    }
    let topic = incoming.topic;
    let mut current = core.store.group(chat).await?;
    let codes = core.dialogue.languages().map(|s| s.language.as_str());
    let changed = match &setting {
        Setting::Language(wanted) => match crate::language::pick(codes, wanted) {
            Some(code) => current.language.replace(code.to_string()).as_deref() != Some(code),
            None => false,
        },
        other => apply(&mut current, other, topic, now_ms),
    };
    if !changed {
        return Ok(Effects::reply(vec![answer(Some(
            &c.text("settings-nothing-to-change"),
        ))]));
    }
    // Shown in the group's language as it is now.
    let script = core.script(current.language.as_deref().unwrap_or(&script.language));
    let (text, buttons) = render::settings(script, &core.dialogue, &current, topic);
    Ok(Effects {
        outgoing: vec![
            answer(Some(&script.catalog.text("settings-saved"))),
            Outgoing::Replace {
                message,
                text,
                buttons,
            },
        ],
        group: Some(GroupWrite::Save(current)),
        ..Effects::default()
    })
}

/// Applies one settings button; returns whether anything changed.
fn apply(settings: &mut GroupSettings, choice: &Setting, topic: Option<i32>, now_ms: u64) -> bool {
    let before = settings.clone();
    match choice {
        Setting::Welcome(on) => settings.welcome = *on,
        Setting::TipsOff => settings.tips = None,
        Setting::TipsDaily | Setting::TipsWeekly => {
            let rhythm = if *choice == Setting::TipsDaily {
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
        Setting::TopicGeneral => settings.topic = None,
        Setting::TopicHere => settings.topic = topic,
        // Chosen by the caller, which knows the dialogue's languages.
        Setting::Language(_) => {}
    }
    *settings != before
}

/// The bot was added to a group: it introduces itself.
pub fn added(chat: i64, script: &Script) -> Effects {
    log::info!("added to group {chat}");
    Effects::reply(vec![Outgoing::text(None, render::group_intro(script))])
}

/// The bot was removed from a group: its settings are deleted.
pub fn removed(chat: i64) -> Effects {
    log::info!("removed from group {chat}; its settings are deleted");
    gone()
}

/// The chat can no longer be written to: forget its settings.
pub fn gone() -> Effects {
    Effects {
        group: Some(GroupWrite::Delete),
        // A person who blocked the bot: their diary goes too.
        diary: Some(DiaryWrite::Delete),
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
        assert!(apply(&mut s, &Setting::TipsDaily, None, now));
        assert_eq!(s.last_tip_slot, Some(20_000));
        assert!(
            !apply(&mut s, &Setting::TipsDaily, None, now + 86_400_000),
            "same choice changes nothing"
        );
        assert!(apply(&mut s, &Setting::Welcome(true), None, now));
        assert!(apply(&mut s, &Setting::TopicHere, Some(7), now));
        assert_eq!(s.topic, Some(7));
        assert!(!apply(&mut s, &Setting::TopicHere, Some(7), now));
    }
}
