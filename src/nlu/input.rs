//! A normalised sentence ready for matching: characters plus word boundaries.

use super::normalize::is_sep;

/// Normalised input text with its words.
#[derive(Debug, Clone)]
pub struct Input {
    pub text: String,
    pub chars: Vec<char>,
    /// (start, end) character offsets of each word.
    pub spans: Vec<(usize, usize)>,
    pub words: Vec<String>,
    /// For each character offset, the word starting there.
    word_at: Vec<Option<u32>>,
}

impl Input {
    /// Builds the input from already normalised text.
    pub fn new(text: &str) -> Self {
        let chars: Vec<char> = text.chars().collect();
        let mut spans = Vec::new();
        let mut start = None;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if let Some(s) = start.take() {
                    spans.push((s, i));
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        if let Some(s) = start {
            spans.push((s, chars.len()));
        }
        let mut word_at = vec![None; chars.len() + 1];
        for (w, &(s, _)) in spans.iter().enumerate() {
            word_at[s] = Some(w as u32);
        }
        let words = spans.iter().map(|&(s, e)| chars[s..e].iter().collect()).collect();
        Input { text: text.to_string(), chars, spans, words, word_at }
    }

    /// The word that starts at a character offset.
    pub fn word_starting_at(&self, pos: usize) -> Option<usize> {
        self.word_at.get(pos).copied().flatten().map(|w| w as usize)
    }

    /// Character offset where word `w` (exclusive end index) finishes.
    pub fn end_of_word(&self, w: usize) -> usize {
        self.spans.get(w).map_or(self.chars.len(), |s| s.1)
    }

    /// Whether a slot may end at this offset (end of text or before a separator).
    pub fn is_boundary(&self, pos: usize) -> bool {
        pos >= self.chars.len() || is_sep(self.chars[pos])
    }

    /// Text between two offsets.
    pub fn slice(&self, start: usize, end: usize) -> String {
        self.chars[start..end.min(self.chars.len())].iter().collect::<String>().trim().to_string()
    }
}
