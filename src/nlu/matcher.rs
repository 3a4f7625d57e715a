//! Depth-first walk of the automaton over one input, collecting every complete reading.

use super::automaton::{Automaton, Step};
use super::grammar::RangeDef;
use super::input::Input;
use super::lists::ListTable;
use super::money::{self, Money};
use super::normalize::is_sep;
use super::numbers::{parse_digits, parse_number};

/// What a slot captured.
#[derive(Debug, Clone, PartialEq)]
pub enum CapValue {
    /// Index of a list value.
    Value(u32),
    /// Free text (wildcard).
    Text,
    Number(f64),
    Money(Money),
    /// Text to resolve against the list by similarity.
    Fuzzy,
}

/// One slot capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    pub slot: u32,
    pub list: u32,
    pub start: usize,
    pub end: usize,
    pub value: CapValue,
}

/// A complete path through the automaton.
#[derive(Debug, Clone)]
pub struct RawMatch {
    pub sentence: u32,
    pub captures: Vec<Capture>,
    pub literal_chars: u32,
}

/// Limits work on pathological inputs or grammars.
const STEP_LIMIT: usize = 200_000;
const MATCH_LIMIT: usize = 256;

/// Matching state for one input.
pub struct Walker<'a> {
    pub auto: &'a Automaton,
    pub lists: &'a [ListTable],
    /// Lists that may be matched by similarity in this pass (empty = exact pass).
    pub fuzzy: &'a [bool],
    pub input: &'a Input,
    pub currency: crate::domain::Currency,
    caps: Vec<Capture>,
    lit: u32,
    steps: usize,
    pub out: Vec<RawMatch>,
}

fn in_range(r: &RangeDef, v: f64) -> bool {
    if v < r.from || v > r.to {
        return false;
    }
    let k = (v - r.from) / r.step;
    (k - k.round()).abs() < 1e-9 || (r.fractions && v.fract() != 0.0)
}

impl<'a> Walker<'a> {
    pub fn new(
        auto: &'a Automaton,
        lists: &'a [ListTable],
        fuzzy: &'a [bool],
        input: &'a Input,
        currency: crate::domain::Currency,
    ) -> Self {
        Walker { auto, lists, fuzzy, input, currency, caps: Vec::new(), lit: 0, steps: 0, out: Vec::new() }
    }

    /// Runs the walk from the root.
    pub fn run(&mut self) {
        if !self.input.chars.is_empty() {
            self.visit(0, 0);
        }
    }

    fn visit(&mut self, node: u32, pos: usize) {
        self.steps += 1;
        if self.steps > STEP_LIMIT || self.out.len() >= MATCH_LIMIT {
            return;
        }
        let auto = self.auto;
        let Some(n) = auto.nodes.get(node as usize) else {
            return;
        };
        let chars = &self.input.chars;
        if pos == chars.len() {
            for &s in &n.accepts {
                self.out.push(RawMatch { sentence: s, captures: self.caps.clone(), literal_chars: self.lit });
            }
        }
        for e in &n.edges {
            match e.step {
                Step::Char(c) => {
                    if chars.get(pos) == Some(&c) {
                        self.lit += 1;
                        self.visit(e.to, pos + 1);
                        self.lit -= 1;
                    }
                }
                Step::Space => {
                    if chars.get(pos).is_some_and(|&c| is_sep(c)) {
                        self.visit(e.to, pos + 1);
                    } else if pos == 0 || pos == chars.len() || is_sep(chars[pos - 1]) {
                        self.visit(e.to, pos);
                    }
                }
                Step::Eps => self.visit(e.to, pos),
                Step::Slot(i) => self.slot(i, e.to, pos),
            }
        }
    }

    fn with_capture(&mut self, cap: Capture, to: u32) {
        let end = cap.end;
        self.caps.push(cap);
        self.visit(to, end);
        self.caps.pop();
    }

    fn slot(&mut self, edge: u32, to: u32, pos: usize) {
        let Some(se) = self.auto.slot_edges.get(edge as usize) else {
            return;
        };
        let (slot, list) = (se.slot, se.list);
        let cap = |start, end, value| Capture { slot, list, start, end, value };
        let word = self.input.word_starting_at(pos);
        match self.lists.get(list as usize) {
            Some(ListTable::Values(vl)) => {
                let mut hits = Vec::new();
                vl.trie.matches(&self.input.chars, pos, &mut hits);
                for (end, v) in hits {
                    self.with_capture(cap(pos, end, CapValue::Value(v)), to);
                }
                if self.fuzzy.get(list as usize).copied().unwrap_or(false)
                    && let Some(w) = word
                {
                    let max = (vl.trie.max_words + 1).max(2);
                    for k in w..(w + max).min(self.input.spans.len()) {
                        let end = self.input.end_of_word(k);
                        self.with_capture(cap(pos, end, CapValue::Fuzzy), to);
                    }
                }
            }
            Some(ListTable::Wildcard) => {
                if let Some(w) = word {
                    for k in w..self.input.spans.len() {
                        let end = self.input.end_of_word(k);
                        self.with_capture(cap(pos, end, CapValue::Text), to);
                    }
                }
            }
            Some(ListTable::Range(r)) => {
                let r = r.clone();
                for (end, v) in self.numbers_at(pos, word, r.fractions) {
                    if in_range(&r, v) {
                        let v = r.multiplier.map_or(v, |m| v * m);
                        self.with_capture(cap(pos, end, CapValue::Number(v)), to);
                    }
                }
            }
            Some(ListTable::Money) => {
                if let Some(w) = word {
                    let words: Vec<&str> = self.input.words[w..].iter().take(10).map(String::as_str).collect();
                    for (n, m) in money::scan(&words, self.currency) {
                        let end = self.input.end_of_word(w + n - 1);
                        self.with_capture(cap(pos, end, CapValue::Money(m)), to);
                    }
                }
            }
            None => {}
        }
    }

    /// Numbers starting at `pos`: digits (char level, so "50%" works) or number words.
    fn numbers_at(&self, pos: usize, word: Option<usize>, fractions: bool) -> Vec<(usize, f64)> {
        let chars = &self.input.chars;
        let mut out = Vec::new();
        let mut end = pos;
        if chars.get(end) == Some(&'-') {
            end += 1;
        }
        let digits_start = end;
        while chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
        if end > digits_start {
            if fractions
                && matches!(chars.get(end), Some('.') | Some(','))
                && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            {
                let mut e2 = end + 1;
                while chars.get(e2).is_some_and(char::is_ascii_digit) {
                    e2 += 1;
                }
                let s: String = chars[pos..e2].iter().map(|&c| if c == ',' { '.' } else { c }).collect();
                if let Ok(v) = s.parse::<f64>() {
                    out.push((e2, v));
                }
            }
            let s: String = chars[pos..end].iter().collect();
            if let Ok(v) = s.parse::<f64>() {
                out.push((end, v));
            }
            // "3rd", "21st"
            if let Some(w) = word
                && let Some((v, true)) = parse_digits(&self.input.words[w])
            {
                out.push((self.input.end_of_word(w), v));
            }
            return out;
        }
        if let Some(w) = word {
            let words: Vec<&str> = self.input.words[w..].iter().take(8).map(String::as_str).collect();
            for p in parse_number(&words) {
                out.push((self.input.end_of_word(w + p.words - 1), p.value));
            }
        }
        out
    }
}
