//! The `[[node.options]]` of each question: values, labels, typed words
//! that must not match two options, `days` and frequency bands, and the
//! yes/no defaults.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::{Checker, MAX_OPTIONS};
use crate::script::band::{self, Band};
use crate::script::raw::RawOption;
use crate::script::{Choice, MAX_BUTTON_PAYLOAD, MAX_LABEL, NodeKind, Target, fold};

/// What option checks need to know about the node that holds them.
pub(super) struct NodeShape<'a> {
    pub(super) id: &'a str,
    pub(super) span: Range<usize>,
    pub(super) kind: NodeKind,
    pub(super) has_next: bool,
    pub(super) red_flag: bool,
}

impl Checker<'_, '_> {
    /// Converts a node's options, adding to `targets` where they lead; a
    /// yes/no question gets both answers with the language's defaults.
    pub(super) fn options(
        &mut self,
        shape: &NodeShape<'_>,
        raw: Vec<Spanned<RawOption>>,
        targets: &mut Vec<Spanned<String>>,
    ) -> Vec<Choice> {
        let (node_id, kind) = (shape.id, shape.kind);
        let mut options: Vec<Choice> = Vec::new();
        let mut words: HashMap<String, String> = HashMap::new();
        let mut band_spans = Vec::new();
        let count = raw.len();
        for (index, item) in raw.into_iter().enumerate() {
            let option = item.into_inner();
            if index == MAX_OPTIONS {
                self.report.error(
                    option.value.span(),
                    format!(
                        "`{node_id}` has {count} options, more than the {MAX_OPTIONS} a question may offer: a longer keyboard is hard to use"
                    ),
                );
            }
            let band = self.band(&option, kind, node_id);
            if let Some((_, span)) = &band {
                band_spans.push(span.clone());
            }
            let value_span = option.value.span();
            let value = self.ident(option.value, "option value");
            if kind == NodeKind::YesNo && value != "yes" && value != "no" {
                self.report.error(
                    value_span.clone(),
                    format!("a yes_no question's options are `yes` and `no`, not `{value}`"),
                );
            }
            if options.iter().any(|o| o.value == value) {
                self.report.error(
                    value_span.clone(),
                    format!("duplicate option `{value}` in `{node_id}`"),
                );
            }
            let payload = node_id.len() + value.len();
            if payload > MAX_BUTTON_PAYLOAD {
                self.report.error(
                    value_span.clone(),
                    format!(
                        "option `{value}` of `{node_id}` is too long for a Telegram button: node id and value take {payload} bytes, at most {MAX_BUTTON_PAYLOAD} fit in the 64-byte callback data"
                    ),
                );
            }
            let label = match option.label {
                Some(label) => {
                    let span = label.span();
                    let label = self.non_empty(label, "option label");
                    self.at_most(
                        span,
                        &label,
                        &format!("label of option `{value}` of `{node_id}`"),
                        MAX_LABEL,
                        "a Telegram button shows",
                    );
                    label
                }
                None if kind == NodeKind::YesNo => {
                    self.lexicon.yes_no_defaults.label(&value).to_string()
                }
                None => {
                    self.report.error(
                        value_span.clone(),
                        format!("option `{value}` of `{node_id}` needs a `label`"),
                    );
                    value.clone()
                }
            };
            match (kind, &option.days) {
                (NodeKind::Duration, None) => self.report.error(
                    value_span.clone(),
                    format!("duration option `{value}` needs `days`, the length it stands for"),
                ),
                (NodeKind::Duration, Some(_)) | (_, None) => {}
                (_, Some(days)) => self.report.error(
                    days.span(),
                    "`days` only applies to options of `duration` questions",
                ),
            }
            let mut synonyms = Vec::new();
            for synonym in option.synonyms {
                let span = synonym.span();
                let word = self.non_empty(synonym, "synonym");
                self.claim_word(&mut words, &word, &value, node_id, span);
                synonyms.push(word);
            }
            for word in [value.replace('_', " "), label.clone()] {
                self.claim_word(&mut words, &word, &value, node_id, value_span.clone());
            }
            match &option.next {
                Some(next) => targets.push(next.clone()),
                None if !shape.has_next => self.report.error(
                    value_span.clone(),
                    format!(
                        "option `{value}` of `{node_id}` leads nowhere: give it a `next` or give the node one"
                    ),
                ),
                None => {}
            }
            options.push(Choice {
                value,
                label,
                synonyms,
                next: option.next.map(|n| Target::parse(n.get_ref())),
                days: option.days.map(Spanned::into_inner),
                band: band.map(|(band, _)| band),
            });
        }
        if kind == NodeKind::Frequency && band_spans.len() == options.len() {
            let bands: Vec<Band> = options.iter().filter_map(|o| o.band.clone()).collect();
            for gap in band::coverage(&bands) {
                self.report.error(
                    band_spans[gap.band].clone(),
                    format!("bands of `{node_id}`: {}", gap.message),
                );
            }
        }
        match kind {
            NodeKind::YesNo => {
                for value in ["yes", "no"] {
                    if !options.iter().any(|o| o.value == value) {
                        options.push(Choice {
                            value: value.to_string(),
                            label: self.lexicon.yes_no_defaults.label(value).to_string(),
                            synonyms: Vec::new(),
                            next: None,
                            days: None,
                            band: None,
                        });
                    }
                }
                options.sort_by_key(|o| o.value != "yes");
                let defaults = &self.lexicon.yes_no_defaults;
                for option in &mut options {
                    let words = defaults.words(&option.value, shape.red_flag);
                    option.synonyms.extend(words);
                }
            }
            NodeKind::Choice | NodeKind::Frequency if options.len() < 2 => self.report.error(
                shape.span.clone(),
                format!(
                    "{} question `{node_id}` needs at least two options",
                    kind.name()
                ),
            ),
            _ => {}
        }
        options
    }

