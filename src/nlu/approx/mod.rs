//! Approximate matching against the templates as a whole: when no template matches
//! exactly, the input is aligned with the cheapest path through the templates,
//! allowing extra, missing and misheard words (costed by sound, spelling and how
//! much a word carries) and tolerant slots of every type. The cost becomes the
//! reading's confidence.

mod align;
mod graph;
mod read;
mod slots;

pub use super::word::{WordInfo, likeness, split_words};
pub use graph::WordGraph;
pub use slots::readings;

use super::input::Input;

/// Readings within this cost of the best are kept as alternatives.
const MARGIN: f32 = 1.5;
/// How many different sentences are read.
const WANT: usize = 6;

/// One input word with where it sits in the normalised text.
#[derive(Debug, Clone)]
pub struct Token {
    pub info: WordInfo,
    pub start: usize,
    pub end: usize,
    /// What leaving the word out of a reading costs (before the matcher's factor).
    pub extra_cost: f32,
}

/// The input's words with character offsets (hyphens and slashes split words).
pub(crate) fn tokens(input: &Input, skip_words: &[String]) -> Vec<Token> {
    let mut out = Vec::new();
    let chars = &input.chars;
    let mut i = 0;
    while i < chars.len() {
        let sep = |c: char| c == ' ' || c == '-' || c == '/';
        if sep(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !sep(chars[i]) {
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        let text = raw.trim_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '\'' | '$' | '€' | '£' | '¥'));
        if text.is_empty() {
            continue;
        }
        let info = WordInfo::new(text);
        let extra_cost = if skip_words.iter().any(|s| s == text) { 0.05 } else { info.weight };
        out.push(Token { info, start, end: i, extra_cost });
    }
    out
}

/// A reading resting on less than this (one content word heard as the template
/// has it) loses confidence in proportion.
const MIN_ANCHOR: f32 = 0.9;

/// The confidence of a reading for an input of `tokens`: what it cost, relative to
/// what the input carries; less when it rests on little that was heard as the
/// templates have it, or leaves out much of its template's own words.
pub fn confidence(path: &align::Path, tokens: &[Token]) -> f32 {
    let carried: f32 = tokens.iter().map(|t| t.info.weight).sum();
    let base = 1.0 - path.cost / (1.0 + 0.45 * carried);
    let rests = (path.anchor / MIN_ANCHOR).min(1.0);
    let kept = if path.template_words > 0.0 { (path.template_heard / path.template_words).sqrt() } else { 1.0 };
    (base * rests * kept).clamp(0.0, 1.0)
}
