//! The templates as a graph of words: the character automaton read word by word.
//!
//! The exact matcher walks the automaton character by character; approximate
//! matching compares whole words (by sound and spelling), so it needs the same
//! language as edges that each carry one template word, one slot or nothing. A
//! word ends at a template space, before a slot, or where a sentence ends.

use super::super::automaton::{Automaton, Step};
use super::super::word::WordInfo;
use std::collections::HashMap;

/// What an edge of the word graph consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumes {
    /// One template word: index into [`WordGraph::vocab`].
    Word(u32),
    /// A slot: index into the automaton's slot edges.
    Slot(u32),
    /// Nothing (an optional part's empty branch).
    Nothing,
}

#[derive(Debug, Clone, Copy)]
pub struct WordEdge {
    pub consumes: Consumes,
    pub to: u32,
}

#[derive(Debug, Clone, Default)]
pub struct WordNode {
    pub edges: Vec<WordEdge>,
    /// Sentences complete here.
    pub accepts: Vec<u32>,
}

/// The word graph of a compiled grammar.
#[derive(Debug, Clone, Default)]
pub struct WordGraph {
    pub nodes: Vec<WordNode>,
    pub vocab: Vec<WordInfo>,
}

/// Which part of an automaton node a word-graph node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Part {
    /// Everything that starts at the node (it is at a word boundary).
    All,
    /// Only the sentences that end at the node (reached in the middle of a word).
    Accepts,
    /// Only the slots that start at the node (a slot glued to a word).
    Slots,
}

struct Builder<'a> {
    auto: &'a Automaton,
    graph: WordGraph,
    ids: HashMap<(u32, Part), u32>,
    words: HashMap<String, u32>,
    todo: Vec<(u32, Part)>,
}

impl Builder<'_> {
    fn node(&mut self, at: u32, part: Part) -> u32 {
        if let Some(&id) = self.ids.get(&(at, part)) {
            return id;
        }
        let id = self.graph.nodes.len() as u32;
        self.graph.nodes.push(WordNode::default());
        self.ids.insert((at, part), id);
        self.todo.push((at, part));
        id
    }

    fn word(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.words.get(text) {
            return id;
        }
        let id = self.graph.vocab.len() as u32;
        self.graph.vocab.push(WordInfo::new(text));
        self.words.insert(text.to_owned(), id);
        id
    }

    fn edge(&mut self, from: u32, consumes: Consumes, to: u32) {
        let edges = &mut self.graph.nodes[from as usize].edges;
        if !edges.iter().any(|e| e.consumes == consumes && e.to == to) {
            edges.push(WordEdge { consumes, to });
        }
    }

    /// Emits the edges of word-graph node `from` (automaton node `at`, part `part`).
    fn expand(&mut self, from: u32, at: u32, part: Part) {
        let Some(n) = self.auto.nodes.get(at as usize) else { return };
        if part != Part::Slots {
            let accepts = n.accepts.clone();
            self.graph.nodes[from as usize].accepts.extend(accepts);
        }
        match part {
            Part::Accepts => {}
            Part::Slots => {
                for e in n.edges.clone() {
                    if let Step::Slot(s) = e.step {
                        let to = self.node(e.to, Part::All);
                        self.edge(from, Consumes::Slot(s), to);
                    }
                }
            }
            Part::All => {
                let mut buf = String::new();
                self.walk(from, at, &mut buf, 0);
            }
        }
    }

    /// Follows characters from `at` with `buf` read so far since the word began.
    fn walk(&mut self, from: u32, at: u32, buf: &mut String, depth: usize) {
        if depth > 64 {
            return;
        }
        let Some(n) = self.auto.nodes.get(at as usize) else { return };
        if !n.accepts.is_empty() {
            if !buf.is_empty() {
                let to = self.node(at, Part::Accepts);
                let w = self.word(buf);
                self.edge(from, Consumes::Word(w), to);
            } else if depth > 0 {
                let to = self.node(at, Part::Accepts);
                self.edge(from, Consumes::Nothing, to);
            }
        }
        let mut glued_slot = false;
        for e in n.edges.clone() {
            match e.step {
                Step::Char(c) => {
                    buf.push(c);
                    self.walk(from, e.to, buf, depth + 1);
                    buf.pop();
                }
                Step::Eps => self.walk(from, e.to, buf, depth + 1),
                Step::Space if buf.is_empty() => self.walk(from, e.to, buf, depth + 1),
                Step::Space => {
                    let to = self.node(e.to, Part::All);
                    let w = self.word(buf);
                    self.edge(from, Consumes::Word(w), to);
                }
                Step::Slot(s) if buf.is_empty() => {
                    let to = self.node(e.to, Part::All);
                    self.edge(from, Consumes::Slot(s), to);
                }
                Step::Slot(_) => glued_slot = true,
            }
        }
        if glued_slot {
            let to = self.node(at, Part::Slots);
            let w = self.word(buf);
            self.edge(from, Consumes::Word(w), to);
        }
    }
}

impl WordGraph {
    /// Reads the automaton word by word; node 0 is the start.
    pub fn build(auto: &Automaton) -> WordGraph {
        let mut b =
            Builder { auto, graph: WordGraph::default(), ids: HashMap::new(), words: HashMap::new(), todo: Vec::new() };
        if auto.nodes.is_empty() {
            return b.graph;
        }
        b.node(0, Part::All);
        while let Some((at, part)) = b.todo.pop() {
            let from = b.ids[&(at, part)];
            b.expand(from, at, part);
        }
        b.graph
    }
}
