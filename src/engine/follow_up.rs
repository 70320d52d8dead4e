//! Follow-ups: after an outcome that is not an emergency the person may ask
//! to be checked on later; when that time comes "is it still there?" is
//! asked, and the answer is read together with the first check.
//!
//! The engine only records the wish (`Session::follow_up`) and answers the
//! due event; the conversation service schedules that event.

use super::answer::turn_to;
use super::ask::{again, button, buttons, current, fill};
use super::{
    ChoiceButton, EarlierCheck, FollowUpEvent, FollowUpRecord, Heading, Notice, PendingFollowUp,
    Position, Question, Reply, Session, new_session,
};
use crate::diary::{DAY_MS, Log};
use crate::script::expr::Answers;
use crate::script::{FOLLOW_UP, Meaning, NodeKind, Script};

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
        .map(|d| button(session, FOLLOW_UP, &format!("d{}", d.days), &d.label))
        .collect();
    choices.push(button(session, FOLLOW_UP, "no", &follow_up.decline));
    Some(Reply::Question(Question {
        node: FOLLOW_UP.to_string(),
        kind: NodeKind::Choice,
        turn: session.turn,
        heading: Heading::Offer,
        text: fill(&follow_up.offer.text, script, Some(session)),
        choices,
        previous: None,
    }))
}

/// A press on the offer: a delay sets the follow-up, "no" declines it.
pub(super) fn offer_answered(
    script: &Script,
    session: &mut Session,
    value: &str,
    now_ms: u64,
) -> Vec<Reply> {
    let Some(follow_up) = &script.follow_up else {
        return again(script, session, Reply::Notice(Notice::Stale));
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
                    text: fill(
                        &follow_up
                            .accepted
                            .counted(&script.catalog, u64::from(delay.days)),
                        script,
                        Some(session),
                    ),
                },
            ]
        }
        _ => return again(script, session, Reply::Notice(Notice::Stale)),
    };
    session.turn = session.turn.wrapping_add(1);
    replies
}

/// The follow-up set for `due_ms` has come: ask, unless it was cancelled,
/// replaced or already asked. When the person's diary holds entries on more
/// than the follow-up's `more_than_days` days since the check, that is the
/// article's persistence: the see-a-doctor advice comes first, from the
/// diary, and the question follows (its "worse" still leads back through
/// the emergency screen).
pub(super) fn due(
    script: &Script,
    session: &mut Session,
    due_ms: u64,
    diary: Option<&Log>,
) -> Vec<Reply> {
    if session.follow_up.is_none_or(|f| f.due_ms != due_ms) {
        return Vec::new();
    }
    // Asked only after an outcome it is offered for; a check in progress by
    // now (a new one, or changed with /back) drops it, and its end offers anew.
    session.follow_up = None;
    let (outcome, follow_up) = match (&session.position, &script.follow_up) {
        (Position::Finished { outcome }, Some(f)) if f.after.contains(outcome) => {
            (outcome.clone(), f)
        }
        _ => return Vec::new(),
    };
    let logged = diary
        .zip(script.diary.as_ref())
        .map(|(log, d)| (log.since(session.finished_ms.unwrap_or(0)), d));
    match logged {
        Some((tally, diary)) if tally.days > u64::from(follow_up.more_than_days) => {
            session.follow_ups.push(FollowUpRecord {
                answered_ms: due_ms,
                answer: DIARY_ANSWER.to_string(),
                days: None,
                logged: Some(tally),
            });
            let over = script.catalog.get(
                "diary-logged-over",
                &[
                    ("episodes", tally.episodes.into()),
                    ("days", tally.days.into()),
                ],
            );
            let mut replies = vec![
                Reply::Say { text: over },
                Reply::Say {
                    text: fill(&diary.persistent.text, script, Some(session)),
                },
            ];
            // Still asked how it is now: "worse" is the way back through the
            // emergency screen, which the advice must not close off.
            replies.extend(turn_to(script, session, Position::FollowUp { outcome }));
            replies
        }
        _ => turn_to(script, session, Position::FollowUp { outcome }),
    }
}

