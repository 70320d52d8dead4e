//! The `[red_flags]` section: the emergency outcome unsure answers lead to,
//! and the signs the net catches in a person's own words.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use toml::Spanned;

use super::Checker;
use crate::script::raw::RawRedFlags;
use crate::script::{Level, MAX_BUTTON_PAYLOAD, Outcome, RedFlags, Sign, fold};

/// Most words a red-flag phrase may have; longer ones would hardly ever match.
const MAX_PHRASE_WORDS: usize = 6;

impl Checker<'_, '_> {
    /// Converts `[red_flags]`: it must lead to an emergency outcome, and its
    /// signs need unique ids and phrases short enough to match.
    pub(super) fn red_flags(
        &mut self,
        raw: Spanned<RawRedFlags>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> RedFlags {
        let span = raw.span();
        let raw = raw.into_inner();
        let outcome = raw.outcome.get_ref().clone();
        match outcomes.iter().find(|(o, _)| o.id == outcome) {
            None => self.report.error(
                raw.outcome.span(),
                format!(
                    "`[red_flags]` names outcome `{outcome}`, but there is no outcome with that id"
                ),
            ),
            Some((o, _)) if o.level != Level::Emergency => self.report.error(
                raw.outcome.span(),
                format!(
                    "`[red_flags]` must lead to an emergency outcome; `{outcome}` is `{}`",
                    o.level.name()
                ),
            ),
            Some(_) => {}
        }
        if raw.sign.is_empty() {
            self.report.error(
                span,
                "`[red_flags]` needs at least one `[[red_flags.sign]]`",
            );
        }
        let mut signs: Vec<Sign> = Vec::new();
        let mut seen = HashSet::new();
        let mut seen_phrases: HashMap<Vec<String>, String> = HashMap::new();
        for item in raw.sign {
            let sign = item.into_inner();
            let id_span = sign.id.span();
            let id = self.unique_id(sign.id, "sign", &mut seen);
            if self.questions.contains_key(&id) {
                self.report.error(
                    id_span.clone(),
                    format!("sign id `{id}` is also a question's id; choose another"),
                );
            }
            let payload = id.len() + "yes".len();
            if payload > MAX_BUTTON_PAYLOAD {
                self.report.error(
                    id_span.clone(),
                    format!(
                        "sign id `{id}` is too long for a Telegram button: at most {} bytes fit",
                        MAX_BUTTON_PAYLOAD - "yes".len()
                    ),
                );
            }
            if sign.phrases.is_empty() {
                self.report
                    .error(id_span, format!("sign `{id}` needs at least one phrase"));
            }
            let said = self.text(sign.said, &format!("`said` of sign `{id}`"));
            let mut phrases = Vec::new();
            for phrase in sign.phrases {
                let words: Vec<String> = fold(phrase.get_ref())
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_string)
                    .collect();
                let problem = if words.is_empty() {
                    Some("a phrase needs at least one word".to_string())
                } else if words.len() > MAX_PHRASE_WORDS {
                    Some(format!(
                        "a phrase has at most {MAX_PHRASE_WORDS} words; list shorter variants instead"
                    ))
                } else {
                    seen_phrases.insert(words.clone(), id.clone()).map(|owner| {
                        format!(
                            "phrase `{}` is listed twice (also under `{owner}`)",
                            phrase.get_ref()
                        )
                    })
                };
                match problem {
                    Some(problem) => self.report.error(phrase.span(), problem),
                    None => phrases.push(words),
                }
            }
            signs.push(Sign { id, said, phrases });
        }
        RedFlags {
            outcome,
            confirm: self.text(raw.confirm, "red_flags `confirm`"),
            unsure: self.text(raw.unsure, "red_flags `unsure`"),
            declined: self.text(raw.declined, "red_flags `declined`"),
            safety_net: self.text(raw.safety_net, "red_flags `safety_net`"),
            yes: self.label(raw.yes, "red_flags `yes`"),
            no: self.label(raw.no, "red_flags `no`"),
            signs,
        }
    }
}
