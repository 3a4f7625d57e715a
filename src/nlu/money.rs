//! Spoken and written amounts of money: "$50", "fifty dollars", "forty-nine ninety-nine", "€25".

use super::numbers::{parse_digits, parse_number};
pub use crate::domain::{Currency, Money};

/// Minor-unit exponent of a currency.
fn exponent(currency: Currency) -> u32 {
    currency.exponent()
}

fn code(c: &str) -> Option<Currency> {
    c.parse().ok()
}

fn symbol_currency(c: char) -> Option<Currency> {
    match c {
        '$' => code("USD"),
        '€' => code("EUR"),
        '£' => code("GBP"),
        '¥' => code("JPY"),
        _ => None,
    }
}

fn word_currency(w: &str) -> Option<Currency> {
    match w {
        "dollar" | "dollars" | "buck" | "bucks" | "usd" | "$" => code("USD"),
        "euro" | "euros" | "eur" | "€" => code("EUR"),
        "pound" | "pounds" | "quid" | "gbp" | "£" => code("GBP"),
        "yen" | "jpy" | "¥" => code("JPY"),
        _ => None,
    }
}

/// Converts a decimal string ("49.99", "1,000") into minor units without floats.
fn decimal_minor(s: &str, exp: u32) -> Option<i64> {
    let clean: String = s.chars().filter(|&c| c != ',').collect();
    let (int, frac) = clean.split_once('.').unwrap_or((&clean, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if frac.len() > exp as usize {
        return None;
    }
    let unit = 10i64.checked_pow(exp)?;
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut minor: i64 = 0;
    if !frac.is_empty() {
        let padded = format!("{frac:0<width$}", width = exp as usize);
        minor = padded.parse().ok()?;
    }
    whole.checked_mul(unit)?.checked_add(minor)
}

fn whole_minor(v: f64, exp: u32) -> Option<i64> {
    if v < 0.0 || v.fract() != 0.0 || v > 1e12 {
        return None;
    }
    (v as i64).checked_mul(10i64.checked_pow(exp)?)
}

struct Amount {
    words: usize,
    minor: i64,
    spoken_words: bool,
}

/// Number at the start of `words` as an amount in minor units (digits may carry decimals).
fn amounts(words: &[&str], exp: u32) -> Vec<Amount> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if parse_digits(first).is_some_and(|(_, ord)| !ord) {
        return decimal_minor(first, exp)
            .map(|minor| Amount { words: 1, minor, spoken_words: false })
            .into_iter()
            .collect();
    }
    parse_number(words)
        .into_iter()
        .filter(|p| !p.ordinal)
        .filter_map(|p| whole_minor(p.value, exp).map(|minor| Amount { words: p.words, minor, spoken_words: true }))
        .collect()
}

/// Every reading of an amount at the start of `words`: (words consumed, money), longest first.
pub fn scan(words: &[&str], default_currency: Currency) -> Vec<(usize, Money)> {
    let mut out: Vec<(usize, Money)> = Vec::new();
    let Some(first) = words.first() else {
        return out;
    };
    let push = |out: &mut Vec<(usize, Money)>, n: usize, minor: i64, cur: Currency| {
        if !out.iter().any(|(k, _)| *k == n) {
            out.push((n, Money::new(minor, cur)));
        }
    };
    // "$50", "€25.50", "$" "50", "50$"
    let mut chars = first.chars();
    if let Some(cur) = chars.next().and_then(symbol_currency) {
        let rest = chars.as_str();
        let exp = exponent(cur);
        if rest.is_empty() {
            for a in amounts(&words[1..], exp) {
                push(&mut out, a.words + 1, a.minor, cur);
            }
        } else if let Some(m) = decimal_minor(rest, exp) {
            push(&mut out, 1, m, cur);
        }
        out.sort_by_key(|x| std::cmp::Reverse(x.0));
        return out;
    }
    if let Some(last) = first.chars().last()
        && let Some(cur) = symbol_currency(last)
    {
        let body = first.trim_end_matches(last);
        if let Some(m) = decimal_minor(body, exponent(cur)) {
            push(&mut out, 1, m, cur);
            return out;
        }
    }
    let dexp = exponent(default_currency);
    for a in amounts(words, dexp) {
        let rest = &words[a.words..];
        // "fifty cents"
        if (a.spoken_words || a.minor % 100 == 0)
            && let Some(w) = rest.first()
            && (*w == "cents" || *w == "cent" || *w == "pence")
        {
            push(&mut out, a.words + 1, a.minor / 10i64.pow(dexp), default_currency);
        }
        // currency word after the number, then maybe "and N cents" / "N"
        if let Some(cur) = rest.first().and_then(|w| word_currency(w)) {
            let exp = exponent(cur);
            let base = amounts(words, exp).into_iter().find(|b| b.words == a.words).map_or(a.minor, |b| b.minor);
            let n = a.words + 1;
            push(&mut out, n, base, cur);
            let mut tail = &words[n..];
            let mut extra = 0;
            if tail.first() == Some(&"and") {
                tail = &tail[1..];
                extra = 1;
            }
            for c in amounts(tail, 0) {
                let cents = c.minor;
                if exp == 2 && (1..100).contains(&cents) {
                    let with_word = matches!(tail.get(c.words), Some(&"cents") | Some(&"cent"));
                    let k = n + extra + c.words + usize::from(with_word);
                    if with_word || extra == 0 {
                        push(&mut out, k, base + cents, cur);
                    }
                }
            }
            continue;
        }
        // "forty-nine ninety-nine" = 49.99
        if a.spoken_words && dexp == 2 && a.minor > 0 && a.minor <= 99_999 {
            for c in amounts(rest, 0) {
                if c.spoken_words && (10..100).contains(&c.minor) {
                    let mut n = a.words + c.words;
                    let mut cur = default_currency;
                    if let Some(cw) = rest.get(c.words).and_then(|w| word_currency(w)) {
                        n += 1;
                        cur = cw;
                    }
                    push(&mut out, n, a.minor + c.minor, cur);
                }
            }
        }
        push(&mut out, a.words, a.minor, default_currency);
    }
    out.sort_by_key(|x| std::cmp::Reverse(x.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> Option<(usize, i64, String)> {
        let w: Vec<&str> = s.split(' ').collect();
        scan(&w, Currency::USD).into_iter().next().map(|(n, m)| (n, m.amount_minor, m.currency.to_string()))
    }

    #[test]
    fn amounts_in_many_forms() {
        assert_eq!(first("$50"), Some((1, 5000, "USD".into())));
        assert_eq!(first("$49.99 please"), Some((1, 4999, "USD".into())));
        assert_eq!(first("fifty dollars"), Some((2, 5000, "USD".into())));
        assert_eq!(first("50 bucks"), Some((2, 5000, "USD".into())));
        assert_eq!(first("forty-nine ninety-nine"), Some((2, 4999, "USD".into())));
        assert_eq!(first("forty nine ninety nine"), Some((4, 4999, "USD".into())));
        assert_eq!(first("€25"), Some((1, 2500, "EUR".into())));
        assert_eq!(first("twenty five euros"), Some((3, 2500, "EUR".into())));
        assert_eq!(first("ten dollars and fifty cents"), Some((5, 1050, "USD".into())));
        assert_eq!(first("a hundred bucks"), Some((3, 10000, "USD".into())));
        assert_eq!(first("fifty cents"), Some((2, 50, "USD".into())));
        assert_eq!(first("1,000 yen"), Some((2, 1000, "JPY".into())));
        assert_eq!(first("twenty"), Some((1, 2000, "USD".into())));
        assert_eq!(first("nothing"), None);
    }
}
