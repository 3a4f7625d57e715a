//! English number words (cardinal and ordinal) and digit tokens.

/// One parse of a number at the start of a word list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberParse {
    /// Words consumed.
    pub words: usize,
    pub value: f64,
    pub ordinal: bool,
    /// True when written in digits.
    pub digits: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Unit(i64),
    Ten(i64),
    Scale(i64),
}

fn cardinal(w: &str) -> Option<Tok> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = UNITS.iter().position(|u| *u == w) {
        return Some(Tok::Unit(i as i64));
    }
    if w == "oh" || w == "o" {
        return None;
    }
    if let Some(i) = TENS.iter().position(|u| *u == w) {
        return Some(Tok::Ten(20 + 10 * i as i64));
    }
    match w {
        "fourty" => Some(Tok::Ten(40)),
        "hundred" => Some(Tok::Scale(100)),
        "thousand" => Some(Tok::Scale(1000)),
        "million" => Some(Tok::Scale(1_000_000)),
        _ => None,
    }
}

fn ordinal(w: &str) -> Option<Tok> {
    const ORD: [(&str, i64); 21] = [
        ("first", 1),
        ("second", 2),
        ("third", 3),
        ("fourth", 4),
        ("fifth", 5),
        ("sixth", 6),
        ("seventh", 7),
        ("eighth", 8),
        ("ninth", 9),
        ("tenth", 10),
        ("eleventh", 11),
        ("twelfth", 12),
        ("thirteenth", 13),
        ("fourteenth", 14),
        ("fifteenth", 15),
        ("sixteenth", 16),
        ("seventeenth", 17),
        ("eighteenth", 18),
        ("nineteenth", 19),
        ("hundredth", 100),
        ("thousandth", 1000),
    ];
    if let Some((_, v)) = ORD.iter().find(|(o, _)| *o == w) {
        return Some(if *v >= 100 { Tok::Scale(*v) } else { Tok::Unit(*v) });
    }
    let stem = w.strip_suffix("ieth")?;
    match cardinal(&format!("{stem}y")) {
        Some(Tok::Ten(t)) => Some(Tok::Ten(t)),
        _ => None,
    }
}

/// Parses a token written in digits: `50`, `1,000`, `49.99`, `-3`, `3rd`.
pub fn parse_digits(word: &str) -> Option<(f64, bool)> {
    let (body, ordinal) =
        ["st", "nd", "rd", "th"].iter().find_map(|s| word.strip_suffix(s).map(|b| (b, true))).unwrap_or((word, false));
    if body.is_empty() || !body.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let ok = body.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || c == '.' || c == ',' || (i == 0 && c == '-'));
    if !ok || body.ends_with(['.', ',']) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != ',').collect();
    if ordinal && clean.contains('.') {
        return None;
    }
    clean.parse::<f64>().ok().map(|v| (v, ordinal))
}

/// Expands hyphenated words ("forty-nine") into parts, remembering which input word each came from.
fn split_parts<'a>(words: &[&'a str]) -> Vec<(&'a str, usize)> {
    let mut parts = Vec::new();
    for (i, w) in words.iter().enumerate().take(12) {
        if parse_digits(w).is_some() {
            parts.push((*w, i));
        } else {
            for p in w.split('-').filter(|p| !p.is_empty()) {
                parts.push((p, i));
            }
        }
    }
    parts
}

/// All number parses at the start of `words`, longest first.
pub fn parse_number(words: &[&str]) -> Vec<NumberParse> {
    let mut out = Vec::new();
    let Some(first) = words.first() else {
        return out;
    };
    if let Some((value, ordinal)) = parse_digits(first) {
        out.push(NumberParse { words: 1, value, ordinal, digits: true });
        return out;
    }
    let parts = split_parts(words);
    let (mut total, mut current) = (0i64, 0i64);
    let mut last: Option<Tok> = None;
    let mut leading_a = false;
    let mut i = 0;
    while i < parts.len() {
        let (w, word_idx) = parts[i];
        // A part of a hyphenated word must finish inside that word.
        let (tok, is_ord) = match cardinal(w) {
            Some(t) => (t, false),
            None => match ordinal(w) {
                Some(t) => (t, true),
                None if (w == "a" || w == "and") && i + 1 < parts.len() => {
                    let next_scale = matches!(cardinal(parts[i + 1].0), Some(Tok::Scale(_)));
                    let after_hundred = w == "and" && matches!(last, Some(Tok::Scale(_)));
                    if (w == "a" && last.is_none() && next_scale) || after_hundred {
                        leading_a |= w == "a";
                        i += 1;
                        continue;
                    }
                    break;
                }
                None => break,
            },
        };
        let fits = match (last, tok) {
            (None, Tok::Scale(_)) => leading_a,
            (None, _) => true,
            (Some(Tok::Ten(_)), Tok::Unit(u)) => u < 10 && u > 0,
            (Some(Tok::Unit(_)), Tok::Scale(_)) | (Some(Tok::Ten(_)), Tok::Scale(_)) => true,
            (Some(Tok::Scale(s)), Tok::Unit(_) | Tok::Ten(_)) => s >= 100,
            (Some(Tok::Scale(a)), Tok::Scale(b)) => b > a && a == 100,
            _ => false,
        };
        if !fits {
            break;
        }
        match tok {
            Tok::Unit(u) | Tok::Ten(u) => current += u,
            Tok::Scale(s) => {
                let base = if current == 0 { 1 } else { current };
                if s == 100 {
                    current = base * 100;
                } else {
                    total += base * s;
                    current = 0;
                }
            }
        }
        last = Some(tok);
        i += 1;
        let word_done = parts.get(i).is_none_or(|(_, wi)| *wi != word_idx);
        if word_done {
            out.push(NumberParse {
                words: word_idx + 1,
                value: (total + current) as f64,
                ordinal: is_ord,
                digits: false,
            });
        }
        if is_ord {
            break;
        }
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> Option<(usize, f64)> {
        let w: Vec<&str> = s.split(' ').collect();
        parse_number(&w).first().map(|p| (p.words, p.value))
    }

    #[test]
    fn words() {
        assert_eq!(first("forty nine ninety nine"), Some((2, 49.0)));
        assert_eq!(first("forty-nine dollars"), Some((1, 49.0)));
        assert_eq!(first("a hundred and five"), Some((4, 105.0)));
        assert_eq!(first("two thousand three hundred"), Some((4, 2300.0)));
        assert_eq!(first("twenty first"), Some((2, 21.0)));
        assert_eq!(first("fifth"), Some((1, 5.0)));
        assert_eq!(first("1,000"), Some((1, 1000.0)));
        assert_eq!(first("3rd"), Some((1, 3.0)));
        assert_eq!(first("five five"), Some((1, 5.0)));
        assert_eq!(first("hello"), None);
    }
}
