//! What the engine says back, independent of Telegram or the terminal.

use super::button::ButtonToken;
use crate::script::{EmergencyNumber, Level, NodeKind};

/// One thing to show the user, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The greeting and disclaimer that open a new check.
    Intro {
        /// What the bot does.
        text: String,
        /// Not medical advice.
        disclaimer: String,
    },
    /// A status line; each front end words it for its own commands.
    Notice(Notice),
    /// The answer taken for a question (front ends may edit the question to show it).
    Accepted {
        /// Question id.
        node: String,
        /// The question as it was asked.
        question: String,
        /// The turn the question was asked on.
        turn: u32,
        /// The answer as it reads back.
        answer: String,
        /// What the person typed, when it was interpreted rather than picked
        /// ("3 times a day" read as "Several times a day"), so a misreading shows.
        said: Option<String>,
    },
    /// A line from the dialogue, shown as it is.
    Say {
        /// The words.
        text: String,
    },
    /// The answer did not fit; says what is expected. The question follows again.
    Invalid {
        /// What to type or tap instead.
        hint: String,
    },
    /// A question to answer.
    Question(Question),
    /// The end of a check.
    Outcome(OutcomeReply),
}

/// Status lines the front ends word themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Input arrived but no check is running.
    NotStarted,
    /// A check in progress is picked up again.
    Resumed,
    /// A new check replaced the old one on request.
    Restarted,
    /// A button of an old question, an old check or an old dialogue was pressed.
    Stale,
    /// The dialogue changed in a way the check could not survive; it starts over.
    DialogueUpdated,
    /// `back` on the first question.
    AtFirstQuestion,
    /// Input after the outcome.
    Finished,
    /// "I don't know" to a symptom question: asked again with a word of help.
    Unsure,
    /// The stored check could not be read, so a new one began.
    Unreadable,
    /// /cancel stopped what was running or scheduled.
    Stopped,
    /// /cancel with nothing running or scheduled.
    NothingToCancel,
}

impl Notice {
    /// Its message in the language catalogs (`notice-…`), naming the
    /// commands every front end understands.
    pub fn id(self) -> &'static str {
        match self {
            Notice::NotStarted => "notice-not-started",
            Notice::Resumed => "notice-resumed",
            Notice::Restarted => "notice-restarted",
            Notice::Stale => "notice-stale",
            Notice::DialogueUpdated => "notice-dialogue-updated",
            Notice::AtFirstQuestion => "notice-at-first-question",
            Notice::Finished => "notice-finished",
            Notice::Stopped => "notice-stopped",
            Notice::NothingToCancel => "notice-nothing-to-cancel",
            Notice::Unreadable => "notice-unreadable",
            Notice::Unsure => "notice-unsure",
        }
    }
}

/// A question, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Question id.
    pub node: String,
    /// Answer kind, so front ends can say "type a duration".
    pub kind: NodeKind,
    /// Turn it is asked on (buttons carry it).
    pub turn: u32,
    /// What kind of question it is, for how it is headed.
    pub heading: Heading,
    /// The question.
    pub text: String,
    /// Buttons, in order.
    pub choices: Vec<ChoiceButton>,
    /// The earlier answer, when the user went back to change it.
    pub previous: Option<String>,
}

/// How a question is headed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// One of the check's questions: its 1-based number in the user's path.
    Number(usize),
    /// A stroke-screen confirmation, which is not one of the questions.
    Safety,
    /// The offer of a follow-up after an outcome.
    Offer,
    /// A follow-up's "is it still there?".
    FollowUp,
}

/// One button of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceButton {
    /// Button text.
    pub label: String,
    /// What a press sends back.
    pub token: ButtonToken,
}

/// The end of a check: verdict, guidance, tips and disclaimer.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeReply {
    /// Outcome id.
    pub outcome: String,
    /// Triage level.
    pub level: Level,
    /// One line naming the level.
    pub verdict: String,
    /// For an emergency: the numbers to call, shown under the verdict.
    pub emergency_numbers: Vec<EmergencyNumber>,
    /// For any other outcome: which signs mean calling for help now, so no
    /// outcome ends without saying when it stops being safe to wait.
    pub safety_net: Option<SafetyNet>,
    /// Paragraphs that apply to these answers.
    pub guidance: Vec<String>,
    /// Stress tips, when the outcome shows them.
    pub tips: Option<TipsReply>,
    /// Not medical advice.
    pub disclaimer: String,
}

/// The line that ends a non-emergency outcome: the signs that mean calling
/// an emergency number now, and the numbers for the person's language.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetyNet {
    /// Which signs mean calling now.
    pub text: String,
    /// The numbers to call.
    pub numbers: Vec<EmergencyNumber>,
}

/// Stress-management tips, put forward when the user reported stress.
#[derive(Debug, Clone, PartialEq)]
pub struct TipsReply {
    /// Heading.
    pub title: String,
    /// Lead line when emphasised.
    pub lead: Option<String>,
    /// The tips.
    pub items: Vec<String>,
    /// Whether the user's answers call for putting them forward.
    pub emphasized: bool,
}
