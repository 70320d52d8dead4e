//! Reading typed text as the answer to a question: what it means, or why
//! not and a hint at what would work, in the dialogue's language.

use super::ask::again;
use super::duration::{DurationError, parse_duration};
use super::parse::{match_option, match_option_exactly, match_quick_pick};
use super::{Answer, Reply, Session, frequency};
use crate::language::Catalog;
use crate::language::lexicon::Lexicon;
use crate::script::{Choice, Node, NodeKind, Script};

/// Says what kind of answer works, then asks again with the buttons.
pub(super) fn not_understood(
    script: &Script,
    session: &Session,
    node: &Node,
    reason: Option<String>,
) -> Vec<Reply> {
    let expected = node
        .hint
        .clone()
        .unwrap_or_else(|| default_hint(&script.catalog, node));
    let hint = match reason {
        Some(reason) => format!("{reason} {expected}"),
        None => expected,
    };
    again(script, session, Reply::Invalid { hint })
}

/// Reads a typed answer for `node`; the error is an optional specific reason.
/// `today` (days since 1970-01-01) reads answers such as "since Monday".
pub(super) fn read_answer(
    script: &Script,
    node: &Node,
    text: &str,
    today: i64,
) -> Result<Answer, Option<String>> {
    let lex: &Lexicon = &script.lexicon;
    let text = text.trim();
    let option = |o: &Choice| Answer::Option {
        value: o.value.clone(),
    };
    match node.kind {
        NodeKind::Choice | NodeKind::YesNo => match_option(lex, node, text).map(option).ok_or(None),
        NodeKind::Frequency => match_option_exactly(node, text)
            .or_else(|| {
                let rate = frequency::parse_rate(lex, text)?;
                node.options
                    .iter()
                    .find(|o| o.band.as_ref().is_some_and(|b| b.contains(rate)))
            })
            .or_else(|| match_option(lex, node, text))
            .map(option)
            .ok_or(None),
        NodeKind::Duration => match match_option_exactly(node, text) {
            Some(o) => Ok(Answer::Duration {
                days: o.days.unwrap_or(0),
                option: Some(o.value.clone()),
            }),
            None => parse_duration(lex, text, today)
                .map(|days| Answer::Duration { days, option: None })
                .map_err(|e| Some(duration_hint(&script.catalog, &e))),
        },
        NodeKind::Text => match match_quick_pick(lex, node, text) {
            Some(o) => Ok(option(o)),
            None if text.chars().count() > node.max_length => Err(Some(
                script
                    .catalog
                    .get("hint-max-length", &[("max", node.max_length.into())]),
            )),
            None => Ok(Answer::Text {
                text: text.to_string(),
            }),
        },
    }
}

/// What answers `node` takes, when the dialogue gives no hint of its own.
fn default_hint(catalog: &Catalog, node: &Node) -> String {
    let labels = node
        .options
        .iter()
        .map(|o| o.label.as_str())
        .collect::<Vec<_>>()
        .join(" / ");
    let id = match node.kind {
        NodeKind::YesNo => "hint-yes-no",
        NodeKind::Choice => "hint-choice",
        NodeKind::Frequency => "hint-frequency",
        NodeKind::Duration => "hint-duration",
        NodeKind::Text if labels.is_empty() => "hint-text",
        NodeKind::Text => "hint-text-or-choose",
    };
    catalog.get(id, &[("labels", labels.into())])
}

/// Why a typed length of time was not understood, in the dialogue's language.
fn duration_hint(catalog: &Catalog, error: &DurationError) -> String {
    match error {
        DurationError::Empty => catalog.text("duration-empty"),
        DurationError::NeedsUnit(number) => {
            catalog.get("duration-needs-unit", &[("number", number.clone().into())])
        }
        DurationError::Unknown(word) => {
            catalog.get("duration-unknown", &[("word", word.clone().into())])
        }
        DurationError::TooLong => catalog.text("duration-too-long"),
    }
}
