//! Reading a slot from a stretch of the input, tolerantly: list values by sound and
//! spelling (whatever the list), numbers and amounts by value, free text as is.
//! Each reading says what it costs (0 for an exact value).

use super::super::fuzzy;
use super::super::lists::ListTable;
use super::super::matcher::CapValue;
use super::super::money;
use super::super::numbers::parse_number;
use super::super::word::{WordInfo, likeness};
use super::Token;
use crate::domain::Currency;

/// A name (a list resolved by sound, such as designers and chips) heard less alike
/// than this is not a reading of the slot.
const NAME_FLOOR: f32 = 0.58;
/// A single word must be heard more alike to be taken for a name: one short word
/// sounds like many.
const NAME_WORD_FLOOR: f32 = 0.7;
/// A value of a closed list (frequencies, sizes, periods…) heard less alike than
/// this is not a reading of the slot.
const VALUE_FLOOR: f32 = 0.74;
/// What free text (a wildcard slot) costs per unit of word weight.
const WILDCARD: f32 = 0.25;
/// Longest free text read into one slot, in words.
const MAX_WILDCARD: usize = 12;

/// One reading of a slot: words `start..end` of the input.
#[derive(Debug, Clone)]
pub struct Reading {
    pub end: usize,
    pub value: CapValue,
    pub cost: f32,
    /// How much the reading rests on what was heard (see `Path::anchor`).
    pub anchor: f32,
}

/// The text of tokens `start..end`, possessive `'s` dropped from the last word.
fn spoken(tokens: &[Token], start: usize, end: usize) -> String {
    let mut words: Vec<&str> = tokens[start..end].iter().map(|t| t.info.text.as_str()).collect();
    if let Some(last) = words.last_mut() {
        *last = last.strip_suffix("'s").or_else(|| last.strip_suffix('\'')).unwrap_or(last);
    }
    words.join(" ")
}

/// The forms of a closed list (frequencies, sizes…) that the heard words say, word
/// by word: `(form, likeness)` weighted by how much each word carries, best two.
fn closed_values(forms: &[Vec<WordInfo>], heard: &[Token]) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::new();
    for (i, form) in forms.iter().enumerate() {
        if form.len() != heard.len() {
            continue;
        }
        let (mut sum, mut total) = (0.0f32, 0.0f32);
        for (f, h) in form.iter().zip(heard) {
            let w = f.weight.max(h.info.weight);
            let like = likeness(&h.info, f);
            if like < 0.5 {
                sum = 0.0;
                break;
            }
            sum += w * like;
            total += w;
        }
        let score = if total > 0.0 { sum / total } else { 0.0 };
        if score >= VALUE_FLOOR {
            best.push((i as u32, score));
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1));
    best.truncate(2);
    best
}

/// Every way the slot's list can read the input from word `start`.
pub fn readings(list: &ListTable, names: bool, tokens: &[Token], start: usize, currency: Currency) -> Vec<Reading> {
    let mut out = Vec::new();
    if start >= tokens.len() {
        return out;
    }
    let weight = |end: usize| -> f32 { tokens[start..end].iter().map(|t| t.info.weight.max(0.5)).sum() };
    match list {
        ListTable::Values(vl) => {
            if vl.keys.is_empty() {
                return out;
            }
            let longest = (vl.trie.max_words + 1).min(tokens.len() - start);
            for end in start + 1..=start + longest {
                let span_weight = weight(end);
                let found = if names {
                    let heard = spoken(tokens, start, end);
                    let floor = if end - start == 1 { NAME_WORD_FLOOR } else { NAME_FLOOR };
                    fuzzy::rank(&heard, &vl.keys, 2).into_iter().filter(|(_, s)| *s >= floor).collect()
                } else {
                    closed_values(&vl.form_words, &tokens[start..end])
                };
                for (key, score) in found {
                    let value = vl.key_values.get(key as usize).copied().unwrap_or(key);
                    let cost = if score >= 0.999 { 0.0 } else { span_weight * (1.0 - score) * 1.2 };
                    out.push(Reading { end, value: CapValue::Value(value), cost, anchor: span_weight * score });
                }
            }
        }
        ListTable::Range(r) => {
            let words: Vec<&str> = tokens[start..].iter().take(6).map(|t| t.info.text.as_str()).collect();
            for p in parse_number(&words) {
                let v = p.value;
                let step_ok = {
                    let k = (v - r.from) / r.step;
                    (k - k.round()).abs() < 1e-9 || (r.fractions && v.fract() != 0.0)
                };
                if v >= r.from && v <= r.to && step_ok {
                    let v = r.multiplier.map_or(v, |m| v * m);
                    let end = start + p.words;
                    out.push(Reading { end, value: CapValue::Number(v), cost: 0.0, anchor: weight(end) });
                }
            }
        }
        ListTable::Money => {
            let words: Vec<&str> = tokens[start..].iter().take(10).map(|t| t.info.text.as_str()).collect();
            for (n, m) in money::scan(&words, currency) {
                let end = start + n;
                out.push(Reading { end, value: CapValue::Money(m), cost: 0.0, anchor: weight(end) });
            }
        }
        ListTable::Wildcard => {
            for end in start + 1..=(start + MAX_WILDCARD).min(tokens.len()) {
                let cost = WILDCARD * tokens[start..end].iter().map(|t| t.info.weight).sum::<f32>();
                out.push(Reading { end, value: CapValue::Text, cost, anchor: 0.0 });
            }
        }
    }
    out
}
