//! What the bot says, worded: engine replies and the bot's own messages as
//! text in our markup (everything from data or a person is escaped) with
//! buttons carrying typed actions. No platform's format: each edge renders
//! these.

use crate::engine::{Heading, OutcomeReply, Question, Summary, TipsReply};
use crate::language::Catalog;
use crate::message::{Action, Button, Outgoing, Setting, escape, split};
use crate::script::{Dialogue, NodeKind, Script, emergency_numbers};
use crate::store::{GroupSettings, Rhythm};

/// Buttons, row by row.
pub type Buttons = Vec<Vec<Button>>;

/// A message for the outbox: in forum topic `topic` when set, with buttons.
pub fn message(topic: Option<i32>, text: String, buttons: Buttons) -> Outgoing {
    Outgoing::Message {
        topic,
        text,
        buttons,
        question_turn: None,
    }
}

/// The greeting of `/start`: what the bot does, what it does not, and a button.
pub fn welcome(script: &Script) -> (String, Buttons) {
    let text = format!(
        "{}\n\n<i>⚠ {}</i>",
        escape(&script.intro.text),
        escape(&script.disclaimer.text)
    );
    let buttons = vec![vec![Button::new(
        script.catalog.text("start-button"),
        Action::Begin,
    )]];
    (text, buttons)
}

/// The intro that opens a check.
pub fn intro(text: &str, disclaimer: &str) -> String {
    format!("{}\n\n<i>⚠ {}</i>", escape(text), escape(disclaimer))
}

/// A question with its buttons, one per row.
pub fn question(c: &Catalog, q: &Question) -> (String, Buttons) {
    let mut text = match q.heading {
        Heading::Number(number) => format!(
            "<b>{}</b> {}",
            escape(&c.get("question-number", &[("number", number.into())])),
            escape(&q.text)
        ),
        Heading::Safety => format!("<b>⚠️ {}</b>", escape(&q.text)),
        Heading::Offer | Heading::FollowUp => escape(&q.text),
    };
    if let Some(previous) = &q.previous {
        let earlier = c.get("earlier-answer", &[("answer", previous.as_str().into())]);
        text.push_str(&format!("\n<i>{}</i>", escape(&earlier)));
    }
    let typed = match q.kind {
        NodeKind::Duration => Some("or-type-duration"),
        NodeKind::Text => Some("or-type-text"),
        NodeKind::Frequency => Some("or-type-frequency"),
        NodeKind::Choice | NodeKind::YesNo => None,
    };
    if let Some(typed) = typed {
        text.push_str(&format!("\n<i>{}</i>", escape(&c.text(typed))));
    }
    let rows: Buttons = q
        .choices
        .iter()
        .map(|c| {
            vec![Button::new(
                c.label.clone(),
                Action::Answer(c.token.clone()),
            )]
        })
        .collect();
    (text, rows)
}

/// The question's message once answered: the question and the answer, no
/// buttons, and the person's own words when the answer was read from them.
pub fn answered(c: &Catalog, question: &str, answer: &str, said: Option<&str>) -> String {
    let mut text = format!("{}\n\n✓ <b>{}</b>", escape(question), escape(answer));
    if let Some(said) = said {
        let said = c.get("you-said", &[("said", said.into())]);
        text.push_str(&format!(" — {}", escape(&said)));
    }
    text
}

/// A plain line (notices, re-prompts).
pub fn plain(text: &str) -> String {
    escape(text)
}

/// The outcome: verdict and guidance with the disclaimer, then the tips.
pub fn outcome(c: &Catalog, o: &OutcomeReply) -> Vec<String> {
    let mut main = format!("<b>{}</b>", escape(&o.verdict));
    if !o.emergency_numbers.is_empty() {
        main.push_str(&format!(
            "\n<b>{}</b>",
            escape(&emergency_numbers(c, &o.emergency_numbers))
        ));
    }
    for paragraph in &o.guidance {
        main.push_str(&format!("\n\n• {}", escape(paragraph)));
    }
    main.push_str(&format!("\n\n<i>⚠ {}</i>", escape(&o.disclaimer)));
    let mut messages = split(&main);
    if let Some(tips) = &o.tips {
        messages.extend(split(&self::tips(tips)));
    }
    messages
}

