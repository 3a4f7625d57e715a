//! RFC 8785 conformance: the examples from the RFC text, plus edge cases.

use super::super::canonical::{CanonicalError, canonicalize, write_f64};
use super::super::strict_json::parse_strict;
use serde_json::{Value, json};

fn canon_text(text: &str) -> Result<String, Box<dyn std::error::Error>> {
    Ok(canonicalize(&parse_strict(text.as_bytes())?)?)
}

fn es(f: f64) -> Result<String, CanonicalError> {
    let mut s = String::new();
    write_f64(&mut s, f)?;
    Ok(s)
}

/// RFC 8785 §3.2.2 (the worked example of the whole scheme).
#[test]
fn rfc8785_section_3_2_2_example() -> Result<(), Box<dyn std::error::Error>> {
    let input = r#"{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }"#;
    let expected = concat!(
        r#"{"literals":[null,true,false],"#,
        r#""numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"#,
        "\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
    );
    assert_eq!(canon_text(input)?, expected);
    Ok(())
}

/// RFC 8785 §3.2.3: property names sorted by UTF-16 code units, not UTF-8 bytes.
#[test]
fn rfc8785_section_3_2_3_sorting() -> Result<(), Box<dyn std::error::Error>> {
    let input = r#"{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }"#;
    let expected = concat!(
        "{\"\\r\":\"Carriage Return\",",
        "\"1\":\"One\",",
        "\"\u{80}\":\"Control\",",
        "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",",
        "\"\u{20ac}\":\"Euro Sign\",",
        "\"\u{1f600}\":\"Emoji: Grinning Face\",",
        "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
    );
    assert_eq!(canon_text(input)?, expected);
    Ok(())
}

/// RFC 8785 Appendix B: IEEE-754 bit patterns and their required serialisation.
#[test]
fn rfc8785_appendix_b_numbers() -> Result<(), CanonicalError> {
    let cases: &[(u64, &str)] = &[
        (0x0000000000000000, "0"),
        (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"),
        (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"),
        (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"),
        (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"),
        (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"),
        (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"),
        (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"),
        (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"),
        (0x43143ff3c1cb0959, "1424953923781206.2"),
    ];
    for &(bits, want) in cases {
        assert_eq!(es(f64::from_bits(bits))?, want, "bits {bits:#018x}");
    }
    Ok(())
}

#[test]
fn rfc8785_appendix_b_rejects_nan_and_infinity() {
    for bits in [0x7fffffffffffffffu64, 0x7ff0000000000000] {
        assert!(matches!(es(f64::from_bits(bits)), Err(CanonicalError::NonFinite(_))));
    }
}

#[test]
fn integral_floats_print_as_integers() -> Result<(), Box<dyn std::error::Error>> {
    assert_eq!(canon_text("[1.0, -2.50, 1e2, 0.0, -0.0, 1e21, 1e-7]")?, "[1,-2.5,100,0,0,1e+21,1e-7]");
    Ok(())
}

#[test]
fn integers_beyond_2_pow_53_are_rejected() {
    let exact = json!([9007199254740992u64, -9007199254740992i64]);
    assert_eq!(canonicalize(&exact).ok().as_deref(), Some("[9007199254740992,-9007199254740992]"));
    for v in [json!(9007199254740993u64), json!(-9007199254740993i64), json!(u64::MAX)] {
        assert!(matches!(canonicalize(&v), Err(CanonicalError::IntegerOutOfRange(_))));
    }
}

#[test]
fn control_characters_use_lowercase_u00xx() -> Result<(), CanonicalError> {
    let v = Value::String("\u{0}\u{1f}\u{7f}\u{8}\u{c}\t".into());
    assert_eq!(canonicalize(&v)?, "\"\\u0000\\u001f\u{7f}\\b\\f\\t\"");
    Ok(())
}

#[test]
fn supplementary_plane_sorts_before_high_bmp() -> Result<(), CanonicalError> {
    // U+10000 is D800 DC00 in UTF-16, which sorts below U+E000 (but not in UTF-8).
    let v = json!({"\u{e000}": 2, "\u{10000}": 1});
    assert_eq!(canonicalize(&v)?, "{\"\u{10000}\":1,\"\u{e000}\":2}");
    Ok(())
}

#[test]
fn nested_and_empty_structures() -> Result<(), CanonicalError> {
    let v = json!({"z": {"b": [], "a": {}}, "a": [{"y": 1, "x": null}]});
    assert_eq!(canonicalize(&v)?, r#"{"a":[{"x":null,"y":1}],"z":{"a":{},"b":[]}}"#);
    Ok(())
}

#[test]
fn too_deep_is_an_error_not_a_crash() {
    let mut v = json!(0);
    for _ in 0..200 {
        v = json!([v]);
    }
    assert_eq!(canonicalize(&v), Err(CanonicalError::TooDeep));
}

#[test]
fn strict_parse_rejects_duplicate_names() {
    let err = parse_strict(br#"{"a": 1, "b": {"c": 1, "c": 2}}"#);
    assert!(err.is_err_and(|e| e.to_string().contains("duplicate member name \"c\"")));
    assert!(parse_strict(br#"{"a": 1, "b": {"c": 1}}"#).is_ok());
}

#[test]
fn canonical_output_reparses_to_the_same_value() -> Result<(), Box<dyn std::error::Error>> {
    let v = json!({"s": "\u{1}\"\\/é😀", "n": [0.1, -1e-300, 12345678901234.5], "b": true});
    let text = canonicalize(&v)?;
    let back: Value = serde_json::from_str(&text)?;
    assert_eq!(back, v);
    assert_eq!(canonicalize(&back)?, text);
    Ok(())
}
