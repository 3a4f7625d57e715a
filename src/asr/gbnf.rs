//! Decoding rules for grammar-constrained Whisper, compiled from the intent templates.
//!
//! The NLU automaton is the language the templates accept. It is turned into a character
//! NFA that spells sentences the way Whisper writes them: an optional leading space, one
//! space between words, the first word (and "I") optionally capitalised, lead-in skip words
//! ("Hey Holomesh, …"), one trailing skip phrase (", please") and a final `.`, `?`, `!` or
//! `,`. Slots call sub-grammars: values of the lists filled at run time (names and titles,
//! each word lower case, Capitalised or UPPER CASE), values of the other lists, free words
//! for wildcards and for name lists still empty, numbers and amounts. Subset construction
//! then makes every rule deterministic, so whisper.cpp, which keeps one parse stack per live
//! alternative, tracks few stacks. Each resulting state is one GBNF rule:
//! `state ::= [c] next | sub-grammar next | ""` (the empty alternative when accepting).

mod nfa;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use self::nfa::{Case, Nfa, Slot, case_steps, determinize, prune_dead, sub_grammar};
pub use self::nfa::{CharSet, Edge, Label, RuleState};
use crate::nlu::NluError;
use crate::nlu::automaton::Step;
use crate::nlu::compile::compile;
use crate::nlu::grammar::{Grammar, ListDef, ListValue};
use crate::nlu::lists::spoken_forms;

/// Upper bound on rules; a grammar needing more is refused rather than slowing decoding.
const MAX_STATES: usize = 400_000;
/// Words a name list with no values yet accepts.
const OPEN_NAME_WORDS: usize = 4;

/// Why the rules could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GbnfError {
    #[error(transparent)]
    Nlu(#[from] NluError),
    #[error("the command grammar needs more than {0} rules")]
    TooLarge(usize),
}

/// How far a text gets through the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// No sentence starts with the text.
    Refused,
    /// The text starts a sentence but does not finish one.
    Unfinished,
    /// The text is a whole sentence (it may still go on).
    Complete,
}

/// The compiled rules; rule `start` is the sentence.
#[derive(Debug, Clone)]
pub struct CommandGrammar {
    pub states: Vec<RuleState>,
    pub start: u32,
}

/// Where the sentence automaton is, seen from the text written so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Flag {
    /// At the start of a word (of the sentence when `Case::First`); nothing to separate.
    Boundary(Case),
    /// Inside a word written in this case.
    Word(Case),
    /// A template space was passed after a word: a space must come first.
    Pending,
}

fn slot_of(def: &ListDef, runtime: Option<&Vec<ListValue>>) -> Slot {
    let values = match (runtime, def) {
        (Some(v), _) | (None, ListDef::Values(v)) => v.as_slice(),
        _ => &[],
    };
    match def {
        ListDef::Values(_) if values.is_empty() => Slot::Words(Some(OPEN_NAME_WORDS)),
        ListDef::Values(_) => {
            let case = if runtime.is_some() { Case::Name } else { Case::Start };
            Slot::Values(values.iter().flat_map(|v| spoken_forms(&v.text)).collect(), case)
        }
        ListDef::Wildcard => Slot::Words(None),
        ListDef::Range(_) => Slot::Number,
        ListDef::Money => Slot::Money,
    }
}

impl CommandGrammar {
    /// Loads the templates below `dir` and compiles them; see [`CommandGrammar::compile`].
    pub fn from_dir(dir: &Path, lists: &BTreeMap<String, Vec<ListValue>>) -> Result<Self, GbnfError> {
        Self::compile(&Grammar::load_dir(dir)?, lists)
    }

