//! Helpers behind `holomesh intent [--grammars DIR] [--lists FILE] [--context K=V]... [--json] "text"`.

use std::path::Path;

use serde_json::{Value as Json, json};

use super::engine::{Context, Engine, EngineOptions};
use super::error::NluError;
use super::grammar::Grammar;
use super::values::Match;

/// Parses one `--context KEY=VALUE` argument.
pub fn parse_context_arg(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("--context expects KEY=VALUE, got {arg:?}")),
    }
}

/// Builds a context map from `KEY=VALUE` pairs.
pub fn context_from_pairs(pairs: &[(String, String)]) -> Context {
    pairs.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect()
}

/// Loads a grammar directory (the bundled grammar for `None`) plus an optional
/// lists file (its lists replace the grammar's).
pub fn build_engine(grammars: Option<&Path>, lists: Option<&Path>, options: EngineOptions) -> Result<Engine, NluError> {
    let mut grammar = Grammar::from_dir_or_bundled(grammars)?;
    if let Some(lists) = lists {
        grammar.add_lists_file(lists)?;
    }
    Engine::new(&grammar, options)
}

/// The JSON printed by `--json`: `{intent, slots, confidence, template, status, alternatives}`;
/// `intent` is null when nothing matched.
pub fn render_json(result: Option<&Match>) -> Json {
    match result {
        Some(m) => json!({
            "intent": m.intent,
            "slots": m.slots,
            "confidence": (f64::from(m.confidence) * 1000.0).round() / 1000.0,
            "template": m.template,
            "status": m.status,
            "alternatives": m.alternatives,
        }),
        None => json!({
            "intent": null,
            "slots": {},
            "confidence": 0.0,
            "template": null,
            "status": null,
            "alternatives": [],
        }),
    }
}

/// A short human-readable rendering.
pub fn render_text(result: Option<&Match>) -> String {
    let Some(m) = result else {
        return "no intent matched".to_string();
    };
    let mut out = format!("{} ({:?}, confidence {:.2})", m.intent, m.status, m.confidence);
    for (k, v) in &m.slots {
        out.push_str(&format!("\n  {k} = {}", v.to_json()));
    }
    for a in &m.alternatives {
        out.push_str(&format!("\n  ? {} {:?} {:.2}", a.intent, a.text, a.confidence));
    }
    out
}

/// Runs one recognition: returns the rendered output and the exit code (0 match, 1 none).
pub fn run_intent(engine: &Engine, text: &str, context: &Context, as_json: bool) -> (String, i32) {
    let m = engine.recognize(text, context);
    let code = if m.is_some() { 0 } else { 1 };
    let out = if as_json { render_json(m.as_ref()).to_string() } else { render_text(m.as_ref()) };
    (out, code)
}
