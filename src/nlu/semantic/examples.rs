//! The sentences a reading by meaning is compared with: examples of every template,
//! and sentences that are not commands. Each can be compared by meaning (its vector,
//! see [`super::Meaning`]) and word by word (its stems weighted by rarity).

use std::collections::{BTreeSet, HashMap};

use super::expand::{Example, examples, vocabularies};
use super::fill::stem;
use crate::nlu::Grammar;
use crate::nlu::normalize::normalize_text;

/// Requests of other domains and remarks that ask for nothing.
const NOT_COMMANDS: &str = include_str!("not_commands.txt");

/// The examples of an engine's templates and the words their intents say.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    pub list: Vec<Example>,
    /// Sentences that are not commands (normalised), compared after the examples.
    pub not_commands: Vec<String>,
    /// Per sentence: the stems of every word the templates of its intent say.
    pub stems: Vec<BTreeSet<String>>,
    /// Per example, then per sentence that is not a command: its stems.
    words: Vec<BTreeSet<String>>,
    /// How rare each stem is among all of them (inverse document frequency).
    idf: HashMap<String, f32>,
    /// Per entry of `words`: the length of its stem vector weighted by rarity.
    norms: Vec<f32>,
}

/// The stems of the words of `text`.
pub fn stem_set(text: &str) -> BTreeSet<String> {
    text.split([' ', '-', '/']).filter(|w| !w.is_empty()).map(|w| stem(w).to_owned()).collect()
}

impl Examples {
    /// Examples of every template of `grammar` (in the compiler's sentence order).
    pub fn new(grammar: &Grammar) -> Examples {
        let vocab = vocabularies(grammar);
        let intents: Vec<&str> =
            grammar.data.iter().flat_map(|b| b.sentences.iter().map(|_| b.intent.as_str())).collect();
        let mut by_intent: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for (words, intent) in vocab.iter().zip(&intents) {
            by_intent.entry(intent).or_default().extend(words.iter().map(|w| stem(w).to_owned()));
        }
        let stems = intents.iter().map(|i| by_intent.get(i).cloned().unwrap_or_default()).collect();
        let list = examples(grammar);
        let not_commands: Vec<String> =
            NOT_COMMANDS.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(normalize_text).collect();
        let words: Vec<BTreeSet<String>> =
            list.iter().map(|e| e.text.as_str()).chain(not_commands.iter().map(String::as_str)).map(stem_set).collect();
        let mut df: HashMap<String, f32> = HashMap::new();
        for w in words.iter().flatten() {
            *df.entry(w.clone()).or_default() += 1.0;
        }
        let n = words.len().max(1) as f32;
        let idf: HashMap<String, f32> = df.into_iter().map(|(w, d)| (w, (n / d).ln() + 1.0)).collect();
        let norms = words.iter().map(|ws| ws.iter().map(|w| idf[w].powi(2)).sum::<f32>().sqrt()).collect();
        Examples { list, not_commands, stems, words, idf, norms }
    }

    /// Every sentence to embed: the examples, then those that are not commands.
    pub fn texts(&self) -> Vec<&str> {
        self.list.iter().map(|e| e.text.as_str()).chain(self.not_commands.iter().map(String::as_str)).collect()
    }

    /// How alike `said` (as stems) and entry `i` of [`Examples::texts`] are word by word:
    /// the cosine of their stem vectors weighted by rarity (a word none has weighs most).
    pub fn word_likeness(&self, said: &BTreeSet<String>, i: usize) -> f32 {
        let unseen = (self.words.len().max(1) as f32).ln() + 1.0;
        let weight = |w: &String| self.idf.get(w).copied().unwrap_or(unseen);
        let norm: f32 = said.iter().map(|w| weight(w).powi(2)).sum::<f32>().sqrt();
        let shared: f32 = said.intersection(&self.words[i]).map(|w| weight(w).powi(2)).sum();
        if norm == 0.0 || self.norms[i] == 0.0 { 0.0 } else { shared / (norm * self.norms[i]) }
    }
}