/// Stress tips; put forward with a bold heading and lead when emphasised.
pub fn tips(t: &TipsReply) -> String {
    let mut text = if t.emphasized {
        format!("<b>⭐ {}</b>", escape(&t.title))
    } else {
        format!("<b>{}</b>", escape(&t.title))
    };
    if let Some(lead) = &t.lead {
        text.push_str(&format!("\n{}", escape(lead)));
    }
    for tip in &t.items {
        text.push_str(&format!("\n• {}", escape(tip)));
    }
    text
}

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

/// `/about` in a group.
pub fn group_about(dialogue: &Dialogue, script: &Script) -> String {
    format!(
        "{}\n\n{}",
        about_common(dialogue, script),
        script.catalog.text("about-group")
    )
}

fn about_common(dialogue: &Dialogue, script: &Script) -> String {
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

/// The `/language` menu: one button per language, each in its own words.
pub fn language_menu(script: &Script, dialogue: &Dialogue) -> (String, Buttons) {
    let rows = language_buttons(script, dialogue)
        .map(|(label, code)| vec![Button::new(label, Action::Language(code.to_string()))])
        .collect();
    (escape(&script.catalog.text("language-choose")), rows)
}

/// Each language's name in its own words, ticked for `script`'s, with its code.
fn language_buttons<'d>(
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

/// `/privacy`: what is kept, for how long, where, and how to delete it.
pub fn privacy(c: &Catalog, ttl_hours: u64, store: &str) -> String {
    let store = c.text(&format!("store-{store}"));
    c.get(
        "privacy",
        &[
            ("hours", ttl_hours.into()),
            ("store", escape(&store).into()),
        ],
    )
}

/// The `/summary` message: the recap in short.
pub fn summary(c: &Catalog, s: &Summary) -> String {
    let e = |id: &str| escape(&c.text(id));
    let mut text = format!(
        "<b>{}</b>\n{}",
        escape(&c.get("summary-heading", &[("title", s.title.as_str().into())])),
        escape(&s.date)
    );
    if let Some((level, verdict)) = &s.outcome {
        text.push_str(&format!(
            "\n\n<b>{}</b> {} — {}",
            e("summary-level"),
            e(&format!("level-{}", level.name())),
            escape(verdict)
        ));
    }
    if let Some(sign) = &s.sign {
        text.push_str(&format!("\n<b>{}</b> {}", e("summary-sign"), escape(sign)));
    }
    if !s.answers.is_empty() {
        text.push_str(&format!("\n\n<b>{}</b>", e("summary-answers")));
        for (question, answer) in &s.answers {
            text.push_str(&format!(
                "\n• {} — <b>{}</b>",
                escape(question),
                escape(answer)
            ));
        }
    }
    for (date, answer, days) in &s.follow_ups {
        let heading = c.get("summary-follow-up", &[("date", date.as_str().into())]);
        text.push_str(&format!(
            "\n\n<b>{}</b> {}",
            escape(&heading),
            escape(answer)
        ));
        if let Some(days) = days {
            let all = c.get("summary-days-in-all", &[("count", (*days).into())]);
            text.push_str(&format!(" {}", escape(&all)));
        }
    }
    if let Some(next) = &s.next_follow_up {
        let next = c.get("summary-next-follow-up", &[("date", next.as_str().into())]);
        text.push_str(&format!("\n\n{}", escape(&next)));
    }
    for (date, level, answers) in &s.earlier {
        let heading = c.get("summary-earlier", &[("date", date.as_str().into())]);
        let level = level.map_or_else(
            || "—".to_string(),
            |l| c.text(&format!("level-{}", l.name())),
        );
        let count = c.get(
            "summary-earlier-answers",
            &[("level", level.into()), ("count", answers.len().into())],
        );
        text.push_str(&format!(
            "\n\n<b>{}</b> {}",
            escape(&heading),
            escape(&count)
        ));
    }
    text.push_str(&format!(
        "\n\n<i>⚠ {}</i>\n\n{}",
        escape(&s.disclaimer),
        e("summary-file-follows")
    ));
    text
}

/// The `/summary` document: a small HTML page to print or show a doctor.
pub fn summary_page(c: &Catalog, s: &Summary) -> String {
    let e = |id: &str| escape(&c.text(id));
    let level_name =
        |level: crate::script::Level| escape(&c.text(&format!("level-{}", level.name())));
    let mut rows = String::new();
    for (question, answer) in &s.answers {
        rows.push_str(&format!(
            "<tr><td>{}</td><td><b>{}</b></td></tr>\n",
            escape(question),
            escape(answer)
        ));
    }
    let mut follow_ups = String::new();
    for (date, answer, days) in &s.follow_ups {
        let days = days.map_or_else(String::new, |d| {
            format!(
                " {}",
                escape(&c.get("summary-days-in-all", &[("count", d.into())]))
            )
        });
        follow_ups.push_str(&format!(
            "<li>{}: {}{days}</li>\n",
            escape(date),
            escape(answer)
        ));
    }
    let mut earlier = String::new();
    for (date, level, answers) in &s.earlier {
        let heading = c.get("summary-earlier", &[("date", date.as_str().into())]);
        earlier.push_str(&format!(
            "<h2>{} ({})</h2>\n<table>\n",
            escape(heading.trim_end_matches(':')),
            level.map_or_else(|| "—".to_string(), level_name)
        ));
        for (question, answer) in answers {
            earlier.push_str(&format!(
                "<tr><td>{}</td><td><b>{}</b></td></tr>\n",
                escape(question),
                escape(answer)
            ));
        }
        earlier.push_str("</table>\n");
    }
    let sources: String = s
        .sources
        .iter()
        .map(|source| format!("<li>{}</li>\n", escape(source)))
        .collect();
    let outcome = s
        .outcome
        .as_ref()
        .map_or_else(String::new, |(level, verdict)| {
            format!(
                "<p><b>{}</b> {} — {}</p>\n",
                e("summary-level"),
                level_name(*level),
                escape(verdict)
            )
        });
    let sign = s.sign.as_ref().map_or_else(String::new, |sign| {
        format!("<p><b>{}</b> {}</p>\n", e("summary-sign"), escape(sign))
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:42em;margin:2em auto}}td{{padding:.3em;vertical-align:top;border-bottom:1px solid #ddd}}</style>\
         </head><body>\n<h1>{title}</h1>\n<p>{date}</p>\n{outcome}{sign}\
         <h2>{answers}</h2>\n<table>\n{rows}</table>\n<h2>{follow_ups_heading}</h2>\n<ul>\n{follow_ups}</ul>\n{earlier}\
         <h2>{sources_heading}</h2>\n<ul>\n{sources}</ul>\n<p><i>{disclaimer}</i></p>\n</body></html>\n",
        lang = escape(c.code()),
        title = escape(&s.title),
        date = escape(&c.get("summary-page-date", &[("date", s.date.as_str().into())])),
        answers = e("summary-answers"),
        follow_ups_heading = e("summary-page-follow-ups"),
        sources_heading = e("summary-page-sources"),
        disclaimer = escape(&s.disclaimer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped() {
        let en = Catalog::english();
        assert_eq!(
            answered(en, "Q?", "<b>x</b> & y", None),
            "Q?\n\n✓ <b>&lt;b&gt;x&lt;/b&gt; &amp; y</b>"
        );
        assert_eq!(
            answered(en, "Q?", "Yes", Some("<i>a bit</i>")),
            "Q?\n\n✓ <b>Yes</b> — you said “&lt;i&gt;a bit&lt;/i&gt;”"
        );
    }
}
