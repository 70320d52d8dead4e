//! Meaning checks on a parsed dialogue: references, reachability, rules,
//! texts and sources. Every problem is reported; none stops the others.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::band::{self, Band};
use super::diagnostic::Reporter;
use super::expr::{Expr, Literal};
use super::placeholder;
use super::raw::{
    OneOrMany, RawDocument, RawEmergencyNumber, RawFollowUp, RawNode, RawOption, RawOutcome,
    RawRedFlags, RawText, RawTips,
};
use super::{
    Choice, Delay, EmergencyNumber, FINISH, FOLLOW_UP, FollowUp, Guidance, Level,
    MAX_BUTTON_PAYLOAD, MAX_LABEL, Meaning, Node, NodeKind, Outcome, RedFlags, Rule, Script, Sign,
    Source, Target, Text, Tips, Version, fold, is_id, is_phone_number,
};
use crate::language::lexicon::{Lexicon, Phrases};

/// Most words a red-flag phrase may have; longer ones would hardly ever match.
const MAX_PHRASE_WORDS: usize = 6;

/// Free-text answers are capped at this many characters unless a node says otherwise.
const DEFAULT_MAX_LENGTH: u32 = 300;
/// No free-text answer may be longer than this, whatever the node says.
const MAX_MAX_LENGTH: u32 = 1000;

/// Most options one question may offer: each is a keyboard row, and a longer
/// keyboard pushes the question off a phone's screen.
const MAX_OPTIONS: usize = 12;
/// Most characters in one text (a prompt, verdict, guidance paragraph, tip,
/// hint…), so that each message stays well within Telegram's 4096.
const MAX_TEXT: usize = 1000;
/// Most characters in a title (the dialogue's, the tips', a source's).
const MAX_TITLE: usize = 200;
/// Most characters of dialogue text in one message the bot never splits
/// (`/tips`, `/about`), leaving room under Telegram's 4096 for the bot's own
/// words and filled-in answers.
const MAX_MESSAGE_TEXT: usize = 3500;

/// What a placeholder or condition may read about one question.
struct QuestionInfo {
    kind: Option<NodeKind>,
    values: Vec<String>,
}

/// A converted node with what the graph checks need to point at.
struct CheckedNode {
    node: Node,
    id_span: Range<usize>,
    targets: Vec<Spanned<String>>,
}

struct Checker<'r, 'a> {
    report: &'r mut Reporter<'a>,
    source: &'a str,
    questions: HashMap<String, QuestionInfo>,
    source_ids: HashSet<String>,
    used_sources: HashSet<String>,
    /// A placeholder the text being checked may use besides question ids.
    extra_placeholder: Option<&'static str>,
    /// The words of the dialogue's language, for yes/no defaults.
    lexicon: Arc<Lexicon>,
}

