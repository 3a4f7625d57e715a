//! Filling an example's slots from what the sentence says.

use super::super::approx::Token;
use super::super::engine::Engine;
use super::super::lists::ListTable;
use super::super::matcher::{CapValue, Capture};
use super::super::word::weight as word_weight;
use super::Example;
use super::spot::Spot;

/// A value heard at least this clearly counts against a reading that leaves it unused.
const CLEAR: f32 = 0.85;

/// A reading's slots and what else the sentence says.
pub struct Fill {
    pub captures: Vec<Capture>,
    /// Weight of clearly heard values the reading leaves unused.
    pub unused: f32,
    /// Content words outside the slots, and how many of them the intent's templates use.
    pub content: usize,
    pub known: usize,
}

/// A word reduced to a crude stem, so "following" meets "follow" and "designers" "designer".
pub fn stem(word: &str) -> &str {
    let w = word.strip_suffix("'s").unwrap_or(word);
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(suffix)
            && s.chars().count() >= 3
        {
            return s;
        }
    }
    w
}

pub struct Filler<'a> {
    pub engine: &'a Engine,
    pub tokens: &'a [Token],
    pub spots: &'a [Spot],
}

impl Filler<'_> {
    fn slot_id(&self, name: &str) -> Option<u32> {
        self.engine.compiled.slot_names.iter().position(|s| s == name).map(|i| i as u32)
    }

    fn capture(&self, slot: u32, list: u32, start: usize, end: usize, value: CapValue) -> Capture {
        Capture { slot, list, start: self.tokens[start].start, end: self.tokens[end - 1].end, value }
    }

    /// The captures of `ex`'s slots and the weight of clear values left unused, or `None`
    /// when a slot has nothing to be filled from.
    pub fn fill(&self, ex: &Example) -> Option<Fill> {
        let mut used: Vec<&Spot> = Vec::new();
        let mut captures = Vec::new();
        let mut wildcards = Vec::new();
        for name in &ex.slots {
            let slot = self.slot_id(name)?;
            let lists: Vec<u32> = self.engine.slot_lists.iter().filter(|(s, _)| *s == slot).map(|(_, l)| *l).collect();
            let wildcard =
                lists.iter().any(|&l| matches!(self.engine.tables.get(l as usize), Some(ListTable::Wildcard)));
            if wildcard {
                wildcards.push((slot, lists[0]));
                continue;
            }
            let spot = self.spots.iter().find(|s| s.slot == slot && !used.iter().any(|u| u.overlaps(s)))?;
            captures.push(self.capture(slot, spot.list, spot.start, spot.end, spot.value.clone()));
            used.push(spot);
        }
        let mut spans: Vec<(usize, usize)> = used.iter().map(|s| (s.start, s.end)).collect();
        for (slot, list) in wildcards {
            let (start, end) = self.free_text(ex.sentence, &used)?;
            captures.push(self.capture(slot, list, start, end, CapValue::Text));
            spans.push((start, end));
        }
        let vocab = self.engine.examples.stems.get(ex.sentence as usize)?;
        let (mut content, mut known) = (0, 0);
        for (i, t) in self.tokens.iter().enumerate() {
            if t.info.weight < 1.0 || spans.iter().any(|&(s, e)| s <= i && i < e) {
                continue;
            }
            content += 1;
            if vocab.contains(stem(&t.info.text)) {
                known += 1;
            }
        }
        let mut unused = 0.0;
        let mut counted: Vec<&Spot> = Vec::new();
        for s in self.spots.iter().filter(|s| s.quality >= CLEAR) {
            if used.iter().chain(counted.iter()).any(|u| u.overlaps(s)) {
                continue;
            }
            unused += s.weight(self.tokens);
            counted.push(s);
        }
        Some(Fill { captures, unused, content, known })
    }

    /// The longest run of words that are neither a value already used nor words the
    /// template says itself, without light words at its edges.
    fn free_text(&self, sentence: u32, used: &[&Spot]) -> Option<(usize, usize)> {
        let vocab = self.engine.examples.stems.get(sentence as usize)?;
        let free = |i: usize| {
            !used.iter().any(|s| s.start <= i && i < s.end) && !vocab.contains(stem(&self.tokens[i].info.text))
        };
        let (mut best, mut i) = (None::<(usize, usize)>, 0);
        while i < self.tokens.len() {
            if !free(i) {
                i += 1;
                continue;
            }
            let start = i;
            while i < self.tokens.len() && free(i) {
                i += 1;
            }
            let (mut s, mut e) = (start, i);
            while s < e && word_weight(&self.tokens[s].info.text) < 1.0 {
                s += 1;
            }
            while e > s && word_weight(&self.tokens[e - 1].info.text) < 1.0 {
                e -= 1;
            }
            if e > s && best.is_none_or(|(bs, be)| e - s > be - bs) {
                best = Some((s, e));
            }
        }
        best
    }
}
