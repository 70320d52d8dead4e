//! The `[follow_up]` section: when a follow-up is offered, its delays, its
//! answers and what each means, and its texts.

use std::ops::Range;

use toml::Spanned;

use super::{Checker, DEFAULT_MAX_LENGTH, MAX_OPTIONS};
use crate::script::raw::RawFollowUp;
use crate::script::{
    Choice, Delay, FOLLOW_UP, FollowUp, Level, MAX_BUTTON_PAYLOAD, Meaning, Node, NodeKind, Outcome,
};

impl Checker<'_, '_> {
    /// Checks a section's `after` list (`section` names it in messages,
    /// `thing` is what it offers): outcomes that exist, at least one, never
    /// an emergency.
    pub(super) fn offered_after(
        &mut self,
        after: &[Spanned<String>],
        outcomes: &[(Outcome, Range<usize>)],
        section: &str,
        thing: &str,
        span: Range<usize>,
    ) {
        for named in after {
            match outcomes.iter().find(|(o, _)| &o.id == named.get_ref()) {
                None => self.report.error(
                    named.span(),
                    format!(
                        "{section} `after` names outcome `{}`, which does not exist",
                        named.get_ref()
                    ),
                ),
                Some((o, _)) if o.level == Level::Emergency => self.report.error(
                    named.span(),
                    format!("{thing} is never offered after an emergency (`{}`)", o.id),
                ),
                Some(_) => {}
            }
        }
        if after.is_empty() {
            self.report
                .error(span, format!("{section} `after` names no outcome"));
        }
    }

    /// Converts `[follow_up]`: its `after` outcomes (never an emergency), its
    /// `duration` question, delays, answers (one per meaning) and texts.
    pub(super) fn follow_up(
        &mut self,
        raw: Spanned<RawFollowUp>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> FollowUp {
        let span = raw.span();
        let raw = raw.into_inner();
        self.offered_after(
            &raw.after,
            outcomes,
            "follow_up",
            "a follow-up",
            span.clone(),
        );
        let duration = raw.duration.get_ref().clone();
        match self.questions.get(&duration) {
            Some(info) if info.kind == Some(NodeKind::Duration) => {}
            _ => self.report.error(
                raw.duration.span(),
                format!(
                    "follow_up `duration` must name a duration question; `{duration}` is not one"
                ),
            ),
        }
        if raw.delay.is_empty() {
            self.report.error(
                span.clone(),
                "`[follow_up]` needs at least one `[[follow_up.delay]]`",
            );
        }
        if raw.delay.len() + 1 > MAX_OPTIONS || raw.answer.len() > MAX_OPTIONS {
            self.report.error(
                span.clone(),
                format!(
                    "a follow-up has at most {} delays and {MAX_OPTIONS} answers",
                    MAX_OPTIONS - 1
                ),
            );
        }
        let mut delays = Vec::new();
        for delay in raw.delay {
            let delay = delay.into_inner();
            if !(1..=60).contains(delay.days.get_ref()) {
                self.report
                    .error(delay.days.span(), "a follow-up delay is 1 to 60 days");
            }
            let label = self.label(delay.label, "button label");
            delays.push(Delay {
                label,
                days: delay.days.into_inner(),
            });
        }
        let mut options: Vec<Choice> = Vec::new();
        let mut meanings = Vec::new();
        for answer in raw.answer {
            let answer = answer.into_inner();
            let value_span = answer.value.span();
            let value = self.ident(answer.value, "follow-up answer value");
            if options.iter().any(|o| o.value == value) {
                self.report.error(
                    value_span.clone(),
                    format!("duplicate follow-up answer `{value}`"),
                );
            }
            if FOLLOW_UP.len() + value.len() > MAX_BUTTON_PAYLOAD {
                self.report.error(
                    value_span,
                    "this follow-up answer value is too long for a Telegram button",
                );
            }
            match Meaning::parse(answer.means.get_ref()) {
                Some(meaning) => meanings.push((value.clone(), meaning)),
                None => self.report.error(
                    answer.means.span(),
                    format!(
                        "`means` is one of `still`, `worse`, `gone`, not `{}`",
                        answer.means.get_ref()
                    ),
                ),
            }
            options.push(Choice {
                value,
                label: self.label(answer.label, "button label"),
                synonyms: answer
                    .synonyms
                    .into_iter()
                    .map(|s| self.non_empty(s, "synonym"))
                    .collect(),
                next: None,
                days: None,
                band: None,
            });
        }
        for meaning in [Meaning::Still, Meaning::Worse, Meaning::Gone] {
            if !meanings.iter().any(|(_, m)| *m == meaning) {
                self.report.error(
                    span.clone(),
                    format!("no follow-up answer means `{}`", meaning.name()),
                );
            }
        }
        let question = self.text(raw.question, "follow_up `question`");
        self.extra_placeholder = Some("days");
        let still_long = self.text(raw.still_long, "follow_up `still_long`");
        let accepted = self.text(raw.accepted, "follow_up `accepted`");
        self.extra_placeholder = None;
        FollowUp {
            after: raw.after.into_iter().map(Spanned::into_inner).collect(),
            duration,
            more_than_days: raw.more_than_days.into_inner(),
            offer: self.text(raw.offer, "follow_up `offer`"),
            decline: self.label(raw.decline, "button label"),
            delays,
            accepted,
            answers: Node {
                id: FOLLOW_UP.to_string(),
                kind: NodeKind::Choice,
                prompt: question.clone(),
                hint: None,
                options,
                next: None,
                max_length: DEFAULT_MAX_LENGTH as usize,
                red_flag: false,
                unsure: None,
            },
            question,
            meanings,
            still_long,
            still_short: self.text(raw.still_short, "follow_up `still_short`"),
            worse: self.text(raw.worse, "follow_up `worse`"),
            gone: self.text(raw.gone, "follow_up `gone`"),
        }
    }
}
