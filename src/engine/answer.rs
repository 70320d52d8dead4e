//! What the engine does with what the person did: a button pressed, text
//! typed (read by the emergency net first), or going back; each answer is
//! recorded and leads to the next question or to the outcome.

use super::ask::{again, current, fill, question, sign_of, sign_text};
use super::duration::day_of;
use super::outcome::{finish, outcome_reply};
use super::parse::{match_option, match_option_exactly, names_option};
use super::read::{not_understood, read_answer};
use super::yes_no::{self, Leaning};
use super::{
    Answer, ButtonToken, ConfirmedSign, Given, MAX_INPUT_CHARS, Notice, Position, Reply, Session,
    follow_up, net,
};
use crate::script::{FOLLOW_UP, Node, NodeKind, RedFlags, Script, Sign, Target, fold};

/// The emergency sign a message describes, if any.
pub(super) fn caught<'s>(script: &'s Script, text: &str) -> Option<&'s Sign> {
    let flags = script.red_flags.as_ref()?;
    net::caught(&script.lexicon, flags, text).or_else(|| {
        // Described in another of the dialogue's languages: the same sign,
        // asked about in this one.
        let found = script
            .other_nets
            .iter()
            .find_map(|(lexicon, other)| net::caught(lexicon, other, text))?;
        flags.signs.iter().find(|sign| sign.id == found.id)
    })
}

/// Moves the session to `position` on a new turn (so earlier buttons are
/// stale), and shows it.
pub(super) fn turn_to(script: &Script, session: &mut Session, position: Position) -> Vec<Reply> {
    session.turn = session.turn.wrapping_add(1);
    session.position = position;
    vec![current(script, session)]
}

/// Going back one question to change its answer.
pub(super) fn back(script: &Script, session: &mut Session) -> Vec<Reply> {
    // The last thing answered was a described sign: ask about it again.
    if let Some(confirmed) = session.confirmed_sign.take() {
        let flagged = Position::Flagged {
            sign: confirmed.sign,
            resume: Box::new(confirmed.resume),
        };
        return turn_to(script, session, flagged);
    }
    match session.position.clone() {
        // A pending sign question gives way to the question it interrupted.
        Position::Flagged { resume, .. } => return turn_to(script, session, *resume),
        Position::Unsure { node } => session.position = Position::Asking { node },
        // A follow-up is not part of the check: there is nothing to go back to.
        Position::FollowUp { .. } => {
            return again(script, session, Reply::Notice(Notice::AtFirstQuestion));
        }
        _ => {}
    }
    let Some(last) = session.answers.pop() else {
        session.turn = session.turn.wrapping_add(1);
        return again(script, session, Reply::Notice(Notice::AtFirstQuestion));
    };
    let previous = script
        .node(&last.node)
        .map(|n| last.answer.display(n, &script.catalog));
    session.turn = session.turn.wrapping_add(1);
    session.position = Position::Asking {
        node: last.node.clone(),
    };
    vec![question(script, session, &last.node, previous)]
}

/// A button pressed: an answer when it belongs to this session's turn, else stale.
pub(super) fn pressed(
    script: &Script,
    session: &mut Session,
    token: &ButtonToken,
    now_ms: u64,
) -> Vec<Reply> {
    let live = token.session == session.id && token.turn == session.turn;
    let stale = |session: &Session| again(script, session, Reply::Notice(Notice::Stale));
    if !live {
        return stale(session);
    }
    match session.position.clone() {
        Position::Flagged { sign, resume } if token.node == sign => match token.value.as_str() {
            "yes" => sign_confirmed(script, session, &sign, None),
            "no" => sign_declined(script, session, &sign, *resume),
            _ => stale(session),
        },
        Position::Finished { .. } if token.node == FOLLOW_UP => {
            follow_up::offer_answered(script, session, &token.value, now_ms)
        }
        Position::FollowUp { .. } if token.node == FOLLOW_UP => {
            follow_up::answered(script, session, &token.value, None, now_ms)
        }
        Position::Asking { node } | Position::Unsure { node } if token.node == node => {
            let Some(node) = script.node(&node) else {
                return stale(session);
            };
            let Some(option) = node.option(&token.value) else {
                return stale(session);
            };
            let answer = match (node.kind, option.days) {
                (NodeKind::Duration, Some(days)) => Answer::Duration {
                    days,
                    option: Some(option.value.clone()),
                },
                _ => Answer::Option {
                    value: option.value.clone(),
                },
            };
            accept(script, session, node, answer, None)
        }
        _ => stale(session),
    }
}

