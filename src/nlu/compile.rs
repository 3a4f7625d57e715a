//! Turns a loaded grammar into the shared automaton, checking lists, rules and templates.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value as Json;

use super::automaton::{Automaton, Low, SlotEdge, Step, paths};
use super::error::{Location, NluError};
use super::grammar::{DataBlock, Grammar, ListDef, RangeDef, Source};
use super::normalize::{normalize_literal, normalize_text};
use super::template::{Expr, parse_template, permutations};

/// What a sentence belongs to.
#[derive(Debug, Clone)]
pub struct SentenceInfo {
    pub data: u32,
    pub template: String,
    pub at: Location,
}

/// Per data block facts needed after a match.
#[derive(Debug, Clone)]
pub struct DataInfo {
    pub intent: String,
    pub slots: BTreeMap<String, Json>,
    pub requires_context: BTreeMap<String, Json>,
    pub excludes_context: BTreeMap<String, Json>,
    pub metadata: BTreeMap<String, Json>,
}

/// The compiled grammar (lists are kept as definitions; the engine builds their tables).
#[derive(Debug, Clone, Default)]
pub struct Compiled {
    pub automaton: Automaton,
    pub sentences: Vec<SentenceInfo>,
    pub data: Vec<DataInfo>,
    pub slot_names: Vec<String>,
    /// List definitions by id, with the public name (local lists get a scoped name).
    pub lists: Vec<(String, ListDef)>,
    pub list_ids: HashMap<String, u32>,
    pub skip_words: Vec<String>,
}

struct Ctx<'a> {
    grammar: &'a Grammar,
    block: &'a DataBlock,
    block_idx: usize,
    sentence: &'a Source,
    rule_stack: Vec<String>,
}

impl Compiled {
    fn slot_id(&mut self, name: &str) -> u32 {
        match self.slot_names.iter().position(|s| s == name) {
            Some(i) => i as u32,
            None => {
                self.slot_names.push(name.to_string());
                (self.slot_names.len() - 1) as u32
            }
        }
    }

    fn list_id(&mut self, key: String, def: &ListDef) -> u32 {
        if let Some(&id) = self.list_ids.get(&key) {
            return id;
        }
        self.lists.push((key.clone(), def.clone()));
        let id = (self.lists.len() - 1) as u32;
        self.list_ids.insert(key, id);
        id
    }

    fn lower(&mut self, e: &Expr, ctx: &mut Ctx<'_>, out: &mut Vec<Low>) -> Result<(), NluError> {
        let src = ctx.sentence;
        match e {
            Expr::Text(t) => {
                for c in normalize_literal(t).chars() {
                    out.push(Low::Step(if c == ' ' { Step::Space } else { Step::Char(c) }));
                }
            }
            Expr::Seq(items) => {
                for i in items {
                    self.lower(i, ctx, out)?;
                }
            }
            Expr::Alt(alts) => {
                let mut lowered = Vec::with_capacity(alts.len());
                for a in alts {
                    let mut seq = Vec::new();
                    self.lower(a, ctx, &mut seq)?;
                    lowered.push(seq);
                }
                out.push(Low::Alt(lowered));
            }
            Expr::Perm(items) => {
                let Some(orders) = permutations(items.len(), 5040) else {
                    return Err(NluError::Template {
                        at: src.at.clone(),
                        column: 1,
                        template: src.text.clone(),
                        message: "permutation has too many items".into(),
                    });
                };
                let mut lowered_items = Vec::new();
                for item in items {
                    let mut seq = Vec::new();
                    self.lower(item, ctx, &mut seq)?;
                    lowered_items.push(seq);
                }
                let alts = orders.iter().map(|o| o.iter().flat_map(|&i| lowered_items[i].clone()).collect()).collect();
                out.push(Low::Alt(alts));
            }
            Expr::List { list, slot, col } => {
                let (key, def) = if let Some(def) = ctx.block.lists.get(list) {
                    (format!("{}#{}#{list}", ctx.block.intent, ctx.block_idx), def)
                } else if let Some(def) = ctx.grammar.lists.get(list) {
                    (list.clone(), def)
                } else {
                    return Err(NluError::UnknownList {
                        at: src.at.clone(),
                        column: *col,
                        template: src.text.clone(),
                        name: list.clone(),
                    });
                };
                if let ListDef::Range(r) = def {
                    check_range(r, src)?;
                }
                let list = self.list_id(key, def);
                let slot = self.slot_id(slot);
                out.push(Low::Step(self.automaton.slot_edge(SlotEdge { slot, list })));
            }
            Expr::Range { from, to, step, slot } => {
                let def = RangeDef {
                    from: *from as f64,
                    to: *to as f64,
                    step: *step as f64,
                    multiplier: None,
                    fractions: false,
                };
                check_range(&def, src)?;
                let list = self.list_id(format!("{from}..{to},{step}"), &ListDef::Range(def));
                let slot = self.slot_id(slot);
                out.push(Low::Step(self.automaton.slot_edge(SlotEdge { slot, list })));
            }
            Expr::Rule { name, col } => {
                let rule = ctx.block.rules.get(name).or_else(|| ctx.grammar.rules.get(name)).ok_or_else(|| {
                    NluError::UnknownRule {
                        at: src.at.clone(),
                        column: *col,
                        template: src.text.clone(),
                        name: name.clone(),
                    }
                })?;
                if ctx.rule_stack.contains(name) {
                    let mut chain = ctx.rule_stack.clone();
                    chain.push(name.clone());
                    return Err(NluError::RuleCycle { at: rule.at.clone(), chain: chain.join(" -> ") });
                }
                let expr = parse_template(&rule.text).map_err(|e| NluError::Template {
                    at: rule.at.clone(),
                    column: e.column,
                    template: rule.text.clone(),
                    message: e.message,
                })?;
                ctx.rule_stack.push(name.clone());
                let r = self.lower(&expr, ctx, out);
                ctx.rule_stack.pop();
                r?;
            }
        }
        Ok(())
    }
}

