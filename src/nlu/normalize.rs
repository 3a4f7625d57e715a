//! Text normalisation shared by input sentences, template literals and list values.

use unicode_normalization::UnicodeNormalization;

/// Punctuation removed at the start and end of the text and of words.
pub const STRIP: &[char] =
    &['.', '。', ',', '，', '?', '¿', '？', '؟', '!', '¡', '！', ';', '；', ':', '：', '"', '“', '”'];

fn is_initialism(word: &str) -> bool {
    // "a.c." keeps its final dot: letters separated by dots.
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() >= 3
        && parts.last().is_some_and(|p| p.is_empty())
        && parts[..parts.len() - 1].iter().all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic))
}

/// Folds one character: lower case and typographic apostrophes.
fn fold(c: char, out: &mut String) {
    match c {
        '’' | '‘' | '`' | '´' => out.push('\''),
        _ => out.extend(c.to_lowercase()),
    }
}

/// Normalises input text: NFC, lower case, apostrophes, punctuation at word edges, spaces.
pub fn normalize_text(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfc() {
        fold(c, &mut folded);
    }
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        let w = word.trim_start_matches(STRIP);
        let w = if is_initialism(w) { w } else { w.trim_end_matches(STRIP) };
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Normalises a literal chunk of a template; whitespace runs become one space.
pub fn normalize_literal(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfc() {
        fold(c, &mut folded);
    }
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            continue;
        }
        if STRIP.contains(&c) {
            let before = i > 0 && chars[i - 1].is_alphanumeric();
            let after = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
            if !(before && after) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Normalises a list value's text (like input, but keeps inner punctuation).
pub fn normalize_value(text: &str) -> String {
    normalize_text(text)
}

/// Removes skip words (already normalised, longest first) at word boundaries.
/// Returns `None` when nothing was removed.
pub fn strip_skip_words(text: &str, skip: &[String]) -> Option<String> {
    if skip.is_empty() {
        return None;
    }
    let words: Vec<&str> = text.split(' ').collect();
    let mut kept: Vec<&str> = Vec::with_capacity(words.len());
    let mut i = 0;
    let mut changed = false;
    'outer: while i < words.len() {
        for s in skip {
            let n = s.split(' ').count();
            if i + n <= words.len() && words[i..i + n].join(" ") == *s {
                i += n;
                changed = true;
                continue 'outer;
            }
        }
        kept.push(words[i]);
        i += 1;
    }
    if changed && !kept.is_empty() { Some(kept.join(" ")) } else { None }
}

/// Is the character a word separator in input text (space, or `-`/`_` read as a space)?
pub fn is_sep(c: char) -> bool {
    c == ' ' || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_punctuation_and_case() {
        assert_eq!(normalize_text("  Turn ON, the  Lights! "), "turn on the lights");
        assert_eq!(normalize_text("set it to 2.5."), "set it to 2.5");
        assert_eq!(normalize_text("the A.C. please"), "the a.c. please");
        assert_eq!(normalize_text("what’s up?"), "what's up");
    }

    #[test]
    fn strips_skip_words() {
        let skip = vec!["could you".to_string(), "please".to_string()];
        assert_eq!(strip_skip_words("could you please buy it", &skip).as_deref(), Some("buy it"));
        assert_eq!(strip_skip_words("buy it", &skip), None);
    }
}
