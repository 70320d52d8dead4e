//! Follow-ups: after an outcome that is not an emergency the person may ask
//! to be checked on later; when that time comes "is it still there?" is
//! asked, and the answer is read together with the first check.
//!
//! The engine only records the wish (`Session::follow_up`) and answers the
//! due event; the conversation service schedules that event.

use super::{
    ButtonToken, ChoiceButton, FollowUpEvent, FollowUpRecord, Heading, Notice, PendingFollowUp,
    Position, Question, Reply, Session, current, fill, new_session,
};
use crate::script::expr::Answers;
use crate::script::{FOLLOW_UP, Meaning, NodeKind, Script};

const DAY_MS: u64 = 86_400_000;

/// The offer after an outcome, when the dialogue makes one and none is pending.
pub(super) fn offer(script: &Script, session: &Session) -> Option<Reply> {
    let follow_up = script.follow_up.as_ref()?;
    let Position::Finished { outcome } = &session.position else {
        return None;
    };
    if !follow_up.after.contains(outcome) || session.follow_up.is_some() {
        return None;
    }
    let mut choices: Vec<ChoiceButton> = follow_up
        .delays
        .iter()
        .map(|d| button(session, &format!("d{}", d.days), &d.label))
        .collect();
    choices.push(button(session, "no", &follow_up.decline));
    Some(Reply::Question(Question {
        node: FOLLOW_UP.to_string(),
        kind: NodeKind::Choice,
        turn: session.turn,
        heading: Heading::Offer,
        text: follow_up.offer.text.clone(),
        choices,
        previous: None,
    }))
}

fn button(session: &Session, value: &str, label: &str) -> ChoiceButton {
    ChoiceButton {
        label: label.to_string(),
        token: ButtonToken {
            session: session.id,
            turn: session.turn,
            node: FOLLOW_UP.to_string(),
            value: value.to_string(),
        },
    }
}

/// A press on the offer: a delay sets the follow-up, "no" declines it.
pub(super) fn offer_answered(
    script: &Script,
    session: &mut Session,
    value: &str,
    now_ms: u64,
) -> Vec<Reply> {
    let Some(follow_up) = &script.follow_up else {
        return vec![Reply::Notice(Notice::Stale), current(script, session)];
    };
    let delay = follow_up
        .delays
        .iter()
        .find(|d| value.strip_prefix('d') == Some(d.days.to_string().as_str()));
    let accepted = |answer: &str| Reply::Accepted {
        node: FOLLOW_UP.to_string(),
        question: follow_up.offer.text.clone(),
        turn: session.turn,
        answer: answer.to_string(),
        said: None,
    };
    let replies = match (value, delay) {
        ("no", _) => vec![accepted(&follow_up.decline)],
        (_, Some(delay)) => {
            session.follow_up = Some(PendingFollowUp {
                due_ms: now_ms.saturating_add(u64::from(delay.days) * DAY_MS),
                days: delay.days,
            });
            vec![
                accepted(&delay.label),
                Reply::Say {
                    text: format!(
                        "I will check on you in {} days, at about this time of day. /cancel stops it.",
                        delay.days
                    ),
                },
            ]
        }
        _ => return vec![Reply::Notice(Notice::Stale), current(script, session)],
    };
    session.turn = session.turn.wrapping_add(1);
    replies
}

/// The follow-up set for `due_ms` has come: ask, unless it was cancelled,
/// replaced or already asked.
pub(super) fn due(script: &Script, session: &mut Session, due_ms: u64) -> Vec<Reply> {
    let pending = session.follow_up.filter(|f| f.due_ms == due_ms);
    let outcome = match &session.position {
        Position::Finished { outcome } => Some(outcome.clone()),
        _ => None,
    };
    let (Some(_), Some(outcome), Some(_)) = (pending, outcome, &script.follow_up) else {
        return Vec::new();
    };
    session.follow_up = None;
    session.turn = session.turn.wrapping_add(1);
    session.position = Position::FollowUp { outcome };
    vec![current(script, session)]
}

/// "Is it still there?", with its answers as buttons.
pub(super) fn question(script: &Script, session: &Session) -> Reply {
    let Some(follow_up) = &script.follow_up else {
        return Reply::Notice(Notice::DialogueUpdated);
    };
    Reply::Question(Question {
        node: FOLLOW_UP.to_string(),
        kind: NodeKind::Choice,
        turn: session.turn,
        heading: Heading::FollowUp,
        text: follow_up.question.text.clone(),
        choices: follow_up
            .answers
            .options
            .iter()
            .map(|o| button(session, &o.value, &o.label))
            .collect(),
        previous: None,
    })
}

