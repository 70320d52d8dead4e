//! The `[[source]]` section: the references texts restate, and whether
//! `/about`, which lists them all, fits in one message.

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use super::{Checker, MAX_MESSAGE_TEXT, MAX_TITLE};
use crate::script::raw::RawSource;
use crate::script::{Source, Text};

impl Checker<'_, '_> {
    /// Converts every `[[source]]`: unique ids, titles not too long.
    pub(super) fn sources(&mut self, raw: &[Spanned<RawSource>]) -> Vec<Source> {
        let mut seen = HashSet::new();
        let mut sources = Vec::new();
        for item in raw {
            let s = item.get_ref();
            let id = self.unique_id(s.id.clone(), "source", &mut seen);
            let title = self.bounded(
                s.title.clone(),
                &format!("title of source `{id}`"),
                MAX_TITLE,
                "a title may have",
            );
            sources.push(Source {
                id,
                title,
                url: s.url.clone(),
            });
        }
        sources
    }

    /// `/about` sends the title, intro, disclaimer and every source as one
    /// message: the source that makes it too long is reported.
    pub(super) fn about_fits(
        &mut self,
        title: &str,
        intro: &Text,
        disclaimer: &Text,
        sources: &[Source],
        spans: &[Range<usize>],
    ) {
        let mut length = [title, &intro.text, &disclaimer.text]
            .iter()
            .map(|t| t.chars().count() + 2)
            .sum::<usize>();
        for (source, span) in sources.iter().zip(spans) {
            // "\n• title — url"
            length += 3 + source.title.chars().count();
            length += source.url.as_ref().map_or(0, |url| 3 + url.chars().count());
            if length > MAX_MESSAGE_TEXT {
                self.report.error(
                    span.clone(),
                    format!(
                        "with source `{}`, the /about message has {length} characters of title, intro, disclaimer and sources, more than the {MAX_MESSAGE_TEXT} one message may have",
                        source.id
                    ),
                );
                return;
            }
        }
    }
}
