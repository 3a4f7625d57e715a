//! Typed errors raised while loading grammars and list files.

use std::path::PathBuf;

/// Where something sits in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Everything that can go wrong while loading grammars; matching itself never fails.
#[derive(Debug, thiserror::Error)]
pub enum NluError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: YAML syntax error: {message}")]
    Yaml { at: Location, message: String },
    #[error("{at}: {message}")]
    Schema { at: Location, message: String },
    #[error("{at} (template column {column}): {message} in template {template:?}")]
    Template { at: Location, column: usize, template: String, message: String },
    #[error("{at} (template column {column}): unknown list {{{name}}} in template {template:?}")]
    UnknownList { at: Location, column: usize, template: String, name: String },
    #[error("{at} (template column {column}): unknown expansion rule <{name}> in template {template:?}")]
    UnknownRule { at: Location, column: usize, template: String, name: String },
    #[error("{at}: expansion rule cycle {chain}")]
    RuleCycle { at: Location, chain: String },
    #[error("{at}: template {template:?} can never match: {reason}")]
    NeverMatches { at: Location, template: String, reason: String },
    #[error("no grammar files found in {0}")]
    NoGrammar(PathBuf),
}

impl NluError {
    /// Builds a schema error at a location.
    pub fn schema(at: Location, message: impl Into<String>) -> Self {
        NluError::Schema { at, message: message.into() }
    }
}
