//! The pure state machine: `(dialogue, session, input) -> (session, replies)`.
//!
//! No I/O and no Telegram here, so the same engine runs in the bot, in the
//! terminal `chat` command and in tests. It never panics on any input.

pub mod button;
pub mod duration;
mod follow_up;
pub mod frequency;
mod net;
pub mod parse;
mod reply;
mod say;
mod session;
mod summary;
mod words;
pub mod yes_no;

pub use button::ButtonToken;
pub use reply::{ChoiceButton, Heading, Notice, OutcomeReply, Question, Reply, TipsReply};
pub use session::{
    Answer, ConfirmedSign, EarlierCheck, FollowUpRecord, Given, PendingFollowUp, Position, Session,
};
pub use summary::{Summary, summary};

use crate::language::Catalog;
use crate::language::lexicon::Lexicon;
use crate::script::{
    FOLLOW_UP, Node, NodeKind, RedFlags, Script, Sign, Target, Text, fold, placeholder,
};
use duration::{day_of, parse_duration};
use parse::{match_option, match_option_exactly, match_quick_pick, names_option};
use yes_no::Leaning;

/// Longest typed input read at all; longer ones are refused without parsing.
pub const MAX_INPUT_CHARS: usize = 1000;

/// What the user did.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Start a check, or resume the one in progress.
    Begin,
    /// Typed text, as an answer to the current question.
    Text(String),
    /// A button press.
    Button(ButtonToken),
    /// Go back one question to change the answer.
    Back,
    /// Throw the check away and start again.
    Restart,
    /// Show where the user is without changing anything.
    Repeat,
    /// A follow-up set for `due_ms` has come due.
    FollowUpDue {
        /// The time it was set for (ms since the epoch).
        due_ms: u64,
    },
    /// Stop the check in progress and anything scheduled; answers are kept.
    Cancel,
    /// Go on in the dialogue's language (the step's script): the check
    /// keeps its answers and shows where it is, in that language.
    SwitchLanguage,
}

/// The result of one step: the session to store (if any) and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The session after the step; `None` when there is still no check.
    pub session: Option<Session>,
    /// What to show, in order.
    pub replies: Vec<Reply>,
    /// What happened to follow-ups in this step, for counting.
    pub follow_ups: Vec<FollowUpEvent>,
}

/// A follow-up's progress, as metrics count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpEvent {
    /// One was offered after an outcome.
    Offered,
    /// The person chose a delay.
    Accepted,
    /// Its time came and "is it still there?" was sent.
    Sent,
    /// It was answered, meaning this.
    Answered(crate::script::Meaning),
}

/// Runs one input against a session. `now_ms` (milliseconds since the Unix
/// epoch) stamps the session and seeds the id of a new check.
pub fn step(script: &Script, session: Option<Session>, input: Input, now_ms: u64) -> Step {
    step_salted(script, session, input, now_ms, 0)
}

