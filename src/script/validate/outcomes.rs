//! The `[[outcome]]` section (verdicts, levels, guidance) and the
//! `emergency_numbers` an emergency outcome needs.

use std::ops::Range;

use toml::Spanned;

use super::Checker;
use crate::script::raw::{RawEmergencyNumber, RawOutcome};
use crate::script::{EmergencyNumber, Guidance, Level, MAX_LABEL, Outcome, is_phone_number};

impl Checker<'_, '_> {
    /// Converts every `[[outcome]]`, each with where its id is written.
    pub(super) fn outcomes(
        &mut self,
        raw: Vec<Spanned<RawOutcome>>,
    ) -> Vec<(Outcome, Range<usize>)> {
        let mut outcomes: Vec<(Outcome, Range<usize>)> = Vec::new();
        for item in raw {
            let outcome = item.into_inner();
            let id_span = outcome.id.span();
            let id = self.ident(outcome.id, "outcome id");
            if outcomes.iter().any(|(o, _)| o.id == id) {
                self.report
                    .error(id_span.clone(), format!("duplicate outcome id `{id}`"));
            }
            let levels = "`emergency`, `see_doctor`, `self_care`";
            let Some(level) = self.one_of(&outcome.level, Level::parse, "level", levels) else {
                continue;
            };
            let verdict = self.text(outcome.verdict, &format!("verdict of `{id}`"));
            let guidance = outcome
                .guidance
                .into_iter()
                .map(|g| {
                    let what = format!("guidance of `{id}`");
                    let when = g.when.as_ref().and_then(|w| self.condition(w, &what));
                    Guidance {
                        text: self.text_parts(g.text, g.source, &what),
                        when,
                    }
                })
                .collect();
            outcomes.push((
                Outcome {
                    id,
                    level,
                    verdict,
                    guidance,
                    show_tips: outcome.show_tips,
                },
                id_span,
            ));
        }
        outcomes
    }

    /// The numbers to call in an emergency; required when an outcome is one.
    pub(super) fn emergency_numbers(
        &mut self,
        raw: Vec<Spanned<RawEmergencyNumber>>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> Vec<EmergencyNumber> {
        let mut numbers = Vec::new();
        for entry in raw {
            let entry = entry.into_inner();
            let span = entry.number.span();
            let number = self.non_empty(entry.number, "an emergency `number`");
            let place_span = entry.place.span();
            let place = self.non_empty(entry.place, "an emergency number's `place`");
            self.at_most(
                place_span,
                &place,
                "an emergency number's `place`",
                MAX_LABEL,
                "a label may have",
            );
            if !is_phone_number(&number) {
                self.report.error(
                    span,
                    format!("`{number}` is not a phone number (digits, spaces, + and - only)"),
                );
            }
            numbers.push(EmergencyNumber { number, place });
        }
        if numbers.is_empty()
            && let Some((outcome, span)) =
                outcomes.iter().find(|(o, _)| o.level == Level::Emergency)
        {
            self.report.error(
                span.clone(),
                format!(
                    "outcome `{}` is an emergency: list the numbers to call in `emergency_numbers`",
                    outcome.id
                ),
            );
        }
        numbers
    }
}