/// An answer to "is it still there?", read with the first check: still
/// there for more than a few days in all → see a doctor, saying how long;
/// worse → the check again, its emergency screen first; gone → a closing note.
pub(super) fn answered(
    script: &Script,
    session: &mut Session,
    value: &str,
    said: Option<&str>,
    now_ms: u64,
) -> Vec<Reply> {
    let Some(follow_up) = &script.follow_up else {
        return vec![current(script, session)];
    };
    let Position::FollowUp { outcome } = session.position.clone() else {
        return vec![Reply::Notice(Notice::Stale), current(script, session)];
    };
    let (Some(option), Some(meaning)) = (
        follow_up.answers.option(value),
        follow_up
            .meanings
            .iter()
            .find(|(v, _)| v == value)
            .map(|(_, m)| *m),
    ) else {
        return vec![Reply::Notice(Notice::Stale), current(script, session)];
    };
    let accepted = Reply::Accepted {
        node: FOLLOW_UP.to_string(),
        question: follow_up.question.text.clone(),
        turn: session.turn,
        answer: option.label.clone(),
        said: said.map(str::to_string),
    };
    session.turn = session.turn.wrapping_add(1);
    let mut record = FollowUpRecord {
        answered_ms: now_ms,
        answer: value.to_string(),
        days: None,
    };
    match meaning {
        Meaning::Still => {
            let before = session.days(&follow_up.duration).unwrap_or(0);
            let since = session
                .finished_ms
                .map_or(0, |at| now_ms.saturating_sub(at) / DAY_MS);
            let days = u64::from(before).saturating_add(since);
            record.days = u32::try_from(days).ok();
            let text = if days > u64::from(follow_up.more_than_days) {
                fill(&follow_up.still_long.text, script, Some(session))
                    .replace("{days}", &days.to_string())
            } else {
                follow_up.still_short.text.clone()
            };
            session.follow_ups.push(record);
            session.position = Position::Finished { outcome };
            let mut replies = vec![accepted, Reply::Say { text }];
            replies.extend(offer(script, session));
            replies
        }
        Meaning::Gone => {
            session.follow_ups.push(record);
            session.position = Position::Finished { outcome };
            vec![
                accepted,
                Reply::Say {
                    text: follow_up.gone.text.clone(),
                },
            ]
        }
        Meaning::Worse => {
            // The check again, emergency screen first; the follow-ups so far stay.
            let mut history = std::mem::take(&mut session.follow_ups);
            history.push(record);
            *session = new_session(
                script,
                Some(session),
                now_ms ^ u64::from(session.id),
                now_ms,
            );
            session.follow_ups = history;
            vec![
                accepted,
                Reply::Say {
                    text: follow_up.worse.text.clone(),
                },
                current(script, session),
            ]
        }
    }
}

/// /cancel: stops the check in progress and the pending follow-up; the
/// answers stay until they expire.
pub(super) fn cancel(session: &mut Session) -> Vec<Reply> {
    let scheduled = session.follow_up.take().is_some();
    let running = matches!(
        session.position,
        Position::Asking { .. }
            | Position::Unsure { .. }
            | Position::Flagged { .. }
            | Position::FollowUp { .. }
    );
    if running {
        session.position = Position::Stopped {};
    }
    if !(running || scheduled) {
        return vec![Reply::Notice(Notice::NothingToCancel)];
    }
    session.turn = session.turn.wrapping_add(1);
    vec![Reply::Notice(Notice::Stopped)]
}

/// What a step did to follow-ups, read from the session before and after.
pub(super) fn happened(
    script: &Script,
    before: &Session,
    after: &Session,
    replies: &[Reply],
) -> Vec<FollowUpEvent> {
    let mut events = Vec::new();
    if after.follow_ups.len() > before.follow_ups.len()
        && let Some(record) = after.follow_ups.last()
        && let Some((_, meaning)) = script
            .follow_up
            .iter()
            .flat_map(|f| &f.meanings)
            .find(|(value, _)| *value == record.answer)
    {
        events.push(FollowUpEvent::Answered(*meaning));
    }
    if after.follow_up.is_some() && before.follow_up.is_none() {
        events.push(FollowUpEvent::Accepted);
    }
    if matches!(after.position, Position::FollowUp { .. })
        && !matches!(before.position, Position::FollowUp { .. })
    {
        events.push(FollowUpEvent::Asked);
    }
    // Only a new outcome or a "still there" shows the offer; it is never re-displayed.
    if replies
        .iter()
        .any(|r| matches!(r, Reply::Question(q) if q.heading == Heading::Offer))
    {
        events.push(FollowUpEvent::Offered);
    }
    events
}