/// [`step`], with `salt` (e.g. the chat id) mixed into the id of a new check,
/// so two people starting in the same millisecond get different ids and one
/// person's buttons can never answer another's check.
pub fn step_salted(
    script: &Script,
    session: Option<Session>,
    input: Input,
    now_ms: u64,
    salt: u64,
) -> Step {
    let fresh = |old: Option<&Session>, replies| {
        fresh(script, old, now_ms ^ salt.rotate_left(29), now_ms, replies)
    };
    let Some(mut session) = session else {
        return match input {
            Input::Begin | Input::Restart => fresh(None, vec![intro(script)]),
            Input::Text(text) if caught(script, &text).is_some() => {
                // A sign described before any check: start one, at the sign.
                let mut step = fresh(None, vec![intro(script)]);
                if let Some(session) = step.session.as_mut() {
                    // The sign question comes instead of the first question.
                    step.replies.retain(|r| !matches!(r, Reply::Question(_)));
                    step.replies.extend(typed(script, session, &text, now_ms));
                }
                step
            }
            // Nothing is kept any more (/forget): nothing to follow up,
            // and no check to move to another language.
            Input::FollowUpDue { .. } | Input::SwitchLanguage => Step {
                session: None,
                replies: Vec::new(),
                follow_ups: Vec::new(),
            },
            Input::Cancel => Step {
                session: None,
                replies: vec![Reply::Notice(Notice::NothingToCancel)],
                follow_ups: Vec::new(),
            },
            _ => Step {
                session: None,
                replies: vec![Reply::Notice(Notice::NotStarted)],
                follow_ups: Vec::new(),
            },
        };
    };
    // Neither a follow-up coming due nor /cancel starts a check on its own,
    // even when the check no longer fits the dialogue.
    match input {
        Input::FollowUpDue { .. } if !session.fits(script) => {
            session.follow_up = None;
            return Step {
                session: Some(session),
                replies: Vec::new(),
                follow_ups: Vec::new(),
            };
        }
        Input::Cancel if !session.fits(script) => {
            session.follow_up = None;
            session.position = Position::Stopped {};
            return Step {
                session: Some(session),
                replies: vec![Reply::Notice(Notice::Stopped)],
                follow_ups: Vec::new(),
            };
        }
        _ => {}
    }
    if !session.fits(script) {
        return fresh(Some(&session), vec![Reply::Notice(Notice::DialogueUpdated)]);
    }
    let before = session.clone();
    let replies = match input {
        Input::Begin => match &session.position {
            Position::Finished { .. } | Position::Stopped {} => {
                return fresh(Some(&session), vec![intro(script)]);
            }
            Position::Asking { .. }
            | Position::Unsure { .. }
            | Position::Flagged { .. }
            | Position::FollowUp { .. } => {
                vec![Reply::Notice(Notice::Resumed), current(script, &session)]
            }
        },
        Input::Restart => {
            return fresh(Some(&session), vec![Reply::Notice(Notice::Restarted)]);
        }
        Input::Repeat => vec![current(script, &session)],
        Input::Back => back(script, &mut session),
        Input::Text(text) => typed(script, &mut session, &text, now_ms),
        Input::Button(token) => pressed(script, &mut session, &token, now_ms),
        Input::FollowUpDue { due_ms } => follow_up::due(script, &mut session, due_ms),
        Input::Cancel => follow_up::cancel(&mut session),
        Input::SwitchLanguage => {
            session.language = script.language.clone();
            match session.position {
                // Nothing waits for an answer: nothing to show again.
                Position::Finished { .. } | Position::Stopped {} => Vec::new(),
                _ => vec![current(script, &session)],
            }
        }
    };
    // When the check itself ends (not when a follow-up returns to its outcome).
    if matches!(session.position, Position::Finished { .. })
        && !matches!(
            before.position,
            Position::Finished { .. } | Position::FollowUp { .. }
        )
    {
        session.finished_ms = Some(now_ms);
    }
    follow_up::settle(script, &mut session);
    if session != before {
        session.updated_ms = now_ms;
    }
    let follow_ups = follow_up::happened(script, &before, &session, &replies);
    Step {
        session: Some(session),
        replies,
        follow_ups,
    }
}

/// The stress tips on their own (for a `tips` command), emphasised when the
/// session's answers call for it.
pub fn tips(script: &Script, session: Option<&Session>) -> TipsReply {
    let emphasized = match (session, &script.tips.emphasis_when) {
        (Some(session), Some(when)) => when.eval(session),
        _ => false,
    };
    let fill = |t: &Text| fill(&t.text, script, session);
    TipsReply {
        title: script.tips.title.clone(),
        lead: script
            .tips
            .emphasis_lead
            .as_ref()
            .filter(|_| emphasized)
            .map(fill),
        items: script.tips.items.iter().map(fill).collect(),
        emphasized,
    }
}

fn intro(script: &Script) -> Reply {
    Reply::Intro {
        text: script.intro.text.clone(),
        disclaimer: script.disclaimer.text.clone(),
    }
}

/// Starts a new check, with an id drawn from `seed` and unlike the old one's.
fn fresh(
    script: &Script,
    old: Option<&Session>,
    seed: u64,
    now_ms: u64,
    mut replies: Vec<Reply>,
) -> Step {
    let session = new_session(script, old, seed, now_ms);
    replies.push(current(script, &session));
    Step {
        session: Some(session),
        replies,
        follow_ups: Vec::new(),
    }
}

/// A new check at the first question, with an id drawn from `seed` and
/// unlike the old one's.
fn new_session(script: &Script, old: Option<&Session>, seed: u64, now_ms: u64) -> Session {
    // splitmix64: nearby seeds give unrelated ids.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let mut id = z as u32;
    if old.is_some_and(|o| o.id == id) {
        id = id.wrapping_add(1);
    }
    Session {
        id,
        dialogue: script.id.clone(),
        version: script.version.to_string(),
        turn: old.map_or(0, |o| o.turn.wrapping_add(1)),
        position: Position::Asking {
            node: script.start.clone(),
        },
        answers: Vec::new(),
        updated_ms: now_ms,
        confirmed_sign: None,
        finished_ms: None,
        // A follow-up asked for and the ones answered outlive a new check.
        follow_up: old.and_then(|o| o.follow_up),
        follow_ups: old.map(|o| o.follow_ups.clone()).unwrap_or_default(),
        earlier: old.map(|o| o.earlier.clone()).unwrap_or_default(),
        language: script.language.clone(),
    }
}

