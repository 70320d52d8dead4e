//! The `[[rule]]` section, and the conditions rules, guidance and tips
//! read answers with.

use std::ops::Range;

use toml::Spanned;

use super::Checker;
use crate::script::expr::{Expr, Literal};
use crate::script::raw::RawRule;
use crate::script::{NodeKind, Outcome, Rule};

impl Checker<'_, '_> {
    /// Converts the rules in order: each names an outcome, only the last has
    /// no `when`, and every outcome is chosen by one.
    pub(super) fn rules(
        &mut self,
        raw: Vec<Spanned<RawRule>>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> Vec<Rule> {
        let mut rules = Vec::new();
        let mut always_from: Option<usize> = None;
        let mut last_span = 0..0;
        for (index, item) in raw.into_iter().enumerate() {
            let span = item.span();
            last_span = span.clone();
            let rule = item.into_inner();
            if let Some(earlier) = always_from {
                self.report.error(
                    span.clone(),
                    format!("this rule is never checked: rule {} before it has no `when`, so it always holds", earlier + 1),
                );
            }
            let outcome = rule.outcome.get_ref().clone();
            if !outcomes.iter().any(|(o, _)| o.id == outcome) {
                self.report.error(
                    rule.outcome.span(),
                    format!("rule names outcome `{outcome}`, but there is no outcome with that id"),
                );
            }
            let when = rule.when.as_ref().and_then(|w| self.condition(w, "rule"));
            if rule.when.is_none() && always_from.is_none() {
                always_from = Some(index);
            }
            rules.push(Rule {
                when_text: rule.when.map(Spanned::into_inner),
                when,
                outcome,
            });
        }
        if always_from.is_none() {
            self.report.error(
                last_span,
                "the last rule must have no `when`, so that every finished check gets an outcome",
            );
        }
        for (outcome, span) in outcomes {
            if !rules.iter().any(|r| r.outcome == outcome.id) {
                self.report.error(
                    span.clone(),
                    format!("no rule chooses outcome `{}`", outcome.id),
                );
            }
        }
        rules
    }

    /// Parses a condition and checks every answer it reads.
    pub(super) fn condition(&mut self, raw: &Spanned<String>, what: &str) -> Option<Expr> {
        let span = raw.span();
        let text = raw.get_ref();
        let expr = match Expr::parse(text) {
            Ok(expr) => expr,
            Err(error) => {
                let at = self.inner_offset(&span, text, error.offset);
                self.report
                    .error(at..at, format!("{what}: {}", error.message));
                return None;
            }
        };
        let mut ok = true;
        // Found once, not per comparison: a condition may be long.
        let verbatim = self.verbatim_start(&span, text);
        let inside = |offset: usize| verbatim.map_or(span.start, |start| start + offset);
        for cmp in expr.comparisons() {
            let at = inside(cmp.answer_span.start);
            let value_at = inside(cmp.value_span.start);
            let Some(info) = self.questions.get(&cmp.answer) else {
                self.report.error(
                    at..at,
                    format!(
                        "{what} reads answer `{}`, but no question sets it",
                        cmp.answer
                    ),
                );
                ok = false;
                continue;
            };
            let problem = match (&cmp.value, info.kind) {
                (Literal::Number(_), Some(NodeKind::Duration)) => None,
                (Literal::Number(_), _) => Some(format!(
                    "`{}` is not a duration question, so it cannot be compared with a number; its values are: {}",
                    cmp.answer,
                    info.values.join(", ")
                )),
                (Literal::Word(_), Some(NodeKind::Duration)) if info.values.is_empty() => {
                    Some(format!(
                        "`{}` is a duration question: compare it with a number of days, e.g. `{} > 3`",
                        cmp.answer, cmp.answer
                    ))
                }
                (Literal::Word(_), _) if cmp.op.is_ordering() => Some(format!(
                    "only durations can be compared with `<` or `>`; use `=` or `!=` for `{}`",
                    cmp.answer
                )),
                (Literal::Word(word), _) if !info.values.contains(word) => Some(format!(
                    "question `{}` has no option `{word}`; its options are: {}",
                    cmp.answer,
                    if info.values.is_empty() {
                        "(none)".to_string()
                    } else {
                        info.values.join(", ")
                    }
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                self.report
                    .error(value_at..value_at, format!("{what}: {problem}"));
                ok = false;
            }
        }
        ok.then_some(expr)
    }
}
