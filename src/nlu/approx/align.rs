//! The cheapest ways through the word graph for an input: an edit distance over a
//! graph (Dijkstra over states "graph node, words read"). A template word may match
//! an input word (free when they are the same word or number, costing by sound and
//! spelling when they differ), an input word may be extra, a template word may be
//! missing, and a slot reads a stretch of the input (see `slots`). Light words
//! (fillers, articles) are cheap to add or drop; content words are not.

use super::super::lists::ListTable;
use super::super::matcher::Capture;
use super::super::word::likeness;
use super::Token;
use super::graph::{Consumes, WordGraph};
use super::slots::{Reading, readings};
use crate::domain::Currency;
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// An input word the templates do not have costs this much of its weight.
const EXTRA: f32 = 0.8;
/// A template word the input does not have costs this much of its weight.
const MISSING: f32 = 0.9;
/// A word read as another costs this much of (1 − likeness) × weight.
const MISHEARD: f32 = 1.4;
/// Words less alike than this are not read as each other.
const MIN_LIKENESS: f32 = 0.5;

/// One complete reading of the input.
#[derive(Debug, Clone)]
pub struct Path {
    pub cost: f32,
    pub sentence: u32,
    pub captures: Vec<Capture>,
    /// How much of the reading rests on words and values heard as the templates
    /// have them (weights of matched template words and exactly read slot values).
    pub anchor: f32,
    /// Weight of the template words on the path (heard or not) and of those heard.
    pub template_words: f32,
    pub template_heard: f32,
}

#[derive(Clone, Copy, PartialEq)]
struct Entry {
    cost: f32,
    state: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other.cost.total_cmp(&self.cost).then(other.state.cmp(&self.state))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What was captured on the way to a state: a persistent list (index into the arena).
#[derive(Clone, Copy)]
struct CapLink {
    capture: u32,
    prev: Option<u32>,
}

pub struct Aligner<'a> {
    pub graph: &'a WordGraph,
    pub lists: &'a [ListTable],
    pub slot_lists: &'a [(u32, u32)],
    /// Lists resolved by sound (names), by list id.
    pub names: &'a [bool],
    pub tokens: &'a [Token],
    pub currency: Currency,
    /// Paths costing more than this are not explored.
    pub budget: f32,
}

impl Aligner<'_> {
    /// Up to `want` cheapest complete readings, cheapest first, each of a different
    /// sentence; stops at `margin` above the cheapest.
    pub fn best(&self, want: usize, margin: f32) -> Vec<Path> {
        let n = self.tokens.len();
        let width = n + 1;
        let states = self.graph.nodes.len() * width;
        let mut dist = vec![f32::INFINITY; states];
        let mut anchor = vec![0f32; states];
        let mut tw = vec![(0f32, 0f32); states];
        let mut caps: Vec<Option<u32>> = vec![None; states];
        let mut arena: Vec<CapLink> = Vec::new();
        let mut captured: Vec<Capture> = Vec::new();
        let mut like_cache: HashMap<(usize, u32), f32> = HashMap::new();
        let mut slot_cache: HashMap<(u32, usize), Vec<Reading>> = HashMap::new();
        let mut heap = BinaryHeap::new();
        let mut out: Vec<Path> = Vec::new();
        dist[0] = 0.0;
        heap.push(Entry { cost: 0.0, state: 0 });
        let mut pops = 0usize;
        while let Some(Entry { cost, state }) = heap.pop() {
            pops += 1;
            if cost > dist[state as usize] || pops > 400_000 {
                if pops > 400_000 {
                    break;
                }
                continue;
            }
            if let Some(best) = out.first()
                && cost > best.cost + margin
            {
                break;
            }
            let (node, i) = (state as usize / width, state as usize % width);
            let gnode = &self.graph.nodes[node];
            if i == n {
                for &s in &gnode.accepts {
                    if out.len() < want && !out.iter().any(|p| p.sentence == s) {
                        out.push(Path {
                            cost,
                            sentence: s,
                            captures: collect(&arena, &captured, caps[state as usize]),
                            anchor: anchor[state as usize],
                            template_words: tw[state as usize].0,
                            template_heard: tw[state as usize].1,
                        });
                    }
                }
                if out.len() >= want {
                    break;
                }
            }
            let mut relax =
                |to_node: usize, to_i: usize, add: f32, anchor_add: f32, word: (f32, f32), cap: Option<Capture>| {
                    let c = cost + add;
                    if c > self.budget {
                        return;
                    }
                    let to = to_node * width + to_i;
                    if c < dist[to] {
                        dist[to] = c;
                        anchor[to] = anchor[state as usize] + anchor_add;
                        let (total, heard) = tw[state as usize];
                        tw[to] = (total + word.0, heard + word.1);
                        caps[to] = match cap {
                            Some(cap) => {
                                captured.push(cap);
                                arena.push(CapLink { capture: captured.len() as u32 - 1, prev: caps[state as usize] });
                                Some(arena.len() as u32 - 1)
                            }
                            None => caps[state as usize],
                        };
                        heap.push(Entry { cost: c, state: to as u32 });
                    }
                };
            if i < n {
                relax(node, i + 1, self.tokens[i].extra_cost * EXTRA, 0.0, (0.0, 0.0), None);
            }
            for e in &gnode.edges {
                let to = e.to as usize;
                match e.consumes {
                    Consumes::Nothing => relax(to, i, 0.0, 0.0, (0.0, 0.0), None),
                    Consumes::Word(w) => {
                        let info = &self.graph.vocab[w as usize];
                        relax(to, i, info.weight * MISSING, 0.0, (info.weight, 0.0), None);
                        if i < n {
                            let like =
                                *like_cache.entry((i, w)).or_insert_with(|| likeness(&self.tokens[i].info, info));
                            if like >= 0.999 {
                                relax(to, i + 1, 0.0, info.weight, (info.weight, info.weight), None);
                            } else if like >= MIN_LIKENESS {
                                let weight = self.tokens[i].info.weight.max(info.weight);
                                let held = if like >= 0.8 { info.weight * like } else { 0.0 };
                                relax(to, i + 1, weight * (1.0 - like) * MISHEARD, held, (info.weight, held), None);
                            }
                        }
                    }
                    Consumes::Slot(s) => {
                        let Some(&(slot, list)) = self.slot_lists.get(s as usize) else { continue };
                        let Some(table) = self.lists.get(list as usize) else { continue };
                        let rs = slot_cache
                            .entry((list, i))
                            .or_insert_with(|| {
                                let names = self.names.get(list as usize).copied().unwrap_or(false);
                                readings(table, names, self.tokens, i, self.currency)
                            })
                            .clone();
                        for r in rs {
                            let cap = Capture {
                                slot,
                                list,
                                start: self.tokens[i].start,
                                end: self.tokens[r.end - 1].end,
                                value: r.value,
                            };
                            relax(to, r.end, r.cost, r.anchor, (0.0, 0.0), Some(cap));
                        }
                    }
                }
            }
        }
        out
    }
}

fn collect(arena: &[CapLink], captured: &[Capture], mut at: Option<u32>) -> Vec<Capture> {
    let mut out = Vec::new();
    while let Some(i) = at {
        let link = arena[i as usize];
        out.push(captured[link.capture as usize].clone());
        at = link.prev;
    }
    out.reverse();
    out
}