/// The reply that shows where the session stands.
fn current(script: &Script, session: &Session) -> Reply {
    match &session.position {
        Position::Asking { node } => question(script, session, node, None),
        Position::Unsure { node } => unsure_question(script, session, node),
        Position::Flagged { sign, .. } => sign_question(script, session, sign),
        Position::FollowUp { .. } => follow_up::question(script, session),
        Position::Stopped {} => Reply::Notice(Notice::Stopped),
        Position::Finished { .. } => Reply::Notice(Notice::Finished),
    }
}

fn question(script: &Script, session: &Session, node_id: &str, previous: Option<String>) -> Reply {
    let Some(node) = script.node(node_id) else {
        return Reply::Notice(Notice::DialogueUpdated);
    };
    Reply::Question(Question {
        node: node.id.clone(),
        kind: node.kind,
        turn: session.turn,
        heading: Heading::Number(session.answers.len() + 1),
        text: fill(&node.prompt.text, script, Some(session)),
        choices: buttons(
            session,
            &node.id,
            node.options
                .iter()
                .map(|o| (o.value.as_str(), o.label.as_str())),
        ),
        previous,
    })
}

fn buttons<'a>(
    session: &Session,
    node: &str,
    options: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<ChoiceButton> {
    options
        .map(|(value, label)| ChoiceButton {
            label: label.to_string(),
            token: ButtonToken {
                session: session.id,
                turn: session.turn,
                node: node.to_string(),
                value: value.to_string(),
            },
        })
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
        text: flags.unsure.text.clone(),
        choices: buttons(
            session,
            &node.id,
            node.options
                .iter()
                .map(|o| (o.value.as_str(), o.label.as_str())),
        ),
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
        choices: buttons(
            session,
            &sign.id,
            [("yes", flags.yes.as_str()), ("no", flags.no.as_str())].into_iter(),
        ),
        previous: None,
    })
}

/// The question about a described sign: what was understood, then "is it happening now?".
fn sign_text(flags: &RedFlags, sign: &Sign) -> String {
    format!("{} {}", sign.said.text, flags.confirm.text)
}

fn sign_of<'s>(script: &'s Script, sign_id: &str) -> Option<(&'s RedFlags, &'s Sign)> {
    let flags = script.red_flags.as_ref()?;
    Some((flags, flags.signs.iter().find(|s| s.id == sign_id)?))
}

/// The emergency sign a message describes, if any.
fn caught<'s>(script: &'s Script, text: &str) -> Option<&'s Sign> {
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

