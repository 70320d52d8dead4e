//! The check's own messages: the greeting, questions with their answer
//! buttons, an answered question, the outcome and the stress tips.

use super::Buttons;
use crate::engine::{Heading, OutcomeReply, Question, TipsReply};
use crate::language::Catalog;
use crate::message::{Action, Button, escape, split};
use crate::script::{NodeKind, Script, emergency_numbers};

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
    if let Some(net) = &o.safety_net {
        main.push_str(&format!("\n\n<b>🚨 {}</b>", escape(&net.text)));
        if !net.numbers.is_empty() {
            main.push_str(&format!(
                "\n{}",
                escape(&emergency_numbers(c, &net.numbers))
            ));
        }
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
