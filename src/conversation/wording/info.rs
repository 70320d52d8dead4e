//! What the bot says about itself: `/about`, `/help`, `/privacy` and the
//! `/language` menu.

use super::Buttons;
use crate::language::Catalog;
use crate::message::{Action, Button, escape};
use crate::script::{Dialogue, Script};

/// `/about` in a private chat: what the bot is, its sources, the disclaimer, what it stores.
pub fn about(dialogue: &Dialogue, script: &Script, ttl_hours: u64) -> String {
    format!(
        "{}\n\n{}",
        about_common(dialogue, script),
        script
            .catalog
            .get("about-private", &[("hours", ttl_hours.into())])
    )
}

pub(super) fn about_common(dialogue: &Dialogue, script: &Script) -> String {
    let c = &script.catalog;
    let names: Vec<String> = dialogue
        .languages()
        .map(|s| s.catalog.text("language-name"))
        .collect();
    let languages = c.get(
        "languages-available",
        &[("languages", names.join(", ").into())],
    );
    let mut text = format!(
        "<b>{}</b>\n{}\n\n<i>⚠ {}</i>\n\n{}\n\n<b>{}</b>",
        escape(&script.title),
        escape(&script.intro.text),
        escape(&script.disclaimer.text),
        escape(&languages),
        escape(&c.text("about-heading"))
    );
    for source in &script.sources {
        text.push_str(&format!("\n• {}", escape(&source.title)));
        if let Some(url) = &source.url {
            text.push_str(&format!(" — {}", escape(url)));
        }
    }
    text
}

/// The `/language` menu: one button per language, each in its own words.
pub fn language_menu(script: &Script, dialogue: &Dialogue) -> (String, Buttons) {
    let rows = language_buttons(script, dialogue)
        .map(|(label, code)| vec![Button::new(label, Action::Language(code.to_string()))])
        .collect();
    (escape(&script.catalog.text("language-choose")), rows)
}

/// Each language's name in its own words, ticked for `script`'s, with its code.
pub(super) fn language_buttons<'d>(
    script: &'d Script,
    dialogue: &'d Dialogue,
) -> impl Iterator<Item = (String, &'d str)> {
    dialogue.languages().map(move |s| {
        let name = s.catalog.text("language-name");
        let label = if s.language == script.language {
            format!("✓ {name}")
        } else {
            name
        };
        (label, s.language.as_str())
    })
}

/// `/help`.
pub fn help(c: &Catalog) -> String {
    c.text("help")
}

/// `/privacy`: what is kept, for how long, where, and how to delete it;
/// with a diary (`diary_days` of retention), what it keeps too.
pub fn privacy(c: &Catalog, ttl_hours: u64, store: &str, diary_days: Option<u32>) -> String {
    let store = c.text(&format!("store-{store}"));
    let mut text = c.get(
        "privacy",
        &[
            ("hours", ttl_hours.into()),
            ("store", escape(&store).into()),
        ],
    );
    if let Some(days) = diary_days {
        let diary = c.get(
            "privacy-diary",
            &[("days", days.into()), ("hours", ttl_hours.into())],
        );
        text.push_str("\n\n");
        text.push_str(&diary);
    }
    text
}
