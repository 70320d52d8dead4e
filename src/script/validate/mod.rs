//! Meaning checks on a parsed dialogue: references, reachability, rules,
//! texts and sources. Every problem is reported; none stops the others.
//!
//! This file holds the walker ([`build`]) and the checks every section
//! shares (ids, lengths, positions inside strings); each section has its
//! own file.

mod diary;
mod follow_up;
mod nodes;
mod options;
mod outcomes;
mod reach;
mod red_flags;
mod rules;
mod sources;
mod texts;
mod tips;

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::diagnostic::Reporter;
use super::raw::RawDocument;
use super::{MAX_LABEL, Node, NodeKind, Script, Version, is_id};
use crate::language::lexicon::Lexicon;

/// Free-text answers are capped at this many characters unless a node says otherwise.
const DEFAULT_MAX_LENGTH: u32 = 300;
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

/// The walk over one document: where problems go, and what the sections
/// checked so far tell the later ones.
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
            .or_insert_with(|| nodes::question_info(node));
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
    let follow_up = doc.follow_up.map(|raw| checker.follow_up(raw, &outcomes));
    let diary = doc.diary.map(|raw| checker.diary(raw, &outcomes));
    for (unused, span) in sources.iter().zip(source_spans) {
        if !checker.used_sources.contains(&unused.id) {
            checker.report.warning(
                span,
                format!("source `{}` is not used by any text", unused.id),
            );
        }
    }
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
        diary,
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

impl Checker<'_, '_> {
    /// An id (see [`is_id`]), reported when it has other characters.
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

    /// An id that must not stand twice among those of its `kind` (`seen`
    /// so far); `kind` names them in messages ("node").
    fn unique_id(
        &mut self,
        raw: Spanned<String>,
        kind: &str,
        seen: &mut HashSet<String>,
    ) -> String {
        let span = raw.span();
        let id = self.ident(raw, &format!("{kind} id"));
        if !seen.insert(id.clone()) {
            self.report
                .error(span, format!("duplicate {kind} id `{id}`"));
        }
        id
    }

    /// `raw` read with `parse` (a node kind, a level), reported as an
    /// unknown `what` when it is none of the `expected` words.
    fn one_of<T>(
        &mut self,
        raw: &Spanned<String>,
        parse: impl Fn(&str) -> Option<T>,
        what: &str,
        expected: &str,
    ) -> Option<T> {
        let found = parse(raw.get_ref());
        if found.is_none() {
            self.report.error(
                raw.span(),
                format!(
                    "unknown {what} `{}`, expected one of {expected}",
                    raw.get_ref()
                ),
            );
        }
        found
    }

    /// A text that must say something, reported when it is blank.
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

    /// Reports `text` (at `span`) when it has more than `limit` characters.
    fn at_most(&mut self, span: Range<usize>, text: &str, what: &str, limit: usize, allowed: &str) {
        let length = text.chars().count();
        if length > limit {
            self.report.error(
                span,
                format!("{what} has {length} characters, more than the {limit} {allowed}"),
            );
        }
    }

    /// The dialogue's `MAJOR.MINOR` version, reported when it is not one.
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

    /// A button label (`what`, for messages): not empty, and short enough
    /// for a Telegram button.
    fn label(&mut self, raw: Spanned<String>, what: &str) -> String {
        self.bounded(raw, what, MAX_LABEL, "a Telegram button shows")
    }
}