fn check_range(r: &RangeDef, src: &Source) -> Result<(), NluError> {
    if r.from > r.to {
        return Err(NluError::NeverMatches {
            at: src.at.clone(),
            template: src.text.clone(),
            reason: format!("range {}..{} is empty", r.from, r.to),
        });
    }
    Ok(())
}

/// Most content steps (characters or slots) on any path.
fn max_content(seq: &[Low]) -> usize {
    seq.iter()
        .map(|i| match i {
            Low::Step(Step::Char(_)) | Low::Step(Step::Slot(_)) => 1,
            Low::Step(_) => 0,
            Low::Alt(alts) => alts.iter().map(|a| max_content(a)).max().unwrap_or(0),
        })
        .sum()
}

/// Compiles a grammar.
pub fn compile(grammar: &Grammar) -> Result<Compiled, NluError> {
    let mut c = Compiled { automaton: Automaton::new(), ..Compiled::default() };
    // Global lists keep their names so they can be replaced at run time.
    for (name, def) in &grammar.lists {
        c.list_id(name.clone(), def);
    }
    for (bi, block) in grammar.data.iter().enumerate() {
        c.data.push(DataInfo {
            intent: block.intent.clone(),
            slots: block.slots.clone(),
            requires_context: block.requires_context.clone(),
            excludes_context: block.excludes_context.clone(),
            metadata: block.metadata.clone(),
        });
        for s in &block.sentences {
            let expr = parse_template(&s.text).map_err(|e| NluError::Template {
                at: s.at.clone(),
                column: e.column,
                template: s.text.clone(),
                message: e.message,
            })?;
            let mut ctx = Ctx { grammar, block, block_idx: bi, sentence: s, rule_stack: Vec::new() };
            let mut seq = Vec::new();
            c.lower(&expr, &mut ctx, &mut seq)?;
            if max_content(&seq) == 0 || paths(&seq) == 0 {
                return Err(NluError::NeverMatches {
                    at: s.at.clone(),
                    template: s.text.clone(),
                    reason: "it has no words".into(),
                });
            }
            let id = c.sentences.len() as u32;
            c.sentences.push(SentenceInfo { data: bi as u32, template: s.text.clone(), at: s.at.clone() });
            c.automaton.insert(&seq, id);
        }
    }
    let mut skip: Vec<String> =
        grammar.skip_words.iter().map(|w| normalize_text(w)).filter(|w| !w.is_empty()).collect();
    skip.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    skip.dedup();
    c.skip_words = skip;
    Ok(c)
}
