//! The pure state machine: `(dialogue, session, input) -> (session, replies)`.
//!
//! No I/O and no Telegram here, so the same engine runs in the bot, in the
//! terminal `chat` command and in tests. It never panics on any input.
//!
//! A step reads the input (`answer.rs`, typed text through `read.rs`), shows
//! what comes next (`ask.rs`) and, when the questions end, the outcome
//! (`outcome.rs`); `follow_up.rs` checks on the person later.

mod answer;
mod ask;
pub mod button;
pub mod diary_log;
pub mod duration;
mod follow_up;
pub mod frequency;
mod net;
mod outcome;
pub mod parse;
mod read;
mod reply;
mod say;
mod session;
mod summary;
mod words;
pub mod yes_no;

pub use button::ButtonToken;
pub use outcome::tips;
pub use reply::{
    ChoiceButton, Heading, Notice, OutcomeReply, Question, Reply, SafetyNet, TipsReply,
};
pub use say::date;
pub use session::{
    Answer, ConfirmedSign, EarlierCheck, FollowUpRecord, Given, PendingFollowUp, Position, Session,
};
pub use summary::{Summary, summary};

/// The calendar date (year, month, day; UTC) of day `day` since 1970-01-01.
pub fn civil_date(day: i64) -> (i64, u32, u32) {
    duration::civil_from_days(day)
}

/// Whether `text` describes an emergency sign (in the dialogue's language
/// or another of its languages): what the red-flag net would ask about.
pub fn names_a_sign(script: &Script, text: &str) -> bool {
    caught(script, text).is_some()
}

use crate::script::Script;
use answer::{back, caught, pressed, typed};
use ask::{again, current, intro};

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
        /// The person's twitch diary, when they keep one: entries on more
        /// than a few days since the check answer the follow-up by themselves.
        diary: Option<crate::diary::Log>,
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

impl Step {
    /// A step that did nothing to follow-ups.
    fn quiet(session: Option<Session>, replies: Vec<Reply>) -> Step {
        Step {
            session,
            replies,
            follow_ups: Vec::new(),
        }
    }
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
            Input::FollowUpDue { .. } | Input::SwitchLanguage => Step::quiet(None, Vec::new()),
            Input::Cancel => Step::quiet(None, vec![Reply::Notice(Notice::NothingToCancel)]),
            _ => Step::quiet(None, vec![Reply::Notice(Notice::NotStarted)]),
        };
    };
    // Neither a follow-up coming due nor /cancel starts a check on its own,
    // even when the check no longer fits the dialogue.
    match input {
        Input::FollowUpDue { .. } if !session.fits(script) => {
            session.follow_up = None;
            return Step::quiet(Some(session), Vec::new());
        }
        Input::Cancel if !session.fits(script) => {
            session.follow_up = None;
            session.position = Position::Stopped {};
            return Step::quiet(Some(session), vec![Reply::Notice(Notice::Stopped)]);
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
            | Position::FollowUp { .. } => again(script, &session, Reply::Notice(Notice::Resumed)),
        },
        Input::Restart => {
            return fresh(Some(&session), vec![Reply::Notice(Notice::Restarted)]);
        }
        Input::Repeat => vec![current(script, &session)],
        Input::Back => back(script, &mut session),
        Input::Text(text) => typed(script, &mut session, &text, now_ms),
        Input::Button(token) => pressed(script, &mut session, &token, now_ms),
        Input::FollowUpDue { due_ms, diary } => {
            follow_up::due(script, &mut session, due_ms, diary.as_ref())
        }
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
    Step::quiet(Some(session), replies)
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
