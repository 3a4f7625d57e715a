//! Runtime slot lists: value tries, ranges, wildcards and money, replaceable without recompiling.

use super::fuzzy::PhoneticKey;
use super::grammar::{ListDef, ListValue, RangeDef};
use super::normalize::{is_sep, normalize_value};
use super::template::{expand_strings, parse_template};
use super::word::{WordInfo, split_words};

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
    /// Every normalised spoken form of every value, for resolution by sound.
    pub spoken: Vec<String>,
    /// The phonetic key of each spoken form.
    pub keys: Vec<PhoneticKey>,
    /// The value each spoken form (and key) belongs to.
    pub key_values: Vec<u32>,
    /// The words of each spoken form, for word-by-word comparison (closed lists
    /// only; lists of names are compared as a whole by sound).
    pub form_words: Vec<Vec<WordInfo>>,
    /// Per value of a list of names: the words that tell it from every other value
    /// (its single-word name, or the words of [`partial_names`]).
    pub distinctive: Vec<Vec<String>>,
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

/// Phrasings a value may expand to (a value written as a template with more is taken
/// literally).
const MAX_FORMS: usize = 1024;

/// Spoken variants of a value (its `in` may be a small template).
pub fn spoken_forms(text: &str) -> Vec<String> {
    let variants = parse_template(text).ok().and_then(|e| expand_strings(&e, MAX_FORMS)).unwrap_or_else(|| {
        tracing::warn!(value = text, limit = MAX_FORMS, "list value has too many phrasings; taken literally");
        vec![text.to_string()]
    });
    let mut out: Vec<String> = variants.iter().map(|v| normalize_value(v)).filter(|v| !v.is_empty()).collect();
    // Numbers said in a value ("sixteen ounce") are often written in digits by speech
    // recognition ("16 ounce"): both forms name the value.
    let with_digits: Vec<String> = out.iter().filter_map(|v| digits_form(v)).collect();
    out.extend(with_digits);
    out.dedup();
    out
}

/// `form` with its spelled-out whole numbers written in digits, if it has any.
fn digits_form(form: &str) -> Option<String> {
    let words: Vec<&str> = form.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut changed = false;
    let mut i = 0;
    while i < words.len() {
        let spelled = !matches!(words[i], "a" | "an") && !words[i].bytes().any(|b| b.is_ascii_digit());
        let parse = spelled.then(|| super::numbers::parse_number(&words[i..])).and_then(|p| p.into_iter().next());
        match parse {
            Some(n) if !n.ordinal && !n.digits && n.value >= 0.0 && n.value.fract() == 0.0 && n.value < 1e6 => {
                out.push(format!("{}", n.value as i64));
                i += n.words.max(1);
                changed = true;
            }
            _ => {
                out.push(words[i].to_owned());
                i += 1;
            }
        }
    }
    changed.then(|| out.join(" "))
}

/// Spoken forms kept per value for resolution by sound (the first ones: a value whose
/// template expands to hundreds of phrasings is matched exactly for the rest).
const KEYED_FORMS: usize = 24;

/// Single words by which a value of a list of names can be called: a word of its
/// name that no other value has, nor one that sounds the same ("Kasia" for Kasia
/// Nowak, "Falcon" for Falcon DSP; not "Alice" when there is an Alicia too), not a
/// filler and not a number, of four letters or more (three will do for the first or
/// last word: "Lan" for Nguyen Thi Lan, but not "Thi", which sounds like "this").
fn partial_names(all_forms: &[Vec<String>]) -> Vec<Vec<String>> {
    use std::collections::{HashMap, HashSet};
    // How many values have a word of each sound (its Double Metaphone code).
    let sound = |w: &str| PhoneticKey::new(w).primary;
    let mut owners: HashMap<String, usize> = HashMap::new();
    for forms in all_forms {
        let sounds: HashSet<String> = forms.iter().flat_map(|f| f.split(' ')).map(sound).collect();
        for s in sounds {
            *owners.entry(s).or_default() += 1;
        }
    }
    all_forms
        .iter()
        .map(|forms| {
            let mut out: Vec<String> = Vec::new();
            for f in forms {
                if !f.contains(' ') {
                    continue;
                }
                let words: Vec<&str> = f.split(' ').collect();
                for (at, &w) in words.iter().enumerate() {
                    let info = WordInfo::new(w);
                    let edge = at == 0 || at + 1 == words.len();
                    let usable = w.chars().filter(|c| c.is_alphabetic()).count() >= if edge { 3 } else { 4 }
                        && info.weight >= 1.0
                        && info.number.is_none()
                        && owners.get(&info.key.primary) == Some(&1);
                    if usable && !forms.iter().any(|g| g == w) && !out.iter().any(|o| o == w) {
                        out.push(w.to_owned());
                    }
                }
            }
            out
        })
        .collect()
}

fn build_values(values: Vec<ListValue>, fuzzy: bool) -> ValueList {
    let mut list = ValueList::default();
    let mut all_forms: Vec<Vec<String>> = values.iter().map(|v| spoken_forms(&v.text)).collect();
    if fuzzy {
        let extra = partial_names(&all_forms);
        for (forms, more) in all_forms.iter_mut().zip(extra) {
            let mut words: Vec<String> = forms.iter().filter(|f| !f.contains(' ')).cloned().collect();
            words.extend(more.iter().cloned());
            list.distinctive.push(words);
            forms.extend(more);
        }
    }
    for (i, forms) in all_forms.into_iter().enumerate() {
        for f in &forms {
            list.trie.insert(f, i as u32);
        }
        for f in forms.into_iter().take(KEYED_FORMS) {
            list.keys.push(PhoneticKey::new(&f));
            list.key_values.push(i as u32);
            if !fuzzy {
                list.form_words.push(split_words(&f).iter().map(|w| WordInfo::new(w)).collect());
            }
            list.spoken.push(f);
        }
    }
    list.values = values;
    list
}

#[cfg(test)]
mod digit_tests {
    use super::digits_form;

    #[test]
    fn spelled_numbers_get_a_digit_form() {
        assert_eq!(digits_form("sixteen ounce").as_deref(), Some("16 ounce"));
        assert_eq!(digits_form("twenty four bit dac").as_deref(), Some("24 bit dac"));
        assert_eq!(digits_form("triple shot"), None);
        assert_eq!(digits_form("a lot of cream"), None);
        assert_eq!(digits_form("first class"), None);
    }
}
