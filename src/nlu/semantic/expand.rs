//! Example sentences drawn from the templates, for comparison by meaning.
//!
//! Each template gives a few random expansions (alternatives, optional parts and
//! permutations chosen at random, with a fixed seed so the examples are the same on
//! every start). Names are replaced by stand-ins — the same ones the input's names are
//! replaced by — and other slots by a typical value, so the examples say what the
//! template means without depending on today's designers and chips.

use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::super::grammar::{DataBlock, Grammar, ListDef};
use super::super::lists::spoken_forms;
use super::super::normalize::normalize_text;
use super::super::template::{Expr, parse_template};

/// Expansions drawn per template.
const PER_TEMPLATE: usize = 8;
/// Draws tried per template before giving up on finding more distinct expansions.
const TRIES: usize = 40;
/// Deepest rule nesting followed.
const MAX_DEPTH: usize = 12;

/// What stands in for a name in examples and in the input.
pub fn stand_in(slot: &str) -> &'static str {
    match slot {
        "designer" => "sam",
        _ => "nova",
    }
}

/// Typical values of free-text slots.
fn filler(slot: &str, rng: &mut StdRng) -> &'static str {
    const QUERY: [&str; 5] = ["low power adc", "risc-v cores", "a usb controller", "pll", "memory macros"];
    const PREFERENCE: [&str; 3] = ["low power designs", "analog chips", "risc-v cores under 50 dollars"];
    const MONEY: [&str; 5] = ["50 dollars", "$20", "a hundred bucks", "30 euros", "$75"];
    match slot {
        "query" => QUERY[rng.gen_range(0..QUERY.len())],
        "preference" => PREFERENCE[rng.gen_range(0..PREFERENCE.len())],
        "max_price" | "price" => MONEY[rng.gen_range(0..MONEY.len())],
        _ => "something",
    }
}

/// One example: a sentence of template `sentence` and the slots it fills.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub sentence: u32,
    pub slots: BTreeSet<String>,
}

struct Drawer<'a> {
    grammar: &'a Grammar,
    block: &'a DataBlock,
    names: &'a BTreeSet<String>,
    rng: StdRng,
}

impl Drawer<'_> {
    fn draw(&mut self, e: &Expr, out: &mut String, slots: &mut BTreeSet<String>, depth: usize) {
        match e {
            Expr::Text(t) => out.push_str(t),
            Expr::Seq(items) => items.iter().for_each(|i| self.draw(i, out, slots, depth)),
            Expr::Alt(alts) if !alts.is_empty() => {
                let i = self.rng.gen_range(0..alts.len());
                self.draw(&alts[i], out, slots, depth);
            }
            Expr::Alt(_) => {}
            Expr::Perm(items) => {
                let mut order: Vec<usize> = (0..items.len()).collect();
                for i in (1..order.len()).rev() {
                    order.swap(i, self.rng.gen_range(0..=i));
                }
                order.iter().for_each(|&i| self.draw(&items[i], out, slots, depth));
            }
            Expr::List { list, slot, .. } => {
                out.push(' ');
                out.push_str(&self.value(list, slot));
                out.push(' ');
                if !slot.starts_with('@') {
                    slots.insert(slot.clone());
                }
            }
            Expr::Range { from, to, step, slot } => {
                let n = (to - from) / step.max(&1);
                let v = from + step * self.rng.gen_range(0..=n.max(0));
                out.push_str(&format!(" {v} "));
                slots.insert(slot.clone());
            }
            Expr::Rule { name, .. } if depth < MAX_DEPTH => {
                let rule = self.block.rules.get(name).or_else(|| self.grammar.rules.get(name));
                if let Some(expr) = rule.and_then(|r| parse_template(&r.text).ok()) {
                    self.draw(&expr, out, slots, depth + 1);
                }
            }
            Expr::Rule { .. } => {}
        }
    }

    fn value(&mut self, list: &str, slot: &str) -> String {
        if self.names.contains(list) {
            return stand_in(slot).to_owned();
        }
        let def = self.block.lists.get(list).or_else(|| self.grammar.lists.get(list));
        match def {
            Some(ListDef::Values(values)) if !values.is_empty() => {
                let v = &values[self.rng.gen_range(0..values.len())];
                let forms = spoken_forms(&v.text);
                forms.get(self.rng.gen_range(0..forms.len().max(1))).cloned().unwrap_or_default()
            }
            Some(ListDef::Range(r)) => {
                let n = ((r.to - r.from) / r.step.max(1e-9)).floor() as i64;
                format!("{}", r.from + r.step * self.rng.gen_range(0..=n.max(0)) as f64)
            }
            _ => filler(slot, &mut self.rng).to_owned(),
        }
    }
}