/// Turns a well-shaped document into a [`Script`], reporting every problem.
/// Returns `None` when something essential is missing.
pub(super) fn build<'a>(
    path: &Path,
    source: &'a str,
    doc: RawDocument,
    report: &mut Reporter<'a>,
) -> Option<Script> {
    let mut questions = HashMap::new();
    for node in &doc.nodes {
        let node = node.get_ref();
        questions
            .entry(node.id.get_ref().clone())
            .or_insert_with(|| question_info(node));
    }
    let source_ids = doc
        .sources
        .iter()
        .map(|s| s.get_ref().id.get_ref().clone())
        .collect();
    let mut checker = Checker {
        report,
        source,
        questions,
        source_ids,
        used_sources: HashSet::new(),
        extra_placeholder: None,
        lexicon: Lexicon::english_shared(),
    };
    let sources = checker.sources(&doc.sources);
    let source_spans: Vec<Range<usize>> =
        doc.sources.iter().map(|s| s.get_ref().id.span()).collect();
    let nodes = checker.nodes(doc.nodes);
    let start = doc.start?;
    checker.graph(&nodes, &start);
    let outcomes = checker.outcomes(doc.outcomes);
    let rules = checker.rules(doc.rules, &outcomes);
    let tips = checker.tips(doc.tips?);
    let red_flags = match doc.red_flags {
        Some(raw) => Some(checker.red_flags(raw, &outcomes)),
        None => {
            if let Some(node) = nodes.iter().find(|n| n.node.red_flag) {
                checker.report.error(
                    node.id_span.clone(),
                    format!(
                        "`{}` is a red-flag question, so the file needs a `[red_flags]` block saying what unsure answers lead to",
                        node.node.id
                    ),
                );
            }
            None
        }
    };
    let intro = checker.text(doc.intro?.into_inner(), "intro");
    let disclaimer = checker.text(doc.disclaimer?.into_inner(), "disclaimer");
    let id = checker.ident(doc.id?, "dialogue id");
    let title = checker.bounded(doc.title?, "title", MAX_TITLE, "a title may have");
    let version = checker.version(doc.version?);
    checker.about_fits(&title, &intro, &disclaimer, &sources, &source_spans);
    for (unused, span) in sources.iter().zip(source_spans) {
        if !checker.used_sources.contains(&unused.id) {
            checker.report.warning(
                span,
                format!("source `{}` is not used by any text", unused.id),
            );
        }
    }
    let follow_up = doc.follow_up.map(|raw| checker.follow_up(raw, &outcomes));
    let emergency_numbers = checker.emergency_numbers(doc.emergency_numbers, &outcomes);
    let mut script = Script {
        path: path.to_path_buf(),
        id,
        title,
        version: version?,
        start: start.into_inner(),
        intro,
        disclaimer,
        nodes: nodes.into_iter().map(|checked| checked.node).collect(),
        rules,
        outcomes: outcomes.into_iter().map(|(outcome, _)| outcome).collect(),
        tips,
        red_flags,
        follow_up,
        sources,
        emergency_numbers,
        language: crate::language::BASE.to_string(),
        catalog: crate::language::Catalog::english_shared(),
        lexicon: Arc::clone(&checker.lexicon),
        other_nets: Vec::new(),
        node_index: HashMap::new(),
    };
    script.index_nodes();
    Some(script)
}

/// What option checks need to know about the node that holds them.
struct NodeShape<'a> {
    id: &'a str,
    span: Range<usize>,
    kind: NodeKind,
    has_next: bool,
    red_flag: bool,
}

fn question_info(node: &RawNode) -> QuestionInfo {
    let kind = NodeKind::parse(node.kind.get_ref());
    let mut values: Vec<String> = node
        .options
        .iter()
        .map(|o| o.get_ref().value.get_ref().clone())
        .collect();
    if kind == Some(NodeKind::YesNo) {
        values = vec!["yes".to_string(), "no".to_string()];
    }
    QuestionInfo { kind, values }
}

/// The label and the typed words a yes/no option always has, besides what
/// the file adds, in the dialogue's language.
fn yes_no_defaults<'l>(lexicon: &'l Lexicon, value: &str) -> (&'l str, &'l Phrases) {
    let defaults = &lexicon.yes_no_defaults;
    if value == "yes" {
        (&defaults.yes_label, &defaults.yes)
    } else {
        (&defaults.no_label, &defaults.no)
    }
}

impl Checker<'_, '_> {
    fn ident(&mut self, raw: Spanned<String>, what: &str) -> String {
        if !is_id(raw.get_ref()) {
            self.report.error(
                raw.span(),
                format!(
                    "{what} `{}` may only use letters, digits, `_` and `-`",
                    raw.get_ref()
                ),
            );
        }
        raw.into_inner()
    }

    fn non_empty(&mut self, raw: Spanned<String>, what: &str) -> String {
        if raw.get_ref().trim().is_empty() {
            self.report.error(raw.span(), format!("{what} is empty"));
        }
        raw.into_inner()
    }

    /// Like [`non_empty`](Self::non_empty), and at most `limit` characters;
    /// `allowed` says who allows that many ("a title may have").
    fn bounded(&mut self, raw: Spanned<String>, what: &str, limit: usize, allowed: &str) -> String {
        let span = raw.span();
        let text = self.non_empty(raw, what);
        self.at_most(span, &text, what, limit, allowed);
        text
    }

