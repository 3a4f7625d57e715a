//! The public engine: compile once, replace lists at run time, recognise sentences.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value as Json;

use super::approx::WordGraph;
use super::compile::{Compiled, compile};
use super::error::NluError;
use super::grammar::{Grammar, ListDef, ListValue};
use super::input::Input;
use super::lists::ListTable;
use super::matcher::{CapValue, RawMatch, Walker};
use super::normalize::{normalize_text, strip_skip_words};
pub use super::options::EngineOptions;
use super::rank::{Candidate, resolve_fuzzy, select};
use super::semantic::{Examples, Meaning};
use super::values::{Match, MatchStatus, SlotKind, SlotValue};

/// A reading by meaning this confident replaces a match that rests on free text.
const FREE_TEXT_OVERRIDE: f32 = 0.7;
/// An approximate reading is dropped when the sentence is this much closer in meaning to
/// something that is not a command than to any example of the reading's intent.
const NOT_A_COMMAND_MARGIN: f32 = 0.0;

/// Context passed at match time (`requires_context` / `excludes_context`).
pub type Context = BTreeMap<String, Json>;

/// A compiled grammar with its lists.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) compiled: Compiled,
    pub(super) tables: Vec<ListTable>,
    pub(super) fuzzy: Vec<bool>,
    pub(super) options: EngineOptions,
    /// The templates word by word, for approximate matching.
    pub(super) approx: WordGraph,
    /// `(slot, list)` of each slot edge of the automaton.
    pub(super) slot_lists: Vec<(u32, u32)>,
    /// Example sentences of the templates, for comparison by meaning.
    pub(super) examples: Arc<Examples>,
    /// Their sentence vectors, once a model is attached ([`Engine::attach_meaning`]).
    pub(super) meaning: Option<Arc<Meaning>>,
}

impl Engine {
    /// Compiles a grammar.
    pub fn new(grammar: &Grammar, options: EngineOptions) -> Result<Engine, NluError> {
        let compiled = compile(grammar)?;
        let fuzzy: Vec<bool> = compiled.lists.iter().map(|(name, _)| grammar.fuzzy_lists.contains(name)).collect();
        let tables = compiled.lists.iter().zip(&fuzzy).map(|((_, def), &f)| ListTable::build(def, f)).collect();
        let approx = WordGraph::build(&compiled.automaton);
        let slot_lists = compiled.automaton.slot_edges.iter().map(|e| (e.slot, e.list)).collect();
        let examples = Arc::new(Examples::new(grammar));
        Ok(Engine { compiled, tables, fuzzy, options, approx, slot_lists, examples, meaning: None })
    }

    /// Loads every YAML file below `dir` and compiles it with default options.
    pub fn from_dir(dir: &Path) -> Result<Engine, NluError> {
        Engine::new(&Grammar::load_dir(dir)?, EngineOptions::default())
    }

    /// The options in use.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// Number of compiled sentence templates.
    pub fn sentence_count(&self) -> usize {
        self.compiled.sentences.len()
    }

    /// Number of automaton nodes (a size measure).
    pub fn node_count(&self) -> usize {
        self.compiled.automaton.nodes.len()
    }

    /// Replaces the values of a global list without recompiling templates.
    /// Returns false when no template refers to a list of that name.
    pub fn set_list(&mut self, name: &str, values: Vec<ListValue>) -> bool {
        let Some(&id) = self.compiled.list_ids.get(name) else {
            return false;
        };
        let id = id as usize;
        let def = ListDef::Values(values);
        let fuzzy = self.fuzzy.get(id).copied().unwrap_or(false);
        self.tables[id] = ListTable::build(&def, fuzzy);
        self.compiled.lists[id].1 = def;
        true
    }

