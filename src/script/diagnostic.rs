//! Problems found in a dialogue file, each pinned to a file, line and column.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::text::line_column;

/// How bad a problem is: errors refuse the file, warnings only fail `check --strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file works, but an author should look (e.g. a text without a source).
    Warning,
}

/// One problem in one dialogue file, printed as `file:line:column: error: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, in words an author understands.
    pub message: String,
}

impl Diagnostic {
    /// Whether this problem refuses the file.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Collects diagnostics for one file, turning byte offsets into line and column.
pub struct Reporter<'a> {
    file: &'a Path,
    source: &'a str,
    found: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    /// Starts an empty report for `file`, whose text is `source`.
    pub fn new(file: &'a Path, source: &'a str) -> Self {
        Reporter {
            file,
            source,
            found: Vec::new(),
        }
    }

    /// Records an error at the start of `span`.
    pub fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span.start, Severity::Error, message.into());
    }

    /// Records a warning at the start of `span`.
    pub fn warning(&mut self, span: Range<usize>, message: impl Into<String>) {
        self.push(span.start, Severity::Warning, message.into());
    }

    /// Whether any error (not warning) was recorded so far.
    pub fn has_errors(&self) -> bool {
        self.found.iter().any(Diagnostic::is_error)
    }

    /// The diagnostics in file order.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        self.found.sort_by(|a, b| {
            (a.line, a.column, a.severity, &a.message)
                .cmp(&(b.line, b.column, b.severity, &b.message))
        });
        self.found.dedup();
        self.found
    }

    fn push(&mut self, offset: usize, severity: Severity, message: String) {
        let (line, column) = line_column(self.source, offset);
        self.found.push(Diagnostic {
            file: self.file.to_path_buf(),
            line,
            column,
            severity,
            message,
        });
    }
}
