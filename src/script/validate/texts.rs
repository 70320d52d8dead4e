//! Every text of a dialogue: not empty nor too long, its sources declared,
//! its placeholders naming questions, its plural forms where it counts.

use std::ops::Range;

use toml::Spanned;

use super::{Checker, MAX_TEXT};
use crate::script::Text;
use crate::script::placeholder;
use crate::script::raw::{OneOrMany, RawText};

impl Checker<'_, '_> {
    /// Converts a text, checking it is not empty, names known sources and
    /// only uses placeholders that name questions.
    pub(super) fn text(&mut self, raw: RawText, what: &str) -> Text {
        let span = raw.text.span();
        let mut forms: Vec<(String, String)> = raw
            .forms()
            .into_iter()
            .map(|(category, form)| (category.to_string(), form.into_inner()))
            .collect();
        let mut text = self.text_parts(raw.text, raw.source, what);
        if !forms.is_empty() {
            forms.push(("other".to_string(), text.text.clone()));
        }
        let counts =
            self.extra_placeholder == Some("days") && placeholder::holds(&text.text, "days");
        if counts && !forms.iter().any(|(c, _)| c == "one") {
            self.report.warning(
                span,
                format!("{what} holds a count ({{days}}): give its `one` form too (`one = \"… {{days}} day …\"`)"),
            );
        }
        text.forms = forms;
        text
    }

    /// A text and its `source` list, without plural forms (as a guidance
    /// paragraph is written): not empty nor too long, its placeholders
    /// naming questions and its sources declared.
    pub(super) fn text_parts(
        &mut self,
        text: Spanned<String>,
        source: Option<Spanned<OneOrMany>>,
        what: &str,
    ) -> Text {
        let span = text.span();
        let text = self.non_empty(text, what);
        self.at_most(
            span.clone(),
            &text,
            what,
            MAX_TEXT,
            "a text may have (split it, or shorten it)",
        );
        self.placeholders(&text, span.clone(), what);
        let sources = match source {
            None => {
                self.report.warning(
                    span,
                    format!("{what} has no `source`: name the article section or public source it restates"),
                );
                Vec::new()
            }
            Some(source) => {
                let span = source.span();
                let ids = source.into_inner().into_vec();
                if ids.is_empty() {
                    self.report
                        .warning(span.clone(), format!("{what} has an empty `source` list"));
                }
                for id in &ids {
                    if self.source_ids.contains(id) {
                        self.used_sources.insert(id.clone());
                    } else {
                        self.report.error(
                            span.clone(),
                            format!("{what} names source `{id}`, which no [[source]] declares"),
                        );
                    }
                }
                ids
            }
        };
        Text {
            text,
            sources,
            forms: Vec::new(),
        }
    }

    /// Reports each placeholder of `text` that names no question.
    fn placeholders(&mut self, text: &str, span: Range<usize>, what: &str) {
        for (open, name) in placeholder::placeholders(text) {
            let extra = self.extra_placeholder == Some(name);
            if !extra && !self.questions.contains_key(name) {
                let at = self.inner_offset(&span, text, open);
                self.report.error(
                    at..at,
                    format!(
                        "{what} uses placeholder `{{{name}}}`, but no question has the id `{name}`"
                    ),
                );
            }
        }
    }
}
