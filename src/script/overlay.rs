//! A language overlay (`dialogues/<id>.<lang>.toml`): only texts, keyed by
//! the base dialogue's ids. Applying one to the base gives the dialogue in
//! that language with the same structure, so a check can change language
//! and its answers still fit. Everything is checked against the base: texts
//! missing or extra, placeholders that differ, plural forms a count needs,
//! and a translation older than the base. A language missing a text of the
//! emergency screen or of an outcome is refused, never mixed with English.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, Reporter};
use super::placeholder;
use super::{EmergencyNumber, MAX_LABEL, Node, NodeKind, Script, Text, Version, fold};
use crate::language::Catalog;
use crate::language::lexicon::Lexicon;

/// What an overlay says about itself: its language and the dialogue it translates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The language code, e.g. `es`.
    pub language: String,
    /// The base dialogue's id.
    pub dialogue: String,
}

/// The header of `source` when it is an overlay (it has a top-level
/// `language`), else `None`: a base dialogue.
pub fn header(source: &str) -> Option<Header> {
    let (table, _) = DeTable::parse_recoverable(source);
    let table = table.into_inner();
    let get = |name: &str| {
        table
            .iter()
            .find(|(k, _)| k.get_ref() == name)
            .and_then(|(_, v)| v.get_ref().as_str().map(str::to_string))
    };
    Some(Header {
        language: get("language")?,
        dialogue: get("dialogue").unwrap_or_default(),
    })
}

type Entry<'t, 'i> = (&'t str, Range<usize>, &'t Spanned<DeValue<'i>>);

/// The entries of a table, with their keys' spans.
fn entries<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    table
        .iter()
        .map(|(k, v)| (k.get_ref().as_ref(), k.span(), v))
        .collect()
}

/// Applies the overlay at `path` to `base`, with `catalog` the language's
/// own words. Returns the dialogue in that language unless there was an
/// error, and every diagnostic either way.
pub fn apply(
    base: &Script,
    path: &Path,
    source: &str,
    catalog: Arc<Catalog>,
    lexicon: Arc<Lexicon>,
) -> (Option<Script>, Vec<Diagnostic>) {
    let mut report = Reporter::new(path, source);
    let Some(table) = super::load::parse_toml(source, &mut report) else {
        return (None, report.finish());
    };
    let end = source.len()..source.len();
    let mut overlay = Overlay {
        report,
        catalog: &catalog,
        lexicon: &lexicon,
        script: base.clone(),
        end,
        language: String::new(),
    };
    overlay.top(table.get_ref(), base);
    let Overlay {
        report,
        mut script,
        language,
        ..
    } = overlay;
    let script = (!report.has_errors()).then(|| {
        script.language = language;
        script.catalog = catalog;
        script.lexicon = lexicon;
        script
    });
    (script, report.finish())
}

struct Overlay<'a, 'c> {
    report: Reporter<'a>,
    catalog: &'c Catalog,
    /// The words typed answers are read with in the language.
    lexicon: &'c Lexicon,
    /// The dialogue being translated: the base's clone, texts replaced.
    script: Script,
    /// Where "missing" is reported: the end of the file.
    end: Range<usize>,
    language: String,
}

/// How a missing text is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Part of the emergency screen or an outcome: missing refuses the language.
    Essential,
    /// Missing keeps the English text; `check --strict` fails.
    Wanted,
}

impl Overlay<'_, '_> {
    fn missing(&mut self, need: Need, what: &str) {
        let message = format!("{what} is missing");
        match need {
            Need::Essential => self.report.error(
                self.end.clone(),
                format!("{message}: the emergency screen and the outcomes must be complete in every language"),
            ),
            Need::Wanted => self
                .report
                .warning(self.end.clone(), format!("{message} (the English is used)")),
        }
    }

    fn extra(&mut self, span: Range<usize>, what: &str) {
        self.report.error(
            span,
            format!("{what} is not in the base dialogue `{}`", self.script.id),
        );
    }

