//! Engine replies as Telegram messages: HTML (everything from data or the
//! user is escaped), inline keyboards, and Telegram's 4096-character limit.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html::escape;

use crate::engine::{OutcomeReply, Question, TipsReply};
use crate::script::{NodeKind, Script};

/// Telegram's limit on one message's text.
pub const MAX_MESSAGE: usize = 4096;

/// Callback data of the "Start the check" button under the greeting.
pub const BEGIN: &str = "begin";

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
    let mut text = format!("<b>Question {}.</b> {}", q.number, escape(&q.text));
    if let Some(previous) = &q.previous {
        text.push_str(&format!(
            "\n<i>Your earlier answer: {}</i>",
            escape(previous)
        ));
    }
    let typed = match q.kind {
        NodeKind::Duration => Some("Or type how long, e.g. “3 days”."),
        NodeKind::Text => Some("Or type a few words."),
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

/// The question's message once answered: the question and the answer, no buttons.
pub fn answered(question: &str, answer: &str) -> String {
    format!("{}\n\n✓ <b>{}</b>", escape(question), escape(answer))
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

/// `/about`: what the bot is, its sources, the disclaimer, what it stores.
pub fn about(script: &Script, ttl_hours: u64) -> String {
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
    text.push_str(&format!(
        "\n\n<b>What I keep</b>\nWhile you do a check I keep your answers and the question you are on, \
         so you can continue later or go /back. They are deleted {ttl_hours} hours after your last \
         message, and a finished check keeps nothing longer. /forget deletes everything at once. \
         I never ask health questions in group chats."
    ));
    text
}

/// `/help`.
pub fn help() -> String {
    [
        "<b>Commands</b>",
        "/check — begin the check, or continue where you left off",
        "/back — change your last answer",
        "/restart — start the check again",
        "/tips — ways to ease stress",
        "/about — what this bot is, its sources and what it keeps",
        "/forget — delete everything kept about you",
        "/help — this list",
        "",
        "Answer with the buttons or type your answer.",
    ]
    .join("\n")
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
            answered("Q?", "<b>x</b> & y"),
            "Q?\n\n✓ <b>&lt;b&gt;x&lt;/b&gt; &amp; y</b>"
        );
    }
}
