//! The bot's own words in one language: a Fluent catalog
//! (`locales/<lang>/bot.ftl`) with that language's plural rules, so
//! "1 день / 2 дня / 5 дней" comes out right without any grammar in Rust.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use unic_langid::LanguageIdentifier;

/// The English catalog as shipped, compiled in: the reference every other
/// language is checked against and the words used when one lacks a message.
const ENGLISH: &str = include_str!("../../locales/en/bot.ftl");

/// Messages without which a language cannot run the emergency screen or
/// show an outcome; a catalog lacking one is refused, not mixed with English.
pub const ESSENTIAL: &[&str] = &[
    "not-fit",
    "hint-yes-or-no",
    "hint-yes-no",
    "hint-message-too-long",
    "notice-unsure",
    "notice-stale",
    "notice-at-first-question",
    "question-number",
    "earlier-answer",
    "you-said",
    "emergency-numbers",
    "emergency-number",
    "duration-less-than-a-day",
    "duration-days",
    "duration-weeks",
    "duration-months",
    "duration-years",
    "language-name",
];

/// One problem found in a catalog file, at a byte span of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Where, in bytes of the file.
    pub span: Range<usize>,
    /// Whether the catalog cannot be used (else only `check --strict` fails).
    pub error: bool,
    /// What is wrong.
    pub message: String,
}

/// The bot's own words in one language.
pub struct Catalog {
    code: String,
    bundle: FluentBundle<FluentResource>,
    plurals: PluralRules,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").field("code", &self.code).finish()
    }
}

impl Catalog {
    /// The English catalog compiled into the binary.
    pub fn english() -> &'static Catalog {
        english_cell()
    }

    /// The English catalog compiled into the binary, to share.
    pub fn english_shared() -> Arc<Catalog> {
        Arc::clone(english_cell())
    }

    /// Reads a catalog for language `code`; syntax errors are returned with
    /// their byte spans, all at once.
    pub fn parse(code: &str, source: &str) -> Result<Catalog, Vec<Finding>> {
        let langid: LanguageIdentifier = code.parse().map_err(|_| {
            vec![Finding {
                span: 0..0,
                error: true,
                message: format!("`{code}` is not a language code"),
            }]
        })?;
        let resource = FluentResource::try_new(source.to_string()).map_err(|(_, errors)| {
            errors
                .into_iter()
                .map(|e| Finding {
                    span: e.pos.clone(),
                    error: true,
                    message: format!("Fluent syntax: {}", e.kind),
                })
                .collect::<Vec<_>>()
        })?;
        let mut bundle = FluentBundle::new_concurrent(vec![langid.clone()]);
        // Telegram shows the isolation marks Fluent puts around values.
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            let message = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(vec![Finding {
                span: 0..0,
                error: true,
                message: format!("Fluent: {message}"),
            }]);
        }
        let plurals = PluralRules::create(langid, PluralRuleType::CARDINAL).map_err(|_| {
            vec![Finding {
                span: 0..0,
                error: true,
                message: format!("no plural rules are known for `{code}`"),
            }]
        })?;
        Ok(Catalog {
            code: code.to_string(),
            bundle,
            plurals,
        })
    }

    /// The language code, e.g. `es`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message `id` without arguments.
    pub fn text(&self, id: &str) -> String {
        self.get(id, &[])
    }

    /// The message `id` with its arguments; a message this language lacks
    /// comes from English (only `check --strict` lets that pass unnoticed).
    pub fn get(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        if let Some(text) = self.format(id, args) {
            return text;
        }
        let english = Catalog::english();
        if !std::ptr::eq(self, english)
            && let Some(text) = english.format(id, args)
        {
            return text;
        }
        log::error!("no message `{id}` in the {} catalog", self.code);
        id.to_string()
    }

    fn format(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            log::warn!("message `{id}` in {}: {errors:?}", self.code);
        }
        Some(text.into_owned())
    }

    /// Whether the catalog has message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// The plural category of `n` in this language: `one`, `few`, `many`…
    pub fn plural(&self, n: u64) -> &'static str {
        category_name(self.plurals.select(n).unwrap_or(PluralCategory::OTHER))
    }

    /// The plural categories whole numbers fall into in this language
    /// (English `one`, `other`; Russian `one`, `few`, `many`): the forms a
    /// text with a count must have.
    pub fn plural_forms(&self) -> Vec<&'static str> {
        let mut forms: BTreeSet<&'static str> = (0..=1000).map(|n| self.plural(n)).collect();
        forms.insert("other");
        let order = ["zero", "one", "two", "few", "many", "other"];
        order.into_iter().filter(|f| forms.contains(f)).collect()
    }
}

fn english_cell() -> &'static Arc<Catalog> {
    static ENGLISH_CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    ENGLISH_CATALOG.get_or_init(|| {
        Arc::new(Catalog::parse("en", ENGLISH).expect("the compiled-in English catalog is valid"))
    })
}

fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

/// What a message is made of, for comparing a translation with English.
#[derive(Debug, Default)]
struct Shape {
    /// Where its id is, in bytes.
    span: Range<usize>,
    /// The variables it uses.
    variables: BTreeSet<String>,
    /// For each variable a select chooses on: the variant keys it has.
    selects: Vec<(String, BTreeSet<String>)>,
}