fn back(script: &Script, session: &mut Session) -> Vec<Reply> {
    // The last thing answered was a described sign: ask about it again.
    if let Some(confirmed) = session.confirmed_sign.take() {
        session.turn = session.turn.wrapping_add(1);
        session.position = Position::Flagged {
            sign: confirmed.sign,
            resume: Box::new(confirmed.resume),
        };
        return vec![current(script, session)];
    }
    match session.position.clone() {
        // A pending sign question gives way to the question it interrupted.
        Position::Flagged { resume, .. } => {
            session.turn = session.turn.wrapping_add(1);
            session.position = *resume;
            return vec![current(script, session)];
        }
        Position::Unsure { node } => session.position = Position::Asking { node },
        // A follow-up is not part of the check: there is nothing to go back to.
        Position::FollowUp { .. } => {
            return vec![
                Reply::Notice(Notice::AtFirstQuestion),
                current(script, session),
            ];
        }
        _ => {}
    }
    let Some(last) = session.answers.pop() else {
        session.turn = session.turn.wrapping_add(1);
        return vec![
            Reply::Notice(Notice::AtFirstQuestion),
            current(script, session),
        ];
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

fn pressed(script: &Script, session: &mut Session, token: &ButtonToken, now_ms: u64) -> Vec<Reply> {
    let live = token.session == session.id && token.turn == session.turn;
    let stale = |session: &Session| vec![Reply::Notice(Notice::Stale), current(script, session)];
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

fn typed(script: &Script, session: &mut Session, text: &str, now_ms: u64) -> Vec<Reply> {
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
                session.turn = session.turn.wrapping_add(1);
                session.position = Position::Flagged {
                    sign: found.id.clone(),
                    resume: Box::new(resume),
                };
                vec![current(script, session)]
            }
        };
    }
    if text.trim().chars().count() > MAX_INPUT_CHARS {
        return vec![
            Reply::Invalid {
                hint: script.catalog.text("hint-message-too-long"),
            },
            current(script, session),
        ];
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
            None => vec![
                Reply::Invalid {
                    hint: script.catalog.text("hint-yes-or-no"),
                },
                current(script, session),
            ],
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
    let accepted = Reply::Accepted {
        node: found.id.clone(),
        question: sign_text(flags, found),
        turn: session.turn,
        answer: flags.yes.clone(),
        said: said
            .filter(|t| !yes_no::plain_yes(&script.lexicon, t))
            .map(str::to_string),
    };
    session.turn = session.turn.wrapping_add(1);
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
    let accepted = Reply::Accepted {
        node: found.id.clone(),
        question: sign_text(flags, found),
        turn: session.turn,
        answer: flags.no.clone(),
        said: None,
    };
    session.turn = session.turn.wrapping_add(1);
    session.position = resume;
    vec![
        accepted,
        Reply::Say {
            text: flags.declined.text.clone(),
        },
        current(script, session),
    ]
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
                session.turn = session.turn.wrapping_add(1);
                session.position = Position::Unsure {
                    node: node.id.clone(),
                };
                return vec![current(script, session)];
            }
            Leaning::Unsure => {
                return vec![Reply::Notice(Notice::Unsure), current(script, session)];
            }
            // At a red-flag question a no must be clear, not a denied hedge.
            Leaning::Denied if node.red_flag => {}
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

/// Says what kind of answer works, then asks again with the buttons.
fn not_understood(
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
    vec![Reply::Invalid { hint }, current(script, session)]
}

/// Reads a typed answer for `node`; the error is an optional specific reason.
/// `today` (days since 1970-01-01) reads answers such as "since Monday".
fn read_answer(
    script: &Script,
    node: &Node,
    text: &str,
    today: i64,
) -> Result<Answer, Option<String>> {
    let lex: &Lexicon = &script.lexicon;
    let text = text.trim();
    let option = |o: &crate::script::Choice| Answer::Option {
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
fn duration_hint(catalog: &Catalog, error: &duration::DurationError) -> String {
    use duration::DurationError;
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

/// Records an answer and moves on: to the next question, or to the outcome.
/// `typed` is what the person wrote, echoed when it was interpreted.
fn accept(
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

/// Picks the outcome with the first rule that holds and renders it.
fn finish(script: &Script, session: &mut Session) -> Reply {
    let chosen = script
        .rules
        .iter()
        .find(|rule| rule.when.as_ref().is_none_or(|when| when.eval(session)))
        .and_then(|rule| script.outcome(&rule.outcome));
    let Some(outcome) = chosen else {
        // Validation guarantees a fallback rule; stay put rather than invent one.
        return current(script, session);
    };
    session.position = Position::Finished {
        outcome: outcome.id.clone(),
    };
    outcome_reply(script, session, outcome)
}

/// An outcome with the guidance that applies to these answers.
fn outcome_reply(script: &Script, session: &Session, outcome: &crate::script::Outcome) -> Reply {
    Reply::Outcome(OutcomeReply {
        outcome: outcome.id.clone(),
        level: outcome.level,
        verdict: fill(&outcome.verdict.text, script, Some(session)),
        emergency_numbers: if outcome.level == crate::script::Level::Emergency {
            script.emergency_numbers.clone()
        } else {
            Vec::new()
        },
        guidance: outcome
            .guidance
            .iter()
            .filter(|g| g.when.as_ref().is_none_or(|when| when.eval(session)))
            .map(|g| fill(&g.text.text, script, Some(session)))
            .collect(),
        tips: outcome.show_tips.then(|| tips(script, Some(session))),
        disclaimer: script.disclaimer.text.clone(),
    })
}

/// Replaces `{node_id}` with how that answer reads back ("—" if unanswered).
fn fill(text: &str, script: &Script, session: Option<&Session>) -> String {
    placeholder::fill(text, |name| {
        let node = script.node(name)?;
        Some(
            session
                .and_then(|s| s.answer(&node.id))
                .map_or_else(|| "—".to_string(), |a| a.display(node, &script.catalog)),
        )
    })
}