    /// Compiles `grammar`. `lists` gives the values of lists filled at run time (`designer`,
    /// `chip`); a text list that is still empty accepts any one to four words.
    pub fn compile(grammar: &Grammar, lists: &BTreeMap<String, Vec<ListValue>>) -> Result<Self, GbnfError> {
        let compiled = compile(grammar)?;
        let auto = &compiled.automaton;
        let mut nfa = Nfa::default();
        // start, optional space, lead-in skip words each followed by " " or ", ".
        let [start, lead, skipped, comma, lead_more] = [(); 5].map(|()| nfa.state());
        nfa.edge(start, CharSet::of(" "), lead);
        nfa.eps(start, lead);
        nfa.edge(skipped, CharSet::of(","), comma);
        nfa.edge(comma, CharSet::of(" "), lead_more);
        nfa.edge(skipped, CharSet::of(" "), lead_more);
        // end of the sentence, an optional skip phrase after " " or ", ", final punctuation.
        let [fin, fin_comma, trail, tail, end] = [(); 5].map(|()| nfa.state());
        nfa.edge(fin, CharSet::of(","), fin_comma);
        nfa.edge(fin_comma, CharSet::of(" "), trail);
        nfa.edge(fin, CharSet::of(" "), trail);
        for w in &compiled.skip_words {
            nfa.spell(lead, w, skipped, Case::Name);
            nfa.spell(lead_more, w, skipped, Case::Name);
            nfa.spell(trail, w, tail, Case::Start);
        }
        for s in [fin, tail] {
            nfa.edge(s, CharSet::of(".?!"), end);
        }
        for s in [fin, fin_comma, tail, end] {
            nfa.accept[s as usize] = true;
        }

        let mut subs: Vec<u32> = Vec::new();
        let mut sub_of_list: HashMap<u32, u32> = HashMap::new();
        let mut ids: HashMap<(u32, Flag), u32> = HashMap::new();
        let mut work: Vec<(u32, Flag, u32)> = Vec::new();
        let mut product = |nfa: &mut Nfa, node: u32, flag: Flag, work: &mut Vec<(u32, Flag, u32)>| {
            *ids.entry((node, flag)).or_insert_with(|| {
                let id = nfa.state();
                work.push((node, flag, id));
                id
            })
        };
        let first = product(&mut nfa, 0, Flag::Boundary(Case::First), &mut work);
        nfa.eps(lead, first);
        let after_lead_in = product(&mut nfa, 0, Flag::Boundary(Case::Start), &mut work);
        nfa.eps(lead_more, after_lead_in);
        while let Some((node, flag, id)) = work.pop() {
            let Some(n) = auto.nodes.get(node as usize) else { continue };
            if !n.accepts.is_empty() {
                nfa.eps(id, fin);
            }
            if flag == Flag::Pending {
                let to = product(&mut nfa, node, Flag::Boundary(Case::Start), &mut work);
                nfa.edge(id, CharSet::of(" "), to);
            }
            for e in &n.edges {
                let next = match (e.step, flag) {
                    (Step::Space | Step::Eps, Flag::Pending) => Flag::Pending,
                    (_, Flag::Pending) => continue,
                    (Step::Space, Flag::Word(_)) => Flag::Pending,
                    (Step::Space | Step::Eps, _) => flag,
                    (Step::Char(c), Flag::Boundary(case) | Flag::Word(case)) => {
                        for (set, after) in case_steps(case, c, Case::Start) {
                            let next = if after == Case::Start { Flag::Boundary(after) } else { Flag::Word(after) };
                            let to = product(&mut nfa, e.to, next, &mut work);
                            nfa.edge(id, set, to);
                        }
                        continue;
                    }
                    (Step::Slot(i), _) => {
                        let Some(list) = auto.slot_edges.get(i as usize).map(|s| s.list) else { continue };
                        let sub = *sub_of_list.entry(list).or_insert_with(|| {
                            let (name, def) = &compiled.lists[list as usize];
                            subs.push(sub_grammar(&mut nfa, &slot_of(def, lists.get(name))));
                            (subs.len() - 1) as u32
                        });
                        let to = product(&mut nfa, e.to, Flag::Word(Case::Lower), &mut work);
                        nfa.edges[id as usize].push((Label::Call(sub), to));
                        continue;
                    }
                };
                let to = product(&mut nfa, e.to, next, &mut work);
                nfa.eps(id, to);
            }
        }
        let roots: Vec<u32> = std::iter::once(start).chain(subs.iter().copied()).collect();
        let (mut states, root_ids) = determinize(&nfa, &roots, MAX_STATES).ok_or(GbnfError::TooLarge(MAX_STATES))?;
        for e in states.iter_mut().flat_map(|s| s.edges.iter_mut()) {
            if let Label::Call(sub) = e.label {
                e.label = Label::Call(root_ids[sub as usize + 1]);
            }
        }
        prune_dead(&mut states);
        Ok(CommandGrammar { states, start: root_ids[0] })
    }

    /// Whether the rules accept `text` exactly.
    pub fn accepts(&self, text: &str) -> bool {
        self.progress(text) == Progress::Complete
    }

