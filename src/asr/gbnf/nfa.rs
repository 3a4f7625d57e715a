//! Character automata behind the command grammar: character sets, words spelled with the
//! letter case Whisper uses, slot sub-grammars (free words, numbers, amounts), subset
//! construction and pruning.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::nlu::normalize::is_sep;

const NUMBER_WORDS: &str = "zero one two three four five six seven eight nine ten eleven twelve thirteen \
fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety \
hundred thousand million";
const CURRENCY_WORDS: &str = "dollar dollars buck bucks usd euro euros eur pound pounds quid gbp yen cents cent";

/// Characters as sorted, disjoint, inclusive code point ranges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CharSet(Vec<(u32, u32)>);

impl CharSet {
    pub(super) fn from_ranges(mut ranges: Vec<(u32, u32)>) -> Self {
        ranges.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match out.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => out.push((lo, hi)),
            }
        }
        CharSet(out)
    }

    pub(super) fn of(chars: &str) -> Self {
        Self::from_ranges(chars.chars().map(|c| (u32::from(c), u32::from(c))).collect())
    }

    fn word_char() -> Self {
        Self::from_ranges(vec![(0x61, 0x7a), (0x41, 0x5a), (0x30, 0x39)]).union(&Self::of("'’.&+#/%$€£"))
    }

    fn union(&self, other: &CharSet) -> Self {
        Self::from_ranges(self.0.iter().chain(&other.0).copied().collect())
    }

    pub fn contains(&self, c: char) -> bool {
        self.contains_code(u32::from(c))
    }

    pub(super) fn contains_code(&self, c: u32) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= c && c <= hi)
    }

    /// The ranges as characters (code points that are not characters are left out).
    pub fn ranges(&self) -> impl Iterator<Item = (char, char)> + '_ {
        self.0.iter().filter_map(|&(lo, hi)| Some((char::from_u32(lo)?, char::from_u32(hi)?)))
    }
}

/// What a rule alternative starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// One character of the set.
    Chars(CharSet),
    /// A whole sentence of the sub-grammar starting at this rule (a slot value).
    Call(u32),
}

/// One alternative: `label` then the rule `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub label: Label,
    pub to: u32,
}

/// One rule: its alternatives, plus the empty one when `accepting`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleState {
    pub edges: Vec<Edge>,
    pub accepting: bool,
}

/// Letter case while spelling. Whisper capitalises the first word of a sentence, "I" and
/// names, and writes acronyms in capitals; anything else (mixed case such as "aLL") is refused
/// because a decoder pushed into it drifts into nonsense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Case {
    /// The first word of the sentence: lower case or Capitalised.
    First,
    /// Another word of a template: lower case (or "I").
    Start,
    /// A word of a name or title: lower case, Capitalised or UPPER CASE.
    Name,
    /// After the capital that starts a word of a name.
    CapName,
    Lower,
    Upper,
}

/// The ways to write the literal (lower case) character `c` at `case`, each with the case
/// after it; after a separator the next word starts at `word_start`. A space stays a space;
/// `-` and `_` may be written either way.
pub(super) fn case_steps(case: Case, c: char, word_start: Case) -> Vec<(CharSet, Case)> {
    if is_sep(c) {
        let set = if c == ' ' { CharSet::of(" ") } else { CharSet::of(" -") };
        return vec![(set, word_start)];
    }
    let same = if c == '\'' { CharSet::of("'’") } else { CharSet::of(&c.to_string()) };
    let mut upper = c.to_uppercase();
    let Some(up) = (match (upper.next(), upper.next()) {
        (Some(u), None) if u != c => Some(CharSet::of(&u.to_string())),
        _ => None,
    }) else {
        let after = match case {
            Case::First | Case::Start => Case::Lower,
            Case::Name => Case::CapName,
            other => other,
        };
        return vec![(same, after)];
    };
    // A capital that starts a template word changes nothing after it, so both spellings
    // share one state (and whisper.cpp one parse stack).
    match case {
        Case::First => vec![(same.union(&up), Case::Lower)],
        Case::Start if c == 'i' => vec![(same.union(&up), Case::Lower)],
        Case::Name => vec![(same, Case::Lower), (up, Case::CapName)],
        Case::CapName => vec![(same, Case::Lower), (up, Case::Upper)],
        Case::Start | Case::Lower => vec![(same, Case::Lower)],
        Case::Upper => vec![(up, Case::Upper)],
    }
}

