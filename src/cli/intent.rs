//! `holomesh intent`: text to intent and slots, for people and scripts.

use super::{EXIT_USAGE, ExitCode};
use crate::config::Config;
use crate::nlu::cli::{build_engine, context_from_pairs, parse_context_arg, run_intent};
use crate::nlu::{Context, Engine, EngineOptions, NluError};
use std::path::PathBuf;

/// The engine `intent` and `understand` use: `--grammars` (else `nlu.grammars`, else the
/// bundled ones) with `--lists`, comparing by meaning as the configuration says.
pub(super) fn engine(config: &Config, grammars: Option<PathBuf>, lists: Option<PathBuf>) -> Result<Engine, NluError> {
    let options = EngineOptions { default_currency: config.market.currency, ..EngineOptions::default() };
    let dir = grammars.or_else(|| config.grammars_dir());
    let mut engine = build_engine(dir.as_deref(), lists.as_deref(), options)?;
    crate::app::meaning::attach(&mut engine, config);
    Ok(engine)
}

/// The `--context KEY=VALUE` arguments.
pub(super) fn context(args: &[String]) -> Result<Context, String> {
    let pairs = args.iter().map(|a| parse_context_arg(a)).collect::<Result<Vec<_>, _>>()?;
    Ok(context_from_pairs(&pairs))
}

pub fn run(
    config: &Config,
    grammars: Option<PathBuf>,
    lists: Option<PathBuf>,
    context_args: &[String],
    json: bool,
    text: &str,
) -> ExitCode {
    let context = match context(context_args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("holomesh intent: {e}");
            return EXIT_USAGE;
        }
    };
    let engine = match engine(config, grammars, lists) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("holomesh intent: {e}");
            return EXIT_USAGE;
        }
    };
    let (out, code) = run_intent(&engine, text, &context, json);
    println!("{out}");
    code
}
