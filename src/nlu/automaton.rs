//! The shared sentence automaton: a prefix-merged character graph over all templates.
//!
//! Templates are lowered to sequences of steps and alternatives and inserted from one root.
//! Nodes created along unique paths ("shared" nodes) are merged between sentences like a
//! trie; after an alternative whose branches are not expanded, a fresh join node starts a
//! private tail, so merging can never create paths a template does not allow.
//! A join reached from a shared node through an identical alternative group is itself shared:
//! every path into it spells the same language, so later templates merge behind it too.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// What an edge consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// One character (already lower-cased).
    Char(char),
    /// Whitespace in a template: one separator, or nothing at a word boundary.
    Space,
    /// A slot: index into `Automaton::slot_edges`.
    Slot(u32),
    /// Nothing.
    Eps,
}

/// An edge of the graph.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub step: Step,
    pub to: u32,
}

/// A node of the graph.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub edges: Vec<Edge>,
    /// Sentences that are complete here.
    pub accepts: Vec<u32>,
    shared: bool,
}

/// A slot edge: which list fills which slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlotEdge {
    pub slot: u32,
    pub list: u32,
}

/// A lowered template piece.
#[derive(Debug, Clone)]
pub enum Low {
    Step(Step),
    Alt(Vec<Vec<Low>>),
}

/// Number of distinct paths through a lowered sequence (saturating).
pub fn paths(seq: &[Low]) -> usize {
    seq.iter().fold(1usize, |acc, item| match item {
        Low::Step(_) => acc,
        Low::Alt(alts) => acc.saturating_mul(alts.iter().map(|a| paths(a)).fold(0usize, usize::saturating_add)),
    })
}

/// Up to this many paths are expanded into the trie instead of joining.
const EXPAND_BUDGET: usize = 24;

enum Cont<'a> {
    End,
    More(&'a [Low], &'a Cont<'a>, usize),
    Goto(u32),
}

impl Cont<'_> {
    fn paths(&self) -> usize {
        match self {
            Cont::End | Cont::Goto(_) => 1,
            Cont::More(_, _, p) => *p,
        }
    }
}

/// The compiled graph.
#[derive(Debug, Clone, Default)]
pub struct Automaton {
    pub nodes: Vec<Node>,
    pub slot_edges: Vec<SlotEdge>,
    /// Join nodes of identical alternative groups hanging off the same shared node.
    joins: HashMap<(u32, u64), u32>,
}

fn group_key(alts: &[Vec<Low>]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{alts:?}").hash(&mut h);
    h.finish()
}

impl Automaton {
    /// An empty automaton with its root.
    pub fn new() -> Self {
        Automaton {
            nodes: vec![Node { shared: true, ..Node::default() }],
            slot_edges: Vec::new(),
            joins: HashMap::new(),
        }
    }

    /// Interns a slot edge.
    pub fn slot_edge(&mut self, edge: SlotEdge) -> Step {
        let idx = match self.slot_edges.iter().position(|e| *e == edge) {
            Some(i) => i,
            None => {
                self.slot_edges.push(edge);
                self.slot_edges.len() - 1
            }
        };
        Step::Slot(idx as u32)
    }

    fn new_node(&mut self, shared: bool) -> u32 {
        self.nodes.push(Node { shared, ..Node::default() });
        (self.nodes.len() - 1) as u32
    }

    fn child(&mut self, node: u32, step: Step) -> u32 {
        let shared = self.nodes[node as usize].shared;
        if shared {
            let found = self.nodes[node as usize]
                .edges
                .iter()
                .find(|e| e.step == step && self.nodes[e.to as usize].shared)
                .map(|e| e.to);
            if let Some(to) = found {
                return to;
            }
        }
        let to = self.new_node(shared);
        self.nodes[node as usize].edges.push(Edge { step, to });
        to
    }

    /// Inserts a lowered sentence; `id` is reported when it completes.
    pub fn insert(&mut self, seq: &[Low], id: u32) {
        self.walk(0, seq, &Cont::End, id);
    }

    fn walk(&mut self, node: u32, items: &[Low], cont: &Cont<'_>, id: u32) {
        let Some((first, tail)) = items.split_first() else {
            match cont {
                Cont::End => {
                    let acc = &mut self.nodes[node as usize].accepts;
                    if !acc.contains(&id) {
                        acc.push(id);
                    }
                }
                Cont::More(next, up, _) => self.walk(node, next, up, id),
                Cont::Goto(j) => {
                    let j = *j;
                    let edges = &mut self.nodes[node as usize].edges;
                    if !edges.iter().any(|e| e.step == Step::Eps && e.to == j) {
                        edges.push(Edge { step: Step::Eps, to: j });
                    }
                }
            }
            return;
        };
        match first {
            Low::Step(step) => {
                let next = self.child(node, *step);
                self.walk(next, tail, cont, id);
            }
            Low::Alt(alts) => {
                let tail_paths = paths(tail).saturating_mul(cont.paths());
                let alt_paths = alts.iter().map(|a| paths(a)).fold(0usize, usize::saturating_add);
                if self.nodes[node as usize].shared && alt_paths.saturating_mul(tail_paths) <= EXPAND_BUDGET {
                    let rest = Cont::More(tail, cont, tail_paths);
                    for alt in alts {
                        self.walk(node, alt, &rest, id);
                    }
                } else if self.nodes[node as usize].shared {
                    let key = (node, group_key(alts));
                    let join = match self.joins.get(&key) {
                        Some(&j) => j,
                        None => {
                            let j = self.new_node(true);
                            for alt in alts {
                                self.walk(node, alt, &Cont::Goto(j), id);
                            }
                            self.joins.insert(key, j);
                            j
                        }
                    };
                    self.walk(join, tail, cont, id);
                } else {
                    let join = self.new_node(false);
                    for alt in alts {
                        self.walk(node, alt, &Cont::Goto(join), id);
                    }
                    self.walk(join, tail, cont, id);
                }
            }
        }
    }
}