/// A nondeterministic automaton over characters and sub-grammar calls.
#[derive(Default)]
pub(super) struct Nfa {
    eps: Vec<Vec<u32>>,
    pub(super) edges: Vec<Vec<(Label, u32)>>,
    pub(super) accept: Vec<bool>,
}

impl Nfa {
    pub(super) fn state(&mut self) -> u32 {
        self.eps.push(Vec::new());
        self.edges.push(Vec::new());
        self.accept.push(false);
        (self.eps.len() - 1) as u32
    }

    pub(super) fn eps(&mut self, a: u32, b: u32) {
        self.eps[a as usize].push(b);
    }

    pub(super) fn edge(&mut self, a: u32, set: CharSet, b: u32) {
        self.edges[a as usize].push((Label::Chars(set), b));
    }

    /// Spells `text` (lower case, normalised) from `from` to `to`, starting at `case`.
    pub(super) fn spell(&mut self, from: u32, text: &str, to: u32, case: Case) {
        let word_start = if case == Case::Name { Case::Name } else { Case::Start };
        let mut at = vec![(case, from)];
        for c in text.chars() {
            let mut next: Vec<(Case, u32)> = Vec::new();
            for &(case, state) in &at {
                for (set, after) in case_steps(case, c, word_start) {
                    let target = match next.iter().find(|(k, _)| *k == after) {
                        Some(&(_, t)) => t,
                        None => {
                            let t = self.state();
                            next.push((after, t));
                            t
                        }
                    };
                    self.edge(state, set, target);
                }
            }
            at = next;
        }
        for (_, state) in at {
            self.eps(state, to);
        }
    }

    /// One or more words of any case (at most `max` words when given).
    fn words(&mut self, from: u32, to: u32, max: Option<usize>) {
        let chars = CharSet::word_char();
        let mut start = from;
        for i in 0..max.unwrap_or(1) {
            let word = self.state();
            self.edge(start, chars.clone(), word);
            self.edge(word, chars.clone(), word);
            self.eps(word, to);
            match max {
                None => self.edge(word, CharSet::of(" -"), from),
                Some(m) if i + 1 < m => {
                    start = self.state();
                    self.edge(word, CharSet::of(" -"), start);
                }
                Some(_) => {}
            }
        }
    }

    /// Digits (with `.`/`,` groups when `groups`) or number words.
    fn number(&mut self, from: u32, to: u32, groups: bool) {
        let digits = CharSet::from_ranges(vec![(0x30, 0x39)]);
        let (d, frac) = (self.state(), self.state());
        self.edge(from, digits.clone(), d);
        self.edge(d, digits.clone(), d);
        if groups {
            self.edge(d, CharSet::of(".,"), frac);
            self.edge(frac, digits, d);
        }
        self.eps(d, to);
        let (w, more) = (self.state(), self.state());
        for word in NUMBER_WORDS.split(' ') {
            self.spell(from, word, w, Case::Start);
            self.spell(more, word, w, Case::Start);
        }
        self.spell(more, "and", w, Case::Start);
        self.eps(w, to);
        self.edge(w, CharSet::of(" -"), more);
    }

    /// An amount: optional currency sign or "a", a number, an optional currency word.
    fn money(&mut self, from: u32, to: u32) {
        let (num, after, word) = (self.state(), self.state(), self.state());
        self.eps(from, num);
        self.edge(from, CharSet::of("$€£"), num);
        self.spell(from, "a ", num, Case::Start);
        self.number(num, after, true);
        self.eps(after, to);
        self.edge(after, CharSet::of(" "), word);
        for w in CURRENCY_WORDS.split(' ') {
            self.spell(word, w, to, Case::Start);
        }
    }
}

/// What a slot accepts.
pub(super) enum Slot {
    /// The spoken forms of list values, spelled from this case.
    Values(Vec<String>, Case),
    /// One to `n` words (a text list with no values yet), or any number (`None`, a wildcard).
    Words(Option<usize>),
    Number,
    Money,
}

