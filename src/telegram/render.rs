//! Engine replies as Telegram messages: HTML (everything from data or the
//! user is escaped), inline keyboards, and Telegram's 4096-character limit.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use crate::engine::{Heading, OutcomeReply, Question, Summary, TipsReply};
use crate::script::{NodeKind, Script};
use crate::store::{GroupSettings, Outgoing, Rhythm};

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE: usize = 4096;

/// Callback data of the "Start the check" button under the greeting.
pub const BEGIN: &str = "begin";

/// A message for the outbox: in forum topic `thread` when set, with buttons
/// when given (kept as Telegram's JSON text).
pub fn message(
    thread: Option<i32>,
    html: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Outgoing {
    Outgoing::Send {
        thread,
        html,
        keyboard: keyboard.as_ref().and_then(keyboard_json),
        question_turn: None,
    }
}

/// A keyboard as the outbox keeps it.
pub fn keyboard_json(keyboard: &InlineKeyboardMarkup) -> Option<String> {
    serde_json::to_string(keyboard).ok()
}

/// The greeting of `/start`: what the bot does, what it does not, and a button.
pub fn welcome(script: &Script) -> (String, InlineKeyboardMarkup) {
    let text = format!(
        "{}\n\n<i>⚠ {}</i>",
        escape(&script.intro.text),
        escape(&script.disclaimer.text)
    );
    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Start the check", BEGIN)]]);
    (text, keyboard)
}

/// The intro that opens a check.
pub fn intro(text: &str, disclaimer: &str) -> String {
    format!("{}\n\n<i>⚠ {}</i>", escape(text), escape(disclaimer))
}

/// A question with its buttons, one per row.
pub fn question(q: &Question) -> (String, InlineKeyboardMarkup) {
    let mut text = match q.heading {
        Heading::Number(number) => format!("<b>Question {number}.</b> {}", escape(&q.text)),
        Heading::Safety => format!("<b>⚠️ {}</b>", escape(&q.text)),
        Heading::Offer | Heading::FollowUp => escape(&q.text),
    };
    if let Some(previous) = &q.previous {
        text.push_str(&format!(
            "\n<i>Your earlier answer: {}</i>",
            escape(previous)
        ));
    }
    let typed = match q.kind {
        NodeKind::Duration => Some("Or type how long, e.g. “3 days”."),
        NodeKind::Text => Some("Or type a few words."),
        NodeKind::Frequency => Some("Or type how often, e.g. “3 times a day”."),
        NodeKind::Choice | NodeKind::YesNo => None,
    };
    if let Some(typed) = typed {
        text.push_str(&format!("\n<i>{typed}</i>"));
    }
    let rows: Vec<Vec<InlineKeyboardButton>> = q
        .choices
        .iter()
        .map(|c| {
            vec![InlineKeyboardButton::callback(
                c.label.clone(),
                c.token.to_string(),
            )]
        })
        .collect();
    (text, InlineKeyboardMarkup::new(rows))
}

/// The question's message once answered: the question and the answer, no
/// buttons, and the person's own words when the answer was read from them.
pub fn answered(question: &str, answer: &str, said: Option<&str>) -> String {
    let mut text = format!("{}\n\n✓ <b>{}</b>", escape(question), escape(answer));
    if let Some(said) = said {
        text.push_str(&format!(" — you said “{}”", escape(said)));
    }
    text
}

/// A plain line (notices, re-prompts).
pub fn plain(text: &str) -> String {
    escape(text)
}

/// The outcome: verdict and guidance with the disclaimer, then the tips.
pub fn outcome(o: &OutcomeReply) -> Vec<String> {
    let mut main = format!("<b>{}</b>", escape(&o.verdict));
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
pub fn about(script: &Script, ttl_hours: u64) -> String {
    format!(
        "{}\n\n<b>What I keep</b>\nWhile you do a check I keep your answers and the question you are on, \
         so you can continue later or go /back. They are deleted {ttl_hours} hours after your last \
         message, and a finished check keeps nothing longer. /forget deletes everything at once. \
         Backups the bot's operator keeps of its storage are outside what /forget can reach. \
         I never ask health questions in group chats.",
        about_common(script)
    )
}

/// `/about` in a group.
pub fn group_about(script: &Script) -> String {
    format!(
        "{}\n\nIn this group I only share general tips. Checks happen in a private chat with me, \
         so nobody here sees anyone's answers.",
        about_common(script)
    )
}

fn about_common(script: &Script) -> String {
    let mut text = format!(
        "<b>{}</b>\n{}\n\n<i>⚠ {}</i>\n\n<b>Sources</b>",
        escape(&script.title),
        escape(&script.intro.text),
        escape(&script.disclaimer.text)
    );
    for source in &script.sources {
        text.push_str(&format!("\n• {}", escape(&source.title)));
        if let Some(url) = &source.url {
            text.push_str(&format!(" — {}", escape(url)));
        }
    }
    text
}

/// The deep link that opens a private chat and starts the check at once.
pub fn check_link(bot_username: &str) -> InlineKeyboardMarkup {
    let url = url::Url::parse(&format!("https://t.me/{bot_username}?start=check"))
        .unwrap_or_else(|_| url::Url::parse("https://t.me/").expect("static URL parses"));
    InlineKeyboardMarkup::new([[InlineKeyboardButton::url("Start my private check", url)]])
}

/// What the bot posts when added to a group.
pub fn group_intro(script: &Script) -> String {
    format!(
        "<b>Hello, everyone!</b> I help with twitching around the nose and face.\n\
         • /check — a short check in a private chat with me: your answers stay between us, \
         I never ask health questions here.\n\
         • /tips — ways to ease stress, which can make twitching worse.\n\
         • /about — what I am and where my information comes from.\n\n<i>⚠ {}</i>",
        escape(&script.disclaimer.text)
    )
}

/// The reply to `/check` in a group: the check happens in private.
pub fn check_in_private() -> String {
    "Checks happen in a private chat, so nobody here sees your answers. Tap below to start yours."
        .to_string()
}

/// `/help` in a group.
pub fn group_help() -> String {
    [
        "<b>How I work in this group</b>",
        "/check — start your own check in a private chat with me",
        "/tips — ways to ease stress",
        "/about — what I am and my sources",
        "/settings — welcome message and periodic tips (admins only)",
        "",
        "I never ask health questions in the group.",
    ]
    .join("\n")
}

/// One combined welcome for everyone who just joined.
pub fn welcome_members(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| escape(n)).collect();
    if names.len() > SHOWN {
        list.push(format!("{} others", names.len() - SHOWN));
    }
    let who = match list.len() {
        0 => "everyone".to_string(),
        1 => list[0].clone(),
        n => format!("{} and {}", list[..n - 1].join(", "), list[n - 1]),
    };
    format!(
        "Welcome, {who}! If twitching around your nose or face bothers you, I can walk you \
         through a short check in a private chat — your answers stay between us."
    )
}

/// A periodic tip.
pub fn periodic_tip(title: &str, tip: &str) -> String {
    format!("<b>💡 {}</b>\n{}", escape(title), escape(tip))
}

/// Callback data prefix of settings buttons.
pub const SETTINGS: &str = "s:";

/// The `/settings` message: the current choices and buttons to change them.
/// `topic` is the forum topic the message is in, if any.
pub fn settings(current: &GroupSettings, topic: Option<i32>) -> (String, InlineKeyboardMarkup) {
    let rhythm = match current.tips {
        None => "off",
        Some(Rhythm::Daily) => "daily",
        Some(Rhythm::Weekly) => "weekly",
    };
    let place = match current.topic {
        None => "General".to_string(),
        Some(t) if Some(t) == topic => "this topic".to_string(),
        Some(t) => format!("topic {t}"),
    };
    let text = format!(
        "<b>Settings for this group</b>\nWelcome message for new members: <b>{}</b>\n\
         Periodic stress tip: <b>{rhythm}</b>\nWelcomes and tips are posted in: <b>{place}</b>",
        if current.welcome { "on" } else { "off" }
    );
    let mark = |on: bool, label: &str| {
        if on {
            format!("✓ {label}")
        } else {
            label.to_string()
        }
    };
    let button = |label: String, data: &str| {
        InlineKeyboardButton::callback(label, format!("{SETTINGS}{data}"))
    };
    let mut rows = vec![
        vec![
            button(mark(current.welcome, "Welcome on"), "welcome:on"),
            button(mark(!current.welcome, "Welcome off"), "welcome:off"),
        ],
        vec![
            button(mark(current.tips.is_none(), "Tips off"), "tips:off"),
            button(
                mark(current.tips == Some(Rhythm::Daily), "Daily"),
                "tips:daily",
            ),
            button(
                mark(current.tips == Some(Rhythm::Weekly), "Weekly"),
                "tips:weekly",
            ),
        ],
    ];
    if topic.is_some() || current.topic.is_some() {
        let mut row = vec![button(
            mark(current.topic.is_none(), "Post in General"),
            "topic:general",
        )];
        if topic.is_some() {
            row.push(button(
                mark(
                    current.topic.is_some() && current.topic == topic,
                    "Post in this topic",
                ),
                "topic:here",
            ));
        }
        rows.push(row);
    }
    (text, InlineKeyboardMarkup::new(rows))
}

/// `/help`.
pub fn help() -> String {
    [
        "<b>Commands</b>",
        "/check — begin the check, or continue where you left off",
        "/back — change your last answer",
        "/restart — start the check again",
        "/tips — ways to ease stress",
        "/summary — a recap of your check to show a doctor",
        "/cancel — stop the check and any follow-up (your answers are kept)",
        "/about — what this bot is, its sources and what it keeps",
        "/privacy — what is kept about you, for how long, and how to delete it",
        "/export — everything kept about you, as a file",
        "/forget — delete everything kept about you",
        "/help — this list",
        "",
        "Answer with the buttons or type your answer.",
    ]
    .join("\n")
}

/// `/privacy`: what is kept, for how long, where, and how to delete it.
pub fn privacy(ttl_hours: u64, store: &str) -> String {
    format!(
        "<b>What I keep about you</b>\n\
         • Your answers in the check, the question you are on, and a follow-up you asked for with its answers.\n\
         • Not your name, your messages outside the check, or anything from group chats \
         (in groups I keep only the group's settings, never anyone's health answers).\n\n\
         <b>For how long</b>\n\
         Everything is deleted {ttl_hours} hours after your last message. If you asked me to check on you later, \
         it is kept until that follow-up is done, then for the same {ttl_hours} hours.\n\n\
         <b>Where</b>\n\
         In {}.\n\n\
         <b>Your choices</b>\n\
         /export sends you a copy of everything kept. /cancel stops a check or a follow-up. \
         /forget deletes everything at once, from the storage files too. Backups the operator keeps of the storage \
         are outside what /forget can reach.",
        escape(store)
    )
}

/// The `/summary` message: the recap in short.
pub fn summary(s: &Summary) -> String {
    let mut text = format!(
        "<b>Summary for your doctor — {}</b>\n{}",
        escape(&s.title),
        escape(&s.date)
    );
    if let Some((level, verdict)) = &s.outcome {
        text.push_str(&format!(
            "\n\n<b>Level reached:</b> {} — {}",
            level.name(),
            escape(verdict)
        ));
    }
    if let Some(sign) = &s.sign {
        text.push_str(&format!(
            "\n<b>Emergency sign confirmed:</b> {}",
            escape(sign)
        ));
    }
    if !s.answers.is_empty() {
        text.push_str("\n\n<b>Answers</b>");
        for (question, answer) in &s.answers {
            text.push_str(&format!(
                "\n• {} — <b>{}</b>",
                escape(question),
                escape(answer)
            ));
        }
    }
    for (date, answer, days) in &s.follow_ups {
        text.push_str(&format!(
            "\n\n<b>Follow-up, {}:</b> {}",
            escape(date),
            escape(answer)
        ));
        if let Some(days) = days {
            text.push_str(&format!(" (about {days} days in all)"));
        }
    }
    if let Some(next) = &s.next_follow_up {
        text.push_str(&format!("\n\nNext follow-up: {}", escape(next)));
    }
    for (date, level, answers) in &s.earlier {
        let level = level.map_or("—", |l| l.name());
        text.push_str(&format!(
            "\n\n<b>Earlier check, {}:</b> {level}; {} answers (in the file)",
            escape(date),
            answers.len()
        ));
    }
    text.push_str(&format!(
        "\n\n<i>⚠ {}</i>\n\nThe same as a file to print or show follows.",
        escape(&s.disclaimer)
    ));
    text
}

/// The `/summary` document: a small HTML page to print or show a doctor.
pub fn summary_page(s: &Summary) -> String {
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
        let days = days.map_or_else(String::new, |d| format!(" (about {d} days in all)"));
        follow_ups.push_str(&format!(
            "<li>{}: {}{days}</li>\n",
            escape(date),
            escape(answer)
        ));
    }
    let mut earlier = String::new();
    for (date, level, answers) in &s.earlier {
        earlier.push_str(&format!(
            "<h2>Earlier check, {} ({})</h2>\n<table>\n",
            escape(date),
            level.map_or("—", |l| l.name())
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
                "<p><b>Level reached:</b> {} — {}</p>\n",
                level.name(),
                escape(verdict)
            )
        });
    let sign = s.sign.as_ref().map_or_else(String::new, |sign| {
        format!("<p><b>Emergency sign confirmed:</b> {}</p>\n", escape(sign))
    });
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:sans-serif;max-width:42em;margin:2em auto}}td{{padding:.3em;vertical-align:top;border-bottom:1px solid #ddd}}</style>\
         </head><body>\n<h1>{title}</h1>\n<p>Check of {date}</p>\n{outcome}{sign}\
         <h2>Answers</h2>\n<table>\n{rows}</table>\n<h2>Follow-ups</h2>\n<ul>\n{follow_ups}</ul>\n{earlier}\
         <h2>Sources</h2>\n<ul>\n{sources}</ul>\n<p><i>{disclaimer}</i></p>\n</body></html>\n",
        title = escape(&s.title),
        date = escape(&s.date),
        disclaimer = escape(&s.disclaimer),
    )
}

