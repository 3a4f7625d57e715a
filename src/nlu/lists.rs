//! Runtime slot lists: value tries, ranges, wildcards and money, replaceable without recompiling.

use super::fuzzy::PhoneticKey;
use super::grammar::{ListDef, ListValue, RangeDef};
use super::normalize::{is_sep, normalize_value};
use super::template::{expand_strings, parse_template};

#[derive(Debug, Clone, Default)]
struct TrieNode {
    children: Vec<(char, u32)>,
    values: Vec<u32>,
}

/// A character trie over the spoken forms of list values.
#[derive(Debug, Clone, Default)]
pub struct ValueTrie {
    nodes: Vec<TrieNode>,
    /// Longest spoken form in words (bounds fuzzy captures).
    pub max_words: usize,
}

impl ValueTrie {
    fn insert(&mut self, text: &str, value: u32) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut node = 0usize;
        for c in text.chars() {
            let c = if is_sep(c) { ' ' } else { c };
            let next = match self.nodes[node].children.binary_search_by(|(k, _)| k.cmp(&c)) {
                Ok(i) => self.nodes[node].children[i].1 as usize,
                Err(i) => {
                    let id = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].children.insert(i, (c, id as u32));
                    id
                }
            };
            node = next;
        }
        if !self.nodes[node].values.contains(&value) {
            self.nodes[node].values.push(value);
        }
        self.max_words = self.max_words.max(text.split(' ').count());
    }

    fn child(&self, node: usize, c: char) -> Option<usize> {
        let kids = &self.nodes.get(node)?.children;
        kids.binary_search_by(|(k, _)| k.cmp(&c)).ok().map(|i| kids[i].1 as usize)
    }

    /// Every (end offset, value index) of a value spelled at `pos`.
    pub fn matches(&self, chars: &[char], pos: usize, out: &mut Vec<(usize, u32)>) {
        let mut node = 0usize;
        let mut i = pos;
        if self.nodes.is_empty() {
            return;
        }
        loop {
            if i > pos {
                for &v in &self.nodes[node].values {
                    out.push((i, v));
                }
            }
            let Some(&c) = chars.get(i) else { break };
            let c = if is_sep(c) { ' ' } else { c };
            match self.child(node, c) {
                Some(n) => node = n,
                None => break,
            }
            i += 1;
        }
    }
}

/// A text list ready for matching.
#[derive(Debug, Clone, Default)]
pub struct ValueList {
    pub values: Vec<ListValue>,
    pub trie: ValueTrie,
    /// Normalised spoken forms per value (first variant), for fuzzy resolution.
    pub spoken: Vec<String>,
    pub keys: Vec<PhoneticKey>,
}

/// How a list matches.
#[derive(Debug, Clone)]
pub enum ListTable {
    Values(ValueList),
    Range(RangeDef),
    Wildcard,
    Money,
}

impl ListTable {
    /// Builds the matching table for a definition; `fuzzy` also computes phonetic keys.
    pub fn build(def: &ListDef, fuzzy: bool) -> ListTable {
        match def {
            ListDef::Values(values) => ListTable::Values(build_values(values.clone(), fuzzy)),
            ListDef::Range(r) => ListTable::Range(r.clone()),
            ListDef::Wildcard => ListTable::Wildcard,
            ListDef::Money => ListTable::Money,
        }
    }
}

/// Spoken variants of a value (its `in` may be a small template).
pub fn spoken_forms(text: &str) -> Vec<String> {
    let variants =
        parse_template(text).ok().and_then(|e| expand_strings(&e, 256)).unwrap_or_else(|| vec![text.to_string()]);
    let mut out: Vec<String> = variants.iter().map(|v| normalize_value(v)).filter(|v| !v.is_empty()).collect();
    out.dedup();
    out
}

fn build_values(values: Vec<ListValue>, fuzzy: bool) -> ValueList {
    let mut list = ValueList::default();
    for (i, v) in values.iter().enumerate() {
        let forms = spoken_forms(&v.text);
        for f in &forms {
            list.trie.insert(f, i as u32);
        }
        let first = forms.into_iter().next().unwrap_or_default();
        if fuzzy {
            list.keys.push(PhoneticKey::new(&first));
        }
        list.spoken.push(first);
    }
    list.values = values;
    list
}