/// Adds the sub-grammar of a slot and returns its start state.
pub(super) fn sub_grammar(nfa: &mut Nfa, slot: &Slot) -> u32 {
    let (from, to) = (nfa.state(), nfa.state());
    nfa.accept[to as usize] = true;
    match slot {
        Slot::Values(forms, case) => forms.iter().for_each(|f| nfa.spell(from, f, to, *case)),
        Slot::Words(max) => nfa.words(from, to, *max),
        Slot::Number => nfa.number(from, to, false),
        Slot::Money => nfa.money(from, to),
    }
    from
}

fn eps_closure(nfa: &Nfa, seeds: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    let mut seen = HashSet::new();
    let mut todo: Vec<u32> = seeds.into_iter().collect();
    while let Some(s) = todo.pop() {
        if seen.insert(s) {
            out.push(s);
            todo.extend(&nfa.eps[s as usize]);
        }
    }
    out.sort_unstable();
    out
}

/// Subset construction from each root: returns the states and each root's state id, or
/// `None` when more than `max_states` are needed. Call labels keep the NFA's numbering.
pub(super) fn determinize(nfa: &Nfa, roots: &[u32], max_states: usize) -> Option<(Vec<RuleState>, Vec<u32>)> {
    let mut ids: HashMap<Vec<u32>, u32> = HashMap::new();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut intern = |set: Vec<u32>, sets: &mut Vec<Vec<u32>>| -> u32 {
        *ids.entry(set.clone()).or_insert_with(|| {
            sets.push(set);
            (sets.len() - 1) as u32
        })
    };
    let root_ids: Vec<u32> = roots.iter().map(|&r| intern(eps_closure(nfa, [r]), &mut sets)).collect();
    let mut states = Vec::new();
    while states.len() < sets.len() {
        if sets.len() > max_states {
            return None;
        }
        let set = sets[states.len()].clone();
        let mut chars: Vec<(&CharSet, u32)> = Vec::new();
        let mut calls: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &s in &set {
            for (label, to) in &nfa.edges[s as usize] {
                match label {
                    Label::Chars(cs) => chars.push((cs, *to)),
                    Label::Call(sub) => calls.entry(*sub).or_default().push(*to),
                }
            }
        }
        // Split the character sets into pieces with one target set each.
        let mut points: Vec<u32> =
            chars.iter().flat_map(|(cs, _)| cs.0.iter().flat_map(|&(l, h)| [l, h + 1])).collect();
        points.sort_unstable();
        points.dedup();
        let mut by_target: BTreeMap<u32, Vec<(u32, u32)>> = BTreeMap::new();
        for w in points.windows(2) {
            let targets: Vec<u32> = chars.iter().filter(|(cs, _)| cs.contains_code(w[0])).map(|&(_, t)| t).collect();
            if !targets.is_empty() {
                let id = intern(eps_closure(nfa, targets), &mut sets);
                by_target.entry(id).or_default().push((w[0], w[1] - 1));
            }
        }
        let mut edges: Vec<Edge> = by_target
            .into_iter()
            .map(|(to, ranges)| Edge { label: Label::Chars(CharSet::from_ranges(ranges)), to })
            .collect();
        for (sub, targets) in calls {
            edges.push(Edge { label: Label::Call(sub), to: intern(eps_closure(nfa, targets), &mut sets) });
        }
        states.push(RuleState { edges, accepting: set.iter().any(|&s| nfa.accept[s as usize]) });
    }
    Some((states, root_ids))
}

/// Drops alternatives that can never finish (whisper.cpp would read an empty rule as accepting).
pub(super) fn prune_dead(states: &mut [RuleState]) {
    let usable =
        |live: &[bool], e: &Edge| live[e.to as usize] && !matches!(e.label, Label::Call(c) if !live[c as usize]);
    let mut live: Vec<bool> = states.iter().map(|s| s.accepting).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (i, s) in states.iter().enumerate() {
            if !live[i] && s.edges.iter().any(|e| usable(&live, e)) {
                live[i] = true;
                changed = true;
            }
        }
    }
    for s in states.iter_mut() {
        s.edges.retain(|e| usable(&live, e));
    }
}