    /// How far `text` gets through the rules (a small pushdown matcher).
    pub fn progress(&self, text: &str) -> Progress {
        let mut current = self.closure(vec![vec![self.start]]);
        for c in text.chars() {
            let mut next = Vec::new();
            for stack in &current {
                let Some((&top, below)) = stack.split_last() else { continue };
                for e in &self.states[top as usize].edges {
                    if let Label::Chars(set) = &e.label
                        && set.contains(c)
                    {
                        next.push([below, &[e.to]].concat());
                    }
                }
            }
            current = self.closure(next);
            if current.is_empty() {
                return Progress::Refused;
            }
        }
        if current.iter().any(|s| s.len() == 1 && self.states[s[0] as usize].accepting) {
            Progress::Complete
        } else {
            Progress::Unfinished
        }
    }

    /// Stacks reachable without reading: calls push, finished sub-grammars return.
    fn closure(&self, stacks: Vec<Vec<u32>>) -> Vec<Vec<u32>> {
        let mut seen: HashSet<Vec<u32>> = HashSet::new();
        let mut todo = stacks;
        while let Some(stack) = todo.pop() {
            let Some(&top) = stack.last() else { continue };
            if stack.len() > 8 || !seen.insert(stack.clone()) {
                continue;
            }
            let state = &self.states[top as usize];
            for e in &state.edges {
                if let Label::Call(sub) = e.label {
                    let mut s = stack.clone();
                    s.pop();
                    s.extend([e.to, sub]);
                    todo.push(s);
                }
            }
            if state.accepting && stack.len() > 1 {
                todo.push(stack[..stack.len() - 1].to_vec());
            }
        }
        seen.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marketplace(designers: &[&str]) -> CommandGrammar {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammars/en");
        let mut lists = BTreeMap::new();
        lists.insert("designer".to_owned(), designers.iter().map(|d| ListValue::plain(*d)).collect());
        lists.insert("chip".to_owned(), vec![ListValue::plain("UART Controller"), ListValue::plain("RISC-V Core")]);
        CommandGrammar::from_dir(&dir, &lists).unwrap()
    }

    #[test]
    fn accepts_template_sentences_as_whisper_writes_them() {
        let g = marketplace(&["Alice Chen", "Bob Martin"]);
        for text in [
            " Subscribe to Alice Chen.",
            "subscribe to alice chen",
            " Hey Holomesh, unsubscribe from Bob Martin, please.",
            " Okay so, I'm done with bob martin",
            " Buy the UART controller.",
            " Buy the RISC-V core for under $50.",
            " Search for a low power FPGA under fifty dollars.",
            " Rate Bob Martin 5 stars.",
            " Rate Bob Martin five stars!",
            " What's my balance?",
            " Follow Alice Chen and auto-buy everything under 20 bucks.",
            " Show me my purchases from last week.",
            " Buy the uart controller, please!",
        ] {
            assert!(g.accepts(text), "{text:?} is refused");
        }
        for text in [
            "",
            " Purple monkey dishwasher.",
            " Subscribe to Carol Diaz.",
            " Subscribe to  Alice Chen.",
            " Subscribetoalice chen.",
            " Subscribe to Alice Chen..",
            " Rate Bob Martin purple stars.",
            " bUY the UART controller.",
            " BUY THE UART CONTROLLER",
            " Buy the UArt controller.",
            " Buy the UART controller!?",
            " Subscribe to Alice Chen, thanks, thanks.",
        ] {
            assert!(!g.accepts(text), "{text:?} is accepted");
        }
        assert!(g.states.len() < MAX_STATES);
    }

    #[test]
    fn empty_lists_accept_any_short_name() {
        let g = marketplace(&[]);
        assert!(g.accepts(" Subscribe to Carol Diaz."));
        assert!(g.accepts(" Unsubscribe from zed."));
        assert!(!g.accepts(" Subscribe to one two three four five six."));
    }

    #[test]
    fn rules_are_deterministic_and_every_alternative_can_finish() {
        let g = marketplace(&["Alice Chen"]);
        for s in &g.states {
            let sets: Vec<&CharSet> =
                s.edges.iter().filter_map(|e| if let Label::Chars(c) = &e.label { Some(c) } else { None }).collect();
            for (i, a) in sets.iter().enumerate() {
                for b in &sets[i + 1..] {
                    assert!(a.ranges().all(|(lo, hi)| (lo..=hi).all(|c| !b.contains(c))));
                }
            }
            assert!(s.accepting || !s.edges.is_empty());
        }
    }
}
