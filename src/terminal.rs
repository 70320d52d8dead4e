//! The `chat` command: the engine in a terminal, one line in, plain text out.
//! Also how authors try a dialogue without a Telegram token, and how the
//! transcript tests drive whole conversations.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::engine::{self, Heading, Input, OutcomeReply, Question, Reply, Session, TipsReply};
use crate::language::Catalog;
use crate::script::{NodeKind, Script, emergency_numbers};

/// One terminal conversation with a dialogue.
pub struct Conversation<'s> {
    script: &'s Script,
    session: Option<Session>,
    question: Option<Question>,
    replies: Vec<Reply>,
}

/// What one line of input did.
pub struct Said {
    /// The text to print.
    pub text: String,
    /// Whether the user asked to leave.
    pub quit: bool,
}

impl<'s> Conversation<'s> {
    /// A conversation that has not started yet.
    pub fn new(script: &'s Script) -> Self {
        Conversation {
            script,
            session: None,
            question: None,
            replies: Vec::new(),
        }
    }

    /// Begins the check and returns the greeting and first question.
    pub fn start(&mut self) -> String {
        self.run(Input::Begin)
    }

    /// Handles one line: a command, an option number or a typed answer.
    pub fn line(&mut self, line: &str) -> Said {
        let line = line.trim();
        let input = match line.to_lowercase().as_str() {
            "/quit" | "/exit" => {
                return Said {
                    text: self.script.catalog.text("terminal-goodbye"),
                    quit: true,
                };
            }
            "/back" => Input::Back,
            "/cancel" => Input::Cancel,
            // No clock runs here: bring an accepted follow-up forward.
            "/followup" => match self.session.as_ref().and_then(|s| s.follow_up) {
                Some(pending) => Input::FollowUpDue {
                    due_ms: pending.due_ms,
                    diary: None,
                },
                None => {
                    return Said {
                        text: self.script.catalog.text("terminal-no-follow-up"),
                        quit: false,
                    };
                }
            },
            "/restart" => Input::Restart,
            "/check" | "/start" => Input::Begin,
            "" => Input::Repeat,
            "/tips" => {
                let tips = engine::tips(self.script, self.session.as_ref());
                let mut text = String::new();
                tips_text(&mut text, &tips);
                return Said { text, quit: false };
            }
            "/help" => {
                return Said {
                    text: self.script.catalog.text("terminal-help"),
                    quit: false,
                };
            }
            _ => self
                .numbered(line)
                .unwrap_or_else(|| Input::Text(line.to_string())),
        };
        Said {
            text: self.run(input),
            quit: false,
        }
    }

    /// The session as it stands (for tests and transcripts).
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The engine's replies to the last line.
    pub fn replies(&self) -> &[Reply] {
        &self.replies
    }

    /// A number picks that option of the question on screen.
    fn numbered(&self, line: &str) -> Option<Input> {
        let n: usize = line.parse().ok()?;
        let question = self.question.as_ref()?;
        let choice = question.choices.get(n.checked_sub(1)?)?;
        Some(Input::Button(choice.token.clone()))
    }

    fn run(&mut self, input: Input) -> String {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let step = engine::step(self.script, self.session.take(), input, now_ms);
        self.session = step.session;
        let mut out = String::new();
        let mut shown = None;
        for reply in &step.replies {
            render(&mut out, reply, &self.script.catalog);
            if let Reply::Question(q) = reply {
                shown = Some(q.clone());
            }
        }
        // Numbers pick from the last question shown (an offer after an outcome too).
        if shown.is_some()
            || step
                .replies
                .iter()
                .any(|r| matches!(r, Reply::Accepted { .. }))
        {
            self.question = shown;
        }
        self.replies = step.replies;
        out
    }
}

fn render(out: &mut String, reply: &Reply, catalog: &Catalog) {
    let _ = match reply {
        Reply::Intro { text, disclaimer } => writeln!(out, "{text}\n⚠ {disclaimer}\n"),
        Reply::Notice(notice) => writeln!(out, "{}", catalog.text(notice.id())),
        Reply::Say { text } => writeln!(out, "{text}"),
        Reply::Accepted {
            answer,
            said: Some(said),
            ..
        } => writeln!(
            out,
            "✓ {answer} — {}",
            catalog.get("you-said", &[("said", said.as_str().into())])
        ),
        Reply::Accepted { answer, .. } => writeln!(out, "✓ {answer}"),
        Reply::Invalid { hint } => writeln!(
            out,
            "{}",
            catalog.get("not-fit", &[("hint", hint.as_str().into())])
        ),
        Reply::Question(q) => {
            question_text(out, q, catalog);
            Ok(())
        }
        Reply::Outcome(o) => {
            outcome_text(out, o, catalog);
            Ok(())
        }
    };
}

fn question_text(out: &mut String, q: &Question, catalog: &Catalog) {
    let _ = match q.heading {
        Heading::Number(number) => writeln!(
            out,
            "\n{} {}",
            catalog.get("terminal-question", &[("number", number.into())]),
            q.text
        ),
        Heading::Safety => writeln!(out, "\n⚠ {}", q.text),
        Heading::Offer | Heading::FollowUp => writeln!(out, "\n{}", q.text),
    };
    if let Some(previous) = &q.previous {
        let earlier = catalog.get(
            "terminal-earlier-answer",
            &[("answer", previous.as_str().into())],
        );
        let _ = writeln!(out, "   {earlier}");
    }
    for (i, choice) in q.choices.iter().enumerate() {
        let _ = writeln!(out, "  {}) {}", i + 1, choice.label);
    }
    let typed = catalog.text(match q.kind {
        NodeKind::Choice | NodeKind::YesNo => "terminal-type-answer",
        NodeKind::Duration => "terminal-type-duration",
        NodeKind::Text => "terminal-type-text",
        NodeKind::Frequency => "terminal-type-frequency",
    });
    let hint = if q.choices.is_empty() {
        typed
    } else {
        catalog.get("terminal-pick-number", &[("typed", typed.into())])
    };
    let _ = writeln!(out, "  ({hint})");
}

fn outcome_text(out: &mut String, o: &OutcomeReply, catalog: &Catalog) {
    let _ = writeln!(out, "\n{}", o.verdict);
    if !o.emergency_numbers.is_empty() {
        let _ = writeln!(out, "{}", emergency_numbers(catalog, &o.emergency_numbers));
    }
    for paragraph in &o.guidance {
        let _ = writeln!(out, "• {paragraph}");
    }
    if let Some(net) = &o.safety_net {
        let _ = writeln!(out, "🚨 {}", net.text);
        if !net.numbers.is_empty() {
            let _ = writeln!(out, "{}", emergency_numbers(catalog, &net.numbers));
        }
    }
    if let Some(tips) = &o.tips {
        tips_text(out, tips);
    }
    let _ = writeln!(out, "\n⚠ {}", o.disclaimer);
}

fn tips_text(out: &mut String, tips: &TipsReply) {
    let heading = if tips.emphasized {
        tips.title.to_uppercase()
    } else {
        tips.title.clone()
    };
    let _ = writeln!(out, "\n{heading}:");
    if let Some(lead) = &tips.lead {
        let _ = writeln!(out, "{lead}");
    }
    for tip in &tips.items {
        let _ = writeln!(out, "  - {tip}");
    }
}
