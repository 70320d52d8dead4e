//! What the bot says in groups: its introduction, the way to the private
//! check, `/help` and `/about` there, welcomes, periodic tips and `/settings`.

use super::Buttons;
use super::info::{about_common, language_buttons};
use crate::language::Catalog;
use crate::message::{Action, Button, Setting, escape};
use crate::script::{Dialogue, Script};
use crate::store::{GroupSettings, Rhythm};

/// `/about` in a group.
pub fn group_about(dialogue: &Dialogue, script: &Script) -> String {
    format!(
        "{}\n\n{}",
        about_common(dialogue, script),
        script.catalog.text("about-group")
    )
}

/// The button that opens a private chat and starts the check at once.
pub fn check_link(c: &Catalog) -> Buttons {
    vec![vec![Button::new(
        c.text("private-check-button"),
        Action::OpenPrivateCheck,
    )]]
}

/// What the bot posts when added to a group.
pub fn group_intro(script: &Script) -> String {
    format!(
        "{}\n\n<i>⚠ {}</i>",
        script.catalog.text("group-intro"),
        escape(&script.disclaimer.text)
    )
}

/// The reply to `/check` in a group: the check happens in private.
pub fn check_in_private(c: &Catalog) -> String {
    escape(&c.text("check-in-private"))
}

/// `/help` in a group.
pub fn group_help(c: &Catalog) -> String {
    c.text("group-help")
}

/// One combined welcome for everyone who just joined.
pub fn welcome_members(c: &Catalog, names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| escape(n)).collect();
    if names.len() > SHOWN {
        let others = names.len() - SHOWN;
        list.push(escape(
            &c.get("welcome-others", &[("count", others.into())]),
        ));
    }
    let who = match list.len() {
        0 => escape(&c.text("welcome-everyone")),
        1 => list[0].clone(),
        n => c.get(
            "welcome-and",
            &[
                ("first", list[..n - 1].join(", ").into()),
                ("last", list[n - 1].clone().into()),
            ],
        ),
    };
    c.get("welcome-members", &[("who", who.into())])
}

/// A periodic tip.
pub fn periodic_tip(title: &str, tip: &str) -> String {
    format!("<b>💡 {}</b>\n{}", escape(title), escape(tip))
}

/// The `/settings` message: the current choices and buttons to change them.
/// `topic` is the forum topic the message is in, if any; `languages` are the
/// dialogue's languages, whose names are buttons.
pub fn settings(
    script: &Script,
    dialogue: &Dialogue,
    current: &GroupSettings,
    topic: Option<i32>,
) -> (String, Buttons) {
    let c = &script.catalog;
    let rhythm = c.text(match current.tips {
        None => "settings-off",
        Some(Rhythm::Daily) => "settings-daily",
        Some(Rhythm::Weekly) => "settings-weekly",
    });
    let place = match current.topic {
        None => c.text("settings-general"),
        Some(t) if Some(t) == topic => c.text("settings-this-topic"),
        Some(t) => c.get("settings-topic", &[("topic", t.to_string().into())]),
    };
    let welcome = c.text(if current.welcome {
        "settings-on"
    } else {
        "settings-off"
    });
    let text = c.get(
        "settings",
        &[
            ("welcome", escape(&welcome).into()),
            ("tips", escape(&rhythm).into()),
            ("place", escape(&place).into()),
            ("language", escape(&c.text("language-name")).into()),
        ],
    );
    let mark = |on: bool, id: &str| {
        let label = c.text(id);
        if on { format!("✓ {label}") } else { label }
    };
    let button = |label: String, setting: Setting| Button::new(label, Action::Setting(setting));
    let mut rows = vec![
        vec![
            button(
                mark(current.welcome, "settings-welcome-on"),
                Setting::Welcome(true),
            ),
            button(
                mark(!current.welcome, "settings-welcome-off"),
                Setting::Welcome(false),
            ),
        ],
        vec![
            button(
                mark(current.tips.is_none(), "settings-tips-off"),
                Setting::TipsOff,
            ),
            button(
                mark(current.tips == Some(Rhythm::Daily), "settings-tips-daily"),
                Setting::TipsDaily,
            ),
            button(
                mark(current.tips == Some(Rhythm::Weekly), "settings-tips-weekly"),
                Setting::TipsWeekly,
            ),
        ],
    ];
    if topic.is_some() || current.topic.is_some() {
        let mut row = vec![button(
            mark(current.topic.is_none(), "settings-post-general"),
            Setting::TopicGeneral,
        )];
        if topic.is_some() {
            row.push(button(
                mark(
                    current.topic.is_some() && current.topic == topic,
                    "settings-post-here",
                ),
                Setting::TopicHere,
            ));
        }
        rows.push(row);
    }
    let languages: Vec<Button> = language_buttons(script, dialogue)
        .map(|(label, code)| button(label, Setting::Language(code.to_string())))
        .collect();
    if languages.len() > 1 {
        rows.push(languages);
    }
    (text, rows)
}