    /// The spoken forms of a list's values (at most `limit`), e.g. to bias recognition.
    pub fn list_texts(&self, name: &str, limit: usize) -> Vec<String> {
        let Some(&id) = self.compiled.list_ids.get(name) else {
            return Vec::new();
        };
        match &self.compiled.lists[id as usize].1 {
            ListDef::Values(values) => values.iter().take(limit).map(|v| v.text.clone()).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the grammar has a list of this name.
    pub fn has_list(&self, name: &str) -> bool {
        self.compiled.list_ids.contains_key(name)
    }

    /// Up to `limit` short sentences the grammar accepts, one per intent in the order the
    /// intents were written, with no slot that needs a name (for prompting a recognizer).
    pub fn sample_sentences(&self, limit: usize) -> Vec<String> {
        let mut best: Vec<(&str, &str)> = Vec::new();
        for e in self.examples.list.iter().filter(|e| e.slots.is_empty()) {
            let Some(intent) =
                self.compiled.sentences.get(e.sentence as usize).and_then(|s| self.compiled.data.get(s.data as usize))
            else {
                continue;
            };
            match best.iter_mut().find(|(i, _)| *i == intent.intent) {
                Some(b) if e.text.len() < b.1.len() => b.1 = &e.text,
                Some(_) => {}
                None => best.push((&intent.intent, &e.text)),
            }
        }
        best.into_iter().take(limit).map(|(_, t)| t.to_owned()).collect()
    }

    /// Turns sound-alike resolution on or off for a list.
    pub fn set_fuzzy(&mut self, name: &str, on: bool) -> bool {
        let Some(&id) = self.compiled.list_ids.get(name) else {
            return false;
        };
        let id = id as usize;
        self.fuzzy[id] = on;
        self.tables[id] = ListTable::build(&self.compiled.lists[id].1, on);
        true
    }

    /// The best reading of `text`, or `None` when nothing is understood well enough
    /// (see [`EngineOptions::accept`]).
    pub fn recognize(&self, text: &str, context: &Context) -> Option<Match> {
        self.best_reading(text, context).filter(|m| m.confidence >= self.options.accept)
    }

    /// The best reading of `text` however weak, or `None` when no template comes close.
    pub fn best_reading(&self, text: &str, context: &Context) -> Option<Match> {
        let norm = normalize_text(text);
        let mut variants = vec![Input::new(&norm)];
        if let Some(stripped) = strip_skip_words(&norm, &self.compiled.skip_words) {
            variants.push(Input::new(&stripped));
        }
        let mut cands = Vec::new();
        for input in &variants {
            let raws = self.walk(input, &[]);
            cands.extend(raws.iter().filter_map(|r| self.candidate(r, input, context)));
        }
        if let Some(m) = select(cands, &self.options) {
            return Some(self.free_text_checked(m, &norm, context));
        }
        let mut cands = Vec::new();
        let mut cache = std::collections::HashMap::new();
        for input in &variants {
            if !self.fuzzy.iter().any(|&f| f) {
                break;
            }
            let raws = self.walk(input, &self.fuzzy);
            for r in &raws {
                if !r.captures.iter().any(|c| c.value == CapValue::Fuzzy) {
                    continue;
                }
                if let Some(c) = self.candidate(r, input, context)
                    && let Some(c) = resolve_fuzzy(c, &self.tables, &self.options, &mut cache)
                {
                    cands.push(c);
                }
            }
        }
        let near = match select(cands, &self.options) {
            Some(m) if m.status != MatchStatus::NearMiss => return Some(m),
            other => other,
        };
        let meaning = self.by_meaning(&norm, context);
        let mut cands = self.approximate(&norm, context);
        if self.has_meaning() {
            // An approximate reading of a sentence that means something else entirely
            // ("rate this film three stars") is not one.
            cands.retain(|c| !meaning.rather_not(&c.m.intent, NOT_A_COMMAND_MARGIN));
        }
        cands.extend(meaning.readings);
        // A near miss (a name heard only faintly) stands unless a tolerant reading of the
        // whole sentence is surer.
        let rival = rival(&cands, self.options.accept);
        match (near, select(cands, &self.options)) {
            (Some(n), Some(m)) if m.confidence <= n.confidence => Some(n),
            (near, other) => other
                .map(|mut m| {
                    m.rival = rival.filter(|r| r.intent != m.intent).map(Box::new);
                    m
                })
                .or(near),
        }
    }

    /// A free-text slot can swallow a whole other command ("show me {query}" takes
    /// "show me who I follow"): such a match gives way to a confident reading of another
    /// intent by meaning.
    fn free_text_checked(&self, m: Match, norm: &str, context: &Context) -> Match {
        if !m.free_text || !self.has_meaning() {
            return m;
        }
        let other = self.by_meaning(norm, context).readings.into_iter().next();
        match other {
            Some(c) if c.m.intent != m.intent && c.m.confidence >= FREE_TEXT_OVERRIDE => c.m,
            _ => m,
        }
    }

    fn walk(&self, input: &Input, fuzzy: &[bool]) -> Vec<RawMatch> {
        let mut w = Walker::new(&self.compiled.automaton, &self.tables, fuzzy, input, self.options.default_currency);
        w.run();
        w.out
    }

    pub(super) fn kind(&self, slot: &str) -> SlotKind {
        self.options.kind(slot)
    }

    pub(super) fn candidate(&self, raw: &RawMatch, input: &Input, context: &Context) -> Option<Candidate> {
        let info = self.compiled.sentences.get(raw.sentence as usize)?;
        let data = self.compiled.data.get(info.data as usize)?;
        let mut c = Candidate::new(raw, info.template.clone(), data);
        let mut ctx = context.clone();
        for cap in &raw.captures {
            let name = self.compiled.slot_names.get(cap.slot as usize)?.clone();
            let text = input.slice(cap.start, cap.end);
            let kind = self.kind(&name);
            let value = match &cap.value {
                CapValue::Value(v) => {
                    let ListTable::Values(vl) = self.tables.get(cap.list as usize)? else {
                        return None;
                    };
                    let lv = vl.values.get(*v as usize)?;
                    for (k, v) in &lv.context {
                        ctx.insert(k.clone(), v.clone());
                    }
                    match &lv.out {
                        Some(out) => SlotValue::convert(kind, out)?,
                        None => SlotValue::convert(kind, &Json::String(text.clone()))?,
                    }
                }
                CapValue::Text => {
                    c.wildcards += 1;
                    c.m.free_text = true;
                    c.wildcard_chars += text.chars().count();
                    SlotValue::convert(kind, &Json::String(text.clone()))?
                }
                CapValue::Number(n) => match kind {
                    SlotKind::Raw | SlotKind::Number => SlotValue::number(*n),
                    _ => SlotValue::convert(kind, &SlotValue::number(*n).to_json())?,
                },
                CapValue::Money(m) => SlotValue::Money(*m),
                CapValue::Fuzzy => {
                    c.fuzzy.push((name.clone(), text.clone(), cap.list));
                    continue;
                }
            };
            if name == "name" && !matches!(cap.value, CapValue::Text) {
                c.name_len = c.name_len.max(text.chars().count());
            }
            if !name.starts_with('@') {
                c.m.slot_text.insert(name.clone(), text);
                c.m.slots.insert(name, value);
            }
        }
        for (k, v) in &data.slots {
            if !c.m.slots.contains_key(k) {
                c.m.slots.insert(k.clone(), SlotValue::convert(self.kind(k), v)?);
            }
        }
        check_context(&mut c, data, &ctx, self)?;
        Some(c)
    }
}

fn check_context(c: &mut Candidate, data: &super::compile::DataInfo, ctx: &Context, engine: &Engine) -> Option<()> {
    let same = |a: &Json, b: &Json| match (a, b) {
        (Json::String(x), Json::String(y)) => x == y,
        _ => a == b,
    };
    for (key, req) in &data.requires_context {
        let actual = ctx.get(key);
        let (wanted, slot) = match req {
            Json::Object(o) => {
                let slot = match o.get("slot") {
                    Some(Json::Bool(true)) => Some(key.clone()),
                    Some(Json::String(s)) => Some(s.clone()),
                    _ => None,
                };
                (o.get("value").cloned().unwrap_or(Json::Null), slot)
            }
            other => (other.clone(), None),
        };
        let actual = actual?;
        let ok = match &wanted {
            Json::Null => true,
            Json::Array(items) => items.iter().any(|i| same(i, actual)),
            w => same(w, actual),
        };
        if !ok {
            return None;
        }
        if let Some(slot) = slot {
            let v = SlotValue::convert(engine.kind(&slot), actual)?;
            c.m.slots.insert(slot, v);
        }
    }
    for (key, ex) in &data.excludes_context {
        if let Some(actual) = ctx.get(key) {
            let hit = match ex {
                Json::Array(items) => items.iter().any(|i| same(i, actual)),
                Json::Null => true,
                e => same(e, actual),
            };
            if hit {
                return None;
            }
        }
    }
    Some(())
}

/// Readings of two intents closer than this in confidence are a tie.
const TIE: f32 = 0.05;

/// The runner-up of another intent when the two best tolerant readings of different
/// intents are both acceptable and about equally likely (answers such as "yes" are
/// never asked about).
fn rival(cands: &[Candidate], accept: f32) -> Option<Match> {
    let mut sorted: Vec<&Candidate> = cands.iter().filter(|c| c.m.confidence >= accept).collect();
    sorted.sort_by(|a, b| b.m.confidence.total_cmp(&a.m.confidence));
    let best = sorted.first()?;
    let second = sorted.iter().find(|c| c.m.intent != best.m.intent)?;
    let answer = |i: &str| matches!(i, "Confirm" | "Cancel" | "Repeat");
    if best.m.confidence - second.m.confidence > TIE || answer(&best.m.intent) || answer(&second.m.intent) {
        return None;
    }
    Some(second.m.clone())
}
