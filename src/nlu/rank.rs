//! Choosing the best reading (hassil's `recognize_best` order) and resolving sound-alike slots.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::compile::DataInfo;
use super::fuzzy;
use super::lists::ListTable;
use super::matcher::RawMatch;
use super::options::EngineOptions;
use super::values::{Alternative, Match, MatchStatus, SlotValue};

/// A reading being scored.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub m: Match,
    pub sentence: u32,
    pub literal: u32,
    pub wildcards: usize,
    pub wildcard_chars: usize,
    /// Longest text of a non-wildcard `name` slot.
    pub name_len: usize,
    /// Slots still to resolve by similarity: (slot, heard text, list id).
    pub fuzzy: Vec<(String, String, u32)>,
}

impl Candidate {
    pub fn new(raw: &RawMatch, template: String, data: &DataInfo) -> Self {
        Candidate {
            m: Match {
                intent: data.intent.clone(),
                slots: BTreeMap::new(),
                template,
                confidence: 1.0,
                status: MatchStatus::Exact,
                alternatives: Vec::new(),
                slot_text: BTreeMap::new(),
                metadata: data.metadata.clone(),
                free_text: false,
                rival: None,
            },
            sentence: raw.sentence,
            literal: raw.literal_chars,
            wildcards: 0,
            wildcard_chars: 0,
            name_len: 0,
            fuzzy: Vec::new(),
        }
    }
}

/// Rounds a confidence to three decimals.
pub fn round3(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

fn status_rank(s: MatchStatus) -> u8 {
    match s {
        MatchStatus::Exact => 0,
        MatchStatus::Fuzzy => 1,
        MatchStatus::NearMiss => 2,
        MatchStatus::Approximate | MatchStatus::Semantic => 3,
    }
}

fn order(a: &Candidate, b: &Candidate) -> Ordering {
    status_rank(a.m.status)
        .cmp(&status_rank(b.m.status))
        .then(b.m.confidence.total_cmp(&a.m.confidence))
        .then(b.name_len.cmp(&a.name_len))
        .then(a.wildcards.cmp(&b.wildcards))
        .then(b.literal.cmp(&a.literal))
        .then(a.wildcard_chars.cmp(&b.wildcard_chars))
        .then(a.sentence.cmp(&b.sentence))
}

/// Picks the best candidate and lists distinct runners-up as alternatives.
pub fn select(mut cands: Vec<Candidate>, options: &EngineOptions) -> Option<Match> {
    if cands.is_empty() {
        return None;
    }
    cands.sort_by(order);
    let mut iter = cands.into_iter();
    let best = iter.next()?;
    let mut m = best.m;
    let mut seen = vec![(m.intent.clone(), m.slots.clone())];
    let mut rank = 1.0f32;
    for c in iter {
        if m.alternatives.len() >= options.max_alternatives {
            break;
        }
        let key = (c.m.intent.clone(), c.m.slots.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        rank *= 0.9;
        m.alternatives.push(Alternative {
            intent: c.m.intent,
            slot: None,
            value: None,
            text: c.m.template,
            confidence: round3(c.m.confidence * rank),
        });
    }
    Some(m)
}

/// Resolves similarity slots of a candidate; `None` when a slot resembles nothing in its list.
pub fn resolve_fuzzy(
    mut c: Candidate,
    tables: &[ListTable],
    opts: &EngineOptions,
    cache: &mut HashMap<(u32, String), Vec<(u32, f32)>>,
) -> Option<Candidate> {
    let pending = std::mem::take(&mut c.fuzzy);
    let mut near = false;
    for (slot, heard, list) in pending {
        let ListTable::Values(vl) = tables.get(list as usize)? else {
            return None;
        };
        let top = cache.entry((list, heard.clone())).or_insert_with(|| fuzzy::rank(&heard, &vl.keys, 3)).clone();
        let &(best, score) = top.first()?;
        if score < opts.fuzzy_floor {
            return None;
        }
        // Between the floor and the threshold the value is only a guess: its confidence
        // runs from 0.25 to 0.75, so a faint likeness ("a pizza with extra cheese" for a
        // chip title) is not understood at all rather than asked about.
        let sure = if score >= opts.fuzzy_threshold {
            score
        } else {
            0.25 + 0.5 * (score - opts.fuzzy_floor) / (opts.fuzzy_threshold - opts.fuzzy_floor).max(1e-6)
        };
        c.m.confidence = round3(c.m.confidence.min(sure));
        let kind = opts.kind(&slot);
        let value_of = |i: u32| -> Option<SlotValue> {
            let lv = vl.values.get(*vl.key_values.get(i as usize)? as usize)?;
            let out = lv.out.clone().unwrap_or_else(|| serde_json::Value::String(lv.text.clone()));
            SlotValue::convert(kind, &out)
        };
        if score >= opts.fuzzy_threshold {
            c.m.slots.insert(slot.clone(), value_of(best)?);
            c.m.slot_text.insert(slot, heard);
        } else {
            near = true;
            for (i, s) in top {
                if s < opts.fuzzy_floor {
                    continue;
                }
                c.m.alternatives.push(Alternative {
                    intent: c.m.intent.clone(),
                    slot: Some(slot.clone()),
                    value: value_of(i),
                    text: vl.spoken.get(i as usize).cloned().unwrap_or_default(),
                    confidence: round3(s),
                });
            }
        }
    }
    c.m.status = if near { MatchStatus::NearMiss } else { MatchStatus::Fuzzy };
    Some(c)
}
