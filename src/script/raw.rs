//! The dialogue file as written: serde shapes with spans, before any checking.
//!
//! Each top-level item (a node, a rule, an outcome…) is deserialized on its
//! own, so one malformed item does not hide the problems of the others.

use serde::Deserialize;
use toml::Spanned;

/// A string or a list of strings (`source = "a"` or `source = ["a", "b"]`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single name.
    One(String),
    /// Several names.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in the order written.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// A user-facing text and the source it restates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawText {
    pub text: Spanned<String>,
    pub source: Option<Spanned<OneOrMany>>,
    /// Plural forms of a text holding a count; `text` is the `other` form.
    pub zero: Option<Spanned<String>>,
    pub one: Option<Spanned<String>>,
    pub two: Option<Spanned<String>>,
    pub few: Option<Spanned<String>>,
    pub many: Option<Spanned<String>>,
}

impl RawText {
    /// The plural forms written besides `text`, by category.
    pub fn forms(&self) -> Vec<(&'static str, Spanned<String>)> {
        [
            ("zero", &self.zero),
            ("one", &self.one),
            ("two", &self.two),
            ("few", &self.few),
            ("many", &self.many),
        ]
        .into_iter()
        .filter_map(|(name, form)| form.clone().map(|f| (name, f)))
        .collect()
    }
}

/// `emergency_numbers = [{ number = "112", place = "EU" }]`: one number to call.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmergencyNumber {
    pub number: Spanned<String>,
    pub place: Spanned<String>,
}

/// `[[source]]`: a reference shown on /about and named by texts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub url: Option<String>,
}

/// `[[node]]`: one question.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub prompt: RawText,
    pub hint: Option<Spanned<String>>,
    pub next: Option<Spanned<String>>,
    pub max_length: Option<Spanned<u32>>,
    /// A safety question: only a clear no counts as no (see `[red_flags]`).
    #[serde(default)]
    pub red_flag: Option<Spanned<bool>>,
    /// For a red-flag question: what to ask after an unsure answer, when
    /// `[red_flags].unsure` (about the emergency screen) does not fit it.
    pub unsure: Option<RawText>,
    #[serde(default)]
    pub options: Vec<Spanned<RawOption>>,
}

/// `[[node.options]]`: one answer a question offers as a button.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub value: Spanned<String>,
    pub label: Option<Spanned<String>>,
    #[serde(default)]
    pub synonyms: Vec<Spanned<String>>,
    pub next: Option<Spanned<String>>,
    pub days: Option<Spanned<u32>>,
    pub per_minute: Option<Spanned<String>>,
    pub per_hour: Option<Spanned<String>>,
    pub per_day: Option<Spanned<String>>,
    pub per_week: Option<Spanned<String>>,
    pub per_month: Option<Spanned<String>>,
    pub per_year: Option<Spanned<String>>,
}

impl RawOption {
    /// The band keys written on this option (`per_day = ">= 1"`…), with their names.
    pub fn bands(&self) -> Vec<(&'static str, &Spanned<String>)> {
        [
            ("per_minute", &self.per_minute),
            ("per_hour", &self.per_hour),
            ("per_day", &self.per_day),
            ("per_week", &self.per_week),
            ("per_month", &self.per_month),
            ("per_year", &self.per_year),
        ]
        .into_iter()
        .filter_map(|(key, value)| value.as_ref().map(|v| (key, v)))
        .collect()
    }
}

/// `[red_flags]`: what an emergency sign, described or half-answered, leads to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRedFlags {
    pub outcome: Spanned<String>,
    pub confirm: RawText,
    pub unsure: RawText,
    pub declined: RawText,
    pub safety_net: RawText,
    pub yes: Spanned<String>,
    pub no: Spanned<String>,
    #[serde(default)]
    pub sign: Vec<Spanned<RawSign>>,
}

/// `[[red_flags.sign]]`: one emergency sign and the ways people describe it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSign {
    pub id: Spanned<String>,
    pub said: RawText,
    pub phrases: Vec<Spanned<String>>,
}

/// `[[rule]]`: when the condition holds, the check ends with the outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub when: Option<Spanned<String>>,
    pub outcome: Spanned<String>,
}

/// `[[outcome]]`: a triage level with its verdict and guidance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub id: Spanned<String>,
    pub level: Spanned<String>,
    pub verdict: RawText,
    #[serde(default)]
    pub show_tips: bool,
    #[serde(default)]
    pub guidance: Vec<RawGuidance>,
}

/// `[[outcome.guidance]]`: one paragraph, shown when its condition holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuidance {
    pub text: Spanned<String>,
    pub source: Option<Spanned<OneOrMany>>,
    pub when: Option<Spanned<String>>,
}

/// `[tips]`: stress-management tips.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTips {
    pub title: Spanned<String>,
    pub emphasis_when: Option<Spanned<String>>,
    pub emphasis_lead: Option<RawText>,
    pub items: Vec<RawText>,
}

/// The whole file, split into its top-level items.
#[derive(Debug, Default)]
pub struct RawDocument {
    pub id: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
    pub version: Option<Spanned<String>>,
    pub start: Option<Spanned<String>>,
    pub intro: Option<Spanned<RawText>>,
    pub disclaimer: Option<Spanned<RawText>>,
    pub tips: Option<Spanned<RawTips>>,
    pub red_flags: Option<Spanned<RawRedFlags>>,
    pub follow_up: Option<Spanned<RawFollowUp>>,
    pub diary: Option<Spanned<RawDiary>>,
    pub emergency_numbers: Vec<Spanned<RawEmergencyNumber>>,
    pub sources: Vec<Spanned<RawSource>>,
    pub nodes: Vec<Spanned<RawNode>>,
    pub rules: Vec<Spanned<RawRule>>,
    pub outcomes: Vec<Spanned<RawOutcome>>,
}

/// `[follow_up]`: a later check-in offered after an outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollowUp {
    pub after: Vec<Spanned<String>>,
    pub duration: Spanned<String>,
    pub more_than_days: Spanned<u32>,
    pub offer: RawText,
    pub decline: Spanned<String>,
    pub accepted: RawText,
    pub question: RawText,
    pub still_long: RawText,
    pub still_short: RawText,
    pub worse: RawText,
    pub gone: RawText,
    #[serde(default)]
    pub delay: Vec<Spanned<RawDelay>>,
    #[serde(default)]
    pub answer: Vec<Spanned<RawFollowUpAnswer>>,
}

/// `[[follow_up.delay]]`: one delay offered as a button.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDelay {
    pub label: Spanned<String>,
    pub days: Spanned<u32>,
}

/// `[[follow_up.answer]]`: one answer to "is it still there?".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFollowUpAnswer {
    pub value: Spanned<String>,
    pub label: Spanned<String>,
    pub means: Spanned<String>,
    #[serde(default)]
    pub synonyms: Vec<Spanned<String>>,
}

/// `[diary]`: a twitch diary offered after an outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiary {
    pub after: Vec<Spanned<String>>,
    pub keep_days: Spanned<u32>,
    pub offer: RawText,
    pub start: Spanned<String>,
    pub decline: Spanned<String>,
    pub log: Spanned<String>,
    pub started: RawText,
    pub logged: RawText,
    pub persistent: RawText,
    #[serde(default)]
    pub tag: Vec<Spanned<RawDiaryTag>>,
}

/// `[[diary.tag]]`: something that may come with an episode, offered as a
/// button after a log; it must name the source it traces to.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiaryTag {
    pub id: Spanned<String>,
    pub label: Spanned<String>,
    pub source: Spanned<OneOrMany>,
}
