//! A recap of a check to show a doctor: when, each answer in words, the
//! level reached, the follow-ups and their answers, and the sources.

use super::Session;
use super::say::date;
use crate::script::{Level, Script, Text};

/// A check a follow-up started again: its date, level and answers in words.
pub type Earlier = (String, Option<Level>, Vec<(String, String)>);

/// What `/summary` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The dialogue's title.
    pub title: String,
    /// When the check ended, or was last answered ("26 November 2026").
    pub date: String,
    /// Each question answered and the answer, in order.
    pub answers: Vec<(String, String)>,
    /// The emergency sign the person described and confirmed, if any.
    pub sign: Option<String>,
    /// The level reached and its verdict, once the check ended.
    pub outcome: Option<(Level, String)>,
    /// Follow-ups answered: date, answer, days it had lasted in all.
    pub follow_ups: Vec<(String, String, Option<u32>)>,
    /// When a follow-up still to come is due.
    pub next_follow_up: Option<String>,
    /// Checks a follow-up started again: date, level, answers in words.
    pub earlier: Vec<Earlier>,
    /// The sources the texts shown restate, by title (and address).
    pub sources: Vec<String>,
    /// Not medical advice.
    pub disclaimer: String,
}

/// The recap of `session`; `None` when nothing has been answered yet.
pub fn summary(script: &Script, session: &Session) -> Option<Summary> {
    let outcome = session.finished_ms.and_then(|_| match &session.position {
        super::Position::Finished { outcome } | super::Position::FollowUp { outcome } => {
            script.outcome(outcome)
        }
        _ => None,
    });
    if session.answers.is_empty() && outcome.is_none() && session.follow_ups.is_empty() {
        return None;
    }
    let in_words = |answers: &[super::Given]| -> Vec<(String, String)> {
        answers
            .iter()
            .filter_map(|given| {
                let node = script.node(&given.node)?;
                Some((
                    one_line(&node.prompt.text),
                    given.answer.display(node, &script.catalog),
                ))
            })
            .collect()
    };
    let earlier = session
        .earlier
        .iter()
        .map(|check| {
            (
                check
                    .finished_ms
                    .map(|ms| date(&script.catalog, ms))
                    .unwrap_or_default(),
                script.outcome(&check.outcome).map(|o| o.level),
                in_words(&check.answers),
            )
        })
        .collect();
    let mut cited: Vec<&Text> = Vec::new();
    let answers = session
        .answers
        .iter()
        .filter_map(|given| {
            let node = script.node(&given.node)?;
            cited.push(&node.prompt);
            Some((
                one_line(&node.prompt.text),
                given.answer.display(node, &script.catalog),
            ))
        })
        .collect();
    if let Some(outcome) = outcome {
        cited.push(&outcome.verdict);
        cited.extend(outcome.guidance.iter().map(|g| &g.text));
    }
    let sign = session.confirmed_sign.as_ref().and_then(|c| {
        let sign = script
            .red_flags
            .as_ref()?
            .signs
            .iter()
            .find(|s| s.id == c.sign)?;
        cited.push(&sign.said);
        Some(sign.said.text.clone())
    });
    let follow_ups = session
        .follow_ups
        .iter()
        .map(|record| {
            let answered = script
                .follow_up
                .as_ref()
                .and_then(|f| f.answers.option(&record.answer))
                .map(|o| o.label.clone());
            // Answered by the diary: what it held.
            let logged = record.logged.map(|t| {
                script.catalog.get(
                    "diary-logged-over",
                    &[("episodes", t.episodes.into()), ("days", t.days.into())],
                )
            });
            let label = answered.or(logged).unwrap_or_else(|| record.answer.clone());
            (
                date(&script.catalog, record.answered_ms),
                label,
                record.days,
            )
        })
        .collect();
    let mut sources: Vec<String> = Vec::new();
    for id in cited.iter().flat_map(|t| &t.sources) {
        let Some(source) = script.source(id) else {
            continue;
        };
        let shown = match &source.url {
            Some(url) => format!("{} — {url}", source.title),
            None => source.title.clone(),
        };
        if !sources.contains(&shown) {
            sources.push(shown);
        }
    }
    Some(Summary {
        title: script.title.clone(),
        date: date(
            &script.catalog,
            session.finished_ms.unwrap_or(session.updated_ms),
        ),
        answers,
        sign,
        outcome: outcome.map(|o| (o.level, o.verdict.text.clone())),
        follow_ups,
        next_follow_up: session.follow_up.map(|f| date(&script.catalog, f.due_ms)),
        earlier,
        sources,
        disclaimer: script.disclaimer.text.clone(),
    })
}

/// A question as one line of a recap: a question written as a list (the
/// stroke screen, one sign a line) reads as its first line followed by the
/// items joined with semicolons, so each answer stays one bullet.
fn one_line(question: &str) -> String {
    let mut lines = question
        .lines()
        .map(|line| line.trim().trim_start_matches('•').trim())
        .filter(|line| !line.is_empty());
    let first = lines.next().unwrap_or_default().to_string();
    let items: Vec<&str> = lines.collect();
    if items.is_empty() {
        first
    } else {
        format!("{first} {}", items.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn a_listed_question_reads_as_one_line() {
        assert_eq!(one_line("How often?"), "How often?");
        assert_eq!(
            one_line("Any of these?\n• Face: drooping\n• Arm or leg: weak\n"),
            "Any of these? Face: drooping; Arm or leg: weak"
        );
    }
}
