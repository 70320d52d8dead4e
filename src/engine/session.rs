//! Where one user is in a check: the answers so far and the question asked.

use serde::{Deserialize, Serialize};

use super::duration::describe_days;
use crate::script::expr::Answers;
use crate::script::{Node, NodeKind, Script, Version};

/// One user's check in progress or finished. Stored as JSON by the stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Differs between checks, so buttons of an earlier check are recognised as stale.
    pub id: u32,
    /// The dialogue this check runs.
    pub dialogue: String,
    /// The dialogue version it started on (`major.minor`).
    pub version: String,
    /// Bumped on every change, so only the latest question's buttons are live.
    pub turn: u32,
    /// The question being asked, or the outcome reached.
    pub position: Position,
    /// Answers in the order given; `back` removes the last.
    pub answers: Vec<Given>,
    /// Milliseconds since the Unix epoch of the last change, for expiry.
    pub updated_ms: u64,
    /// The emergency sign the person confirmed, which ended the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_sign: Option<ConfirmedSign>,
}

/// A described emergency sign the person said is happening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedSign {
    /// Sign id (see the dialogue's `[red_flags]`).
    pub sign: String,
    /// Where the person was when they described it (for /back).
    pub resume: Position,
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", rename_all = "snake_case")]
pub enum Position {
    /// Waiting for an answer to this question.
    Asking {
        /// Node id.
        node: String,
    },
    /// A red-flag question answered unsure once: asked again, and another
    /// unsure answer is taken as yes.
    Unsure {
        /// Node id.
        node: String,
    },
    /// A message described an emergency sign: waiting for "is this happening now?".
    Flagged {
        /// Sign id (see the dialogue's `[red_flags]`).
        sign: String,
        /// Where the person was, to go back to if the sign is not happening.
        resume: Box<Position>,
    },
    /// The check ended with this outcome.
    Finished {
        /// Outcome id.
        outcome: String,
    },
}

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Given {
    /// Node id.
    pub node: String,
    /// What the user answered.
    pub answer: Answer,
}

/// An answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Answer {
    /// One of the question's options.
    Option {
        /// Option value.
        value: String,
    },
    /// A length of time, typed or picked.
    Duration {
        /// Whole days.
        days: u32,
        /// The quick-pick option, when one was used.
        option: Option<String>,
    },
    /// A few typed words.
    Text {
        /// The words.
        text: String,
    },
}

impl Answer {
    /// How the answer reads back to the user ("Yes", "2 weeks", their words).
    pub fn display(&self, node: &Node) -> String {
        match self {
            Answer::Option { value }
            | Answer::Duration {
                option: Some(value),
                ..
            } => node
                .option(value)
                .map_or_else(|| value.clone(), |o| o.label.clone()),
            Answer::Duration { days, option: None } => describe_days(*days),
            Answer::Text { text } => text.clone(),
        }
    }

    /// Whether the answer still fits the question, after a dialogue change.
    pub fn fits(&self, node: &Node) -> bool {
        match (self, node.kind) {
            (
                Answer::Option { value },
                NodeKind::Choice | NodeKind::YesNo | NodeKind::Frequency | NodeKind::Text,
            ) => node.option(value).is_some(),
            (Answer::Duration { option, .. }, NodeKind::Duration) => {
                option.as_ref().is_none_or(|v| node.option(v).is_some())
            }
            (Answer::Text { .. }, NodeKind::Text) => true,
            _ => false,
        }
    }
}

impl Session {
    /// The answer given to `node`, if any.
    pub fn answer(&self, node: &str) -> Option<&Answer> {
        self.answers
            .iter()
            .find(|given| given.node == node)
            .map(|given| &given.answer)
    }

    /// Whether the session can go on under `script`: same dialogue, same major
    /// version, and every question and answer it holds still exists.
    pub fn fits(&self, script: &Script) -> bool {
        let same_major =
            Version::parse(&self.version).is_some_and(|v| v.major == script.version.major);
        let position_ok = self.position.fits(script)
            && self.confirmed_sign.as_ref().is_none_or(|c| {
                let flagged = Position::Flagged {
                    sign: c.sign.clone(),
                    resume: Box::new(c.resume.clone()),
                };
                flagged.fits(script)
            });
        self.dialogue == script.id
            && same_major
            && position_ok
            && self.answers.iter().all(|given| {
                script
                    .node(&given.node)
                    .is_some_and(|node| given.answer.fits(node))
            })
    }
}

impl Position {
    /// Whether the position still exists in `script`.
    fn fits(&self, script: &Script) -> bool {
        match self {
            Position::Asking { node } => script.node(node).is_some(),
            Position::Unsure { node } => {
                script.red_flags.is_some() && script.node(node).is_some_and(|n| n.red_flag)
            }
            Position::Flagged { sign, resume } => {
                let known = script
                    .red_flags
                    .as_ref()
                    .is_some_and(|f| f.signs.iter().any(|s| &s.id == sign));
                let nested = matches!(**resume, Position::Flagged { .. });
                known && !nested && resume.fits(script)
            }
            Position::Finished { outcome } => script.outcome(outcome).is_some(),
        }
    }
}

impl Answers for Session {
    fn value(&self, node: &str) -> Option<&str> {
        match self.answer(node)? {
            Answer::Option { value } => Some(value),
            Answer::Duration { option, .. } => option.as_deref(),
            Answer::Text { text } => Some(text),
        }
    }

    fn days(&self, node: &str) -> Option<u32> {
        match self.answer(node)? {
            Answer::Duration { days, .. } => Some(*days),
            _ => None,
        }
    }
}