    fn at_most(&mut self, span: Range<usize>, text: &str, what: &str, limit: usize, allowed: &str) {
        let length = text.chars().count();
        if length > limit {
            self.report.error(
                span,
                format!("{what} has {length} characters, more than the {limit} {allowed}"),
            );
        }
    }

    /// `/about` sends the title, intro, disclaimer and every source as one
    /// message: the source that makes it too long is reported.
    fn about_fits(
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

    fn version(&mut self, raw: Spanned<String>) -> Option<Version> {
        let version = Version::parse(raw.get_ref());
        if version.is_none() {
            self.report.error(
                raw.span(),
                format!(
                    "version `{}` should be `MAJOR.MINOR`, e.g. \"1.0\"",
                    raw.get_ref()
                ),
            );
        }
        version
    }

    fn sources(&mut self, raw: &[Spanned<super::raw::RawSource>]) -> Vec<Source> {
        let mut seen = HashSet::new();
        let mut sources = Vec::new();
        for item in raw {
            let s = item.get_ref();
            let id = self.ident(s.id.clone(), "source id");
            if !seen.insert(id.clone()) {
                self.report
                    .error(s.id.span(), format!("duplicate source id `{id}`"));
            }
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

    /// The numbers to call in an emergency; required when an outcome is one.
    fn emergency_numbers(
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

    /// Converts a text, checking it is not empty, names known sources and
    /// only uses placeholders that name questions.
    fn text(&mut self, raw: RawText, what: &str) -> Text {
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

    fn text_parts(
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

    /// Byte offset in the file of `offset` inside a string value at `span`,
    /// exact when the string has no escapes, else the string's start.
    fn inner_offset(&self, span: &Range<usize>, value: &str, offset: usize) -> usize {
        self.verbatim_start(span, value)
            .map_or(span.start, |start| start + offset)
    }

    /// Where the string value at `span` starts in the file when it is written
    /// there as is (no escapes), so offsets inside it map to the file.
    fn verbatim_start(&self, span: &Range<usize>, value: &str) -> Option<usize> {
        let raw = self.source.get(span.clone()).unwrap_or("");
        let quote = if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            3
        } else {
            1
        };
        let start = span.start + quote;
        (self.source.get(start..start + value.len()) == Some(value)).then_some(start)
    }

    /// Parses a condition and checks every answer it reads.
    fn condition(&mut self, raw: &Spanned<String>, what: &str) -> Option<Expr> {
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

    fn nodes(&mut self, raw: Vec<Spanned<RawNode>>) -> Vec<CheckedNode> {
        let mut seen = HashSet::new();
        let mut nodes = Vec::new();
        for item in raw {
            let node = item.into_inner();
            let id_span = node.id.span();
            let id = self.ident(node.id, "node id");
            if id == FINISH {
                self.report.error(
                    id_span.clone(),
                    format!(
                        "`{FINISH}` is reserved for ending the questions; choose another node id"
                    ),
                );
            }
            if id == FOLLOW_UP {
                self.report.error(
                    id_span.clone(),
                    format!("`{FOLLOW_UP}` is reserved for the follow-up's buttons; choose another node id"),
                );
            }
            if !seen.insert(id.clone()) {
                self.report
                    .error(id_span.clone(), format!("duplicate node id `{id}`"));
            }
            let Some(kind) = NodeKind::parse(node.kind.get_ref()) else {
                self.report.error(
                    node.kind.span(),
                    format!(
                        "unknown node kind `{}`, expected one of `choice`, `yes_no`, `duration`, `frequency`, `text`",
                        node.kind.get_ref()
                    ),
                );
                continue;
            };
            let prompt = self.text(node.prompt, &format!("prompt of `{id}`"));
            let hint = node
                .hint
                .map(|h| self.bounded(h, &format!("hint of `{id}`"), MAX_TEXT, "a hint may have"));
            let max_length = match (&node.max_length, kind) {
                (None, _) => DEFAULT_MAX_LENGTH,
                (Some(len), NodeKind::Text) if (1..=MAX_MAX_LENGTH).contains(len.get_ref()) => {
                    *len.get_ref()
                }
                (Some(len), NodeKind::Text) => {
                    self.report.error(
                        len.span(),
                        format!("`max_length` must be between 1 and {MAX_MAX_LENGTH}"),
                    );
                    DEFAULT_MAX_LENGTH
                }
                (Some(len), _) => {
                    self.report
                        .error(len.span(), "`max_length` only applies to `text` questions");
                    DEFAULT_MAX_LENGTH
                }
            } as usize;
            let red_flag = match node.red_flag {
                Some(flag) if *flag.get_ref() && kind != NodeKind::YesNo => {
                    self.report
                        .error(flag.span(), "`red_flag` only applies to `yes_no` questions");
                    false
                }
                Some(flag) => flag.into_inner(),
                None => false,
            };
            let mut targets = Vec::new();
            if let Some(next) = &node.next {
                targets.push(next.clone());
            }
            let shape = NodeShape {
                id: &id,
                span: id_span.clone(),
                kind,
                has_next: node.next.is_some(),
                red_flag,
            };
            let options = self.options(&shape, node.options, &mut targets);
            let free_answers = matches!(kind, NodeKind::Duration | NodeKind::Text);
            if node.next.is_none() && free_answers {
                self.report.error(
                    id_span.clone(),
                    format!("`{id}` takes typed answers, so it needs a `next`"),
                );
            }
            let next = node.next.map(|n| Target::parse(n.get_ref()));
            nodes.push(CheckedNode {
                node: Node {
                    id,
                    kind,
                    prompt,
                    hint,
                    options,
                    next,
                    max_length,
                    red_flag,
                },
                id_span,
                targets,
            });
        }
        nodes
    }

    fn options(
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
                    yes_no_defaults(&self.lexicon, &value).0.to_string()
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
                            label: yes_no_defaults(&self.lexicon, value).0.to_string(),
                            synonyms: Vec::new(),
                            next: None,
                            days: None,
                            band: None,
                        });
                    }
                }
                options.sort_by_key(|o| o.value != "yes");
                // Words too soft for a red-flag question ("never until now",
                // "not much" are not a clear no to "do you have any of these?").
                let soft = &self.lexicon.yes_no_defaults.soft_noes;
                for option in &mut options {
                    let defaults = yes_no_defaults(&self.lexicon, &option.value).1;
                    option.synonyms.extend(
                        defaults
                            .written()
                            .filter(|s| !(shape.red_flag && soft.has(s))),
                    );
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

    /// Checks `next` references, reachability from `start`, and that every
    /// reachable question can still reach an outcome.
    fn graph(&mut self, nodes: &[CheckedNode], start: &Spanned<String>) {
        let known: HashSet<&str> = nodes.iter().map(|c| c.node.id.as_str()).collect();
        for checked in nodes {
            for target in &checked.targets {
                let name = target.get_ref();
                if name != FINISH && !known.contains(name.as_str()) {
                    self.report.error(
                        target.span(),
                        format!("`next` names `{name}`, but there is no node with that id (use `{FINISH}` to end the questions)"),
                    );
                }
            }
        }
        if !known.contains(start.get_ref().as_str()) {
            self.report.error(
                start.span(),
                format!(
                    "`start` names `{}`, but there is no node with that id",
                    start.get_ref()
                ),
            );
            return;
        }
        let edges: HashMap<&str, Vec<Target>> = nodes
            .iter()
            .map(|CheckedNode { node, .. }| {
                let mut out: Vec<Target> =
                    node.options.iter().filter_map(|o| o.next.clone()).collect();
                out.extend(node.next.clone());
                (node.id.as_str(), out)
            })
            .collect();
        let mut reached = HashSet::from([start.get_ref().as_str()]);
        let mut queue = VecDeque::from([start.get_ref().as_str()]);
        while let Some(id) = queue.pop_front() {
            for target in edges.get(id).into_iter().flatten() {
                if let Target::Node(next) = target
                    && let Some(&known_id) = known.get(next.as_str())
                    && reached.insert(known_id)
                {
                    queue.push_back(known_id);
                }
            }
        }
        let mut finishing: HashSet<&str> = HashSet::new();
        loop {
            let before = finishing.len();
            for (id, out) in &edges {
                let done = out.iter().any(|t| match t {
                    Target::Finish => true,
                    Target::Node(next) => finishing.contains(next.as_str()),
                });
                if done {
                    finishing.insert(id);
                }
            }
            if finishing.len() == before {
                break;
            }
        }
        for CheckedNode { node, id_span, .. } in nodes {
            let span = id_span.clone();
            if !reached.contains(node.id.as_str()) {
                self.report.error(
                    span.clone(),
                    format!(
                        "node `{}` is never reached from `start` (`{}`)",
                        node.id,
                        start.get_ref()
                    ),
                );
            }
            if !finishing.contains(node.id.as_str()) {
                self.report.error(
                    span,
                    format!("no outcome can be reached from node `{}`: no path from it leads to `{FINISH}`", node.id),
                );
            }
        }
    }

    fn outcomes(&mut self, raw: Vec<Spanned<RawOutcome>>) -> Vec<(Outcome, Range<usize>)> {
        let mut outcomes: Vec<(Outcome, Range<usize>)> = Vec::new();
        for item in raw {
            let outcome = item.into_inner();
            let id_span = outcome.id.span();
            let id = self.ident(outcome.id, "outcome id");
            if outcomes.iter().any(|(o, _)| o.id == id) {
                self.report
                    .error(id_span.clone(), format!("duplicate outcome id `{id}`"));
            }
            let Some(level) = Level::parse(outcome.level.get_ref()) else {
                self.report.error(
                    outcome.level.span(),
                    format!(
                        "unknown level `{}`, expected one of `emergency`, `see_doctor`, `self_care`",
                        outcome.level.get_ref()
                    ),
                );
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

    fn rules(
        &mut self,
        raw: Vec<Spanned<super::raw::RawRule>>,
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

    fn red_flags(
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
        let mut seen_phrases: HashMap<Vec<String>, String> = HashMap::new();
        for item in raw.sign {
            let sign = item.into_inner();
            let id_span = sign.id.span();
            let id = self.ident(sign.id, "sign id");
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
            if signs.iter().any(|s| s.id == id) {
                self.report
                    .error(id_span.clone(), format!("duplicate sign id `{id}`"));
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
            yes: self.bounded(
                raw.yes,
                "red_flags `yes`",
                MAX_LABEL,
                "a Telegram button shows",
            ),
            no: self.bounded(
                raw.no,
                "red_flags `no`",
                MAX_LABEL,
                "a Telegram button shows",
            ),
            signs,
        }
    }

    /// A button label: not empty, and short enough for a Telegram button.
    fn label(&mut self, raw: Spanned<String>) -> String {
        self.bounded(raw, "button label", MAX_LABEL, "a Telegram button shows")
    }

    fn follow_up(
        &mut self,
        raw: Spanned<RawFollowUp>,
        outcomes: &[(Outcome, Range<usize>)],
    ) -> FollowUp {
        let span = raw.span();
        let raw = raw.into_inner();
        for after in &raw.after {
            match outcomes.iter().find(|(o, _)| &o.id == after.get_ref()) {
                None => self.report.error(
                    after.span(),
                    format!(
                        "follow_up `after` names outcome `{}`, which does not exist",
                        after.get_ref()
                    ),
                ),
                Some((o, _)) if o.level == Level::Emergency => self.report.error(
                    after.span(),
                    format!(
                        "a follow-up is never offered after an emergency (`{}`)",
                        o.id
                    ),
                ),
                Some(_) => {}
            }
        }
        if raw.after.is_empty() {
            self.report
                .error(span.clone(), "follow_up `after` names no outcome");
        }
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
            let label = self.label(delay.label);
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
                label: self.label(answer.label),
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
            decline: self.label(raw.decline),
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
            },
            question,
            meanings,
            still_long,
            still_short: self.text(raw.still_short, "follow_up `still_short`"),
            worse: self.text(raw.worse, "follow_up `worse`"),
            gone: self.text(raw.gone, "follow_up `gone`"),
        }
    }

    fn tips(&mut self, raw: Spanned<RawTips>) -> Tips {
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