fn shapes(source: &str) -> BTreeMap<String, Shape> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) => resource,
        Err((resource, _)) => resource,
    };
    let mut found = BTreeMap::new();
    for entry in resource.body {
        let ast::Entry::Message(message) = entry else {
            continue;
        };
        let id = message.id.name;
        let mut shape = Shape {
            span: id_span(source, id),
            ..Shape::default()
        };
        if let Some(pattern) = &message.value {
            walk_pattern(pattern, &mut shape);
        }
        found.insert(id.to_string(), shape);
    }
    found
}

/// Where `id = ` starts a line of the file.
fn id_span(source: &str, id: &str) -> Range<usize> {
    let mut offset = 0;
    for line in source.split_inclusive('\n') {
        let rest = line.strip_prefix(id).map(str::trim_start);
        if rest.is_some_and(|r| r.starts_with('=')) {
            return offset..offset + id.len();
        }
        offset += line.len();
    }
    0..0
}

fn walk_pattern(pattern: &ast::Pattern<&str>, shape: &mut Shape) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            walk_expression(expression, shape);
        }
    }
}

fn walk_expression(expression: &ast::Expression<&str>, shape: &mut Shape) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            walk_inline(selector, shape);
            if let ast::InlineExpression::VariableReference { id } = selector {
                let keys = variants
                    .iter()
                    .map(|v| match &v.key {
                        ast::VariantKey::Identifier { name } => name.to_string(),
                        ast::VariantKey::NumberLiteral { value } => value.to_string(),
                    })
                    .collect();
                shape.selects.push((id.name.to_string(), keys));
            }
            for variant in variants {
                walk_pattern(&variant.value, shape);
            }
        }
        ast::Expression::Inline(inline) => walk_inline(inline, shape),
    }
}

fn walk_inline(inline: &ast::InlineExpression<&str>, shape: &mut Shape) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            shape.variables.insert(id.name.to_string());
        }
        ast::InlineExpression::Placeable { expression } => walk_expression(expression, shape),
        _ => {}
    }
}

/// Compares the catalog `source` of `catalog`'s language with English:
/// messages missing or extra, variables that differ, and plural forms the
/// language needs but a count's select lacks.
pub fn review(catalog: &Catalog, source: &str) -> Vec<Finding> {
    let english = shapes(ENGLISH);
    let translated = shapes(source);
    let needed = catalog.plural_forms();
    let mut findings = Vec::new();
    for (id, base) in &english {
        let Some(shape) = translated.get(id) else {
            findings.push(Finding {
                span: source.len()..source.len(),
                error: ESSENTIAL.contains(&id.as_str()),
                message: format!("message `{id}` is missing (English is used for it)"),
            });
            continue;
        };
        if shape.variables != base.variables {
            findings.push(Finding {
                span: shape.span.clone(),
                error: true,
                message: format!(
                    "message `{id}` uses {} but English uses {}",
                    listed(&shape.variables),
                    listed(&base.variables)
                ),
            });
        }
        for (variable, keys) in &shape.selects {
            let lacking: Vec<&str> = needed
                .iter()
                .copied()
                .filter(|form| !keys.contains(*form))
                .collect();
            let plural = keys.iter().any(|k| needed.contains(&k.as_str()));
            if plural && !lacking.is_empty() {
                findings.push(Finding {
                    span: shape.span.clone(),
                    error: false,
                    message: format!(
                        "message `{id}`: the count ${variable} needs the plural form(s) {} in `{}`",
                        lacking.join(", "),
                        catalog.code()
                    ),
                });
            }
        }
    }
    for (id, shape) in &translated {
        if !english.contains_key(id) {
            findings.push(Finding {
                span: shape.span.clone(),
                error: false,
                message: format!("message `{id}` is not in the English catalog"),
            });
        }
    }
    findings
}

fn listed(variables: &BTreeSet<String>) -> String {
    if variables.is_empty() {
        return "no variables".to_string();
    }
    variables
        .iter()
        .map(|v| format!("${v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_loads_and_counts_plurals() {
        let en = Catalog::english();
        assert_eq!(en.get("duration-days", &[("count", 1.into())]), "1 day");
        assert_eq!(en.get("duration-days", &[("count", 5.into())]), "5 days");
        assert_eq!(en.plural_forms(), ["one", "other"]);
        assert!(review(en, ENGLISH).is_empty());
    }

    #[test]
    fn russian_needs_three_forms_and_a_lacking_one_is_found() {
        let source = "duration-days = { $count ->\n    [one] { $count } день\n   *[other] { $count } дня\n}\n";
        let ru = Catalog::parse("ru", source).unwrap();
        assert_eq!(ru.plural_forms(), ["one", "few", "many", "other"]);
        let found = review(&ru, source);
        assert!(
            found
                .iter()
                .any(|f| f.message.contains("needs the plural form(s) few, many"))
        );
        assert!(
            found
                .iter()
                .any(|f| f.message.contains("`not-fit` is missing") && f.error)
        );
        // What it lacks comes from English rather than nothing.
        assert_eq!(ru.text("start-button"), "Start the check");
    }

    #[test]
    fn a_changed_variable_is_an_error_at_its_line() {
        let source = "language-name = X\nnot-fit = Lo siento. { $pista }\n";
        let es = Catalog::parse("es", source).unwrap();
        let found = review(&es, source);
        let wrong = found
            .iter()
            .find(|f| {
                f.message
                    .contains("`not-fit` uses $pista but English uses $hint")
            })
            .unwrap();
        assert!(wrong.error);
        assert_eq!(wrong.span.start, 18);
    }
}