/// Splits text into messages within Telegram's limit, at paragraph breaks
/// where possible (so HTML tags, which never span paragraphs, stay whole).
pub fn split(text: &str) -> Vec<String> {
    let fits = |s: &str| s.encode_utf16().count() <= MAX_MESSAGE;
    let mut messages = Vec::new();
    let mut current = String::new();
    for paragraph in text.split("\n\n") {
        let joined = if current.is_empty() {
            paragraph.to_string()
        } else {
            format!("{current}\n\n{paragraph}")
        };
        if fits(&joined) {
            current = joined;
            continue;
        }
        if !current.is_empty() {
            messages.push(std::mem::take(&mut current));
        }
        if fits(paragraph) {
            current = paragraph.to_string();
        } else {
            let mut piece = String::new();
            for c in paragraph.chars() {
                if piece.encode_utf16().count() + c.len_utf16() > MAX_MESSAGE {
                    messages.push(std::mem::take(&mut piece));
                }
                piece.push(c);
            }
            current = piece;
        }
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_keeps_every_message_within_the_limit() {
        let long = format!(
            "{}\n\n{}\n\n{}",
            "a".repeat(3000),
            "b".repeat(3000),
            "c".repeat(9000)
        );
        let parts = split(&long);
        assert!(
            parts
                .iter()
                .all(|p| p.encode_utf16().count() <= MAX_MESSAGE)
        );
        assert_eq!(parts.concat().replace("\n\n", ""), long.replace("\n\n", ""));
        assert_eq!(split("short"), vec!["short".to_string()]);
    }

    #[test]
    fn user_text_is_escaped() {
        assert_eq!(
            answered("Q?", "<b>x</b> & y", None),
            "Q?\n\n✓ <b>&lt;b&gt;x&lt;/b&gt; &amp; y</b>"
        );
        assert_eq!(
            answered("Q?", "Yes", Some("<i>a bit</i>")),
            "Q?\n\n✓ <b>Yes</b> — you said “&lt;i&gt;a bit&lt;/i&gt;”"
        );
    }
}
