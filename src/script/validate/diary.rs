//! The `[diary]` section: when the diary is offered, how long entries are
//! kept, its buttons and texts, and its tags, each traced to a source.

use std::collections::HashSet;
use std::ops::Range;

use toml::Spanned;

use super::Checker;
use crate::script::raw::RawDiary;
use crate::script::{Diary, DiaryTag, MAX_LABEL, MAX_TAG_ID, Outcome};

/// At most this many tags: they are offered as buttons after each log, and
/// the chart has a colour of its own for each.
const MAX_TAGS: usize = crate::diary::chart::TAG_COLOURS.len();

impl Checker<'_, '_> {
    /// Converts `[diary]`: its `after` outcomes (never an emergency), its
    /// retention, buttons, texts and tags.
    pub(super) fn diary(
        &mut self,
        raw: Spanned<RawDiary>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> Diary {
        let span = raw.span();
        let raw = raw.into_inner();
        self.offered_after(&raw.after, outcomes, "diary", "a diary", span.clone());
        if !(1..=365).contains(raw.keep_days.get_ref()) {
            self.report.error(
                raw.keep_days.span(),
                "diary `keep_days` is 1 to 365 days (how long entries stay after the last one)",
            );
        }
        if raw.tag.len() > MAX_TAGS {
            self.report.error(
                span,
                format!("a diary has at most {MAX_TAGS} tags: they are buttons under every log"),
            );
        }
        let mut seen = HashSet::new();
        let mut tags = Vec::new();
        for tag in raw.tag {
            let tag = tag.into_inner();
            let id_span = tag.id.span();
            let id = self.unique_id(tag.id, "diary tag", &mut seen);
            if id.len() > MAX_TAG_ID {
                self.report.error(
                    id_span,
                    format!(
                        "a diary tag id has at most {MAX_TAG_ID} characters (it rides in a button)"
                    ),
                );
            }
            let label_span = tag.label.span();
            let label = self.text_parts(tag.label, Some(tag.source), "diary tag `label`");
            // Room for the "✓ " a chosen tag's button shows.
            self.at_most(
                label_span,
                &label.text,
                "diary tag `label`",
                MAX_LABEL - 2,
                "a Telegram button shows with its mark",
            );
            tags.push(DiaryTag { id, label });
        }
        Diary {
            after: raw.after.into_iter().map(Spanned::into_inner).collect(),
            keep_days: raw.keep_days.into_inner(),
            offer: self.text(raw.offer, "diary `offer`"),
            start: self.label(raw.start, "button label"),
            decline: self.label(raw.decline, "button label"),
            log: self.label(raw.log, "button label"),
            started: self.text(raw.started, "diary `started`"),
            logged: self.text(raw.logged, "diary `logged`"),
            persistent: self.text(raw.persistent, "diary `persistent`"),
            tags,
        }
    }
}