/// Examples of every template, in the compiler's sentence order.
pub fn examples(grammar: &Grammar) -> Vec<Example> {
    let names: BTreeSet<String> = grammar.fuzzy_lists.iter().cloned().collect();
    let mut out = Vec::new();
    let mut sentence = 0u32;
    for block in &grammar.data {
        for source in &block.sentences {
            let Ok(expr) = parse_template(&source.text) else {
                sentence += 1;
                continue;
            };
            let seed =
                source.text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
            let mut d = Drawer { grammar, block, names: &names, rng: StdRng::seed_from_u64(seed) };
            let mut seen = BTreeSet::new();
            for _ in 0..TRIES {
                let (mut text, mut slots) = (String::new(), BTreeSet::new());
                d.draw(&expr, &mut text, &mut slots, 0);
                let text = normalize_text(&text);
                if !text.is_empty() && seen.insert(text.clone()) {
                    out.push(Example { text, sentence, slots });
                }
                if seen.len() >= PER_TEMPLATE {
                    break;
                }
            }
            sentence += 1;
        }
    }
    out
}

/// The words each template can say itself (its text and its rules', not its slots'),
/// in the compiler's sentence order.
pub fn vocabularies(grammar: &Grammar) -> Vec<BTreeSet<String>> {
    fn walk(grammar: &Grammar, block: &DataBlock, e: &Expr, out: &mut BTreeSet<String>, depth: usize) {
        match e {
            Expr::Text(t) => out.extend(normalize_text(t).split(' ').filter(|w| !w.is_empty()).map(str::to_owned)),
            Expr::Seq(items) | Expr::Alt(items) | Expr::Perm(items) => {
                items.iter().for_each(|i| walk(grammar, block, i, out, depth))
            }
            Expr::Rule { name, .. } if depth < MAX_DEPTH => {
                let rule = block.rules.get(name).or_else(|| grammar.rules.get(name));
                if let Some(expr) = rule.and_then(|r| parse_template(&r.text).ok()) {
                    walk(grammar, block, &expr, out, depth + 1);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for block in &grammar.data {
        for source in &block.sentences {
            let mut words = BTreeSet::new();
            if let Ok(expr) = parse_template(&source.text) {
                walk(grammar, block, &expr, &mut words, 0);
            }
            out.push(words);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_examples_drawn_the_same_way_each_time() {
        let g = Grammar::bundled().expect("grammar");
        let a = examples(&g);
        assert_eq!(a, examples(&g), "the same examples on every start");
        let templates: usize = g.data.iter().map(|b| b.sentences.len()).sum();
        let covered: BTreeSet<u32> = a.iter().map(|e| e.sentence).collect();
        assert_eq!(covered.len(), templates, "every template gives examples");
        assert!(a.len() <= templates * PER_TEMPLATE);
        let subscribe = a.iter().find(|e| e.slots.contains("designer")).expect("a designer slot");
        assert!(subscribe.text.contains("sam"), "names are stand-ins: {}", subscribe.text);
        assert!(a.iter().all(|e| !e.text.contains('{') && !e.text.contains('<')), "no template syntax left");
    }
}
