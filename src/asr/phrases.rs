//! The words of the intent templates as a phrase list, for recognizers that restrict decoding
//! to one (Vosk's grammar).
//!
//! Vosk joins the phrases of its list in any order and number, so a list of single words
//! lets it hear any sentence made of them. The templates' literal words, skip words, the
//! values of their lists and, where a slot takes a number or an amount, the spoken numbers
//! make up the list. Wildcard slots (free text) and names added at run time are not in it:
//! such speech comes out as `[unk]`.

use std::collections::BTreeSet;
use std::path::Path;

use crate::nlu::{Grammar, ListDef};

/// Vosk's token for speech outside the phrase list.
pub const UNKNOWN_WORD: &str = "[unk]";

/// Number words a spoken amount or range is made of (English grammars only).
const EN_NUMBER_WORDS: &str = "zero one two three four five six seven eight nine ten eleven twelve thirteen \
fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety \
hundred thousand million point and a dollar dollars buck bucks cent cents euro euros pound pounds";

/// Whether the model at `dir` can restrict decoding to a phrase list (it has a runtime graph).
pub fn supports_phrase_list(dir: &Path) -> bool {
    dir.join("graph/HCLr.fst").is_file() && dir.join("graph/Gr.fst").is_file()
}

/// The distinct words of `grammar` (lower case, sorted), each one phrase.
pub fn template_words(grammar: &Grammar) -> Vec<String> {
    let mut words = BTreeSet::new();
    let mut numbers = false;
    let mut add_list = |list: &ListDef, words: &mut BTreeSet<String>| match list {
        ListDef::Values(values) => values.iter().for_each(|v| add_template(&v.text, words)),
        ListDef::Range(_) | ListDef::Money => numbers = true,
        ListDef::Wildcard => {}
    };
    for list in grammar.lists.values() {
        add_list(list, &mut words);
    }
    for block in &grammar.data {
        block.sentences.iter().for_each(|s| add_template(&s.text, &mut words));
        block.rules.values().for_each(|r| add_template(&r.text, &mut words));
        block.lists.values().for_each(|l| add_list(l, &mut words));
    }
    grammar.rules.values().for_each(|r| add_template(&r.text, &mut words));
    grammar.skip_words.iter().for_each(|w| add_template(w, &mut words));
    let english = grammar.language.as_deref().is_none_or(|l| l == "en" || l.starts_with("en-"));
    if numbers && english {
        words.extend(EN_NUMBER_WORDS.split(' ').map(str::to_owned));
    }
    words.into_iter().collect()
}

/// Adds the literal words of a hassil template: `{list}` and `<rule>` references are left
/// out, `( | ; )` and `[ ]` separate words, punctuation other than `'` and `-` is dropped.
fn add_template(template: &str, words: &mut BTreeSet<String>) {
    let mut text = String::with_capacity(template.len());
    let mut skip_until = None;
    for c in template.chars() {
        match (skip_until, c) {
            (Some(end), c) if c == end => skip_until = None,
            (Some(_), _) => {}
            (None, '{') => skip_until = Some('}'),
            (None, '<') => skip_until = Some('>'),
            (None, c) if c.is_alphanumeric() || c == '\'' || c == '-' => text.extend(c.to_lowercase()),
            (None, _) => text.push(' '),
        }
    }
    for word in text.split_whitespace() {
        let word = word.trim_matches(['\'', '-']);
        if !word.is_empty() {
            words.insert(word.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_syntax_is_not_a_word() {
        let mut words = BTreeSet::new();
        add_template("(buy|purchase) [the] {chip} <price_limit>; what's (new|latest)?", &mut words);
        let got: Vec<&str> = words.iter().map(String::as_str).collect();
        assert_eq!(got, ["buy", "latest", "new", "purchase", "the", "what's"]);
    }

    #[test]
    fn bundled_grammar_gives_its_command_words_and_numbers() {
        let grammar = Grammar::from_dir_or_bundled(None).expect("the bundled grammar loads");
        let words = template_words(&grammar);
        for w in ["subscribe", "buy", "balance", "weekly", "fifty", "dollars"] {
            assert!(words.iter().any(|x| x == w), "{w} missing from {words:?}");
        }
        assert!(words.iter().all(|w| !w.contains(['{', '}', '<', '>', '(', ')', '|', ' '])), "{words:?}");
    }
}