    fn top(&mut self, table: &DeTable<'_>, base: &Script) {
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key.to_string());
            match key {
                "language" => {
                    if let Some(code) = self.string(value, "`language`") {
                        let canonical = crate::language::candidates(&code).into_iter().next();
                        if canonical.as_deref() != Some(code.as_str()) {
                            self.report.error(
                                value.span(),
                                format!(
                                    "write the language code as `{}` (a language, then a region in capitals)",
                                    canonical.unwrap_or_default()
                                ),
                            );
                        }
                        if code != self.catalog.code() {
                            self.report.error(
                                value.span(),
                                format!(
                                    "`language` is `{code}` but the catalog loaded for it is `{}`",
                                    self.catalog.code()
                                ),
                            );
                        }
                        self.language = code;
                    }
                }
                "dialogue" => {
                    if let Some(id) = self.string(value, "`dialogue`")
                        && id != base.id
                    {
                        self.report.error(
                            value.span(),
                            format!("`dialogue` is `{id}`, but this overlay was applied to `{}`", base.id),
                        );
                    }
                }
                "translates" => self.translates(value, base.version),
                "title" => {
                    if let Some(title) = self.label(value, "`title`", usize::MAX) {
                        self.script.title = title;
                    }
                }
                "intro" => self.script.intro = self.text(value, &base.intro, "`intro`"),
                "disclaimer" => {
                    self.script.disclaimer = self.text(value, &base.disclaimer, "`disclaimer`")
                }
                "emergency_numbers" => self.emergency_numbers(value),
                "node" => self.nodes(value, base),
                "red_flags" => self.red_flags(value, base),
                "follow_up" => self.follow_up(value, base),
                "diary" => self.diary(value, base),
                "outcome" => self.outcomes(value, base),
                "tips" => self.tips(value, base),
                other => self.report.error(
                    span,
                    format!(
                        "unknown field `{other}`: an overlay holds only texts (`language`, `dialogue`, \
                         `translates`, `title`, `intro`, `disclaimer`, `emergency_numbers`, `node`, \
                         `red_flags`, `follow_up`, `diary`, `outcome`, `tips`)"
                    ),
                ),
            }
        }
        for (name, need) in [
            ("language", Need::Essential),
            ("dialogue", Need::Essential),
            ("translates", Need::Wanted),
            ("title", Need::Wanted),
            ("intro", Need::Essential),
            ("disclaimer", Need::Essential),
            ("node", Need::Essential),
            ("outcome", Need::Essential),
            ("tips", Need::Wanted),
        ] {
            if !seen.contains(name) {
                self.missing(need, &format!("`{name}`"));
            }
        }
        if base.red_flags.is_some() && !seen.contains("red_flags") {
            self.missing(Need::Essential, "`[red_flags]`");
        }
        if base.follow_up.is_some() && !seen.contains("follow_up") {
            self.missing(Need::Wanted, "`[follow_up]`");
        }
        if base.diary.is_some() && !seen.contains("diary") {
            self.missing(Need::Wanted, "`[diary]`");
        }
        if !base.emergency_numbers.is_empty() && !seen.contains("emergency_numbers") {
            self.missing(Need::Essential, "`emergency_numbers`");
        }
    }

    fn translates(&mut self, value: &Spanned<DeValue<'_>>, base: Version) {
        let Some(written) = self.string(value, "`translates`") else {
            return;
        };
        match Version::parse(&written) {
            None => self.report.error(
                value.span(),
                format!("`translates` is `{written}`; write the base version it translates, like \"1.2\""),
            ),
            Some(v) if v < base => self.report.warning(
                value.span(),
                format!(
                    "stale translation: written for version {v}, but the base dialogue is {base}; \
                     check the texts changed since, then set `translates = \"{base}\"`"
                ),
            ),
            Some(v) if v > base => self.report.warning(
                value.span(),
                format!("`translates` is {v}, newer than the base dialogue's {base}"),
            ),
            Some(_) => {}
        }
    }

    fn string(&mut self, value: &Spanned<DeValue<'_>>, what: &str) -> Option<String> {
        match value.get_ref().as_str() {
            Some(text) if !text.trim().is_empty() => Some(text.to_string()),
            Some(_) => {
                self.report.error(value.span(), format!("{what} is empty"));
                None
            }
            None => {
                self.report.error(
                    value.span(),
                    format!(
                        "{what} should be a text, not {}",
                        value.get_ref().type_str()
                    ),
                );
                None
            }
        }
    }

    fn label(&mut self, value: &Spanned<DeValue<'_>>, what: &str, max: usize) -> Option<String> {
        let text = self.string(value, what)?;
        if text.chars().count() > max {
            self.report.error(
                value.span(),
                format!("{what} is longer than {max} characters (a button shows at most that)"),
            );
        }
        Some(text)
    }

    fn table<'t, 'i>(
        &mut self,
        value: &'t Spanned<DeValue<'i>>,
        what: &str,
    ) -> Option<&'t DeTable<'i>> {
        let table = value.get_ref().as_table();
        if table.is_none() {
            self.report.error(
                value.span(),
                format!(
                    "{what} should be a table, not {}",
                    value.get_ref().type_str()
                ),
            );
        }
        table
    }

    fn strings(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        what: &str,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let Some(array) = value.get_ref().as_array() else {
            self.report.error(
                value.span(),
                format!(
                    "{what} should be a list of texts, not {}",
                    value.get_ref().type_str()
                ),
            );
            return None;
        };
        let mut found = Vec::new();
        for element in array.iter() {
            if let Some(text) = self.string(element, what) {
                found.push((text, element.span()));
            }
        }
        Some(found)
    }

    /// A text in place of `base`: a string, or plural forms by category when
    /// the base text holds a count (`{days}`). Placeholders must match.
    fn text(&mut self, value: &Spanned<DeValue<'_>>, base: &Text, what: &str) -> Text {
        let counted = placeholder::holds(&base.text, "days");
        let mut text = Text {
            text: base.text.clone(),
            sources: base.sources.clone(),
            forms: Vec::new(),
        };
        match value.get_ref() {
            DeValue::Table(table) => {
                let mut forms = Vec::new();
                for (key, span, value) in entries(table) {
                    if !["zero", "one", "two", "few", "many", "other"].contains(&key) {
                        self.report.error(
                            span,
                            format!("{what}: `{key}` is not a plural form (zero, one, two, few, many, other)"),
                        );
                        continue;
                    }
                    if let Some(form) = self.string(value, what) {
                        self.same_placeholders(&form, &base.text, value.span(), what);
                        forms.push((key.to_string(), form));
                    }
                }
                let needed = self.catalog.plural_forms();
                let lacking: Vec<&str> = needed
                    .iter()
                    .copied()
                    .filter(|f| !forms.iter().any(|(k, _)| k == f))
                    .collect();
                if !lacking.is_empty() {
                    self.report.warning(
                        value.span(),
                        format!(
                            "{what} lacks the plural form(s) {} that `{}` needs",
                            lacking.join(", "),
                            self.catalog.code()
                        ),
                    );
                }
                if let Some((_, other)) = forms.iter().find(|(k, _)| k == "other") {
                    text.text = other.clone();
                } else if let Some((_, any)) = forms.first() {
                    text.text = any.clone();
                }
                text.forms = forms;
            }
            _ => {
                if let Some(words) = self.string(value, what) {
                    self.same_placeholders(&words, &base.text, value.span(), what);
                    if counted && self.catalog.plural_forms().len() > 1 {
                        self.report.warning(
                            value.span(),
                            format!(
                                "{what} holds a count ({{days}}): give its plural forms {} as a table",
                                self.catalog.plural_forms().join(", ")
                            ),
                        );
                    }
                    text.text = words;
                }
            }
        }
        text
    }

    fn same_placeholders(&mut self, text: &str, base: &str, span: Range<usize>, what: &str) {
        let names = |text| -> BTreeSet<&str> {
            placeholder::placeholders(text)
                .map(|(_, name)| name)
                .collect()
        };
        let (mine, theirs) = (names(text), names(base));
        if mine != theirs {
            let shown = |set: &BTreeSet<&str>| {
                if set.is_empty() {
                    "none".to_string()
                } else {
                    set.iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            self.report.error(
                span,
                format!(
                    "{what} has placeholders {} but the base text has {}",
                    shown(&mine),
                    shown(&theirs)
                ),
            );
        }
    }

    /// A list of texts in place of `base`'s, in the same order and number
    /// (guidance paragraphs, tips): each translated one, by its position.
    fn in_order(
        &mut self,
        value: &Spanned<DeValue<'_>>,
        base: &[&Text],
        name: &str,
    ) -> Vec<(usize, Text)> {
        let Some(array) = value.get_ref().as_array() else {
            self.report
                .error(value.span(), format!("`{name}` should be a list of texts"));
            return Vec::new();
        };
        if array.len() != base.len() {
            self.report.error(
                value.span(),
                format!(
                    "`{name}` has {} texts; the base has {} (same order, one each)",
                    array.len(),
                    base.len()
                ),
            );
        }
        array
            .iter()
            .zip(base)
            .enumerate()
            .map(|(i, (element, base))| {
                (i, self.text(element, base, &format!("`{name}[{}]`", i + 1)))
            })
            .collect()
    }

    fn emergency_numbers(&mut self, value: &Spanned<DeValue<'_>>) {
        let Some(array) = value.get_ref().as_array() else {
            self.report.error(
                value.span(),
                "`emergency_numbers` should be a list of { number, place }",
            );
            return;
        };
        let mut numbers = Vec::new();
        for element in array.iter() {
            let Some(table) = self.table(element, "an emergency number") else {
                continue;
            };
            let mut number = None;
            let mut place = None;
            for (key, span, value) in entries(table) {
                match key {
                    "number" => number = self.string(value, "`number`"),
                    "place" => place = self.label(value, "`place`", MAX_LABEL),
                    other => self.extra(span, &format!("`{other}` of an emergency number")),
                }
            }
            match (number, place) {
                (Some(number), Some(place)) if super::is_phone_number(&number) => {
                    numbers.push(EmergencyNumber { number, place })
                }
                (Some(number), Some(_)) => self.report.error(
                    element.span(),
                    format!("`{number}` is not a phone number (digits, spaces, + and - only)"),
                ),
                _ => self.report.error(
                    element.span(),
                    "an emergency number needs `number` and `place`",
                ),
            }
        }
        if numbers.is_empty() {
            self.report.error(
                value.span(),
                "`emergency_numbers` is empty: give at least one number",
            );
        } else {
            self.script.emergency_numbers = numbers;
        }
    }

    /// The tables of a section keyed by the base's `ids` (`[node.<id>]`,
    /// `[outcome.<id>]`…), each with its id's index. An id the base lacks is
    /// reported as extra, one the overlay lacks as missing (by `need`), and a
    /// value that is not a table as such.
    fn keyed<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        (kind, section): (&str, &str),
        ids: &[&str],
        need: impl Fn(usize) -> Need,
    ) -> Vec<(usize, &'t DeTable<'i>)> {
        let mut seen = BTreeSet::new();
        let mut found = Vec::new();
        for (id, span, value) in entries(table) {
            let Some(index) = ids.iter().position(|known| *known == id) else {
                self.extra(span, &format!("{kind} `{section}.{id}`"));
                continue;
            };
            seen.insert(index);
            if let Some(fields) = self.table(value, &format!("`{section}.{id}`")) {
                found.push((index, fields));
            }
        }
        for (index, id) in ids.iter().enumerate() {
            if !seen.contains(&index) {
                self.missing(need(index), &format!("{kind} `{section}.{id}`"));
            }
        }
        found
    }

    fn nodes(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(table) = self.table(value, "`node`") else {
            return;
        };
        let ids: Vec<&str> = base.nodes.iter().map(|n| n.id.as_str()).collect();
        let need = |index: usize| {
            if base.nodes[index].red_flag {
                Need::Essential
            } else {
                Need::Wanted
            }
        };
        for (index, fields) in self.keyed(table, ("question", "node"), &ids, need) {
            let node = self.node(fields, &base.nodes[index]);
            self.script.nodes[index] = node;
        }
    }

    fn node(&mut self, table: &DeTable<'_>, base: &Node) -> Node {
        let mut node = base.clone();
        let yes_no = base.kind == NodeKind::YesNo;
        // The base's words are English: only this language's count.
        for option in &mut node.options {
            option.synonyms.clear();
        }
        if yes_no && !base.red_flag {
            let defaults = &self.lexicon.yes_no_defaults;
            for option in &mut node.options {
                option.label = defaults.label(&option.value).to_string();
            }
        }
        let need = if base.red_flag {
            Need::Essential
        } else {
            Need::Wanted
        };
        let what = format!("`node.{}`", base.id);
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key);
            match key {
                "prompt" => node.prompt = self.text(value, &base.prompt, &format!("{what}.prompt")),
                "hint" if base.hint.is_some() => {
                    node.hint = self.string(value, &format!("{what}.hint")).or(node.hint)
                }
                "unsure" => match &base.unsure {
                    Some(unsure) => {
                        node.unsure = Some(self.text(value, unsure, &format!("{what}.unsure")))
                    }
                    None => self.extra(span, &format!("`unsure` of {what}")),
                },
                "option" => self.options(value, base, &mut node, need),
                other => self.extra(span, &format!("`{other}` of {what}")),
            }
        }
        if !seen.contains("prompt") {
            self.missing(need, &format!("{what}.prompt"));
        }
        if base.hint.is_some() && !seen.contains("hint") {
            self.missing(need, &format!("{what}.hint"));
        }
        if base.unsure.is_some() && !seen.contains("unsure") {
            self.missing(need, &format!("{what}.unsure"));
        }
        if !seen.contains("option") && !base.options.is_empty() {
            self.missing(need, &format!("{what}.option"));
        }
        if yes_no {
            // Words every yes/no question understands, as the base gets them.
            let defaults = &self.lexicon.yes_no_defaults;
            for option in &mut node.options {
                let words = defaults.words(&option.value, base.red_flag);
                option.synonyms.extend(words);
            }
        }
        node
    }

    fn options(&mut self, value: &Spanned<DeValue<'_>>, base: &Node, node: &mut Node, need: Need) {
        let what = format!("`node.{}.option`", base.id);
        let Some(table) = self.table(value, &what) else {
            return;
        };
        let mut claimed: HashMap<String, String> = HashMap::new();
        let mut seen = BTreeSet::new();
        for (value_id, span, fields) in entries(table) {
            let Some(index) = base.options.iter().position(|o| o.value == value_id) else {
                self.extra(span, &format!("option `{value_id}` of `node.{}`", base.id));
                continue;
            };
            seen.insert(value_id.to_string());
            let Some(fields) = self.table(fields, &format!("{what}.{value_id}")) else {
                continue;
            };
            let option = &mut node.options[index];
            let labelled = base.kind != NodeKind::YesNo || base.red_flag;
            let mut has_label = false;
            let mut has_synonyms = false;
            for (key, span, value) in entries(fields) {
                match key {
                    "label" => {
                        if let Some(label) =
                            self.label(value, &format!("{what}.{value_id}.label"), MAX_LABEL)
                        {
                            option.label = label;
                            has_label = true;
                        }
                    }
                    "synonyms" => {
                        let words = self
                            .strings(value, &format!("{what}.{value_id}.synonyms"))
                            .unwrap_or_default();
                        option.synonyms.clear();
                        has_synonyms = !words.is_empty();
                        for (word, span) in words {
                            let folded = fold(&word);
                            if let Some(other) = claimed.get(&folded).filter(|o| *o != value_id) {
                                self.report.error(
                                    span,
                                    format!(
                                        "synonym `{word}` of `{value_id}` is also a synonym of `{other}` in `node.{}`",
                                        base.id
                                    ),
                                );
                                continue;
                            }
                            claimed.insert(folded, value_id.to_string());
                            option.synonyms.push(word);
                        }
                    }
                    other => self.extra(span, &format!("`{other}` of {what}.{value_id}")),
                }
            }
            if labelled && !has_label {
                self.missing(need, &format!("{what}.{value_id}.label"));
            }
            // Yes and no get the language's own words anyway; other answers
            // would only be understood by their label.
            let words_needed =
                base.kind != NodeKind::YesNo && !base.options[index].synonyms.is_empty();
            if words_needed && !has_synonyms {
                self.missing(Need::Wanted, &format!("{what}.{value_id}.synonyms"));
            }
        }
        for option in &base.options {
            if !seen.contains(&option.value) {
                self.missing(need, &format!("{what}.{}", option.value));
            }
        }
    }

    fn red_flags(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(base_flags) = &base.red_flags else {
            self.extra(value.span(), "`[red_flags]`");
            return;
        };
        let Some(table) = self.table(value, "`[red_flags]`") else {
            return;
        };
        let mut flags = base_flags.clone();
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key);
            match key {
                "confirm" => {
                    flags.confirm = self.text(value, &base_flags.confirm, "`red_flags.confirm`")
                }
                "unsure" => {
                    flags.unsure = self.text(value, &base_flags.unsure, "`red_flags.unsure`")
                }
                "declined" => {
                    flags.declined = self.text(value, &base_flags.declined, "`red_flags.declined`")
                }
                "safety_net" => {
                    flags.safety_net =
                        self.text(value, &base_flags.safety_net, "`red_flags.safety_net`")
                }
                "yes" => {
                    flags.yes = self
                        .label(value, "`red_flags.yes`", MAX_LABEL)
                        .unwrap_or(flags.yes)
                }
                "no" => {
                    flags.no = self
                        .label(value, "`red_flags.no`", MAX_LABEL)
                        .unwrap_or(flags.no)
                }
                "sign" => {
                    let Some(signs) = self.table(value, "`red_flags.sign`") else {
                        continue;
                    };
                    let ids: Vec<&str> = base_flags.signs.iter().map(|s| s.id.as_str()).collect();
                    let essential = |_| Need::Essential;
                    for (index, fields) in
                        self.keyed(signs, ("sign", "red_flags.sign"), &ids, essential)
                    {
                        self.sign(
                            fields,
                            ids[index],
                            &base_flags.signs[index],
                            &mut flags.signs[index],
                        );
                    }
                }
                other => self.extra(span, &format!("`red_flags.{other}`")),
            }
        }
        for key in [
            "confirm",
            "unsure",
            "declined",
            "safety_net",
            "yes",
            "no",
            "sign",
        ] {
            if !seen.contains(key) {
                self.missing(Need::Essential, &format!("`red_flags.{key}`"));
            }
        }
        self.script.red_flags = Some(flags);
    }

    fn sign(&mut self, fields: &DeTable<'_>, id: &str, base: &super::Sign, sign: &mut super::Sign) {
        let what = format!("`red_flags.sign.{id}`");
        let (mut said, mut phrases) = (false, false);
        for (key, span, value) in entries(fields) {
            match key {
                "said" => {
                    sign.said = self.text(value, &base.said, &format!("{what}.said"));
                    said = true;
                }
                "phrases" => {
                    let written = self
                        .strings(value, &format!("{what}.phrases"))
                        .unwrap_or_default();
                    sign.phrases = written
                        .into_iter()
                        .map(|(p, _)| fold(&p).split(' ').map(str::to_string).collect::<Vec<_>>())
                        .filter(|words| words.iter().any(|w| !w.is_empty()))
                        .collect();
                    phrases = !sign.phrases.is_empty();
                    if !phrases {
                        self.report
                            .error(value.span(), format!("{what}.phrases is empty"));
                    }
                }
                other => self.extra(span, &format!("`{other}` of {what}")),
            }
        }
        if !said {
            self.missing(Need::Essential, &format!("{what}.said"));
        }
        if !phrases {
            self.missing(Need::Essential, &format!("{what}.phrases"));
        }
    }

    fn follow_up(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(base_fu) = &base.follow_up else {
            self.extra(value.span(), "`[follow_up]`");
            return;
        };
        let Some(table) = self.table(value, "`[follow_up]`") else {
            return;
        };
        let mut fu = base_fu.clone();
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key);
            let what = format!("`follow_up.{key}`");
            match key {
                "offer" => fu.offer = self.text(value, &base_fu.offer, &what),
                "accepted" => fu.accepted = self.text(value, &base_fu.accepted, &what),
                "question" => fu.question = self.text(value, &base_fu.question, &what),
                "still_long" => fu.still_long = self.text(value, &base_fu.still_long, &what),
                "still_short" => fu.still_short = self.text(value, &base_fu.still_short, &what),
                "worse" => fu.worse = self.text(value, &base_fu.worse, &what),
                "gone" => fu.gone = self.text(value, &base_fu.gone, &what),
                "decline" => fu.decline = self.label(value, &what, MAX_LABEL).unwrap_or(fu.decline),
                "delays" => {
                    let labels = self.strings(value, &what).unwrap_or_default();
                    if labels.len() != base_fu.delays.len() {
                        self.report.error(
                            value.span(),
                            format!(
                                "{what} has {} labels; the base offers {} delays",
                                labels.len(),
                                base_fu.delays.len()
                            ),
                        );
                    }
                    for (delay, (label, _)) in fu.delays.iter_mut().zip(labels) {
                        delay.label = label;
                    }
                }
                "answer" => {
                    let mut answers = base_fu.answers.clone();
                    for answer in &mut answers.options {
                        answer.synonyms.clear();
                    }
                    self.options(value, &base_fu.answers, &mut answers, Need::Essential);
                    fu.answers = answers;
                }
                other => self.extra(span, &format!("`follow_up.{other}`")),
            }
        }
        for key in [
            "offer",
            "decline",
            "accepted",
            "question",
            "still_long",
            "still_short",
            "worse",
            "gone",
            "delays",
            "answer",
        ] {
            // "Worse" leads back through the emergency screen: its words count as much.
            let need = if ["question", "answer", "worse"].contains(&key) {
                Need::Essential
            } else {
                Need::Wanted
            };
            if !seen.contains(key) {
                self.missing(need, &format!("`follow_up.{key}`"));
            }
        }
        self.script.follow_up = Some(fu);
    }

    fn diary(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(base_diary) = &base.diary else {
            self.extra(value.span(), "`[diary]`");
            return;
        };
        let Some(table) = self.table(value, "`[diary]`") else {
            return;
        };
        let mut diary = base_diary.clone();
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key);
            let what = format!("`diary.{key}`");
            match key {
                "offer" => diary.offer = self.text(value, &base_diary.offer, &what),
                "started" => diary.started = self.text(value, &base_diary.started, &what),
                "logged" => diary.logged = self.text(value, &base_diary.logged, &what),
                "persistent" => diary.persistent = self.text(value, &base_diary.persistent, &what),
                "start" => diary.start = self.label(value, &what, MAX_LABEL).unwrap_or(diary.start),
                "decline" => {
                    diary.decline = self.label(value, &what, MAX_LABEL).unwrap_or(diary.decline)
                }
                "log" => diary.log = self.label(value, &what, MAX_LABEL).unwrap_or(diary.log),
                "tags" => {
                    let labels = self.strings(value, &what).unwrap_or_default();
                    if labels.len() != base_diary.tags.len() {
                        self.report.error(
                            value.span(),
                            format!(
                                "{what} has {} labels; the base has {} tags",
                                labels.len(),
                                base_diary.tags.len()
                            ),
                        );
                    }
                    for (tag, (label, at)) in diary.tags.iter_mut().zip(labels) {
                        // Room for the "✓ " a chosen tag's button shows.
                        if label.chars().count() > MAX_LABEL - 2 {
                            self.report.error(
                                at,
                                format!(
                                    "{what}: a tag label has at most {} characters",
                                    MAX_LABEL - 2
                                ),
                            );
                        }
                        tag.label.text = label;
                    }
                }
                other => self.extra(span, &format!("`diary.{other}`")),
            }
        }
        for key in [
            "offer",
            "start",
            "decline",
            "log",
            "started",
            "logged",
            "persistent",
            "tags",
        ] {
            if !seen.contains(key) {
                self.missing(Need::Wanted, &format!("`diary.{key}`"));
            }
        }
        self.script.diary = Some(diary);
    }

    fn outcomes(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(table) = self.table(value, "`outcome`") else {
            return;
        };
        let ids: Vec<&str> = base.outcomes.iter().map(|o| o.id.as_str()).collect();
        let essential = |_| Need::Essential;
        for (index, fields) in self.keyed(table, ("outcome", "outcome"), &ids, essential) {
            let id = ids[index];
            let base_outcome = &base.outcomes[index];
            let mut outcome = base_outcome.clone();
            let (mut verdict, mut guidance) = (false, false);
            for (key, span, value) in entries(fields) {
                let what = format!("`outcome.{id}.{key}`");
                match key {
                    "verdict" => {
                        outcome.verdict = self.text(value, &base_outcome.verdict, &what);
                        verdict = true;
                    }
                    "guidance" => {
                        guidance = true;
                        let base_texts: Vec<&Text> =
                            base_outcome.guidance.iter().map(|g| &g.text).collect();
                        let name = format!("outcome.{id}.guidance");
                        for (i, text) in self.in_order(value, &base_texts, &name) {
                            outcome.guidance[i].text = text;
                        }
                    }
                    other => self.extra(span, &format!("`{other}` of `outcome.{id}`")),
                }
            }
            if !verdict {
                self.missing(Need::Essential, &format!("`outcome.{id}.verdict`"));
            }
            if !guidance && !base_outcome.guidance.is_empty() {
                self.missing(Need::Essential, &format!("`outcome.{id}.guidance`"));
            }
            self.script.outcomes[index] = outcome;
        }
    }

    fn tips(&mut self, value: &Spanned<DeValue<'_>>, base: &Script) {
        let Some(table) = self.table(value, "`[tips]`") else {
            return;
        };
        let mut tips = base.tips.clone();
        let mut seen = BTreeSet::new();
        for (key, span, value) in entries(table) {
            seen.insert(key);
            match key {
                "title" => tips.title = self.string(value, "`tips.title`").unwrap_or(tips.title),
                "emphasis_lead" => match &base.tips.emphasis_lead {
                    Some(lead) => {
                        tips.emphasis_lead = Some(self.text(value, lead, "`tips.emphasis_lead`"))
                    }
                    None => self.extra(span, "`tips.emphasis_lead`"),
                },
                "items" => {
                    let base_texts: Vec<&Text> = base.tips.items.iter().collect();
                    for (i, text) in self.in_order(value, &base_texts, "tips.items") {
                        tips.items[i] = text;
                    }
                }
                other => self.extra(span, &format!("`tips.{other}`")),
            }
        }
        for key in ["title", "items"] {
            if !seen.contains(key) {
                self.missing(Need::Wanted, &format!("`tips.{key}`"));
            }
        }
        if base.tips.emphasis_lead.is_some() && !seen.contains("emphasis_lead") {
            self.missing(Need::Wanted, "`tips.emphasis_lead`");
        }
        self.script.tips = tips;
    }
}
