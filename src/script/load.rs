//! Reading dialogue files: TOML syntax, then the shape of each item, then
//! [`validate`](super::validate) for meaning. Every problem is reported at once.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::diagnostic::{Diagnostic, Reporter};
use super::raw::RawDocument;
use super::{Script, validate};
use crate::language::lexicon::Lexicon;
use crate::language::{Catalog, catalog};
use std::sync::Arc;

/// Why dialogues could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// A file or folder could not be read.
    Io {
        /// What was being read.
        path: PathBuf,
        /// The operating system's reason.
        error: std::io::Error,
    },
    /// A folder held no `.toml` dialogue.
    Empty(PathBuf),
    /// The files have errors; each is listed (warnings too).
    Invalid(Vec<Diagnostic>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => {
                write!(f, "cannot read dialogue {}: {error}", path.display())
            }
            LoadError::Empty(path) => write!(
                f,
                "no dialogue files (*.toml) in {}; set BOT_DIALOGUES to the folder that has them",
                path.display()
            ),
            LoadError::Invalid(found) => {
                let errors = found.iter().filter(|d| d.is_error()).count();
                writeln!(f, "the dialogue files have {errors} error(s):")?;
                for diagnostic in found {
                    writeln!(f, "{diagnostic}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Dialogues read from some paths, with everything found on the way.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The dialogues of files without errors.
    pub scripts: Vec<Script>,
    /// Every error and warning, by file.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// Whether any file had an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads every dialogue named by `paths` (files, or folders of `*.toml`),
/// and every language overlay among them with its catalog from
/// `locales/<lang>/bot.ftl`, collecting all diagnostics; only I/O problems
/// stop it early.
pub fn load_paths(paths: &[PathBuf], locales: &Path) -> Result<Loaded, LoadError> {
    let mut loaded = Loaded::default();
    let mut overlays = Vec::new();
    for path in paths {
        for file in dialogue_files(path)? {
            let source = read(&file)?;
            loaded.files.push(file.clone());
            if let Some(header) = super::header(&source) {
                overlays.push((file, source, header));
                continue;
            }
            let (script, diagnostics) = load_str(&file, &source);
            loaded.diagnostics.extend(diagnostics);
            if let Some(script) = script {
                loaded.add(script, &file, &source);
            }
        }
    }
    for (file, source, header) in overlays {
        let mut report = Reporter::new(&file, &source);
        let Some(base) = loaded
            .scripts
            .iter()
            .find(|s| s.id == header.dialogue && s.language == crate::language::BASE)
            .cloned()
        else {
            report.error(
                0..0,
                format!(
                    "overlay for dialogue `{}`, but no base dialogue with that id was loaded",
                    header.dialogue
                ),
            );
            loaded.diagnostics.extend(report.finish());
            continue;
        };
        if header.language == crate::language::BASE {
            report.error(
                0..0,
                format!("`{}` is the base dialogue's own language", header.language),
            );
            loaded.diagnostics.extend(report.finish());
            continue;
        }
        let Some(catalog) = load_catalog(locales, &header.language, &mut loaded)? else {
            report.error(
                0..0,
                format!(
                    "language `{}` has no usable catalog {}",
                    header.language,
                    catalog_path(locales, &header.language).display()
                ),
            );
            loaded.diagnostics.extend(report.finish());
            continue;
        };
        let Some(lexicon) = load_lexicon(locales, &header.language, &mut loaded)? else {
            report.error(
                0..0,
                format!(
                    "language `{}` has no usable word list {} (typed answers could not be read)",
                    header.language,
                    locales
                        .join(&header.language)
                        .join("understanding.toml")
                        .display()
                ),
            );
            loaded.diagnostics.extend(report.finish());
            continue;
        };
        let (script, diagnostics) = super::overlay::apply(&base, &file, &source, catalog, lexicon);
        loaded.diagnostics.extend(diagnostics);
        if let Some(script) = script {
            loaded.add(script, &file, &source);
        }
    }
    Ok(loaded)
}

fn catalog_path(locales: &Path, language: &str) -> PathBuf {
    locales.join(language).join("bot.ftl")
}

/// The catalog of `language`, with every problem of it reported; `None`
/// when it is missing or has errors.
fn load_catalog(
    locales: &Path,
    language: &str,
    loaded: &mut Loaded,
) -> Result<Option<Arc<Catalog>>, LoadError> {
    let path = catalog_path(locales, language);
    if !path.is_file() {
        return Ok(None);
    }
    let source = read(&path)?;
    loaded.files.push(path.clone());
    let mut report = Reporter::new(&path, &source);
    let catalog = match Catalog::parse(language, &source) {
        Ok(catalog) => {
            for finding in catalog::review(&catalog, &source) {
                if finding.error {
                    report.error(finding.span, finding.message);
                } else {
                    report.warning(finding.span, finding.message);
                }
            }
            Some(Arc::new(catalog))
        }
        Err(findings) => {
            for finding in findings {
                report.error(finding.span, finding.message);
            }
            None
        }
    };
    let failed = report.has_errors();
    loaded.diagnostics.extend(report.finish());
    Ok(catalog.filter(|_| !failed))
}

/// The words `language`'s typed answers are read with; `None` when the file
/// is missing or cannot be read as a word list (reported).
fn load_lexicon(
    locales: &Path,
    language: &str,
    loaded: &mut Loaded,
) -> Result<Option<Arc<Lexicon>>, LoadError> {
    let path = locales.join(language).join("understanding.toml");
    if !path.is_file() {
        return Ok(None);
    }
    let source = read(&path)?;
    loaded.files.push(path.clone());
    match Lexicon::parse(&path, &source) {
        Ok(lexicon) => Ok(Some(Arc::new(lexicon))),
        Err(message) => {
            // The message is `file:line:column: what`, as every diagnostic.
            let parts = message.splitn(4, ':').collect::<Vec<_>>();
            let number = |i: usize| parts.get(i).and_then(|p| p.trim().parse().ok());
            loaded.diagnostics.push(Diagnostic {
                file: path,
                line: number(1).unwrap_or(1),
                column: number(2).unwrap_or(1),
                severity: super::Severity::Error,
                message: parts
                    .last()
                    .map_or(message.clone(), |m| m.trim().to_string()),
            });
            Ok(None)
        }
    }
}

fn read(file: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(file).map_err(|error| LoadError::Io {
        path: file.to_path_buf(),
        error,
    })
}

impl Loaded {
    /// Keeps `script` unless a dialogue with its id and language is in already.
    fn add(&mut self, script: Script, file: &Path, source: &str) {
        let twin = self
            .scripts
            .iter()
            .find(|s| s.id == script.id && s.language == script.language);
        if let Some(twin) = twin {
            let mut report = Reporter::new(file, source);
            report.error(
                id_offset(source),
                format!(
                    "dialogue id `{}` in language `{}` is already used by {}",
                    script.id,
                    script.language,
                    twin.path.display()
                ),
            );
            self.diagnostics.extend(report.finish());
        } else {
            self.scripts.push(script);
        }
    }
}

/// Loads dialogues and their languages and refuses them if any has an error.
pub fn load_checked(paths: &[PathBuf], locales: &Path) -> Result<Vec<Script>, LoadError> {
    let loaded = load_paths(paths, locales)?;
    if loaded.has_errors() {
        return Err(LoadError::Invalid(loaded.diagnostics));
    }
    Ok(loaded.scripts)
}

/// Loads one dialogue file and refuses it if it has an error.
pub fn load_file(path: &Path) -> Result<Script, LoadError> {
    let source = read(path)?;
    match load_str(path, &source) {
        (Some(script), _) => Ok(script),
        (None, diagnostics) => Err(LoadError::Invalid(diagnostics)),
    }
}

/// Checks one dialogue's text; `path` is only used in diagnostics.
/// Returns the dialogue when there was no error, and every diagnostic either way.
pub fn load_str(path: &Path, source: &str) -> (Option<Script>, Vec<Diagnostic>) {
    let mut report = Reporter::new(path, source);
    let Some(table) = parse_toml(source, &mut report) else {
        return (None, report.finish());
    };
    let document = split_document(table, &mut report);
    if report.has_errors() {
        return (None, report.finish());
    }
    let script = validate::build(path, source, document, &mut report);
    let script = script.filter(|_| !report.has_errors());
    (script, report.finish())
}

/// The file's TOML as a table with spans, or `None` with every syntax
/// error reported.
pub(super) fn parse_toml<'s>(
    source: &'s str,
    report: &mut Reporter<'_>,
) -> Option<Spanned<DeTable<'s>>> {
    let (table, syntax_errors) = DeTable::parse_recoverable(source);
    for error in &syntax_errors {
        report.error(
            error.span().unwrap_or(0..0),
            format!("TOML syntax: {}", one_line(error.message())),
        );
    }
    syntax_errors.is_empty().then_some(table)
}

fn dialogue_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let io = |error| LoadError::Io {
        path: path.to_path_buf(),
        error,
    };
    if !path.is_dir() {
        std::fs::metadata(path).map_err(io)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).map_err(io)? {
        let file = entry.map_err(io)?.path();
        if file.extension().is_some_and(|e| e == "toml") && file.is_file() {
            files.push(file);
        }
    }
    if files.is_empty() {
        return Err(LoadError::Empty(path.to_path_buf()));
    }
    files.sort();
    Ok(files)
}

fn split_document(table: Spanned<DeTable<'_>>, report: &mut Reporter<'_>) -> RawDocument {
    let mut doc = RawDocument::default();
    for (key, value) in table.into_inner() {
        let key_span = key.span();
        match key.get_ref().as_ref() {
            "id" => doc.id = item(value, report),
            "title" => doc.title = item(value, report),
            "version" => doc.version = item(value, report),
            "start" => doc.start = item(value, report),
            "intro" => doc.intro = item(value, report),
            "disclaimer" => doc.disclaimer = item(value, report),
            "tips" => doc.tips = item(value, report),
            "red_flags" => doc.red_flags = item(value, report),
            "follow_up" => doc.follow_up = item(value, report),
            "diary" => doc.diary = item(value, report),
            "emergency_numbers" => doc.emergency_numbers = items(value, report),
            "source" => doc.sources = items(value, report),
            "node" => doc.nodes = items(value, report),
            "rule" => doc.rules = items(value, report),
            "outcome" => doc.outcomes = items(value, report),
            other => report.error(
                key_span,
                format!(
                    "unknown field `{other}`, expected one of `id`, `title`, `version`, `start`, \
                     `intro`, `disclaimer`, `tips`, `red_flags`, `follow_up`, `diary`, `emergency_numbers`, `source`, `node`, `rule`, `outcome`"
                ),
            ),
        }
    }
    let required = [
        ("id", doc.id.is_some()),
        ("title", doc.title.is_some()),
        ("version", doc.version.is_some()),
        ("start", doc.start.is_some()),
        ("intro", doc.intro.is_some()),
        ("disclaimer", doc.disclaimer.is_some()),
        ("tips", doc.tips.is_some()),
    ];
    for (name, present) in required {
        if !present {
            report.error(
                0..0,
                format!("missing field `{name}` at the top of the file"),
            );
        }
    }
    doc
}

/// Deserializes one value, reporting (not returning) its problems.
fn item<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    report: &mut Reporter<'_>,
) -> Option<Spanned<T>> {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(parsed) => Some(Spanned::new(span, parsed)),
        Err(error) => {
            report.error(error.span().unwrap_or(span), one_line(error.message()));
            None
        }
    }
}

/// Deserializes each element of an array of tables on its own.
fn items<T: DeserializeOwned>(
    value: Spanned<DeValue<'_>>,
    report: &mut Reporter<'_>,
) -> Vec<Spanned<T>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(elements) => elements
            .into_iter()
            .filter_map(|element| item(element, report))
            .collect(),
        _ => {
            report.error(span, "expected an array of tables (`[[…]]` or `[{ … }]`)");
            Vec::new()
        }
    }
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn id_offset(source: &str) -> std::ops::Range<usize> {
    let start = source
        .lines()
        .scan(0, |offset, line| {
            let here = *offset;
            *offset += line.len() + 1;
            Some((here, line))
        })
        .find(|(_, line)| line.trim_start().starts_with("id"))
        .map_or(0, |(offset, _)| offset);
    start..start
}
