//! Counts for `/metrics` (Prometheus text format): how much the bot does,
//! never who did it or what they answered.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::{FollowUpEvent, Heading, Notice, Reply, Step};
use crate::script::{Level, Meaning};

/// Counters since start-up, shared by all handlers.
#[derive(Default)]
pub struct Metrics {
    /// Updates received (any kind).
    pub updates: AtomicU64,
    /// Failed attempts at handling an inbox entry.
    pub errors: AtomicU64,
    /// Checks begun.
    pub checks_started: AtomicU64,
    /// Checks that reached an outcome.
    pub checks_finished: AtomicU64,
    /// Outcomes by level: emergency, see a doctor, self-care.
    outcomes: [AtomicU64; 3],
    /// Messages and calls Telegram accepted.
    pub sent: AtomicU64,
    /// Sends tried again after a passing failure or a 429.
    pub send_retries: AtomicU64,
    /// Outbox entries given up (refused, or failing past the retry window).
    pub send_dropped: AtomicU64,
    /// Chats found blocked or gone while sending; their queues were dropped.
    pub chats_gone: AtomicU64,
    /// Safety confirmation questions shown (each showing, re-displays too):
    /// a described stroke sign, or an unsure answer at a red-flag question.
    safety_confirmations: AtomicU64,
    /// Typed answers not understood (asked again).
    not_understood: AtomicU64,
    /// Stored checks that could not be read and started again.
    unreadable: AtomicU64,
    /// Follow-ups offered, accepted, sent, and answered still / worse / gone.
    follow_ups: [AtomicU64; 6],
}

impl Metrics {
    /// Counts what a saved step did: a check begun, an outcome reached.
    pub fn count_step(&self, step: &Step) {
        for event in &step.follow_ups {
            let index = match event {
                FollowUpEvent::Offered => 0,
                FollowUpEvent::Accepted => 1,
                FollowUpEvent::Sent => 2,
                FollowUpEvent::Answered(Meaning::Still) => 3,
                FollowUpEvent::Answered(Meaning::Worse) => 4,
                FollowUpEvent::Answered(Meaning::Gone) => 5,
            };
            self.follow_ups[index].fetch_add(1, Ordering::Relaxed);
        }
        for reply in &step.replies {
            match reply {
                Reply::Intro { .. }
                | Reply::Notice(Notice::Restarted | Notice::DialogueUpdated) => {
                    self.checks_started.fetch_add(1, Ordering::Relaxed);
                }
                Reply::Outcome(outcome) => {
                    self.checks_finished.fetch_add(1, Ordering::Relaxed);
                    let index = match outcome.level {
                        Level::Emergency => 0,
                        Level::SeeDoctor => 1,
                        Level::SelfCare => 2,
                    };
                    self.outcomes[index].fetch_add(1, Ordering::Relaxed);
                }
                Reply::Question(question) if question.heading == Heading::Safety => {
                    self.safety_confirmations.fetch_add(1, Ordering::Relaxed);
                }
                Reply::Invalid { .. } => {
                    self.not_understood.fetch_add(1, Ordering::Relaxed);
                }
                Reply::Notice(Notice::Unreadable) => {
                    self.unreadable.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, value: u64| {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}"
            );
        };
        counter(
            "bot_updates_total",
            "Telegram updates received.",
            get(&self.updates),
        );
        counter(
            "bot_errors_total",
            "Failed attempts at handling an inbox entry.",
            get(&self.errors),
        );
        counter(
            "bot_checks_started_total",
            "Checks begun.",
            get(&self.checks_started),
        );
        counter(
            "bot_checks_finished_total",
            "Checks that reached an outcome.",
            get(&self.checks_finished),
        );
        counter(
            "bot_sent_total",
            "Messages and calls Telegram accepted.",
            get(&self.sent),
        );
        counter(
            "bot_send_retries_total",
            "Sends tried again after a passing failure or a 429.",
            get(&self.send_retries),
        );
        counter(
            "bot_send_dropped_total",
            "Outbox entries given up: refused, or failing past the retry window.",
            get(&self.send_dropped),
        );
        counter(
            "bot_chats_gone_total",
            "Chats found blocked or gone while sending.",
            get(&self.chats_gone),
        );
        counter(
            "bot_safety_confirmations_total",
            "Stroke-screen confirmation questions shown (a sign described in words, or an unsure answer); each showing counts, a re-display too.",
            get(&self.safety_confirmations),
        );
        counter(
            "bot_checks_unreadable_total",
            "Stored checks that could not be read; each started again and its person was told.",
            get(&self.unreadable),
        );
        counter(
            "bot_answers_not_understood_total",
            "Typed answers not understood and asked again.",
            get(&self.not_understood),
        );
        let _ = writeln!(
            out,
            "# HELP bot_follow_ups_total Follow-ups by what happened: offered, accepted, sent, answered (by meaning).\n# TYPE bot_follow_ups_total counter"
        );
        for (stage, count) in [
            "offered",
            "accepted",
            "sent",
            "answered_still",
            "answered_worse",
            "answered_gone",
        ]
        .iter()
        .zip(&self.follow_ups)
        {
            let _ = writeln!(
                out,
                "bot_follow_ups_total{{stage=\"{stage}\"}} {}",
                get(count)
            );
        }
        let _ = writeln!(
            out,
            "# HELP bot_outcomes_total Outcomes reached, by triage level.\n# TYPE bot_outcomes_total counter"
        );
        for (level, count) in ["emergency", "see_doctor", "self_care"]
            .iter()
            .zip(&self.outcomes)
        {
            let _ = writeln!(
                out,
                "bot_outcomes_total{{level=\"{level}\"}} {}",
                get(count)
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Input, Position};
    use crate::script;

    #[test]
    fn confirmations_misunderstandings_and_unreadable_checks_are_counted() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("dialogues/nasal_twitching.toml");
        let script = script::load_file(&path).expect("the shipped dialogue loads");
        let metrics = Metrics::default();
        let started = engine::step(&script, None, Input::Begin, 0);
        let unsure = engine::step(
            &script,
            started.session.clone(),
            Input::Text("not sure".into()),
            0,
        );
        assert!(matches!(
            unsure.session.as_ref().map(|s| &s.position),
            Some(Position::Unsure { .. })
        ));
        let purple = engine::step(&script, started.session, Input::Text("purple".into()), 0);
        let lost = Step {
            session: None,
            replies: vec![Reply::Notice(Notice::Unreadable)],
            follow_ups: vec![FollowUpEvent::Offered],
        };
        for step in [&unsure, &purple, &lost] {
            metrics.count_step(step);
        }
        let text = metrics.render();
        assert!(text.contains("bot_checks_unreadable_total 1"), "{text}");
        assert!(
            text.contains("bot_follow_ups_total{stage=\"offered\"} 1"),
            "{text}"
        );
        assert!(text.contains("bot_safety_confirmations_total 1"), "{text}");
        assert!(
            text.contains("bot_answers_not_understood_total 1"),
            "{text}"
        );
    }
}
