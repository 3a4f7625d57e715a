//! Words of chips and queries: what is embedded for a chip, and the words keyword
//! matching compares (lower case, split at anything not a letter or digit, without
//! words that say nothing about a chip).

use crate::domain::Chip;

/// Words too common to tell chips apart.
const STOP: &[&str] = &[
    "a",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "by",
    "can",
    "chip",
    "chips",
    "design",
    "designs",
    "do",
    "for",
    "from",
    "get",
    "has",
    "have",
    "i",
    "in",
    "into",
    "is",
    "it",
    "its",
    "me",
    "my",
    "need",
    "of",
    "on",
    "one",
    "or",
    "some",
    "something",
    "that",
    "the",
    "this",
    "to",
    "want",
    "we",
    "with",
    "you",
];

/// The words of `text` keyword matching uses, in order, repeats kept.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !STOP.contains(w))
        .map(str::to_owned)
        .collect()
}

/// What a chip says about itself, as one text: the sentence embedded for it and the
/// words it is found by.
pub fn chip_text(title: &str, category: &str, process_node: &str, tags: &[String], description: &str) -> String {
    let mut s = String::with_capacity(title.len() + description.len() + 64);
    s.push_str(title);
    for part in [category, process_node] {
        if !part.is_empty() {
            s.push_str(". ");
            s.push_str(part);
        }
    }
    if !tags.is_empty() {
        s.push_str(". ");
        s.push_str(&tags.join(", "));
    }
    if !description.is_empty() {
        s.push_str(". ");
        s.push_str(description);
    }
    s
}

/// [`chip_text`] of a chip.
pub fn of_chip(c: &Chip) -> String {
    chip_text(&c.title, &c.category, &c.process_node, &c.tags, &c.description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_punctuation_case_and_filler() {
        assert_eq!(words("I need a Low-Power DSP, for 28nm!"), ["low", "power", "dsp", "28nm"]);
    }

    #[test]
    fn chip_text_joins_what_is_there() {
        assert_eq!(chip_text("Falcon", "dsp", "", &["audio".into()], "Filters."), "Falcon. dsp. audio. Filters.");
    }
}
