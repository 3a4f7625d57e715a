//! What the speech recognizer is told to expect: the command vocabulary and a few of
//! the names people may say.

use crate::nlu::Engine;

/// Designer and chip names put into the prompt.
const PROMPT_DESIGNERS: usize = 6;
const PROMPT_CHIPS: usize = 4;

/// Vocabulary that biases recognition towards the names and words of the grammar.
///
/// Only a few names: whisper.cpp computes the full vocabulary's logits for every prompt
/// token, and on the benchmark clips 10 names the speaker did not say added about 80 ms and
/// raised word error rate from 0.16 to 0.23. Names left out are still resolved by the
/// understanding layer's sound-alike matching.
pub fn initial_prompt(engine: &Engine) -> String {
    with_names(engine, PROMPT_DESIGNERS, PROMPT_CHIPS)
}

fn with_names(engine: &Engine, designers: usize, chips: usize) -> String {
    let mut names = engine.list_texts("designer", designers);
    names.extend(engine.list_texts("chip", chips));
    let lead = if engine.has_list("designer") {
        MARKETPLACE.to_owned()
    } else {
        // Another grammar: a few of its own sentences say what to expect.
        let mut s = engine.sample_sentences(PROMPT_SENTENCES).join(". ");
        s.push('.');
        s
    };
    if names.is_empty() { lead } else { format!("{lead} {}.", names.join(", ")) }
}

/// Names in the prompt of a second hearing, when time matters less than the names.
const SECOND_DESIGNERS: usize = 24;
const SECOND_CHIPS: usize = 16;

/// The prompt of a second hearing: the same lead with many more names.
pub fn second_prompt(engine: &Engine) -> String {
    with_names(engine, SECOND_DESIGNERS, SECOND_CHIPS)
}

/// What the marketplace grammar's users say, in a sentence.
const MARKETPLACE: &str =
    "Subscribe to designers, buy chips, auto-buy under fifty dollars, what's my balance, notifications weekly.";
/// Sentences of another grammar put into the prompt.
const PROMPT_SENTENCES: usize = 5;
