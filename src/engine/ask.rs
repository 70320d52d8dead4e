//! What the engine shows: the question a session is at (or where it
//! stands), with its buttons, and dialogue texts with the answers filled in.

use super::{
    ButtonToken, ChoiceButton, Heading, Notice, Position, Question, Reply, Session, follow_up,
};
use crate::script::{Node, NodeKind, RedFlags, Script, Sign, placeholder};

/// The dialogue's greeting and disclaimer, before the first question.
pub(super) fn intro(script: &Script) -> Reply {
    Reply::Intro {
        text: script.intro.text.clone(),
        disclaimer: script.disclaimer.text.clone(),
    }
}

/// The reply that shows where the session stands.
pub(super) fn current(script: &Script, session: &Session) -> Reply {
    match &session.position {
        Position::Asking { node } => question(script, session, node, None),
        Position::Unsure { node } => unsure_question(script, session, node),
        Position::Flagged { sign, .. } => sign_question(script, session, sign),
        Position::FollowUp { .. } => follow_up::question(script, session),
        Position::Stopped {} => Reply::Notice(Notice::Stopped),
        Position::Finished { .. } => Reply::Notice(Notice::Finished),
    }
}

/// `first` (a notice, or why an answer was not taken), then where the
/// session stands, shown again.
pub(super) fn again(script: &Script, session: &Session, first: Reply) -> Vec<Reply> {
    vec![first, current(script, session)]
}

/// The question `node_id` with its buttons; `previous` is the answer it had,
/// when going back to change it.
pub(super) fn question(
    script: &Script,
    session: &Session,
    node_id: &str,
    previous: Option<String>,
) -> Reply {
    let Some(node) = script.node(node_id) else {
        return Reply::Notice(Notice::DialogueUpdated);
    };
    Reply::Question(Question {
        node: node.id.clone(),
        kind: node.kind,
        turn: session.turn,
        heading: Heading::Number(session.answers.len() + 1),
        text: fill(&node.prompt.text, script, Some(session)),
        choices: buttons(session, node),
        previous,
    })
}

/// One button: `value` of question `node`, for this session's turn.
pub(super) fn button(session: &Session, node: &str, value: &str, label: &str) -> ChoiceButton {
    ChoiceButton {
        label: label.to_string(),
        token: ButtonToken {
            session: session.id,
            turn: session.turn,
            node: node.to_string(),
            value: value.to_string(),
        },
    }
}

/// A button for each of `node`'s options.
pub(super) fn buttons(session: &Session, node: &Node) -> Vec<ChoiceButton> {
    node.options
        .iter()
        .map(|o| button(session, &node.id, &o.value, &o.label))
        .collect()
}

/// A red-flag question asked again after an unsure answer, with its buttons.
fn unsure_question(script: &Script, session: &Session, node_id: &str) -> Reply {
    let (Some(node), Some(flags)) = (script.node(node_id), &script.red_flags) else {
        return Reply::Notice(Notice::DialogueUpdated);
    };
    Reply::Question(Question {
        node: node.id.clone(),
        kind: NodeKind::YesNo,
        turn: session.turn,
        heading: Heading::Safety,
        text: node.unsure.as_ref().unwrap_or(&flags.unsure).text.clone(),
        choices: buttons(session, node),
        previous: None,
    })
}

/// "Is this happening now?" after a described emergency sign.
fn sign_question(script: &Script, session: &Session, sign_id: &str) -> Reply {
    let Some((flags, sign)) = sign_of(script, sign_id) else {
        return Reply::Notice(Notice::DialogueUpdated);
    };
    Reply::Question(Question {
        node: sign.id.clone(),
        kind: NodeKind::YesNo,
        turn: session.turn,
        heading: Heading::Safety,
        text: sign_text(flags, sign),
        choices: vec![
            button(session, &sign.id, "yes", &flags.yes),
            button(session, &sign.id, "no", &flags.no),
        ],
        previous: None,
    })
}

/// The question about a described sign: what was understood, then "is it happening now?".
pub(super) fn sign_text(flags: &RedFlags, sign: &Sign) -> String {
    format!("{} {}", sign.said.text, flags.confirm.text)
}

/// The red-flag screen and its sign `sign_id`, when the dialogue has them.
pub(super) fn sign_of<'s>(script: &'s Script, sign_id: &str) -> Option<(&'s RedFlags, &'s Sign)> {
    let flags = script.red_flags.as_ref()?;
    Some((flags, flags.signs.iter().find(|s| s.id == sign_id)?))
}

/// Replaces `{node_id}` with how that answer reads back ("—" if unanswered).
pub(super) fn fill(text: &str, script: &Script, session: Option<&Session>) -> String {
    placeholder::fill(text, |name| {
        let node = script.node(name)?;
        Some(
            session
                .and_then(|s| s.answer(&node.id))
                .map_or_else(|| "—".to_string(), |a| a.display(node, &script.catalog)),
        )
    })
}
