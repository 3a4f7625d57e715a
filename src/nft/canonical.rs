//! RFC 8785 JSON Canonicalization Scheme (JCS) for `serde_json::Value`.
//!
//! * Object members are sorted by the UTF-16 code units of their names.
//! * No insignificant whitespace.
//! * Strings: only `"`, `\` and U+0000..U+001F are escaped; `\b \t \n \f \r` use
//!   their short forms, other controls `\u00xx` (lowercase hex); everything else,
//!   including non-ASCII and U+007F, is written as UTF-8.
//! * Numbers follow ECMAScript `Number.prototype.toString` (the RFC's rule), so
//!   `1.0` becomes `1`, `1e23` becomes `1e+23` and `-0` becomes `0`.
//!
//! Integers are accepted only while exactly representable as IEEE-754 doubles
//! (|n| <= 2^53). Larger integers are rejected with
//! [`CanonicalError::IntegerOutOfRange`] rather than silently rounded: two
//! different documents must never share one canonical form that a signature covers.
//! Fractional numbers are formatted exactly as RFC 8785 requires.

use serde_json::{Map, Number, Value};
use std::fmt::Write as _;

/// Deepest nesting accepted (serde_json's own parser stops at 128 as well).
pub const MAX_DEPTH: usize = 128;

/// Largest integer magnitude that is exact in an IEEE-754 double.
const MAX_EXACT_INT: u64 = 1 << 53;

/// Why a value has no canonical form.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum CanonicalError {
    #[error("integer {0} is outside ±2^53 and would lose precision; encode it as a string")]
    IntegerOutOfRange(String),
    #[error("number {0} is not a finite IEEE-754 double")]
    NonFinite(String),
    #[error("JSON nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// The canonical JSON text of `value`.
pub fn canonicalize(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(&mut out, value, 0)?;
    Ok(out)
}

/// The canonical JSON of `value` as UTF-8 bytes (what gets hashed or signed).
pub fn canonical_bytes(value: &Value) -> Result<Vec<u8>, CanonicalError> {
    canonicalize(value).map(String::into_bytes)
}

fn write_value(out: &mut String, value: &Value, depth: usize) -> Result<(), CanonicalError> {
    if depth > MAX_DEPTH {
        return Err(CanonicalError::TooDeep);
    }
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n)?,
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map, depth)?,
    }
    Ok(())
}

fn write_object(out: &mut String, map: &Map<String, Value>, depth: usize) -> Result<(), CanonicalError> {
    let mut members: Vec<(&String, &Value)> = map.iter().collect();
    members.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push('{');
    for (i, (name, item)) in members.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, name);
        out.push(':');
        write_value(out, item, depth + 1)?;
    }
    out.push('}');
    Ok(())
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{09}' => out.push_str("\\t"),
            '\u{0a}' => out.push_str("\\n"),
            '\u{0c}' => out.push_str("\\f"),
            '\u{0d}' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, n: &Number) -> Result<(), CanonicalError> {
    if let Some(u) = n.as_u64() {
        if u > MAX_EXACT_INT {
            return Err(CanonicalError::IntegerOutOfRange(u.to_string()));
        }
        let _ = write!(out, "{u}");
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() > MAX_EXACT_INT {
            return Err(CanonicalError::IntegerOutOfRange(i.to_string()));
        }
        let _ = write!(out, "{i}");
    } else {
        let f = n.as_f64().ok_or_else(|| CanonicalError::NonFinite(n.to_string()))?;
        write_f64(out, f)?;
    }
    Ok(())
}

/// ECMAScript Number::toString(x) for a finite double (ECMA-262 §6.1.6.1.20).
///
/// Rust's `{:e}` gives the shortest digit string that round-trips (the `k` digits
/// and exponent `n - 1` of the ECMAScript algorithm); only the layout differs.
pub fn write_f64(out: &mut String, f: f64) -> Result<(), CanonicalError> {
    if !f.is_finite() {
        return Err(CanonicalError::NonFinite(f.to_string()));
    }
    if f == 0.0 {
        out.push('0');
        return Ok(());
    }
    if f < 0.0 {
        out.push('-');
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').ok_or_else(|| CanonicalError::NonFinite(sci.clone()))?;
    let exp: i32 = exp.parse().map_err(|_| CanonicalError::NonFinite(sci.clone()))?;
    let digits = even_on_tie(f.abs(), mantissa_digits(mantissa), exp);
    // ECMAScript names: k digits, value = digits × 10^(n-k).
    let k = i32::try_from(digits.len()).map_err(|_| CanonicalError::NonFinite(sci.clone()))?;
    let n = exp + 1;
    let zeros = |count: i32| "0".repeat(usize::try_from(count).unwrap_or(0));
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.push_str(&zeros(n - k));
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n).unwrap_or(0));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.push_str(&zeros(-n));
        out.push_str(&digits);
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e >= 0 { '+' } else { '-' }, e.abs());
    }
    Ok(())
}

fn mantissa_digits(mantissa: &str) -> String {
    mantissa.chars().filter(char::is_ascii_digit).collect()
}

/// ECMAScript breaks an exact tie between two equally near shortest candidates
/// towards the even one; Rust's shortest formatting rounds such ties up
/// (e.g. 1424953923781206.25 must print as `…206.2`, not `…206.3`).
///
/// A tie means `x` is exactly `low` followed by a 5 at digit `k + 1`, which is
/// detected with an exact expansion (a double has at most 767 significant digits).
fn even_on_tie(x: f64, digits: String, exp: i32) -> String {
    let k = digits.len();
    let split = |s: String| -> Option<(String, i32)> {
        let (m, e) = s.split_once('e')?;
        Some((mantissa_digits(m), e.parse().ok()?))
    };
    let Some((wide, wide_exp)) = split(format!("{x:.k$e}")) else {
        return digits;
    };
    if wide_exp != exp || !wide.ends_with('5') {
        return digits;
    }
    let Some((exact, _)) = split(format!("{x:.780e}")) else {
        return digits;
    };
    if exact.get(k + 1..).is_none_or(|rest| rest.bytes().any(|b| b != b'0')) {
        return digits;
    }
    let low = &wide[..k];
    let low_is_even = low.bytes().last().is_some_and(|d| (d - b'0').is_multiple_of(2));
    let chosen = if low_is_even {
        low.to_owned()
    } else {
        match increment_decimal(low) {
            Some(high) if high.len() == k => high,
            _ => return digits,
        }
    };
    // Near a power of two the gap below x is half the gap above: keep the even
    // candidate only if it still reads back as x.
    let reads_back = format!("{chosen}e{}", exp - (k as i32 - 1)).parse::<f64>().is_ok_and(|y| y == x);
    let trimmed = chosen.trim_end_matches('0');
    if !reads_back || trimmed.is_empty() { digits } else { trimmed.to_owned() }
}

/// Adds one to a string of decimal digits (`"129"` → `"130"`, `"99"` → `"100"`).
fn increment_decimal(digits: &str) -> Option<String> {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).ok();
        }
    }
    bytes.insert(0, b'1');
    String::from_utf8(bytes).ok()
}
