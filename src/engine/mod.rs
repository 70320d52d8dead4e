//! The pure state machine: `(dialogue, session, input) -> (session, replies)`.
//!
//! No I/O and no Telegram here, so the same engine runs in the bot, in the
//! terminal `chat` command and in tests. It never panics on any input.

pub mod button;
pub mod parse;
mod reply;
mod session;

pub use button::ButtonToken;
pub use reply::{ChoiceButton, Notice, OutcomeReply, Question, Reply, TipsReply};
pub use session::{Answer, Given, Position, Session};

use crate::script::{Node, NodeKind, Script, Target, Text};
use parse::{match_option, match_option_exactly, parse_duration};

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
}

/// The result of one step: the session to store (if any) and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The session after the step; `None` when there is still no check.
    pub session: Option<Session>,
    /// What to show, in order.
    pub replies: Vec<Reply>,
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
            _ => Step {
                session: None,
                replies: vec![Reply::Notice(Notice::NotStarted)],
            },
        };
    };
    if !session.fits(script) {
        return fresh(Some(&session), vec![Reply::Notice(Notice::DialogueUpdated)]);
    }
    let before = session.clone();
    let replies = match input {
        Input::Begin => match &session.position {
            Position::Finished { .. } => {
                return fresh(Some(&session), vec![intro(script)]);
            }
            Position::Asking { .. } => {
                vec![Reply::Notice(Notice::Resumed), current(script, &session)]
            }
        },
        Input::Restart => {
            return fresh(Some(&session), vec![Reply::Notice(Notice::Restarted)]);
        }
        Input::Repeat => vec![current(script, &session)],
        Input::Back => back(script, &mut session),
        Input::Text(text) => typed(script, &mut session, &text),
        Input::Button(token) => pressed(script, &mut session, &token),
    };
    if session != before {
        session.updated_ms = now_ms;
    }
    Step {
        session: Some(session),
        replies,
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
    // splitmix64: nearby seeds give unrelated ids.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let mut id = z as u32;
    if old.is_some_and(|o| o.id == id) {
        id = id.wrapping_add(1);
    }
    let session = Session {
        id,
        dialogue: script.id.clone(),
        version: script.version.to_string(),
        turn: old.map_or(0, |o| o.turn.wrapping_add(1)),
        position: Position::Asking {
            node: script.start.clone(),
        },
        answers: Vec::new(),
        updated_ms: now_ms,
    };
    replies.push(current(script, &session));
    Step {
        session: Some(session),
        replies,
    }
}

/// The reply that shows where the session stands.
fn current(script: &Script, session: &Session) -> Reply {
    match &session.position {
        Position::Asking { node } => question(script, session, node, None),
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
        number: session.answers.len() + 1,
        text: fill(&node.prompt.text, script, Some(session)),
        choices: node
            .options
            .iter()
            .map(|option| ChoiceButton {
                label: option.label.clone(),
                token: ButtonToken {
                    session: session.id,
                    turn: session.turn,
                    node: node.id.clone(),
                    value: option.value.clone(),
                },
            })
            .collect(),
        previous,
    })
}

fn back(script: &Script, session: &mut Session) -> Vec<Reply> {
    let Some(last) = session.answers.pop() else {
        return vec![
            Reply::Notice(Notice::AtFirstQuestion),
            current(script, session),
        ];
    };
    let previous = script.node(&last.node).map(|n| last.answer.display(n));
    session.turn = session.turn.wrapping_add(1);
    session.position = Position::Asking {
        node: last.node.clone(),
    };
    vec![question(script, session, &last.node, previous)]
}

fn asking<'s>(script: &'s Script, session: &Session) -> Option<&'s Node> {
    match &session.position {
        Position::Asking { node } => script.node(node),
        Position::Finished { .. } => None,
    }
}

