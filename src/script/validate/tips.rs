//! The `[tips]` section: the stress tips, when they are emphasised, and
//! whether `/tips`, which sends them all, fits in one message.

use toml::Spanned;

use super::{Checker, MAX_MESSAGE_TEXT, MAX_TITLE};
use crate::script::Tips;
use crate::script::raw::RawTips;

impl Checker<'_, '_> {
    /// Converts `[tips]`; `/tips` sends them as one message, so the tip that
    /// makes it too long is reported.
    pub(super) fn tips(&mut self, raw: Spanned<RawTips>) -> Tips {
        let span = raw.span();
        let tips = raw.into_inner();
        if tips.items.is_empty() {
            self.report.error(span, "`tips` needs at least one item");
        }
        let title = self.bounded(tips.title, "tips title", MAX_TITLE, "a title may have");
        let emphasis_when = tips
            .emphasis_when
            .as_ref()
            .and_then(|w| self.condition(w, "tips `emphasis_when`"));
        let emphasis_lead = tips
            .emphasis_lead
            .map(|lead| self.text(lead, "tips `emphasis_lead`"));
        // `/tips` sends the title, the lead and every tip as one message.
        let mut length = title.chars().count()
            + emphasis_lead
                .as_ref()
                .map_or(0, |lead| 1 + lead.text.chars().count());
        let mut too_long = false;
        let mut items = Vec::new();
        for item in tips.items {
            let span = item.text.span();
            let tip = self.text(item, "tip");
            length += 3 + tip.text.chars().count();
            if length > MAX_MESSAGE_TEXT && !too_long {
                too_long = true;
                self.report.error(
                    span,
                    format!(
                        "with this tip, the /tips message has {length} characters of title, lead and tips, more than the {MAX_MESSAGE_TEXT} one message may have"
                    ),
                );
            }
            items.push(tip);
        }
        Tips {
            title,
            emphasis_when,
            emphasis_lead,
            items,
        }
    }
}