    /// Records that typing `word` means `value`; two options claiming one word is an error.
    fn claim_word(
        &mut self,
        words: &mut HashMap<String, String>,
        word: &str,
        value: &str,
        node_id: &str,
        span: Range<usize>,
    ) {
        let folded = fold(word);
        match words.get(&folded) {
            Some(owner) if owner != value => self.report.error(
                span,
                format!("typing `{word}` in `{node_id}` would match both `{owner}` and `{value}`"),
            ),
            Some(_) => {}
            None => {
                words.insert(folded, value.to_string());
            }
        }
    }

    /// The band a frequency option stands for (with where it is written);
    /// bands anywhere else are errors.
    fn band(
        &mut self,
        option: &RawOption,
        kind: NodeKind,
        node_id: &str,
    ) -> Option<(Band, Range<usize>)> {
        let value = option.value.get_ref();
        let written = option.bands();
        if kind != NodeKind::Frequency {
            for (key, raw) in &written {
                self.report.error(
                    raw.span(),
                    format!("`{key}` only applies to options of `frequency` questions"),
                );
            }
            return None;
        }
        let (key, raw) = match written.as_slice() {
            [one] => *one,
            [] => {
                self.report.error(
                    option.value.span(),
                    format!(
                        "frequency option `{value}` of `{node_id}` needs a band, e.g. `per_day = \">= 1 and < 10\"`"
                    ),
                );
                return None;
            }
            [_, (_, second), ..] => {
                self.report.error(
                    second.span(),
                    format!("option `{value}` has several bands; write one, in one unit"),
                );
                return None;
            }
        };
        match Band::parse(key, raw.get_ref()) {
            Ok(band) => Some((band, raw.span())),
            Err((offset, message)) => {
                let at = self.inner_offset(&raw.span(), raw.get_ref(), offset);
                self.report.error(at..at, message);
                None
            }
        }
    }
}
