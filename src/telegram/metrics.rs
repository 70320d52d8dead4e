//! Counts for `/metrics` (Prometheus text format): how much the bot does,
//! never who did it or what they answered.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::{Notice, Reply, Step};
use crate::script::Level;

/// Counters since start-up, shared by all handlers.
#[derive(Default)]
pub struct Metrics {
    /// Updates handled (any kind).
    pub updates: AtomicU64,
    /// Updates whose handling failed.
    pub errors: AtomicU64,
    /// Checks begun.
    pub checks_started: AtomicU64,
    /// Checks that reached an outcome.
    pub checks_finished: AtomicU64,
    /// Outcomes by level: emergency, see a doctor, self-care.
    outcomes: [AtomicU64; 3],
    /// Writes retried because another replica wrote the same check first.
    pub conflicts: AtomicU64,
}

impl Metrics {
    /// Counts what a saved step did: a check begun, an outcome reached.
    pub fn count_step(&self, step: &Step) {
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
            "Telegram updates handled.",
            get(&self.updates),
        );
        counter(
            "bot_errors_total",
            "Updates whose handling failed.",
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
            "bot_write_conflicts_total",
            "Check writes retried after another writer won.",
            get(&self.conflicts),
        );
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