fn pressed(script: &Script, session: &mut Session, token: &ButtonToken) -> Vec<Reply> {
    let live = token.session == session.id && token.turn == session.turn;
    let node = asking(script, session).filter(|node| live && node.id == token.node);
    let option = node.and_then(|node| node.option(&token.value).map(|option| (node, option)));
    let Some((node, option)) = option else {
        return vec![Reply::Notice(Notice::Stale), current(script, session)];
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
    accept(script, session, node, answer)
}

fn typed(script: &Script, session: &mut Session, text: &str) -> Vec<Reply> {
    let Some(node) = asking(script, session) else {
        return vec![current(script, session)];
    };
    match read_answer(node, text) {
        Ok(answer) => accept(script, session, node, answer),
        Err(reason) => {
            let expected = node.hint.clone().unwrap_or_else(|| default_hint(node));
            let hint = match reason {
                Some(reason) => format!("{reason} {expected}"),
                None => expected,
            };
            vec![Reply::Invalid { hint }, current(script, session)]
        }
    }
}

/// Reads a typed answer for `node`; the error is an optional specific reason.
fn read_answer(node: &Node, text: &str) -> Result<Answer, Option<String>> {
    let text = text.trim();
    if text.chars().count() > MAX_INPUT_CHARS {
        return Err(Some("That message is too long for an answer.".to_string()));
    }
    if text.is_empty() {
        return Err(None);
    }
    let option = |o: &crate::script::Choice| Answer::Option {
        value: o.value.clone(),
    };
    match node.kind {
        NodeKind::Choice | NodeKind::YesNo => match_option(node, text).map(option).ok_or(None),
        NodeKind::Duration => match match_option_exactly(node, text) {
            Some(o) => Ok(Answer::Duration {
                days: o.days.unwrap_or(0),
                option: Some(o.value.clone()),
            }),
            None => parse_duration(text)
                .map(|days| Answer::Duration { days, option: None })
                .map_err(|e| Some(e.explain())),
        },
        NodeKind::Text => match match_option_exactly(node, text) {
            Some(o) => Ok(option(o)),
            None if text.chars().count() > node.max_length => Err(Some(format!(
                "Please keep it under {} characters.",
                node.max_length
            ))),
            None => Ok(Answer::Text {
                text: text.to_string(),
            }),
        },
    }
}

fn default_hint(node: &Node) -> String {
    let labels: Vec<&str> = node.options.iter().map(|o| o.label.as_str()).collect();
    match node.kind {
        NodeKind::YesNo => "Please answer yes or no.".to_string(),
        NodeKind::Choice => format!("Please choose one of: {}.", labels.join(" / ")),
        NodeKind::Duration => {
            "Please say how long, for example “3 days”, “2 weeks”, “a month” or “since yesterday”."
                .to_string()
        }
        NodeKind::Text if labels.is_empty() => "Please answer in a few words.".to_string(),
        NodeKind::Text => format!(
            "Please answer in a few words, or choose: {}.",
            labels.join(" / ")
        ),
    }
}

/// Records an answer and moves on: to the next question, or to the outcome.
fn accept(script: &Script, session: &mut Session, node: &Node, answer: Answer) -> Vec<Reply> {
    let shown = answer.display(node);
    let asked_on = session.turn;
    let option = match &answer {
        Answer::Option { value }
        | Answer::Duration {
            option: Some(value),
            ..
        } => node.option(value),
        _ => None,
    };
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
    };
    let next = match target {
        Some(Target::Node(next)) if script.node(&next).is_some() => {
            session.position = Position::Asking { node: next.clone() };
            question(script, session, &next, None)
        }
        _ => finish(script, session),
    };
    vec![accepted, next]
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
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|name| script.node(name)) {
            Some(node) => {
                let shown = session
                    .and_then(|s| s.answer(&node.id))
                    .map_or_else(|| "—".to_string(), |a| a.display(node));
                out.push_str(&shown);
                rest = &after[node.id.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
