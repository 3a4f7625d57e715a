//! `holomesh intent`: text to intent and slots, for people and scripts.

use super::{EXIT_USAGE, ExitCode};
use crate::config::Config;
use crate::nlu::EngineOptions;
use crate::nlu::cli::{build_engine, context_from_pairs, parse_context_arg, run_intent};
use std::path::PathBuf;

/// The project's grammars: `grammars/en` next to the working directory, else the
/// copy installed beside the binary's data.
pub fn default_grammars() -> PathBuf {
    let local = PathBuf::from("grammars/en");
    if local.is_dir() {
        return local;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("grammars/en")
}

pub fn run(
    config: &Config,
    grammars: Option<PathBuf>,
    lists: Option<PathBuf>,
    context: &[String],
    json: bool,
    text: &str,
) -> ExitCode {
    let mut pairs = Vec::new();
    for arg in context {
        match parse_context_arg(arg) {
            Ok(p) => pairs.push(p),
            Err(e) => {
                eprintln!("holomesh intent: {e}");
                return EXIT_USAGE;
            }
        }
    }
    let options = EngineOptions { default_currency: config.market.currency.clone(), ..EngineOptions::default() };
    let dir = grammars.unwrap_or_else(default_grammars);
    let engine = match build_engine(&dir, lists.as_deref(), options) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("holomesh intent: {e}");
            return EXIT_USAGE;
        }
    };
    let (out, code) = run_intent(&engine, text, &context_from_pairs(&pairs), json);
    println!("{out}");
    code
}
