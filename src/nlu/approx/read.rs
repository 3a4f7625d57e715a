//! Approximate readings of a whole sentence, as the engine asks for them.

use super::align::Aligner;
use super::{MARGIN, WANT, confidence, tokens};
use crate::nlu::engine::{Context, Engine};
use crate::nlu::input::Input;
use crate::nlu::matcher::RawMatch;
use crate::nlu::rank::{Candidate, round3};
use crate::nlu::values::MatchStatus;

impl Engine {
    /// Approximate readings of normalised `text`, best first.
    pub(in crate::nlu) fn approximate(&self, text: &str, context: &Context) -> Vec<Candidate> {
        let input = Input::new(text);
        let toks = tokens(&input, &self.compiled.skip_words);
        // One word is too little to read a sentence into ("buy" is no "buy it").
        if toks.len() < 2 || toks.len() > 40 {
            return Vec::new();
        }
        let carried: f32 = toks.iter().map(|t| t.info.weight).sum();
        let aligner = Aligner {
            graph: &self.approx,
            lists: &self.tables,
            slot_lists: &self.slot_lists,
            names: &self.fuzzy,
            tokens: &toks,
            currency: self.options.default_currency,
            budget: 1.0 + 0.45 * carried,
        };
        let mut out = Vec::new();
        for path in aligner.best(WANT, MARGIN) {
            let raw = RawMatch {
                sentence: path.sentence,
                captures: path.captures.clone(),
                literal_chars: path.anchor as u32,
            };
            if let Some(mut c) = self.candidate(&raw, &input, context) {
                c.m.status = MatchStatus::Approximate;
                c.m.confidence = round3(confidence(&path, &toks));
                out.push(c);
            }
        }
        out
    }
}
