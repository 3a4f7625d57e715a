//! `holomesh intent`: text to intent and slots, for people and scripts.

use super::{EXIT_USAGE, ExitCode};
use crate::config::Config;
use crate::nlu::EngineOptions;
use crate::nlu::cli::{build_engine, context_from_pairs, parse_context_arg, run_intent};
use std::path::PathBuf;

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
    let options = EngineOptions { default_currency: config.market.currency, ..EngineOptions::default() };
    let dir = grammars.or_else(|| config.grammars_dir());
    let engine = match build_engine(dir.as_deref(), lists.as_deref(), options) {
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