/// The answer a follow-up records when the diary answered it.
pub const DIARY_ANSWER: &str = "diary";

/// A pending follow-up does not outlive an outcome it is not offered for
/// (an emergency): nothing is asked after it.
pub(super) fn settle(script: &Script, session: &mut Session) {
    if let Position::Finished { outcome } = &session.position {
        let offered = script
            .follow_up
            .as_ref()
            .is_some_and(|f| f.after.contains(outcome));
        if !offered {
            session.follow_up = None;
        }
    }
}

/// Which answer a typed reply to "is it still there?" means: anything
/// saying worse or new (the language's `follow_up.worse`) wins, since the
/// safer reading sends the person through the emergency screen; else the
/// answer's words; `None` when unclear.
pub(super) fn read(script: &Script, text: &str) -> Option<String> {
    let follow_up = script.follow_up.as_ref()?;
    let folded = crate::script::fold(text);
    if folded
        .split(' ')
        .any(|w| script.lexicon.follow_up.worse.has(w))
    {
        return follow_up
            .meanings
            .iter()
            .find(|(_, m)| *m == Meaning::Worse)
            .map(|(v, _)| v.clone());
    }
    // "no, still there": the last clause that names an answer says it.
    text.split([',', '.', ';', '!', '?', '\n'])
        .rev()
        .chain(std::iter::once(text))
        .find_map(|part| super::parse::match_option(&script.lexicon, &follow_up.answers, part))
        .map(|o| o.value.clone())
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
        text: fill(&follow_up.question.text, script, Some(session)),
        choices: buttons(session, &follow_up.answers),
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
        return again(script, session, Reply::Notice(Notice::Stale));
    };
    let (Some(option), Some(meaning)) = (follow_up.answers.option(value), follow_up.meaning(value))
    else {
        return again(script, session, Reply::Notice(Notice::Stale));
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
        logged: None,
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
                fill(
                    &follow_up.still_long.counted(&script.catalog, days),
                    script,
                    Some(session),
                )
            } else {
                fill(&follow_up.still_short.text, script, Some(session))
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
                    text: fill(&follow_up.gone.text, script, Some(session)),
                },
            ]
        }
        Meaning::Worse => {
            // The check again, emergency screen first; the follow-ups so far
            // and the check it replaces stay for the summary.
            let worse = fill(&follow_up.worse.text, script, Some(session));
            session.follow_ups.push(record);
            session.earlier.push(EarlierCheck {
                finished_ms: session.finished_ms,
                outcome,
                answers: session.answers.clone(),
            });
            let seed = now_ms ^ u64::from(session.id);
            *session = new_session(script, Some(session), seed, now_ms);
            vec![
                accepted,
                Reply::Say { text: worse },
                current(script, session),
            ]
        }
    }
}

/// /cancel: stops the check in progress and the pending follow-up; the
/// answers stay until they expire.
pub(super) fn cancel(session: &mut Session) -> Vec<Reply> {
    let scheduled = session.follow_up.take().is_some();
    let running = !matches!(
        session.position,
        Position::Finished { .. } | Position::Stopped {}
    );
    // A follow-up or a sign question after the outcome goes back to the
    // outcome; a check in progress stops.
    session.position = match std::mem::replace(&mut session.position, Position::Stopped {}) {
        Position::FollowUp { outcome } => Position::Finished { outcome },
        Position::Flagged { resume, .. } if matches!(*resume, Position::Finished { .. }) => *resume,
        Position::Finished { outcome } => Position::Finished { outcome },
        _ => Position::Stopped {},
    };
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
        && let Some(meaning) = script
            .follow_up
            .as_ref()
            .and_then(|f| f.meaning(&record.answer))
    {
        events.push(FollowUpEvent::Answered(meaning));
    }
    if after.follow_up.is_some() && before.follow_up.is_none() {
        events.push(FollowUpEvent::Accepted);
    }
    if matches!(after.position, Position::FollowUp { .. })
        && !matches!(before.position, Position::FollowUp { .. })
    {
        events.push(FollowUpEvent::Sent);
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
