//! Finding slot values anywhere in a sentence, whatever the phrasing around them:
//! names by sound, closed-list values word by word, numbers and amounts by value.

use super::super::approx::{Token, readings};
use super::super::lists::ListTable;
use super::super::matcher::CapValue;
use super::super::word::{WordInfo, likeness, weight as word_weight};
use crate::domain::Currency;

/// A name heard less alike than this is not taken for the name anywhere in a sentence
/// (inside a template, where the words around it say a name is due, less is enough).
const NAME_SPOT: f32 = 0.74;
/// A single word must be this alike to be taken for a name (or the distinctive word of
/// one): one short word sounds like many.
const WORD_SPOT: f32 = 0.9;

/// A slot value found in words `start..end` of the input.
#[derive(Debug, Clone)]
pub struct Spot {
    pub slot: u32,
    pub list: u32,
    pub start: usize,
    pub end: usize,
    pub value: CapValue,
    /// How alike the words are to the value, 0–1 (1 for numbers and amounts).
    pub quality: f32,
    /// Whether the list holds names (designers, chips).
    pub name: bool,
}

impl Spot {
    pub fn overlaps(&self, other: &Spot) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// How much of the input the spot explains.
    pub fn weight(&self, tokens: &[Token]) -> f32 {
        tokens[self.start..self.end].iter().map(|t| t.info.weight.max(0.5)).sum::<f32>() * self.quality
    }
}

/// Every value of every slot's list found in the input (wildcards excluded).
pub fn find(
    tokens: &[Token],
    slot_lists: &[(u32, u32)],
    tables: &[ListTable],
    names: &[bool],
    currency: Currency,
) -> Vec<Spot> {
    let mut out = Vec::new();
    for &(slot, list) in slot_lists {
        let Some(table) = tables.get(list as usize) else { continue };
        if matches!(table, ListTable::Wildcard) {
            continue;
        }
        let name = names.get(list as usize).copied().unwrap_or(false);
        for start in 0..tokens.len() {
            for r in readings(table, name, tokens, start, currency) {
                let span: f32 = tokens[start..r.end].iter().map(|t| t.info.weight.max(0.5)).sum();
                let quality = if r.cost <= 0.0 { 1.0 } else { (1.0 - r.cost / (1.2 * span)).max(0.0) };
                let light = tokens[start..r.end].iter().all(|t| word_weight(&t.info.text) < 1.0);
                let floor = if r.end - start == 1 { WORD_SPOT } else { NAME_SPOT };
                if (name && (quality < floor || !names_it(table, &r.value, &tokens[start..r.end]))) || light {
                    continue;
                }
                out.push(Spot { slot, list, start, end: r.end, value: r.value.clone(), quality, name });
            }
        }
    }
    out.sort_by(|a, b| b.quality.total_cmp(&a.quality).then((b.end - b.start).cmp(&(a.end - a.start))));
    out
}

/// Words by which people correct themselves: "Giulia, er, no, Elena", "four, no wait,
/// make it five", "the Monsoon SerDes, sorry, I mean the Condor".
const CORRECTIONS: &[&[&str]] =
    &[&["no"], &["sorry"], &["i", "mean"], &["i", "meant"], &["wait"], &["make", "it"], &["actually"], &["rather"]];

/// Where the last self-correction ends (the index of the word after it), if any.
pub fn correction(tokens: &[Token]) -> Option<usize> {
    let words: Vec<&str> = tokens.iter().map(|t| t.info.text.as_str()).collect();
    (0..words.len()).rev().find_map(|i| CORRECTIONS.iter().find(|m| words[i..].starts_with(m)).map(|m| i + m.len()))
}

/// Drops values said before a self-correction when the same slot is said again after it.
pub fn corrected(mut spots: Vec<Spot>, tokens: &[Token]) -> Vec<Spot> {
    let Some(at) = correction(tokens) else { return spots };
    let restated: Vec<u32> = spots.iter().filter(|s| s.start >= at).map(|s| s.slot).collect();
    spots.retain(|s| s.start >= at || !restated.contains(&s.slot));
    spots
}

/// Whether the words say enough of a name to stand for it anywhere in a sentence: one
/// of its distinctive words, or as many words as its full name ("a RISC-V core" does not
/// name the Vega RISC-V core; "Vega" does).
fn names_it(table: &ListTable, value: &CapValue, heard: &[Token]) -> bool {
    let (ListTable::Values(vl), CapValue::Value(v)) = (table, value) else { return true };
    let Some(words) = vl.distinctive.get(*v as usize) else { return true };
    let full =
        vl.values.get(*v as usize).map_or(0, |lv| lv.text.split([' ', '-', '/']).filter(|w| !w.is_empty()).count());
    heard.len() >= full
        || heard.iter().any(|h| {
            let h = h.info.text.trim_end_matches("'s");
            words.iter().any(|w| w == h || likeness(&WordInfo::new(h), &WordInfo::new(w)) >= 0.8)
        })
}

/// The best non-overlapping spots of names, for standing in.
pub fn names(spots: &[Spot]) -> Vec<&Spot> {
    let mut chosen: Vec<&Spot> = Vec::new();
    for s in spots.iter().filter(|s| s.name) {
        if !chosen.iter().any(|c| c.overlaps(s)) {
            chosen.push(s);
        }
    }
    chosen.sort_by_key(|s| s.start);
    chosen
}

/// The input with each chosen name replaced by its stand-in.
pub fn with_stand_ins(tokens: &[Token], chosen: &[&Spot], stand_in: impl Fn(u32) -> &'static str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(s) = chosen.iter().find(|s| s.start == i) {
            let possessive = tokens[s.end - 1].info.text.ends_with("'s");
            words.push(format!("{}{}", stand_in(s.slot), if possessive { "'s" } else { "" }));
            i = s.end;
        } else {
            words.push(tokens[i].info.text.clone());
            i += 1;
        }
    }
    words.join(" ")
}