/// Typed text: a described emergency sign whatever is asked, else an answer
/// to what is asked.
pub(super) fn typed(script: &Script, session: &mut Session, text: &str, now_ms: u64) -> Vec<Reply> {
    let position = session.position.clone();
    // The net reads every message, however long, before anything else.
    if let Some(found) = caught(script, text) {
        return match position {
            // Describing a sign while asked about one is a yes.
            Position::Flagged { sign, .. } => sign_confirmed(script, session, &sign, Some(text)),
            Position::Unsure { node } => {
                match script.node(&node).and_then(|n| Some((n, n.option("yes")?))) {
                    Some((node, yes)) => {
                        let answer = Answer::Option {
                            value: yes.value.clone(),
                        };
                        accept(script, session, node, answer, Some(text))
                    }
                    None => vec![current(script, session)],
                }
            }
            resume => {
                let flagged = Position::Flagged {
                    sign: found.id.clone(),
                    resume: Box::new(resume),
                };
                turn_to(script, session, flagged)
            }
        };
    }
    if text.trim().chars().count() > MAX_INPUT_CHARS {
        let hint = script.catalog.text("hint-message-too-long");
        return again(script, session, Reply::Invalid { hint });
    }
    match position {
        Position::Asking { node } => match script.node(&node) {
            Some(node) => typed_answer(script, session, node, text, now_ms),
            None => vec![current(script, session)],
        },
        Position::Unsure { node } => {
            let Some(node) = script.node(&node) else {
                return vec![current(script, session)];
            };
            // Still unsure, or a hedge: the safer reading is yes; a no
            // must be clear.
            let value = match yes_no::leaning(&script.lexicon, text) {
                Leaning::Unsure | Leaning::Hedged => Some("yes"),
                Leaning::Denied | Leaning::Plain => {
                    match_option(&script.lexicon, node, text).map(|o| o.value.as_str())
                }
            };
            match value {
                Some(value) => {
                    let answer = Answer::Option {
                        value: value.to_string(),
                    };
                    accept(script, session, node, answer, Some(text))
                }
                None => not_understood(script, session, node, None),
            }
        }
        Position::Flagged { sign, resume } => match yes_no::confirmation(&script.lexicon, text) {
            Some(true) => sign_confirmed(script, session, &sign, Some(text)),
            Some(false) => sign_declined(script, session, &sign, *resume),
            None => {
                let hint = script.catalog.text("hint-yes-or-no");
                again(script, session, Reply::Invalid { hint })
            }
        },
        Position::FollowUp { .. } => {
            let value = follow_up::read(script, text);
            match (value, &script.follow_up) {
                (Some(value), _) => {
                    follow_up::answered(script, session, &value, Some(text), now_ms)
                }
                (None, Some(f)) => not_understood(script, session, &f.answers, None),
                (None, None) => vec![current(script, session)],
            }
        }
        Position::Finished { .. } | Position::Stopped {} => vec![current(script, session)],
    }
}

/// The sign is happening: the emergency outcome, at once.
fn sign_confirmed(
    script: &Script,
    session: &mut Session,
    sign: &str,
    said: Option<&str>,
) -> Vec<Reply> {
    let Some((flags, found)) = sign_of(script, sign) else {
        return vec![current(script, session)];
    };
    let Some(outcome) = script.outcome(&flags.outcome) else {
        return vec![current(script, session)];
    };
    let said = said.filter(|t| !yes_no::plain_yes(&script.lexicon, t));
    let accepted = sign_answered(session, flags, found, &flags.yes, said);
    let resume = match std::mem::replace(
        &mut session.position,
        Position::Finished {
            outcome: outcome.id.clone(),
        },
    ) {
        Position::Flagged { resume, .. } => *resume,
        other => other,
    };
    session.confirmed_sign = Some(ConfirmedSign {
        sign: found.id.clone(),
        resume,
    });
    vec![accepted, outcome_reply(script, session, outcome)]
}

