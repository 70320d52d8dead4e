//! Where one user is in a check: the answers so far and the question asked.

use serde::{Deserialize, Serialize};

use crate::language::Catalog;
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
    /// When the check reached its outcome (ms since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_ms: Option<u64>,
    /// A follow-up the person accepted and that is not asked yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<PendingFollowUp>,
    /// Follow-ups asked and answered, oldest first (kept across a new check
    /// the follow-up itself started).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUpRecord>,
    /// Checks before this one that a follow-up ("worse") started again,
    /// kept for the summary.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierCheck>,
    /// The language the check runs in; it keeps it from start to end
    /// (`/language` moves it). Checks stored before languages were English.
    #[serde(default = "base_language")]
    pub language: String,
}

fn base_language() -> String {
    crate::language::BASE.to_string()
}

/// A check a follow-up replaced, as the summary shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierCheck {
    /// When it ended (ms since the epoch).
    pub finished_ms: Option<u64>,
    /// Its outcome.
    pub outcome: String,
    /// Its answers.
    pub answers: Vec<Given>,
}

/// A follow-up waiting for its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFollowUp {
    /// When to ask (ms since the epoch).
    pub due_ms: u64,
    /// The delay the person chose, in days.
    pub days: u32,
}

/// A follow-up asked and answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpRecord {
    /// When the answer came (ms since the epoch).
    pub answered_ms: u64,
    /// The answer's value (see the dialogue's `[[follow_up.answer]]`).
    pub answer: String,
    /// Days the twitching had lasted in all, when still there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// What the diary held since the check, when it answered the follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logged: Option<crate::diary::Tally>,
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
    /// A follow-up is asking "is it still there?" after `outcome`.
    FollowUp {
        /// The outcome of the check it follows.
        outcome: String,
    },
    /// The person stopped the check (/cancel); the answers stay until they expire.
    Stopped {},
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
    pub fn display(&self, node: &Node, catalog: &Catalog) -> String {
        match self {
            Answer::Option { value }
            | Answer::Duration {
                option: Some(value),
                ..
            } => node
                .option(value)
                .map_or_else(|| value.clone(), |o| o.label.clone()),
            Answer::Duration { days, option: None } => super::say::days(catalog, *days),
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
    /// Kept at least until this time plus the idle TTL: the last change, or
    /// a pending follow-up's time, whichever is later.
    pub fn keep_from_ms(&self) -> u64 {
        self.follow_up
            .map_or(self.updated_ms, |f| f.due_ms.max(self.updated_ms))
    }

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
        let earlier_ok = self.earlier.iter().all(|e| {
            script.outcome(&e.outcome).is_some()
                && e.answers.iter().all(|given| {
                    script
                        .node(&given.node)
                        .is_some_and(|node| given.answer.fits(node))
                })
        });
        let position_ok = earlier_ok
            && self.position.fits(script)
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
            Position::FollowUp { outcome } => {
                script.follow_up.is_some() && script.outcome(outcome).is_some()
            }
            Position::Stopped {} => true,
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
