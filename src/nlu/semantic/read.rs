//! Reading a sentence by meaning: find its names, compare it with every example and
//! every sentence that is not a command, and fill the closest examples' slots.

use std::collections::{HashMap, HashSet};

use super::examples::stem_set;
use super::{UNUSED, WORDS, confidence, fill, spot, stand_in};
use crate::embed::cosine;
use crate::nlu::approx::tokens;
use crate::nlu::engine::{Context, Engine};
use crate::nlu::input::Input;
use crate::nlu::matcher::RawMatch;
use crate::nlu::rank::{Candidate, round3};
use crate::nlu::values::MatchStatus;

/// Examples compared per sentence.
const TOP: usize = 60;

/// What a sentence means, as far as the examples tell.
#[derive(Debug, Default)]
pub struct ByMeaning {
    /// Readings, best first.
    pub readings: Vec<Candidate>,
    /// How close the sentence is to the closest sentence that is not a command.
    pub not_command: f32,
    /// How close it is to the closest example of each intent.
    pub intents: HashMap<String, f32>,
}

impl ByMeaning {
    /// Whether the sentence is closer to something that is not a command than to any
    /// example of `intent` (by `margin`).
    pub fn rather_not(&self, intent: &str, margin: f32) -> bool {
        self.not_command > self.intents.get(intent).copied().unwrap_or(0.0) + margin
    }
}

impl Engine {
    /// Reads normalised `text` by meaning (nothing when no model is attached).
    pub(crate) fn by_meaning(&self, text: &str, context: &Context) -> ByMeaning {
        let Some(meaning) = &self.meaning else { return ByMeaning::default() };
        let input = Input::new(text);
        let toks = tokens(&input, &self.compiled.skip_words);
        // A single word carries too little meaning to compare ("subscribe" is no "who do I
        // subscribe to"); one-word commands are the templates' to name.
        if toks.len() < 2 || toks.len() > 40 {
            return ByMeaning::default();
        }
        let mut pairs = self.slot_lists.clone();
        pairs.sort_unstable();
        pairs.dedup();
        let spots = spot::find(&toks, &pairs, &self.tables, &self.fuzzy, self.options.default_currency);
        let spots = spot::corrected(spots, &toks);
        let names = spot::names(&spots);
        let slot_names = &self.compiled.slot_names;
        let said =
            spot::with_stand_ins(&toks, &names, |s| stand_in(slot_names.get(s as usize).map_or("", String::as_str)));
        let Ok(v) = meaning.embedder.embed_one(&said) else { return ByMeaning::default() };
        let said_words = stem_set(&said);
        let likeness = |i: usize| cosine(&v, &meaning.vectors[i]) + WORDS * self.examples.word_likeness(&said_words, i);
        let count = self.examples.list.len();
        let not_command = (count..meaning.vectors.len()).map(likeness).fold(0.0f32, f32::max);
        let mut scored: Vec<(f32, usize)> = (0..count).map(|i| (likeness(i), i)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut intents: HashMap<String, f32> = HashMap::new();
        for &(sim, i) in &scored {
            intents.entry(self.intent_of(self.examples.list[i].sentence).to_owned()).or_insert(sim);
        }
        let mut out: Vec<(f32, f32, Candidate)> = Vec::new();
        let mut seen = HashSet::new();
        let filler = fill::Filler { engine: self, tokens: &toks, spots: &spots };
        for &(sim, i) in scored.iter().take(TOP) {
            let ex = &self.examples.list[i];
            if !seen.insert(ex.sentence) {
                continue;
            }
            let Some(f) = filler.fill(ex) else { continue };
            let raw = RawMatch { sentence: ex.sentence, captures: f.captures, literal_chars: 0 };
            if let Some(mut c) = self.candidate(&raw, &input, context) {
                c.m.status = MatchStatus::Semantic;
                let known = if f.content == 0 { 1.0 } else { f.known as f32 / f.content as f32 };
                out.push((sim - UNUSED * f.unused, known, c));
            }
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0));
        let best_intent = out.first().map(|(_, _, c)| c.m.intent.clone());
        let runner_up = out
            .iter()
            .find(|(_, _, c)| Some(&c.m.intent) != best_intent.as_ref())
            .map_or(0.0, |(s, _, _)| *s)
            .max(not_command);
        let readings = out
            .into_iter()
            .map(|(score, known, mut c)| {
                let lead = if Some(&c.m.intent) == best_intent.as_ref() { score - runner_up } else { 0.0 };
                c.m.confidence = round3(confidence(score, lead, known));
                c
            })
            .filter(|c| c.m.confidence > 0.0)
            .collect();
        ByMeaning { readings, not_command, intents }
    }

    fn intent_of(&self, sentence: u32) -> &str {
        self.compiled
            .sentences
            .get(sentence as usize)
            .and_then(|s| self.compiled.data.get(s.data as usize))
            .map_or("", |d| d.intent.as_str())
    }
}