/// The sign is not happening: back to where the person was.
fn sign_declined(
    script: &Script,
    session: &mut Session,
    sign: &str,
    resume: Position,
) -> Vec<Reply> {
    let Some((flags, found)) = sign_of(script, sign) else {
        return vec![current(script, session)];
    };
    let accepted = sign_answered(session, flags, found, &flags.no, None);
    session.position = resume;
    vec![
        accepted,
        Reply::Say {
            text: flags.declined.text.clone(),
        },
        current(script, session),
    ]
}

/// The answer to a sign question (`answer`, its button's label; `said`, the
/// words typed), said back; the session moves on a turn.
fn sign_answered(
    session: &mut Session,
    flags: &RedFlags,
    sign: &Sign,
    answer: &str,
    said: Option<&str>,
) -> Reply {
    let accepted = Reply::Accepted {
        node: sign.id.clone(),
        question: sign_text(flags, sign),
        turn: session.turn,
        answer: answer.to_string(),
        said: said.map(str::to_string),
    };
    session.turn = session.turn.wrapping_add(1);
    accepted
}

/// A typed answer to the question being asked.
fn typed_answer(
    script: &Script,
    session: &mut Session,
    node: &Node,
    text: &str,
    now_ms: u64,
) -> Vec<Reply> {
    if text.trim().is_empty() {
        return not_understood(script, session, node, None);
    }
    if node.kind == NodeKind::YesNo {
        match yes_no::leaning(&script.lexicon, text) {
            Leaning::Unsure if node.red_flag && script.red_flags.is_some() => {
                let unsure = Position::Unsure {
                    node: node.id.clone(),
                };
                return turn_to(script, session, unsure);
            }
            Leaning::Unsure => {
                return again(script, session, Reply::Notice(Notice::Unsure));
            }
            // At a red-flag question a no must be clear, not a denied hedge.
            Leaning::Denied if node.red_flag => {}
            // An answer the dialogue lists word for word means what it is
            // listed for, even with a hedge word in it ("poco a poco" is
            // "gradually", not "un poco").
            Leaning::Hedged if match_option_exactly(node, text).is_some() => {}
            leaning @ (Leaning::Hedged | Leaning::Denied) => {
                let value = if leaning == Leaning::Hedged {
                    "yes"
                } else {
                    "no"
                };
                if let Some(option) = node.option(value) {
                    let answer = Answer::Option {
                        value: option.value.clone(),
                    };
                    return accept(script, session, node, answer, Some(text));
                }
            }
            Leaning::Plain => {}
        }
    }
    match read_answer(script, node, text, day_of(now_ms)) {
        Ok(answer) => accept(script, session, node, answer, Some(text)),
        Err(reason) => not_understood(script, session, node, reason),
    }
}

/// Records an answer and moves on: to the next question, or to the outcome.
/// `typed` is what the person wrote, echoed when it was interpreted.
pub(super) fn accept(
    script: &Script,
    session: &mut Session,
    node: &Node,
    answer: Answer,
    typed: Option<&str>,
) -> Vec<Reply> {
    let shown = answer.display(node, &script.catalog);
    let asked_on = session.turn;
    let option = match &answer {
        Answer::Option { value }
        | Answer::Duration {
            option: Some(value),
            ..
        } => node.option(value),
        _ => None,
    };
    let said = typed
        .map(str::trim)
        .filter(|t| {
            let plain = fold(t) == fold(&shown) || option.is_some_and(|o| names_option(o, t));
            !plain && !matches!(answer, Answer::Text { .. })
        })
        .map(str::to_string);
    let target = node.target(option).cloned();
    session.answers.retain(|given| given.node != node.id);
    session.answers.push(Given {
        node: node.id.clone(),
        answer,
    });
    session.turn = session.turn.wrapping_add(1);
    let accepted = Reply::Accepted {
        node: node.id.clone(),
        question: fill(&node.prompt.text, script, Some(session)),
        turn: asked_on,
        answer: shown,
        said,
    };
    let next = match target {
        Some(Target::Node(next)) if script.node(&next).is_some() => {
            session.position = Position::Asking { node: next.clone() };
            question(script, session, &next, None)
        }
        _ => finish(script, session),
    };
    let mut replies = vec![accepted, next];
    replies.extend(follow_up::offer(script, session));
    replies
}
