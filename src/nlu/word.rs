//! Words as the approximate matcher compares them: by sound and spelling, numbers by
//! value, and weighted by how much they carry (a filler costs little to add or drop,
//! a verb or a name a lot).

use super::fuzzy::PhoneticKey;
use super::numbers::{parse_digits, parse_number};

/// Words that carry little of a command's meaning: adding or dropping one costs
/// little. Fillers, articles, pronouns, politeness and small connectives.
const LIGHT: &[&str] = &[
    "a",
    "about",
    "actually",
    "all",
    "am",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "at",
    "be",
    "by",
    "can",
    "could",
    "do",
    "does",
    "er",
    "for",
    "from",
    "get",
    "go",
    "going",
    "got",
    "have",
    "hey",
    "hi",
    "hm",
    "hmm",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "if",
    "in",
    "is",
    "it",
    "it's",
    "just",
    "kindly",
    "let",
    "let's",
    "like",
    "maybe",
    "me",
    "mm",
    "my",
    "now",
    "of",
    "oh",
    "ok",
    "okay",
    "on",
    "one",
    "or",
    "our",
    "please",
    "pretty",
    "quick",
    "quickly",
    "real",
    "really",
    "right",
    "should",
    "so",
    "some",
    "something",
    "thanks",
    "that",
    "that's",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "to",
    "uh",
    "uhm",
    "um",
    "umm",
    "up",
    "us",
    "very",
    "wanna",
    "want",
    "was",
    "we",
    "well",
    "what",
    "will",
    "with",
    "would",
    "ya",
    "yeah",
    "you",
    "your",
];

/// How much a word carries, 0.25 (filler) to 1.0 (content).
pub fn weight(word: &str) -> f32 {
    if LIGHT.binary_search(&word).is_ok() { 0.3 } else { 1.0 }
}

/// The value of a single-word number ("12", "twelve", "12th" excluded).
fn number(word: &str) -> Option<f64> {
    if let Some((v, false)) = parse_digits(word) {
        return Some(v);
    }
    parse_number(&[word]).into_iter().find(|p| p.words == 1 && !p.ordinal).map(|p| p.value)
}

/// A word of the templates or of the input, ready to compare.
#[derive(Debug, Clone)]
pub struct WordInfo {
    pub text: String,
    pub key: PhoneticKey,
    pub number: Option<f64>,
    pub weight: f32,
}

impl WordInfo {
    pub fn new(text: &str) -> Self {
        WordInfo { text: text.to_owned(), key: PhoneticKey::new(text), number: number(text), weight: weight(text) }
    }
}

/// How alike two words are, 0 (nothing alike) to 1 (the same word, or the same
/// number written differently).
pub fn likeness(heard: &WordInfo, template: &WordInfo) -> f32 {
    if heard.text == template.text || heard.key.letters == template.key.letters {
        return 1.0;
    }
    if let (Some(a), Some(b)) = (heard.number, template.number) {
        return if a == b { 1.0 } else { 0.0 };
    }
    if heard.number.is_some() != template.number.is_some() {
        return 0.0;
    }
    word_similarity(&heard.key, &template.key)
}

/// Sound and spelling likeness of two single words. Stricter than the similarity of
/// names: only the primary sound codes count (their alternates make "joke" sound
/// like "week").
fn word_similarity(a: &PhoneticKey, b: &PhoneticKey) -> f32 {
    if a.letters.is_empty() || b.letters.is_empty() {
        return 0.0;
    }
    let nl = |x: &str, y: &str| strsim::normalized_levenshtein(x, y) as f32;
    let sound = nl(&a.primary, &b.primary).max(nl(&a.consonants, &b.consonants));
    let spelling = nl(&a.letters, &b.letters).max(strsim::jaro_winkler(&a.letters, &b.letters) as f32 - 0.15);
    0.55 * sound + 0.45 * spelling
}

/// Splits normalised text into the words the matcher compares: hyphens and
/// slashes separate words ("12-ounce" is "12 ounce"), a possessive stays on its word.
pub fn split_words(text: &str) -> Vec<String> {
    text.split([' ', '-', '/'])
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '$' && c != '€' && c != '£'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_light_words_are_sorted_for_lookup() {
        assert!(LIGHT.windows(2).all(|w| w[0] < w[1]), "LIGHT must stay sorted");
        assert_eq!(weight("please"), 0.3);
        assert_eq!(weight("subscribe"), 1.0);
    }

    #[test]
    fn words_compare_by_sound_spelling_and_value() {
        let w = WordInfo::new;
        assert_eq!(likeness(&w("12"), &w("twelve")), 1.0);
        assert_eq!(likeness(&w("12"), &w("twenty")), 0.0);
        assert_eq!(likeness(&w("i'm"), &w("im")), 1.0);
        assert!(likeness(&w("rose"), &w("roast")) > 0.6);
        assert!(likeness(&w("skin"), &w("skim")) > 0.6);
        assert!(likeness(&w("pizza"), &w("subscribe")) < 0.4);
        assert!(likeness(&w("joke"), &w("week")) < 0.6);
        assert_eq!(split_words("a 12-ounce latte, please"), ["a", "12", "ounce", "latte", "please"]);
    }
}
